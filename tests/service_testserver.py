"""The service with the worker-crash test hook enabled, for tests only.

`greenpark serve` never enables the hook; this launcher builds the same app with
`Settings(allow_test_crash=True)` so a request carrying `X-Greenpark-Test-Crash: kill|segv|hang`
makes its worker die or spin mid-assessment.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.service.config import Settings  # noqa: E402
from engine.service.server import run  # noqa: E402

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--log-level", default="warning")
    a = ap.parse_args()
    run(Settings(db_url=a.db_url, workers=a.workers, timeout=a.timeout, allow_test_crash=True),
        "127.0.0.1", a.port, log_level=a.log_level)
