"""The decision service on PostgreSQL: the same server, keys and decision log, pointed at a real
PostgreSQL server by URL (a throwaway cluster, tests/pg_support.py).

Where PostgreSQL is not installed these tests are skipped with the reason — except under CI
(`CI` set), where `.ci/run` installs it and a missing server is a failure, not a skip.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
import sqlalchemy

from pg_support import missing, start_postgres
from service_support import ROOT, example_parks, start_server

_why = missing()
if _why and os.environ.get("CI"):
    raise RuntimeError(f"PostgreSQL tests cannot run under CI: {_why}")
pytestmark = pytest.mark.skipif(_why is not None, reason=_why or "")


def _cli(*args: str) -> str:
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _token(out: str) -> tuple[str, dict[str, str]]:
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return fields["key_id"].strip(), {"Authorization": f"Bearer {fields['token'].strip()}"}


@pytest.fixture(scope="module")
def pg():
    server = start_postgres()
    yield server.url
    server.stop()


def test_decisions_on_postgres_survive_a_restart(pg, tmp_path):
    portal_id, portal = _token(_cli("keys", "create", "--role", "portal", "--db-url", pg))
    _, regulator = _token(_cli("keys", "create", "--role", "regulator", "--db-url", pg))
    parks = example_parks()
    server = start_server(pg, tmp_path)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            made = []
            for park in parks:
                r = c.post("/v1/assessments", json=park, headers=portal)
                assert r.status_code == 200, r.text
                assert r.json()["park_id"] == park["profile"]["id"]
                made.append(r)
            batch = c.post("/v1/assessments/batch", json={"parks": parks[:2]}, headers=portal).json()
            assert [x["status"] for x in batch["results"]] == [200, 200]
            listed = c.get("/v1/assessments", params={"park_id": parks[0]["profile"]["id"]}, headers=regulator).json()
            assert listed["total"] == 2 and listed["items"][0]["decision_id"] == batch["results"][0]["result"]["decision_id"]
    finally:
        server.stop()
    server = start_server(pg, tmp_path)                 # a new process: everything comes from PostgreSQL
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            for r in made:
                again = c.get(r.headers["location"], headers=regulator)
                assert again.status_code == 200 and again.content == r.content
            assert c.get("/v1/assessments", headers=portal).json()["total"] == len(parks) + 2
            _cli("keys", "revoke", portal_id, "--db-url", pg)
            revoked_at = time.monotonic()
            while c.get("/v1/rulesets", headers=portal).status_code == 200:
                assert time.monotonic() - revoked_at < 1.5
                time.sleep(0.05)
    finally:
        server.stop()


def test_the_log_is_append_only_in_postgres(pg):
    from datetime import datetime, timezone

    from engine.service.db import make_engine
    from engine.service.decisions import Decision, DecisionLog
    engine = make_engine(pg)
    try:
        DecisionLog(engine).append(Decision("d_" + "a" * 32, datetime.now(timezone.utc), None, "append-only-test",
                                            b"{}", "0" * 64, "1.0.0", {"ruleset": "1.0.0"}, "0" * 64, b"{}",
                                            {"compliance_rate": 50.0}))
        for stmt in ("UPDATE decisions SET park_id = 'x'", "DELETE FROM decisions", "TRUNCATE decisions",
                     "UPDATE decision_summaries SET summary = '{}'", "DELETE FROM decision_summaries",
                     "TRUNCATE decision_summaries"):
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(sqlalchemy.text(stmt))
    finally:
        engine.dispose()


def test_a_worker_killed_mid_write_leaves_no_record_in_postgres(pg, tmp_path):
    _, portal = _token(_cli("keys", "create", "--role", "portal", "--db-url", pg))
    park = example_parks()[1]
    server = start_server(pg, tmp_path, test_hooks=True, args=["--workers", "1"])
    try:
        with httpx.Client(base_url=server.url, headers=portal, timeout=60) as c:
            bad = c.post("/v1/assessments", json=park, headers={"X-Greenpark-Test-Crash": "kill-in-log"})
            assert bad.status_code == 503 and bad.headers["retry-after"] == "1"
            assert c.get("/v1/assessments").json()["total"] == 0          # this key's decisions: none
            ok = c.post("/v1/assessments", json=park)                     # served by the replacement worker
            assert ok.status_code == 200, ok.text
            assert c.get(ok.headers["location"]).content == ok.content
    finally:
        server.stop()


def test_a_least_privilege_user_can_serve(pg, tmp_path):
    """After the first start the service needs only the grants the README lists; such a user
    cannot rewrite history even without the triggers."""
    from engine.service.db import make_engine
    owner = make_engine(pg)
    with owner.begin() as conn:
        for stmt in ("CREATE ROLE gp_service LOGIN",
                     "GRANT SELECT, INSERT ON decisions TO gp_service",
                     "GRANT SELECT, INSERT ON decision_summaries TO gp_service",
                     "GRANT USAGE ON SEQUENCE decisions_seq_seq TO gp_service",
                     "GRANT SELECT, INSERT, UPDATE ON api_keys TO gp_service"):
            conn.execute(sqlalchemy.text(stmt))
    owner.dispose()
    url = pg.replace("//greenpark@", "//gp_service@")
    _, portal = _token(_cli("keys", "create", "--role", "portal", "--db-url", url))
    server = start_server(url, tmp_path)
    try:
        with httpx.Client(base_url=server.url, headers=portal, timeout=60) as c:
            r = c.post("/v1/assessments", json=example_parks()[0])
            assert r.status_code == 200, r.text
            assert c.get(r.headers["location"]).content == r.content
    finally:
        server.stop()
    service = sqlalchemy.create_engine(url)
    try:
        with pytest.raises(sqlalchemy.exc.ProgrammingError, match="permission denied"):
            with service.begin() as conn:
                conn.execute(sqlalchemy.text("DELETE FROM decisions"))
    finally:
        service.dispose()
