"""`to_comply` on each not_met threshold verdict and plan-target verdict: the smallest change of
each input fact that turns it met (solved by `engine.indicators.to_comply`; see docs/result.md).

What `met` asks is read from the compiled rule, not restated: the `#met` engine rule's subject
test holds the indicator's name and the comparison `value <op> threshold` with the profile's
benchmark already bound; a park-level applicability test (the energy-use tier of the zero-carbon
core indicator) is kept so that a change that moves the park out of the tier is refused.

A plan target's verdict (`on_path == true`, IM-C-001; `reachable == true`, IM-C-012: a target
rule whose `#met` test is that flag, with at most `assessable == true` beside it) becomes a bound
on the target indicator's latest value (`engine.target_bounds`), solved like a threshold.

Asked for: `Assessor.assess(..., to_comply=True)` calls `add_to_comply`; `ensure_to_comply`
completes a result made without it (a logged decision) for the planner's brief.
"""
from __future__ import annotations

from .facts.models import Park
from .indicators.compute import Indicators
from .indicators.to_comply import Requirement, Solver
from .rules import ir
from .rules.packs import Ruleset
from .target_bounds import VERDICT_FIELDS, target_bound

__all__ = ["add_to_comply", "requirement_of", "target_verdict_of", "park_fact", "ensure_to_comply"]

_OP = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_REQUIREMENTS: dict[tuple[str, str], tuple | None] = {}
_TARGET_VERDICTS: dict[tuple[str, str], str | None] = {}


def add_to_comply(findings: list[dict], ruleset: Ruleset, park: Park, ind: Indicators, park_fact: dict | None) -> int:
    """Set `to_comply` on every not_met compliance finding whose rule is a threshold check on a
    derived indicator or a plan target's path or reachability; returns how many findings got one."""
    done, solver = 0, None
    for f in findings:
        if f["kind"] != "compliance" or f["status"] != "not_met":
            continue
        spec = requirement_of(ruleset, f["rule"])
        if spec is not None:
            name, op, threshold, park_test = spec
            applies = None
            if park_test is not None and park_fact is not None:
                applies = lambda fields, test=park_test: _holds(test, {**park_fact, **fields})  # noqa: E731
            req = Requirement(name, op, threshold, applies)
        else:
            req = _target_requirement(ruleset, f, park, ind)
            if req is None:
                continue
        solver = solver or Solver(park, ind, ruleset.knowledge)
        alternatives = solver.solve(req)
        if alternatives:
            f["to_comply"] = alternatives
            done += 1
    return done


def park_fact(facts: list[dict]) -> dict | None:
    """The `park` engine fact (the applicability tests of the zero-carbon tiers read it)."""
    return next((f for f in facts if f["kind"] == "park"), None)


def ensure_to_comply(result: dict, park: Park | None, registry) -> dict:
    """`result` with `to_comply` solved, for a result made without it (a logged decision): the
    planner's brief always shows it. Needs the park the result was made from (its input digest
    must match) and the ruleset it was made with; otherwise `result` is returned as it is.

    Returns a new result (findings copied); `result` is not changed.
    """
    from .assessment import input_digest
    from .errors import GreenparkError
    from .facts.builder import build_facts
    from .indicators.compute import derive
    if result.get("to_comply") or park is None or not (result.get("scope") or {}).get("in_scope", True) \
            or result.get("input_digest") != input_digest(park):
        return result
    meta = result.get("ruleset") or {}
    try:
        ruleset = registry.get((meta.get("versions") or {}).get("ruleset"), meta.get("profile"))
    except GreenparkError:
        return result
    if ruleset.digest != meta.get("digest"):
        return result
    ind = derive(park, ruleset.knowledge)
    facts = build_facts(park, ind, ruleset.knowledge)
    findings = [dict(f) for f in result.get("findings", [])]
    add_to_comply(findings, ruleset, park, ind, park_fact(facts.facts))
    return {**result, "findings": findings, "to_comply": True}


def _target_requirement(ruleset: Ruleset, finding: dict, park: Park, ind: Indicators) -> Requirement | None:
    """The bound on its indicator's latest value that turns a plan target's verdict met, or None."""
    verdict = target_verdict_of(ruleset, finding["rule"])
    subject = finding["id"].partition("@")[2]
    if verdict is None or not subject.startswith("target:") or park.plan is None:
        return None
    target = next((t for t in park.plan.targets or [] if t.id == subject[7:]), None)
    bound = target_bound(verdict, target, ind, ruleset.knowledge) if target is not None else None
    if bound is None:
        return None
    return Requirement(bound.indicator, bound.op, bound.value, basis=bound.basis, exact=bound.exact)


def target_verdict_of(ruleset: Ruleset, rule_id: str) -> str | None:
    """`on_path` or `reachable`: the target flag a compliance rule on plan targets is met by (its
    `#met` test is that flag true, with at most `assessable == true` and the latest value defined
    beside it), or None."""
    key = (ruleset.digest, rule_id)
    if key not in _TARGET_VERDICTS:
        if len(_TARGET_VERDICTS) > 4096:
            _TARGET_VERDICTS.clear()
        _TARGET_VERDICTS[key] = _read_target(ruleset, rule_id)
    return _TARGET_VERDICTS[key]


def _read_target(ruleset: Ruleset, rule_id: str) -> str | None:
    meta = ruleset.meta.get(rule_id)
    if meta is None or meta.kind != "compliance" or meta.aliases.get(meta.subject or "") != "target":
        return None
    met = next((r for r in ruleset.compiled.rules if r.id == f"{rule_id}#met"), None)
    if met is None or len(met.patterns) != 1 or met.patterns[0].alias != meta.subject:
        return None
    test = met.patterns[0].test
    items = test.items if isinstance(test, ir.And) else [test]
    flags = []
    for c in items:
        match c:
            case ir.Compare(field=str() as field, op="eq", right=ir.Const(value=True)) \
                    if field in VERDICT_FIELDS or field == "assessable":
                if field != "assessable":
                    flags.append(field)
            case ir.Defined(field="latest_value"):
                pass
            case _:
                return None
    return flags[0] if len(flags) == 1 else None


def requirement_of(ruleset: Ruleset, rule_id: str) -> tuple | None:
    """(indicator, op, threshold, park applicability test) of a compliance rule's met condition,
    or None when it is not one comparison of an indicator's value with a number."""
    key = (ruleset.digest, rule_id)
    if key not in _REQUIREMENTS:
        if len(_REQUIREMENTS) > 4096:
            _REQUIREMENTS.clear()
        _REQUIREMENTS[key] = _read(ruleset, rule_id)
    return _REQUIREMENTS[key]


def _read(ruleset: Ruleset, rule_id: str) -> tuple | None:
    meta = ruleset.meta.get(rule_id)
    if meta is None or meta.kind != "compliance" or meta.aliases.get(meta.subject or "") != "indicator":
        return None
    met = next((r for r in ruleset.compiled.rules if r.id == f"{rule_id}#met"), None)
    if met is None:
        return None
    subject = next((p for p in met.patterns if p.alias == meta.subject), None)
    park = next((p for p in met.patterns if p.alias == "park"), None)
    names, values = [], []
    _walk(subject.test if subject else None, names, values)
    if len(names) != 1 or len(values) != 1:
        return None
    op, threshold = values[0]
    return names[0], op, threshold, park.test if park is not None else None


def _walk(cond, names: list, values: list) -> None:
    match cond:
        case ir.Compare(field="name", op="eq", right=ir.Const(value=str() as v)):
            names.append(v)
        case ir.Compare(field="value", op=op, right=ir.Const(value=v)) if op in _OP and not isinstance(v, bool):
            values.append((_OP[op], float(v)))
        case ir.And(items=items) | ir.Or(items=items):
            for c in items:
                _walk(c, names, values)


def _holds(cond, fact: dict) -> bool:
    """A park-level applicability test on numbers (And/Or/Compare/Defined), as the engine reads it."""
    match cond:
        case ir.Compare(op=op, field=field, right=ir.Const(value=v)):
            x = fact.get(field)
            if x is None:
                return False
            return {"lt": x < v, "le": x <= v, "gt": x > v, "ge": x >= v, "eq": x == v, "ne": x != v}[op]
        case ir.And(items=items):
            return all(_holds(c, fact) for c in items)
        case ir.Or(items=items):
            return any(_holds(c, fact) for c in items)
        case ir.Defined(field=field):
            return field in fact
        case ir.Undefined(field=field):
            return field not in fact
    return False
