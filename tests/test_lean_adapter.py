"""The lean durable adapter (issue #13): it drives durable-rules' C engine itself, and every guard
of the reference (/work/shared/reference/durable_rules.md) still holds on that path."""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
from ir_builders import c, j, p, rule

from engine.errors import EvaluationError
from engine.evaluators.base import END, ID_FIELD, check_facts
from engine.evaluators.durable import DurableEvaluator, bound_ids
from engine.evaluators.durable_bench import CallLog, Replay, WrapperBaseline
from engine.evaluators.durable_format import fact_json, facts_json, read_fields
from engine.evaluators.oracle import OracleEvaluator
from engine.rules.ir import And, CompiledRuleset, Defined, Undefined, derived_fact

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAIN = CompiledRuleset(key="lean@chain", rules=[
    rule("HIGH", p("m", "indicator", c("gt", "value", 50)), emit="HIGH"),
    rule("SEEN", p("f", "finding", c("eq", "rule", "HIGH")), emit="SEEN"),
    rule("OWNER", p("e", "ent"), p("w", "wwtp", j("owner", "e", "name")))])
FACTS = [{"kind": "indicator", "id": "i1", "value": 80, "unit": "mg/L", "note": "x"},
         {"kind": "indicator", "id": "i2", "value": 10},
         {"kind": "ent", "id": "e1", "name": "甲", "size": 3.5},
         {"kind": "wwtp", "id": "w1", "owner": "甲"},
         {"kind": "river", "id": "r1", "length": 12.5}]
ALLOWED_CALLS = {"create_ruleset", "assert_fact", "assert_facts", "start_action_for_state",
                 "complete_and_start_action", "abandon_action", "delete_state", "delete_ruleset"}


def fired(matches) -> list[tuple[str, ...]]:
    return sorted((m.rule, *m.facts.values()) for m in matches)


def names(log: CallLog) -> list[str]:
    return [name for name, _, _ in log.calls]


# ----------------------------------------------------------------------------- reading firings

def test_bound_ids_reads_the_id_each_fact_starts_with():
    one = '{"r3":{"a0":{"id":"7","kind":"a","note":"b\\":{\\"id\\":\\"9\\"}","sid":"s"}}}'
    assert bound_ids(one, "r3", ("a0",)) == ["7"]
    two = '{"r1":{"a1":{"id":"8","kind":"b","sid":"s"},"a0":{"id":"7","kind":"a","sid":"s"}}}'
    assert bound_ids(two, "r1", ("a0", "a1")) == ["7", "8"]      # by alias, not by position


def test_bound_ids_falls_back_to_json_for_other_shapes():
    # a fact whose text does not start with its id (never written by the adapter)
    late = '{"r1":{"a0":{"kind":"a","id":"7"},"a1":{"id":"8","kind":"b"}}}'
    assert bound_ids(late, "r1", ("a0", "a1")) == ["7", "8"]


def test_strings_that_look_like_bound_facts_change_nothing():
    tricky = ['x":{"id":"9"}', '"a0":{"id":"1","kind":"ent"}', '\\', ':{"id":"', "{\"}"]
    rs = CompiledRuleset(key="lean@tricky", rules=[
        rule("J", p("e", "ent"), p("w", "wwtp", j("owner", "e", "name"))),
        rule("N", p("e", "ent", Defined(field="name")))])
    facts = [{"kind": "ent", "id": f"e{i}", "name": t} for i, t in enumerate(tricky)]
    facts += [{"kind": "wwtp", "id": f"w{i}", "owner": t} for i, t in enumerate(tricky)]
    got = DurableEvaluator().evaluate(rs, facts)
    assert fired(got) == fired(OracleEvaluator().evaluate(rs, facts))
    assert len(got) == 2 * len(tricky)


# ----------------------------------------------------------------------------- the C calls

def test_only_the_c_engine_is_called_and_the_state_is_never_written():
    log = CallLog()
    evaluator = DurableEvaluator(engine=log)
    matches = evaluator.evaluate(CHAIN, FACTS)
    assert fired(matches) == fired(OracleEvaluator().evaluate(CHAIN, FACTS))
    calls = names(log)
    assert set(calls) <= ALLOWED_CALLS          # no update_state / get_state, no timers
    derived = sum(1 for m in matches if m.rule in ("HIGH", "SEEN"))
    assert calls.count("assert_facts") == 1
    assert calls.count("assert_fact") == 1 + derived              # the end marker + findings
    assert calls.count("complete_and_start_action") == len(matches) + 1   # one per action run
    assert calls.count("start_action_for_state") == 2
    assert calls[-1] == "delete_state" and "abandon_action" not in calls
    evaluator.retire(CHAIN.key)
    assert names(log)[-1] == "delete_ruleset"


def test_the_end_marker_fires_first_and_the_session_is_deleted():
    log = CallLog()
    DurableEvaluator(engine=log).evaluate(CHAIN, FACTS)
    first = log.calls[1]                     # after create_ruleset
    assert first[0] == "assert_fact" and json.loads(first[1][1])["kind"] == END
    started = log.calls[2]
    assert started[0] == "start_action_for_state" and started[2][1].startswith(f'{{"{END}":')
    sid = json.loads(first[1][1])["sid"]
    assert log.calls[-1][:2] == ("delete_state", (log.calls[-1][1][0], sid))


def test_derived_facts_are_derived_fact_with_an_engine_id():
    log = CallLog()
    DurableEvaluator(engine=log).evaluate(CHAIN, FACTS)
    written = [json.loads(args[1]) for name, args, _ in log.calls[2:] if name == "assert_fact"]
    high = derived_fact(CHAIN.rules[0], ["i1"])
    seen = derived_fact(CHAIN.rules[1], [high["id"]])
    for text, expected in zip(written, (high, seen), strict=True):
        assert text["id"].isdigit() and text.pop("sid")
        assert {**text, "id": expected["id"]} == expected


def test_only_kinds_and_fields_rules_read_reach_the_engine():
    log = CallLog()
    DurableEvaluator(engine=log).evaluate(CHAIN, FACTS)
    (payload,) = [json.loads(args[1]) for name, args, _ in log.calls if name == "assert_facts"]
    sent = {f["kind"]: sorted(f) for f in payload}
    assert "river" not in sent                                 # no rule matches a river
    assert sent["indicator"] == ["id", "kind", "sid", "value"]  # unit and note are never read
    assert sent["ent"] == ["id", "kind", "name", "sid"]         # read through the join
    assert read_fields(CHAIN) == {"indicator": ("value",), "finding": ("rule",),
                                  "ent": ("name",), "wwtp": ("owner",)}


@pytest.mark.parametrize("bad", [{"kind": "river", "id": "r9", "length": float("nan")},
                                 {"kind": "indicator", "id": "i9", "value": 1, "note": 2 ** 64}])
def test_facts_the_engine_never_sees_are_still_checked(bad):
    # both adapters reject the same inputs, whether or not the engine would receive the value
    for evaluator in (OracleEvaluator(), DurableEvaluator()):
        with pytest.raises(EvaluationError, match=bad["id"]):
            evaluator.evaluate(CHAIN, FACTS + [bad])


def test_reading_id_writes_the_real_id_beside_the_engine_id():
    rs = CompiledRuleset(key="lean@id", rules=[rule("J", p("e", "ent"), p("w", "wwtp", j("owner", "e", "id")))])
    log = CallLog()
    facts = [{"kind": "ent", "id": "e1"}, {"kind": "wwtp", "id": "w1", "owner": "e1"}]
    assert fired(DurableEvaluator(engine=log).evaluate(rs, facts)) == [("J", "e1", "w1")]
    (payload,) = [json.loads(args[1]) for name, args, _ in log.calls if name == "assert_facts"]
    assert [f[ID_FIELD] for f in payload] == ["e1", "w1"]


def test_no_fact_a_rule_can_match_sends_no_batch():
    # an empty batch segfaults the engine (reference §6): the adapter must not send one
    log = CallLog()
    assert DurableEvaluator(engine=log).evaluate(CHAIN, [FACTS[-1]]) == []
    assert "assert_facts" not in names(log) and names(log)[-1] == "delete_state"


def test_facts_json_keeps_the_parsers_float_rules():
    text = facts_json([{"kind": "a", "id": "x", "v": 2.5e-07, "w": 3.0, "u": "e"}], "s", ["0"],
                      False, {"a": ("u", "v", "w")})
    assert text == '[{"id":"0","kind":"a","u":"e","v":2.5e-07,"w":3,"sid":"s"}]'
    assert fact_json({"kind": "a", "id": "x", "v": 2e-05}, "s", "0") == \
        '{"id":"0","kind":"a","v":2.0e-05,"sid":"s"}'


# ----------------------------------------------------------------------------- failures

def test_a_failing_action_is_abandoned_and_its_session_deleted():
    log = CallLog()
    evaluator = DurableEvaluator(engine=log, max_live=1, slot_timeout=5)
    clash = FACTS + [{"kind": "finding", "id": "HIGH(i1)", "rule": "x"}]   # HIGH derives this id
    for _ in range(3):  # one slot: a leaked session would time out the next evaluation
        log.clear()
        with pytest.raises(EvaluationError, match="HIGH.*already in use") as info:
            evaluator.evaluate(CHAIN, clash)
        assert info.value.__cause__ is not None
        calls = names(log)
        assert calls[-2:] == ["abandon_action", "delete_state"]
    assert evaluator._runs == {}
    assert fired(evaluator.evaluate(CHAIN, FACTS)) == fired(OracleEvaluator().evaluate(CHAIN, FACTS))


def test_an_engine_error_mid_session_is_translated_and_cleaned_up():
    unchecked = DurableEvaluator(enforce_limits=False, max_live=1, slot_timeout=5)
    rs = CompiledRuleset(key="lean@303", rules=[
        rule(f"T{k}", p("m", "a", c("gt", "v", k))) for k in range(65)])
    for _ in range(3):
        with pytest.raises(EvaluationError, match="303"):
            unchecked.evaluate(rs, [{"kind": "a", "id": "f", "v": 1000}])
    assert unchecked._runs == {}
    assert len(unchecked.evaluate(rs, [{"kind": "a", "id": "f", "v": 10}])) == 10


NO_WRAPPER_CHILD = """
import sys
from engine.evaluators.durable import DurableEvaluator
from engine.rules.ir import CompiledRuleset, Compare, Const, Emit, Pattern, RuleIR
rs = CompiledRuleset(key="k", rules=[RuleIR(id="R", source="R", emit=Emit(rule="R", status="s", severity="x"),
    patterns=[Pattern(alias="m", kind="a", test=Compare(op="gt", field="v", right=Const(value=1)))])])
assert len(DurableEvaluator().evaluate(rs, [{"kind": "a", "id": "i", "v": 2}])) == 1
print(sorted(m for m in sys.modules if m == "durable" or m.startswith("durable.")))
"""


def test_production_never_loads_durables_python_wrapper():
    child = subprocess.run([sys.executable, "-c", NO_WRAPPER_CHILD], check=False, capture_output=True,
                           text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "[]"


def test_memory_is_flat_over_many_sessions_including_failures():
    evaluator = DurableEvaluator()
    clash = FACTS + [{"kind": "finding", "id": "HIGH(i1)", "rule": "x"}]

    def rss_kib() -> int:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))

    def rounds(n: int) -> None:
        for _ in range(n):
            evaluator.evaluate(CHAIN, FACTS)
            with pytest.raises(EvaluationError):
                evaluator.evaluate(CHAIN, clash)

    rounds(300)
    before = rss_kib()
    rounds(1500)
    assert rss_kib() - before < 4 * 1024   # a leaked session costs ~150 KiB here (measured)


# ----------------------------------------------------------------------------- bench instruments

def test_replay_repeats_the_engines_work_result_for_result():
    log = CallLog()
    evaluator = DurableEvaluator(engine=log)
    evaluator.evaluate(CHAIN, FACTS)
    log.clear()
    evaluator.evaluate(CHAIN, FACTS)
    replay = Replay(log)
    replay.run(check=True)
    replay.run(check=True)                     # the session is deleted again each time
    assert replay.seconds() > 0
    at = [op[3] for op in replay.ops].index("start_action_for_state")
    fn, handle, arg, op, recorded = replay.ops[at]
    replay.ops[at] = (fn, handle, arg, op, (recorded[0], recorded[1] + " "))
    with pytest.raises(AssertionError, match="replay of"):
        replay.run(check=True)


def test_wrapper_baseline_does_the_same_firings():
    facts = FACTS[:-1]
    baseline = WrapperBaseline()
    try:
        assert baseline.evaluate(CHAIN, facts) == len(DurableEvaluator().evaluate(CHAIN, facts))
    finally:
        baseline.close()


def test_undefined_fields_are_sent_when_read():
    rs = CompiledRuleset(key="lean@nex", rules=[
        rule("GAP", p("m", "indicator", And(items=[Undefined(field="value"), c("eq", "name", "x")])))])
    facts = [{"kind": "indicator", "id": "a", "name": "x"},
             {"kind": "indicator", "id": "b", "name": "x", "value": 1}]
    assert fired(DurableEvaluator().evaluate(rs, facts)) == [("GAP", "a")]


# ----------------------------------------------------------------------------- bulk value check

@pytest.mark.parametrize("values", [{"a": 1e300}, {"a": 1e308, "b": 1e308}, {"a": 2 ** 63 - 1, "b": 2 ** 63 - 1},
                                    {"a": -2 ** 63, "b": -1e30}, {"a": True, "b": 0.5, "c": "x"}])
def test_the_bulk_check_has_no_false_alarms(values):
    check_facts([{"kind": "a", "id": "x", **values}])   # sums overflow, floats beyond int64: fine


@pytest.mark.parametrize(("values", "field"), [({"a": 1.0, "b": float("nan")}, "'b'"),
                                               ({"a": 2 ** 63, "b": 1.5}, "'a'"),
                                               ({"a": 10 ** 400, "b": 1.5}, "'a'"),
                                               ({"a": 1, "$b": 1}, "'$b'")])
def test_the_bulk_check_finds_and_names_the_field(values, field):
    with pytest.raises(EvaluationError, match=f"'y'.*{re.escape(field)}"):
        check_facts([{"kind": "a", "id": "x", "v": 1}, {"kind": "a", "id": "y", **values}])


def test_a_registration_serves_only_the_object_it_was_worked_out_from():
    """`prepare` keeps a registration per ruleset key, but a ruleset of the same key that is not
    that very object (another tree, a rebuilt ruleset) is registered from its own rules."""
    above = CompiledRuleset(key="lean@same-key", rules=[rule("ABOVE", p("m", "indicator", c("gt", "value", 50)))])
    below = CompiledRuleset(key="lean@same-key", rules=[rule("BELOW", p("m", "indicator", c("lt", "value", 50)))])
    kept: dict = {}
    evaluator = DurableEvaluator()
    evaluator.prepare([above, None], kept)
    assert kept["durable"]["lean@same-key"].source is above
    assert fired(evaluator.evaluate(below, FACTS)) == [("BELOW", "i2")]
    again = DurableEvaluator()
    again.prepare([above], kept)                        # what was kept is taken, not worked out again
    assert kept["durable"]["lean@same-key"].source is above
    assert fired(again.evaluate(above, FACTS)) == [("ABOVE", "i1")]
