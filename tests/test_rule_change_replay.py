"""Rule-change impact (`greenpark replay`, `POST /v1/replays`, engine/cycles/replay.py): a stored
portfolio re-assessed under a second ruleset version reports exactly the findings that differ.

The second version is a frozen release of the rules (`releases/1.1.0`, with its own knowledge
snapshot) where one threshold is deliberately changed: the MIIT reclaimed-water reuse benchmark
(MIIT-RG8) drops from 30 % to 12 %: the strong park (29.2 %) and the municipal park (14.8 %) now
meet it, the coal chemical park (70.3 %) met it before. The expected differences are computed independently of the
diff code: each example park assessed under both versions, findings compared by id on (status,
severity).
"""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from engine.assessment import Assessor
from engine.facts.loader import load_park
from engine.rules import packs
from engine.rules.packs import RulesetRegistry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("coal_chemical_park", "strong_hightech_park", "typical_municipal_park")


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> Path:
    """tmp/rules: a copy of rules/ (1.0.0) with releases/1.1.0 beside it, MIIT-RG8 at 12 %."""
    rules = tmp_path_factory.mktemp("trees") / "rules"
    shutil.copytree(packs.DEFAULT_RULES, rules, ignore=shutil.ignore_patterns("releases"))
    release = rules / "releases" / "1.1.0"
    shutil.copytree(packs.DEFAULT_RULES, release, ignore=shutil.ignore_patterns("releases"))
    shutil.copytree(ROOT / "knowledge", release / "knowledge")
    manifest = release / "ruleset.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0"),
                        encoding="utf-8")
    bench = release / "knowledge" / "benchmarks.yaml"
    text = bench.read_text(encoding="utf-8")
    old = "  - id: MIIT-RG8\n    framework: miit_green_park_2016\n    indicator: reclaimed_water_rate\n" \
          "    name: {zh: 中水回用率, en: Reclaimed-water reuse rate}\n    operator: \">=\"\n    value: 30\n"
    assert text.count(old) == 1
    bench.write_text(text.replace(old, old.replace("value: 30", "value: 12")), encoding="utf-8")
    return rules


@pytest.fixture(scope="module")
def portfolio(trees):
    """{example: (result under 1.0.0, result under 1.1.0, park)} and the expected differences per
    park id: {"appears": ids, "disappears": ids, "changes": ids}."""
    registry = RulesetRegistry([trees, trees / "releases" / "1.1.0"])
    assessor = Assessor(registry)
    out, expected = {}, {}
    for name in EXAMPLES:
        park = load_park(ROOT / "examples" / f"{name}.yaml")
        old, new = assessor.assess(park, ruleset="1.0.0"), assessor.assess(park, ruleset="1.1.0")
        assert old["ruleset"]["digest"] != new["ruleset"]["digest"]
        out[name] = (old, new, park)
        a = {f["id"]: (f["status"], f["severity"]) for f in old["findings"]}
        b = {f["id"]: (f["status"], f["severity"]) for f in new["findings"]}
        expected[old["park_id"]] = {"appears": set(b) - set(a), "disappears": set(a) - set(b),
                                    "changes": {i for i in set(a) & set(b) if a[i] != b[i]}}
    return out, expected


def _ids(park: dict) -> dict:
    return {w: {line["id"] for line in park[w]} for w in ("appears", "disappears", "changes")}


def _store(db_url: str, portfolio, key_id: str | None = None) -> dict[str, str]:
    """Log each example's 1.0.0 result as a decision (the strong park twice: the later one is its
    latest); returns park id -> latest decision id."""
    from test_dossier import _log
    results, _ = portfolio
    latest = {}
    for name in EXAMPLES:
        old, _, park = results[name]
        latest[old["park_id"]] = _log(db_url, old, park, key_id=key_id)
    strong = results["strong_hightech_park"]
    latest[strong[0]["park_id"]] = _log(db_url, strong[0], strong[2], key_id=key_id)
    return latest


def _rows(db_url: str) -> int:
    from sqlalchemy import func, select
    from engine.service.db import decisions, make_engine
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(decisions)).scalar_one()
    finally:
        engine.dispose()


def _check(report: dict, expected: dict, latest: dict) -> None:
    """The report lists exactly the expected differences, per park and summed per rule."""
    assert report["ruleset"] == "1.1.0"
    assert {p["park_id"] for p in report["parks"]} == set(expected)
    for p in report["parks"]:
        assert p["decision_id"] == latest[p["park_id"]]
        assert _ids(p) == expected[p["park_id"]], p["park_id"]
        assert p["affected"] == any(expected[p["park_id"]].values())
    per_rule: Counter = Counter()
    for park_id, e in expected.items():
        for what, ids in e.items():
            for i in ids:
                per_rule[(i.split("@")[0], what)] += 1
    got = Counter({(r["rule"], w): r[w] for r in report["summary"]["by_rule"]
                   for w in ("appears", "disappears", "changes") if r[w]})
    assert got == per_rule
    s = report["summary"]
    assert s["parks"] == 3 and s["parks_failed"] == 0
    assert s["parks_affected"] == sum(any(e.values()) for e in expected.values())
    assert s["findings_differing"] == sum(len(ids) for e in expected.values() for ids in e.values())


def test_the_changed_threshold_changes_verdicts(portfolio):
    """The test is not vacuous: the reclaimed-water verdicts of two parks turn met, with their
    diagnoses and measures gone; the third park is untouched."""
    _, expected = portfolio
    for park_id in ("qingchenghu-htz-demo", "yuze-municipal-demo"):
        assert "PC-C-025@ind:reclaimed_water_rate" in expected[park_id]["changes"]
        assert "IM-P-005@PC-C-025@ind:reclaimed_water_rate" in expected[park_id]["disappears"]
    assert not any(expected["jinshawan-coalchem-demo"].values())


def test_replay_park_in_the_other_direction(portfolio):
    """From 1.1.0 back to 1.0.0 what disappeared appears again, and the changes change back."""
    from engine.cycles.replay import portfolio_report, replay_park
    results, expected = portfolio
    old, new, _ = results["strong_hightech_park"]
    back = replay_park("d_x", new, old)
    e = expected[old["park_id"]]
    assert _ids(back) == {"appears": e["disappears"], "disappears": e["appears"], "changes": e["changes"]}
    line = next(x for x in back["changes"] if x["id"] == "PC-C-025@ind:reclaimed_water_rate")
    assert line["before"]["status"] == "met" and line["after"]["status"] == "not_met"
    assert line["indicators"][0]["indicator"] == "reclaimed_water_rate" and line["indicators"][0]["change"] == 0
    summary = portfolio_report("1.0.0", [back])["summary"]
    assert summary["parks_affected"] == 1
    assert summary["by_rule"][0]["rule"] in {x.split("@")[0] for x in e["disappears"] | e["changes"]}


def test_cli_replay_reports_exactly_the_differences(tmp_path, trees, portfolio):
    from cli import app
    db_url = f"sqlite:///{tmp_path / 'log.db'}"
    latest = _store(db_url, portfolio)
    rows = _rows(db_url)
    release = str(trees / "releases" / "1.1.0")
    runner = CliRunner()
    out = runner.invoke(app, ["replay", "--help"])
    assert out.exit_code == 0 and "Rule-change impact" in out.stdout
    out = runner.invoke(app, ["replay", "--ruleset", "1.1.0", "--rules-dir", release, "--db-url", db_url, "-f", "json"])
    assert out.exit_code == 0, out.output
    _check(json.loads(out.stdout), portfolio[1], latest)
    assert _rows(db_url) == rows                                  # nothing written to the log
    out = runner.invoke(app, ["replay", "--ruleset", "1.1.0", "--rules-dir", release, "--db-url", db_url,
                              "--park", "qingchenghu-htz-demo", "-f", "json"])
    report = json.loads(out.stdout)
    assert [p["park_id"] for p in report["parks"]] == ["qingchenghu-htz-demo"] and report["summary"]["parks"] == 1
    out = runner.invoke(app, ["replay", "--ruleset", "1.1.0", "--rules-dir", release, "--db-url", db_url,
                              "-f", "markdown", "--lang", "en"])
    assert out.exit_code == 0 and out.stdout.startswith("# Impact of the rule change\n")
    assert "| Reclaimed-water reuse rate meets the benchmark | 0 | 0 | 2 | 2 |" in out.stdout
    out = runner.invoke(app, ["replay", "--ruleset", "1.1.0", "--rules-dir", release, "--db-url", db_url])
    assert out.exit_code == 0 and "规则变更影响" in out.stdout and "再生水（中水）回用率达到基准" in out.stdout
    for args, message in ((["--ruleset", "9.9.9"], "9.9.9"), (["--ruleset", "1.1.0", "--park", "nope"], "'nope'"),
                          (["--ruleset", "1.1.0", "--db-url", f"sqlite:///{tmp_path / 'none.db'}"], "no decision log")):
        argv = ["replay", "--rules-dir", release, *(["--db-url", db_url] if "--db-url" not in args else []), *args]
        out = runner.invoke(app, argv)
        assert out.exit_code == 2 and message in out.stderr and "Traceback" not in out.output, out.output


class _InlinePool:
    """The worker's task handler (`engine.service.worker.handle`) run in this process: the real
    assessment path, without worker processes."""

    def __init__(self) -> None:
        from engine.service.pool import PoolStats
        self.stats, self.ready_count, self.busy_count, self.waiting = PoolStats(), 1, 0, 0
        self.assessor = Assessor(RulesetRegistry())
        self.calls: list[tuple] = []

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, body: bytes, ruleset: str | None, crash: str | None = None, profile: str | None = None,
                     decision: dict | None = None, **_: object) -> tuple:
        from engine.service.worker import handle
        self.calls.append((ruleset, profile, decision))
        return handle(self.assessor, body, ruleset, profile)


def test_post_replays(tmp_path, trees, portfolio, monkeypatch):
    """POST /v1/replays: regulators only; the same report as the CLI; 404 for an unknown version
    or park; 422 for a body the schema refuses; nothing logged."""
    from fastapi.testclient import TestClient
    from engine.service.app import create_app
    from engine.service.config import Settings
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    monkeypatch.setattr(packs, "DEFAULT_RULES", trees)         # the server's versions: 1.0.0 and 1.1.0
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    pool = _InlinePool()
    app = create_app(Settings(db_url=db_url, auth=True), pool=pool)
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = KeyStore(make_engine(db_url))
        (_, regulator), (portal_id, portal) = keys.create("regulator", "supervisor"), keys.create("portal", "owner")
        latest = _store(db_url, portfolio, key_id=portal_id)
        rows = _rows(db_url)

        def post(body: object, tok: str = regulator):
            return client.post("/v1/replays", json=body, headers={"Authorization": f"Bearer {tok}"})
        r = post({"ruleset": "1.1.0"})
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", r.text
        _check(r.json(), portfolio[1], latest)
        assert {c[0] for c in pool.calls} == {"1.1.0"} and {c[1] for c in pool.calls} == {"default"}
        assert all(c[2] is None for c in pool.calls) and _rows(db_url) == rows       # not logged
        r = post({"ruleset": "1.1.0", "parks": ["jinshawan-coalchem-demo"]})
        assert r.status_code == 200 and [p["park_id"] for p in r.json()["parks"]] == ["jinshawan-coalchem-demo"]
        for status, r in ((403, post({"ruleset": "1.1.0"}, portal)), (404, post({"ruleset": "9.9.9"})),
                          (404, post({"ruleset": "1.1.0", "parks": ["nope"]})), (422, post({"ruleset": "1.1.0", "x": 1})),
                          (422, post({"parks": []}))):
            assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
        h = {"Authorization": f"Bearer {regulator}"}
        for status, r in ((400, client.post("/v1/replays", content=b'{"ruleset": ', headers=h)),
                          (415, client.post("/v1/replays", content=b'{"ruleset": "1.1.0"}',
                                            headers={**h, "Content-Type": "text/plain"})),
                          (422, client.post("/v1/replays", content=b'{"ruleset": "1.1.0", "ruleset": "1.0.0"}',
                                            headers=h))):
            assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
        assert client.post("/v1/replays", json={"ruleset": "1.1.0"}).status_code == 401
        doc = client.get("/openapi.json").json()["paths"]["/v1/replays"]["post"]
        assert {"400", "401", "403", "404", "413", "415", "422", "503"} <= set(doc["responses"])
        assert list(doc["requestBody"]["content"]) == ["application/json"]
