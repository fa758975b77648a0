"""Compile a parsed condition (`engine.rules.grammar`) into IR for one pattern.

Checks every name against the fact catalogue and every operand's type, resolves `$threshold`s
to knowledge values, and pushes `not` down into the operators (the IR has no `not`): `not a < 3`
becomes `a >= 3`, which - like every comparison - is false when `a` was not reported. To talk
about missing data, write `a is not defined`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import assert_never

from ..facts.catalogue import KINDS, FieldSpec
from . import grammar as g
from . import ir

__all__ = ["Scope", "compile_condition", "ConditionError", "split_conjuncts", "NEGATE", "OPS"]

OPS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
NEGATE = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
# Numbers a rule may write itself; every other number is a threshold with a source in knowledge/.
_STRUCTURAL_NUMBERS = {0, 1}


class ConditionError(ValueError):
    """A condition that parses but cannot be compiled (unknown field, type clash, ...)."""


@dataclass
class Scope:
    """What names mean inside one pattern's condition."""

    alias: str
    kind: str
    earlier: dict[str, str] = field(default_factory=dict)        # alias -> kind, for joins
    thresholds: dict[str, float | bool] = field(default_factory=dict)
    used_thresholds: list[str] = field(default_factory=list)

    def own_field(self, name: g.Name) -> tuple[str, FieldSpec] | None:
        if name.alias not in (None, self.alias):
            return None
        spec = KINDS[self.kind].get(name.field)
        if spec is None:
            known = ", ".join(sorted(KINDS[self.kind]))
            raise ConditionError(f"{self.kind} has no field {name.field!r} (fields: {known})")
        return name.field, spec


def compile_condition(node: g.Node, scope: Scope, negate: bool = False) -> ir.Cond:
    """AST -> IR for the fact bound to `scope.alias`.

    Raises:
        ConditionError: unknown field or alias, type clash, disallowed number or join.
    """
    match node:
        case g.Not(item=item):
            return compile_condition(item, scope, not negate)
        case g.And(items=items) | g.Or(items=items):
            parts = [compile_condition(i, scope, negate) for i in items]
            conj = isinstance(node, g.And) != negate
            return ir.And(items=parts) if conj else ir.Or(items=parts)
        case g.IsDefined(name=name, negated=neg):
            fld, _ = _require_own(name, scope)
            return ir.Undefined(field=fld) if neg != negate else ir.Defined(field=fld)
        case g.In(name=name, values=values, negated=neg):
            fld, spec = _require_own(name, scope)
            consts = [_const(v, spec, fld, "==") for v in values]
            if neg != negate:
                items = [ir.Compare(op="ne", field=fld, right=c) for c in consts]
                return items[0] if len(items) == 1 else ir.And(items=items)
            items = [ir.Compare(op="eq", field=fld, right=c) for c in consts]
            return items[0] if len(items) == 1 else ir.Or(items=items)
        case g.Cmp():
            return _compare(node, scope, negate)
        case _:
            assert_never(node)


def _require_own(name: g.Name, scope: Scope) -> tuple[str, FieldSpec]:
    own = scope.own_field(name)
    if own is None:
        raise ConditionError(f"{name.alias}.{name.field}: only fields of this fact "
                             f"({scope.alias}) can be tested here")
    return own


def _compare(node: g.Cmp, scope: Scope, negate: bool) -> ir.Cond:
    op = OPS[node.op]
    left, right = node.left, node.right
    left_own = isinstance(left, g.Name) and scope.own_field(left) is not None
    if not left_own:
        if isinstance(right, g.Name) and scope.own_field(right) is not None:
            left, right, op = right, left, _FLIP[op]
        else:
            raise ConditionError(f"comparison {_show(node)} must test a field of {scope.alias}")
    fld, spec = scope.own_field(left)  # type: ignore[misc]
    if negate:
        op = NEGATE[op]
    match right:
        case g.Literal():
            return ir.Compare(op=op, field=fld, right=_const(right, spec, fld, node.op))
        case g.Threshold(name=tname):
            if tname not in scope.thresholds:
                raise ConditionError(f"${tname} is not declared under `thresholds:`")
            value = scope.thresholds[tname]
            if tname not in scope.used_thresholds:
                scope.used_thresholds.append(tname)
            _check_type(spec, value, fld, op)
            return ir.Compare(op=op, field=fld, right=ir.Const(value=value))
        case g.Name(alias=alias, field=other):
            if alias in (None, scope.alias):
                raise ConditionError(f"{_show(node)} compares two fields of one fact; derive the "
                                     "ratio or flag in the fact builder instead")
            if alias not in scope.earlier:
                raise ConditionError(f"unknown alias {alias!r} (earlier patterns: "
                                     f"{', '.join(scope.earlier) or 'none'})")
            other_spec = KINDS[scope.earlier[alias]].get(other)
            if other_spec is None:
                raise ConditionError(f"{scope.earlier[alias]} has no field {other!r}")
            if op != "eq":
                # durable-rules reads out of bounds on cross-fact inequalities
                # (../shared/reference/durable_rules.md §9): joins are equality only.
                raise ConditionError(f"{_show(node)}: a join between facts must be '==' (and not negated)")
            if other_spec.type != spec.type:
                raise ConditionError(f"{_show(node)} compares {spec.type} with {other_spec.type}")
            return ir.Compare(op="eq", field=fld, right=ir.Ref(alias=alias, field=other))
        case _:
            assert_never(right)


def _const(lit: g.Literal, spec: FieldSpec, fld: str, op_text: str) -> ir.Const:
    value = lit.value
    _check_type(spec, value, fld, OPS.get(op_text, "eq"))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value not in _STRUCTURAL_NUMBERS:
        raise ConditionError(f"the number {value!r} is written in the rule; declare it under "
                             "`thresholds:` so it cites a benchmark with its source")
    return ir.Const(value=value)


def _check_type(spec: FieldSpec, value, fld: str, op: str) -> None:
    kind = "bool" if isinstance(value, bool) else "number" if isinstance(value, (int, float)) else "text"
    if kind != spec.type:
        raise ConditionError(f"{fld} is {spec.type}, compared with {kind} {value!r}")
    if op in ("lt", "le", "gt", "ge") and spec.type != "number":
        raise ConditionError(f"{fld} is {spec.type}: only == and != apply")
    if spec.values is not None and isinstance(value, str) and value not in spec.values:
        raise ConditionError(f"{fld} is never {value!r} (one of: {', '.join(spec.values)})")


def split_conjuncts(node: g.Node) -> list[g.Node]:
    """`a and b and c` -> [a, b, c]; anything else -> [node]."""
    return list(node.items) if isinstance(node, g.And) else [node]


def _show(node: g.Cmp) -> str:
    def one(o):
        match o:
            case g.Name(alias=a, field=f):
                return f"{a}.{f}" if a else f
            case g.Literal(value=v):
                return repr(v)
            case g.Threshold(name=n):
                return f"${n}"
    return f"{one(node.left)} {node.op} {one(node.right)}"
