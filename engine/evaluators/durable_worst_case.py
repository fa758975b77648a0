"""Worst-case facts for a compiled ruleset: the facts that pass as many of its tests as possible.

Asserted into a scratch durable ruleset they put the most alpha nodes on the engine's traversal
stack, to show that a ruleset `durable_limits.check_limits` passes is one the engine copes with
(no error 303, no hang; tests/test_limits.py). A durable-rules concern, so it sits beside the
adapter; the facts themselves are plain engine facts any evaluator takes.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import assert_never

from ..rules.ir import And, CompiledRuleset, Compare, Cond, Const, Defined, Or, Ref, Undefined
from .base import END, MAX_PROPERTIES, family, type_plan

__all__ = ["worst_case_facts"]


@dataclass
class _Uses:
    """Tests on one group of joined fields."""

    compares: list[tuple[str, object]] = field(default_factory=list)
    defined: int = 0
    undefined: int = 0


def worst_case_facts(ruleset: CompiledRuleset, copies: int = 1) -> list[dict]:
    """`copies` facts per kind with every tested field set to pass as many tests as possible.

    Fields joined to each other get one shared value, so joins match too. Assert them into a
    scratch ruleset to show the engine copes (no error 303, no hang).

    Example:
        >>> worst_case_facts(ruleset)
        [{'kind': 'indicator', 'id': 'worst:indicator:0', 'name': 'COD', 'value': 51}]
    """
    plan = type_plan(ruleset)
    group = {(k, f): g for k, fields in plan.by_kind.items() for f, g in fields}
    uses: dict[object, _Uses] = {}
    kinds: dict[str, list[str]] = {}
    for rule in ruleset.rules:
        aliases = {p.alias: p.kind for p in rule.patterns}
        for pattern in rule.patterns:
            kinds.setdefault(pattern.kind, [])
            for leaf in _leaves(pattern.test):
                sides = [(pattern.kind, leaf.field)]
                if isinstance(leaf, Compare) and isinstance(leaf.right, Ref) \
                        and leaf.right.alias in aliases:  # the joined fact needs the field too
                    sides.append((aliases[leaf.right.alias], leaf.right.field))
                for key in sides:
                    if key[1] in ("kind", "id", "sid") or key[1].startswith("$"):
                        continue
                    if key[1] not in kinds.setdefault(key[0], []):
                        kinds[key[0]].append(key[1])
                    _record(uses.setdefault(group.get(key, key), _Uses()), leaf)
    values = {g: _choose(u, plan.expected[g] if isinstance(g, int) else None)
              for g, u in uses.items()}
    for key, kind in _id_joins(ruleset):  # a field joined to an id takes the first fact's id
        values[group.get(key, key)] = f"worst:{kind}:0"
    facts = []
    for kind in sorted(k for k in kinds if k and k != END):
        fields = {f: values[group.get((kind, f), (kind, f))] for f in kinds[kind]}
        fields = {f: v for f, v in fields.items() if v is not _ABSENT}
        body = dict(list(fields.items())[:MAX_PROPERTIES - 2])
        facts.extend({"kind": kind, "id": f"worst:{kind}:{i}", **body} for i in range(copies))
    return facts


_ABSENT = object()


def _id_joins(ruleset: CompiledRuleset) -> list[tuple[tuple[str, str], str]]:
    """`((kind, field), other kind)` for every join between `field` and the other fact's id."""
    out = []
    for rule in ruleset.rules:
        kinds = {p.alias: p.kind for p in rule.patterns}
        for pattern in rule.patterns:
            for leaf in _leaves(pattern.test):
                if isinstance(leaf, Compare) and isinstance(leaf.right, Ref) \
                        and leaf.right.alias in kinds:
                    if leaf.right.field == "id":
                        out.append(((pattern.kind, leaf.field), kinds[leaf.right.alias]))
                    elif leaf.field == "id":
                        out.append(((kinds[leaf.right.alias], leaf.right.field), pattern.kind))
    return out


def _leaves(cond: Cond | None) -> list[Compare | Defined | Undefined]:
    match cond:
        case None:
            return []
        case Compare() | Defined() | Undefined():
            return [cond]
        case And(items=items) | Or(items=items):
            return [leaf for item in items for leaf in _leaves(item)]
        case _:
            assert_never(cond)


def _record(use: _Uses, leaf: Compare | Defined | Undefined) -> None:
    match leaf:
        case Compare(op=op, right=Const(value=value)):
            use.compares.append((op, value))
        case Compare() | Defined():
            use.defined += 1
        case Undefined():
            use.undefined += 1
        case _:
            assert_never(leaf)


def _choose(use: _Uses, fam: str | None) -> object:
    tests = Counter((op, family(v), v) for op, v in use.compares)  # (op, family, value): count
    consts = list(dict.fromkeys(v for _, _, v in tests))
    fam = fam or (family(consts[0]) if consts else "text")
    if fam == "number":
        numbers = [v for v in consts if family(v) == "number" and math.isfinite(v)] or [0]
        candidates = list(dict.fromkeys(c + d for c in numbers for d in (0, 1, -1, 0.5, -0.5)))
    elif fam == "bool":
        candidates = [True, False]
    else:
        candidates = [*consts, "worst-case"]
    scored = [(use.defined + sum(n for (op, _, v), n in tests.items() if _passes(op, c, v)), c)
              for c in candidates]
    best_score, best = max(scored, key=lambda s: s[0])
    return _ABSENT if use.undefined > best_score else best


def _passes(op: str, candidate: object, value: object) -> bool:
    if family(candidate) != family(value):
        return False
    if op == "eq":
        return candidate == value
    if op == "ne":
        return candidate != value
    return {"lt": candidate < value, "le": candidate <= value, "gt": candidate > value,
            "ge": candidate >= value}[op]
