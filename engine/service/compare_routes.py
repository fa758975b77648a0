"""Comparing assessments over HTTP: two decisions of one park (`greenpark diff`), and the impact of
a ruleset version on the stored portfolio (`greenpark replay`).

    GET  /v1/assessments/{a}/diff/{b}   read_decisions: each decision visible to the caller
    POST /v1/replays                    replay_portfolio: regulators only; nothing is logged
"""
from __future__ import annotations

import asyncio
import json
from enum import Enum
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..json_output import dump_bytes
from ..result_format import load_result
from .auth import Caller, require
from .problems import ProblemError
from .routing import DecisionIdP, Lang, problem_responses, visible_decision

__all__ = ["compare_router", "MAX_REPLAY_PARKS"]

compare_router = APIRouter(tags=["assessments"])
JSON = "application/json"
MAX_REPLAY_PARKS = 1000     # parks one replay request re-assesses (a province's portfolio, with room)
_CONCURRENT = 8             # replays in flight at once: the pool queues the rest


class DiffFormat(str, Enum):
    json = "json"
    markdown = "markdown"
    html = "html"


class DiffSide(BaseModel):
    label: str | None
    decision_id: str | None
    year: int | None
    ruleset: str | None
    profile: str | None
    digest: str | None
    input_digest: str | None


class Diff(BaseModel):
    """`engine.cycles.diff.diff_results`: the categories are listed in that module's docstring."""

    model_config = ConfigDict(extra="allow")
    park_id: str
    before: DiffSide
    after: DiffSide
    same_ruleset: bool = Field(description="both used the same ruleset version, profile and digest")
    findings: list[dict[str, Any]] = Field(description="every finding whose category is not `unchanged`: id, "
                                                       "rule, kind, category, before/after status and severity, "
                                                       "title, indicators (before, after, unit, change)")
    counts: dict[str, int] = Field(description="findings per category (those folded into another not counted)")
    summary: dict[str, Any]


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ruleset: str = Field(min_length=1, max_length=64, description="the ruleset version to re-assess under",
                         examples=["1.0.0"])
    parks: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=100, description="park ids (default: every park in the log); each park's "
                                                  "latest decision is re-assessed")


class PortfolioReplay(BaseModel):
    """`engine.cycles.replay.portfolio_report`."""

    model_config = ConfigDict(extra="allow")
    ruleset: str
    parks: list[dict[str, Any]] = Field(description="per park: decision_id, affected, appears, disappears, "
                                                    "changes (each finding: id, rule, kind, title, before, after), "
                                                    "or error when its input does not assess under the version")
    summary: dict[str, Any] = Field(description="parks, parks_affected, parks_failed, findings_differing, by_rule")


@compare_router.get("/v1/assessments/{decision_id}/diff/{other_id}", summary="Two decisions of a park compared",
                    operation_id="diffAssessments",
                    response_model=None,
                    responses={200: {"description": "the diff as JSON, or the section \"since the last assessment\" "
                                                    "as Markdown or an HTML fragment", "model": Diff,
                                     "content": {"text/markdown": {"schema": {"type": "string"}},
                                                 "text/html": {"schema": {"type": "string"}}}},
                               **problem_responses(401, 403, 404, 422, _422="the two decisions are of different "
                                                                            "parks, or a parameter is invalid")})
async def get_assessment_diff(
        request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
        decision_id: DecisionIdP, other_id: DecisionIdP,
        format: Annotated[DiffFormat, Query(description="json, markdown or html (a fragment)")] = DiffFormat.json,
        lang: Annotated[Lang, Query(description="language of markdown and html")] = Lang.zh) -> Response:
    """What changed from decision `decision_id` (before) to `other_id` (after), both of one park
    (`greenpark diff`): findings new, resolved, persisting, regressed, ..., with the indicator
    movement behind each. Same visibility as reading a decision: regulators all, others their own
    (404 otherwise)."""
    from ..cycles.diff import ParkMismatch, diff_results

    def build() -> bytes:
        a, b = visible_decision(request, caller, decision_id), visible_decision(request, caller, other_id)
        before, after = load_result(a.result), load_result(b.result)
        try:
            d = diff_results(before, after, labels=(a.decision_id, b.decision_id))
        except ParkMismatch as exc:
            raise ProblemError(422, "validation", str(exc),
                               errors=[{"path": "other_id", "message": str(exc)}]) from None
        if format is DiffFormat.json:
            return dump_bytes(d)
        from ..render.since_last import render_since_last
        from .report_routes import _knowledge
        return render_since_last(d, fmt=format.value, lang=lang.value, knowledge=_knowledge(request, b)).encode()
    body = await to_thread.run_sync(build)
    media = {"json": JSON, "markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}
    return Response(body, media_type=media[format.value], headers={"Content-Language": lang.value})


def _replay_request(raw: bytes) -> ReplayRequest:
    """The body as a ReplayRequest: 400 if it is not JSON, 422 (every bad field) if the schema refuses it."""
    from pydantic import ValidationError

    from ..errors import InputError, MalformedInput
    from ..sourcefile import loads_json
    try:
        doc = loads_json(raw, "<body>")
    except MalformedInput as exc:
        raise ProblemError(400, "malformed-json", f"the body is not valid JSON: {exc}") from None
    except InputError as exc:       # duplicate keys, nesting too deep
        raise ProblemError(422, "validation", str(exc),
                           errors=[{"path": p.path or "", "message": p.message} for p in exc.problems]) from None
    try:
        return ReplayRequest.model_validate(doc)
    except ValidationError as exc:
        errors = [{"path": ".".join(str(x) for x in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise ProblemError(422, "validation", f"{len(errors)} problem(s) in the body", errors=errors) from None


@compare_router.post("/v1/replays", summary="Impact of a ruleset version on the portfolio", response_model=None,
                     operation_id="replayRuleChange",
                     responses={200: {"model": PortfolioReplay},
                                **problem_responses(400, 401, 403, 404, 413, 415, 422, 503,
                                                    _400="the body is not JSON",
                                                    _404="the ruleset version, or a park of `parks`, is unknown",
                                                    _413="the body is over the server's --max-body",
                                                    _415="a Content-Type other than application/json (UTF-8)",
                                                    _422="a body the schema refuses (every bad field in `errors`), "
                                                         f"or more than {MAX_REPLAY_PARKS} parks in the log",
                                                    _503="a worker was lost or the pool is full; retry")},
                     openapi_extra={"requestBody": {"required": True, "content": {JSON: {
                         "schema": ReplayRequest.model_json_schema(),
                         "examples": {"all": {"summary": "every park's latest decision under 1.0.0",
                                              "value": {"ruleset": "1.0.0"}}}}}}})
async def post_replays(request: Request,
                       caller: Annotated[Caller, Depends(require("replay_portfolio"))]) -> Response:
    """Re-assess each park's latest logged decision (or those of `parks`) from its stored input
    under ruleset `ruleset` and the decision's own benchmark profile, and report per park the
    findings that appear, disappear or change, with a summary over the portfolio (`greenpark
    replay`). Regulators only; nothing is written to the decision log."""
    from ..cycles.replay import failed_park, latest_decisions, portfolio_report, replay_park
    from .pool import PoolUnavailable, WorkerCrashed, WorkerTimeout
    from .bodies import read_body
    state = request.app.state
    body = await to_thread.run_sync(_replay_request, (await read_body(request, state.settings.max_body_bytes)).raw)
    if body.ruleset not in state.catalog.versions:
        raise ProblemError(404, "ruleset-not-found", f"ruleset version {body.ruleset!r} is not available "
                                                     f"(available: {', '.join(state.catalog.versions)})")

    def load() -> list:
        ds = []
        for d in latest_decisions(state.log, body.parks):
            ds.append(d)
            if len(ds) > MAX_REPLAY_PARKS:
                raise ProblemError(422, "validation", f"more than {MAX_REPLAY_PARKS} parks: name them in `parks`",
                                   errors=[{"path": "parks", "message": "too many parks in the log"}])
        return ds
    decisions = await to_thread.run_sync(load)
    found = {d.park_id for d in decisions}
    missing = [p for p in body.parks or [] if p not in found]
    if missing:
        raise ProblemError(404, "decision-not-found", f"no decision of park {missing[0]!r}")
    from .outcomes import outcome_error as _outcome_error, unavailable as _unavailable
    gate = asyncio.Semaphore(_CONCURRENT)

    async def one(d: Any) -> dict:
        stored = await to_thread.run_sync(lambda: json.loads(d.result))      # decompressed in the thread too
        async with gate:
            try:
                outcome = await state.pool.submit(d.input, body.ruleset, None, stored["ruleset"].get("profile"))
            except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
                raise _unavailable(exc) from None
        if outcome[0] == "ok":
            return await to_thread.run_sync(replay_park, d.decision_id, stored, json.loads(outcome[2]))
        if outcome[0] in ("input", "evaluation", "bad_json", "not_found"):   # its input or profile fails under V
            return failed_park(d.decision_id, d.park_id, outcome[1])
        raise _outcome_error(outcome)
    parks = await asyncio.gather(*(one(d) for d in decisions))
    report = portfolio_report(body.ruleset, list(parks))
    return Response(dump_bytes(report), media_type=JSON)
