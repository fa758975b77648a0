"""Reports people read, over HTTP: one decision's dossier or brief, and a portfolio of decisions
compared (`greenpark report --decision` / `--portfolio`). Rendering runs in a thread: a PDF takes
headless chromium a few seconds and must not hold the event loop."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ..errors import RendererUnavailable
from ..json_output import dump_bytes
from .auth import Caller, require
from .decision_reading import decision_knowledge, decision_park, decision_result, previous_problem
from .decisions import Decision
from .problems import ProblemError
from .routing import DecisionIdP, Lang, problem_responses, visible_decision

__all__ = ["report_router"]

report_router = APIRouter(tags=["reports"])
MAX_PORTFOLIO = 100         # decisions compared at once: a province's parks, with room to spare


class ReportFormat(str, Enum):
    html = "html"
    pdf = "pdf"
    markdown = "markdown"


class PortfolioFormat(str, Enum):
    json = "json"
    html = "html"
    pdf = "pdf"
    markdown = "markdown"


class Audience(str, Enum):
    regulator = "regulator"
    planner = "planner"


_RENDERED = {"text/html": {"schema": {"type": "string"}},
             "application/pdf": {"schema": {"type": "string", "format": "binary"}},
             "text/markdown": {"schema": {"type": "string"}}}
PREVIOUS_DOC = ("the park's previous assessment, an earlier logged decision id of the same park: adds the "
                "section \"since the last assessment\" comparing the two (`greenpark report --previous`)")
HISTORY_DOC = ("follow up the park's earlier assessments: its decisions logged before this one and visible to "
               "the caller (the latest 50, as `GET /v1/parks/{park_id}/history`) add the section \"corrective "
               "actions across assessments\" after the problems: each finding's state (open, measure planned, "
               "implemented, verified closed, regression), the assessment it was reached in and the plan tasks "
               "answering it; without earlier decisions the section says so (`greenpark report --history`)")
HISTORY_LIMIT = 50
_503 = "format=pdf: headless chromium or the CJK font (Noto Sans CJK) is not installed on the server, or chromium failed"


def _knowledge(request: Request, d: Decision) -> Any:
    """The knowledge of the ruleset the decision was made with (names, units, directions); the
    newest when this server lacks that version or profile."""
    return decision_knowledge(request.app.state.catalog.registry, d)


def _previous(request: Request, caller: Caller, d: Decision, previous_id: str) -> Decision:
    """The decision `previous_id` as `d`'s previous assessment: visible to the caller like `d`
    (else 404), of the same park and logged before it (else 422, in Chinese and English)."""
    before = visible_decision(request, caller, previous_id)
    why = previous_problem(d, before)
    if why is not None:
        detail = f"{why.zh} / {why.en}"
        raise ProblemError(422, "validation", detail, errors=[{"path": "previous", "message": detail}])
    return before


async def _rendered(render, fmt: str) -> bytes:
    try:
        return await to_thread.run_sync(render)
    except RendererUnavailable as exc:
        raise ProblemError(503, "renderer-unavailable",
                           f"the report cannot be rendered as {fmt} on this server: {exc}") from None


@report_router.get("/v1/assessments/{decision_id}/report", summary="A decision's report", response_class=Response,
                   operation_id="getReport",
                   responses={200: {"description": "the dossier or brief: HTML (one self-contained page, charts "
                                                   "as inline SVG), PDF (A4, CJK font embedded) or Markdown",
                                    "content": _RENDERED},
                              **problem_responses(401, 403, 404, 422, 503, _503=_503,
                                                  _404="the decision, or the `previous` decision, is unknown or "
                                                       "not visible to the caller",
                                                  _422="a parameter is invalid, or `previous` is another park's "
                                                       "decision or was not logged before this one")})
async def get_assessment_report(
        request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))], decision_id: DecisionIdP,
        format: Annotated[ReportFormat, Query(description="html, pdf or markdown")] = ReportFormat.html,
        lang: Annotated[Lang, Query(description="language of the report")] = Lang.zh,
        audience: Annotated[Audience, Query(description="regulator: the MIIT third-party evaluation report's "
                                                        "structure; planner: targets and measures first")]
        = Audience.regulator,
        previous: Annotated[str | None, Query(max_length=64, description=PREVIOUS_DOC, openapi_examples={
            "last_year": {"summary": "the park's assessment of a year before",
                          "value": "d_1c0b7e9a2f4d4c3b8a5e6f7a8b9c0d1e"}})] = None,
        history: Annotated[bool, Query(description=HISTORY_DOC)] = False) -> Response:
    """The decision as a report people read (`greenpark report --decision`): park overview, scope
    and basic requirements, indicators with charts, problems, ranked measures and an appendix
    of versions, digests and sources; the planner's brief leads with the targets. Same
    visibility as the decision: regulators all, others their own.

    `previous` (`greenpark report --previous`): an earlier logged decision of the same park adds
    the section "since the last assessment / 与上次评估相比" (second): findings new, resolved,
    persisting, regressed, ..., each with its indicators' figures then and now. It is read with
    the same visibility as this decision (404 otherwise); another park's decision, or one not
    logged before this one, is 422. Example: `GET /v1/assessments/d_9f…/report?previous=d_1c…&format=markdown`
    gives the dossier with "## 二、与上次评估相比".

    `history=true` (`greenpark report --history`): the park's decisions logged before this one
    that the caller may see add the section "corrective actions across assessments / 整改闭环"
    after the problems (clause 8): how many findings are open, planned, implemented, verified
    closed or came back, and per finding its state, the assessment each state was reached in and
    the plan tasks answering it; with none, one sentence says there is no earlier assessment."""
    def load() -> tuple[Decision, Decision | None, list | None]:
        d = visible_decision(request, caller, decision_id)
        earlier = None
        if history:
            from ..cycles.history import decision_cycle
            earlier = [decision_cycle(x) for x in request.app.state.log.by_park(
                d.park_id, key_id=caller.key_id, all_callers=caller.sees_all, limit=HISTORY_LIMIT,
                before=d.decision_id)]
        return d, (_previous(request, caller, d, previous) if previous is not None else None), earlier
    d, before, earlier = await to_thread.run_sync(load)

    def render() -> bytes:
        from ..render.dossier import render_report
        result, park = decision_result(d), decision_park(d)      # format 1 or 2 as logged -> format 1
        if audience is Audience.planner:            # the brief always shows the minimal change to comply
            from ..minimal_change import ensure_to_comply
            result = ensure_to_comply(result, park, request.app.state.catalog.registry)
        return render_report(result, fmt=format.value, lang=lang.value, audience=audience.value,
                             knowledge=_knowledge(request, d), park=park,
                             decision={"decision_id": d.decision_id},
                             previous=before and decision_result(before),
                             previous_park=before and decision_park(before), history=earlier)
    body = await _rendered(render, format.value)
    from ..render.dossier import MEDIA_TYPES
    headers = {"Content-Language": lang.value}
    if format is ReportFormat.pdf:
        headers["Content-Disposition"] = f'inline; filename="{d.park_id}-{d.decision_id}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format.value], headers=headers)


@report_router.get("/v1/portfolio", summary="Several decisions compared", response_class=Response,
                   operation_id="getPortfolio",
                   responses={200: {"description": "the parks side by side: summary counts, a ranking per "
                                                   "category, the clauses each park fails and each park's "
                                                   "percentile among its peers on the key indicators; as JSON "
                                                   "(the comparison) or a report (HTML, PDF, Markdown)",
                                    "content": {"application/json": {"schema": {"type": "object"}}, **_RENDERED}},
                              **problem_responses(401, 403, 404, 422, 503, _503=_503)})
async def get_portfolio(
        request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
        decision: Annotated[list[str], Query(description="decision ids to compare (repeat the parameter), one "
                                                         "per park, e.g. those a batch returned",
                                             min_length=1, max_length=MAX_PORTFOLIO)],
        format: Annotated[PortfolioFormat, Query(description="json, html, pdf or markdown")] = PortfolioFormat.json,
        lang: Annotated[Lang, Query(description="language of the report (json carries ids and numbers)")]
        = Lang.zh) -> Response:
    """Compare logged decisions, one per park (`greenpark report --portfolio`): a province's parks
    side by side. Percentiles are direction-aware and only given among three or more parks with a
    value. Each decision must be visible to the caller (404 names the first that is not); a park
    twice is 422."""
    def load() -> list[dict]:
        return [decision_result(visible_decision(request, caller, i)) for i in decision]
    results = await to_thread.run_sync(load)
    knowledge = request.app.state.catalog.registry.get(None).knowledge

    def render() -> bytes:
        if format is PortfolioFormat.json:
            from ..render.dossier.portfolio import compare
            return dump_bytes(compare(results, knowledge))
        from ..render.dossier import render_portfolio
        return render_portfolio(results, fmt=format.value, lang=lang.value, knowledge=knowledge)
    try:
        body = await _rendered(render, format.value)
    except ValueError as exc:           # a park twice
        raise ProblemError(422, "validation", str(exc),
                           errors=[{"path": "decision", "message": str(exc)}]) from None
    from ..render.dossier import MEDIA_TYPES
    media = "application/json" if format is PortfolioFormat.json else MEDIA_TYPES[format.value]
    return Response(body, media_type=media, headers={"Content-Language": lang.value})
