"""Service settings: one frozen dataclass, filled by `greenpark serve` or by tests."""
from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Settings", "default_db_url"]


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

    def resolved_db_url(self) -> str:
        return self.db_url or default_db_url()
