"""A park's history (engine/cycles/history.py): the three-cycle park of tests/cycles/ POSTed to the
real server (`greenpark serve` under uvicorn, a temporary SQLite log, so the decision log is written
by the real worker code), then read back with `GET /v1/parks/{park_id}/history` and with
`greenpark history` on the same log: every lifecycle state on its named finding, each cycle's
summary and key indicators, and who may see what."""
from __future__ import annotations

import json

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from service_support import make_key, start_server
from test_dossier_lifecycle import ROWS
from test_lifecycle import CYCLES, EXPECTED

PARK = "qingchenghu-htz-demo"
YEARS = [2023, 2024, 2025]


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """The three cycles POSTed by a portal to a real server; yields (server, db_url, keys, results)."""
    tmp = tmp_path_factory.mktemp("history")
    db_url = f"sqlite:///{tmp / 'decisions.db'}"
    keys = {role: make_key(db_url, role.rstrip("2"), role) for role in ("regulator", "planner", "portal", "portal2")}
    server = start_server(db_url, tmp, args=["--workers", "1"])
    try:
        results = []
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for path in CYCLES:
                r = client.post("/v1/assessments", json=yaml.safe_load(path.read_text(encoding="utf-8")),
                                headers=_auth(keys, "portal"))
                assert r.status_code == 200, r.text
                results.append(r.json())
        yield server, db_url, keys, results
    finally:
        server.stop()


def _auth(keys: dict, who: str) -> dict:
    return {"Authorization": f"Bearer {keys[who][1]}"}


def _check_history(h: dict, results: list[dict]) -> None:
    """What both the route and the CLI must give for the three cycles."""
    assert h["park_id"] == PARK and h["park_name"] == results[0]["park_name"]
    assert [c["decision_id"] for c in h["cycles"]] == [r["decision_id"] for r in results]
    assert [c["year"] for c in h["cycles"]] == YEARS
    for c, r in zip(h["cycles"], results):
        s = r["summary"]
        assert c["ruleset"] == {"version": r["ruleset"]["versions"]["ruleset"], "profile": "default",
                                "digest": r["ruleset"]["digest"]}
        assert c["summary"]["by_status"] == s["by_status"] and c["summary"]["by_kind"] == s["by_kind"]
        assert c["summary"]["conclusion"] == s["conclusion"] and c["summary"]["folded"] == s["folded"]
        assert (c["summary"]["compliance_rate"], c["summary"]["decided"], c["summary"]["undecided"]) == \
            (s["compliance_rate"], s["decided"], s["undecided"])
        ei = next(k for k in c["key_indicators"] if k["indicator"] == "energy_intensity")
        assert ei["value"] == r["derived"][str(r["year"])]["energy_intensity"]["value"] and ei["unit"] == "tce/万元"
        assert len(c["key_indicators"]) == 22 and all(k["name"]["zh"] and k["name"]["en"] for k in c["key_indicators"])
    from engine.cycles.diff import diff_results
    assert h["cycles"][0]["since_previous"] is None
    assert [c["since_previous"] for c in h["cycles"][1:]] == [diff_results(a, b)["counts"]
                                                            for a, b in zip(results, results[1:])]
    assert h["cycles"][2]["since_previous"]["regressed"] >= 1            # hazardous waste: met -> not_met
    # the per-cycle summaries of this park (ruleset 1.0.0, default profile), its 28 data-completeness
    # checks counted apart: 92/98, 96/101 and 92/101 met (119/125, 124/129 and 120/129 with them)
    assert [(c["summary"]["compliance_rate"], c["summary"]["decided"], c["summary"]["undecided"],
             c["summary"]["by_status"]["not_met"], c["summary"]["by_status"]["problem"]) for c in h["cycles"]] == \
        [(93.9, 98, 0, 6, 6), (95.0, 101, 0, 5, 5), (91.1, 101, 0, 9, 4)]
    # the first cycle's one undecided verdict was a data-completeness check: every other check decided
    assert [round(c["summary"]["coverage"], 2) for c in h["cycles"]] == [100.0, 100.0, 100.0]
    hazardous = [next(k for k in c["key_indicators"] if k["indicator"] == "hazardous_waste_managed")
                 for c in h["cycles"]]
    assert [round(k["value"], 2) for k in hazardous] == [98.33, 100.0, 98.48]     # 5.9/6.0, 6.3/6.3, 6.5/6.6
    assert hazardous[0]["unit"] == "%"
    lc = h["lifecycle"]
    assert lc["cycles"] == [r["decision_id"] for r in results]
    by_id = {f["id"]: f for f in lc["findings"]}
    for fid, states in EXPECTED.items():
        assert [s["state"] for s in by_id[fid]["states"]] == states, fid
    assert lc["tasks"] == {"K23": "再生水厂三期扩容 1 万m3/d", "K24": "燃气热电厂掺氢燃烧示范", "K25": "华澄电子能效对标改造"}


def test_history_route_on_the_real_server(logged):
    server, _, keys, results = logged
    with httpx.Client(base_url=server.url, timeout=60) as client:
        url = f"/v1/parks/{PARK}/history"
        own = client.get(url, params={"lang": "en"}, headers=_auth(keys, "portal"))
        assert own.status_code == 200 and own.headers["content-language"] == "en", own.text
        _check_history(own.json(), results)
        from engine.service.history_routes import ParkHistory
        ParkHistory.model_validate(own.json())                     # the body is what the OpenAPI says
        assert client.get(url, headers=_auth(keys, "regulator")).json() == own.json()    # regulators see all
        latest = client.get(url, params={"limit": 2}, headers=_auth(keys, "portal")).json()
        assert [c["year"] for c in latest["cycles"]] == YEARS[1:]
        # without cycle 1 nothing was open before K23-K25: the lifecycle starts in cycle 2
        reclaimed = next(f for f in latest["lifecycle"]["findings"] if f["id"] == "PC-C-025@ind:reclaimed_water_rate")
        assert [s["state"] for s in reclaimed["states"]] == ["measure_planned", "verified_closed"]
        for who, path, status in (("portal2", url, 404), ("planner", url, 404), ("regulator", "/v1/parks/nope/history", 404),
                                  (None, url, 401)):
            r = client.get(path, headers=_auth(keys, who) if who else {})
            assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
        assert client.get(url, params={"limit": 0}, headers=_auth(keys, "portal")).status_code == 422
        # a task answering a rule the ruleset lacks: 422 naming the answer, nothing logged
        park = yaml.safe_load(CYCLES[2].read_text(encoding="utf-8"))
        park["plan"]["tasks"][23]["answers"] = ["PC-C-903@ind:co2_per_tce"]
        bad = client.post("/v1/assessments", json=park, headers=_auth(keys, "portal"))
        assert bad.status_code == 422 and [e["path"] for e in bad.json()["errors"]] == ["plan.tasks[23].answers[0]"]
        assert len(client.get(url, headers=_auth(keys, "portal")).json()["cycles"]) == 3
        doc = client.get("/openapi.json").json()["paths"]["/v1/parks/{park_id}/history"]["get"]
        assert set(doc["responses"]) >= {"200", "401", "403", "404", "422"}


def test_history_command_on_the_same_log(logged):
    from cli import app
    _, db_url, _, results = logged
    runner = CliRunner()
    r = runner.invoke(app, ["history", PARK, "--db-url", db_url, "-f", "json"])
    assert r.exit_code == 0, r.output
    _check_history(json.loads(r.stdout), results)
    md = runner.invoke(app, ["history", PARK, "--db-url", db_url, "-f", "markdown", "--lang", "en"])
    assert md.exit_code == 0 and md.stdout.startswith("# Park assessment history: ")
    # each finding in words, as the dossier names it: its title (what it is about), never its id
    row = next(line for line in md.stdout.splitlines() if line.startswith(f"| {ROWS['PC-C-009@ind:hazardous_waste_managed'][1]} |"))
    assert row.split(" | ")[1:] == ["open", "verified closed", "regression", "1 |"]
    row = next(line for line in md.stdout.splitlines() if line.startswith(f"| {ROWS['PC-C-003@ind:co2_per_tce'][1]} |"))
    assert row.split(" | ")[1:3] == ["open", "measure planned [task K24]"]
    assert "@ind:" not in md.stdout and "@ent:" not in md.stdout
    zh = runner.invoke(app, ["history", PARK, "--db-url", db_url, "-f", "markdown"])
    assert f"| {ROWS['IN-P-004@ent:QC-E03'][0]} |" in zh.stdout            # 重点用能单位…（华澄电子电路有限公司）
    followed = {f["id"]: f for f in json.loads(r.stdout)["lifecycle"]["findings"]}
    assert followed["IN-P-004@ent:QC-E03"]["subject"] == {"zh": "华澄电子电路有限公司", "en": "华澄电子电路有限公司"}
    assert followed["PL-C-013@plan"]["subject"] == {"zh": "", "en": ""}
    assert "| 1 · 2023 | 2 · 2024 | 3 · 2025 |" in md.stdout and "93.9% (98/98)" in md.stdout
    # the problems column counts as each conclusion does: restatements folded into a verdict apart
    for r in results:
        row = next(line for line in md.stdout.splitlines() if f"| {r['decision_id']} |" in line).split(" | ")
        n, folded = r["summary"]["by_status"]["problem"], r["summary"]["folded"]
        assert row[-2] == (f"{n - folded} ({folded} more restate{'s' if folded == 1 else ''} a verdict)" if folded
                           else str(n)), row
        assert f"{n - folded} problem" in r["summary"]["conclusion"]["en"]
    assert any(r["summary"]["folded"] for r in results)
    assert "Task K24: 燃气热电厂掺氢燃烧示范" in md.stdout
    table = runner.invoke(app, ["history", PARK, "--db-url", db_url], env={"COLUMNS": "220"})
    assert table.exit_code == 0 and "检查发现的闭环状态" in table.stdout and "关闭后复发" in table.stdout
    assert "已验证关闭" in table.stdout and "任务已完成，待验证" in table.stdout and "已列整改任务" in table.stdout
    for args, message in ((["history", "nope", "--db-url", db_url], "no decision of park 'nope'"),
                          (["history", PARK, "--db-url", "sqlite:////nonexistent/x.db"], "no decision log at")):
        bad = runner.invoke(app, args)
        assert bad.exit_code == 2 and message in bad.stderr and "Traceback" not in bad.output
        assert len(bad.stderr.strip().splitlines()) == 1


def test_history_help():
    from cli import app
    r = CliRunner().invoke(app, ["history", "--help"])
    assert r.exit_code == 0 and "Usage" in r.output and "lifecycle" in r.output
