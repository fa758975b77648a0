"""`greenpark rules coverage`: each clause with its rules, tests and (for uncheckable normative
clauses) the written reason; exemptions are validated with the ruleset."""
from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from cli import app
from engine.errors import RulePackError
from engine.rules.coverage import coverage, is_within
from engine.rules.packs import load_ruleset


def test_json_shape(ruleset):
    r = CliRunner().invoke(app, ["rules", "coverage", "--format", "json"])
    assert r.exit_code == 0
    report = json.loads(r.stdout)
    assert set(report["summary"]) >= {"normative_total", "covered", "exempted"}
    ids = [c["id"] for c in report["clauses"]]
    assert ids == list(ruleset.knowledge.clauses)
    for c in report["clauses"]:
        assert set(c) == {"id", "title", "normative", "rules", "tests", "reason"}
        assert (c["tests"] > 0) == bool(c["rules"])
    by_id = {c["id"]: c for c in report["clauses"]}
    assert "PC-C-001" in by_id["6.3"]["rules"] and by_id["6.3"]["tests"] >= 2
    assert by_id["4.1.1"]["reason"]["zh"] and not by_id["4.1.1"]["rules"]


def test_items_count_for_their_clause():
    assert is_within("5.3a", "5.3") and is_within("5.5.1", "5.5") and is_within("6.3", "6.3")
    assert not is_within("6.10", "6.1") and not is_within("5.3a", "5.3a.x") and not is_within("5.3", "5.3a")


def _tree(tmp_path, ruleset, exemptions: str):
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    (tree / "exemptions.yaml").write_text(exemptions, encoding="utf-8")
    return tree


@pytest.mark.parametrize("clause,msg", [("9.9", "does not exist"), ("3.1", "not normative"),
                                        ("6.3", "drop the exemption")])
def test_bad_exemptions_fail_the_ruleset(tmp_path, ruleset, clause, msg):
    tree = _tree(tmp_path, ruleset, f'exemptions:\n  - clause: "{clause}"\n    reason: {{zh: 理由, en: reason}}\n')
    with pytest.raises(RulePackError) as exc:
        load_ruleset(tree, ruleset.knowledge)
    line = next(p for p in exc.value.lines() if msg in p)
    assert "exemptions.yaml:2:" in line


def test_exemptions_change_the_digest(tmp_path, ruleset):
    text = (ruleset.root / "exemptions.yaml").read_text(encoding="utf-8")
    other = load_ruleset(_tree(tmp_path, ruleset, text.replace("目标导向原则是", "目标导向原则乃")), ruleset.knowledge)
    assert other.digest != ruleset.digest
    assert coverage(other)["summary"] == coverage(ruleset)["summary"]


def test_every_normative_clause_is_covered_or_exempted(ruleset):
    summary = coverage(ruleset)["summary"]
    assert summary["uncovered"] == [], "normative clauses with neither a rule nor a reason"
    assert summary["covered"] + summary["exempted"] == summary["normative_total"]


def test_the_whole_guide_as_rules(ruleset):
    metas = ruleset.meta.values()
    assert len(ruleset.meta) >= 120
    problems = {m.id: m for m in metas if m.kind == "problem"}
    for letter in "abcdefghijklmn":
        assert any(f"5.3{letter}" in m.clauses for m in problems.values()), f"5.3 {letter}) has no problem rule"
    answered = {a for m in metas if m.kind == "measure" for a in m.answers}
    assert set(problems) <= answered, f"problems without a measure: {sorted(set(problems) - answered)}"
