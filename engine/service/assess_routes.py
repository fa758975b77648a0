"""Assessing parks over HTTP: `POST /v1/assessments` (one park, logged) and
`POST /v1/assessments/batch` (up to `max_batch`, validated whole before any is assessed).

Options go in query parameters (`?ruleset=1.0.0&lang=en`); the body is the park facts alone,
the CLI's schema (`GET /v1/schema/park`), as JSON or YAML (`bodies.py`). Engine work happens in
worker processes (`pool.py`); the event loop only parses headers, moves bytes and awaits.
"""
from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ..errors import InputError, MalformedInput
from ..json_output import dump_bytes
from ..sourcefile import loads_json
from . import schemas
from .auth import Caller, require
from .bodies import JSON, json_or_yaml_content, locate, read_body
from .compression import preferred_coding
from .config import Settings
from .outcomes import ResultBudget, outcome_error, unavailable
from .pool import PoolUnavailable, WorkerCrashed, WorkerTimeout
from .problems import ProblemError, problem_body
from .result_models import AssessmentResult
from .routing import Lang, problem_responses

__all__ = ["assessment_router", "RulesetQ", "PARK_REF", "known_ruleset"]

PARK_REF = {"$ref": "#/components/schemas/Park"}
REPO = Path(__file__).resolve().parents[2]

RulesetQ = Annotated[str | None, Query(description="ruleset version (default: newest)", max_length=40,
                                       examples=["1.0.0"])]
ProfileQ = Annotated[str | None, Query(description="benchmark profile (frameworks measured against; "
                                                  "default: the engine's default profile)", max_length=60)]
ToComplyQ = Annotated[bool, Query(description="also solve, for each unmet threshold check on an indicator "
                                               "and each unmet plan-target verdict (on path, reachable), the "
                                               "smallest change of each input that makes it met")]
FormatQ = Annotated[int, Query(alias="format", ge=1, le=2, description="result format: 2 (rules table, compact "
                                                                      "rows for met verdicts; docs/result.md) or 1 "
                                                                      "(every finding in full; served for one more "
                                                                      "release)")]
ExplainQ = Annotated[Literal["full"] | None, Query(description="`full`: format 2 keeps each finding's engine "
                                                               "trace (format 1 always has it)")]
LangQ = Annotated[Lang, Query(description="preferred language; results always carry both zh and en, "
                                          "this sets Content-Language")]

# what the two assessment routes answer besides the result
ASSESS_PROBLEMS = dict(
    _400="the body is not JSON (or not YAML, sent as YAML: `errors` give line and column)",
    _404="unknown ruleset version or benchmark profile",
    _413="the body is over the server's --max-body, a workbook body unpacks to more than its "
         "--max-workbook-unpacked (max_workbook_unpacked_bytes) or holds more rows or cells than the intake "
         "reads, or the result(s) are over its --max-result-bytes (max_result_bytes): a refused result is not logged",
    _415="a Content-Type other than application/json or application/yaml (UTF-8) (or, on POST /v1/assessments, "
         "an Excel workbook: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet); a body without "
         "one is read as JSON",
    _422="invalid facts or parameters, every bad field in `errors` (with line and column for a YAML body, the "
         "`cell` for a workbook, e.g. 企业!F12; a workbook that cannot be read at all is type malformed-workbook). "
         "Facts valid by the JSON Schema can still be refused for what a schema cannot state: a plan task's "
         "targets must be ids of the plan's targets, the unit inside a quantity string must be one of its "
         "dimension's, the facts must agree with the knowledge (e.g. a province's grid)",
    _503="a worker was lost or timed out, or the decision could not be logged (Retry-After)")


def example_park() -> dict:
    from ..sourcefile import load_document
    try:
        return load_document(REPO / "examples" / "typical_municipal_park.yaml").data
    except InputError:
        return {}


def _encode_park(park: Any) -> bytes:
    """One park of a batch as the body a worker takes: UTF-8 JSON like a single POST's. A park
    holding a lone surrogate (legal in JSON as `\\ud800`, not encodable as UTF-8) is encoded with
    non-ASCII escaped instead, so it reaches validation and is refused there exactly as the
    single endpoint refuses it."""
    try:
        return json.dumps(park, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(park).encode()


def _park_path(index: int, path: str) -> str:
    return f"parks[{index}]" + (f".{path}" if path and not path.startswith("[") else path)


def known_ruleset(request: Request, ruleset: str | None) -> None:
    versions = request.app.state.catalog.versions
    if ruleset is not None and ruleset not in versions:
        raise ProblemError(404, "ruleset-not-found", f"ruleset version {ruleset!r} is not available "
                                                     f"(available: {', '.join(versions)})")


async def assess_one(request: Request, caller: Caller, body: bytes, ruleset: str | None,
                     crash: str | None, profile: str | None = None,
                     budget: ResultBudget | None = None, to_comply: bool = False, result_format: int = 2,
                     trace: bool = False, encoding: str | None = None) -> tuple[int, bytes, dict[str, str]]:
    """Assess and log one park; returns (status, response bytes, headers) or raises ProblemError.
    A result over `settings.max_result_bytes`, or with `budget` over what is left of it, is
    refused (413) before it is logged. With `encoding` ("zstd" or "gzip", the coding the caller
    prefers) the bytes are the result as logged, compressed so, and the headers say so
    (`Content-Encoding`); without, the decision is logged zstd-compressed and the bytes are JSON."""
    state = request.app.state
    known_ruleset(request, ruleset)
    decision_id = "d_" + secrets.token_hex(16)
    try:
        # the worker assesses, then commits the decision record; "ok" means both are done
        outcome = await state.pool.submit(body, ruleset, crash, profile,
                                          {"decision_id": decision_id, "key_id": caller.key_id},
                                          max_result=state.settings.max_result_bytes,
                                          reserve=budget.take if budget is not None else None,
                                          **({"to_comply": True} if to_comply else {}),
                                          **({"result_format": result_format} if result_format != 2 else {}),
                                          **({"trace": True} if trace else {}),
                                          **({"encoding": encoding} if encoding else {}))
    except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
        state.metrics.observe_assessment(type(exc).__name__)
        raise unavailable(exc) from None
    if outcome[0] != "ok":
        state.metrics.observe_assessment(outcome[0])
        raise outcome_error(outcome)
    _, meta, payload, seconds = outcome          # the result JSON (or as logged), opening with our decision_id
    state.metrics.observe_assessment("ok", seconds)
    headers = {"Location": f"/v1/assessments/{decision_id}"}
    if meta.get("encoding"):                     # the stored bytes: the middleware passes them as they are
        headers.update({"Content-Encoding": meta["encoding"], "Vary": "Accept-Encoding"})
    return 200, payload, headers


async def check_batch(request: Request, bodies: list[bytes], ruleset: str | None,
                      profile: str | None, result_format: int = 2) -> list[int]:
    """Validate every park of a batch in the workers (facts, ruleset, profile, consistency with
    the knowledge); returns each park's result floor in bytes, or raises the one problem for
    the whole batch: 422 with every bad park's field paths, 404, or 503."""
    async def check(body: bytes) -> tuple | Exception:
        try:
            return await request.app.state.pool.submit(body, ruleset, None, profile, check=True,
                                                        **({"result_format": result_format}
                                                           if result_format != 2 else {}))
        except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
            return exc

    outcomes = await asyncio.gather(*(check(b) for b in bodies))
    lost = next((o for o in outcomes if isinstance(o, Exception)), None)
    if lost is not None:
        raise unavailable(lost)
    errors: list[dict[str, str]] = []
    bad: list[int] = []
    for i, outcome in enumerate(outcomes):
        if outcome[0] == "checked":
            continue
        if outcome[0] == "input":
            errors += [{"path": _park_path(i, e["path"]), "message": e["message"]} for e in outcome[2]]
        elif outcome[0] == "bad_json":
            errors.append({"path": f"parks[{i}]", "message": outcome[1]})
        else:
            raise outcome_error(outcome)
        bad.append(i)
    if bad:
        raise ProblemError(422, "validation", f"invalid facts in park(s) {', '.join(map(str, bad))} of "
                                              f"{len(bodies)}; nothing was assessed", errors=errors)
    return [o[1] for o in outcomes]


def assessment_router(settings: Settings) -> APIRouter:
    """The two assessment routes (the batch's schema states `settings.max_batch`)."""
    router = APIRouter(tags=["assessments"])
    example = example_park()

    @router.post("/v1/assessments", summary="Assess one park", operation_id="assess", response_model=None,
                 responses={200: {"model": AssessmentResult, "description": "the result, logged",
                                  "headers": {"Location": {"description": "the decision's URL",
                                                           "schema": {"type": "string"}}}},
                            **problem_responses(400, 401, 403, 404, 413, 415, 422, 503, **ASSESS_PROBLEMS)},
                 openapi_extra={"requestBody": {"required": True, "content": json_or_yaml_content(
                     PARK_REF, {"typical": {"summary": "a typical municipal park", "value": example}},
                     workbook=True)}})
    async def post_assessment(request: Request, caller: Annotated[Caller, Depends(require("assess"))],
                              ruleset: RulesetQ = None, profile: ProfileQ = None,
                              lang: LangQ = Lang.zh, to_comply: ToComplyQ = False, result_format: FormatQ = 2,
                              explain: ExplainQ = None) -> Response:
        """Assess the park facts in the body (the CLI's schema, as JSON or YAML, or the park
        workbook of `greenpark template` as .xlsx) and log the decision. Bad facts give 422 with every field path in `errors`; a result larger than the
        server's `max_result_bytes` gives 413 (before the assessment when the facts show it, else
        before the decision is logged). `to_comply=true`: each unmet threshold check and plan-target
        verdict also carries the minimal change of each input that makes it met (`to_comply`). A YAML body is
        logged as its JSON equivalent, a workbook as the park JSON it converts to (`greenpark
        convert --to json`); a workbook's problems name their `cell` (`企业!F12`) and field path. A caller that accepts zstd or gzip gets the result so
        compressed, the very bytes the decision log keeps. The result is format 2 (`format=1` for the full records of
        format 1, served for one more release; `explain=full` adds each finding's engine trace);
        the decision is logged as returned."""
        body = await read_body(request, settings.max_body_bytes, yaml=True, xlsx=True,
                               max_unpacked=settings.workbook_unpacked_limit())
        crash = request.headers.get("x-greenpark-test-crash") if settings.allow_test_crash else None
        try:
            status, payload, headers = await assess_one(request, caller, body.raw, ruleset, crash, profile,
                                                        to_comply=to_comply, result_format=result_format,
                                                        trace=explain == "full",
                                                        encoding=preferred_coding(
                                                            request.headers.get("accept-encoding", "")))
        except ProblemError as exc:
            exc.errors = locate(body, exc.errors)
            raise
        return Response(payload, status_code=status, media_type=JSON,
                        headers={**headers, "Content-Language": lang.value})

    @router.post("/v1/assessments/batch", summary="Assess several parks", operation_id="assessBatch",
                 response_model=None,
                 responses={200: {"model": schemas.BatchResponse, "description": "one result or problem per park"},
                            **problem_responses(400, 401, 403, 404, 413, 415, 422, 503, **ASSESS_PROBLEMS)},
                 openapi_extra={"requestBody": {"required": True, "content": json_or_yaml_content(
                     {"type": "object", "required": ["parks"], "additionalProperties": False,
                      "properties": {"parks": {"type": "array", "minItems": 1, "maxItems": settings.max_batch,
                                               "items": PARK_REF}}},
                     {"one": {"summary": "one park", "value": {"parks": [example]}}})}})
    async def post_batch(request: Request, caller: Annotated[Caller, Depends(require("batch"))],
                         ruleset: RulesetQ = None, profile: ProfileQ = None,
                         lang: LangQ = Lang.zh, result_format: FormatQ = 2, explain: ExplainQ = None) -> Response:
        """Assess up to `max_batch` parks in parallel; one result (logged) or one problem per park,
        in order.

        Every park is validated before any is assessed: if one is invalid the whole batch answers
        422 with the paths of every bad field (`parks[i].…`), and nothing is assessed or logged;
        likewise 404 for an unknown ruleset or profile, and 413 when the parks' results would
        together take more than the server's `max_result_bytes`. Otherwise each slot holds the
        park's result (logged) or the problem that park met while being assessed (422 the engine
        could not evaluate it, 503 its worker was lost or the log refused the record, 413 its
        result did not fit in what was left of the request's `max_result_bytes`; such a result is
        not logged)."""
        body = await read_body(request, settings.max_body_bytes, yaml=True)
        try:
            doc = loads_json(body.raw, "<body>")
        except MalformedInput as exc:
            raise ProblemError(400, "malformed-json", f"the body is not valid JSON: {exc}") from None
        except InputError as exc:  # duplicate keys, nesting deeper than MAX_DEPTH: 422 with their paths
            raise ProblemError(422, "validation", str(exc), errors=[{"path": p.path or "", "message": p.message}
                                                                    for p in exc.problems]) from None
        parks = doc.get("parks") if isinstance(doc, dict) else None
        if not isinstance(parks, list) or not parks or len(parks) > settings.max_batch \
                or set(doc) != {"parks"}:
            raise ProblemError(422, "validation", "the body must be {\"parks\": [park, ...]}",
                               errors=[{"path": "parks", "message": f"a list of 1 to {settings.max_batch} parks"}])

        known_ruleset(request, ruleset)
        bodies = await to_thread.run_sync(lambda: [_encode_park(p) for p in parks])
        try:
            floors = await check_batch(request, bodies, ruleset, profile, result_format)  # raises: nothing assessed
        except ProblemError as exc:
            exc.errors = locate(body, exc.errors)
            raise
        if sum(floors) > settings.max_result_bytes:
            raise ProblemError(413, "result-too-large",
                               f"these {len(parks)} parks' results would take at least {sum(floors)} bytes together "
                               f"(from their years and enterprises); the limit of results per request is "
                               f"{settings.max_result_bytes} bytes, max_result_bytes (greenpark serve "
                               f"--max-result-bytes): send fewer parks per batch; nothing was assessed",
                               errors=[{"path": f"parks[{i}]", "message": f"at least {n} bytes of result"}
                                       for i, n in enumerate(floors)])
        budget = ResultBudget(settings.max_result_bytes)

        async def one(i: int, park_body: bytes) -> bytes:
            try:
                _, payload, _ = await assess_one(request, caller, park_body, ruleset, None, profile, budget,
                                                 result_format=result_format, trace=explain == "full")
                return b'{"index":%d,"status":200,"result":' % i + payload + b"}"
            except ProblemError as exc:
                prob = problem_body(exc.status, exc.kind, exc.detail, f"{request.url.path}#parks[{i}]",
                                    title=exc.title, errors=exc.errors)
                return dump_bytes({"index": i, "status": exc.status, "problem": prob})

        items = await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
        return Response(b'{"results":[' + b",".join(items) + b"]}", media_type=JSON,
                        headers={"Content-Language": lang.value})

    return router

