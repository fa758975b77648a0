"""check_limits: each limit trips on a synthetic ruleset, passes on a normal one, and the model
of durable's alpha network agrees with the engine at the 64/65 boundary."""
from __future__ import annotations

import math

import pytest

from engine.errors import EvaluationError
from engine.evaluators.durable import DurableEvaluator
from engine.evaluators.oracle import OracleEvaluator
from ir_builders import c, j, p, rule  # noqa: F401
from engine.rules.ir import (And, CompiledRuleset, Compare, Const, Defined, Emit, Or, Pattern, Ref,
                             RuleIR, Undefined)
from engine.evaluators.durable_limits import MAX_STACK, alpha_peaks, check_limits
from engine.evaluators.durable_worst_case import worst_case_facts
from engine.rules.limits import check_rules


_keys = iter(range(10 ** 9))


def ruleset(*rules: RuleIR) -> CompiledRuleset:
    return CompiledRuleset(key=f"limits@{next(_keys)}", rules=list(rules))


@pytest.fixture(scope="module")
def unchecked() -> DurableEvaluator:
    """Registers anything, to show what the engine itself does past a limit."""
    return DurableEvaluator(enforce_limits=False)


def assert_engine_copes(rs: CompiledRuleset, copies: int = 1) -> None:
    """Worst-case facts through a scratch durable ruleset: no 303, no hang, same as the oracle."""
    facts = worst_case_facts(rs, copies)
    scratch = DurableEvaluator()
    got = scratch.evaluate(rs, facts)
    scratch.retire(rs.key)
    assert {(m.rule, tuple(m.facts.items())) for m in got} == \
        {(m.rule, tuple(m.facts.items())) for m in OracleEvaluator().evaluate(rs, facts)}


def one(problems: list[str], *words: str) -> str:
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0], (word, problems[0])
    return problems[0]


# ----------------------------------------------------------------------------- a normal ruleset

NORMAL = ruleset(
    rule("DIAG-COD#not_met", p("m", "indicator", And(items=[c("eq", "name", "COD"), c("gt", "value", 50)])),
         emit="DIAG-COD"),
    rule("DIAG-COD#met", p("m", "indicator", And(items=[c("eq", "name", "COD"), c("le", "value", 50)]))),
    rule("NH3-LOW-CAP", p("i", "indicator", And(items=[c("eq", "name", "氨氮"), c("gt", "value", 0.00001)])),
         p("w", "wwtp", And(items=[c("lt", "load_ratio", 0.95), j("park", "i", "park")]))),
    rule("PERMIT#insufficient_data", p("e", "enterprise", Undefined(field="permit"))),
    rule("AUDIT", p("e", "enterprise", Or(items=[c("eq", "audited", False), Defined(field="overdue")]))),
    rule("OWNER", p("e", "enterprise"), p("w", "wwtp", j("owner", "e", "id"))),
    rule("MEASURE-WATER", p("f", "finding", c("eq", "rule", "DIAG-COD")), emit="MEASURE-WATER"),
    *[rule(f"T{k}", p("m", "indicator", And(items=[c("eq", "name", f"I{k}"), c("ge", "value", k)])))
      for k in range(150)],
)


def test_a_normal_ruleset_passes_and_its_worst_case_facts_run():
    assert check_limits(NORMAL) == []
    assert max(alpha_peaks(NORMAL).values()) < 10
    assert_engine_copes(NORMAL, copies=2)


def test_worst_case_facts_pass_as_many_tests_as_possible():
    facts = {f["id"]: f for f in worst_case_facts(NORMAL)}
    assert set(facts) == {"worst:enterprise:0", "worst:finding:0", "worst:indicator:0", "worst:wwtp:0"}
    assert facts["worst:indicator:0"]["name"] == "COD"          # two tests name COD, one each other
    assert facts["worst:indicator:0"]["value"] > 50              # passes gt 50 and ge 0, ge 1, ...
    assert facts["worst:wwtp:0"]["owner"] == "worst:enterprise:0"  # joined to the enterprise's id
    assert facts["worst:wwtp:0"]["park"] == facts["worst:indicator:0"]["park"]
    assert "permit" not in facts["worst:enterprise:0"]           # Undefined wins 1:0
    assert facts["worst:finding:0"]["rule"] == "DIAG-COD"


# ----------------------------------------------------------------------------- rule-level limits

def test_rule_count():
    def many(n: int) -> CompiledRuleset:  # 16 kinds x n/16 names: no other limit in the way
        return ruleset(*[rule(f"R{i}", p("m", f"k{i % 16}", c("eq", "name", f"n{i // 16}")))
                         for i in range(n)])
    assert check_limits(many(4095)) == []
    one(check_limits(many(4096)), "4096 rules", "4095")


def test_rule_count_is_a_real_engine_limit(unchecked):
    rs = ruleset(*[rule(f"R{i}", p("m", f"k{i % 16}", c("eq", "name", f"n{i // 16}"))) for i in range(4096)])
    with pytest.raises(EvaluationError, match="refused"):
        unchecked.evaluate(rs, [{"kind": "k0", "id": "f", "name": "n0"}])


def test_ir_format():
    one(check_limits(CompiledRuleset(format=2, key="future", rules=[rule("R", p("m", "a"))])),
        "IR format 2")


def test_duplicate_rule_ids():
    one(check_limits(ruleset(rule("R", p("m", "a")), rule("R", p("m", "b")))), "R: duplicate")


def test_patterns_per_rule(unchecked):
    def wide(n: int) -> CompiledRuleset:
        return ruleset(rule("WIDE", *[p(f"p{i}", f"k{i}") for i in range(n)]))
    assert check_limits(wide(16)) == []
    one(check_limits(wide(17)), "WIDE", "17 patterns")
    facts = [{"kind": f"k{i}", "id": f"f{i}"} for i in range(17)]
    assert len(unchecked.evaluate(wide(16), facts)) == 1
    with pytest.raises(EvaluationError, match="304"):
        unchecked.evaluate(wide(17), facts)


def test_join_expressions_per_pattern(unchecked):
    def joins(n: int) -> CompiledRuleset:
        return ruleset(rule("JOINS", p("a", "a"), p("b", "b", And(items=[j(f"x{i}", "a", f"y{i}") for i in range(n)]))))
    assert check_limits(joins(29)) == []
    one(check_limits(joins(30)), "JOINS", "32 join expressions")
    with pytest.raises(EvaluationError, match="113"):
        unchecked.evaluate(joins(30), [{"kind": "a", "id": "a"}])


@pytest.mark.parametrize(("test", "words"), [
    (j("x", "a", "y", op="gt"), "only eq joins"),
    (j("x", "a", "y", op="ne"), "only eq joins"),
    (Or(items=[j("x", "a", "y"), c("eq", "z", 1)]), "inside an or"),
    (j("x", "b", "y"), "no earlier pattern"),
    (j("x", "nobody", "y"), "no earlier pattern"),
])
def test_join_restrictions(test, words):
    one(check_limits(ruleset(rule("J", p("a", "a"), p("b", "b", test)))), "J: pattern 'b'", words)


def test_eq_join_in_the_top_level_conjunction_is_fine():
    test = And(items=[c("gt", "v", 1), And(items=[j("x", "a", "y"), Or(items=[c("eq", "z", 1), c("eq", "z", 2)])])])
    assert check_limits(ruleset(rule("J", p("a", "a"), p("b", "b", test)))) == []


@pytest.mark.parametrize(("bad", "words"), [
    (rule("P", p("m", "a"), priority=-1), "priority -1"),
    (rule("P", p("m", "a"), priority=65536), "priority 65536"),
    (rule("P", p("m", "a", c("gt", "v", math.nan))), "not finite"),
    (rule("P", p("m", "a", c("eq", "v", 2 ** 70))), "outside int64"),
    (rule("P", p("m", "a", c("lt", "name", "COD"))), "needs a number"),
    (rule("P", p("m", "a", c("gt", "flag", True))), "needs a number"),
    (rule("P", p("m", "a", c("eq", "sid", "x"))), "'sid'"),
    (rule("P", p("m", "a", Defined(field="$s"))), "'$s'"),
    (rule("P", p("m", "__end__")), "reserved"),
    (rule("P", p("m", "")), "reserved"),
    (rule("P", p("m", "a"), p("m", "b")), "share an alias"),
])
def test_rule_contract(bad, words):
    one(check_limits(ruleset(bad)), "P", words)


def test_the_rule_language_limits_hold_whatever_the_engine():
    # engine.rules.limits: what is wrong for any engine; durable's own tables are not its concern
    assert check_rules(ruleset(rule("P", p("m", "a"), p("m", "b")))) == ["P: two patterns share an alias"]
    one(check_rules(ruleset(rule("J", p("a", "a"), p("b", "b", Or(items=[j("x", "nobody", "y")]))))),
        "J: pattern 'b'", "'nobody', which no earlier pattern binds")
    one(check_rules(ruleset(rule("R", p("m", "a")), rule("R", p("m", "b")))), "R: duplicate")
    one(check_rules(CompiledRuleset(format=2, key="future", rules=[rule("R", p("m", "a"))])), "IR format 2")
    one(check_rules(ruleset(rule("SELF", p("f", "finding", c("eq", "rule", "SELF")), emit="SELF"))), "SELF -> SELF")
    assert check_rules(ruleset(rule("SELF", p("f", "finding", c("eq", "rule", "SELF")), emit="SELF")),
                       cycles=False) == []
    durable_only = ruleset(rule("P", p("m", "__end__", c("gt", "sid", math.inf)), priority=65536),
                           rule("WIDE", *[p(f"p{i}", f"k{i}") for i in range(17)]),
                           rule("J", p("a", "a"), p("b", "b", j("x", "a", "y", op="gt"))))
    assert check_rules(durable_only) == []
    assert len(check_limits(durable_only)) >= 5

def test_one_type_family_per_field():
    rs = ruleset(rule("NUM", p("m", "a", c("gt", "v", 1))), rule("TXT", p("m", "a", c("eq", "v", "x"))))
    one(check_limits(rs), "a.v", "NUM", "TXT")
    joined = ruleset(rule("NUM", p("m", "a", c("gt", "v", 1))), rule("TXT", p("m", "b", c("eq", "w", "x"))),
                     rule("J", p("x", "a"), p("y", "b", j("w", "x", "v"))))
    one(check_limits(joined), "NUM", "TXT")


def test_patterns_with_only_undefined_tests_are_allowed_and_fire_once_per_fact():
    # §5's endless loop needs a pattern the state object {sid, id, $s} can pass; a kind test stops it
    rs = ruleset(rule("NOPERMIT", p("e", "enterprise", Undefined(field="permit"))),
                 rule("NOTHING", p("e", "enterprise", And(items=[Undefined(field="a"), Undefined(field="b")]))))
    assert check_limits(rs) == []
    facts = [{"kind": "enterprise", "id": f"e{i}", **({"permit": "P"} if i == 0 else {})} for i in range(4)]
    got = DurableEvaluator().evaluate(rs, facts)
    assert sorted((m.rule, m.facts["e"]) for m in got) == \
        [("NOPERMIT", "e1"), ("NOPERMIT", "e2"), ("NOPERMIT", "e3"),
         ("NOTHING", "e0"), ("NOTHING", "e1"), ("NOTHING", "e2"), ("NOTHING", "e3")]


# ----------------------------------------------------------------------------- finding cycles

def test_rules_feeding_each_other_findings_are_a_cycle():
    loop = ruleset(rule("SELF", p("f", "finding", c("eq", "rule", "SELF")), emit="SELF"))
    one(check_limits(loop), "SELF -> SELF")
    pair = ruleset(rule("A", p("f", "finding", c("eq", "rule", "B")), emit="A"),
                   rule("B", p("f", "finding", Or(items=[c("eq", "rule", "A"), c("eq", "rule", "seed")])), emit="B"))
    one(check_limits(pair), "A -> B -> A")
    chain = ruleset(rule("D", p("m", "indicator"), emit="D"),
                    rule("M", p("f", "finding", c("eq", "rule", "D")), emit="M"),
                    rule("N", p("f", "finding", And(items=[c("eq", "rule", "M"), c("ne", "status", "not_met")])), emit="N"))
    assert check_limits(chain) == []


@pytest.mark.parametrize("name", ["oracle", "durable"])
def test_a_cyclic_ruleset_is_refused_by_both_evaluators(name):
    loop = ruleset(rule("SELF", p("f", "finding", c("eq", "rule", "SELF")), emit="SELF"))
    evaluator = OracleEvaluator() if name == "oracle" else DurableEvaluator(enforce_limits=False)
    seed = [{"kind": "finding", "id": "seed", "rule": "SELF", "status": "x", "severity": "y"}]
    with pytest.raises(EvaluationError, match="cannot be evaluated: finding cycle SELF -> SELF"):
        evaluator.evaluate(loop, seed)


# ----------------------------------------------------------------------------- alpha network

def thresholds(n: int) -> CompiledRuleset:
    return ruleset(*[rule(f"T{k}", p("m", "a", c("gt", "v", k))) for k in range(n)])


def nested(outer: int, inner: int) -> CompiledRuleset:
    return ruleset(*[rule(f"N{i}.{k}", p("m", "a", And(items=[c("gt", "v", i), c("gt", "w", k)])))
                     for i in range(outer) for k in range(inner)])


def or_groups(n: int) -> CompiledRuleset:
    """kind -> {x==1, y==1} -> one forward node per rule -> {u absent, w absent} -> forward node."""
    test = And(items=[Or(items=[c("eq", "x", 1), c("eq", "y", 1)]),
                      Or(items=[Undefined(field="u"), Undefined(field="w")])])
    return ruleset(*[rule(f"O{k}", p("m", "a", test)) for k in range(n)])


def undefined(n: int) -> CompiledRuleset:
    return ruleset(*[rule(f"U{k}", p("m", "a", Undefined(field=f"f{k}"))) for k in range(n)])


@pytest.mark.parametrize(("build", "size", "peak"), [
    (thresholds, 64, 64), (thresholds, 65, 65),
    (lambda n: nested(8, n), 57, 64), (lambda n: nested(8, n), 58, 65),
    (or_groups, 62, 64), (or_groups, 63, 65),
    (undefined, 64, 64), (undefined, 65, 65),
], ids=["flat-64", "flat-65", "nested-64", "nested-65", "or-64", "or-65", "nex-64", "nex-65"])
def test_stack_model_matches_the_engine_at_the_boundary(unchecked, build, size, peak):
    rs = build(size)
    assert alpha_peaks(rs) == {"a": peak}
    problems = check_limits(rs)
    facts = worst_case_facts(rs)
    if peak <= MAX_STACK:
        assert problems == []
        assert unchecked.evaluate(rs, facts)
        assert_engine_copes(rs)
    else:
        message = one(problems, f"can put {peak} alpha nodes", "303", "kind 'a'")
        assert rs.rules[0].id in message
        with pytest.raises(EvaluationError, match="error code: 303"):
            unchecked.evaluate(rs, facts)


def test_equality_children_on_one_field_count_once():
    rs = ruleset(*[rule(f"E{k}", p("m", "a", And(items=[c("eq", "name", f"I{k}"), c("gt", "v", 1)])))
                   for k in range(300)])
    assert alpha_peaks(rs) == {"a": 1}
    assert check_limits(rs) == []


def test_siblings_under_one_node():
    def names(n: int) -> CompiledRuleset:
        return ruleset(*[rule(f"S{k}", p("m", "a", c("eq", "name", f"I{k}"))) for k in range(n)])
    assert check_limits(names(511)) == []
    assert_engine_copes(names(511))  # 512 would hang the engine: never registered here
    one(check_limits(names(512)), "512 conditions under one alpha node", "S0")


def test_undefined_list_under_one_node():
    message = [m for m in check_limits(undefined(128)) if "undefined tests" in m]
    one(message, "128 undefined tests or or-groups", "at most 127", "U0")  # 128 segfaulted


def test_patterns_ending_at_one_node():
    def same(n: int) -> CompiledRuleset:
        return ruleset(*[rule(f"B{k}", p("m", "a", c("eq", "x", 1))) for k in range(n)])
    assert check_limits(same(255)) == []
    assert len(DurableEvaluator().evaluate(same(255), [{"kind": "a", "id": "f", "x": 1}])) == 255
    one(check_limits(same(256)), "256 patterns end at one alpha node", "B0, B1,", "and 248 more")
