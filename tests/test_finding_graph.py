"""The finding graph: cycles named at compile time, and the derived-fact bound both evaluators
enforce at run time - exact on small rulesets, never below what an evaluation derives."""
from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import EvaluationError
from engine.evaluators.durable import DurableEvaluator
from engine.evaluators.oracle import OracleEvaluator
from engine.rules.finding_graph import FindingGraph
from engine.rules.ir import And, CompiledRuleset, Defined, Or, RuleIR
from ir_builders import c, j, p, rule


def ruleset(*rules: RuleIR) -> CompiledRuleset:
    body = CompiledRuleset(key="x", rules=list(rules)).model_dump_json()
    return CompiledRuleset(key=f"graph@{hashlib.sha256(body.encode()).hexdigest()[:16]}",
                           rules=list(rules))


def fact(fid: str, kind: str = "a", **fields) -> dict:
    return {"kind": kind, "id": fid, **fields}


def reads(rid: str, *rules: str, emit: str | None = None, test=None) -> RuleIR:
    """A rule reading the findings of `rules` (and passing `test`), emitting `emit`."""
    wanted = c("eq", "rule", rules[0]) if len(rules) == 1 else Or(items=[c("eq", "rule", r) for r in rules])
    return rule(rid, p("f", "finding", wanted if test is None else And(items=[wanted, test])), emit=emit)


# ----------------------------------------------------------------------------- cycles

def test_cycles_are_named_in_order_and_rules_outside_them_are_not():
    rs = ruleset(rule("SEED", p("m", "a"), emit="SEED"),
                 reads("X", "Z", "SEED", emit="X"), reads("Y", "X", emit="Y"), reads("Z", "Y", emit="Z"),
                 reads("TAIL", "Y", emit="TAIL"), reads("SELF", "SELF", emit="SELF"))
    assert FindingGraph.build(rs.rules).cycle_problems() == [
        "finding cycle SELF -> SELF: each rule matches the finding the one before it derives, so "
        "forward chaining never settles",
        "finding cycle X -> Y -> Z -> X: each rule matches the finding the one before it derives, so "
        "forward chaining never settles"]


def test_status_severity_and_absent_fields_cut_edges():
    # `rule` builds emits status not_met, severity high
    assert FindingGraph.build([reads("A", "A", emit="A", test=c("eq", "status", "met"))]).cycles == ()
    assert FindingGraph.build([reads("A", "A", emit="A", test=c("ne", "severity", "high"))]).cycles == ()
    assert FindingGraph.build([reads("A", "A", emit="A", test=Defined(field="value"))]).cycles == ()
    assert FindingGraph.build([reads("A", "B", emit="A")]).cycles == ()
    # an open pattern (no `rule == ...`), a join or a test on the id may match: kept as edges
    open_loop = rule("A", p("f", "finding", c("eq", "status", "not_met")), emit="A")
    assert FindingGraph.build([open_loop]).cycles == (("A", "A"),)
    joined = rule("A", p("m", "a"), p("f", "finding", j("rule", "m", "name")), emit="A")
    assert FindingGraph.build([joined]).cycles == (("A", "A"),)
    by_id = rule("A", p("f", "finding", c("ne", "id", "x")), emit="A")
    assert FindingGraph.build([by_id]).cycles == (("A", "A"),)


def test_a_long_chain_is_acyclic_and_checked_without_recursion():
    chain = [rule("R0", p("m", "a"), emit="R0")] + [reads(f"R{i}", f"R{i - 1}", emit=f"R{i}")
                                                    for i in range(1, 3000)]
    graph = FindingGraph.build(chain)
    assert graph.cycles == () and len(graph.order) == 3000
    assert graph.bound([fact("a1")]) == 3000
    looped = chain + [reads("BACK", "R2999", emit="R0")]
    assert FindingGraph.build(looped).cycle_problems()[0].startswith("finding cycle R1 -> R2 -> ")


# ----------------------------------------------------------------------------- the bound

def test_the_bound_is_the_product_of_candidates_in_topological_order():
    rs = ruleset(rule("D", p("m", "a"), emit="D"),                     # <= a
                 rule("E", p("m", "a"), p("n", "b"), emit="E"),         # <= a * b
                 reads("M", "D", emit="M"),                             # <= findings + D
                 rule("J", p("f", "finding", c("eq", "rule", "D")),     # <= (findings + D) * (findings + M)
                      p("g", "finding", c("eq", "rule", "M")), emit="J"),
                 reads("MEASURE", "J"))                                 # emits nothing
    graph = FindingGraph.of(rs)
    facts = [fact(f"a{i}") for i in range(3)] + [fact(f"b{i}", "b") for i in range(2)]
    assert graph.bound(facts) == 3 + 6 + 3 + 9
    with_finding = facts + [fact("f0", "finding", rule="D", status="x", severity="y")]
    assert graph.bound(with_finding) == 3 + 6 + 4 + 4 * 5
    assert FindingGraph.of(rs) is graph   # cached per ruleset object


def test_a_cyclic_graph_has_no_bound():
    with pytest.raises(ValueError, match="SELF -> SELF"):
        FindingGraph.build([reads("SELF", "SELF", emit="SELF")]).bound([fact("a1")])


@pytest.mark.parametrize("name", ["oracle", "durable"])
def test_deriving_past_the_bound_stops_both_evaluators(name, monkeypatch):
    rs = ruleset(rule("D", p("m", "a"), emit="D"), reads("M", "D", emit="M"))
    evaluator = OracleEvaluator() if name == "oracle" else DurableEvaluator()
    facts = [fact("a1"), fact("a2")]
    assert len(evaluator.evaluate(rs, facts)) == 4      # D twice, M twice: within the bound of 4
    monkeypatch.setattr(FindingGraph, "bound", lambda self, facts: 3)
    with pytest.raises(EvaluationError, match="more than 3 derived facts from 2 input facts, the "
                                              "most the ruleset's acyclic finding graph allows"):
        evaluator.evaluate(rs, facts)


# ----------------------------------------------------------------------------- random chains

@st.composite
def chained(draw):
    """Acyclic by construction: rule i reads only findings of rules before it."""
    rules = []
    for i in range(draw(st.integers(1, 6))):
        earlier = [f"R{k}" for k in range(i)]
        patterns = []
        for alias in ("p0", "p1")[:draw(st.integers(1, 2))]:
            if earlier and draw(st.booleans()):
                names = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True))
                test = Or(items=[c("eq", "rule", n) for n in names])
                patterns.append(p(alias, "finding", test))
            else:
                patterns.append(p(alias, draw(st.sampled_from(["a", "b"])),
                                  draw(st.none() | st.builds(lambda v: c("gt", "x", v), st.integers(0, 3)))))
        rules.append(rule(f"R{i}", *patterns, emit=draw(st.sampled_from([None, f"R{i}"]))))
    facts = [fact(f"f{i}", draw(st.sampled_from(["a", "b"])), x=draw(st.integers(0, 4)))
             for i in range(draw(st.integers(1, 6)))]
    return ruleset(*rules), facts


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(chained())
def test_evaluators_agree_on_chains_and_stay_within_the_bound(durable, case):
    rs, facts = case
    expected = OracleEvaluator().evaluate(rs, facts)
    got = durable.evaluate(rs, facts)
    durable.retire(rs.key)
    assert {(m.rule, frozenset(m.facts.items())) for m in got} == \
        {(m.rule, frozenset(m.facts.items())) for m in expected}
    emitting = {r.id for r in rs.rules if r.emit is not None}
    assert sum(m.rule in emitting for m in expected) <= FindingGraph.of(rs).bound(facts)


def test_the_shipped_rulesets_are_acyclic(ruleset):
    for part in (ruleset.compiled, ruleset.scope):
        if part is not None:
            assert FindingGraph.of(part).cycles == ()
