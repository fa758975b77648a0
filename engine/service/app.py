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
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, AsyncIterator

from anyio import to_thread
from fastapi import Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from sqlalchemy import text

from engine.errors import RulesetNotFound
from engine.service import schemas
from engine.service.auth import Caller, KeyCache, require
from engine.service.catalog import Catalog
from engine.service.compression import GzipMiddleware
from engine.service.config import Settings
from engine.service.decisions import Decision, DecisionLog
from engine.service.keys import KeyStore
from engine.service.metrics import Metrics, MetricsMiddleware
from engine.service.pool import PoolUnavailable, WorkerCrashed, WorkerPool, WorkerTimeout
from engine.service.problems import ProblemError, install_handlers, problem_body
from engine.service.replay import compare

__all__ = ["create_app"]

log = logging.getLogger("greenpark.service")
JSON = "application/json"
PARK_REF = {"$ref": "#/components/schemas/Park"}
REPO = Path(__file__).resolve().parents[2]


class Lang(str, Enum):
    zh = "zh"
    en = "en"


RulesetQ = Annotated[str | None, Query(description="ruleset version (default: newest)", max_length=40,
                                       examples=["1.0.0"])]
ProfileQ = Annotated[str | None, Query(description="benchmark profile (frameworks measured against; "
                                                  "default: the engine's default profile)", max_length=60)]
DecisionIdP = Annotated[str, PathParam(max_length=64, description="a decision_id", examples=["d_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b"])]
LangQ = Annotated[Lang, Query(description="preferred language; results always carry both zh and en, "
                                          "this sets Content-Language")]


def _problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": schemas.Problem, "content": {"application/problem+json": {}}} for c in codes}


def _example_park() -> dict:
    import yaml
    try:
        return yaml.safe_load((REPO / "examples" / "typical_municipal_park.yaml").read_text(encoding="utf-8"))
    except OSError:
        return {}


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes with 413 before reading it all."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise ProblemError(413, "too-large", f"the body is {length} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProblemError(413, "too-large", f"the body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


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
    return ProblemError(500, "internal", "the assessment failed unexpectedly; it was logged")


def _unavailable(exc: Exception) -> ProblemError:
    """A lost or overrun worker, or a full pool: 503 with Retry-After."""
    return ProblemError(503, "timeout" if isinstance(exc, WorkerTimeout) else "worker-unavailable",
                        f"{exc}; the service replaced the worker - please retry", headers={"Retry-After": "1"})


def _visible_decision(request: Request, caller: Caller, decision_id: str) -> Decision:
    """The logged decision if this caller may see it (regulators: all; others: their own), else 404
    (so another caller's ids do not leak)."""
    d = request.app.state.log.get(decision_id)
    if d is None or not (caller.sees_all or d.key_id == caller.key_id):
        raise ProblemError(404, "decision-not-found", f"no decision {decision_id!r}")
    return d


def create_app(settings: Settings, *, pool: WorkerPool | None = None) -> FastAPI:
    """The app; its lifespan opens the database, renders the catalogue and starts the worker pool."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from engine.rules.packs import RulesetRegistry
        from engine.service.db import make_engine
        if not settings.auth:
            log.warning("AUTHENTICATION IS DISABLED (--no-auth): every caller may do everything and see "
                        "every decision. Use this for local work only.")
        engine = await to_thread.run_sync(make_engine, settings.resolved_db_url())
        app.state.db, app.state.keys, app.state.log = engine, KeyStore(engine), DecisionLog(engine)
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

    app = FastAPI(title="greenpark decision service", version="1", lifespan=lifespan,
                  description=(__doc__ or "") + "\n\nRoles: see `engine/service/auth.py` and the README.")
    app.state.settings = settings
    app.state.metrics = metrics = Metrics()
    install_handlers(app)
    app.add_middleware(GzipMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    async def assess_one(request: Request, caller: Caller, body: bytes, ruleset: str | None,
                         crash: str | None, profile: str | None = None) -> tuple[int, bytes, dict[str, str]]:
        """Assess and log one park; returns (status, response bytes, headers) or raises ProblemError."""
        state = request.app.state
        if ruleset is not None and ruleset not in state.catalog.versions:
            raise ProblemError(404, "ruleset-not-found", f"ruleset version {ruleset!r} is not available "
                                                         f"(available: {', '.join(state.catalog.versions)})")
        decision_id = "d_" + secrets.token_hex(16)
        try:
            # the worker assesses, then commits the decision record; "ok" means both are done
            outcome = await state.pool.submit(body, ruleset, crash, profile,
                                              {"decision_id": decision_id, "key_id": caller.key_id})
        except (WorkerCrashed, WorkerTimeout, PoolUnavailable) as exc:
            metrics.observe_assessment(type(exc).__name__)
            raise _unavailable(exc) from None
        if outcome[0] != "ok":
            metrics.observe_assessment(outcome[0])
            raise _outcome_error(outcome)
        _, _meta, payload, seconds = outcome          # the result JSON, opening with our decision_id
        metrics.observe_assessment("ok", seconds)
        return 200, payload, {"Location": f"/v1/assessments/{decision_id}"}

    @app.post("/v1/assessments", tags=["assessments"], summary="Assess one park",
              response_model=None,
              responses={200: {"model": schemas.AssessmentResult, "description": "the result, logged"},
                         **_problem_responses(400, 401, 403, 404, 413, 422, 503)},
              openapi_extra={"requestBody": {"required": True, "content": {JSON: {
                  "schema": PARK_REF, "examples": {"typical": {"summary": "a typical municipal park",
                                                               "value": _example_park()}}}}}})
    async def post_assessment(request: Request, caller: Annotated[Caller, Depends(require("assess"))],
                              ruleset: RulesetQ = None, profile: ProfileQ = None,
                              lang: LangQ = Lang.zh) -> Response:
        """Assess the park facts in the body (the CLI's schema, as JSON) and log the decision.
        Bad facts give 422 with every field path in `errors`."""
        body = await _read_body(request, settings.max_body_bytes)
        crash = request.headers.get("x-greenpark-test-crash") if settings.allow_test_crash else None
        status, payload, headers = await assess_one(request, caller, body, ruleset, crash, profile)
        return Response(payload, status_code=status, media_type=JSON,
                        headers={**headers, "Content-Language": lang.value})

    @app.post("/v1/assessments/batch", tags=["assessments"], summary="Assess several parks",
              response_model=schemas.BatchResponse,
              responses=_problem_responses(400, 401, 403, 404, 413, 422),
              openapi_extra={"requestBody": {"required": True, "content": {JSON: {
                  "schema": {"type": "object", "required": ["parks"], "additionalProperties": False,
                             "properties": {"parks": {"type": "array", "minItems": 1,
                                                      "maxItems": settings.max_batch, "items": PARK_REF}}},
                  "example": {"parks": [_example_park()]}}}}})
    async def post_batch(request: Request, caller: Annotated[Caller, Depends(require("batch"))],
                         ruleset: RulesetQ = None, profile: ProfileQ = None,
                         lang: LangQ = Lang.zh) -> Response:
        """Assess up to `max_batch` parks in parallel; one result (logged) or one problem per park,
        in order, each with the status that park alone would have got."""
        body = await _read_body(request, settings.max_body_bytes)
        try:
            doc = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise ProblemError(400, "malformed-json", f"the body is not valid JSON: {exc}") from None
        parks = doc.get("parks") if isinstance(doc, dict) else None
        if not isinstance(parks, list) or not parks or len(parks) > settings.max_batch \
                or set(doc) != {"parks"}:
            raise ProblemError(422, "validation", "the body must be {\"parks\": [park, ...]}",
                               errors=[{"path": "parks", "message": f"a list of 1 to {settings.max_batch} parks"}])

        async def one(i: int, park: Any) -> bytes:
            try:
                _, payload, _ = await assess_one(request, caller, json.dumps(park, ensure_ascii=False).encode(),
                                                 ruleset, None, profile)
                return b'{"index":%d,"status":200,"result":' % i + payload + b"}"
            except ProblemError as exc:
                prob = problem_body(exc.status, exc.kind, exc.detail, f"{request.url.path}#parks[{i}]",
                                    title=exc.title, errors=exc.errors)
                return json.dumps({"index": i, "status": exc.status, "problem": prob}, ensure_ascii=False).encode()

        items = await asyncio.gather(*(one(i, p) for i, p in enumerate(parks)))
        return Response(b'{"results":[' + b",".join(items) + b"]}", media_type=JSON,
                        headers={"Content-Language": lang.value})

    @app.get("/v1/assessments/{decision_id}", tags=["assessments"], summary="A logged decision",
             response_model=None,
             responses={200: {"model": schemas.AssessmentResult}, **_problem_responses(401, 403, 404)})
    def get_assessment(request: Request, caller: Annotated[Caller, Depends(require("read_decisions"))],
                       decision_id: DecisionIdP) -> Response:
        """The decision exactly as it was returned. Non-regulators see only their own."""
        return Response(_visible_decision(request, caller, decision_id).result, media_type=JSON)

    @app.get("/v1/assessments/{decision_id}/input", tags=["assessments"], summary="A decision's input",
             response_model=None,
             responses={200: {"content": {JSON: {"schema": PARK_REF}}}, **_problem_responses(401, 403, 404)})
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
            outcome = await request.app.state.pool.submit(d.input, version, None, stored["ruleset"].get("profile"))
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
             responses=_problem_responses(401, 403, 404))
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

    @app.get("/v1/schema/park", tags=["knowledge"], responses=_problem_responses(401, 403))
    def get_park_schema(request: Request, _c: Annotated[Caller, Depends(require("catalogue"))]) -> Response:
        """JSON Schema (2020-12) of the park facts."""
        return Response(request.app.state.catalog.park_schema, media_type="application/schema+json")

    @app.get("/healthz", tags=["operations"], response_model=schemas.Health)
    async def healthz() -> dict:
        """Liveness: the server process answers (no key needed)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], response_model=schemas.Health,
             responses=_problem_responses(503))
    async def readyz(request: Request) -> Response:
        """Readiness: at least one worker is ready and the decision log answers (no key needed)."""
        state = request.app.state
        ready = state.pool.ready_count

        def _db_ok() -> bool:
            try:
                with state.db.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return True
            except Exception:  # noqa: BLE001
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
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
    return app
