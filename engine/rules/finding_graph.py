"""Which rule's finding can feed which rule: the cycle check and the derived-fact bound.

A rule with `emit` adds one `finding` fact per firing (`ir.derived_fact`); a rule with a `finding`
pattern (a measure, or a problem such as IM-P-005 that diagnoses findings) may match it. The
*finding graph* has an edge from producer P to pattern k of consumer C when P's finding can pass
that pattern's test. A derived finding carries exactly `kind, id, rule, status, severity`, and all
but its id are constants of P, so most tests decide statically (`_may_hold`); a test on the id,
a join or an ordering comparison is taken to hold, which only adds edges.

* **Cycles.** Every firing derives a fact with a new id, so rules that feed each other's findings
  never reach a fixpoint. `FindingGraph.cycle_problems` names each cycle; `check_limits` reports
  them, so a cyclic pack fails to load as a whole, and both evaluators refuse a cyclic ruleset.
* **The bound.** In an acyclic graph, the firings of a rule are bounded by the product, over its
  patterns, of the facts that pattern can bind: the input facts of its kind, plus - for a finding
  pattern - every finding its producers can derive. Evaluated in topological order, that gives
  `FindingGraph.bound(facts)`, the most derived facts one evaluation can make. It grows with the
  input instead of being a fixed count, so large parks pass; exceeding it means an evaluator fault.

Why the bound holds: both evaluators fire each (rule, bound fact ids) combination at most once
and each firing of an emitting rule derives exactly one fact, so a rule's derived facts are at
most the number of distinct tuples its patterns can bind - at most the product of the candidate
counts. A finding pattern's candidates are the input findings plus the derived findings of its
producers; since the graph is acyclic, those producers come earlier in topological order and their
counts are already bounded (induction on the order). Edges are over-approximated, never missed,
so the sum is an upper bound.

Example:
    >>> graph = FindingGraph.of(ruleset)
    >>> graph.cycle_problems()
    []
    >>> graph.bound([{"kind": "indicator", "id": "i1", "value": 80}])
    2
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from typing import assert_never

from .ir import (And, CompiledRuleset, Compare, Cond, Const, Defined, Or, Ref, RuleIR,
                             Undefined)

__all__ = ["FindingGraph"]

_CACHE_SIZE = 32


@dataclass(frozen=True)
class FindingGraph:
    """The finding graph of one ruleset (see the module docstring).

    Attributes:
        rule_ids: engine rule id of each rule, by position in the ruleset.
        kinds: `kinds[r][k]` is the fact kind of pattern k of rule r.
        emits: positions of the rules that emit a finding.
        feeds: `feeds[r][k]` lists the producers whose finding can match pattern k of rule r.
        cycles: each cycle as a closed path of engine rule ids (`A -> B -> A` is `(A, B, A)`).
        order: the emitting rules in topological order (empty when there is a cycle).
    """

    rule_ids: tuple[str, ...]
    kinds: tuple[tuple[str, ...], ...]
    emits: tuple[int, ...]
    feeds: tuple[tuple[tuple[int, ...], ...], ...]
    cycles: tuple[tuple[str, ...], ...]
    order: tuple[int, ...]

    @classmethod
    def of(cls, ruleset: CompiledRuleset) -> FindingGraph:
        """The graph of `ruleset`, built once per ruleset object (a small identity cache)."""
        with _lock:
            hit = _cache.get(id(ruleset))
            if hit is not None and hit[0] is ruleset:
                return hit[1]
        graph = cls.build(ruleset.rules)
        with _lock:
            _cache[id(ruleset)] = (ruleset, graph)  # the strong reference keeps the id unique
            while len(_cache) > _CACHE_SIZE:
                del _cache[next(iter(_cache))]
        return graph

    @classmethod
    def remember(cls, ruleset: CompiledRuleset, graph: FindingGraph) -> None:
        """Let `of(ruleset)` answer `graph` without building it: the graph worked out when the
        ruleset compiled and kept with it in the compiled-ruleset cache (`Ruleset.graphs`)."""
        with _lock:
            _cache[id(ruleset)] = (ruleset, graph)
            while len(_cache) > _CACHE_SIZE:
                del _cache[next(iter(_cache))]

    @classmethod
    def build(cls, rules: list[RuleIR]) -> FindingGraph:
        """Build the graph of `rules` (no cache)."""
        emits = tuple(i for i, r in enumerate(rules) if r.emit is not None)
        by_rule: dict[object, list[tuple[int, int]]] = {}   # `rule` value -> patterns insisting on it
        open_patterns: list[tuple[int, int]] = []           # finding patterns that name no rule
        for i, rule in enumerate(rules):
            for k, pattern in enumerate(rule.patterns):
                if pattern.kind != "finding":
                    continue
                wanted = _rules_wanted(pattern.test)
                if wanted is None:
                    open_patterns.append((i, k))
                for value in wanted or ():
                    by_rule.setdefault(value, []).append((i, k))
        feeds = [[[] for _ in rule.patterns] for rule in rules]
        for p in emits:
            emit = rules[p].emit
            known = {"kind": "finding", "rule": emit.rule, "status": emit.status,
                     "severity": emit.severity}
            for i, k in sorted(set(by_rule.get(emit.rule, []) + open_patterns)):
                if _may_hold(rules[i].patterns[k].test, known) is not False:
                    feeds[i][k].append(p)
        edges = {p: sorted({i for i in emits for k in feeds[i] if p in k}) for p in emits}
        ids = tuple(r.id for r in rules)
        cycles = _cycles(emits, edges, ids)
        return cls(rule_ids=ids, kinds=tuple(tuple(p.kind for p in r.patterns) for r in rules),
                   emits=emits, feeds=tuple(tuple(tuple(f) for f in r) for r in feeds),
                   cycles=cycles, order=() if cycles else _topological(emits, edges))

    def cycle_problems(self) -> list[str]:
        """One message per cycle, naming its rules in order (empty: the graph is acyclic).

        Example:
            >>> FindingGraph.of(loop).cycle_problems()[0][:32]
            'finding cycle SELF -> SELF: each'
        """
        return [f"finding cycle {' -> '.join(cycle)}: each rule matches the finding the one before "
                f"it derives, so forward chaining never settles" for cycle in self.cycles]

    def bound(self, facts: list[dict]) -> int:
        """The most derived facts one evaluation of these input facts can make (see module docs).

        Raises:
            ValueError: the graph has a cycle, so there is no bound.
        """
        if self.cycles:
            raise ValueError("a cyclic finding graph has no bound: " + "; ".join(self.cycle_problems()))
        counts = Counter(map(itemgetter("kind"), facts))
        derived = [0] * len(self.rule_ids)
        for r in self.order:   # plain loops: this runs on every evaluation
            firings = 1
            for kind, feeds in zip(self.kinds[r], self.feeds[r]):
                candidates = counts.get(kind, 0)
                for producer in feeds:
                    candidates += derived[producer]
                firings *= candidates
                if not firings:
                    break
            derived[r] = firings
        return sum(derived)


_lock = threading.Lock()
_cache: dict[int, tuple[CompiledRuleset, FindingGraph]] = {}


def _rules_wanted(test: Cond | None) -> set[object] | None:
    """The `rule` values a finding pattern insists on (a top-level `rule == X [or ...]`), or None."""
    items = test.items if isinstance(test, And) else [test]
    for cond in items:
        alternatives = cond.items if isinstance(cond, Or) else [cond]
        if all(isinstance(a, Compare) and a.field == "rule" and a.op == "eq"
               and isinstance(a.right, Const) for a in alternatives):
            return {a.right.value for a in alternatives}
    return None


def _may_hold(cond: Cond | None, fact: dict[str, str]) -> bool | None:
    """Three-valued: can `cond` hold for a derived finding whose id is unknown (None: maybe)?"""
    match cond:
        case None:
            return True
        case Compare(field="id") | Compare(right=Ref()):
            return None
        case Compare(op=op, field=name, right=Const(value=value)):
            if name not in fact:
                return False   # a comparison with an absent field is false (ir semantics)
            if op not in ("eq", "ne") or not isinstance(value, str):
                return None    # derived fields are text; type checks refuse other comparisons
            return (fact[name] == value) == (op == "eq")
        case Defined(field=name):
            return name in fact or name == "id"
        case Undefined(field=name):
            return name not in fact and name != "id"
        case And(items=items):
            values = [_may_hold(c, fact) for c in items]
            return False if False in values else (None if None in values else True)
        case Or(items=items):
            values = [_may_hold(c, fact) for c in items]
            return True if True in values else (None if None in values else False)
        case _:
            assert_never(cond)


def _cycles(nodes: tuple[int, ...], edges: dict[int, list[int]],
            ids: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """One closed path per strongly connected component that has a cycle (iterative Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    components: list[list[int]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if child < len(successors):
                work.append((node, child + 1))
                nxt = successors[child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    out = []
    for component in components:
        members = set(component)
        start = min(component)
        if len(component) == 1 and start not in edges[start]:
            continue
        out.append(tuple(ids[n] for n in _closed_path(start, members, edges)))
    return tuple(sorted(out))


def _closed_path(start: int, members: set[int], edges: dict[int, list[int]]) -> list[int]:
    """The shortest path from `start` back to itself inside one component (breadth first)."""
    parent: dict[int, int] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in edges[node]:
                if nxt not in members:
                    continue
                if nxt == start:
                    back = [node]
                    while back[-1] != start:
                        back.append(parent[back[-1]])
                    return [*reversed(back), start]
                if nxt not in parent:
                    parent[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError("a strongly connected component without a cycle")  # pragma: no cover


def _topological(nodes: tuple[int, ...], edges: dict[int, list[int]]) -> tuple[int, ...]:
    """Kahn's algorithm; producers before the rules their findings feed."""
    indegree = {n: 0 for n in nodes}
    for n in nodes:
        for m in edges[n]:
            indegree[m] += 1
    ready = [n for n in nodes if indegree[n] == 0]
    out = []
    while ready:
        n = ready.pop()
        out.append(n)
        for m in edges[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                ready.append(m)
    return tuple(out)
