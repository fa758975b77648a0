"""Logged decisions over HTTP: one decision as it was returned, its input, a replay of it, and
the list of decisions with each result's figures (`ResultSummary`).

A stored body is kept compressed (decisions.py: zstd, or gzip); a caller that accepts its coding
gets those bytes as they are (`Content-Encoding`, nothing compressed again), any other caller
their JSON (compressed in the other coding by the middleware if it takes that).
Either way the JSON is byte for byte what the deciding caller received."""
from __future__ import annotations

import json
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ..json_output import dump_bytes
from . import schemas
from .auth import Caller, require
from .bodies import JSON
from .compression import accepts
from .decisions import codec_of, unpack
from .outcomes import outcome_error, unavailable
from .pool import PoolUnavailable, WorkerCrashed, WorkerTimeout
from .problems import ProblemError
from .replay import compare
from .result_models import AssessmentResult
from .routing import DecisionIdP, problem_responses, visible_decision

__all__ = ["decision_router", "stored_response"]

decision_router = APIRouter(tags=["decisions"])
PARK_REF = {"$ref": "#/components/schemas/Park"}


def stored_response(request: Request, stored: bytes) -> Response:
    """A stored body (decision log) as the response: its bytes as they are for a caller that
    accepts their coding (zstd or gzip), else its JSON, which the compression middleware
    compresses for a caller that accepts the other coding as it does any other body."""
    headers = {"Vary": "Accept-Encoding"}
    codec = codec_of(stored)
    if codec and accepts(request.headers.get("accept-encoding", ""), codec):
        return Response(stored, media_type=JSON, headers={**headers, "Content-Encoding": codec})
    return Response(unpack(stored), media_type=JSON, headers=headers)


@decision_router.get("/v1/assessments/{decision_id}", summary="A logged decision", operation_id="getDecision",
                     response_model=None,
                     responses={200: {"model": AssessmentResult, "description": "the result exactly as returned"},
                                **problem_responses(401, 403, 404, 422)})
def get_assessment(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                   decision_id: DecisionIdP,
                   result_format: Annotated[int | None, Query(alias="format", ge=1, le=2, description=(
                       "default: exactly as returned; 1 or 2: in that result format (docs/result.md)"))] = None
                   ) -> Response:
    """The decision exactly as it was returned (or, with `format`, in that result format: a
    decision logged in format 1 read as format 2 and the other way round). Non-regulators see
    only their own. A caller that accepts their coding gets the bytes the log keeps (zstd or gzip) as they are."""
    d = visible_decision(request, caller, decision_id)
    if result_format is None:
        return stored_response(request, d.stored_result)
    from ..result_format import as_format, format_of
    result = json.loads(d.result)
    if format_of(result) == result_format:
        return stored_response(request, d.stored_result)
    return Response(dump_bytes(as_format(result, result_format)), media_type=JSON)


@decision_router.get("/v1/assessments/{decision_id}/input", summary="A decision's input",
                     operation_id="getDecisionInput", response_model=None,
                     responses={200: {"description": "the park facts", "content": {JSON: {"schema": PARK_REF}}},
                                **problem_responses(401, 403, 404, 422)})
def get_assessment_input(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                         decision_id: DecisionIdP) -> Response:
    """The park facts of a decision exactly as they were received (the body of the POST; a YAML
    body as its JSON equivalent)."""
    return stored_response(request, visible_decision(request, caller, decision_id).stored_input)


@decision_router.post("/v1/assessments/{decision_id}/replay", summary="Replay a decision",
                      operation_id="replayDecision", response_model=None,
                      responses={200: {"model": schemas.Replay, "description": "the replay; not logged"},
                                 **problem_responses(401, 403, 404, 422, 503)})
async def replay_assessment(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                            decision_id: DecisionIdP) -> Response:
    """Assess the decision's stored input again with the ruleset version and benchmark profile it
    was made with, and compare: `reproduced` is true when the new result is identical to the
    stored one apart from `decision_id`; otherwise `differences` lists where they differ and
    `ruleset.digest_then`/`digest_now` show whether that version's rules or knowledge changed.
    A replay is a check, not a decision: it is not logged. Non-regulators replay only their own."""
    d = await to_thread.run_sync(visible_decision, request, caller, decision_id)
    version = d.ruleset_version
    if version not in request.app.state.catalog.versions:
        raise ProblemError(404, "ruleset-not-found", f"decision {decision_id} was made with ruleset {version!r}, "
                                                     "which this server does not have")
    stored = await to_thread.run_sync(lambda: json.loads(d.result))      # decompressed in the thread too
    try:
        outcome = await request.app.state.pool.submit(d.input, version, None, stored["ruleset"].get("profile"),
                                                      **({"to_comply": True} if stored.get("to_comply") else {}))
    except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
        raise unavailable(exc) from None
    if outcome[0] != "ok":
        raise outcome_error(outcome)
    report = await to_thread.run_sync(compare, decision_id, stored, outcome[2])
    return Response(dump_bytes(report), media_type=JSON)


@decision_router.get("/v1/assessments", summary="Decisions, newest first", operation_id="listDecisions",
                     response_model=None,
                     responses={200: {"model": schemas.DecisionPage, "description": "a page of decisions"},
                                **problem_responses(401, 403, 422)})
def list_assessments(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                     park_id: Annotated[str | None, Query(max_length=200, description="one park's decisions")] = None,
                     limit: Annotated[int, Query(ge=1, le=100)] = 20,
                     offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """A park's decisions (or all, without `park_id`), newest first, each with its result in
    figures (`summary`: profile, compliance rate, counts, conclusion) without the result itself;
    regulators see every caller's, others their own."""
    items, total = request.app.state.log.find(park_id=park_id, key_id=caller.key_id,
                                              all_callers=caller.sees_all, limit=limit, offset=offset)
    nxt = offset + len(items) if offset + len(items) < total else None
    body = {"items": [d.summary() for d in items], "total": total, "limit": limit, "offset": offset,
            "next_offset": nxt}
    return Response(dump_bytes(body), media_type=JSON)
