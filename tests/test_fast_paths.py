"""The fast paths of the hot path (issue #13) decide exactly as the plain code they stand for.

`check_facts` answers "nothing to report" in bulk and otherwise hands over to the fact-by-fact
loop, which names the problem: it must never say "clean" where the loop would raise.
`check_fact_types` looks families up by exact type, in bulk first; `facts_json` writes with orjson where
installed; the data-quality walk visits only the fields of one unit; an assessment checks its
facts once for both sessions (`CheckedFacts`); findings share what is the same for every finding
of a rule (`findings._RulePlan`) and templates are parsed once. Each is checked against the plain
version on every example, expert scenario and bench park, and on facts spoiled at random.
`bench/result_check.py` compares whole results, byte for byte, before and after a change.
"""
from __future__ import annotations

import math
import random
from enum import IntEnum, StrEnum
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.make_parks import large_park, random_park, triggered_park, typical_park
from engine.errors import EvaluationError
from engine.evaluators import durable_format
from engine.evaluators.base import (CheckedFacts, _check_property, _check_structure, _fact_name, _structure_clean,
                                    check_fact_types, check_facts, family, type_plan)
from engine.evaluators.durable_format import facts_json, read_fields
from engine.facts.loader import load_park, park_from_data
from engine.facts.models import Park
from engine.quality.fields import walk
from engine.sourcefile import load_document

ROOT = Path(__file__).resolve().parents[1]


class _Count(IntEnum):
    ONE = 1


class _Text(StrEnum):
    A = "a"


def _parks() -> list[tuple[str, Park]]:
    parks = [(f"example {p.stem}", load_park(p)) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    parks += [(f"scenario {p.stem}", park_from_data(load_document(p).data["park"]))
              for p in sorted((ROOT / "tests" / "scenarios").glob("[0-9]*.yaml"))]
    parks += [("typical", Park.model_validate(typical_park(0))),
              ("large", Park.model_validate(large_park(300))),
              ("triggered", Park.model_validate(triggered_park(50)))]
    return parks + [(f"random {s}", Park.model_validate(random_park(random.Random(s)))) for s in range(12)]


@pytest.fixture(scope="module")
def prepared(ruleset):
    from engine.assessment import Assessor
    assessor = Assessor(evaluator=object())   # prepare only
    return [(name, assessor.prepare(park, ruleset)[1].facts, park) for name, park in _parks()]


def _plain_check(facts: list[dict]) -> str | None:
    """The fact-by-fact check (structure, then every property): the error it raises, or None."""
    try:
        _check_structure(facts)
        for index, fact in enumerate(facts):
            for field, value in fact.items():
                _check_property(_fact_name(fact, index), field, value)
    except EvaluationError as exc:
        return str(exc)
    return None


def _raised(fn, *args) -> str | None:
    try:
        fn(*args)
    except EvaluationError as exc:
        return str(exc)
    return None


_SPOILERS = [
    lambda f: f.update(value=math.nan), lambda f: f.update(value=math.inf), lambda f: f.update(value=2 ** 63),
    lambda f: f.update(value=-(2 ** 63) - 1), lambda f: f.update(value=[1]), lambda f: f.update(value=None),
    lambda f: f.update({"$x": 1}), lambda f: f.update({"": 1}), lambda f: f.update(sid="s"),
    lambda f: f.update(__id__="x"), lambda f: f.update(kind=""), lambda f: f.update(id=5),
    lambda f: f.update(kind="__end__"), lambda f: f.update(id="__end__"), lambda f: f.pop("kind", None),
    lambda f: f.update({1: 2}), lambda f: f.update(value=9.3e18),
    lambda f: f.update(value=True), lambda f: f.update(value="5"), lambda f: f.update(name=3),
    lambda f: f.update({f"p{i}": i for i in range(260)}),
]


def test_clean_facts_of_every_park_pass_both_ways(prepared, ruleset):
    plan = type_plan(ruleset.compiled)
    for name, facts, _park in prepared:
        assert _structure_clean(facts), name
        assert _plain_check(facts) is None, name
        assert _raised(check_fact_types, plan, facts) is None, name


def _spoil(facts: list, at: int, choice: int) -> None:
    if choice == len(_SPOILERS):
        facts.append(dict(facts[at]) if isinstance(facts[at], dict) else facts[at])   # a duplicate id
    elif choice == len(_SPOILERS) + 1:
        facts[at] = [facts[at]]                  # not a dict
    elif isinstance(facts[at], dict):
        _SPOILERS[choice](facts[at])


@pytest.mark.parametrize("choice", range(len(_SPOILERS) + 2))
def test_each_spoiled_fact_raises_as_the_plain_loops_do(prepared, choice):
    for name, facts, _park in prepared[:4]:
        for at in (0, len(facts) // 2, len(facts) - 1):
            spoiled = [dict(f) for f in facts]
            _spoil(spoiled, at, choice)
            expected = _plain_check(spoiled)
            assert expected is not None or choice in (16, 17, 18, 19), (name, choice)   # 9.3e18, True, "5", 3 are fine
            assert _raised(check_facts, spoiled) == expected, (name, choice, at)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_spoiled_facts_raise_as_the_plain_loops_do(prepared, ruleset, data):
    _name, facts, _park = data.draw(st.sampled_from(prepared))
    facts = [dict(f) for f in facts]
    for _ in range(data.draw(st.integers(1, 3))):
        _spoil(facts, data.draw(st.integers(0, len(facts) - 1)), data.draw(st.integers(0, len(_SPOILERS) + 1)))
    assert _raised(check_facts, facts) == _plain_check(facts)


def _plain_fact_types(plan, facts) -> None:
    """`check_fact_types` as it was, every value through `family`."""
    expected = list(plan.expected)
    first: dict[int, str] = {}
    for fact in facts:
        for field, group in plan.by_kind.get(fact["kind"], ()):
            if field not in fact:
                continue
            fam = family(fact[field])
            if expected[group] is None:
                expected[group], first[group] = fam, fact["id"]
            elif expected[group] != fam:
                source = f"as in fact {first[group]!r}" if group in first else "constants"
                raise EvaluationError(f"fact {fact['id']!r}: field {field!r} is {fam}, but rules "
                                      f"compare it as {expected[group]} ({source})")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mixed_families_are_caught_by_both_paths(prepared, ruleset, data):
    _name, facts, _park = data.draw(st.sampled_from(prepared))
    plan = type_plan(ruleset.compiled)
    facts = [dict(f) for f in facts]
    compared = [(i, field) for i, f in enumerate(facts) for field, _g in plan.by_kind.get(f["kind"], ())
                if field in f]
    for i, field in data.draw(st.lists(st.sampled_from(compared), min_size=1, max_size=3)):
        facts[i][field] = data.draw(st.sampled_from([1, 1.5, "x", True, False, 0, _Count.ONE, _Text.A]))
    assert _raised(check_fact_types, plan, facts) == _raised(_plain_fact_types, plan, facts)


def test_facts_json_writes_the_same_text_with_and_without_orjson(prepared, ruleset, monkeypatch):
    fields = read_fields(ruleset.compiled)
    edge = [{"kind": "indicator", "id": f"x{i}", "name": "n", "value": v} for i, v in enumerate(
        [1e-05, 0.0001, 9.99e-05, 1e15 + 0.5, 2.0 ** 63, 9.2e18, -1e-7, 5.0, -0.0, 123.456, 1e16, 3e20,
         0.1 + 0.2, 1 / 3, 2 ** 63 - 1, "文字\u2028\"\\", True])]
    cases = [(name, [f for f in facts if f["kind"] in fields]) for name, facts, _ in prepared] + [("edge", edge)]
    fast = [facts_json(facts, "s", [str(i) for i in range(len(facts))], True, fields) for _, facts in cases]
    monkeypatch.setattr(durable_format, "_orjson", None)
    for (name, facts), text in zip(cases, fast):
        assert facts_json(facts, "s", [str(i) for i in range(len(facts))], True, fields) == text, name


def test_walk_of_one_unit_is_the_full_walk_filtered(prepared):
    for name, _facts, park in prepared:
        assert list(walk(park, unit="%")) == [w for w in walk(park) if w[2][0] == "%"], name
        for y in park.years:
            assert list(walk(y, unit="t")) == [w for w in walk(y) if w[2][0] == "t"], name


@pytest.mark.parametrize("skipped", [0, 3, 9, 50])
def test_engine_ids_in_bulk_are_engine_id_one_by_one(skipped):
    from engine.evaluators.durable import _Run
    from engine.evaluators.durable_ids import ENGINE_IDS
    fact_ids = [f"f{i}" for i in range(20)]
    one, bulk = (_Run(set(), 0, ENGINE_IDS.get(skipped)[1]) for _ in range(2))
    bulk.engine_id("first")
    one.engine_id("first")
    assert bulk.engine_ids(fact_ids) == [one.engine_id(f) for f in fact_ids]
    assert (bulk.names, bulk.next_id) == (one.names, one.next_id)


@pytest.mark.parametrize("choice", range(len(_SPOILERS) + 2))
def test_checked_facts_refuse_what_check_facts_refuses(prepared, choice):
    for name, facts, _park in prepared[:3]:
        spoiled = [dict(f) for f in facts]
        _spoil(spoiled, len(facts) // 2, choice)
        assert _raised(CheckedFacts, spoiled) == _raised(check_facts, spoiled), (name, choice)
    assert _raised(CheckedFacts, []) == _raised(check_facts, [])
    assert _raised(CheckedFacts, tuple(facts)) is not None      # a list, as check_facts wants


def test_facts_checked_once_evaluate_as_facts_checked_per_session(prepared, ruleset, durable):
    from engine.evaluators.oracle import OracleEvaluator
    oracle = OracleEvaluator()
    for name, facts, _park in prepared:
        checked = CheckedFacts(facts)
        for rs in (ruleset.scope, ruleset.compiled):
            assert durable.evaluate(rs, checked) == durable.evaluate(rs, list(facts)), name
        if len(facts) < 400:
            assert oracle.evaluate(ruleset.compiled, checked) == oracle.evaluate(ruleset.compiled, facts), name


def test_findings_are_the_same_from_a_cold_and_a_warm_rule_plan(prepared, ruleset):
    """The per-rule plans and parsed templates are shared: a result changed by its reader, or
    built first, must not change the next one."""
    import json

    from engine import findings as findings_module
    from engine.assessment import Assessor
    from engine.rules.templates import _segments
    assessor = Assessor()
    for name, _facts, park in prepared[:6] + prepared[-3:]:
        findings_module._PLANS.clear()
        _segments.cache_clear()
        cold = assessor.assess(park)
        text = json.dumps(cold, ensure_ascii=False)
        for f in cold["findings"]:      # a reader changing what it was given
            for key in ("title", "clauses", "frameworks", "explanation", "evidence"):
                value = f.get(key)
                if isinstance(value, dict):
                    value.clear()
                elif isinstance(value, list):
                    value.append("x")
        assert json.dumps(assessor.assess(park), ensure_ascii=False) == text, name
