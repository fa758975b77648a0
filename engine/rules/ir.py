"""The engine-neutral rule IR: plain, JSON-serialisable, tagged data.

The compiler (`engine.rules.compiler`) turns YAML rule packs into a `CompiledRuleset`; an
evaluator (`engine.evaluators`) runs it over a list of engine facts. Both evaluators - durable-rules
in production, the pure-Python oracle in tests - read only this module's types, so either can be
replaced without touching rules.

Semantics every evaluator must implement exactly:

* A `Pattern` matches one fact: `fact["kind"] == pattern.kind` and its `test` holds.
* A rule fires once for every combination of facts (one per pattern, in order) that all match;
  a `Ref` operand binds to the field of the fact matched by an earlier pattern's alias.
* `Compare` with a field that is absent from the fact is false - for every operator, `ne`
  included. Negation was pushed into the operators by the compiler, so there is no `not` node.
* `Defined`/`Undefined` test presence of a field (a field is never present with a null value:
  the fact builder drops nulls).
* Comparisons are only between values of one type family (numbers with numbers, text with text,
  booleans with booleans); the compiler guarantees it, so `lt`/`gt`/... only ever see numbers.
* A fired rule with `emit` set adds the fact `derived_fact(rule, bound_ids)` to the working
  memory, so later rules may match it (forward chaining, to a fixpoint). Derived fact ids are
  deterministic, so a combination never fires twice.

Facts are flat dicts: `kind` and `id` strings plus scalar fields (str, bool, int, float).
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal, Union, assert_never

from pydantic import BaseModel, ConfigDict, Field

from ..errors import EvaluationError

__all__ = ["Const", "Ref", "Compare", "And", "Or", "Defined", "Undefined", "Cond",
           "Pattern", "Emit", "RuleIR", "CompiledRuleset", "Match", "derived_fact", "IR_FORMAT",
           "cond_fields", "holds"]

IR_FORMAT = 1
Scalar = Union[bool, int, float, str]


class _Node(BaseModel):
    # defer_build: validators are built on first use, not at import - a process that takes its
    # compiled ruleset from the cache (engine.rules.cache) unpickles these and validates none (issue #13)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Ref(_Node):
    """The value of `field` in the fact bound to an earlier pattern's `alias` (joins)."""

    type: Literal["ref"] = "ref"
    alias: str
    field: str


class Const(_Node):
    type: Literal["const"] = "const"
    value: Scalar


class Compare(_Node):
    """`fact[field] <op> right`."""

    type: Literal["cmp"] = "cmp"
    op: Literal["eq", "ne", "lt", "le", "gt", "ge"]
    field: str
    right: Annotated[Union[Const, Ref], Field(discriminator="type")]


class Defined(_Node):
    type: Literal["defined"] = "defined"
    field: str


class Undefined(_Node):
    type: Literal["undefined"] = "undefined"
    field: str


class And(_Node):
    type: Literal["and"] = "and"
    items: list["Cond"] = Field(min_length=1)


class Or(_Node):
    type: Literal["or"] = "or"
    items: list["Cond"] = Field(min_length=1)


# And/Or name "Cond" before it exists: defer_build resolves it from this module at first use
Cond = Annotated[Union[Compare, Defined, Undefined, And, Or], Field(discriminator="type")]


class Pattern(_Node):
    alias: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str
    test: Cond | None = None


class Emit(_Node):
    """The derived fact a firing adds: `{kind: finding, rule, status, severity}`."""

    rule: str
    status: str
    severity: str


class RuleIR(_Node):
    """One engine rule. A DSL compliance rule becomes several of these, one per status."""

    id: str = Field(description="engine rule id, e.g. PC-RE-001#not_met")
    source: str = Field(description="DSL rule id")
    patterns: list[Pattern] = Field(min_length=1)
    emit: Emit | None = None
    priority: int = 0


class CompiledRuleset(_Node):
    """A compiled, versioned ruleset: everything needed to evaluate, nothing engine-specific."""

    format: int = IR_FORMAT
    key: str = Field(description="unique name of this compiled ruleset, e.g. greenpark@1.0.0#ab12cd34")
    rules: list[RuleIR]


@dataclass(frozen=True, slots=True)
class Match:
    """One firing: the engine rule and the id of the fact bound to each alias.

    A plain dataclass, not a pydantic model: evaluators make thousands per assessment.
    """

    rule: str
    facts: dict[str, str]


def derived_fact(rule: RuleIR, bound_ids: list[str]) -> dict | None:
    """The fact a firing of `rule` over facts `bound_ids` adds (None if it emits nothing).

    Both evaluators call this, so derived facts are identical by construction.
    """
    if rule.emit is None:
        return None
    return {"kind": "finding", "id": f"{rule.id}({','.join(bound_ids)})", "rule": rule.emit.rule,
            "status": rule.emit.status, "severity": rule.emit.severity}


def cond_fields(cond: Cond | None) -> list[str]:
    """Fields of the pattern's own fact that `cond` reads, in order of first use."""
    out: list[str] = []

    def walk(c) -> None:
        match c:
            case None:
                return
            case Compare() | Defined() | Undefined():
                if c.field not in out:
                    out.append(c.field)
            case And() | Or():
                for item in c.items:
                    walk(item)
    walk(cond)
    return out


_OPS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
        "gt": operator.gt, "ge": operator.ge}
_ABSENT = object()


def holds(cond: Cond, fact: dict, env: dict[str, dict] | None = None,
          compare: Callable[[str, object, object], bool] | None = None) -> bool:
    """Whether `cond` holds of `fact`, as every evaluator reads it: a comparison with an absent field
    (or a `Ref` to one) is false, for every operator. `env` binds the aliases `Ref`s name;
    `compare(op, left, right)` may check the operands' types first (the oracle's does), else
    Python's operators compare them. The oracle evaluates patterns with it, and findings pick an
    explanation's case (`explain.cases`) with it."""
    match cond:
        case Compare(op=op, field=field, right=right):
            if isinstance(right, Const):
                other = right.value
            elif env is None or right.alias not in env:
                raise EvaluationError(f"join refers to alias {right.alias!r}, not bound by an earlier pattern")
            else:
                other = env[right.alias].get(right.field, _ABSENT)
            if field not in fact or other is _ABSENT:
                return False
            return compare(op, fact[field], other) if compare is not None else _OPS[op](fact[field], other)
        case Defined(field=field):
            return field in fact
        case Undefined(field=field):
            return field not in fact
        case And(items=items):
            return all(holds(c, fact, env, compare) for c in items)
        case Or(items=items):
            return any(holds(c, fact, env, compare) for c in items)
        case _:
            assert_never(cond)
