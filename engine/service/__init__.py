"""The HTTP decision service for portals (issue 4).

    greenpark serve [--host 127.0.0.1] [--port 8000] [--no-auth] [--workers N] [--timeout S]
                    [--max-body B] [--max-batch N] [--max-result-bytes B] [--cors-origin URL ...]

Modules, outermost first:

    server.py     start uvicorn with the app (the `serve` command)
    app.py        FastAPI app: middleware (CORS opt-in), the routers, OpenAPI tags
    *_routes.py   the routes: assess_, decision_, report_, whatif_, compare_, history_, catalog_routes
    docs.py       /docs and /redoc served offline (fastapi-offline's bundles), the OpenAPI document
    bodies.py     request bodies: JSON, or YAML (bounded loader) with line/column in errors
    outcomes.py   a worker's outcome as a problem; the per-request result budget
    schemas.py    response models of the routes (Problem, DecisionPage, ...)
    result_models.py  typed models of the assessment result (documentation; not run on responses)
    routing.py    what the routers share: language, decision id, problem responses, visibility
    auth.py       API-key check and the role table (which role may call which endpoint)
    problems.py   RFC 9457 problem+json errors; a client that hangs up mid-upload is a 499
    methods.py    OPTIONS and 405 with the path's full `Allow`, from the whole route table
    pool.py       crash-contained pool of assessment worker processes (asyncio dispatcher)
    worker.py     the worker process: validate -> assess (durable-rules) -> JSON
    decisions.py  append-only decision log (SQLAlchemy 2; SQLite file or PostgreSQL)
    keys.py       API keys, stored as sha256 of the token
    db.py         engine/metadata shared by the two stores
    metrics.py    Prometheus text exposition written by hand
    config.py     Settings
"""
