"""Read-only documents (rulesets, clauses, measures, the park schema: `catalog.py`) and the
operations endpoints (liveness, readiness, Prometheus metrics), which need no key."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Path as PathParam, Request
from fastapi.responses import Response

from ..errors import RulesetNotFound
from ..json_output import dump_bytes
from . import schemas
from .assess_routes import RulesetQ
from .auth import Caller, require
from .bodies import JSON
from .problems import ProblemError
from .routing import problem_responses

__all__ = ["catalog_router", "operations_router"]

log = logging.getLogger("greenpark.service")
catalog_router = APIRouter(tags=["knowledge"])
operations_router = APIRouter(tags=["operations"])


def _catalogue(fn: Any, *args: Any) -> Response:
    try:
        return Response(fn(*args), media_type=JSON)
    except RulesetNotFound as exc:
        raise ProblemError(404, "ruleset-not-found", str(exc)) from None


@catalog_router.get("/v1/rulesets", operation_id="listRulesets", summary="Ruleset versions",
                    response_model=schemas.RulesetList, responses=problem_responses(401, 403))
def get_rulesets(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))]) -> Response:
    """Loaded ruleset versions (newest first is the default) with their digests."""
    return Response(request.app.state.catalog.rulesets, media_type=JSON)


@catalog_router.get("/v1/rulesets/{version}", operation_id="getRuleset", summary="A ruleset version",
                    response_model=schemas.RulesetDetail, responses=problem_responses(401, 403, 404, 422))
def get_ruleset(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))],
                version: Annotated[str, PathParam(max_length=40)]) -> Response:
    """One version: digests, pack versions and every rule (id, kind, clauses, severity, title)."""
    return _catalogue(request.app.state.catalog.detail, version)


@catalog_router.get("/v1/clauses", operation_id="listClauses", summary="The guide's clauses",
                    response_model=schemas.ClauseList, responses=problem_responses(401, 403, 404, 422))
def get_clauses(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))],
                ruleset: RulesetQ = None) -> Response:
    """The guide's clauses (id, parent, zh/en title, phase) of a ruleset's knowledge."""
    return _catalogue(request.app.state.catalog.clauses, ruleset)


@catalog_router.get("/v1/measures", operation_id="listMeasures", summary="The measures catalogue",
                    response_model=schemas.MeasureList, responses=problem_responses(401, 403, 404, 422))
def get_measures(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))],
                 ruleset: RulesetQ = None) -> Response:
    """The measures catalogue findings link to."""
    return _catalogue(request.app.state.catalog.measures, ruleset)


@catalog_router.get("/v1/schema/park", operation_id="getParkSchema", summary="JSON Schema of park facts",
                    response_class=Response,
                    responses={200: {"description": "the JSON Schema",
                                     "content": {"application/schema+json": {"schema": {"type": "object"}}}},
                               **problem_responses(401, 403)})
def get_park_schema(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))]) -> Response:
    """JSON Schema (2020-12) of the park facts."""
    return Response(request.app.state.catalog.park_schema, media_type="application/schema+json")


@operations_router.get("/healthz", operation_id="getHealth", summary="Liveness", response_model=schemas.Health)
async def healthz() -> dict:
    """Liveness: the server process answers (no key needed)."""
    return {"status": "ok"}


@operations_router.get("/readyz", operation_id="getReadiness", summary="Readiness", response_model=schemas.Health,
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
    return Response(dump_bytes(body), status_code=200 if ok else 503,
                    media_type=JSON, headers={} if ok else {"Retry-After": "1"})


@operations_router.get("/metrics", operation_id="getMetrics", summary="Prometheus metrics", response_class=Response,
                       responses={200: {"description": "Prometheus text format",
                                        "content": {"text/plain": {"schema": {"type": "string"}}}}})
async def get_metrics(request: Request) -> Response:
    """Prometheus text format (no key needed)."""
    return Response(request.app.state.metrics.render(request.app.state.pool),
                    media_type="text/plain; version=0.0.4; charset=utf-8")
