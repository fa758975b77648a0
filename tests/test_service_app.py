"""The app in process with a stand-in worker pool: `--no-auth`, and how worker outcomes map to
HTTP (500 without a traceback for an engine bug, 503 + Retry-After for a lost worker)."""
from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from engine.service.app import create_app
from engine.service.config import Settings
from engine.service.db import make_engine
from engine.service.decisions import DecisionLog
from engine.service.pool import PoolStats, WorkerCrashed
from engine.service.worker import log_decision

RESULT = {"format": 1, "park_id": "p-1", "park_name": "P", "input_digest": "a" * 64,
          "ruleset": {"name": "greenpark", "versions": {"ruleset": "1.0.0"}, "digest": "b" * 64,
                      "knowledge_digest": "c" * 64}, "year": 2024, "derived": {}, "ghg_inventory": [],
          "summary": {}, "findings": []}
META = {"park_id": "p-1", "input_digest": "a" * 64, "ruleset_version": "1.0.0",
        "ruleset_versions": {"ruleset": "1.0.0"}, "ruleset_digest": "b" * 64}


class FakePool:
    """Answers with whatever `next` holds: "ok" (a fixed result, its decision logged the way a
    worker logs it), an outcome tuple or an exception."""

    def __init__(self, db_url: str) -> None:
        self.stats, self.ready_count, self.busy_count, self.waiting = PoolStats(), 1, 0, 0
        self.next: object = "ok"
        self.log = DecisionLog(make_engine(db_url))

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, body: bytes, ruleset: str | None, crash: str | None = None,
                     profile: str | None = None, decision: dict | None = None) -> tuple:
        if isinstance(self.next, Exception):
            raise self.next
        if self.next == "ok":
            text = json.dumps({"decision_id": decision["decision_id"], **RESULT}).encode()
            return log_decision(self.log, decision, body, ("ok", META, text, 0.01))
        return self.next


@pytest.fixture
def app_client(tmp_path, caplog):
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    pool = FakePool(db_url)
    caplog.set_level(logging.WARNING, logger="greenpark.service")
    app = create_app(Settings(db_url=db_url, auth=False), pool=pool)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, pool, caplog


def test_no_auth_serves_without_a_key_and_says_so(app_client):
    client, _, caplog = app_client
    assert any("AUTHENTICATION IS DISABLED" in r.getMessage() for r in caplog.get_records("setup"))
    r = client.post("/v1/assessments", content=b"{}")
    assert r.status_code == 200 and r.json()["decision_id"].startswith("d_") and r.json()["park_id"] == "p-1"
    listed = client.get("/v1/assessments", params={"park_id": "p-1"}).json()
    assert listed["total"] == 1 and listed["items"][0]["key_id"] is None
    assert client.get(r.headers["location"]).content == r.content
    assert client.post("/v1/assessments/batch", json={"parks": [{}, {}]}).json()["results"][1]["status"] == 200


def test_engine_bug_is_a_bare_500_and_lost_worker_a_503(app_client):
    client, pool, _ = app_client
    pool.next = ("internal", "ZeroDivisionError")
    r = client.post("/v1/assessments", content=b"{}")
    assert r.status_code == 500 and r.headers["content-type"].startswith("application/problem+json")
    assert "ZeroDivision" not in r.text and "Traceback" not in r.text
    pool.next = WorkerCrashed("the assessment worker died")
    r = client.post("/v1/assessments", content=b"{}")
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert 'greenpark_assessments_total{outcome="WorkerCrashed"} 1' in client.get("/metrics").text


def test_a_decision_that_cannot_be_logged_is_not_returned(app_client, tmp_path):
    """The worker could not commit the record: 503 with Retry-After, and nothing is returned."""
    client, pool, caplog = app_client
    pool.log = DecisionLog(make_engine(f"sqlite:///{tmp_path / 'other.db'}"))
    with pool.log.engine.begin() as conn:                      # a log that refuses every insert
        conn.exec_driver_sql("CREATE TRIGGER no_insert BEFORE INSERT ON decisions "
                             "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    r = client.post("/v1/assessments", content=b"{}")
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert r.json()["type"].endswith("decision-log-unavailable") and "decision_id" not in r.text
    assert any("disk full" in rec.getMessage() for rec in caplog.records)
    assert client.get("/v1/assessments").json()["total"] == 0


def test_checkpoint_empties_the_write_ahead_log_into_the_database(tmp_path):
    """What a worker runs after replying, so that no commit inside a request checkpoints."""
    from datetime import datetime, timezone

    from engine.service.decisions import Decision
    log = DecisionLog(make_engine(f"sqlite:///{tmp_path / 'd.db'}"))
    for i in range(3):
        log.append(Decision(f"d_{i}", datetime.now(timezone.utc), None, "p-1", b"{}", "a" * 64, "1.0.0",
                            {"ruleset": "1.0.0"}, "b" * 64, b"x" * 100_000))
    frames, copied = log.checkpoint()
    assert frames > 0 and copied == frames
    assert (tmp_path / "d.db").stat().st_size > 3 * 100_000          # the rows are in the database file
    assert log.get("d_2").result == b"x" * 100_000
