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
                     profile: str | None = None, decision: dict | None = None, *, check: bool = False,
                     max_result: int | None = None, reserve=None, encoding: str | None = None) -> tuple:
        if check:                           # a batch's validation pass: every park is valid
            return ("checked", 1000)
        if isinstance(self.next, Exception):
            raise self.next
        if self.next == "ok":
            text = json.dumps({"decision_id": decision["decision_id"], **RESULT}).encode()
            return log_decision(self.log, decision, body, ("ok", META, text, 0.01), encoding=encoding)
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


# --- issue 9, item 5 (and 4): bodies are parsed strictly, like files ------------------------------

class ParsingPool(FakePool):
    """Parses the body the way a worker does (`worker.handle`); every body these tests send is
    refused while it is parsed, before any assessment."""

    async def submit(self, body: bytes, *args, **kwargs) -> tuple:
        from engine.service.worker import handle
        return handle(None, body, None)


@pytest.fixture
def parsing_client(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    with TestClient(create_app(Settings(db_url=db_url, auth=False), pool=ParsingPool(db_url)),
                    raise_server_exceptions=False) as client:
        yield client


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return r.json()


def test_fail_duplicate_keys_in_a_body_are_422_with_their_paths(parsing_client):
    body = b'{"profile": {"id": "a", "id": "b"}, "enterprises": [{"x": 1, "x": 2}]}'
    errors = _problem(parsing_client.post("/v1/assessments", content=body), 422)["errors"]
    assert [e["path"] for e in errors] == ["profile.id", "enterprises[0].x"]
    assert errors[0]["message"] == "duplicate key 'id' (first at line 1)"
    batch = b'{"parks": [{"profile": {"id": "a"}}, {"profile": {"id": "a", "id": "b"}}]}'
    errors = _problem(parsing_client.post("/v1/assessments/batch", content=batch), 422)["errors"]
    assert [e["path"] for e in errors] == ["parks[1].profile.id"]
    assert parsing_client.get("/v1/assessments").json()["total"] == 0      # nothing was assessed or logged


def test_fail_a_body_nested_too_deep_is_422_naming_the_limit_and_path(parsing_client):
    from engine.sourcefile import MAX_DEPTH
    deep = b'{"profile": {"x": ' + b"[" * 2000 + b"]" * 2000 + b"}}"
    (error,) = _problem(parsing_client.post("/v1/assessments", content=deep), 422)["errors"]
    assert error["path"] == "profile.x" + "[0]" * (MAX_DEPTH - 2) and "MAX_DEPTH" in error["message"]
    (error,) = _problem(parsing_client.post("/v1/assessments/batch", content=b'{"parks": [' + deep + b"]}"),
                        422)["errors"]
    assert error["path"] == "parks[0].profile.x" + "[0]" * (MAX_DEPTH - 4)


def test_silent_malformed_bodies_stay_400(parsing_client):
    for body in (b"{not json", b"", b'{"a": "\xff"}'):
        assert _problem(parsing_client.post("/v1/assessments", content=body), 400)["type"].endswith("malformed-json")
        assert _problem(parsing_client.post("/v1/assessments/batch", content=body), 400)["type"].endswith("malformed-json")


def test_after_validation_each_park_of_a_batch_has_its_own_outcome(app_client):
    """Once every park is valid, what happens while assessing one park stays in its slot."""
    client, pool, _ = app_client
    pool.next = ("evaluation", "the engine gave up")
    r = client.post("/v1/assessments/batch", json={"parks": [{}, {}]})
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == [422, 422]
    assert r.json()["results"][1]["problem"]["instance"] == "/v1/assessments/batch#parks[1]"


def test_a_write_on_a_read_only_connection_reconnects_and_retries(tmp_path):
    """The pooled connection refuses writes (as one SQLite opened read-only does, for good): the
    log drops it, writes on a new connection, and keeps using new ones."""
    from datetime import datetime, timezone

    from engine.service.decisions import Decision
    log = DecisionLog(make_engine(f"sqlite:///{tmp_path / 'd.db'}"))
    with log.engine.connect() as conn:                  # goes back to the pool still read-only
        conn.exec_driver_sql("PRAGMA query_only = ON")
    record = Decision("d_1", datetime.now(timezone.utc), None, "p-1", b"{}", "a" * 64, "1.0.0",
                      {"ruleset": "1.0.0"}, "b" * 64, b"{}")
    log.append(record)
    assert log.get("d_1") == record
    with log.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA query_only").scalar() == 0
