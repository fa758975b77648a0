"""Rule files, their examples files and the ruleset manifests are YAML 1.2 read as strictly as park
files: `yes` or a quoted number is text, refused where a flag or number belongs with a problem
naming file, line and field path - never coerced (engine.scalars)."""
from __future__ import annotations

import shutil

import pytest

from engine.errors import RulePackError
from engine.rules.example_files import lint_tests
from engine.rules.packs import load_ruleset

SCOPE_RULE = "planning/PL-C-000_scope.yaml"


@pytest.fixture
def tree(tmp_path, ruleset):
    root = tmp_path / "rules"
    shutil.copytree(ruleset.root, root, ignore=shutil.ignore_patterns("releases"))
    return root


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _refusal(tree, ruleset, file: str, field: str) -> str:
    with pytest.raises(RulePackError) as exc:
        load_ruleset(tree, ruleset.knowledge)
    lines = [line for line in exc.value.lines() if file in line and f": {field}: " in line]
    assert len(lines) == 1, exc.value.lines()
    return lines[0]


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("scope: true\n", "scope: yes\n", "scope", "must be true or false, not the text 'yes'"),
    ("scope: true\n", "scope: 'true'\n", "scope", "must be true or false, not the text 'true'"),
    ("scope: true\n", "scope: 1\n", "scope", "must be true or false (got 1)"),
    ("version: 1\n", "version: '1'\n", "version", "must be a number, not the text '1'"),
    ("version: 1\n", "version: true\n", "version", "must be a number, not true"),
    ("severity: high\n", "severity: high\ndisabled: on\n", "disabled", "must be true or false, not the text 'on'"),
])
def test_a_flag_or_number_written_as_text_is_refused_naming_file_line_and_field(tree, ruleset, old, new, field, words):
    _edit(tree / SCOPE_RULE, old, new)
    line = _refusal(tree, ruleset, "PL-C-000_scope.yaml", field)
    assert words in line
    number = int(line.split("PL-C-000_scope.yaml:")[1].split(":")[0])
    assert (tree / SCOPE_RULE).read_text(encoding="utf-8").splitlines()[number - 1].startswith(field)


def test_a_whole_number_written_with_a_point_is_still_a_number(tree, ruleset):
    _edit(tree / SCOPE_RULE, "version: 1\n", "version: 1.0\n")
    assert load_ruleset(tree, ruleset.knowledge).meta["PL-C-000"].version == 1


def test_an_examples_file_counting_in_text_is_refused_by_lint(tree, ruleset):
    _edit(tree / "planning" / "PL-C-000_scope_test.yaml", "{status: not_applicable, count: 1,",
          "{status: not_applicable, count: '1',")
    problems = [str(p) for p in lint_tests(load_ruleset(tree, ruleset.knowledge))]
    assert len(problems) == 1, problems
    assert "PL-C-000_scope_test.yaml:" in problems[0]
    assert "cases[0].expect[0].count: must be a number, not the text '1'" in problems[0]


def test_the_data_completeness_checks_are_the_rules_that_check_data_only(ruleset):
    """The rules counted apart from the compliance rate (`data_completeness`) are those whose verdict
    says whether data are reported or computable - 5.2's status-analysis data (titled 数据齐备) and the
    years of statistics the evaluation covers (PL-C-001) - and no other: each one's rationale says so."""
    flagged = {rid for rid, m in ruleset.meta.items() if m.data_completeness}
    titled = {rid for rid, m in ruleset.meta.items() if m.kind == "compliance" and "数据齐备" in m.title.zh}
    assert flagged == titled | {"PL-C-001"}
    for rid in flagged:
        meta = ruleset.meta[rid]
        assert meta.kind == "compliance" and not meta.scope
        assert "数据" in meta.rationale.zh or "报送" in meta.rationale.zh, rid


def test_a_legal_obligation_needs_a_measure_that_names_the_law(tree, ruleset):
    """IN-C-001's unmet audits are called legal obligations because IN-M-001's catalogue measure
    cites the Cleaner Production Promotion Law; a rule marked so that no such measure answers
    does not load, at its `legal_obligation` line."""
    assert {rid for rid, m in ruleset.meta.items() if m.legal_obligation} == {"IN-C-001"}
    file = "industry/IN-C-002_key_enterprise_audit_rate.yaml"
    _edit(tree / file, "\nexplain:\n", "\nlegal_obligation: true\nexplain:\n")
    _edit(tree / "industry" / "IN-M-001_mandatory_cp_audit.yaml", "answers: [IN-C-001, IN-C-002]",
          "answers: [IN-C-001]")
    line = _refusal(tree, ruleset, "IN-C-002_key_enterprise_audit_rate.yaml", "legal_obligation")
    assert "no measure with a legal_basis" in line
