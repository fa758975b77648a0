"""Service settings: one frozen dataclass, filled by `greenpark serve` or by tests."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

__all__ = ["Settings", "default_db_url", "check_origin"]

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def check_origin(origin: str) -> str:
    """`origin` as CORS compares it (scheme://host[:port], no path, no trailing slash), or ValueError."""
    o = origin.strip().rstrip("/")
    if not _ORIGIN.match(o):
        raise ValueError(f"{origin!r} is not an origin: give scheme://host[:port], e.g. https://portal.example.gov.cn")
    return o.lower()


def default_db_url() -> str:
    """`GREENPARK_DB_URL`, else a SQLite file `greenpark.db` in the working directory."""
    return os.environ.get("GREENPARK_DB_URL") or "sqlite:///greenpark.db"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to start.

    Attributes:
        db_url: SQLAlchemy URL of the decision log and key store.
        auth: require an API key on every /v1 call (False only for local use: `--no-auth`).
        workers: assessment worker processes.
        timeout: seconds one assessment may take before its worker is killed and replaced.
        max_body_bytes: request bodies above this get 413.
        max_batch: parks per batch request.
        max_result_bytes: the most bytes of results one request may return (a batch: all its
            parks' results together; 413 above). Checked before the work from the facts (every
            year and enterprise adds a known least amount), and exactly before a decision is
            logged, so a refused result is never logged. 32 MiB lets a full batch of 50 typical
            parks (~0.5 MB each) through; a batch holds about this much in server memory.
        key_cache_seconds: how long a key found live is trusted without a database look-up (a
            revoked key is refused within this time; 0: look up on every call).
        allow_test_crash: honour the `X-Greenpark-Test-Crash` header (tests only; `serve` never
            sets it).
        cors_origins: browser origins (`https://portal.example.gov.cn`) allowed to call the API
            from their pages (CORS, `greenpark serve --cors-origin`); none by default, so a
            browser refuses every cross-origin page.
    """

    db_url: str = ""
    auth: bool = True
    workers: int = 2
    timeout: float = 10.0
    max_body_bytes: int = 2 * 1024 * 1024
    max_batch: int = 50
    max_result_bytes: int = 32 * 1024 * 1024
    key_cache_seconds: float = 1.0
    allow_test_crash: bool = False
    cors_origins: tuple[str, ...] = ()

    def resolved_db_url(self) -> str:
        return self.db_url or default_db_url()
