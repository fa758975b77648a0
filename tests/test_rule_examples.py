"""Every rule's examples (kept beside the rule as data) pass on both engines - the same cases
`greenpark rules test` runs."""
from __future__ import annotations

import pytest

from engine.rule_tests import run_rule_tests
from engine.rules.example_files import lint_tests


@pytest.mark.parametrize("engine", ["durable", "oracle"])
def test_all_rule_examples_pass(ruleset, engine, durable, oracle):
    results = run_rule_tests(ruleset, durable if engine == "durable" else oracle)
    failed = [f"{r.rule} {r.case}: {r.message}" for r in results if not r.ok]
    assert not failed, "\n".join(failed)
    assert len(results) >= 2 * len(ruleset.files), "at least a firing and a silent case per rule"


def test_every_rule_has_firing_and_silent_examples(ruleset):
    assert lint_tests(ruleset) == []
    per_rule = {}
    for r in run_rule_tests(ruleset, _Null()):
        per_rule.setdefault(r.rule, set()).add(r.case.split("_", 1)[0])
    assert set(per_rule) == set(ruleset.files)
    assert all(kinds == {"fires", "silent"} for kinds in per_rule.values())


def test_each_pack_has_at_least_five_rules_and_a_chain(ruleset):
    by_pack = {}
    for meta in ruleset.meta.values():
        by_pack.setdefault(meta.pack, []).append(meta)
    assert set(by_pack) == {"planning", "industry", "pollution_carbon", "improvement"}
    assert all(len(v) >= 5 for v in by_pack.values())
    problems = {m.id for m in ruleset.meta.values() if m.kind == "problem"}
    answered = {a for m in ruleset.meta.values() for a in m.answers}
    assert problems & answered, "some problem is answered by a measure (problem -> measure chain)"
    assert any(m.kind == "compliance" for m in ruleset.meta.values())


def test_a_failing_example_is_reported(ruleset, oracle, tmp_path):
    """The runner can fail: a case whose expectation is wrong is reported, not passed."""
    import shutil

    from engine.rules.packs import load_ruleset
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    case = next(tree.glob("pollution_carbon/PC-C-001_*_test.yaml"))
    case.write_text(case.read_text(encoding="utf-8").replace("not_met", "met", 1), encoding="utf-8")
    results = run_rule_tests(load_ruleset(tree, ruleset.knowledge), oracle, only="PC-C-001")
    assert any(not r.ok and "expected statuses" in r.message for r in results)


class _Null:
    """An evaluator that matches nothing: enough to enumerate cases."""

    def evaluate(self, ruleset, facts):
        return []
