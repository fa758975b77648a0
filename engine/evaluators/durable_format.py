"""IR -> durable-rules' dict format, and JSON text its C parser accepts. Pure Python.

This module never imports durable: `durable_limits` models durable's alpha network from
exactly the dicts built here, and `engine.evaluators.durable` registers them. Each choice below
has a reason measured in /work/shared/reference/durable_rules.md or with scratch rulesets:

* Every alias condition is `{"$and": [{"kind": K}, ...]}` with the kind first: the per-sid state
  object `{sid, id, $s}` runs through the same alpha network and has no kind, so it never gets
  past the first node (§5: otherwise a `$nex` rule loops forever).
* Constant equality tests come next, sorted by field, so rules share alpha-node prefixes (§9: at
  most 64 nodes on the traversal stack, 511 children per node).
* Join tests (`Ref`) come before any `$or`: C evaluates a pattern's join expressions as one
  sequence and stops at the first `OP_END`, which a nested `$or` leaves behind; a join after
  it was silently skipped (measured: the join did not filter). A join inside `$or` raises error
  311 when the field is absent, so `durable_limits` forbids it.
* Rules are named `r0, r1, ...` and aliases `a0, a1, ...` inside the engine: an alias called
  `m` in a join is read as "this fact" (rete.c `readIdentifier`, `HASH_M`), and rule names are
  looked up as raw JSON text. `DurableRuleset` maps them back.
* Ids: the adapter gives every fact an engine id of its own (`durable_ids`: durable compares ids
  by a 32-bit hash and silently drops a fact whose hash is taken). A test or join on `id` therefore
  reads `ID_FIELD`, which `fact_json(..., real_id=True)` fills with the fact's id; only rulesets
  that read `id` pay for the extra property (`DurableRuleset.reads_id`). The engine id is each
  fact's first property: the adapter reads it back from the serialised firing (`bound_ids`).
* Facts carry only the fields rules read (`read_fields`): nothing else can change a match, and
  the engine parses, stores and copies every property it is given.
* Numbers: an integral float within int64 is written as an integer, because durable hashes ints
  and doubles differently in joins (5 did not join 5.0; constants compare fine either way).
  Other floats always have a fraction before the exponent: `1e-05` is C error 204 (§6).
  NaN, inf and integers beyond int64 are rejected (§6: silently unmatched, error 202, clamped).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import assert_never

try:
    import orjson as _orjson
except ImportError:   # pragma: no cover - json writes the same text, slower
    _orjson = None

from ..errors import EvaluationError
from ..rules.ir import (And, Compare, CompiledRuleset, Cond, Const, Defined, Or, Pattern, Ref,
                        RuleIR, Undefined, cond_fields)
from .base import END, ID_FIELD, INT64_MAX, INT64_MIN, check_property

__all__ = ["DurableRule", "DurableRuleset", "to_durable", "pattern_condition", "dumps",
           "fact_json", "facts_json", "read_fields", "number", "OPS"]

OPS = {"eq": None, "ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


@dataclass(frozen=True)
class DurableRule:
    """One IR rule as the engine knows it: its engine name and `(engine alias, IR alias)` pairs."""

    name: str
    rule: RuleIR
    aliases: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DurableRuleset:
    """The dict to register (with the `__end__` rule), the rules it names, and whether any rule
    reads `id` (then facts must carry `ID_FIELD`)."""

    definition: dict
    rules: tuple[DurableRule, ...]
    reads_id: bool = False


def to_durable(ruleset: CompiledRuleset) -> DurableRuleset:
    """Build durable's dict for `ruleset` (never shares structure with the caller's data).

    Example:
        >>> to_durable(rs).definition["r0"]["all"]
        [{'a0': {'$and': [{'kind': 'indicator'}, {'name': 'COD'}, {'$gt': {'value': 50}}]}}]
    """
    definition: dict = {}
    rules = []
    for index, rule in enumerate(ruleset.rules):
        aliases = {p.alias: f"a{i}" for i, p in enumerate(rule.patterns)}
        name = f"r{index}"
        body: dict = {"all": [{aliases[p.alias]: pattern_condition(p, aliases)}
                              for p in rule.patterns]}
        if rule.priority:
            body["pri"] = rule.priority
        definition[name] = body
        rules.append(DurableRule(name, rule, tuple((a, p) for p, a in aliases.items())))
    definition[END] = {"all": [{"a0": {"$and": [{"kind": END}]}}]}
    reads_id = any(_reads_id(p.test) for r in ruleset.rules for p in r.patterns)
    return DurableRuleset(definition, tuple(rules), reads_id)


def _reads_id(cond: Cond | None) -> bool:
    match cond:
        case None:
            return False
        case Compare(field=field, right=right):
            return field == "id" or (isinstance(right, Ref) and right.field == "id")
        case Defined(field=field) | Undefined(field=field):
            return field == "id"
        case And(items=items) | Or(items=items):
            return any(_reads_id(c) for c in items)
        case _:
            assert_never(cond)


def pattern_condition(pattern: Pattern, aliases: dict[str, str]) -> dict:
    """`{"$and": [{"kind": K}, equalities..., other tests..., joins..., $or groups...]}`."""
    return {"$and": [{"kind": pattern.kind}, *_conjuncts(pattern.test, aliases)]}


def _conjuncts(cond: Cond | None, aliases: dict[str, str]) -> list[dict]:
    flat = _flatten(cond, And)
    eqs = [c for c in flat
           if isinstance(c, Compare) and c.op == "eq" and isinstance(c.right, Const)]
    eqs.sort(key=lambda c: (c.field, type(c.right.value).__name__, str(c.right.value)))
    joins = [c for c in flat if isinstance(c, Compare) and isinstance(c.right, Ref)]
    groups = [c for c in flat if isinstance(c, Or)]
    rest = [c for c in flat if not any(c is x for x in (*eqs, *joins, *groups))]
    return [_emit(c, aliases) for c in (*eqs, *rest, *joins, *groups)]


def _flatten(cond: Cond | None, kind: type[And] | type[Or]) -> list[Cond]:
    if cond is None:
        return []
    if isinstance(cond, kind):
        return [leaf for item in cond.items for leaf in _flatten(item, kind)]
    return [cond]


def _emit(cond: Cond, aliases: dict[str, str]) -> dict:
    match cond:
        case Compare(op=op, field=field, right=right):
            value = _operand(right, aliases)
            field = ID_FIELD if field == "id" else field
            return {field: value} if OPS[op] is None else {OPS[op]: {field: value}}
        case Defined(field=field):
            return {"$ex": {ID_FIELD if field == "id" else field: 1}}
        case Undefined(field=field):
            return {"$nex": {ID_FIELD if field == "id" else field: 1}}
        case And():
            items = _conjuncts(cond, aliases)
            return items[0] if len(items) == 1 else {"$and": items}
        case Or():
            items = [_emit(c, aliases) for c in _flatten(cond, Or)]
            return items[0] if len(items) == 1 else {"$or": items}
        case _:
            assert_never(cond)


def _operand(right: Const | Ref, aliases: dict[str, str]) -> object:
    match right:
        case Const(value=value):
            return number(value)
        case Ref(alias=alias, field=field):
            return {aliases.get(alias, f"?{alias}"): ID_FIELD if field == "id" else field}
        case _:
            assert_never(right)


def number(value: object) -> object:
    """An integral float within int64 becomes an int (durable joins 5 and 5.0 apart)."""
    if isinstance(value, float) and value.is_integer() and INT64_MIN <= value <= INT64_MAX:
        return int(value)
    return value


def fact_json(fact: dict, sid: str, engine_id: str | None = None, real_id: bool = False) -> str:
    """`dumps({**fact, "sid": sid})` at json's C speed, checking every property on the way.

    Structure (kind, id, duplicates, size, `sid`) is `check_facts(values=False)`'s job; each
    property name and value is checked here, in the one pass that serialises it.

    Args:
        engine_id: the id the engine sees instead of `fact["id"]` (`durable_ids`), written
            first: the adapter reads it back from the start of the fact's text (`bound_ids`).
        real_id: also write `fact["id"]` as `ID_FIELD`, for rules that read `id`.

    Raises:
        EvaluationError: a reserved or empty name, NaN/inf, an int beyond int64, another type.

    Example:
        >>> fact_json({"kind": "indicator", "id": "i1", "value": 2e-05}, "s1")
        '{"kind":"indicator","id":"i1","value":2.0e-05,"sid":"s1"}'
    """
    row, careful = _row(fact, sid, engine_id, real_id)
    return dumps(row) if careful else _ENCODE(row)


def read_fields(ruleset: CompiledRuleset) -> dict[str, tuple[str, ...]]:
    """For each fact kind some pattern matches, the fields any rule reads from such a fact: in
    its own tests, or through a join from another pattern (`kind` and `id` aside: both are always
    written). The adapter asserts only these (`facts_json`); no other property can change a match.

    Example:
        >>> read_fields(rs)
        {'indicator': ('name', 'value')}
    """
    fields: dict[str, set[str]] = {}
    for rule in ruleset.rules:
        kinds = {p.alias: p.kind for p in rule.patterns}
        for pattern in rule.patterns:
            fields.setdefault(pattern.kind, set()).update(cond_fields(pattern.test))
            for ref in _refs(pattern.test):
                if ref.alias in kinds:
                    fields.setdefault(kinds[ref.alias], set()).add(ref.field)
    return {kind: tuple(sorted(f for f in names if f not in ("kind", "id")))
            for kind, names in fields.items()}


def _refs(cond: Cond | None) -> list[Ref]:
    match cond:
        case Compare(right=Ref() as ref):
            return [ref]
        case And(items=items) | Or(items=items):
            return [r for c in items for r in _refs(c)]
        case _:
            return []


def facts_json(facts: list[dict], sid: str, engine_ids: list[str], real_id: bool,
               fields: dict[str, tuple[str, ...]]) -> str:
    """The JSON array the engine is given for `facts`: per fact its engine id (first, for
    `durable.bound_ids`), kind, the `fields` its kind has (`read_fields`), `ID_FIELD` if
    `real_id`, and `sid`; written mostly in one encode. The facts must have passed `check_facts`
    (values included): this only rewrites floats (`number`, and exponents as `dumps` does).

    Example:
        >>> facts_json([{"kind": "a", "id": "x", "v": 5.0, "w": 1}], "s1", ["0"], False, {"a": ("v",)})
        '[{"id":"0","kind":"a","v":5,"sid":"s1"}]'
    """
    parts: list[str] = []
    rows: list[dict] = []   # a run of rows json can write; encoded in one call
    for fact, engine_id in zip(facts, engine_ids, strict=True):
        kind = fact["kind"]
        row = {"id": engine_id, "kind": kind}
        careful = False
        for key in fields[kind]:
            if key in fact:
                value = fact[key]
                if type(value) is float:   # `number`, inline: this runs over every value
                    if value.is_integer() and INT64_MIN <= value <= INT64_MAX:
                        value = int(value)
                    elif not 1e-4 <= abs(value) < 1e15:
                        careful = True  # json may write 1e-05, which the C parser rejects
                row[key] = value
        if real_id:
            row[ID_FIELD] = fact["id"]
        row["sid"] = sid
        if careful:
            if rows:
                parts.append(_encode_rows(rows)[1:-1])
                rows = []
            parts.append(dumps(row))
        else:
            rows.append(row)
    if rows:
        parts.append(_encode_rows(rows)[1:-1])
    return "[" + ",".join(parts) + "]"


# one encoder: json.dumps with keyword arguments builds a new JSONEncoder on every call
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def _encode_rows(rows: list[dict]) -> str:
    """`_ENCODE(rows)`, by orjson where installed (30x faster on a large park's facts) and where
    it writes the same text: exact str/int/bool values, and floats in [1e-4, 1e15) that are not
    integral (`facts_json` sends the others to `dumps`), which both write as `repr` does
    (checked over 300,000 random floats, and by tests/test_fact_json.py). A subclass of a builtin
    type, a lone surrogate or an int beyond 64 bits makes orjson raise: then json writes it."""
    if _orjson is not None:
        try:
            return _orjson.dumps(rows, option=_orjson.OPT_PASSTHROUGH_SUBCLASS).decode()
        except (TypeError, _orjson.JSONEncodeError):
            pass
    return _ENCODE(rows)


def _row(fact: dict, sid: str, engine_id: str | None, real_id: bool) -> tuple[dict, bool]:
    """The dict to write for `fact` (checked, integral floats as ints), and whether a float
    needs `dumps` (json would write 1e-05, which the C parser rejects)."""
    out: dict = {"id": None} if engine_id is not None else {}   # the engine id comes first
    careful = False
    for key, value in fact.items():
        t = type(value)
        if not (type(key) is str and key and key[0] != "$"
                and (t is str or t is bool or (t is float and value - value == 0.0)
                     or (t is int and INT64_MIN <= value <= INT64_MAX))):
            check_property(f"fact {fact.get('id')!r}", key, value)  # raises with the reason
        if t is float:
            value = number(value)
            if type(value) is float and "e" in repr(value):
                careful = True
        out[key] = value
    if real_id:
        out[ID_FIELD] = fact["id"]
    if engine_id is not None:
        out["id"] = engine_id
    out["sid"] = sid
    return out, careful


def dumps(value: object) -> str:
    """JSON text for durable's parser; see the module docstring.

    Raises:
        EvaluationError: NaN/inf, an integer outside int64, or a type JSON cannot carry.

    Example:
        >>> dumps({"v": 1e-05, "w": 5.0})
        '{"v":1.0e-05,"w":5}'
    """
    if isinstance(value, (bool, str)) or value is None:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise EvaluationError(f"integer {value} is outside int64")
        return str(int(value))
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + dumps(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise EvaluationError(f"cannot serialise {type(value).__name__} for the engine")


def _float(value: float) -> str:
    if not math.isfinite(value):
        raise EvaluationError(f"{value} is not a finite number")
    whole = number(value)
    if isinstance(whole, int):
        return str(whole)
    text = repr(float(value))
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        text = f"{mantissa}.0e{exponent}"
    return text
