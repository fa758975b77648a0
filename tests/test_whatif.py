"""What-if (engine/cycles/whatif.py): `greenpark whatif` and `POST /v1/whatif` - which findings
flip and how the summary moves when facts change or plan tasks are done; never logged.

The hand-checked flip, on examples/typical_municipal_park.yaml, data year 2024 (years[2]):
energy total = Σ carrier × GB/T 2589 coefficient
  = 46,000 t coal × 0.7143 (32,857.8) + 52,000,000 m3 gas × 0.0012143 (63,143.6)
  + 7,800 t diesel × 1.4571 (11,365.38) + 2,900 t gasoline × 1.4714 (4,267.06)
  + 1,500 t LPG × 1.7143 (2,571.45) + (1,050,000 + 26,000) MWh electricity × 0.1229 (132,240.4)
  = 246,445.69 tce (coke, fuel oil, heat: reported 0); green electricity is part of the purchased
electricity, so changing it leaves the total alone.
renewable_share = (green 40,000 + on-site 26,000) MWh × 0.1229 ÷ 246,445.69 × 100 = 3.29 %, below
the 15 % benchmark of PC-C-001 (not met). Met needs (g + 26,000) × 0.1229 ≥ 0.15 × 246,445.69,
i.e. g ≥ 274,788 MWh: with 280 GWh the share is 306,000 × 0.1229 ÷ 246,445.69 = 15.26 % (met);
with 270 GWh it is 296,000 × 0.1229 ÷ 246,445.69 = 14.76 % (still not met).
"""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app

PARK = "examples/typical_municipal_park.yaml"
SHARE = "PC-C-001@ind:renewable_share"
GREEN = "years[year=2024].energy.green_electricity"
runner = CliRunner()


def _whatif(*args: str) -> dict:
    r = runner.invoke(app, ["whatif", PARK, *args, "-f", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _flip(w: dict, fid: str) -> dict | None:
    return next((e for e in w["flips"] if e["id"] == fid), None)


@pytest.fixture(scope="module")
def green_280() -> dict:
    return _whatif("--set", f"{GREEN}=280 GWh")


def test_renewable_share_flips_to_met_at_the_computed_threshold(green_280):
    w = green_280
    assert w["simulation"] is True
    flip = _flip(w, SHARE)
    assert flip["category"] == "resolved"
    assert flip["before"]["status"] == "not_met" and flip["after"]["status"] == "met"
    share = next(m for m in flip["indicators"] if m["indicator"] == "renewable_share")
    assert share["before"] == pytest.approx(66_000 * 0.1229 / 246_445.69 * 100)      # 3.29 %
    assert share["after"] == pytest.approx(306_000 * 0.1229 / 246_445.69 * 100)      # 15.26 %
    assert share["name"]["en"] == "Renewable share of energy consumption"
    assert w["changes"] == [{"path": GREEN, "at": "years[2].energy.green_electricity", "before": 40_000.0,
                             "after": 280_000.0, "unit": "MWh", "change": "set"}]
    # just below the threshold the check stays not met: no flip
    assert _flip(_whatif("--set", f"{GREEN}=270 GWh"), SHARE) is None


def test_summary_moves_by_the_flips(green_280):
    s = green_280["summary"]
    before, after, change = s["before"], s["after"], s["change"]
    assert change["by_status"]["met"] == 1 and change["by_status"]["not_met"] == -1
    assert after["decided"] == before["decided"] and change["coverage"] == 0
    # compliance rate = met ÷ decided, the data-completeness checks counted apart: 30/71 = 42.3 % ->
    # 31/71 = 43.7 %
    assert (before["compliance_rate"], after["compliance_rate"], change["compliance_rate"]) == (42.3, 43.7, 1.4)
    assert "31 项达标（43.7%）" in after["conclusion"]["zh"] and "30 项达标（42.3%）" in before["conclusion"]["zh"]
    assert green_280["counts"]["resolved"] >= 1


def test_task_done_resolves_its_delay_problem():
    w = _whatif("--done", "K03")           # K03 is delayed in the park file
    flip = _flip(w, "IM-P-007@task:K03")
    assert flip["category"] == "resolved" and flip["before"]["status"] == "problem" and flip["after"] is None
    assert w["changes"] == [{"path": "plan.tasks[2].status", "at": "plan.tasks[2].status", "before": "delayed",
                             "after": "done", "unit": None, "change": "set"}]
    assert w["summary"]["change"]["by_status"]["problem"] < 0


def test_overrides_file_and_markdown(tmp_path):
    f = tmp_path / "changes.yaml"
    f.write_text(f"overrides:\n  '{GREEN}': 280000\ntasks_done: [K03]\n", encoding="utf-8")   # bare: MWh
    r = runner.invoke(app, ["whatif", PARK, "--overrides", str(f), "-f", "markdown", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "a simulation, not an assessment decision; not written to the decision log" in r.stdout
    assert f"| {GREEN} | 40 GWh | 280 GWh |" in r.stdout
    assert "| resolved | Renewable energy share meets the benchmark | not met → met |" in r.stdout
    r = runner.invoke(app, ["whatif", PARK, "--overrides", str(f)])            # the terminal table, zh
    assert r.exit_code == 0 and "模拟结果，不是评估决定，未写入决定日志" in r.stdout


@pytest.mark.parametrize("args, line", [
    (["--set", "years[2].energy.coal=-5"], "error: overrides: years[2].energy.coal: must be >= 0 (got '-5 t')"),
    (["--set", "years[2].energy.coal=5 kWh"],
     "error: overrides: years[2].energy.coal: unit 'kWh' is not a mass unit (use one of t, kg, 万t, 亿t)"),
    (["--set", "years[5].energy.coal=5"],
     "error: overrides: years[5]: no such item: years has 3 item(s) (indices 0-2)"),
    (["--done", "K99"], "error: overrides: tasks_done: no plan task 'K99' (tasks: K01, K02, K03, K04, K05, K06, "
                        "K07, K08, K09, K10, ...)"),
    (["--set", "years[2].energy.coal"], "error: --set: expected PATH=VALUE (e.g. years[2].energy.coal=\"7000 t\"), "
                                        "got 'years[2].energy.coal'"),
    ([], "error: nothing to simulate: give --set PATH=VALUE, --done TASK_ID or --overrides FILE"),
])
def test_bad_override_exits_2_naming_the_path(args, line):
    r = runner.invoke(app, ["whatif", PARK, *args])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [line]
    assert "Traceback" not in r.output


# ---- HTTP ----

class InProcessPool:
    """A pool that runs the real worker function (`worker.handle`) in this process, and records the
    decision each task asked to be logged under (a what-if must ask for none)."""

    def __init__(self) -> None:
        from engine.assessment import Assessor
        from engine.service.pool import PoolStats
        self.stats, self.ready_count, self.busy_count, self.waiting = PoolStats(), 1, 0, 0
        self.assessor, self.decisions = Assessor(), []

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, body, ruleset, crash=None, profile=None, decision=None, *, check=False,
                     max_result=None, reserve=None) -> tuple:
        from engine.service.worker import handle
        self.decisions.append(decision)
        return handle(self.assessor, body, ruleset, profile, max_result=max_result)


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    from fastapi.testclient import TestClient
    from engine.service.app import create_app
    from engine.service.config import Settings
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    db_url = f"sqlite:///{tmp_path_factory.mktemp('whatif') / 'd.db'}"
    pool = InProcessPool()
    app = create_app(Settings(db_url=db_url, auth=True), pool=pool)
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = KeyStore(make_engine(db_url))
        tokens = {role: keys.create(role, f"test {role}")[1] for role in ("planner", "portal", "regulator")}
        yield client, pool, tokens, app


def _park_json() -> dict:
    import yaml
    with open(PARK, encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_http_whatif_is_a_simulation_and_not_logged(http):
    client, pool, tokens, app = http
    body = {"park": _park_json(), "overrides": {GREEN: "280 GWh"}, "tasks_done": ["K03"]}
    for role in ("planner", "portal", "regulator"):
        pool.decisions.clear()
        r = client.post("/v1/whatif", json=body, params={"lang": "en"},
                        headers={"Authorization": f"Bearer {tokens[role]}"})
        assert r.status_code == 200, r.text
        assert r.headers["x-greenpark-simulation"] == "true" and r.headers["content-language"] == "en"
        w = r.json()
        assert w["simulation"] is True and "decision_id" not in w
        assert _flip(w, SHARE)["after"]["status"] == "met" and _flip(w, "IM-P-007@task:K03")["after"] is None
        assert pool.decisions == [None, None]          # two assessments, neither logged
    items, total = app.state.log.find(park_id=None, key_id=None, all_callers=True, limit=10, offset=0)
    assert total == 0
    assert client.post("/v1/whatif", json=body).status_code == 401


def test_http_bad_override_is_422_naming_the_path(http):
    client, pool, tokens, _ = http
    auth = {"Authorization": f"Bearer {tokens['planner']}"}

    def post(body: dict):
        r = client.post("/v1/whatif", json=body, headers=auth)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
        return r.json()["errors"]
    park = _park_json()
    pool.decisions.clear()
    assert post({"park": park, "overrides": {"years[2].energy.coal": -5}}) == [
        {"path": "overrides.years[2].energy.coal", "message": "must be >= 0 (got '-5 t')"}]
    assert post({"park": park, "overrides": {"years[2].energy.coall": "5 t"}}) == [
        {"path": "overrides.years[2].energy.coall", "message": "unknown field 'coall' (did you mean 'coal'?)"}]
    assert post({"park": park, "tasks_done": ["K99"]})[0]["path"] == "tasks_done"
    bad_park = {**park, "years": [{**park["years"][0], "energy": {"coal": "-1 t"}}]}
    assert post({"park": bad_park})[0]["path"] == "park.years[0].energy.coal"
    assert post({"park": park, "extra": 1})[0]["message"].startswith("keys: park (required)")
    assert pool.decisions == []                        # nothing reached the pool
    doc = client.get("/openapi.json").json()["paths"]["/v1/whatif"]["post"]
    assert "X-Greenpark-Simulation" in doc["responses"]["200"]["headers"]
    assert all("application/problem+json" in doc["responses"][c]["content"] for c in ("400", "401", "403", "422"))


@pytest.mark.parametrize("lang, removed, added", [
    ("zh", "| enterprises[id=YZ-E03] | 豫泽面粉有限公司（YZ-E03） | （移除） |",
     "| enterprises[id=YZ-E99] | （无，新增） | 豫泽新材料有限公司（YZ-E99） |"),
    ("en", "| enterprises[id=YZ-E03] | 豫泽面粉有限公司 (YZ-E03) | (removed) |",
     "| enterprises[id=YZ-E99] | (none: added) | 豫泽新材料有限公司 (YZ-E99) |")])
def test_an_enterprise_closed_and_one_opened_read_by_name(lang, removed, added):
    """The changes table names a whole item by its name and key, never as raw data."""
    new = ("enterprises[id=YZ-E99]={id: YZ-E99, name: 豫泽新材料有限公司, industry_code: C2614, "
           "energy_use: 52000 tce, output: 88000 万元, key_energy_user: true, above_scale: true}")
    r = runner.invoke(app, ["whatif", PARK, "--set", "enterprises[id=YZ-E03]=null", "--set", new,
                            "-f", "markdown", "--lang", lang])
    assert r.exit_code == 0, r.output
    assert removed in r.stdout and added in r.stdout and "{'id'" not in r.stdout
    w = json.loads(runner.invoke(app, ["whatif", PARK, "--set", "enterprises[id=YZ-E03]=null", "--set", new,
                                       "-f", "json"]).stdout)
    assert [c["change"] for c in w["changes"]] == ["removed", "added"]
    assert any(f["id"] == "IN-P-004@ent:YZ-E99" or f["id"].endswith("@ent:YZ-E99") for f in w["flips"])


def test_an_unreported_enterprise_list_is_reported_whole(tmp_path):
    """A park that did not report its enterprises: adding one by key is refused (it would read as
    the park's only enterprise); reporting the list empty turns the counts into real zeros."""
    import yaml
    data = yaml.safe_load(open(PARK, encoding="utf-8"))
    data.pop("enterprises")
    park = tmp_path / "no_enterprises.yaml"
    park.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = runner.invoke(app, ["whatif", str(park), "--set", "enterprises[id=E99]={id: E99, name: 新企业, "
                                                           "industry_code: C2614}", "-f", "json"])
    assert r.exit_code == 2 and "enterprises: is not reported (unknown)" in r.output
    r = runner.invoke(app, ["whatif", str(park), "--set", "enterprises=[]", "-f", "json"])
    assert r.exit_code == 0, r.output
    w = json.loads(r.stdout)
    assert [(c["before"], c["after"]) for c in w["changes"]] == [(None, [])]
    assert (_flip(w, "PL-C-027@park")["before"]["status"], _flip(w, "PL-C-027@park")["after"]["status"]) == (
        "insufficient_data", "met")
    audit = _flip(w, "IN-C-002@ind:key_enterprise_audit_rate")
    assert (audit["before"]["status"], audit["after"]["status"]) == ("insufficient_data", "not_applicable")
    md = runner.invoke(app, ["whatif", str(park), "--set", "enterprises=[]", "-f", "markdown"]).stdout
    assert "| enterprises | 未知 | （无） |" in md
