"""What a browser portal needs of the service, in process (a stand-in worker pool): opt-in CORS
(`greenpark serve --cors-origin`), YAML request bodies with located errors, and decision-list
rows that carry the result's figures, also for decisions logged before those were stored."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from test_service_app import FakePool, ParsingPool

from engine.service.app import create_app
from engine.service.config import Settings
from engine.service.db import connect, decisions, make_engine
from engine.service.decisions import Decision, DecisionLog, list_summary

PORTAL = "https://portal.example.gov.cn"
YAML = "application/yaml"


def _client(tmp_path, pool_class=FakePool, **settings) -> TestClient:
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    return TestClient(create_app(Settings(db_url=db_url, auth=False, **settings), pool=pool_class(db_url)),
                      raise_server_exceptions=False)


# --- CORS ---------------------------------------------------------------------------------------

def test_no_cors_by_default(tmp_path):
    with _client(tmp_path) as client:
        r = client.options("/v1/assessments", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
        assert r.status_code == 204 and "access-control-allow-origin" not in r.headers
        assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": PORTAL}).headers


def test_cors_for_the_named_origins_only(tmp_path):
    with _client(tmp_path, cors_origins=(PORTAL,)) as client:
        pre = client.options("/v1/assessments", headers={
            "Origin": PORTAL, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == PORTAL
        assert {"authorization", "content-type"} <= {h.strip().lower() for h in
                                                     pre.headers["access-control-allow-headers"].split(",")}
        r = client.post("/v1/assessments", content=b"{}", headers={"Origin": PORTAL})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == PORTAL
        assert "location" in r.headers["access-control-expose-headers"].lower()
        # an error is readable by the portal too (problem+json with the CORS headers)
        missing = client.get("/v1/assessments/d_missing", headers={"Origin": PORTAL})
        assert missing.status_code == 404 and missing.headers["access-control-allow-origin"] == PORTAL
        other = "https://elsewhere.example.com"
        refused = client.options("/v1/assessments", headers={"Origin": other, "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
        assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": other}).headers
        # a request without Origin is not a CORS request: OPTIONS keeps its full Allow
        assert client.options("/v1/assessments").headers["allow"] == "GET, OPTIONS, POST"


def test_serve_takes_repeatable_cors_origins(monkeypatch):
    from engine.cli import app
    from engine.service import server
    seen = {}
    monkeypatch.setattr(server, "run", lambda settings, *a, **k: seen.setdefault("settings", settings))
    out = CliRunner().invoke(app, ["serve", "--cors-origin", PORTAL + "/", "--cors-origin", "http://10.0.0.5:8080"])
    assert out.exit_code == 0, out.output
    assert seen["settings"].cors_origins == (PORTAL, "http://10.0.0.5:8080")
    bad = CliRunner().invoke(app, ["serve", "--cors-origin", "portal.example.gov.cn/path"])
    assert bad.exit_code == 2 and "isnotanorigin" in re.sub(r"[\s│]", "", bad.output)
    seen.clear()
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0 and seen["settings"].cors_origins == ()


# --- YAML bodies --------------------------------------------------------------------------------

def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return r.json()


def test_yaml_body_is_assessed_as_its_json_and_logged_as_json(tmp_path):
    with _client(tmp_path) as client:
        body = "profile:\n  id: 园区-1\n  has_management_body: true\nyears: []\n".encode()
        r = client.post("/v1/assessments", content=body, headers={"Content-Type": YAML + "; charset=utf-8"})
        assert r.status_code == 200, r.text
        stored = client.get(r.headers["location"] + "/input")
        assert json.loads(stored.content) == {"profile": {"id": "园区-1", "has_management_body": True}, "years": []}
        for media in ("application/x-yaml", "text/yaml"):
            assert client.post("/v1/assessments", content=body, headers={"Content-Type": media}).status_code == 200
        batch = client.post("/v1/assessments/batch", content=b"parks:\n  - {}\n  - {}\n", headers={"Content-Type": YAML})
        assert [x["status"] for x in batch.json()["results"]] == [200, 200]


def test_yaml_errors_name_line_and_column(tmp_path):
    with _client(tmp_path, ParsingPool) as client:
        h = {"Content-Type": YAML}
        body = _problem(client.post("/v1/assessments", content=b"profile:\n  id: [a, b\n", headers=h), 400)
        assert body["type"].endswith("/malformed-yaml") and body["errors"][0]["line"] == 3
        dup = _problem(client.post("/v1/assessments", content=b"profile:\n  id: a\n  id: b\n", headers=h), 422)
        assert dup["errors"][0]["path"] == "profile.id" and (dup["errors"][0]["line"], dup["errors"][0]["column"]) == (3, 3)
        # a value the facts refuse, located in the YAML the caller sent
        bad = b"profile:\n  id: p\nyears:\n  - year: 2024\n    energy:\n      coal: -5 t\n"
        errors = _problem(client.post("/v1/assessments", content=bad, headers=h), 422)["errors"]
        coal = next(e for e in errors if e["path"] == "years[0].energy.coal")
        assert (coal["line"], coal["column"]) == (6, 13) and "-5 t" in coal["message"]
        # YAML 1.2: `yes` is text, not true, as the JSON Schema says
        errors = _problem(client.post("/v1/assessments", content=b"profile:\n  has_management_body: yes\n",
                                      headers=h), 422)["errors"]
        assert any(e["path"] == "profile.has_management_body" and e["line"] == 2 for e in errors)
        # a JSON body's errors carry no line (its paths are enough), and other media types stay 415
        errors = _problem(client.post("/v1/assessments", json={"profile": {"id": "p"}, "years": "x"}), 422)["errors"]
        assert all("line" not in e for e in errors)
        r = client.post("/v1/assessments", content=b"a: 1", headers={"Content-Type": "text/plain"})
        assert _problem(r, 415) and "application/yaml" in r.headers["accept-post"]
        r = client.post("/v1/replays", content=b"ruleset: 1.0.0", headers=h)       # JSON only there
        assert _problem(r, 415) and r.headers["accept-post"] == "application/json"


# --- decision-list rows -------------------------------------------------------------------------

RESULT = {"park_id": "p-9", "year": 2024, "ruleset": {"profile": "default"}, "scope": {"in_scope": True},
          "summary": {"compliance_rate": 62.5, "decided": 8, "undecided": 2,
                      "by_status": {"met": 5, "not_met": 3, "insufficient_data": 2, "problem": 2, "recommended": 1},
                      "by_kind": {"compliance": 10, "problem": 2, "measure": 1},
                      "conclusion": {"zh": "结论", "en": "conclusion"}},
          "findings": [{"kind": "problem"}, {"kind": "problem", "folded_into": "X"}, {"kind": "measure"}],
          "data_quality": []}


def test_list_summary_counts_and_unknowns():
    s = list_summary(RESULT)
    assert s == {"profile": "default", "year": 2024, "in_scope": True, "compliance_rate": 62.5, "decided": 8,
                 "met": 5, "not_met": 3, "undecided": 2, "problems": 1, "measures": 1, "data_quality": 0,
                 "conclusion": {"zh": "结论", "en": "conclusion"}}
    bare = list_summary({"summary": {}})
    assert bare["met"] is None and bare["problems"] is None and bare["data_quality"] is None   # unknown, not 0


def _decision(decision_id: str, summary: dict | None) -> Decision:
    return Decision(decision_id, datetime.now(timezone.utc), None, "p-9", b"{}", "a" * 64, "1.0.0",
                    {"ruleset": "1.0.0"}, "b" * 64, json.dumps(RESULT).encode(), summary)


def test_rows_carry_the_summary_also_for_decisions_logged_before_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    # a log made by the previous version: the decisions table alone, one row
    old = connect(url)
    decisions.create(old)
    with old.begin() as conn:
        row = _decision("d_old", None)
        conn.execute(decisions.insert(), {
            "decision_id": row.decision_id, "created_at": row.created_at, "key_id": None, "park_id": row.park_id,
            "input": row.input, "input_digest": row.input_digest, "ruleset_version": "1.0.0",
            "ruleset_versions": json.dumps(row.ruleset_versions), "ruleset_digest": row.ruleset_digest,
            "result": row.result})
    old.dispose()
    log = DecisionLog(make_engine(url))            # this version opens it: the summaries table is added
    log.append(_decision("d_new", {**list_summary(RESULT), "compliance_rate": 99.0}))
    items, total = log.find(park_id="p-9", key_id=None, all_callers=True, limit=10, offset=0)
    assert total == 2 and [d.decision_id for d in items] == ["d_new", "d_old"]
    assert items[0].summary()["summary"]["compliance_rate"] == 99.0     # stored with the decision
    assert items[1].summary()["summary"] == list_summary(RESULT)        # read from the old row's result
    for stmt in ("UPDATE decision_summaries SET summary = '{}'", "DELETE FROM decision_summaries"):
        with pytest.raises(Exception, match="append-only"):              # stored figures are history too
            with log.engine.begin() as conn:
                conn.exec_driver_sql(stmt)
