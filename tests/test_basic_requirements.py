"""MIIT basic requirements (engine/basic_requirements.{py,yaml}): MIIT-B2b "完成下达的节能减排目标"
counts the plan targets handed down - marked binding, as IM-C-001's evidence shows the mark - and
leaves the park's own out; a target whose mark is unreported counts where its verdict could decide.
Whole parks: scenarios 05, 16, 22 and 29."""
from __future__ import annotations

import pytest

from engine.basic_requirements import conformity, requirements


def _target(tid: str, status: str, binding) -> dict:
    facts = [{"fact": f"target:{tid}", "field": "on_path", "value": status == "met"},
             {"fact": f"target:{tid}", "field": "binding", "value": binding, "path": "plan.targets[0].binding"}]
    return {"id": f"IM-C-001@target:{tid}", "rule": "IM-C-001", "kind": "compliance", "status": status,
            "evidence": {"facts": [f for f in facts if binding != "absent" or f["field"] != "binding"]}}


def _b2b(*findings):
    (verdict, mine), = [(c.verdict, c.findings) for c in conformity(list(findings)) if c.requirement["id"] == "MIIT-B2b"]
    return verdict, sorted((f["id"].split(":")[1], f.get("unreported")) for f in mine)


@pytest.mark.parametrize("findings,verdict,counted", [
    # handed down and on path; the park's own behind: conforms on what was handed down
    ([("T1", "met", True), ("T2", "not_met", False)], "met", [("T1", None)]),
    # handed down and behind: not met, whatever the rest
    ([("T1", "not_met", True), ("T2", "not_met", None), ("T3", "met", False)], "not_met", [("T1", None)]),
    # a target behind whose mark is unreported might have been handed down
    ([("T1", "met", True), ("T2", "not_met", None)], "undecided", [("T1", None), ("T2", "binding")]),
    ([("T1", "met", True), ("T2", "insufficient_data", None)], "undecided", [("T1", None), ("T2", "binding")]),
    # an unmarked target that is met decides nothing beside a marked one
    ([("T1", "met", True), ("T2", "met", None)], "met", [("T1", None)]),
    # all met, none marked: whether anything was handed down is unknown
    ([("T1", "met", None), ("T2", "met", None)], "undecided", [("T1", "binding"), ("T2", "binding")]),
    # a handed-down target without data
    ([("T1", "insufficient_data", True), ("T2", "met", False)], "undecided", [("T1", None)]),
    # nothing handed down: the requirement has nothing to judge
    ([("T1", "not_met", False)], "not_judged", []),
    ([], "not_judged", []),
    # an evidence without the mark (a result logged before IM-C-001 v4 showed it) reads as unreported
    ([("T1", "not_met", "absent")], "undecided", [("T1", "binding")]),
])
def test_assigned_targets_are_the_binding_ones(findings, verdict, counted):
    assert _b2b(*[_target(*f) for f in findings]) == (verdict, counted)


def test_only_b2b_filters_and_the_other_requirements_read_every_verdict():
    assert [r["id"] for r in requirements() if r.get("only_where")] == ["MIIT-B2b"]
    found = [_target("T1", "not_met", False),
             {"id": "IM-C-013@ind:carbon_intensity", "rule": "IM-C-013", "kind": "compliance", "status": "not_met"}]
    verdicts = {c.requirement["id"]: c.verdict for c in conformity(found)}
    assert verdicts["MIIT-B2b"] == "not_judged" and verdicts["MIIT-B2c"] == "not_met"


@pytest.mark.parametrize("lang,note", [("zh", "（目标 T5、目标 T6）：未报送是否为上位规划下达的约束性目标"),
                                       ("en", "(target T5, target T6): not reported whether handed down as a binding target")])
def test_the_dossier_says_which_marks_would_decide(lang, note):
    """The third cycle of the high-tech park: T1 and T2 (binding) on their paths, T5 and T6 behind and
    unmarked. The requirement row says it cannot be decided and names the two marks, in words."""
    from pathlib import Path

    from engine.assessment import Assessor
    from engine.facts.loader import load_park_document
    from engine.render.dossier import render_report
    park, _ = load_park_document(Path(__file__).parent / "cycles" / "cycle3.yaml")
    result = Assessor().assess(park)
    text = render_report(result, fmt="markdown", lang=lang, park=park).decode("utf-8")
    (row,) = [line for line in text.splitlines() if "`MIIT-B2b`" in line]
    assert ("| 无法判定 |" if lang == "zh" else "| cannot be decided |") in row
    assert note in row and "T1" in row.split(note)[1] and "T3" not in row, row


# --- `needs`: a problem rule's silence over an unknown input is no evidence ----------------------

def _facts(park: dict, enterprises: list[dict] = (), indicators: dict | None = None):
    from engine.facts.builder import FactSet
    fs = FactSet(facts=[{"kind": "park", "id": "park", **park}, {"kind": "plan", "id": "plan", "targets": 0}])
    fs.paths["park"] = {"green_staff": "profile.green_staff"}
    for i, e in enumerate(enterprises):
        fs.facts.append({"kind": "enterprise", "id": f"ent:E{i}", **e})
        fs.paths[f"ent:E{i}"] = {"backward_capacity": f"enterprises[{i}].backward_capacity"}
    for name, value in (indicators or {}).items():
        fs.facts.append({"kind": "indicator", "id": f"ind:{name}", "name": name,
                         **({} if value is None else {"value": value})})
        if value is None:
            fs.missing[f"ind:{name}"] = {"value": ["years[2].surface_water"]}
    return fs


SCOPE_MET = {"id": "PL-C-000@park", "rule": "PL-C-000", "kind": "compliance", "status": "met"}
AIR_MET = {"id": "IM-C-011@ind:air_quality_good_days", "rule": "IM-C-011", "kind": "compliance", "status": "met"}


def _judged(findings, fs) -> dict[str, tuple[str, list[str]]]:
    return {c.requirement["id"]: (c.verdict, c.collect) for c in conformity(findings, fs)}


def test_staff_unknown_is_undecided_not_conformed():
    unknown = _judged([SCOPE_MET], _facts({"enterprise_count": 0}))
    assert unknown["MIIT-B6"] == ("undecided", ["profile.green_staff"])
    assert _judged([SCOPE_MET], _facts({"green_staff": 3, "enterprise_count": 0}))["MIIT-B6"] == ("met", [])
    problem = {"id": "PL-P-022@park", "rule": "PL-P-022", "kind": "problem", "status": "problem"}
    assert _judged([SCOPE_MET, problem], _facts({"green_staff": 1, "enterprise_count": 0}))["MIIT-B6"] == ("not_met", [])
    assert conformity([SCOPE_MET])[-1].verdict == "met"       # without the facts: the findings alone


def test_surface_water_unknown_leaves_the_environment_requirement_undecided():
    park = {"green_staff": 3, "enterprise_count": 0}
    assert _judged([AIR_MET], _facts(park, indicators={"surface_water_compliance": None}))["MIIT-B3"] == \
        ("undecided", ["years[2].surface_water"])
    assert _judged([AIR_MET], _facts(park))["MIIT-B3"] == ("undecided", ["derived.surface_water_compliance"])
    assert _judged([AIR_MET], _facts(park, indicators={"surface_water_compliance": 100.0}))["MIIT-B3"] == ("met", [])


def test_no_backward_capacity_found_only_where_every_enterprise_answered():
    ents = [{"backward_capacity": False}, {}, {"backward_capacity": False}]
    assert _judged([], _facts({"green_staff": 3, "enterprise_count": 3}, ents))["MIIT-B5"] == \
        ("undecided", ["enterprises[1].backward_capacity"])
    assert _judged([], _facts({"green_staff": 3, "enterprise_count": 2}, [ents[0], ents[2]]))["MIIT-B5"] == \
        ("no_problem", [])
    fs = _facts({"green_staff": 3})              # the enterprise list itself not reported
    fs.missing["park"] = {"enterprise_count": ["enterprises"]}
    assert _judged([], fs)["MIIT-B5"] == ("undecided", ["enterprises"])


def test_the_dossier_reads_the_verdicts_the_assessment_stored(ruleset):
    from engine.render.dossier.data import basic_requirements
    knowledge = ruleset.knowledge
    result = {"findings": [SCOPE_MET], "summary": {"basic_requirements": [
        {"id": "MIIT-B6", "verdict": "undecided", "collect": ["profile.green_staff"]},
        {"id": "MIIT-B5", "verdict": "undecided",
         "collect": ["enterprises[0].backward_capacity", "enterprises[3].backward_capacity"]}]}}
    rows = {r["id"]: r for r in basic_requirements(result, "zh", {}, knowledge)}
    assert rows["MIIT-B6"]["verdict"] == "undecided" and rows["MIIT-B6"]["collect"] == ["profile.green_staff"]
    assert rows["MIIT-B5"]["collect"] == ["enterprises[].backward_capacity（2 项）"]
    result["summary"] = {}                       # logged before the verdicts were stored
    assert {r["id"]: r for r in basic_requirements(result, "zh", {}, knowledge)}["MIIT-B6"]["verdict"] == "met"


def test_an_enterprise_over_its_discharge_standard_fails_the_environment_requirement():
    """MIIT-B3's compliant-discharge limb: the 双超 problem (PC-P-025) fails it outright; the
    enterprises' answers are what it needs to be met at all."""
    over = {"id": "PC-P-025@ent:E0", "rule": "PC-P-025", "kind": "problem", "status": "problem"}
    park = {"green_staff": 3, "enterprise_count": 2}
    answered = [{"trig_exceeds_standard": True, "trig_exceeds_quota": False},
                {"trig_exceeds_standard": False, "trig_exceeds_quota": False}]
    fs = _facts(park, answered, indicators={"surface_water_compliance": 100.0})
    assert _judged([AIR_MET, over], fs)["MIIT-B3"] == ("not_met", [])
    assert _judged([AIR_MET], _facts(park, answered[1:], indicators={"surface_water_compliance": 100.0}))["MIIT-B3"] \
        == ("met", [])
    unanswered = _facts(park, [answered[1], {"trig_exceeds_quota": False}], indicators={"surface_water_compliance": 100.0})
    assert _judged([AIR_MET], unanswered)["MIIT-B3"] == ("undecided", ["enterprise.trig_exceeds_standard"])


def test_what_a_requirement_needs_is_among_the_facts_to_collect():
    """Scenario 12 does not report its green staff: the path is among the facts to collect, named
    for the requirement it would decide; a park out of scope collects nothing for them."""
    import sys
    from pathlib import Path

    from engine.assessment import Assessor
    from engine.facts.loader import park_from_data
    sys.path.insert(0, str(Path(__file__).parent))
    from scenarios.runner import load_scenario
    here = Path(__file__).parent / "scenarios"
    assessor = Assessor()
    result = assessor.assess(park_from_data(load_scenario(here / "12_wastewater_and_vocs.yaml")["park"]))
    (staff,) = [i for i in result["summary"]["to_collect"] if i["path"] == "profile.green_staff"]
    assert staff.get("requirements") == ["MIIT-B6"]
    out = assessor.assess(park_from_data(load_scenario(here / "01_out_of_scope_cluster.yaml")["park"]))
    assert not any(i.get("requirements") for i in out["summary"]["to_collect"])
