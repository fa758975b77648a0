"""The lifecycle of findings across cycles (engine/cycles/lifecycle.py) and the plan tasks that
answer them (`plan.tasks[].answers`): the state machine on small hand-made results, every state on
the three-cycle park of tests/cycles/, and the validation of task answers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cycles.lifecycle import STATES, Cycle, lifecycle, tasks_in_input, tasks_of
from engine.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CYCLES = [ROOT / "tests" / "cycles" / f"cycle{n}.yaml" for n in (1, 2, 3)]

# the named findings of the three-cycle park and their state in cycles 1, 2, 3 (see the files' headers)
EXPECTED = {
    "PC-C-025@ind:reclaimed_water_rate": ["open", "measure_planned", "verified_closed"],
    "PC-C-003@ind:co2_per_tce": ["open", "measure_planned", "implemented"],
    "IN-P-004@ent:QC-E03": ["open", "measure_planned", "verified_closed"],
    "PC-C-009@ind:hazardous_waste_managed": ["open", "verified_closed", "regression"],
    "PL-C-013@plan": ["open", "open", "open"],
}


def _result(findings: dict[str, str], *, in_scope: bool = True) -> dict:
    """A result holding `findings` {id: status}; the kind follows the rule id (-P- problem)."""
    out = []
    for fid, status in findings.items():
        rule = fid.split("@", 1)[0]
        kind = "problem" if "-P-" in rule else "compliance"
        out.append({"id": fid, "rule": rule, "kind": kind, "status": status, "severity": "high",
                    "title": {"zh": "标题", "en": "title"}})
    return {"findings": out, "scope": {"in_scope": in_scope}}


def _task(tid: str, status: str, *answers: str) -> dict:
    return {"id": tid, "title": f"task {tid}", "status": status, "answers": list(answers)}


def _states(cycles: list[Cycle], fid: str) -> list[str | None]:
    f = next(f for f in lifecycle(cycles)["findings"] if f["id"] == fid)
    return [s["state"] for s in f["states"]]


C = "PC-C-001@ind:renewable_share"
P = "IN-P-004@ent:E1"


def test_each_state_of_a_compliance_verdict():
    cycles = [Cycle("1", _result({C: "not_met"}), []),
              Cycle("2", _result({C: "not_met"}), [_task("K1", "planned", C)]),
              Cycle("3", _result({C: "not_met"}), [_task("K1", "done", C)]),
              Cycle("4", _result({C: "met"}), [_task("K1", "done", C)]),
              Cycle("5", _result({C: "not_met"}), [_task("K1", "done", C)]),
              Cycle("6", _result({C: "not_met"}), [_task("K1", "done", C), _task("K2", "in_progress", C)])]
    lc = lifecycle(cycles)
    f = lc["findings"][0]
    assert [s["state"] for s in f["states"]] == ["open", "measure_planned", "implemented", "verified_closed",
                                                 "regression", "measure_planned"]
    assert f["regressions"] == 1 and f["current"] == "measure_planned"
    assert [s["tasks"] for s in f["states"]] == [[], ["K1"], ["K1"], ["K1"], ["K1"], ["K1", "K2"]]
    assert lc["counts"][4] == {**dict.fromkeys(STATES, 0), "regression": 1}
    assert lc["tasks"] == {"K1": "task K1", "K2": "task K2"}


def test_a_problem_closes_when_it_no_longer_fires_in_scope_only():
    cycles = [Cycle("1", _result({P: "problem"}), []),
              Cycle("2", _result({}, in_scope=False), []),          # out of scope: no verdict, stays open
              Cycle("3", _result({}), []),                          # in scope and gone: closed
              Cycle("4", _result({P: "problem"}), [])]
    f = lifecycle(cycles)["findings"][0]
    assert [s["state"] for s in f["states"]] == ["open", "open", "verified_closed", "regression"]
    assert [s["undecided"] for s in f["states"]] == [False, True, False, False]
    assert [s["status"] for s in f["states"]] == ["problem", "absent", "absent", "problem"]


@pytest.mark.parametrize("no_verdict", ["insufficient_data", "not_applicable", None])
def test_no_verdict_neither_closes_nor_reopens(no_verdict):
    """insufficient_data, not_applicable and an absent compliance verdict carry the state over:
    an open finding follows its tasks, a closed one stays closed."""
    gap = {C: no_verdict} if no_verdict else {}
    cycles = [Cycle("1", _result({C: "not_met"}), []),
              Cycle("2", _result(gap), [_task("K1", "in_progress", C)]),
              Cycle("3", _result(gap), [_task("K1", "done", C)]),
              Cycle("4", _result({C: "met"}), []),
              Cycle("5", _result(gap), [])]
    f = lifecycle(cycles)["findings"][0]
    assert [s["state"] for s in f["states"]] == ["open", "measure_planned", "implemented", "verified_closed",
                                                 "verified_closed"]
    assert [s["undecided"] for s in f["states"]] == [False, True, True, False, True]


def test_met_before_ever_open_has_no_state_and_is_not_closed():
    cycles = [Cycle("1", _result({C: "met"}), []), Cycle("2", _result({C: "not_met"}), []),
              Cycle("3", _result({C: "met"}), [])]
    assert _states(cycles, C) == [None, "open", "verified_closed"]
    # a finding never open and never answered is not listed at all
    assert lifecycle([Cycle("1", _result({C: "met"}), [])])["findings"] == []


def test_tasks_cancelled_unknown_or_partly_done():
    cycles = [Cycle("1", _result({C: "not_met"}), [_task("K1", "cancelled", C)]),          # cancelled: no plan
              Cycle("2", _result({C: "not_met"}), [_task("K1", "done", C), _task("K2", "delayed", C)]),
              Cycle("3", _result({C: "not_met"}), None),                                   # tasks unknown: carry
              Cycle("4", _result({C: "not_met"}), [_task("K2", "done", C)])]
    assert _states(cycles, C) == ["open", "measure_planned", "measure_planned", "implemented"]


def test_an_unmet_finding_answered_before_its_first_verdict_is_planned():
    """A task may answer a finding while its data are missing: not met yet, so the task's state."""
    cycles = [Cycle("1", _result({C: "insufficient_data"}), [_task("K1", "planned", C)]),
              Cycle("2", _result({C: "met"}), [_task("K1", "done", C)])]
    assert _states(cycles, C) == ["measure_planned", "verified_closed"]


def test_folded_problems_follow_their_verdict_and_unknown_answers_are_reported():
    folded = "IM-P-005@PC-C-001@ind:renewable_share"
    r = _result({C: "not_met", folded: "problem"})
    r["findings"][1]["folded_into"] = C
    lc = lifecycle([Cycle("1", r, [_task("K9", "planned", "PC-C-002@ind:nothing")])])
    assert [f["id"] for f in lc["findings"]] == [C]
    assert lc["unmatched_answers"] == [{"task": "K9", "answer": "PC-C-002@ind:nothing", "cycles": [0]}]


def test_tasks_in_input_reads_the_stored_json_and_refuses_nothing_silently():
    doc = {"plan": {"exists": True, "tasks": [{"id": "K1", "title": "t", "status": "done", "area": "6.3",
                                               "answers": [C]}]}}
    assert tasks_in_input(doc) == [{"id": "K1", "title": "t", "status": "done", "answers": [C]}]
    assert tasks_in_input({"profile": {}}) is None               # no plan reported: tasks unknown
    assert tasks_in_input({"plan": {"exists": True}}) is None    # tasks not reported: unknown
    assert tasks_in_input({"plan": {"exists": True, "tasks": []}}) == []    # reported: none
    assert tasks_in_input({"plan": {"exists": False}}) == []     # no plan: no tasks
    assert tasks_in_input(None) is None                          # unreadable: unknown, not "no tasks"
    assert tasks_in_input({"plan": {"tasks": [{"title": "no id"}]}}) is None


def test_tasks_of_a_park_that_leaves_its_tasks_out_is_unknown():
    from bench.make_parks import typical_park
    from engine.facts.loader import park_from_data
    data = typical_park(1)
    assert len(tasks_of(park_from_data(data))) == len(data["plan"]["tasks"])
    del data["plan"]["tasks"]
    assert tasks_of(park_from_data(data)) is None
    data["plan"] = {"exists": False}
    assert tasks_of(park_from_data(data)) == []
    del data["plan"]
    assert tasks_of(park_from_data(data)) is None


# -- the three-cycle park ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def three_cycles():
    from engine.assessment import Assessor
    from engine.evaluators.durable import DurableEvaluator
    from engine.facts.loader import load_park_document
    from engine.rules.packs import RulesetRegistry
    assessor = Assessor(RulesetRegistry(None), DurableEvaluator())
    out = []
    for path in CYCLES:
        park, _ = load_park_document(path)
        out.append(Cycle(path.name, assessor.assess(park), tasks_of(park)))
    return out


def test_every_state_arises_on_the_three_cycle_park(three_cycles):
    lc = lifecycle(three_cycles)
    by_id = {f["id"]: f for f in lc["findings"]}
    for fid, states in EXPECTED.items():
        assert [s["state"] for s in by_id[fid]["states"]] == states, fid
    assert {s for f in lc["findings"] for st in f["states"] for s in [st["state"]]} >= set(STATES)
    assert [s["tasks"] for s in by_id["PC-C-003@ind:co2_per_tce"]["states"]] == [[], ["K24"], ["K24"]]
    assert by_id["PC-C-009@ind:hazardous_waste_managed"]["regressions"] == 1
    assert [s["status"] for s in by_id["IN-P-004@ent:QC-E03"]["states"]] == ["problem", "problem", "absent"]
    # the targets whose year (2025) arrived unmet open in cycle 3 only: nothing to track before
    assert [s["state"] for s in by_id["IM-C-001@target:T5"]["states"]] == [None, None, "open"]
    assert lc["counts"][1]["measure_planned"] == 3 and lc["counts"][2]["implemented"] == 1
    assert lc["unmatched_answers"] == []
    # the surface-water verdict with no data in cycle 1 was never open: not followed
    assert "PL-C-009@ind:surface_water_compliance" not in by_id


# -- plan.tasks[].answers ----------------------------------------------------------------------

def _park_text(answers: str) -> str:
    text = CYCLES[1].read_text(encoding="utf-8")
    return text.replace("answers: [PC-C-003@ind:co2_per_tce]", f"answers: {answers}")


def test_answers_of_rules_the_ruleset_lacks_or_of_measures_are_refused_with_their_path(tmp_path):
    from cli import app
    park = tmp_path / "park.yaml"
    park.write_text(_park_text("[PC-C-903@ind:co2_per_tce, PC-M-002@ind:co2_per_tce, PC-C-003@ind:co2_per_tce]"),
                    encoding="utf-8")
    r = CliRunner().invoke(app, ["assess", str(park), "-f", "json"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    lines = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 2, r.stderr
    assert "plan.tasks[23].answers[0]: rule 'PC-C-903' does not exist in ruleset" in lines[0]
    assert "did you mean 'PC-C-0" in lines[0] and lines[0].startswith(f"error: {park}:")
    assert "plan.tasks[23].answers[1]: rule 'PC-M-002' is a measure" in lines[1]


@pytest.mark.parametrize("answers, message", [
    ("[co2_per_tce]", "plan.tasks[23].answers[0]"),                       # not RULE@subject
    ("[PC-C-003@ind:co2_per_tce, PC-C-003@ind:co2_per_tce]", "listed twice"),
])
def test_answers_must_be_finding_ids_once_each(answers, message):
    from engine.facts.loader import parse_park
    with pytest.raises(InputError) as exc:
        parse_park(_park_text(answers), "park.yaml")
    assert message in "\n".join(exc.value.lines())


def test_check_park_without_a_ruleset_leaves_answers_alone_and_the_schema_documents_them():
    from cli import app
    from engine.facts.consistency import check_park
    from engine.facts.loader import parse_park
    from engine.rules.packs import RulesetRegistry
    park = parse_park(_park_text("[PC-C-903@ind:x]"), "park.yaml")
    knowledge = RulesetRegistry(None).get(None).knowledge
    check_park(park, knowledge)                                   # no ruleset: not checked
    with pytest.raises(InputError):
        check_park(park, knowledge, ruleset=RulesetRegistry(None).get(None))
    schema = json.loads(CliRunner().invoke(app, ["schema"]).stdout)
    answers = schema["$defs"]["Task"]["properties"]["answers"]
    assert answers["items"]["pattern"].startswith("^[A-Z]") and "RULE@subject" in answers["description"]
