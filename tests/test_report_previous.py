"""`GET /v1/assessments/{id}/report?previous=...`: the dossier compared with the park's previous
logged decision (`greenpark report --previous`), on the two cycles of tests/test_diff.py.

The decisions are logged as every version of the service has stored them: result format 1 or 2,
compressed or JSON as it is (engine/service/decisions.py `unpack`).

`greenpark report --previous` checks the same at the command line: two decisions with the route's
`previous_problem`; a park file on either side for the same park id and data no later; each
refusal exits 2 with one line, Chinese then English.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from service_support import ROOT
from test_diff import _cycles, cycles, rules_101  # noqa: F401  (fixtures)

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)
SINCE_ZH, SINCE_EN = "## 二、与上次评估相比", "## 2. Since the last assessment"
# the previous figures of the reclaimed-water reuse rate (29.15 % -> 32.36 %, tests/test_diff.py)
MOVEMENT_ZH = "- **再生水（中水）回用率达到基准**：未达标 → 达标；再生水（中水）回用率 29.2% → 32.4%（+3.2 个百分点）。"


def _log(db_url: str, result: dict, park_data: dict, *, key_id: str | None, at: datetime, fmt: int,
         packed: bool) -> str:
    """Log `result` as a decision made at `at`, its result in format `fmt`, packed (zstd) or not."""
    from engine.result_format import as_format
    from engine.service.db import make_engine
    from engine.service.decisions import Decision, DecisionLog, pack
    decision_id = "d_" + os.urandom(16).hex()
    body = json.dumps({"decision_id": decision_id, **as_format(result, fmt)}, ensure_ascii=False).encode()
    data = json.dumps(park_data, ensure_ascii=False).encode()
    store = pack if packed else (lambda b: b)
    engine = make_engine(db_url)
    try:
        DecisionLog(engine).append(Decision(
            decision_id, at, key_id, result["park_id"], store(data), result["input_digest"],
            result["ruleset"]["versions"]["ruleset"], result["ruleset"]["versions"], result["ruleset"]["digest"],
            store(body)))
    finally:
        engine.dispose()
    return decision_id


@pytest.fixture
def served(tmp_path, cycles):  # noqa: F811
    """(get, ids): a client's GET of a report and the logged decisions: cycle 1 as format 1 JSON
    and as format 2 packed, cycle 2 likewise a day later, another caller's cycle 1, and the coal
    chemical park's decision."""
    from fastapi.testclient import TestClient
    from engine.assessment import Assessor
    from engine.facts.loader import park_from_data
    from engine.service.app import create_app
    from engine.service.config import Settings
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    from test_service_app import FakePool
    r1, r2, *_ = cycles
    first, second = _cycles()
    coal = yaml.safe_load((ROOT / "examples" / "coal_chemical_park.yaml").read_text(encoding="utf-8"))
    other_park = Assessor().assess(park_from_data(coal, file="coal.yaml"))
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    app = create_app(Settings(db_url=db_url, auth=True), pool=FakePool(db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = KeyStore(make_engine(db_url))
        (owner, token), (other, other_token), (_, regulator) = (
            keys.create("portal", "owner"), keys.create("portal", "other"), keys.create("regulator", "supervisor"))
        ids = {"a1": _log(db_url, r1, first, key_id=owner, at=T0, fmt=1, packed=False),
               "a2": _log(db_url, r1, first, key_id=owner, at=T0, fmt=2, packed=True),
               "b1": _log(db_url, r2, second, key_id=owner, at=T0 + timedelta(days=1), fmt=1, packed=False),
               "b2": _log(db_url, r2, second, key_id=owner, at=T0 + timedelta(days=1), fmt=2, packed=True),
               "theirs": _log(db_url, r1, first, key_id=other, at=T0, fmt=2, packed=True),
               "coal": _log(db_url, other_park, coal, key_id=owner, at=T0, fmt=2, packed=True)}
        tokens = {"owner": token, "other": other_token, "regulator": regulator}

        def get(decision: str, previous: str | None = None, who: str = "owner", **params: str):
            query = {**params, **({"previous": previous} if previous else {})}
            return client.get(f"/v1/assessments/{decision}/report", params=query,
                              headers={"Authorization": f"Bearer {tokens[who]}"})
        yield get, ids, client


@pytest.mark.parametrize("before,after", [("a1", "b1"), ("a1", "b2"), ("a2", "b1"), ("a2", "b2")])
def test_the_comparison_shows_the_previous_figures(served, before, after):
    """Whichever format each side was logged in, compressed or not, the section comes second
    with the indicators' figures then and now."""
    get, ids, _ = served
    r = get(ids[after], ids[before], format="markdown")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown"), r.text
    assert SINCE_ZH in r.text and "## 三、" in r.text and MOVEMENT_ZH in r.text
    assert "退步 2 项" in r.text and "（QC-E99 示例公司）：无此项 → 未达标。" in r.text   # the previous park's names
    assert SINCE_ZH not in get(ids[after], format="markdown").text                  # none without `previous`


def test_the_comparison_in_english_and_html(served):
    get, ids, _ = served
    r = get(ids["b2"], ids["a2"], format="markdown", lang="en")
    assert r.status_code == 200 and SINCE_EN in r.text and "29.2% → 32.4% (+3.2 points)" in r.text
    r = get(ids["b2"], ids["a1"], who="regulator")               # a regulator reads every caller's
    assert r.status_code == 200 and '<section class="major" id="since_last">' in r.text


def test_previous_is_read_like_the_decision(served):
    """Unknown, or another caller's: 404, as GET /v1/assessments/{id} would answer."""
    get, ids, _ = served
    for r in (get(ids["b2"], "d_unknown"), get(ids["b2"], ids["theirs"])):
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", r.text
        assert r.json()["type"].endswith("/decision-not-found")
    assert get(ids["b2"], ids["theirs"], who="regulator").status_code == 200


def test_another_park_or_a_later_decision_is_refused(served):
    """422 in Chinese and English, naming the parameter."""
    get, ids, _ = served
    r = get(ids["b2"], ids["coal"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert "属于园区 'jinshawan-coalchem-demo'" in detail and "only the same park's earlier assessments" in detail
    assert r.json()["errors"] == [{"path": "previous", "message": detail}]
    r = get(ids["a2"], ids["b2"])                               # previous logged after the decision
    assert r.status_code == 422 and "不早于决定" in r.json()["detail"] and "not before decision" in r.json()["detail"]
    r = get(ids["b2"], ids["b2"])                               # itself
    assert r.status_code == 422 and "itself" in r.json()["detail"] and "本身" in r.json()["detail"]
    assert get(ids["b2"], "x" * 65).status_code == 422           # longer than a decision id may be


def test_the_parameter_is_documented(served):
    _, _, client = served
    doc = client.get("/openapi.json").json()["paths"]["/v1/assessments/{decision_id}/report"]["get"]
    (param,) = [p for p in doc["parameters"] if p["name"] == "previous"]
    assert param["in"] == "query" and "since the last assessment" in param["description"]
    assert param["schema"]["anyOf"][0]["maxLength"] == 64 and param["examples"]["last_year"]["value"].startswith("d_")
    assert "previous=" in doc["description"] and "422" in doc["responses"]


# --- greenpark report --previous: the same checks at the command line ---------------------------

@pytest.fixture
def logged(tmp_path, cycles):  # noqa: F811
    """(run, ids, files): `greenpark report` on a decision log holding cycle 1, cycle 2 a day
    later and the coal chemical park; the cycles' park files, one more whose data runs a year
    later than cycle 2's, and the coal park's."""
    import copy

    from typer.testing import CliRunner

    from cli import app
    from engine.assessment import Assessor
    from engine.facts.loader import park_from_data
    r1, r2, _, _, f1, f2 = cycles
    first, second = _cycles()
    coal_file = ROOT / "examples" / "coal_chemical_park.yaml"
    coal = yaml.safe_load(coal_file.read_text(encoding="utf-8"))
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    ids = {"a": _log(db_url, r1, first, key_id=None, at=T0, fmt=2, packed=True),
           "b": _log(db_url, r2, second, key_id=None, at=T0 + timedelta(days=1), fmt=1, packed=False),
           "coal": _log(db_url, Assessor().assess(park_from_data(coal, file="coal.yaml")), coal, key_id=None,
                        at=T0, fmt=2, packed=True)}
    later = copy.deepcopy(first)
    year = copy.deepcopy(max(later["years"], key=lambda y: y["year"]))
    year["year"] += 1
    later["years"].append(year)
    later_file = tmp_path / "later.yaml"
    later_file.write_text(yaml.safe_dump(later, allow_unicode=True), encoding="utf-8")
    files = {"first": f1, "second": f2, "later": later_file, "coal": coal_file, "year": year["year"] - 1}

    def run(*args: str):
        return CliRunner().invoke(app, ["report", *args, "--db-url", db_url, "-f", "markdown"])
    return run, ids, files


def _refused(out, *words: str) -> str:
    """The one error line of a refused --previous: exit 2, Chinese then English, no traceback."""
    assert out.exit_code == 2, out.output
    assert out.stdout == "" and "Traceback" not in out.output
    (line,) = out.stderr.splitlines()
    assert line.startswith("error: --previous: 上一次评估 ") and " / previous " in line, line
    for w in words:
        assert w in line, (w, line)
    return line


def test_cli_two_decisions_are_checked_as_the_route_checks_them(logged):
    run, ids, _ = logged
    out = run("--decision", ids["b"], "--previous", ids["a"])
    assert out.exit_code == 0 and SINCE_ZH in out.stdout and MOVEMENT_ZH in out.stdout, out.output
    _refused(run("--decision", ids["b"], "--previous", ids["coal"]),
             f"上一次评估 {ids['coal']} 属于园区 'jinshawan-coalchem-demo'",
             "only the same park's earlier assessments compare")
    _refused(run("--decision", ids["b"], "--previous", ids["b"]), "就是决定", "is decision", "itself")
    _refused(run("--decision", ids["a"], "--previous", ids["b"]), "不早于决定", f"not before decision {ids['a']}")


def test_cli_park_files_must_be_of_the_same_park_and_not_of_later_data(logged):
    run, _, files = logged
    out = run(str(files["second"]), "--previous", str(files["first"]))
    assert out.exit_code == 0 and SINCE_ZH in out.stdout and MOVEMENT_ZH in out.stdout, out.output
    _refused(run(str(files["second"]), "--previous", str(files["coal"])),
             "上一次评估 coal_chemical_park.yaml 属于园区 'jinshawan-coalchem-demo'，不是 cycle2.yaml 的园区",
             "previous assessment coal_chemical_park.yaml is of park 'jinshawan-coalchem-demo', not of "
             "cycle2.yaml's park")
    y = files["year"]
    _refused(run(str(files["second"]), "--previous", str(files["later"])),
             f"上一次评估 later.yaml 的最新数据年份为 {y + 1}，晚于 cycle2.yaml 的 {y}",
             f"previous assessment later.yaml has data up to {y + 1}, later than cycle2.yaml's {y}: an assessment "
             "of later data cannot be the previous one")
    # the same data year is no later: a re-assessment of corrected figures compares with the first
    assert run(str(files["first"]), "--previous", str(files["second"])).exit_code == 0


def test_cli_a_decision_and_a_park_file_mixed(logged):
    run, ids, files = logged
    y = files["year"]
    out = run(str(files["second"]), "--previous", ids["a"])                  # file now, decision then
    assert out.exit_code == 0 and SINCE_ZH in out.stdout, out.output
    out = run("--decision", ids["b"], "--previous", str(files["first"]))     # decision now, file then
    assert out.exit_code == 0 and SINCE_ZH in out.stdout, out.output
    _refused(run(str(files["second"]), "--previous", ids["coal"]),
             f"上一次评估 {ids['coal']} 属于园区 'jinshawan-coalchem-demo'，不是 cycle2.yaml 的园区")
    _refused(run("--decision", ids["b"], "--previous", str(files["coal"])),
             f"不是 {ids['b']} 的园区", f"not of {ids['b']}'s park")
    _refused(run("--decision", ids["b"], "--previous", str(files["later"])),
             f"has data up to {y + 1}, later than {ids['b']}'s {y}")
