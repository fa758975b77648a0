"""`OracleEvaluator`: the IR's semantics in plain Python, as obviously as possible.

It is the test oracle for `DurableEvaluator` and the fake evaluator in tests (the role httpx's
`MockTransport` plays, STYLE item 10). It trades speed for readability: naive nested-loop joins,
and forward chaining by re-running every rule over the whole working memory until nothing new
fires - skipping only the combinations made entirely of facts the previous pass already tried
(each of those either fired then or failed a test that cannot change). Semantics, as in
`engine.rules.ir`:

* a pattern matches a fact of its kind whose test holds; a rule fires once per combination of
  distinct facts, one per pattern (a fact never binds two aliases of one firing - durable's
  default `distinct` behaviour, measured);
* a comparison with an absent field is false, for every operator, `ne` included;
* comparisons only ever see one type family (checked up front by `check_fact_types`; violating
  it here raises instead of guessing);
* each (rule, bound fact ids) fires at most once; an emitting rule adds `derived_fact(...)`;
* a ruleset with a finding cycle is refused, and more derived facts than the acyclic finding
  graph allows for the input stop the evaluation (`check_derivable`) - as in durable.

Matches come back in a deterministic order: pass by pass, rules by (priority, position) - lower
priority first, as in durable - and combinations in fact order.
"""
from __future__ import annotations

import operator
from collections.abc import Iterator

from ..errors import EvaluationError
from .base import (check_derivable, check_fact_types, checked, family,
                                    too_many_derived, type_plan)
from ..rules.ir import CompiledRuleset, Cond, Match, Pattern, RuleIR, derived_fact, holds

__all__ = ["OracleEvaluator"]

_OPS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
        "gt": operator.gt, "ge": operator.ge}


class OracleEvaluator:
    """Pure-Python evaluator of the IR (see the module docstring).

    Example:
        >>> OracleEvaluator().evaluate(ruleset, [{"kind": "indicator", "id": "i1", "value": 80}])
        [Match(rule='DIAG-COD', facts={'m': 'i1'})]
    """

    def evaluate(self, ruleset: CompiledRuleset, facts: list[dict]) -> list[Match]:
        """Fire every rule to a fixpoint; see `Evaluator.evaluate`."""
        facts = checked(facts)
        limit = check_derivable(ruleset, facts)
        check_fact_types(type_plan(ruleset), facts)
        memory = [dict(f) for f in facts]
        ids = {f["id"] for f in memory}
        rules = sorted(enumerate(ruleset.rules), key=lambda ir: (ir[1].priority, ir[0]))
        fired: set[tuple[int, tuple[str, ...]]] = set()
        matches: list[Match] = []
        new, tried = True, 0
        while new:
            new = False
            snapshot = list(memory)
            for index, rule in rules:
                for bound in _combinations(rule.patterns, snapshot, tried):
                    bound_ids = [f["id"] for f in bound]
                    if (index, tuple(bound_ids)) in fired:
                        continue
                    fired.add((index, tuple(bound_ids)))
                    matches.append(Match(rule=rule.id, facts={
                        p.alias: i for p, i in zip(rule.patterns, bound_ids)}))
                    new = _derive(rule, bound_ids, memory, ids) or new
                    if len(memory) - len(facts) > limit:
                        raise too_many_derived(limit, len(facts))
            tried = len(snapshot)
        return matches

    def retire(self, key: str) -> None:
        """Nothing to free: the oracle keeps no per-ruleset state."""


def _derive(rule: RuleIR, bound_ids: list[str], memory: list[dict], ids: set[str]) -> bool:
    fact = derived_fact(rule, bound_ids)
    if fact is None:
        return False
    if fact["id"] in ids:
        raise EvaluationError(f"rule {rule.id}: derived fact id {fact['id']!r} is already in use")
    ids.add(fact["id"])
    memory.append(fact)
    return True


def _combinations(patterns: list[Pattern], memory: list[dict],
                  tried: int = 0) -> Iterator[list[dict]]:
    """Every list of distinct facts, one per pattern, that all match (nested loops), in fact order
    - except those made only of `memory[:tried]`, which the previous pass enumerated already."""

    def extend(bound: list[dict], env: dict[str, dict], fresh: bool) -> Iterator[list[dict]]:
        if len(bound) == len(patterns):
            yield list(bound)
            return
        pattern = patterns[len(bound)]
        last = len(bound) == len(patterns) - 1
        for position in range(0 if fresh or not last else tried, len(memory)):
            fact = memory[position]
            if fact["kind"] != pattern.kind or any(fact is b for b in bound):
                continue
            if pattern.test is None or _holds(pattern.test, fact, env):
                yield from extend([*bound, fact], {**env, pattern.alias: fact},
                                  fresh or position >= tried)

    yield from extend([], {}, False)


def _holds(cond: Cond, fact: dict, env: dict[str, dict]) -> bool:
    return holds(cond, fact, env, _compare)


def _compare(op: str, left: object, right: object) -> bool:
    left_family, right_family = family(left), family(right)
    if left_family != right_family:
        raise EvaluationError(f"cannot compare {left!r} ({left_family}) with {right!r} "
                              f"({right_family})")
    if op not in ("eq", "ne") and left_family != "number":
        raise EvaluationError(f"ordering comparison {op} needs numbers, got {left!r}, {right!r}")
    return _OPS[op](left, right)
