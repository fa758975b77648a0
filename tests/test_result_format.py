"""Result format 2 loses nothing (engine/result_format.py, docs/result.md "Format 2").

For every example park and every expert scenario park: the format 2 result, through JSON and
expanded back, is the format 1 result (every verdict, value, benchmark, explanation and evidence;
the engine trace when asked for, else all but the trace); every not_met verdict, problem,
measure and insufficient_data verdict stays a full record; and every renderer (table, Markdown,
explain, dossier HTML and Markdown) writes the same text from either format.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from engine.assessment import Assessor
from engine.evaluators.oracle import OracleEvaluator
from engine.facts.loader import load_park, park_from_data
from engine.render.dossier import render_report
from engine.render.explain import render_explanation
from engine.render.markdown import render_markdown
from engine.render.selection import ViewOptions
from engine.render.table import AssessmentView
from engine.result_format import ROW_COLUMNS, as_format, compact, expand, format_of
from tests.scenarios.runner import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("[0-9]*.yaml"))
FULL_RECORD = ("not_met", "insufficient_data", "problem", "recommended")


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor()


def _json(obj):
    return json.loads(json.dumps(obj, ensure_ascii=False))


def _without_trace(result: dict) -> dict:
    out = _json(result)
    for f in out["findings"]:
        f.pop("trace", None)
    return out


def _park_and_profile(path: Path):
    if path.parent.name == "scenarios":
        sc = load_scenario(path)
        return park_from_data(sc["park"]), sc.get("profile", "default")
    return load_park(path), "default"


@pytest.mark.parametrize("path", EXAMPLES + SCENARIOS, ids=lambda p: p.stem)
def test_format_2_expands_to_format_1(assessor, path):
    park, profile = _park_and_profile(path)
    r1 = assessor.assess(park, profile=profile, to_comply=True)
    with_trace = _json(compact(r1, trace=True))
    assert with_trace["format"] == 2 and format_of(r1) == 1
    assert expand(with_trace) == _json(r1)
    plain = _json(compact(r1))
    assert all("trace" not in f for f in plain["findings"])
    assert expand(plain) == _without_trace(r1)
    # what a regulator reads stays whole: every finding but met / not_applicable is a full record
    assert sorted(f["id"] for f in plain["findings"]) == sorted(
        f["id"] for f in r1["findings"] if f["status"] not in ("met", "not_applicable") or f["kind"] != "compliance")
    assert all(f["status"] in FULL_RECORD or f["kind"] != "compliance" for f in plain["findings"])
    assert plain["verdicts"]["columns"] == list(ROW_COLUMNS)
    rows = {r[0]: dict(zip(ROW_COLUMNS, r)) for r in plain["verdicts"]["rows"]}
    for f in r1["findings"]:
        if f["id"] in rows:
            row = rows[f["id"]]
            assert (row["rule"], row["status"]) == (f["rule"], f["status"])
            facts = f["evidence"].get("facts") or []
            assert row["value"] == (facts[0]["value"] if facts else None)
            bench = f["evidence"].get("benchmarks") or []
            assert row["benchmark"] == (bench[0]["value"] if bench else None)
    # format 2 is smaller, and as_format goes both ways
    assert len(json.dumps(plain, ensure_ascii=False)) < len(json.dumps(r1, ensure_ascii=False))
    assert as_format(plain, 1) == expand(plain) and as_format(r1, 2) == compact(r1)
    # written from the rules' own templates (as the CLI and the service write it): nothing lost either
    own = _json(compact(r1, rules=assessor.rules_of(r1)))
    assert expand(own) == _without_trace(r1)
    assert as_format(r1, 2, rules=assessor.rules_of(r1)) == compact(r1, rules=assessor.rules_of(r1))


def _own_sentences(result: dict, meta) -> int:
    """How many of format 2's shared sentences are their rule's template's fixed text; asserts
    that every one is (none inferred)."""
    from engine.rules.templates import literals
    n = 0
    for rule, entry in result["rules"].items():
        for status, by_lang in (entry.get("explain") or {}).items():
            for lang, segments in by_lang.items():
                assert segments == literals(getattr(meta[rule].explain[status], lang)), (rule, status, lang)
                n += 1
    return n


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_format_2_says_each_rules_sentence_by_its_own_template(assessor, path, monkeypatch):
    """Given the rules (the CLI and the service give them), every shared sentence is the rule's
    template's fixed text and nothing is inferred from the texts; without them the sentences are
    inferred, and the result reads back the same either way."""
    import engine.result_format as rf
    park, profile = _park_and_profile(path)
    r1 = assessor.assess(park, profile=profile)
    inferred = _json(compact(r1))

    def refuse(texts):
        raise AssertionError("a sentence was inferred although the rule's template was given")
    monkeypatch.setattr(rf, "find_template", refuse)
    own = _json(compact(r1, rules=assessor.rules_of(r1)))
    assert _own_sentences(own, assessor.rules_of(r1)) > 10
    assert expand(own) == expand(inferred) == _without_trace(r1)
    with pytest.raises(AssertionError, match="inferred although"):
        compact(r1)


def _table(result, lang, everything):
    buf = io.StringIO()
    Console(file=buf, width=140, legacy_windows=False, color_system=None).print(
        AssessmentView(result, lang=lang, view=ViewOptions(everything=everything)))
    return buf.getvalue()


def _explained(result, ruleset, lang):
    buf = io.StringIO()
    console = Console(file=buf, width=140, legacy_windows=False, color_system=None)
    for f in expand(result)["findings"]:
        console.print(render_explanation(f, result, ruleset, lang))
    return buf.getvalue()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_renderers_write_the_same_from_both_formats(assessor, path):
    park = load_park(path)
    r1 = assessor.assess(park, to_comply=True)
    r2 = _json(compact(r1, trace=True))       # explain prints the trace line: asked for with --trace
    r2_plain = _json(compact(r1))
    rs = assessor.registry.get(None, "default")
    for lang in ("zh", "en"):
        for everything in (False, True):
            assert _table(r2_plain, lang, everything) == _table(r1, lang, everything)
            view = ViewOptions(everything=everything)
            assert render_markdown(r2_plain, lang=lang, view=view) == render_markdown(r1, lang=lang, view=view)
        assert _explained(r2, rs, lang) == _explained(r1, rs, lang)
        for fmt in ("markdown", "html"):
            for audience in ("regulator", "planner"):
                assert render_report(r2_plain, fmt=fmt, lang=lang, audience=audience, park=park) == \
                    render_report(r1, fmt=fmt, lang=lang, audience=audience, park=park)


def test_oracle_engine_gives_the_same_format_2(assessor):
    park = load_park(ROOT / "examples" / "coal_chemical_park.yaml")
    oracle = Assessor(assessor.registry, OracleEvaluator())
    assert _json(compact(oracle.assess(park))) == _json(compact(assessor.assess(park)))


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown result format 3"):
        as_format({"format": 1, "findings": []}, 3)


def test_a_result_without_format_reads_as_format_1():
    old = {"park_id": "p", "findings": [{"id": "X@a", "rule": "X", "status": "met"}]}
    assert format_of(old) == 1 and expand(old) is old


def test_cli_writes_format_2_and_format_1_on_request(tmp_path):
    from typer.testing import CliRunner

    from cli import app
    park = str(ROOT / "examples" / "strong_hightech_park.yaml")
    runner = CliRunner()
    two = runner.invoke(app, ["assess", park, "-f", "json", "-o", str(tmp_path / "2.json")])
    one = runner.invoke(app, ["assess", park, "-f", "json", "--result-format", "1", "-o", str(tmp_path / "1.json")])
    traced = runner.invoke(app, ["assess", park, "-f", "json", "--trace", "-o", str(tmp_path / "t.json")])
    bad = runner.invoke(app, ["assess", park, "-f", "json", "--result-format", "3"])
    assert (two.exit_code, one.exit_code, traced.exit_code) == (0, 0, 0), two.output + one.output + traced.output
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    r2, r1, rt = (json.loads((tmp_path / f"{n}.json").read_text(encoding="utf-8")) for n in ("2", "1", "t"))
    assert (r2["format"], r1["format"], rt["format"]) == (2, 1, 2)
    assert all("trace" not in f for f in r2["findings"]) and all(f["trace"] for f in rt["findings"])
    assert all(f["trace"] for f in r1["findings"]) and expand(rt) == r1
    assert expand(r2) == _without_trace(r1)


def test_service_serves_format_2_format_1_and_the_trace(tmp_path):
    import httpx
    from service_support import example_parks, make_key, start_server
    db_url = f"sqlite:///{tmp_path / 'decisions.db'}"
    key = make_key(db_url, "portal", "formats")
    server = start_server(db_url, tmp_path, args=["--workers", "1"])
    try:
        park = example_parks()[-1]
        head = {"Authorization": f"Bearer {key[1]}"}
        with httpx.Client(base_url=server.url, timeout=60, headers=head) as c:
            r2 = c.post("/v1/assessments", json=park)
            r1 = c.post("/v1/assessments", params={"format": 1}, json=park)
            rt = c.post("/v1/assessments", params={"explain": "full"}, json=park)
            bad = c.post("/v1/assessments", params={"format": 3}, json=park)
            assert (r2.status_code, r1.status_code, rt.status_code, bad.status_code) == (200, 200, 200, 422)
            b2, b1, bt = r2.json(), r1.json(), rt.json()
            assert (b2["format"], b1["format"], bt["format"]) == (2, 1, 2)
            assert all("trace" not in f for f in b2["findings"]) and all(f["trace"] for f in bt["findings"])
            strip = (lambda r: {k: v for k, v in r.items() if k != "decision_id"})
            assert strip(expand(bt)) == strip(b1)
            # a logged decision, as returned or in either format; a replay of each is reproduced
            as_logged = c.get(f"/v1/assessments/{b2['decision_id']}").json()
            assert as_logged == b2
            assert strip(c.get(f"/v1/assessments/{b2['decision_id']}", params={"format": 1}).json()) == \
                strip(_without_trace(b1))
            assert c.get(f"/v1/assessments/{b1['decision_id']}", params={"format": 2}).json()["format"] == 2
            for d in (b2, b1, bt):
                replay = c.post(f"/v1/assessments/{d['decision_id']}/replay")
                assert replay.status_code == 200 and replay.json()["reproduced"], replay.text
    finally:
        server.stop()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_typed_models_describe_both_formats(assessor, path):
    from engine.service.result_models import AssessmentResult
    r1 = assessor.assess(load_park(path), to_comply=True)
    for result in (r1, compact(r1), compact(r1, trace=True)):
        AssessmentResult.model_validate({"decision_id": "d_0", **_json(result)})



def test_a_large_park_says_each_rules_sentence_once(assessor):
    """Per-enterprise verdicts share their rule's sentence (`rules[rule]["explain"]`); each keeps
    only what differs, and expands back to its full text."""
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    from make_parks import large_park
    r1 = assessor.assess(park_from_data(large_park(300)))
    plain = _json(compact(r1))
    assert expand(plain) == _without_trace(r1)
    templated = [f for f in plain["findings"] if isinstance(f["explanation"].get("zh"), list)]
    assert len(templated) > len(plain["findings"]) // 2
    assert all("explain" in plain["rules"][f["rule"]] for f in templated)
    rows = [r for r in plain["verdicts"]["rows"] if isinstance(r[6].get("en"), list)]
    assert rows
    own = _json(compact(r1, rules=assessor.rules_of(r1)))
    assert expand(own) == _without_trace(r1) and _own_sentences(own, assessor.rules_of(r1)) > 10
    assert len([f for f in own["findings"] if isinstance(f["explanation"].get("zh"), list)]) >= len(templated)


def test_sources_and_inventory_factors_are_said_once(assessor):
    """A benchmark source is named by its id in `sources`, an inventory line's factor by its key in
    `factors`; both expand back exactly, key order included."""
    r1 = assessor.assess(load_park(ROOT / "examples" / "coal_chemical_park.yaml"))
    plain = _json(compact(r1))
    assert plain["sources"] and all(isinstance(b["source"], str) and b["source"] in plain["sources"]
                                    for e in plain["rules"].values() for b in e.get("benchmarks") or ())
    lines = [line for y in plain["ghg_inventory"] for line in y["scope1"]]
    assert lines and all(line["factor"] in plain["factors"] for line in lines)
    back = expand(plain)
    assert back == _without_trace(r1)
    assert [list(f) for f in back["findings"]] == [list(f) for f in _without_trace(r1)["findings"]]
    assert all("rank_reason" in f for f in plain["findings"] if f.get("rank"))
