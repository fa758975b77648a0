"""Which clauses of the guide the rules check - and, for normative clauses no rule checks, why.

A clause counts as covered when a rule cites it or one of its items (5.3 is covered by a rule
citing 5.3a). Reasons for uncheckable normative clauses live in `rules/exemptions.yaml`, loaded
and validated with the ruleset (`Ruleset.exemptions`).

    >>> report = coverage(RulesetRegistry().get())            # doctest: +SKIP
    >>> report["summary"]                                     # doctest: +SKIP
    {'normative_total': 55, 'covered': 51, 'exempted': 4, 'uncovered': []}
"""
from __future__ import annotations

from collections import Counter

from ..sourcefile import load_document
from .clauses import is_within
from .example_files import test_file_for
from .packs import Ruleset, rule_files

__all__ = ["coverage", "in_scope", "is_within"]

_SECTIONS = {"4", "5", "6", "7", "8"}


def in_scope(clause_id: str) -> bool:
    """Sections 4-8: the part of the guide that states what a park must do."""
    return clause_id.split(".", 1)[0] in _SECTIONS


def _case_counts(ruleset: Ruleset) -> Counter:
    counts: Counter = Counter()
    for pack in ruleset.packs:
        for path in rule_files(ruleset.root / pack):
            test = test_file_for(path)
            if test.exists():   # read as every YAML file is (YAML 1.2, bounded); lint validates it
                data = load_document(test).data
                if isinstance(data, dict):
                    counts[data.get("rule")] += len(data.get("cases") or [])
    return counts


def coverage(ruleset: Ruleset) -> dict:
    """Every clause of the catalogue with the rules citing it, their example count and, for
    exempted normative clauses, the reason; plus a summary over normative clauses of 4-8."""
    cases = _case_counts(ruleset)
    clauses = []
    normative_total = covered = exempted = 0
    uncovered = []
    for cid, clause in ruleset.knowledge.clauses.items():
        rules = sorted(m.id for m in ruleset.meta.values() if any(is_within(c, cid) for c in m.clauses))
        reason = ruleset.exemptions.get(cid)
        clauses.append({"id": cid, "title": clause.title.model_dump(), "normative": clause.normative,
                        "rules": rules, "tests": sum(cases[r] for r in rules),
                        "reason": reason.model_dump() if reason else None})
        if clause.normative and in_scope(cid):
            normative_total += 1
            if rules:
                covered += 1
            elif reason:
                exempted += 1
            else:
                uncovered.append(cid)
    return {"clauses": clauses, "summary": {"normative_total": normative_total, "covered": covered,
                                            "exempted": exempted, "uncovered": uncovered}}
