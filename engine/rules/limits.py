"""Limits of the rule language itself, whatever engine runs the IR: a compiled ruleset that breaks
one of these is wrong for the oracle as much as for durable-rules.

* The IR format this module models (`IR_FORMAT`).
* Engine rule ids are unique in a ruleset (a firing names its rule by id).
* Each pattern of a rule binds its own alias, and a join (`Ref`) refers only to an alias bound by
  an earlier pattern (a join reads a fact already matched).
* No cycle of rules deriving findings from each other's findings: every firing derives a fact
  with a new id, so forward chaining never settles (`engine.rules.finding_graph`; the evaluators
  refuse such a ruleset too).

The limits of durable-rules' C core (fixed-size tables, its alpha network, value types it
mis-compares) are checked beside its adapter, in `engine.evaluators.durable_limits`, whose
`check_limits` runs these checks too.
"""
from __future__ import annotations

from typing import assert_never

from .finding_graph import FindingGraph
from .ir import IR_FORMAT, And, CompiledRuleset, Compare, Cond, Defined, Or, Ref, RuleIR, Undefined

__all__ = ["check_rules"]


def check_rules(ruleset: CompiledRuleset, *, cycles: bool = True) -> list[str]:
    """Every way `ruleset` breaks the rule language, whatever the engine (empty list: none).

    Args:
        cycles: include finding cycles (`FindingGraph.cycle_problems`); the pack loader reports
            those itself, naming the rule's file.

    Example:
        >>> check_rules(ruleset)
        []
    """
    problems: list[str] = []
    if ruleset.format != IR_FORMAT:
        problems.append(f"ruleset: IR format {ruleset.format}, this engine reads {IR_FORMAT}")
    seen: set[str] = set()
    for rule in ruleset.rules:
        if rule.id in seen:
            problems.append(f"{rule.id}: duplicate engine rule id")
        seen.add(rule.id)
        problems.extend(_rule_problems(rule))
    if cycles:
        problems.extend(FindingGraph.build(ruleset.rules).cycle_problems())
    return problems


def _rule_problems(rule: RuleIR) -> list[str]:
    out = []
    if len({p.alias for p in rule.patterns}) != len(rule.patterns):
        out.append(f"{rule.id}: two patterns share an alias")
    for index, pattern in enumerate(rule.patterns):
        earlier = {p.alias for p in rule.patterns[:index]}
        out.extend(f"{rule.id}: pattern {pattern.alias!r}: join refers to {alias!r}, which no earlier "
                   f"pattern binds" for alias in _join_aliases(pattern.test) if alias not in earlier)
    return out


def _join_aliases(cond: Cond | None) -> list[str]:
    match cond:
        case None | Defined() | Undefined():
            return []
        case Compare(right=Ref(alias=alias)):
            return [alias]
        case Compare():
            return []
        case And(items=items) | Or(items=items):
            return [a for c in items for a in _join_aliases(c)]
        case _:
            assert_never(cond)
