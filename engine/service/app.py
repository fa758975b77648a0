"""The FastAPI app: `create_app(settings)`.

Options of an assessment go in query parameters (`?ruleset=1.0.0&lang=en`); the body is the park
facts alone, exactly the CLI's schema as JSON or YAML (`GET /v1/schema/park`). Results are
bilingual (`{zh, en}` everywhere); `lang` only sets `Content-Language`. Engine work happens in
worker processes (`pool.py`); the event loop only parses headers, moves bytes and awaits.

Every operation has a stable `operationId` (`assess`, `getDecision`, `listDecisions`, ...: one per
route, camelCase; a generated client's method names) and every error is RFC 9457 problem+json
(`Problem`). Routes live in `*_routes.py`; `/docs` and `/redoc` are served offline (`docs.py`).
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from anyio import to_thread
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from .assess_routes import assessment_router
from .auth import KeyCache
from .catalog import Catalog
from .catalog_routes import catalog_router, operations_router
from .compare_routes import compare_router
from .compression import CompressionMiddleware
from .config import Settings
from .decision_routes import decision_router
from .decisions import DecisionLog
from .docs import install_docs, openapi_document
from .history_routes import history_router
from .json_response import JSONBytesResponse
from .keys import KeyStore
from .methods import MethodsMiddleware
from .metrics import Metrics, MetricsMiddleware
from .pool import WorkerPool
from .problems import install_handlers
from .report_routes import report_router
from .whatif_routes import SIMULATION_HEADER, whatif_router

__all__ = ["create_app", "TAGS"]

log = logging.getLogger("greenpark.service")

TAGS = [
    {"name": "assessments", "description": "Assess parks (logged decisions), simulate changes (what-if, not "
                                           "logged), compare two decisions, replay a ruleset version"},
    {"name": "decisions", "description": "Logged decisions: read one back byte for byte, its input, replay it, "
                                         "list them with their figures"},
    {"name": "reports", "description": "Reports people read: a decision's dossier or brief, a portfolio"},
    {"name": "history", "description": "A park's decisions over time and the lifecycle of its findings"},
    {"name": "knowledge", "description": "Ruleset versions, the guide's clauses, the measures catalogue, the "
                                         "JSON Schema of park facts"},
    {"name": "operations", "description": "Liveness, readiness and metrics (no key needed)"},
]


def create_app(settings: Settings, *, pool: WorkerPool | None = None) -> FastAPI:
    """The app; its lifespan opens the database, renders the catalogue and starts the worker pool."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ..rules.packs import RulesetRegistry
        from .db import connect, make_engine
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

    app = FastAPI(title="greenpark decision service", version="1", lifespan=lifespan, openapi_tags=TAGS,
                  docs_url=None, redoc_url=None, default_response_class=JSONBytesResponse,
                  description=(__doc__ or "") + "\n\nRoles: see `engine/service/auth.py` and the README.")
    app.state.settings = settings
    app.state.metrics = metrics = Metrics()
    install_handlers(app)
    app.add_middleware(MethodsMiddleware, app=app)
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if settings.cors_origins:          # outermost: a preflight is answered before MethodsMiddleware's OPTIONS
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept-Language"],
                           expose_headers=["Location", "Content-Language", "Retry-After", SIMULATION_HEADER],
                           max_age=600)

    app.include_router(assessment_router(settings))   # POST /v1/assessments, /v1/assessments/batch
    app.include_router(decision_router)    # a logged decision, its input, its replay; the list
    app.include_router(report_router)      # a decision's report, a portfolio of decisions
    app.include_router(whatif_router)      # POST /v1/whatif: a simulation, never logged
    app.include_router(compare_router)     # two decisions compared, a ruleset version replayed on the portfolio
    app.include_router(history_router)     # a park's history and the lifecycle of its findings
    app.include_router(catalog_router)     # rulesets, clauses, measures, the park schema
    app.include_router(operations_router)  # /healthz, /readyz, /metrics
    install_docs(app)                      # /docs, /redoc and their assets, offline

    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app
