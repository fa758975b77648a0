"""A pack that breaks a durable-rules structural limit fails to load, naming the rule's file."""
from __future__ import annotations

import shutil

import pytest

from engine.errors import RulePackError
from engine.rules.packs import load_ruleset


def test_too_many_patterns_in_one_rule_is_a_located_pack_error(tmp_path, ruleset):
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    # durable-rules refuses more than 16 patterns in one rule (error 304 at assert time)
    patterns = "\n".join(f"  - {{fact: indicator, as: i{n}, where: \"name == 'x{n}'\"}}" for n in range(17))
    (tree / "planning" / "PL-P-099_too_wide.yaml").write_text(f"""id: PL-P-099
version: 1
kind: problem
clauses: ["5.3a"]
severity: low
title: {{zh: 过宽, en: too wide}}
all:
{patterns}
explain: {{zh: 过宽, en: too wide}}
""", encoding="utf-8")
    with pytest.raises(RulePackError) as exc:
        load_ruleset(tree, ruleset.knowledge)
    line = next(p for p in exc.value.lines() if "durable-rules limit" in p)
    assert "PL-P-099_too_wide.yaml" in line and "PL-P-099" in line


def _problem_reading(rule_id: str, reads: str) -> str:
    return f"""id: {rule_id}
version: 1
kind: problem
clauses: ["5.3a"]
severity: low
title: {{zh: 读取另一条规则的结论, en: reads another rule's finding}}
when:
  fact: finding
  where: "rule == '{reads}'"
explain: {{zh: 循环, en: a cycle}}
"""


def test_rules_deriving_findings_from_each_other_fail_to_load_naming_the_cycle(tmp_path, ruleset):
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    (tree / "planning" / "PL-P-097_reads_098.yaml").write_text(_problem_reading("PL-P-097", "PL-P-098"),
                                                             encoding="utf-8")
    (tree / "planning" / "PL-P-098_reads_097.yaml").write_text(_problem_reading("PL-P-098", "PL-P-097"),
                                                             encoding="utf-8")
    with pytest.raises(RulePackError) as exc:
        load_ruleset(tree, ruleset.knowledge)
    lines = [line for line in exc.value.lines() if "finding cycle" in line]
    assert len(lines) == 1, exc.value.lines()
    assert "PL-P-097_reads_098.yaml" in lines[0]
    assert "finding cycle PL-P-097 -> PL-P-098 -> PL-P-097" in lines[0]
    assert "durable-rules limit" not in lines[0]   # a property of the rules, not of the engine


def test_a_chain_of_findings_without_a_cycle_loads(tmp_path, ruleset):
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    (tree / "planning" / "PL-P-097_reads_im_p_006.yaml").write_text(
        _problem_reading("PL-P-097", "IM-P-006"), encoding="utf-8")   # IM-P-006 reads findings too
    loaded = load_ruleset(tree, ruleset.knowledge)
    assert "PL-P-097" in loaded.meta
