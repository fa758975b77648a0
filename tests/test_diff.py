"""The diff of two assessments of one park (engine/cycles/diff.py), its prose (engine/render/since_last.py),
`greenpark diff`, `greenpark report --previous` and `GET /v1/assessments/{a}/diff/{b}`.

Two cycles of the strong high-tech example park, facts changed between them (`_cycles`):

* cycle 1 has no 2024 share of good-air days (its two verdicts are insufficient_data);
* cycle 2 reports it (84 %), raises 2024 reclaimed water from 430 to 500 万m3 (the reuse rate
  430/(430+1045) = 29.15 % -> 500/(500+1045) = 32.36 %, past the 30 % benchmark), leaves out the
  2024 waste-heat recovery rate (71 % before), has QC-E01 not start its mandatory audit, replaces
  QC-E12 by an identical QC-E98 (audited) and adds QC-E99 (the same, not audited): of the 8
  enterprises under mandatory audit 6 have done it, 75 % (7 of 7 = 100 % before);
* cycle 2 is assessed under a copy of the rules (1.0.1) where PC-C-003's severity is high instead
  of medium, the only way a severity changes (a rule's severity is fixed).
"""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from engine.assessment import Assessor
from engine.cycles.diff import CATEGORIES, ParkMismatch, category, diff_results
from engine.facts.loader import park_from_data
from engine.rules.packs import DEFAULT_RULES, RulesetRegistry
from test_prose import scan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "strong_hightech_park.yaml"

EXPECTED = {
    "regressed": {"IN-C-001@ent:QC-E01", "IN-C-002@ind:key_enterprise_audit_rate"},
    "new": {"IN-C-001@ent:QC-E99",
            # folded into the unmet audit rate (listed, not counted)
            "IM-P-005@IN-C-002@ind:key_enterprise_audit_rate", "PL-P-006@ind:key_enterprise_audit_rate"},
    "persisting": {"IN-P-004@ent:QC-E03", "PL-C-004@task:K14", "PL-C-013@plan", "PL-P-009@ind:grid_factor_excess",
                   "PL-P-011@ind:green_industry_share", "IM-P-005@PC-C-003@ind:co2_per_tce",
                   "PC-C-031@ent:QC-E02"},
    "changed_severity": {"PC-C-003@ind:co2_per_tce"},
    "status_changed": {"IN-C-008@ind:waste_heat_recovery"},
    "resolved": {"PC-C-025@ind:reclaimed_water_rate", "IM-P-005@PC-C-025@ind:reclaimed_water_rate"},
    "improved": {"IM-C-011@ind:air_quality_good_days", "PL-C-009@ind:air_quality_good_days"},
    "added": {"IN-C-001@ent:QC-E98"},
    "dropped": {"IN-C-001@ent:QC-E12"},
    "proposed": {"IN-M-001", "PL-M-004"},
    "withdrawn": {"PC-M-031"},
}
FOLDED = {"IM-P-005@IN-C-002@ind:key_enterprise_audit_rate", "PL-P-006@ind:key_enterprise_audit_rate",
          "IM-P-005@PC-C-003@ind:co2_per_tce", "IM-P-005@PC-C-025@ind:reclaimed_water_rate"}


def _enterprise(data: dict, new_id: str, audited: bool) -> dict:
    e = copy.deepcopy(next(e for e in data["enterprises"] if e["id"] == "QC-E12"))
    e["id"], e["name"] = new_id, f"{new_id} 示例公司"
    if not audited:
        e["cp_audit"] = "none"
        e.pop("cp_audit_year")
    return e


def _cycles() -> tuple[dict, dict]:
    """The park file of each cycle, as data."""
    base = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    first = copy.deepcopy(base)
    del first["years"][3]["air_quality_good_days"]
    second = copy.deepcopy(base)
    y = second["years"][3]
    y["water"]["reclaimed_used"] = "500 万m3"
    del y["waste_heat_recovery"]
    e01 = next(e for e in second["enterprises"] if e["id"] == "QC-E01")
    e01["cp_audit"] = "none"
    e01.pop("cp_audit_year")
    second["enterprises"] = ([e for e in second["enterprises"] if e["id"] != "QC-E12"]
                             + [_enterprise(base, "QC-E98", True), _enterprise(base, "QC-E99", False)])
    return first, second


@pytest.fixture(scope="module")
def rules_101(tmp_path_factory) -> Path:
    """A copy of rules/ as version 1.0.1 with PC-C-003's severity raised from medium to high."""
    root = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(DEFAULT_RULES, root, ignore=shutil.ignore_patterns("releases"))
    manifest = root / "ruleset.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.0.1"),
                        encoding="utf-8")
    rule = root / "pollution_carbon" / "PC-C-003_zero_carbon_core_tier1.yaml"
    text = rule.read_text(encoding="utf-8")
    assert "severity: medium" in text
    rule.write_text(text.replace("severity: medium", "severity: high"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cycles(rules_101, tmp_path_factory):
    """(result 1, result 2, park 1, park 2, file 1, file 2)."""
    first, second = _cycles()
    p1, p2 = park_from_data(first, file="cycle1.yaml"), park_from_data(second, file="cycle2.yaml")
    r1 = Assessor().assess(p1)
    r2 = Assessor(RulesetRegistry([rules_101])).assess(p2)
    tmp = tmp_path_factory.mktemp("cycles")
    f1, f2 = tmp / "cycle1.yaml", tmp / "cycle2.yaml"
    f1.write_text(yaml.safe_dump(first, allow_unicode=True), encoding="utf-8")
    f2.write_text(yaml.safe_dump(second, allow_unicode=True), encoding="utf-8")
    return r1, r2, p1, p2, f1, f2


def test_each_category_is_exactly_what_changed(cycles):
    r1, r2, *_ = cycles
    d = diff_results(r1, r2)
    got: dict[str, set] = {}
    for e in d["findings"]:
        got.setdefault(e["category"], set()).add(e["id"])
    assert got == EXPECTED
    assert {e["id"] for e in d["findings"] if e["folded_into"]} == FOLDED
    # counts leave out what is folded into another finding; met -> met is counted, never listed
    assert {c: n for c, n in d["counts"].items() if c != "unchanged"} == \
        {c: len(EXPECTED.get(c, set()) - FOLDED) for c in CATEGORIES if c != "unchanged"}
    then = {f["id"]: f for f in r1["findings"]}
    same = [f for f in r2["findings"] if f["id"] in then and not f.get("folded_into")
            and (f["kind"] == "measure" or ((f["status"], f["severity"]) == (then[f["id"]]["status"],
                                                                              then[f["id"]]["severity"])
                                            and f["status"] in ("met", "not_applicable")))]
    assert d["counts"]["unchanged"] == len(same) > 100
    assert not {f["id"] for f in same} & {e["id"] for e in d["findings"]}
    regressed = next(e for e in d["findings"] if e["id"] == "IN-C-001@ent:QC-E01")
    assert regressed["before"] == {"status": "met", "severity": "info"}
    assert regressed["after"] == {"status": "not_met", "severity": "high"}
    sev = next(e for e in d["findings"] if e["category"] == "changed_severity")
    assert (sev["before"]["severity"], sev["after"]["severity"]) == ("medium", "high")
    assert d["before"]["ruleset"] == "1.0.0" and d["after"]["ruleset"] == "1.0.1" and d["same_ruleset"] is False
    assert d["summary"]["after"]["compliance_rate"] == r2["summary"]["compliance_rate"]


def test_indicator_movement_is_the_arithmetic(cycles):
    r1, r2, *_ = cycles
    by_id = {e["id"]: e for e in diff_results(r1, r2)["findings"]}
    (m,) = by_id["PC-C-025@ind:reclaimed_water_rate"]["indicators"]
    assert m["indicator"] == "reclaimed_water_rate" and m["unit"] == "%" and m["change_unit"] == "pp"
    assert m["before"] == pytest.approx(430 / (430 + 1045) * 100, rel=1e-8)         # 29.15 %
    assert m["after"] == pytest.approx(500 / (500 + 1045) * 100, rel=1e-8)          # 32.36 %
    assert m["change"] == pytest.approx(500 / 1545 * 100 - 430 / 1475 * 100, rel=1e-6)
    assert (m["year_before"], m["year_after"]) == (2024, 2024)
    (m,) = by_id["IN-C-002@ind:key_enterprise_audit_rate"]["indicators"]
    assert (m["before"], m["after"], m["change"]) == (pytest.approx(100.0), pytest.approx(75.0), pytest.approx(-25.0))
    # unknown is not zero: a value not reported, and the change from it, stay unknown
    (m,) = by_id["IN-C-008@ind:waste_heat_recovery"]["indicators"]
    assert (m["before"], m["after"], m["change"]) == (pytest.approx(71.0), None, None)
    (m,) = by_id["IM-C-011@ind:air_quality_good_days"]["indicators"]
    assert (m["before"], m["after"], m["change"]) == (None, pytest.approx(84.0), None)
    # a tier indicator's input rides along: energy total unchanged, change 0 in tce
    co2 = {x["indicator"]: x for x in by_id["PC-C-003@ind:co2_per_tce"]["indicators"]}
    assert set(co2) == {"co2_per_tce", "energy_total_tce"} and co2["energy_total_tce"]["change"] == 0
    assert by_id["PC-M-031"]["indicators"][0]["indicator"] == "reclaimed_water_rate"


def test_the_category_table():
    assert [category("compliance", *x) for x in (
        (None, "not_met"), (None, "insufficient_data"), (None, "met"), ("not_met", None), ("problem", None),
        ("met", None), ("not_met", "met"), ("met", "not_met"), ("insufficient_data", "met"),
        ("not_met", "insufficient_data"), ("not_met", "not_applicable"), ("met", "met"))] == [
        "new", "new", "added", "resolved", "resolved", "dropped", "resolved", "regressed", "improved",
        "status_changed", "status_changed", "unchanged"]
    assert category("compliance", "not_met", "not_met", "medium", "high") == "changed_severity"
    assert category("compliance", "insufficient_data", "insufficient_data", "medium", "medium") == "persisting"
    assert [category("measure", *x) for x in ((None, "recommended"), ("recommended", None),
                                               ("recommended", "recommended"))] == ["proposed", "withdrawn",
                                                                                    "unchanged"]


def test_two_parks_are_refused(cycles):
    r1, *_ = cycles
    other = Assessor().assess(park_from_data(yaml.safe_load((ROOT / "examples" / "coal_chemical_park.yaml")
                                                            .read_text(encoding="utf-8")), file="c.yaml"))
    with pytest.raises(ParkMismatch, match="different parks.*qingchenghu-htz-demo.*jinshawan-coalchem-demo"):
        diff_results(r1, other)


def test_since_last_prose_is_fit_to_publish(cycles):
    from engine.render.since_last import render_since_last, subject_names
    r1, r2, p1, p2, *_ = cycles
    d = diff_results(r1, r2)
    for lang in ("zh", "en"):
        names = subject_names([r1, r2], [p1, p2], lang)
        md = render_since_last(d, fmt="markdown", lang=lang, names=names)
        assert scan(md.replace("**", ""), lang) == [], md
        html = render_since_last(d, fmt="html", lang=lang, names=names)
        assert html.startswith('<section class="since-last"') and html.count('data-category="') == 11
    md = render_since_last(d, fmt="markdown", lang="zh", names=subject_names([r1, r2], [p1, p2], "zh"))
    assert md.startswith("## 与上次评估相比\n")
    assert "退步 2 项，新出现 1 项，仍未解决 6 项，严重度变化 1 项，状态变化 1 项，已解决 1 项" in md
    assert ("- **再生水（中水）回用率达到基准**：未达标 → 达标；再生水（中水）回用率 29.2% → 32.4%"
            "（+3.2 个百分点）。") in md
    assert "（QC-E99 示例公司）：无此项 → 未达标。" in md                 # the enterprise by its name
    assert "余热资源回收利用率 71.0% → 未知。" in md                      # no change computed from an unknown
    assert "严重度 中 → 高" in md and "两次评估所用的规则集或基准配置不同" in md
    en = render_since_last(d, fmt="markdown", lang="en")
    assert "Cleaner-production audit rate of key enterprises 100.0% → 75.0% (-25.0 points)" in en
    later = copy.deepcopy(d)                 # data years that differ are named
    for e in later["findings"]:
        for m in e["indicators"]:
            m["year_before"] = 2023
    assert "再生水（中水）回用率 2023 年 29.2% → 2024 年 32.4%（+3.2 个百分点）" in render_since_last(later)
    assert "Reclaimed-water reuse rate 29.2% in 2023 → 32.4% in 2024 (+3.2 points)" in render_since_last(later, lang="en")


def test_cli_diff(cycles, rules_101):
    from cli import app
    r1, r2, p1, p2, f1, f2 = cycles
    runner = CliRunner()
    out = runner.invoke(app, ["diff", "--help"])
    assert out.exit_code == 0 and "Compare two assessments of the same park" in out.stdout
    out = runner.invoke(app, ["diff", str(f1), str(f2), "-f", "json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["before"]["label"] == "cycle1.yaml" and d["counts"]["resolved"] == 1 and d["counts"]["regressed"] == 2
    assert d["counts"]["changed_severity"] == 0        # both under 1.0.0 here: PC-C-003 persists
    assert "PC-C-003@ind:co2_per_tce" in {e["id"] for e in d["findings"] if e["category"] == "persisting"}
    out = runner.invoke(app, ["diff", str(f1), str(f2), "-f", "markdown", "--lang", "en"])
    assert out.exit_code == 0 and out.stdout.startswith("## Since the last assessment\n")
    out = runner.invoke(app, ["diff", str(f1), str(f2)])
    assert out.exit_code == 0 and "与上次评估相比" in out.stdout and "退步（上次达标，本次未达标）" in out.stdout
    for args, message in (([str(f1), str(ROOT / "examples" / "coal_chemical_park.yaml")], "different parks"),
                          ([str(f1), str(f2.parent / "nope.yaml")], "nope.yaml: no such park file"),
                          ([str(f1), "d_0000", "--db-url", f"sqlite:///{f1.parent / 'none.db'}"], "no decision log")):
        out = runner.invoke(app, ["diff", *args])
        assert out.exit_code == 2 and message in out.stderr and "Traceback" not in out.output, out.output


def test_cli_diff_of_logged_decisions(tmp_path, cycles):
    """Decision ids from the log (`--db-url`) compare like files, and mix with them."""
    from cli import app
    from test_dossier import _log
    r1, r2, p1, p2, f1, f2 = cycles
    db_url = f"sqlite:///{tmp_path / 'log.db'}"
    a, b = _log(db_url, r1, p1), _log(db_url, r2, p2)
    out = CliRunner().invoke(app, ["diff", a, b, "--db-url", db_url, "-f", "json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert (d["before"]["label"], d["after"]["label"]) == (a, b) and d["before"]["decision_id"] == a
    assert {c: d["counts"][c] for c in ("regressed", "changed_severity", "resolved")} == \
        {"regressed": 2, "changed_severity": 1, "resolved": 1}
    out = CliRunner().invoke(app, ["report", str(f2), "--previous", a, "--db-url", db_url, "-f", "markdown"])
    assert out.exit_code == 0 and "## 二、与上次评估相比" in out.stdout, out.output
    out = CliRunner().invoke(app, ["diff", a, "d_nope", "--db-url", db_url])
    assert out.exit_code == 2 and "no decision 'd_nope'" in out.stderr


def test_report_with_previous(cycles):
    from cli import app
    from engine.render.dossier import render_report
    r1, r2, p1, p2, f1, f2 = cycles
    md = render_report(r2, fmt="markdown", lang="zh", park=p2, previous=r1, previous_park=p1).decode()
    assert "## 二、与上次评估相比" in md and "**已解决**" in md and "## 三、" in md
    html = render_report(r2, fmt="html", lang="en", park=p2, previous=r1).decode()
    assert '<section class="major" id="since_last">' in html and "Since the last assessment" in html
    assert 'id="since_last"' not in render_report(r2, fmt="html", lang="en", park=p2).decode()
    out = CliRunner().invoke(app, ["report", str(f2), "--previous", str(f1), "-f", "markdown", "--lang", "en"])
    assert out.exit_code == 0 and "## 2. Since the last assessment" in out.stdout, out.output
    out = CliRunner().invoke(app, ["report", str(f2), "--previous", str(ROOT / "examples" / "coal_chemical_park.yaml"),
                                   "-f", "markdown"])
    assert out.exit_code == 2 and "only the same park's earlier assessments compare" in out.stderr


def test_diff_route(tmp_path, cycles):
    """Two logged decisions compared: JSON (the same diff as the function), Markdown and HTML; the
    visibility of reading a decision (another caller's id 404); 422 for two parks."""
    from fastapi.testclient import TestClient
    from engine.service.app import create_app
    from engine.service.config import Settings
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    from test_dossier import _log
    from test_service_app import FakePool
    r1, r2, p1, p2, *_ = cycles
    other = Assessor().assess(park_from_data(yaml.safe_load((ROOT / "examples" / "coal_chemical_park.yaml")
                                                            .read_text(encoding="utf-8")), file="c.yaml"))
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    app = create_app(Settings(db_url=db_url, auth=True), pool=FakePool(db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = KeyStore(make_engine(db_url))
        (owner, token), (_, other_token), (_, regulator) = (keys.create("portal", "owner"), keys.create("portal", "x"),
                                                            keys.create("regulator", "supervisor"))
        a, b = _log(db_url, r1, p1, key_id=owner), _log(db_url, r2, p2, key_id=owner)
        c = _log(db_url, other, p1, key_id=owner)

        def get(x: str, y: str, tok: str = token, **params: str):
            return client.get(f"/v1/assessments/{x}/diff/{y}", params=params, headers={"Authorization": f"Bearer {tok}"})
        r = get(a, b)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", r.text
        body = r.json()
        expected = json.loads(json.dumps(diff_results({"decision_id": a, **r1}, {"decision_id": b, **r2},
                                                      labels=(a, b)), ensure_ascii=False))
        assert body == expected and body["before"]["decision_id"] == a
        assert {e["id"] for e in body["findings"] if e["category"] == "regressed"} == EXPECTED["regressed"]
        r = get(a, b, regulator, format="markdown", lang="en")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
        assert r.text.startswith("## Since the last assessment") and "**Resolved**" in r.text
        r = get(a, b, format="html")
        assert r.status_code == 200 and r.text.startswith('<section class="since-last"')
        for status, r in ((404, get(a, b, other_token)), (404, get(a, "d_unknown")), (422, get(a, c)),
                          (422, get(a, b, format="pdf"))):
            assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
        assert "different parks" in get(a, c).json()["detail"]
        doc = client.get("/openapi.json").json()["paths"]["/v1/assessments/{decision_id}/diff/{other_id}"]["get"]
        assert {"application/json", "text/markdown", "text/html"} <= set(doc["responses"]["200"]["content"])


def test_through_the_real_server(tmp_path):
    """`greenpark serve` with its worker processes: two cycles posted by a planner, compared by
    GET .../diff/...; a regulator's POST /v1/replays under the version they were made with finds
    no difference and logs nothing."""
    import httpx
    from service_support import make_key, start_server
    db_url = f"sqlite:///{tmp_path / 'log.db'}"
    (_, planner), (_, regulator) = make_key(db_url, "planner", "p"), make_key(db_url, "regulator", "r")
    server = start_server(db_url, tmp_path, args=["--workers", "1"])
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            hp, hr = {"Authorization": f"Bearer {planner}"}, {"Authorization": f"Bearer {regulator}"}
            posted = [client.post("/v1/assessments", json=c, headers=hp) for c in _cycles()]
            assert [r.status_code for r in posted] == [200, 200], posted[0].text
            (r1, a), (r2, b) = [(r.json(), r.json()["decision_id"]) for r in posted]
            r = client.get(f"/v1/assessments/{a}/diff/{b}", headers=hp)
            assert r.status_code == 200 and r.json() == json.loads(json.dumps(diff_results(r1, r2, labels=(a, b))))
            counts = r.json()["counts"]
            assert (counts["regressed"], counts["resolved"], counts["new"], counts["improved"]) == (2, 1, 1, 2)
            r = client.get(f"/v1/assessments/{a}/diff/{b}", headers=hr, params={"format": "html", "lang": "en"})
            assert r.status_code == 200 and "<h3 data-category=\"regressed\">" in r.text
            listed = client.get("/v1/assessments", headers=hr).json()["total"]
            r = client.post("/v1/replays", json={"ruleset": "1.0.0"}, headers=hr)
            assert r.status_code == 200, r.text
            report = r.json()
            assert [p["decision_id"] for p in report["parks"]] == [b]       # the park's latest decision
            assert report["summary"]["parks_affected"] == 0 and report["summary"]["findings_differing"] == 0
            assert client.get("/v1/assessments", headers=hr).json()["total"] == listed == 2
            assert client.post("/v1/replays", json={"ruleset": "1.0.0"}, headers=hp).status_code == 403
    finally:
        server.stop()
