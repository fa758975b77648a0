"""Static checks that a compiled ruleset is safe for durable-rules' C core.

durable-rules 2.0.28 has fixed-size tables in its C core; overflowing one is an error at best
and a hang or segfault at worst (/work/shared/reference/durable_rules.md §2, §9, §11).
`check_limits` refuses such rulesets before they reach the engine: `DurableEvaluator` calls it
on registration, and the pack loader (`engine.rules.packs`) when a rules tree compiles, so a rule
author learns of a broken limit from `greenpark rules lint`, naming the rule's file. It runs the
engine-independent checks of the rule language too (`engine.rules.limits.check_rules`: IR format,
unique rule ids, aliases, joins to earlier patterns, finding cycles). Limits, and how each was
found:

* 4096 rules including the adapter's `__end__` rule (rete.c `MAX_ACTIONS`).
* 16 patterns per rule (message frame of 16: a 17-pattern rule failed with error 304, measured).
* 31 join expressions per pattern, counting 2 per `$and`/`$or` (error 113 at 32, measured).
* Joins (`Ref`) only with `eq` (§9: an inequality join reads out of bounds), and only in the
  pattern's top-level conjunction (inside `$or` error 311 when the field is absent, measured).
* Priorities 0..65535 (read with `atoi` into an unsigned short), finite constants within int64,
  ordering comparisons on numbers only, one type family per compared field (§5), field names
  that are not `sid` or `$...` (the engine's own), kinds that are not empty or `__end__`.
* The alpha network (below): <= 511 children per node (512 hangs, §9), <= 127 entries in a node's
  `$nex`/forward list (128 segfaulted, measured), <= 255 patterns ending at one node (256 fills
  the beta list, whose scan has no bound; 257 is error 108), <= 64 nodes on the traversal stack
  (error 303, §9).

Patterns whose test is only `Undefined` are allowed: §5's infinite loop came from the state
object `{sid, id, $s}` matching a bare `$nex`; every pattern here starts with a `kind` equality,
which the state object never passes (tests/test_limits.py shows such a rule firing once).

Model of durable's alpha network (rete.c `createAlpha`/`findAlpha`, events.c `handleAlpha`),
built from the exact dicts `durable_format.to_durable` emits:

* A pattern `{"$and": [t1, t2, ...]}` is a chain root -> t1 -> t2 -> ...; the rule's beta node
  hangs off the last node. A test node is shared with an existing child of the same parent that
  has the same field, operator, value type and value; join tests are never shared.
* `$nex` tests live in the parent's `$nex` list, everything else in its 512-slot hash set.
* `{"$or": [d1, d2]}` under parent P builds each branch from P and links each branch's last node
  to one new forward node F (through that node's `$nex` list); the chain continues below F.
* Asserting a fact pops a node and pushes every child the fact passes onto a 64-entry stack:
  forward nodes always, `$nex` nodes when the field is absent, join nodes when it is present.
  Worst case for one node, `fanout`: all of its `$nex` list, joins and non-equality tests, plus,
  per field, one equality child per type family (one value cannot equal two distinct constants
  of one family). Worst stack height below node N: `peak(N) = fanout(N) + max(0, peak(C) - 1)`
  over its children C - the siblings of the child being expanded stay on the stack. The root
  pushes only the fact's `kind` node, so a ruleset is safe when `peak` of every kind node <= 64.
  The model is conservative (it assumes `v > 5` and `v < 3` can hold together) and matched the
  engine exactly at the 64/65 boundary for flat, nested, `$or` and `$nex` shapes
  (tests/test_limits.py). The source read is durable_rules 2.0.28's sdist, `src/rules/`.

**Vouching.** The pack loader checks every tree it compiles, so the evaluator need not check the
same rules again (~28 ms of every CLI start, issue #13): `vouch(ruleset)` records, in this
process's memory only, that this very `CompiledRuleset` object passed `check_limits`, and
`vouched(ruleset)` is true only for that object while it holds the same rule objects, in the same
order, in the same IR format. Nothing read from a file or built by a caller can claim it: a
ruleset is vouched for only by the code that checked it (`load_ruleset`) or by the registry on a
cache hit, whose entry is what `load_ruleset` compiled - and checked - from the same sources,
the engine's own included (`engine.rules.cache`). Anything else is checked on registration.
The rules are compared by identity, not content (a digest would cost most of what the vouch saves):
the IR nodes are frozen models, so a change means new rule objects; only reaching into a rule's
own lists and changing them in place would go unseen.

`durable_worst_case.worst_case_facts` builds the facts that put the most alpha nodes on the stack,
to show the engine copes with a ruleset this module passes.
"""
from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import assert_never

from ..rules.ir import And, CompiledRuleset, Compare, Cond, Const, Defined, Or, Ref, RuleIR, Undefined
from ..rules.limits import check_rules
from .base import END, INT64_MAX, INT64_MIN, family, type_plan
from .durable_format import pattern_condition, to_durable

__all__ = ["check_limits", "vouch", "vouched", "alpha_peaks", "MAX_RULES", "MAX_PATTERNS",
           "MAX_EXPRESSIONS", "MAX_CHILDREN", "MAX_NEX_LIST", "MAX_BETAS", "MAX_STACK",
           "MAX_PRIORITY"]

MAX_RULES = 4096
MAX_PATTERNS = 16
MAX_EXPRESSIONS = 31
MAX_CHILDREN = 511
MAX_NEX_LIST = 127
MAX_BETAS = 255
MAX_STACK = 64
MAX_PRIORITY = 65535


def check_limits(ruleset: CompiledRuleset, *, cycles: bool = True) -> list[str]:
    """Every reason durable-rules cannot safely run `ruleset` (empty list: safe), the rule
    language's own problems (`check_rules`) first.

    Args:
        cycles: include finding cycles (`FindingGraph.cycle_problems`); the pack loader reports
            those itself, not as an engine limit.

    Example:
        >>> check_limits(ruleset)
        []
    """
    problems = check_rules(ruleset, cycles=cycles)
    if len(ruleset.rules) + 1 > MAX_RULES:
        problems.append(f"{len(ruleset.rules)} rules: the engine takes at most {MAX_RULES - 1} "
                        f"(plus the end marker)")
    for rule in ruleset.rules:
        problems.extend(_rule_problems(rule))
    problems.extend(f"ruleset: {c}" for c in type_plan(ruleset).conflicts)
    problems.extend(_network_problems(ruleset))
    return problems


# ------------------------------------------------------------------------- vouching

# id(ruleset) -> (weak reference to it, its rule objects and IR format when vouched for); an entry
# goes when its ruleset is collected, and a reused id never matches (the reference is dead or
# names another object)
_VOUCHED: dict[int, tuple[weakref.ref, tuple, int]] = {}
_VOUCH_LOCK = threading.Lock()


def vouch(ruleset: CompiledRuleset) -> None:
    """Record that `ruleset`, this object as it is now, passed `check_limits` (see the module
    docstring): only for code that has just checked it, or holds what such code produced."""
    key = id(ruleset)
    with _VOUCH_LOCK:
        _VOUCHED[key] = (weakref.ref(ruleset, lambda _ref, key=key: _forget(key, _ref)),
                         tuple(ruleset.rules), ruleset.format)


def _forget(key: int, ref: weakref.ref) -> None:
    with _VOUCH_LOCK:
        if key in _VOUCHED and _VOUCHED[key][0] is ref:
            del _VOUCHED[key]


def vouched(ruleset: CompiledRuleset) -> bool:
    """True when `vouch` was called for this very object and it still holds the same rule objects
    in the same order (a rule added, dropped or replaced since, or another object: False)."""
    entry = _VOUCHED.get(id(ruleset))
    if entry is None or entry[0]() is not ruleset or entry[2] != ruleset.format:
        return False
    rules, now = entry[1], ruleset.rules
    return len(rules) == len(now) and all(a is b for a, b in zip(rules, now))


# ------------------------------------------------------------------------- per-rule checks

def _rule_problems(rule: RuleIR) -> list[str]:
    out = []
    if len(rule.patterns) > MAX_PATTERNS:
        out.append(f"{rule.id}: {len(rule.patterns)} patterns, at most {MAX_PATTERNS}")
    if not 0 <= rule.priority <= MAX_PRIORITY:
        out.append(f"{rule.id}: priority {rule.priority} outside 0..{MAX_PRIORITY}")
    aliases = {p.alias: f"a{i}" for i, p in enumerate(rule.patterns)}
    for pattern in rule.patterns:
        where = f"{rule.id}: pattern {pattern.alias!r}"
        if not pattern.kind or pattern.kind == END:
            out.append(f"{where}: kind {pattern.kind!r} is empty or reserved")
        if pattern.test is not None:
            out.extend(f"{where}: {m}" for m in _cond_problems(pattern.test, False))
        count = _expressions(pattern_condition(pattern, aliases))
        if count > MAX_EXPRESSIONS:
            out.append(f"{where}: {count} join expressions (2 per and/or group), at most "
                       f"{MAX_EXPRESSIONS}")
    return out


def _cond_problems(cond: Cond, in_or: bool) -> list[str]:
    match cond:
        case Compare(op=op, field=name, right=right):
            return _field_problems(name) + _operand_problems(op, right, in_or)
        case Defined(field=name) | Undefined(field=name):
            return _field_problems(name)
        case And(items=items):
            return [m for c in items for m in _cond_problems(c, in_or)]
        case Or(items=items):
            return [m for c in items for m in _cond_problems(c, True)]
        case _:
            assert_never(cond)


def _field_problems(name: str) -> list[str]:
    if not name or name == "sid" or name.startswith("$"):
        return [f"field name {name!r} is empty or reserved by the engine"]
    return []


def _operand_problems(op: str, right: Const | Ref, in_or: bool) -> list[str]:
    match right:
        case Const(value=value):
            out = []
            if isinstance(value, float) and not math.isfinite(value):
                out.append(f"constant {value} is not finite")
            if isinstance(value, int) and not isinstance(value, bool) and \
                    not INT64_MIN <= value <= INT64_MAX:
                out.append(f"constant {value} is outside int64")
            if op not in ("eq", "ne") and family(value) != "number":
                out.append(f"{op} needs a number, got {value!r}")
            return out
        case Ref(alias=alias, field=name):
            out = _field_problems(name)
            if op != "eq":
                out.append(f"join on {alias}.{name} uses {op}: only eq joins are safe (§9)")
            if in_or:
                out.append(f"join on {alias}.{name} inside an or: error 311 when a field is absent")
            return out
        case _:
            assert_never(right)


def _expressions(cond: dict) -> int:
    ((key, arg),) = cond.items()
    if key in ("$and", "$or"):
        return 2 + sum(_expressions(c) for c in arg)
    value = next(iter(arg.values())) if key.startswith("$") else arg
    return 1 if isinstance(value, dict) else 0


# ------------------------------------------------------------------------- alpha network

@dataclass(eq=False)
class _Alpha:
    """One alpha node of the model (see the module docstring)."""

    prop: str | None = None
    op: str = ""
    value: object = None
    children: dict[tuple, "_Alpha"] = field(default_factory=dict)
    nex: list["_Alpha"] = field(default_factory=list)
    betas: list[str] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)

    def all_children(self) -> list["_Alpha"]:
        return [*self.children.values(), *self.nex]


def _network(ruleset: CompiledRuleset) -> _Alpha:
    compiled = to_durable(ruleset)
    names = {r.name: r.rule.id for r in compiled.rules}
    root = _Alpha()
    for name, body in compiled.definition.items():
        for item in body["all"]:
            ((_, cond),) = item.items()
            _build(cond, root, names.get(name, name)).betas.append(names.get(name, name))
    return root


def _build(cond: dict, parent: _Alpha, rule_id: str) -> _Alpha:
    ((key, arg),) = cond.items()
    if key == "$and":
        node = parent
        for item in arg:
            node = _build(item, node, rule_id)
        return node
    if key == "$or":
        forward = _Alpha(op="forward", rules={rule_id})
        for item in arg:
            _build(item, parent, rule_id).nex.append(forward)
        return forward
    if key.startswith("$"):
        op, ((name, value),) = key, arg.items()
    else:
        op, name, value = "$eq", key, arg
    if isinstance(value, dict):  # a join: rete.c stores fresh strings, so never shared
        node = _Alpha(name, op, value)
        parent.children[("join", id(node))] = node
    elif op == "$nex":
        node = next((n for n in parent.nex if (n.prop, n.op) == (name, op)), None)
        if node is None:
            node = _Alpha(name, op, value)
            parent.nex.append(node)
    else:
        node = parent.children.setdefault((name, op, type(value).__name__, value),
                                          _Alpha(name, op, value))
    node.rules.add(rule_id)
    return node


def _fanout(node: _Alpha) -> int:
    """Children one fact can push at once: see the module docstring."""
    equal: dict[str, set[str]] = {}
    count = len(node.nex)
    for child in node.children.values():
        if child.op == "$eq" and not isinstance(child.value, dict):
            equal.setdefault(child.prop or "", set()).add(family(child.value))
        else:
            count += 1
    return count + sum(len(f) for f in equal.values())


def _peak(node: _Alpha, memo: dict[int, int]) -> int:
    if id(node) not in memo:
        below = max((_peak(c, memo) - 1 for c in node.all_children()), default=0)
        memo[id(node)] = _fanout(node) + max(0, below)
    return memo[id(node)]


def alpha_peaks(ruleset: CompiledRuleset) -> dict[str, int]:
    """Worst-case traversal-stack height per fact kind (must be <= 64).

    Example:
        >>> alpha_peaks(ruleset)
        {'indicator': 3, 'infrastructure': 1}
    """
    root, memo = _network(ruleset), {}
    return {child.value: _peak(child, memo) for child in root.children.values()
            if child.value != END}


def _network_problems(ruleset: CompiledRuleset) -> list[str]:
    root, memo = _network(ruleset), {}
    out = []
    for kind_node in root.children.values():
        peak = _peak(kind_node, memo)
        if peak > MAX_STACK:
            widest = _widest_on_worst_path(kind_node, memo)
            out.append(f"{_names(r for c in widest.all_children() for r in c.rules)}: a fact of "
                       f"kind {kind_node.value!r} can put {peak} alpha nodes on the engine's "
                       f"{MAX_STACK}-entry stack (error 303); split the rules or add an equality "
                       f"test that tells them apart")
    for node in _nodes(root):
        where = _describe(node)
        if len(node.children) > MAX_CHILDREN:
            out.append(f"{_names(node.rules or _all_rules(node))}: {len(node.children)} "
                       f"conditions under one alpha node ({where}), at most {MAX_CHILDREN} "
                       f"(512 hangs the engine)")
        if len(node.nex) > MAX_NEX_LIST:
            out.append(f"{_names(r for c in node.nex for r in c.rules)}: {len(node.nex)} undefined "
                       f"tests or or-groups under one alpha node ({where}), at most {MAX_NEX_LIST}")
        if len(node.betas) > MAX_BETAS:
            out.append(f"{_names(node.betas)}: {len(node.betas)} patterns end at one alpha node "
                       f"({where}), at most {MAX_BETAS}")
    return out


def _describe(node: _Alpha) -> str:
    if node.prop is None:
        return "the root" if not node.op else "an or-group"
    return f"{node.prop} {node.op} {node.value!r}"


def _nodes(root: _Alpha) -> list[_Alpha]:
    out, seen, todo = [], set(), [root]
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen.add(id(node))
            out.append(node)
            todo.extend(node.all_children())
    return out


def _all_rules(node: _Alpha) -> set[str]:
    return {r for c in node.all_children() for r in c.rules}


def _widest_on_worst_path(node: _Alpha, memo: dict[int, int]) -> _Alpha:
    widest = node
    while node.all_children():
        if _fanout(node) > _fanout(widest):
            widest = node
        node = max(node.all_children(), key=lambda c: memo[id(c)])
    return widest


def _names(rule_ids: Iterable[str], limit: int = 8) -> str:
    ids = sorted(set(rule_ids))
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more
