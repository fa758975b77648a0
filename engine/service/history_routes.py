"""A park's history over HTTP (`greenpark history`): its logged decisions, oldest first, each cycle's
summary and key indicators, and the lifecycle of its findings (engine/cycles/history.py)."""
from __future__ import annotations

from typing import Annotated, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Path as PathParam, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .auth import Caller, require
from .problems import ProblemError
from .result_models import Bilingual
from .routing import Lang, problem_responses

__all__ = ["history_router", "ParkHistory", "MAX_CYCLES"]

history_router = APIRouter(tags=["history"])
MAX_CYCLES = 200            # decisions of one park in one history (~300 KB each, read in full)

ParkIdP = Annotated[str, PathParam(max_length=64, description="the park's `profile.id`",
                                   examples=["qingchenghu-htz-demo"])]
State = Literal["open", "measure_planned", "implemented", "verified_closed", "regression"]


Text = Bilingual       # {zh, en}, one schema for the whole API


class CycleRuleset(BaseModel):
    version: str
    profile: str | None
    digest: str | None


class CycleSummary(BaseModel):
    by_kind: dict[str, int]
    by_status: dict[str, int]
    compliance_rate: float | None = Field(description="met ÷ decided × 100")
    decided: int | None
    undecided: int | None = Field(description="compliance verdicts with insufficient data")
    coverage: float | None = Field(description="decided ÷ (decided + undecided) × 100")
    conclusion: Text | None = Field(description="the clause 7.2 conclusion")
    folded: int | None = Field(None, description="problems that only restate another finding (`folded_into`): "
                               "counted in by_status.problem, left out of the conclusion's count")
    in_scope: bool | None


class KeyIndicator(BaseModel):
    indicator: str
    name: Text
    value: float | None = Field(description="None: unknown or undefined in that year")
    unit: str


class HistoryCycle(BaseModel):
    decision_id: str
    created_at: str
    year: int | None = Field(description="the data year assessed")
    ruleset: CycleRuleset
    summary: CycleSummary
    key_indicators: list[KeyIndicator]
    since_previous: dict[str, int] | None = Field(description="findings per category of the diff against the "
                                                              "cycle before (GET /v1/assessments/{a}/diff/{b}); "
                                                              "None for the first")


class FindingState(BaseModel):
    state: State | None = Field(description="None: nothing to track yet (never open)")
    status: str = Field(description="the finding's status in that cycle, or `absent`")
    tasks: list[str] = Field(description="ids of the plan tasks answering it (not cancelled)")
    undecided: bool = Field(description="no verdict that cycle: the state carries over")


class LifecycleFinding(BaseModel):
    id: str = Field(description="`RULE@subject`, stable across cycles")
    rule: str
    kind: Literal["compliance", "problem"]
    title: Text
    severity: str
    states: list[FindingState] = Field(description="one per cycle")
    current: State | None
    regressions: int


class UnmatchedAnswer(BaseModel):
    task: str
    answer: str
    cycles: list[int]


class Lifecycle(BaseModel):
    cycles: list[str] = Field(description="decision ids, oldest first")
    findings: list[LifecycleFinding]
    counts: list[dict[str, int]] = Field(description="per cycle: findings in each state")
    tasks: dict[str, str] = Field(description="id -> title of the plan tasks the states name")
    unmatched_answers: list[UnmatchedAnswer] = Field(description="task answers naming no finding of any cycle")


class ParkHistory(BaseModel):
    """A park's assessments over time (engine/cycles/history.py, engine/cycles/lifecycle.py)."""

    park_id: str
    park_name: str | None
    cycles: list[HistoryCycle]
    lifecycle: Lifecycle


@history_router.get("/v1/parks/{park_id}/history", summary="A park's history", operation_id="getParkHistory",
                    responses={200: {"model": ParkHistory, "description": "the park's decisions, oldest "
                                     "first, and the lifecycle of its findings"},
                               **problem_responses(401, 403, 404, 422, _404="no decision of this park is "
                                                   "visible to the caller")})
async def get_park_history(
        request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))], park_id: ParkIdP,
        limit: Annotated[int, Query(ge=1, le=MAX_CYCLES, description="the latest LIMIT decisions")] = 50,
        lang: Annotated[Lang, Query(description="sets Content-Language; texts carry zh and en")] = Lang.zh,
) -> JSONResponse:
    """Each cycle's decision, time, data year, ruleset, summary and key indicators, and each
    finding's lifecycle: open → measure planned (a plan task answers it) → implemented (the task
    is done) → verified closed (the verdict turned met), regression when it comes back.
    Regulators see every decision of the park, other callers their own; a park with none
    visible is 404."""
    def load() -> dict:
        from ..cycles.history import park_history
        decisions = request.app.state.log.by_park(park_id, key_id=caller.key_id, all_callers=caller.sees_all,
                                                  limit=limit)
        if not decisions:
            raise ProblemError(404, "park-not-found", f"no decision of park {park_id!r}")
        return park_history(park_id, decisions, request.app.state.catalog.registry.get(None).knowledge)
    body = await to_thread.run_sync(load)
    return JSONResponse(body, headers={"Content-Language": lang.value})
