"""durable-rules identifies a session's facts by a 32-bit hash of their ids (issue #376, reference
§10): two ids with one hash lose a fact, silently when any later fact is unmatched. The adapter
gives the engine collision-free ids of its own, so no fact count needs a cap."""
from __future__ import annotations

import json

import durable_rules_engine
import pytest

from engine.evaluators.base import END
from engine.evaluators.durable import _Run
from engine.evaluators.durable_ids import ENGINE_IDS, fnv1a32
from engine.evaluators.oracle import OracleEvaluator
from engine.rules.ir import CompiledRuleset
from ir_builders import c, j, p, rule

# Found by a birthday search over random 8-character ids (62,961 tried): distinct, one hash.
A, B = "ent:Q7GYZACL", "ent:LA86VGSY"
RULES = CompiledRuleset(key="ids@1", rules=[
    rule("ENT", p("e", "enterprise"), emit="ENT"),
    rule("SEEN", p("f", "finding", c("eq", "rule", "ENT"))),
    rule("IND", p("i", "indicator", c("gt", "v", 5)))])
FACTS = [{"kind": "enterprise", "id": A}, {"kind": "enterprise", "id": B},
         {"kind": "indicator", "id": "i1", "v": 1}]   # matches no rule


def test_the_two_ids_collide_in_the_engine_and_the_loss_is_silent():
    assert A != B and fnv1a32(A) == fnv1a32(B)
    rules = {"r0": {"all": [{"a0": {"$and": [{"kind": "enterprise"}]}}]}}
    handle = durable_rules_engine.create_ruleset("ids-raw", json.dumps(rules))
    try:
        facts = [dict(f, sid="s1") for f in FACTS]
        code, _ = durable_rules_engine.assert_facts(handle, json.dumps(facts[:2]))
        assert code == 2            # B "already observed"
        facts = [dict(f, sid="s2") for f in FACTS]
        code, _ = durable_rules_engine.assert_facts(handle, json.dumps(facts))
        assert code == 1            # the unmatched fact after B hides the 2: as for any batch
        stored = {f["id"] for f in json.loads(durable_rules_engine.get_facts(handle, "s2"))}
        assert stored == {A}        # B is gone
    finally:
        durable_rules_engine.delete_ruleset(handle)


@pytest.mark.parametrize("facts", [FACTS[:2], FACTS], ids=["colliding pair", "pair then unmatched"])
def test_colliding_ids_lose_nothing_through_the_adapter(durable, facts):
    expected = [("ENT", A), ("SEEN", f"ENT({A})"), ("ENT", B), ("SEEN", f"ENT({B})")]
    for evaluator in (OracleEvaluator(), durable):
        got = {(m.rule, *m.facts.values()) for m in evaluator.evaluate(RULES, facts)}
        assert got == set(expected)


def test_joins_on_ids_read_the_real_id(durable):
    rs = CompiledRuleset(key="ids@join", rules=[
        rule("OWNER", p("e", "ent"), p("w", "wwtp", j("owner", "e", "id"))),
        rule("NAMED", p("e", "ent", c("eq", "id", B)))])
    facts = [{"kind": "ent", "id": A}, {"kind": "ent", "id": B}, {"kind": "wwtp", "id": "w", "owner": B}]
    for evaluator in (OracleEvaluator(), durable):
        assert {(m.rule, *m.facts.values()) for m in evaluator.evaluate(rs, facts)} == \
            {("OWNER", B, "w"), ("NAMED", B)}


def test_engine_ids_have_distinct_hashes_and_miss_the_end_marker():
    names = [ENGINE_IDS.get(i) for i in range(200_000)]
    hashes = {code for _, code in names}
    assert len(hashes) == len(names) and fnv1a32(END) not in hashes
    assert all(fnv1a32(name) == code for name, code in names[:1000])


def test_the_engine_id_with_the_state_facts_hash_is_skipped():
    run = _Run(ids=set(), limit=0, state_hash=ENGINE_IDS.get(1)[1])
    assert [run.engine_id(f"x{i}") for i in range(3)] == [ENGINE_IDS.get(i)[0] for i in (0, 2, 3)]
    assert run.names == {ENGINE_IDS.get(0)[0]: "x0", ENGINE_IDS.get(2)[0]: "x1", ENGINE_IDS.get(3)[0]: "x2"}


def test_fifty_thousand_facts_in_one_session(durable, monkeypatch):
    # the reference saw a misidentification at fact 46,010 of 100k in one session (§10, #376);
    # one session, though enterprises may go SESSION_FACTS at a time into sessions of their own
    from engine.evaluators import durable as durable_module
    monkeypatch.setattr(durable_module, "SESSION_FACTS", 100_000)
    rs = CompiledRuleset(key="ids@bulk", rules=[rule("ENT", p("e", "enterprise", c("ge", "v", 0)))])
    facts = [{"kind": "enterprise", "id": f"ent:{i:06d}", "v": i} for i in range(50_000)]
    assert len(durable.evaluate(rs, facts)) == 50_000
