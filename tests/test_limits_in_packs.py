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
