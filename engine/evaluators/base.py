"""The evaluator port, and the input checks both adapters share.

`Evaluator` is the one-method port of STYLE item 10: `DurableEvaluator` (production) and
`OracleEvaluator` (the test oracle and fake) implement it and are injected by constructor.

Both adapters run the same checks before evaluating, so they reject exactly the same inputs and
nothing malformed reaches the C core of durable-rules
(reference: /work/shared/reference/durable_rules.md):

* `check_facts` - an empty batch, a non-dict, a missing `id` segfault or corrupt the engine (§6);
  duplicate ids raise "already observed" (§6); NaN is silently unmatched, inf is a parse error,
  integers beyond int64 are silently clamped (§6); more than 255 properties is error 302 (§6, we
  keep 5 spare for `sid`). `sid` and `$`-prefixed names are the engine's own (§2, §5); kind and id
  `__end__` belong to the end marker the adapter adds (§7); the property `__id__` carries a fact's
  id inside the durable adapter, which gives the engine ids of its own (`durable_ids`).
* `check_derivable` - a ruleset whose rules feed each other findings never settles
  (`engine.rules.finding_graph`); both adapters refuse it, and stop an evaluation that derives
  more facts than the acyclic finding graph allows for its input (which only a fault can do).
* `check_fact_types` - durable compares values of different types as strings (`"5" == 5`,
  `"abc" > 5`, §5) and joins ints and floats by hash (5 does not join 5.0). The IR promises that
  comparisons only ever see one type family; this check makes the promise hold for the facts too,
  so a mismatch is an error in both adapters instead of a silent wrong answer in one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain, compress
from typing import Literal, Protocol, assert_never

from ..errors import EvaluationError
from ..rules.finding_graph import FindingGraph
from ..rules.ir import (And, Compare, CompiledRuleset, Cond, Const, Defined, Match, Or, Ref,
                        Undefined)

__all__ = ["Evaluator", "CheckedFacts", "checked", "check_facts", "check_values", "check_fact_types", "check_derivable", "type_plan",
           "TypePlan", "Family", "family", "too_many_derived", "END", "ID_FIELD", "MAX_PROPERTIES",
           "INT64_MIN", "INT64_MAX", "DERIVED_FIELDS"]

END = "__end__"
ID_FIELD = "__id__"
MAX_PROPERTIES = 250
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
DERIVED_FIELDS = ("rule", "status", "severity")

Family = Literal["number", "text", "bool"]
_Key = tuple[str, str]  # (kind, field)


class Evaluator(Protocol):
    """Runs a compiled ruleset over engine facts.

    Example:
        >>> matches = evaluator.evaluate(ruleset, [{"kind": "indicator", "id": "i1", "value": 3}])
    """

    def evaluate(self, ruleset: CompiledRuleset, facts: list[dict]) -> list[Match]:
        """Every firing, in firing order; `EvaluationError` on bad facts or engine failure."""
        ...

    def retire(self, key: str) -> None:
        """Forget the compiled ruleset `key` (frees engine memory); a no-op if unknown."""
        ...


def family(value: object) -> Family:
    """The comparison family of a scalar: `bool` is checked before `int` (bool is an int)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    raise EvaluationError(f"unsupported value type {type(value).__name__}")


_FAMILIES: dict[type, Family] = {bool: "bool", int: "number", float: "number", str: "text"}


def check_derivable(ruleset: CompiledRuleset, facts: list[dict]) -> int:
    """The most derived facts evaluating `ruleset` over `facts` can make (`FindingGraph.bound`).

    Raises:
        EvaluationError: the ruleset has a finding cycle (naming its rules), so chaining would
            never settle.

    Example:
        >>> check_derivable(ruleset, [{"kind": "indicator", "id": "i1", "value": 80}])
        2
    """
    graph = FindingGraph.of(ruleset)
    if graph.cycles:
        raise EvaluationError(f"ruleset {ruleset.key!r} cannot be evaluated: "
                              + "; ".join(graph.cycle_problems()))
    return graph.bound(facts)


def too_many_derived(bound: int, facts: int) -> EvaluationError:
    """The error both evaluators raise past `check_derivable`'s bound (an evaluator fault)."""
    return EvaluationError(f"more than {bound} derived facts from {facts} input facts, the most "
                           f"the ruleset's acyclic finding graph allows: an evaluator fault")


def check_facts(facts: list[dict], *, values: bool = True) -> None:
    """Reject facts the engine cannot take safely; see the module docstring for why.

    Args:
        values: also check every property name and value (`check_values`).

    Raises:
        EvaluationError: naming the fact (by id, or by position) and the field.

    Example:
        >>> check_facts([{"kind": "indicator", "id": "i1", "value": 1.0e-05}])
    """
    if not isinstance(facts, list) or not facts:
        raise EvaluationError("facts must be a non-empty list of dicts")
    if not _structure_clean(facts):
        _check_structure(facts)
    if values:
        check_values(facts)


class CheckedFacts(tuple):
    """Facts that passed `check_facts`, frozen in a tuple: an evaluator given these does not check
    them again, so one set of facts evaluated against several rulesets (the scope rules, then the
    rest) is checked once. The only way to make one runs the check (`CheckedFacts(facts)` or
    `checked(facts)`); the ruleset-dependent checks (`check_derivable`, `check_fact_types`) still run
    per evaluation. The facts' dicts must not change afterwards (the engine's own facts never do).

    Raises:
        EvaluationError: as `check_facts`.

    Example:
        >>> facts = CheckedFacts([{"kind": "indicator", "id": "i1", "value": 80}])
        >>> evaluator.evaluate(ruleset, facts)               # doctest: +SKIP
    """

    __slots__ = ()

    def __new__(cls, facts: list[dict]) -> "CheckedFacts":
        check_facts(facts)
        return super().__new__(cls, facts)


def checked(facts: "list[dict] | CheckedFacts") -> CheckedFacts:
    """`facts` as `CheckedFacts`: checked now (`check_facts`), or as they are if they already were."""
    return facts if type(facts) is CheckedFacts else CheckedFacts(facts)


def _structure_clean(facts: list[dict]) -> bool:
    """`_check_structure` in bulk (this runs on every evaluation, over every fact): True when it
    would find nothing; when in doubt False, and `_check_structure` names the first problem."""
    if any(type(f) is not dict for f in facts):
        return False
    kinds = [f.get("kind") for f in facts]
    ids = [f.get("id") for f in facts]
    return (all(type(k) is str and k and k != END for k in kinds)
            and all(type(i) is str and i and i != END for i in ids)
            and len(set(ids)) == len(ids)
            and max(map(len, facts)) <= MAX_PROPERTIES
            and not any("sid" in f or ID_FIELD in f for f in facts))


def _check_structure(facts: list[dict]) -> None:
    """Fact by fact, raising on the first problem (see `check_facts`)."""
    seen: set[str] = set()
    for index, fact in enumerate(facts):
        name = _fact_name(fact, index)
        if not isinstance(fact, dict):
            raise EvaluationError(f"{name}: a fact must be a dict, got {type(fact).__name__}")
        for field in ("kind", "id"):
            if not isinstance(fact.get(field), str) or not fact[field]:
                raise EvaluationError(f"{name}: field {field!r} must be a non-empty string")
        if fact["kind"] == END or fact["id"] == END:
            raise EvaluationError(f"{name}: {END!r} is reserved for the end marker")
        if fact["id"] in seen:
            raise EvaluationError(f"{name}: duplicate fact id")
        seen.add(fact["id"])
        if len(fact) > MAX_PROPERTIES:
            raise EvaluationError(f"{name}: {len(fact)} properties, at most {MAX_PROPERTIES}")
        if "sid" in fact or ID_FIELD in fact:
            _check_property(name, "sid" if "sid" in fact else ID_FIELD, None)  # raises: reserved


_SCALARS = frozenset({str, bool, int, float})
_NUMBERS = frozenset({int, float})


def check_values(facts: list[dict]) -> None:
    """Every property name and value of `facts` is one the engine takes (see the module docstring).

    In bulk, at C speed where Python allows (this runs on every evaluation, over every value):
    the set of value types, the distinct names, and over the numbers one sum (finite when every
    float is, unless it overflows) and min/max (within int64). Only when that finds something
    does the per-fact check run, to name the fact and field - or to clear a false alarm (a
    finite float beyond int64's range, or a sum that overflowed).

    Raises:
        EvaluationError: naming the fact and the field.
    """
    values = list(chain.from_iterable(map(dict.values, facts)))
    value_types = list(map(type, values))
    types = set(value_types)
    names = set(chain.from_iterable(facts))
    suspect = (not types <= _SCALARS or set(map(type, names)) != {str}
               or any(not n or n[0] == "$" for n in names))
    if not suspect and (int in types or float in types):
        numbers = list(compress(values, map(_NUMBERS.__contains__, value_types)))  # bools are not
        try:
            suspect = (not math.isfinite(sum(numbers))   # a float sum; an int beyond int64
                       or min(numbers) < INT64_MIN or max(numbers) > INT64_MAX)  # or a big float
        except OverflowError:   # an int too large for a float
            suspect = True
    if not suspect:
        return
    for index, fact in enumerate(facts):
        name = _fact_name(fact, index)
        for field, value in fact.items():
            _check_property(name, field, value)


def _fact_name(fact: object, index: int) -> str:
    if isinstance(fact, dict) and isinstance(fact.get("id"), str) and fact["id"]:
        return f"fact {fact['id']!r}"
    return f"fact #{index}"


def check_property(name: str, field: object, value: object) -> None:
    """Raise EvaluationError for a property the engine cannot take (names the fact and field)."""
    _check_property(name, field, value)


def _check_property(name: str, field: object, value: object) -> None:
    if not isinstance(field, str) or not field:
        raise EvaluationError(f"{name}: property names must be non-empty strings, got {field!r}")
    if field in ("sid", ID_FIELD) or field.startswith("$"):
        raise EvaluationError(f"{name}: property name {field!r} is reserved by the engine")
    if isinstance(value, bool) or isinstance(value, str):
        return
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise EvaluationError(f"{name}: field {field!r}: integer {value} is outside int64")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvaluationError(f"{name}: field {field!r}: {value} is not a finite number")
        return
    raise EvaluationError(f"{name}: field {field!r}: {type(value).__name__} is not a str, bool, "
                          f"int or float")


@dataclass(frozen=True)
class TypePlan:
    """Which fact fields rules compare, grouped so that every group has one type family.

    `by_kind[kind]` lists `(field, group)`; `expected[group]` is the family fixed by a constant
    (None: fixed by the first fact seen); `conflicts` are static contradictions in the ruleset.
    """

    by_kind: dict[str, tuple[tuple[str, int], ...]]
    expected: tuple[Family | None, ...]
    conflicts: tuple[str, ...]


def type_plan(ruleset: CompiledRuleset) -> TypePlan:
    """Group `(kind, field)` pairs linked by joins and fix each group's family from constants.

    Example:
        >>> type_plan(ruleset).by_kind["indicator"]
        (('value', 0),)
    """
    parent: dict[_Key, _Key] = {}
    fixed: dict[_Key, list[tuple[Family, str]]] = {}

    def find(key: _Key) -> _Key:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for rule in ruleset.rules:
        kinds = {p.alias: p.kind for p in rule.patterns}
        for pattern in rule.patterns:
            for cmp in _compares(pattern.test):
                here = find((pattern.kind, cmp.field))
                match cmp.right:
                    case Const(value=value):
                        fixed.setdefault(here, []).append((family(value), rule.id))
                    case Ref(alias=alias, field=field):
                        if alias in kinds:
                            parent[here] = find((kinds[alias], field))
                    case _:
                        assert_never(cmp.right)
    for key in list(parent):
        if key[1] in ("kind", "id") or (key[0] == "finding" and key[1] in DERIVED_FIELDS):
            fixed.setdefault(key, []).append(("text", "<engine>"))
    return _plan(parent, fixed, find)


def _plan(parent: dict[_Key, _Key], fixed: dict[_Key, list[tuple[Family, str]]],
          find) -> TypePlan:
    roots = sorted({find(k) for k in parent})
    group = {root: i for i, root in enumerate(roots)}
    seen: dict[int, dict[Family, str]] = {i: {} for i in group.values()}
    for key, uses in fixed.items():
        for fam, rule_id in uses:
            seen[group[find(key)]].setdefault(fam, rule_id)
    conflicts = []
    for root, i in group.items():
        if len(seen[i]) > 1:
            uses = ", ".join(f"{fam} (rule {rid})" for fam, rid in sorted(seen[i].items()))
            conflicts.append(f"{root[0]}.{root[1]} and fields joined to it are compared as {uses}")
    by_kind: dict[str, list[tuple[str, int]]] = {}
    for key in sorted(parent):
        if key[1] not in ("kind", "id"):
            by_kind.setdefault(key[0], []).append((key[1], group[find(key)]))
    expected = tuple(next(iter(seen[i])) if len(seen[i]) == 1 else None for i in range(len(roots)))
    return TypePlan({k: tuple(v) for k, v in by_kind.items()}, expected, tuple(conflicts))


def _compares(cond: Cond | None) -> list[Compare]:
    match cond:
        case None | Defined() | Undefined():
            return []
        case Compare():
            return [cond]
        case And(items=items) | Or(items=items):
            return [c for item in items for c in _compares(item)]
        case _:
            assert_never(cond)


def check_fact_types(plan: TypePlan, facts: list[dict]) -> None:
    """Every field rules compare has the family the rules (or the first fact) give its group.

    Raises:
        EvaluationError: on a static conflict in the ruleset, or a fact field of another family.
    """
    if plan.conflicts:
        raise EvaluationError("ruleset compares values of different types: "
                              + "; ".join(plan.conflicts))
    if _types_clean(plan, facts):
        return
    expected = list(plan.expected)
    first: dict[int, str] = {}
    by_kind, families = plan.by_kind, _FAMILIES
    for fact in facts:
        for field, group in by_kind.get(fact["kind"], ()):
            if field not in fact:
                continue
            value = fact[field]
            fam = families.get(type(value)) or family(value)   # a subclass: `family` decides
            if expected[group] is None:
                expected[group], first[group] = fam, fact["id"]
            elif expected[group] != fam:
                source = f"as in fact {first[group]!r}" if group in first else "constants"
                raise EvaluationError(f"fact {fact['id']!r}: field {field!r} is {fam}, but rules "
                                      f"compare it as {expected[group]} ({source})")



def _types_clean(plan: TypePlan, facts: "list[dict] | CheckedFacts") -> bool:
    """`check_fact_types` in bulk (it runs on every evaluation, over every compared value): True
    when every group's values are of builtin types of one family, the one its constants fix if
    any - so the fact-by-fact loop would find nothing; otherwise False, and the loop decides and
    names the fact."""
    by_kind = plan.by_kind
    of_kind: dict[str, list[dict]] = {}
    for fact in facts:
        if fact["kind"] in by_kind:
            of_kind.setdefault(fact["kind"], []).append(fact)
    types: dict[int, set[type]] = {}
    for kind, group_facts in of_kind.items():
        for field, group in by_kind[kind]:
            found = {type(f[field]) for f in group_facts if field in f}
            if found:
                types.setdefault(group, set()).update(found)
    expected = plan.expected
    for group, found in types.items():
        families = {_FAMILIES.get(t) for t in found}
        if None in families or len(families) != 1 or expected[group] not in (None, *families):
            return False
    return True
