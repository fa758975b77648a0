"""Run the app under uvicorn (the `greenpark serve` command)."""
from __future__ import annotations

import logging

from .config import Settings

__all__ = ["run"]


def run(settings: Settings, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "info",
        access_log: bool = False) -> None:
    """Serve until interrupted. One event-loop process; engine work goes to `settings.workers`
    worker processes."""
    import uvicorn

    from .app import create_app
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=access_log,
                timeout_graceful_shutdown=10, limit_concurrency=None)
