"""Benchmark profiles: which frameworks an assessment measures against.

A profile (`knowledge/benchmarks.yaml`, `profiles:`) maps indicators to the benchmarks it uses,
e.g. `default` = the guide + MIIT green park + the national zero-carbon core indicator. A rule is
*active* under a profile when every benchmark it compares against is admitted:

* a benchmark of an indicator the profile lists is admitted only if the profile lists it
  (so `default`, which lists MIIT-RG6 for solid-waste utilisation, does not admit Jiangsu's JS-13);
* a benchmark of an indicator the profile does not list (a tier bound, a count) is admitted when
  its framework is one the profile uses, or the guide itself.

Rules are never re-pointed at another framework's number: a rule's explanation is written for
its benchmark, so a rule whose benchmark is not admitted is left out of that profile's ruleset
(and listed with the reason). A measure stays while it answers at least one active rule.
Rule examples (`greenpark rules test`) run the ruleset as written, with no profile.
"""
from __future__ import annotations

import dataclasses
import hashlib

from engine.errors import RulesetNotFound
from engine.rules import ir
from engine.rules.compiler import RuleMeta

__all__ = ["apply_profile", "profile_frameworks", "DEFAULT_PROFILE"]

DEFAULT_PROFILE = "default"
_ALWAYS = {"guide"}


def profile_frameworks(knowledge, name: str) -> set[str]:
    """Frameworks whose benchmarks the profile lists (plus the guide)."""
    listed = knowledge.profiles[name]
    return {knowledge.benchmarks[b].framework for ids in listed.values() for b in ids} | _ALWAYS


def _inactive_reason(meta: RuleMeta, knowledge, listed: dict, frameworks: set[str]) -> str | None:
    for t in meta.thresholds.values():
        bench = knowledge.benchmarks[t.benchmark]
        ids = listed.get(bench.indicator) if bench.indicator else None
        if ids is not None:
            if t.benchmark not in ids:
                return f"{t.benchmark} is not this profile's benchmark for {bench.indicator} ({', '.join(ids)})"
        elif bench.framework not in frameworks:
            return f"{t.benchmark} belongs to {bench.framework}, which this profile does not use"
    return None


def apply_profile(ruleset, name: str | None):
    """The ruleset restricted to the rules active under profile `name` (None: as written).

    Raises:
        RulesetNotFound: no such profile.
    """
    if name is None:
        return ruleset
    knowledge = ruleset.knowledge
    if name not in knowledge.profiles:
        raise RulesetNotFound(f"benchmark profile {name!r} does not exist "
                              f"(profiles: {', '.join(knowledge.profiles)})")
    listed, frameworks = knowledge.profiles[name], profile_frameworks(knowledge, name)
    inactive = {}
    for meta in ruleset.meta.values():
        if meta.kind != "measure":
            reason = _inactive_reason(meta, knowledge, listed, frameworks)
            if reason:
                inactive[meta.id] = reason
    metas = {}
    for rid, meta in ruleset.meta.items():
        if rid in inactive:
            continue
        if meta.kind == "measure":
            answers = tuple(a for a in meta.answers if a not in inactive)
            if not answers:
                inactive[rid] = "every rule it answers is inactive under this profile"
                continue
            meta = dataclasses.replace(meta, answers=answers)
        metas[rid] = meta
    rules = [_narrow(r, metas[r.source]) if metas[r.source].kind == "measure" else r
             for r in ruleset.compiled.rules if r.source in metas]
    digest = hashlib.sha256(f"{ruleset.digest}|profile={name}".encode()).hexdigest()
    key = f"{ruleset.name}@{ruleset.version}~{name}#{digest[:12]}"
    return dataclasses.replace(ruleset, compiled=ir.CompiledRuleset(key=key, rules=rules), meta=metas,
                               digest=digest, profile=name, inactive=inactive)


def _narrow(rule: ir.RuleIR, meta: RuleMeta) -> ir.RuleIR:
    """A measure's pattern, answering only the rules still active."""
    pattern = rule.patterns[0]
    by_rule = [ir.Compare(op="eq", field="rule", right=ir.Const(value=a)) for a in meta.answers]
    test = pattern.test
    assert isinstance(test, ir.And) or isinstance(test, ir.Compare) or isinstance(test, ir.Or)
    items = test.items if isinstance(test, ir.And) else [test]
    status = [c for c in items if not _is_rule_test(c)]
    first = by_rule[0] if len(by_rule) == 1 else ir.Or(items=by_rule)
    new = ir.And(items=[first, *status]) if status else first
    return rule.model_copy(update={"patterns": [pattern.model_copy(update={"test": new})]})


def _is_rule_test(c: ir.Cond) -> bool:
    if isinstance(c, ir.Compare):
        return c.field == "rule"
    if isinstance(c, ir.Or):
        return all(isinstance(i, ir.Compare) and i.field == "rule" for i in c.items)
    return False
