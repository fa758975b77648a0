"""Service settings: one frozen dataclass, filled by `greenpark serve` or by tests."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

__all__ = ["Settings", "default_db_url", "check_origin", "WORKBOOK_UNPACKED_PER_BODY_BYTE"]

# The default bound on a workbook body's unpacked size, per byte of the body limit. Park
# workbooks measured compress 7x (a blank template) to 11.6x (10,000 enterprises), so any honest
# workbook that fits the body limit unpacks to less than 16x it; a "zip bomb" (1 MB of zip that
# unpacks to 180 MB and 48 s of openpyxl) does not (docs/intake.md "Limits").
WORKBOOK_UNPACKED_PER_BODY_BYTE = 16

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
        max_workbook_unpacked_bytes: what a workbook body (.xlsx, a zip of XML) may unpack to
            (`greenpark serve --max-workbook-unpacked`; 413 above, before anything is unpacked).
            None: WORKBOOK_UNPACKED_PER_BODY_BYTE times `max_body_bytes` (32 MiB for the 2 MiB
            default), at most the intake's MAX_WORKBOOK_UNPACKED (50 MB). Reading costs about
            0.14 s and 2 MB of memory per unpacked MB, in the server process (docs/intake.md).
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
    max_workbook_unpacked_bytes: int | None = None

    def resolved_db_url(self) -> str:
        return self.db_url or default_db_url()

    def workbook_unpacked_limit(self) -> int:
        """`max_workbook_unpacked_bytes`, or the default it stands for when None."""
        if self.max_workbook_unpacked_bytes is not None:
            return self.max_workbook_unpacked_bytes
        from ..intake.workbook import MAX_WORKBOOK_UNPACKED
        return min(WORKBOOK_UNPACKED_PER_BODY_BYTE * self.max_body_bytes, MAX_WORKBOOK_UNPACKED)
