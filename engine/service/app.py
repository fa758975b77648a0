"""The FastAPI app: `create_app(settings)`.

Options of an assessment go in query parameters (`?ruleset=1.0.0&lang=en`); the body is the park
facts alone, exactly the CLI's schema as JSON (`GET /v1/schema/park`). Results are bilingual
(`{zh, en}` everywhere); `lang` only sets `Content-Language`. Engine work happens in worker
processes (`pool.py`); the event loop only parses headers, moves bytes and awaits.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, AsyncIterator

from anyio import to_thread
from fastapi import Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.requests import ClientDisconnect

from engine.errors import InputError, MalformedInput, RulesetNotFound
from engine.service import schemas
from engine.service.auth import Caller, KeyCache, require
from engine.service.catalog import Catalog
from engine.service.compression import GzipMiddleware
from engine.service.config import Settings
from engine.service.decisions import DecisionLog
from engine.service.keys import KeyStore
from engine.service.methods import MethodsMiddleware
from engine.service.metrics import Metrics, MetricsMiddleware
from engine.service.pool import PoolUnavailable, WorkerCrashed, WorkerPool, WorkerTimeout
from engine.service.problems import ClientAborted, ProblemError, install_handlers, problem_body
from engine.service.replay import compare
from engine.service.history_routes import history_router
from engine.service.report_routes import report_router
from engine.service.whatif_routes import whatif_router
from engine.service.compare_routes import compare_router
from engine.service.routing import DecisionIdP, Lang, problem_responses as _problem_responses, visible_decision as _visible_decision
from engine.sourcefile import loads_json

__all__ = ["create_app"]

log = logging.getLogger("greenpark.service")
JSON = "application/json"
PARK_REF = {"$ref": "#/components/schemas/Park"}
REPO = Path(__file__).resolve().parents[2]


RulesetQ = Annotated[str | None, Query(description="ruleset version (default: newest)", max_length=40,
                                       examples=["1.0.0"])]
ProfileQ = Annotated[str | None, Query(description="benchmark profile (frameworks measured against; "
                                                  "default: the engine's default profile)", max_length=60)]
ToComplyQ = Annotated[bool, Query(description="also solve, for each unmet threshold check on an indicator, "
                                               "the smallest change of each input that makes it met")]
LangQ = Annotated[Lang, Query(description="preferred language; results always carry both zh and en, "
                                          "this sets Content-Language")]


# what the two assessment routes answer besides the result
_ASSESS_PROBLEMS = dict(
    _400="the body is not JSON",
    _404="unknown ruleset version or benchmark profile",
    _413="the body is over the server's --max-body, or the result(s) over its --max-result-bytes "
         "(max_result_bytes): a refused result is not logged",
    _415="a Content-Type other than application/json (UTF-8); a body without one is read as JSON",
    _422="invalid facts or parameters, every bad field in `errors`. Facts valid by the JSON Schema can "
         "still be refused for what a schema cannot state: a plan task's targets must be ids of the "
         "plan's targets, the unit inside a quantity string must be one of its dimension's, the facts "
         "must agree with the knowledge (e.g. a province's grid)",
    _503="a worker was lost or timed out, or the decision could not be logged (Retry-After)")


def _example_park() -> dict:
    import yaml
    try:
        return yaml.safe_load((REPO / "examples" / "typical_municipal_park.yaml").read_text(encoding="utf-8"))
    except OSError:
        return {}


def _require_json(request: Request) -> None:
    """415 unless the body is declared `application/json` (UTF-8); a body without a Content-Type
    is taken as JSON."""
    declared = request.headers.get("content-type")
    if declared is None:
        return
    media, _, params = declared.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if media.strip().lower() != JSON or charset not in ("", "utf-8", "utf8"):
        raise ProblemError(415, "unsupported-media-type",
                           f"the body must be JSON sent as {JSON} (UTF-8), not {declared!r}",
                           headers={"Accept-Post": JSON})


async def _read_body(request: Request, limit: int) -> bytes:
    """The JSON request body (415 for another media type), refusing more than `limit` bytes with
    413 before reading it all; a client that hangs up meanwhile raises `ClientAborted`."""
    _require_json(request)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise ProblemError(413, "too-large", f"the body is {length} bytes; the limit is {limit}")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ProblemError(413, "too-large", f"the body exceeds the limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientAborted(f"after {size} of {length or 'an unstated number of'} bytes") from None
    return b"".join(chunks)


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


class _ResultBudget:
    """The bytes of results a request may still return; `take` is the worker pool's `reserve`."""

    def __init__(self, total: int):
        self.left = total

    def take(self, size: int) -> int | None:
        """Reserve `size` bytes: None if they fit, else the bytes that were left (nothing taken)."""
        if size > self.left:
            return self.left
        self.left -= size
        return None


def _too_large(size: int, limit: int, why: str) -> ProblemError:
    """413 for a result over the request's budget (`Settings.max_result_bytes`)."""
    bound = "max_result_bytes (greenpark serve --max-result-bytes)"
    if why == "estimate":
        detail = (f"this park's result would take at least {size} bytes (from its years and enterprises); "
                  f"the limit of results per request is {limit} bytes, {bound}; it was not assessed")
    elif why == "left":
        detail = (f"this park's result takes {size} bytes, more than the {limit} bytes left of the "
                  f"request's result budget, {bound}; it was not logged: send it alone or in a smaller batch")
    else:
        detail = (f"this park's result takes {size} bytes; the limit of results per request is {limit} bytes, "
                  f"{bound}; it was not logged")
    return ProblemError(413, "result-too-large", detail)


def _outcome_error(outcome: tuple) -> ProblemError:
    kind = outcome[0]
    if kind == "bad_json":
        return ProblemError(400, "malformed-json", outcome[1])
    if kind == "input":
        errors = [{"path": p["path"], "message": p["message"]} for p in outcome[2]]
        return ProblemError(422, "validation", outcome[1], errors=errors)
    if kind == "not_found":
        return ProblemError(404, "ruleset-not-found", outcome[1])
    if kind == "log_failed":
        log.error("could not write a decision record: %s", outcome[1])
        return ProblemError(503, "decision-log-unavailable", "the decision could not be recorded; please retry",
                            headers={"Retry-After": "1"})
    if kind == "evaluation":
        return ProblemError(422, "evaluation-failed", f"the rule engine could not evaluate these facts: {outcome[1]}")
    if kind == "too_large":
        return _too_large(*outcome[1:])
    return ProblemError(500, "internal", "the assessment failed unexpectedly; it was logged")


def _unavailable(exc: Exception) -> ProblemError:
    """A lost or overrun worker, or a full pool: 503 with Retry-After."""
    return ProblemError(503, "timeout" if isinstance(exc, WorkerTimeout) else "worker-unavailable",
                        f"{exc}; the service replaced the worker - please retry", headers={"Retry-After": "1"})


def create_app(settings: Settings, *, pool: WorkerPool | None = None) -> FastAPI:
    """The app; its lifespan opens the database, renders the catalogue and starts the worker pool."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from engine.rules.packs import RulesetRegistry
        from engine.service.db import connect, make_engine
        if not settings.auth:
            log.warning("AUTHENTICATION IS DISABLED (--no-auth): every caller may do everything and see "
                        "every decision. Use this for local work only.")
        engine = await to_thread.run_sync(make_engine, settings.resolved_db_url())
        app.state.db, app.state.keys, app.state.log = engine, KeyStore(engine), DecisionLog(engine)
        # /readyz writes through a new connection each time: what a worker connecting now would get
        app.state.probe = DecisionLog(connect(settings.resolved_db_url(), pooled=False, lock_timeout=5))
        app.state.key_cache = KeyCache(app.state.keys, settings.key_cache_seconds)
        app.state.pool = pool or WorkerPool(settings.workers, settings.timeout, db_url=settings.resolved_db_url(),
                                            allow_test_crash=settings.allow_test_crash)
        # the workers compile their rulesets while this process renders the catalogue
        app.state.catalog, _ = await asyncio.gather(to_thread.run_sync(lambda: Catalog(RulesetRegistry())),
                                                    app.state.pool.start())
        log.info("greenpark service ready: %d workers, decision log %s", app.state.pool.ready_count,
                 engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            await app.state.pool.close()
            engine.dispose()
            app.state.probe.engine.dispose()

    app = FastAPI(title="greenpark decision service", version="1", lifespan=lifespan,
                  description=(__doc__ or "") + "\n\nRoles: see `engine/service/auth.py` and the README.")
    app.state.settings = settings
    app.state.metrics = metrics = Metrics()
    install_handlers(app)
    app.add_middleware(MethodsMiddleware, app=app)
    app.add_middleware(GzipMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    def known_ruleset(request: Request, ruleset: str | None) -> None:
        versions = request.app.state.catalog.versions
        if ruleset is not None and ruleset not in versions:
            raise ProblemError(404, "ruleset-not-found", f"ruleset version {ruleset!r} is not available "
                                                         f"(available: {', '.join(versions)})")

    async def assess_one(request: Request, caller: Caller, body: bytes, ruleset: str | None,
                         crash: str | None, profile: str | None = None,
                         budget: _ResultBudget | None = None, to_comply: bool = False) -> tuple[int, bytes, dict[str, str]]:
        """Assess and log one park; returns (status, response bytes, headers) or raises ProblemError.
        A result over `settings.max_result_bytes`, or with `budget` over what is left of it, is
        refused (413) before it is logged."""
        state = request.app.state
        known_ruleset(request, ruleset)
        decision_id = "d_" + secrets.token_hex(16)
        try:
            # the worker assesses, then commits the decision record; "ok" means both are done
            outcome = await state.pool.submit(body, ruleset, crash, profile,
                                              {"decision_id": decision_id, "key_id": caller.key_id},
                                              max_result=settings.max_result_bytes,
                                              reserve=budget.take if budget is not None else None,
                                              **({"to_comply": True} if to_comply else {}))
        except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
            metrics.observe_assessment(type(exc).__name__)
            raise _unavailable(exc) from None
        if outcome[0] != "ok":
            metrics.observe_assessment(outcome[0])
            raise _outcome_error(outcome)
        _, _meta, payload, seconds = outcome          # the result JSON, opening with our decision_id
        metrics.observe_assessment("ok", seconds)
        return 200, payload, {"Location": f"/v1/assessments/{decision_id}"}

    async def check_batch(request: Request, bodies: list[bytes], ruleset: str | None,
                          profile: str | None) -> list[int]:
        """Validate every park of a batch in the workers (facts, ruleset, profile, consistency with
        the knowledge); returns each park's result floor in bytes, or raises the one problem for
        the whole batch: 422 with every bad park's field paths, 404, or 503."""
        async def check(body: bytes) -> tuple | Exception:
            try:
                return await request.app.state.pool.submit(body, ruleset, None, profile, check=True)
            except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
                return exc

        outcomes = await asyncio.gather(*(check(b) for b in bodies))
        lost = next((o for o in outcomes if isinstance(o, Exception)), None)
        if lost is not None:
            raise _unavailable(lost)
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
                raise _outcome_error(outcome)
            bad.append(i)
        if bad:
            raise ProblemError(422, "validation", f"invalid facts in park(s) {', '.join(map(str, bad))} of "
                                                  f"{len(bodies)}; nothing was assessed", errors=errors)
        return [o[1] for o in outcomes]

    @app.post("/v1/assessments", tags=["assessments"], summary="Assess one park",
              response_model=None,
              responses={200: {"model": schemas.AssessmentResult, "description": "the result, logged"},
                         **_problem_responses(400, 401, 403, 404, 413, 415, 422, 503, **_ASSESS_PROBLEMS)},
              openapi_extra={"requestBody": {"required": True, "content": {JSON: {
                  "schema": PARK_REF, "examples": {"typical": {"summary": "a typical municipal park",
                                                               "value": _example_park()}}}}}})
    async def post_assessment(request: Request, caller: Annotated[Caller, Depends(require("assess"))],
                              ruleset: RulesetQ = None, profile: ProfileQ = None,
                              lang: LangQ = Lang.zh, to_comply: ToComplyQ = False) -> Response:
        """Assess the park facts in the body (the CLI's schema, as JSON) and log the decision.
        Bad facts give 422 with every field path in `errors`; a result larger than the server's
        `max_result_bytes` gives 413 (before the assessment when the facts show it, else before
        the decision is logged). `to_comply=true`: each unmet threshold check also carries the
        minimal change of each input that makes it met (`to_comply`)."""
        body = await _read_body(request, settings.max_body_bytes)
        crash = request.headers.get("x-greenpark-test-crash") if settings.allow_test_crash else None
        status, payload, headers = await assess_one(request, caller, body, ruleset, crash, profile,
                                                    to_comply=to_comply)
        return Response(payload, status_code=status, media_type=JSON,
                        headers={**headers, "Content-Language": lang.value})

    @app.post("/v1/assessments/batch", tags=["assessments"], summary="Assess several parks",
              response_model=schemas.BatchResponse,
              responses=_problem_responses(400, 401, 403, 404, 413, 415, 422, 503, **_ASSESS_PROBLEMS),
              openapi_extra={"requestBody": {"required": True, "content": {JSON: {
                  "schema": {"type": "object", "required": ["parks"], "additionalProperties": False,
                             "properties": {"parks": {"type": "array", "minItems": 1,
                                                      "maxItems": settings.max_batch, "items": PARK_REF}}},
                  "example": {"parks": [_example_park()]}}}}})
    async def post_batch(request: Request, caller: Annotated[Caller, Depends(require("batch"))],
                         ruleset: RulesetQ = None, profile: ProfileQ = None,
                         lang: LangQ = Lang.zh) -> Response:
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
        body = await _read_body(request, settings.max_body_bytes)
        try:
            doc = loads_json(body, "<body>")
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
        floors = await check_batch(request, bodies, ruleset, profile)     # raises: nothing assessed
        if sum(floors) > settings.max_result_bytes:
            raise ProblemError(413, "result-too-large",
                               f"these {len(parks)} parks' results would take at least {sum(floors)} bytes together "
                               f"(from their years and enterprises); the limit of results per request is "
                               f"{settings.max_result_bytes} bytes, max_result_bytes (greenpark serve "
                               f"--max-result-bytes): send fewer parks per batch; nothing was assessed",
                               errors=[{"path": f"parks[{i}]", "message": f"at least {n} bytes of result"}
                                       for i, n in enumerate(floors)])
        budget = _ResultBudget(settings.max_result_bytes)

        async def one(i: int, park_body: bytes) -> bytes:
            try:
                _, payload, _ = await assess_one(request, caller, park_body, ruleset, None, profile, budget)
                return b'{"index":%d,"status":200,"result":' % i + payload + b"}"
            except ProblemError as exc:
                prob = problem_body(exc.status, exc.kind, exc.detail, f"{request.url.path}#parks[{i}]",
                                    title=exc.title, errors=exc.errors)
                return json.dumps({"index": i, "status": exc.status, "problem": prob}, ensure_ascii=False).encode()

        items = await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
        return Response(b'{"results":[' + b",".join(items) + b"]}", media_type=JSON,
                        headers={"Content-Language": lang.value})

    @app.get("/v1/assessments/{decision_id}", tags=["assessments"], summary="A logged decision",
             response_model=None,
             responses={200: {"model": schemas.AssessmentResult}, **_problem_responses(401, 403, 404, 422)})
    def get_assessment(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                       decision_id: DecisionIdP) -> Response:
        """The decision exactly as it was returned. Non-regulators see only their own."""
        return Response(_visible_decision(request, caller, decision_id).result, media_type=JSON)

    @app.get("/v1/assessments/{decision_id}/input", tags=["assessments"], summary="A decision's input",
             response_model=None,
             responses={200: {"content": {JSON: {"schema": PARK_REF}}}, **_problem_responses(401, 403, 404, 422)})
    def get_assessment_input(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                             decision_id: DecisionIdP) -> Response:
        """The park facts of a decision exactly as they were received (the body of the POST)."""
        return Response(_visible_decision(request, caller, decision_id).input, media_type=JSON)

    @app.post("/v1/assessments/{decision_id}/replay", tags=["assessments"], summary="Replay a decision",
              response_model=schemas.Replay, responses=_problem_responses(401, 403, 404, 422, 503))
    async def replay_assessment(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                                decision_id: DecisionIdP) -> Response:
        """Assess the decision's stored input again with the ruleset version and benchmark profile it
        was made with, and compare: `reproduced` is true when the new result is identical to the
        stored one apart from `decision_id`; otherwise `differences` lists where they differ and
        `ruleset.digest_then`/`digest_now` show whether that version's rules or knowledge changed.
        A replay is a check, not a decision: it is not logged. Non-regulators replay only their own."""
        d = await to_thread.run_sync(_visible_decision, request, caller, decision_id)
        version = d.ruleset_version
        if version not in request.app.state.catalog.versions:
            raise ProblemError(404, "ruleset-not-found", f"decision {decision_id} was made with ruleset {version!r}, "
                                                         "which this server does not have")
        stored = await to_thread.run_sync(json.loads, d.result)
        try:
            outcome = await request.app.state.pool.submit(d.input, version, None, stored["ruleset"].get("profile"),
                                                          **({"to_comply": True} if stored.get("to_comply") else {}))
        except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
            raise _unavailable(exc) from None
        if outcome[0] != "ok":
            raise _outcome_error(outcome)
        report = await to_thread.run_sync(compare, decision_id, stored, outcome[2])
        return Response(json.dumps(report, ensure_ascii=False).encode(), media_type=JSON)

    @app.get("/v1/assessments", tags=["assessments"], summary="Decisions, newest first",
             response_model=schemas.DecisionPage, responses=_problem_responses(401, 403, 422))
    def list_assessments(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                         park_id: Annotated[str | None, Query(max_length=200)] = None,
                         limit: Annotated[int, Query(ge=1, le=100)] = 20,
                         offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
        """A park's decisions (or all, without `park_id`), newest first; regulators see every
        caller's, others their own."""
        items, total = request.app.state.log.find(park_id=park_id, key_id=caller.key_id,
                                                  all_callers=caller.sees_all, limit=limit, offset=offset)
        nxt = offset + len(items) if offset + len(items) < total else None
        body = {"items": [d.summary() for d in items], "total": total, "limit": limit, "offset": offset,
                "next_offset": nxt}
        return Response(json.dumps(body, ensure_ascii=False).encode(), media_type=JSON)

    def _catalogue(fn: Any, *args: Any) -> Response:
        try:
            return Response(fn(*args), media_type=JSON)
        except RulesetNotFound as exc:
            raise ProblemError(404, "ruleset-not-found", str(exc)) from None

    @app.get("/v1/rulesets", tags=["knowledge"], response_model=schemas.RulesetList,
             responses=_problem_responses(401, 403))
    def get_rulesets(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))]) -> Response:
        """Loaded ruleset versions (newest first is the default) with their digests."""
        return Response(request.app.state.catalog.rulesets, media_type=JSON)

    @app.get("/v1/rulesets/{version}", tags=["knowledge"], response_model=schemas.RulesetDetail,
             responses=_problem_responses(401, 403, 404, 422))
    def get_ruleset(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))],
                    version: Annotated[str, PathParam(max_length=40)]) -> Response:
        """One version: digests, pack versions and every rule (id, kind, clauses, severity, title)."""
        return _catalogue(request.app.state.catalog.detail, version)

    @app.get("/v1/clauses", tags=["knowledge"], response_model=schemas.ClauseList,
             responses=_problem_responses(401, 403, 404, 422))
    def get_clauses(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))],
                    ruleset: RulesetQ = None) -> Response:
        """The guide's clauses (id, parent, zh/en title, phase) of a ruleset's knowledge."""
        return _catalogue(request.app.state.catalog.clauses, ruleset)

    @app.get("/v1/measures", tags=["knowledge"], response_model=schemas.MeasureList,
             responses=_problem_responses(401, 403, 404, 422))
    def get_measures(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))],
                     ruleset: RulesetQ = None) -> Response:
        """The measures catalogue findings link to."""
        return _catalogue(request.app.state.catalog.measures, ruleset)

    @app.get("/v1/schema/park", tags=["knowledge"], response_class=Response,
             responses={200: {"description": "the JSON Schema",
                              "content": {"application/schema+json": {"schema": {"type": "object"}}}},
                        **_problem_responses(401, 403)})
    def get_park_schema(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))]) -> Response:
        """JSON Schema (2020-12) of the park facts."""
        return Response(request.app.state.catalog.park_schema, media_type="application/schema+json")

    @app.get("/healthz", tags=["operations"], response_model=schemas.Health)
    async def healthz() -> dict:
        """Liveness: the server process answers (no key needed)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], response_model=schemas.Health,
             responses={503: {"model": schemas.Health, "description": "not ready (with Retry-After)"}})
    async def readyz(request: Request) -> Response:
        """Readiness: at least one worker is ready and a decision could be written now (a probe
        row inserted through a new connection and rolled back; no key needed)."""
        state = request.app.state
        ready = state.pool.ready_count

        def _db_ok() -> bool:
            try:
                state.probe.probe_write()
                return True
            except Exception as exc:  # noqa: BLE001 - any failure means decisions cannot be logged
                log.warning("readiness: the decision log refuses writes: %s", exc)
                return False
        db = await to_thread.run_sync(_db_ok)
        ok = ready > 0 and db
        body = {"status": "ok" if ok else "unavailable", "workers_ready": ready, "database": "ok" if db else "down"}
        return Response(json.dumps(body).encode(), status_code=200 if ok else 503,
                        media_type=JSON, headers={} if ok else {"Retry-After": "1"})

    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={200: {"content": {"text/plain": {}}}})
    async def get_metrics(request: Request) -> Response:
        """Prometheus text format (no key needed)."""
        return Response(metrics.render(request.app.state.pool),
                        media_type="text/plain; version=0.0.4; charset=utf-8")

    app.include_router(report_router)      # a decision's report, a portfolio of decisions
    app.include_router(whatif_router)      # POST /v1/whatif: a simulation, never logged
    app.include_router(compare_router)     # two decisions compared, a ruleset version replayed on the portfolio
    app.include_router(history_router)     # a park's history and the lifecycle of its findings

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        from engine.facts.models import Park
        park = Park.model_json_schema(ref_template="#/components/schemas/Park_{model}")
        comps = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, sub in park.pop("$defs", {}).items():
            comps[f"Park_{name}"] = sub
        comps["Park"] = park
        # FastAPI files a response model under application/json; errors are only ever served as
        # application/problem+json, so the Problem schema belongs there alone
        for operations in doc["paths"].values():
            for op in operations.values():
                for response in op.get("responses", {}).values():
                    content = response.get("content", {})
                    if "application/problem+json" in content and JSON in content:
                        content["application/problem+json"] = content.pop(JSON)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
    return app
