"""What-if over HTTP (`greenpark whatif`): `POST /v1/whatif` changes some facts of the posted park
(or marks plan tasks done), assesses it as it is and as changed, and answers which findings flip
and how the summary moves.

A simulation, never a decision: nothing is written to the decision log, the answer carries no
decision_id, and it is marked `"simulation": true` and `X-Greenpark-Simulation: true`.

Where the work happens: the body is read under the server's `--max-body`; the park is validated
and the overrides applied in a thread (pure Python, linear in the park's size); the two
assessments run in the worker pool, in parallel, under its per-assessment timeout and crash
containment, exactly as `POST /v1/assessments` runs (each result under `--max-result-bytes`); the
comparison runs in a thread. The event loop only awaits.

Permission `simulate`: planners and portals, and regulators. A regulator makes no decisions, and
a simulation is not one: it is how a supervisor asks "would task K03 done make the coal-share
check met?" of a park's plan without recording anything, as it may replay decisions already.
"""
from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..errors import GreenparkError, InputError, MalformedInput, Problem
from .auth import Caller, require
from .problems import ProblemError
from .bodies import json_or_yaml_content, locate, read_body
from .routing import Lang, problem_responses

__all__ = ["whatif_router", "SIMULATION_HEADER"]

whatif_router = APIRouter(tags=["assessments"])
JSON = "application/json"
SIMULATION_HEADER = "X-Greenpark-Simulation"
MAX_CHANGES = 1000          # overrides or tasks in one request: far more than any question needs


class WhatIfSummarySide(BaseModel):
    model_config = ConfigDict(extra="allow")
    compliance_rate: float | None = Field(description="met ÷ decided × 100")
    coverage: float | None = Field(description="decided ÷ compliance verdicts that apply × 100")
    decided: int | None
    undecided: int | None
    by_status: dict[str, int]
    conclusion: dict[str, str] | None = Field(description="the clause 7.2 conclusion, {zh, en}")


class WhatIfChange(BaseModel):
    model_config = ConfigDict(extra="allow")
    path: str = Field(description="the override's path as given", examples=["years[year=2024].energy.coal"])
    at: str = Field(description="the same path with list items by index", examples=["years[2].energy.coal"])
    before: Any = Field(description="the value before (a quantity in its canonical unit; null: unknown)")
    after: Any
    unit: str | None
    change: Literal["set", "added", "removed"] = Field(
        "set", description="set a value; or added / removed a list item (`enterprises[id=E99]` with the whole "
                           "item; null on an item)")


class WhatIf(BaseModel):
    """A what-if: never logged, never a decision."""

    model_config = ConfigDict(extra="allow")
    simulation: bool = Field(description="always true: this is a simulation, not a logged decision")
    park_id: str
    changes: list[WhatIfChange]
    flips: list[dict[str, Any]] = Field(description="findings whose status or severity differs, or that appear "
                                                    "or disappear, by id, with the diff's category "
                                                    "(engine.cycles.diff) and the indicator movement behind each")
    counts: dict[str, int]
    summary: dict[str, Any] = Field(description="`before`, `after` (compliance rate, coverage, counts by status, "
                                                "conclusion) and `change` = after - before")


_BODY_SCHEMA = {
    "type": "object", "required": ["park"], "additionalProperties": False,
    "properties": {
        "park": {"$ref": "#/components/schemas/Park"},
        "overrides": {"type": "object", "maxProperties": MAX_CHANGES,
                      "description": "park-file path -> value as in a park file, e.g. "
                                     "`{\"years[2].energy.coal\": \"7000000 t\"}`; a bare number on a quantity is "
                                     "in its canonical unit; null makes an optional value unknown. Applied in order.",
                      "additionalProperties": True},
        "tasks_done": {"type": "array", "maxItems": MAX_CHANGES, "items": {"type": "string"},
                       "description": "plan task ids to mark done (after the overrides)"}},
}


def _example() -> dict:
    from ..rules.packs import REPO_ROOT
    from ..sourcefile import load_document
    try:
        park = load_document(REPO_ROOT / "examples" / "typical_municipal_park.yaml").data
    except InputError:
        park = {}
    return {"park": park, "overrides": {"years[year=2024].energy.green_electricity": "280 GWh"},
            "tasks_done": ["K03"]}


def _errors(exc: GreenparkError, prefix: str) -> list[dict[str, str]]:
    return [{"path": prefix + (p.path or "") if p.path or not prefix else prefix.rstrip("."),
             "message": p.message} for p in exc.problems] or [{"path": prefix.rstrip("."), "message": str(exc)}]


def _encode(data: Any) -> bytes:
    """JSON bytes: UTF-8, or non-ASCII escaped when a lone surrogate (legal in JSON) forbids UTF-8."""
    try:
        return json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(data).encode()


def _prepare(body: bytes) -> tuple[bytes, bytes, list[dict]]:
    """(baseline park body, changed park body, the changes) from the request body, or ProblemError."""
    from ..cycles.whatif import simulate
    from ..facts.loader import park_from_data
    from ..facts.overrides import park_data, read_changes
    from ..sourcefile import loads_json
    try:
        doc = loads_json(body, "<body>")
    except MalformedInput as exc:
        raise ProblemError(400, "malformed-json", f"the body is not valid JSON: {exc}") from None
    except InputError as exc:
        raise ProblemError(422, "validation", str(exc), errors=_errors(exc, "")) from None
    if not isinstance(doc, dict) or "park" not in doc or not set(doc) <= {"park", "overrides", "tasks_done"}:
        raise ProblemError(422, "validation",
                           'the body must be {"park": {...}, "overrides": {...}, "tasks_done": [...]}', errors=[{"path": "", "message": "keys: park (required), overrides, tasks_done"}])
    try:
        park = park_from_data(doc["park"], file="<body>")
    except InputError as exc:
        raise ProblemError(422, "validation", str(exc), errors=_errors(exc, "park.")) from None
    try:
        overrides, tasks = read_changes({"overrides": doc.get("overrides") or {},
                                         "tasks_done": doc.get("tasks_done") or []}, source="overrides")
        if len(overrides) > MAX_CHANGES or len(tasks) > MAX_CHANGES:
            raise InputError("too many changes", [Problem(f"at most {MAX_CHANGES} overrides and {MAX_CHANGES} tasks",
                                                          file="overrides", path="overrides")])
        changed, changes = simulate(park, overrides, tasks)
    except InputError as exc:
        raise ProblemError(422, "validation", str(exc), errors=[
            {"path": p.path if p.path in ("overrides", "tasks_done") else f"overrides.{p.path or ''}".rstrip("."),
             "message": p.message} for p in exc.problems]) from None
    return _encode(doc["park"]), _encode(park_data(changed)), changes


def _outcome(outcome: tuple, side: str) -> None:
    """Raise the problem of a failed assessment (`side`: baseline or changed)."""
    from .outcomes import outcome_error as _outcome_error
    if outcome[0] == "ok":
        return
    exc = _outcome_error(outcome)
    if exc.errors:
        note = "" if side == "baseline" else " (with the overrides applied)"
        exc.errors = [{"path": "park." + e["path"] if e["path"] else "park", "message": e["message"] + note}
                      for e in exc.errors]
    raise exc


@whatif_router.post(
    "/v1/whatif", summary="Simulate changes to a park (not logged)", response_model=None, operation_id="whatIf",
    responses={200: {"model": WhatIf, "description": "the what-if; not logged, marked as a simulation",
                     "headers": {SIMULATION_HEADER: {"description": "always `true`", "schema": {"type": "string"}}}},
               **problem_responses(400, 401, 403, 404, 413, 415, 422, 503,
                                   _400="the body is not JSON (or not YAML, sent as YAML)",
                                   _404="unknown ruleset version or benchmark profile",
                                   _413="the body is over the server's --max-body, or a result over its "
                                        "--max-result-bytes",
                                   _415="a Content-Type other than application/json or application/yaml "
                                        "(UTF-8)",
                                   _422="invalid park facts (`park.…`), an override that cannot be applied "
                                        "(`overrides.<its path>`: unknown field, no such item, wrong unit, "
                                        "a negative amount, null on a required field, a park the model "
                                        "refuses) or an unknown task id (`tasks_done`); with line and "
                                        "column for a YAML body",
                                   _503="a worker was lost or timed out (Retry-After)")},
    openapi_extra={"requestBody": {"required": True, "content": json_or_yaml_content(
        _BODY_SCHEMA, {"renewables": {"summary": "more green power, a delayed task done", "value": _example()}})}})
async def post_whatif(
        request: Request, caller: Annotated[Caller, Depends(require("simulate"))],
        ruleset: Annotated[str | None, Query(description="ruleset version (default: newest)", max_length=40)] = None,
        profile: Annotated[str | None, Query(description="benchmark profile (default: the engine's)",
                                             max_length=60)] = None,
        lang: Annotated[Lang, Query(description="sets Content-Language; the answer carries zh and en")] = Lang.zh,
) -> Response:
    """Assess the park in the body as it is and with `overrides` applied and `tasks_done` marked
    done; answer the findings that flip (by id: status before and after, new or gone) and how
    the summary moves (compliance rate, coverage, counts by status, conclusion). Nothing is
    logged: the answer is marked `"simulation": true` and `X-Greenpark-Simulation: true`."""
    from .outcomes import unavailable
    from .pool import PoolUnavailable, WorkerCrashed, WorkerTimeout
    state, settings = request.app.state, request.app.state.settings
    body = await read_body(request, settings.max_body_bytes, yaml=True)
    if ruleset is not None and ruleset not in state.catalog.versions:
        raise ProblemError(404, "ruleset-not-found", f"ruleset version {ruleset!r} is not available "
                                                     f"(available: {', '.join(state.catalog.versions)})")

    async def assess(park_body: bytes) -> tuple:
        return await state.pool.submit(park_body, ruleset, None, profile, max_result=settings.max_result_bytes)
    try:
        before, after, changes = await to_thread.run_sync(_prepare, body.raw)
        try:
            outcomes = await asyncio.gather(assess(before), assess(after))
        except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
            raise unavailable(exc) from None
        _outcome(outcomes[0], "baseline")
        _outcome(outcomes[1], "changed")
    except ProblemError as exc:
        exc.errors = locate(body, exc.errors)
        raise

    def compare() -> bytes:
        from ..cycles.whatif import compare as compare_results
        knowledge = state.catalog.registry.get(ruleset).knowledge
        report = compare_results(json.loads(outcomes[0][2]), json.loads(outcomes[1][2]), changes, knowledge)
        return _encode(report)
    payload = await to_thread.run_sync(compare)
    return Response(payload, media_type=JSON, headers={SIMULATION_HEADER: "true", "Content-Language": lang.value,
                                                       "Cache-Control": "no-store"})
