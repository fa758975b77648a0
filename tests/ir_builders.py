"""Tiny builders of hand-written IR for the evaluator and limit tests."""
from __future__ import annotations

from engine.rules.ir import Compare, Const, Emit, Pattern, Ref, RuleIR


def c(op: str, field: str, value) -> Compare:
    return Compare(op=op, field=field, right=Const(value=value))


def j(field: str, alias: str, other: str, op: str = "eq") -> Compare:
    return Compare(op=op, field=field, right=Ref(alias=alias, field=other))


def p(alias: str, kind: str, test=None) -> Pattern:
    return Pattern(alias=alias, kind=kind, test=test)


def rule(rid: str, *patterns: Pattern, emit: str | None = None, priority: int = 0) -> RuleIR:
    return RuleIR(id=rid, source=rid.split("#")[0], patterns=list(patterns), priority=priority,
                  emit=Emit(rule=emit, status="not_met", severity="high") if emit else None)
