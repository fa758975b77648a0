"""Unknown is never zero: removing any reported input of any derived indicator turns that indicator
- and everything computed from it - into a missing value naming the input, never into a number;
a reported 0 stays a real 0; a ratio over a zero base is undefined, not 0."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.make_parks import typical_park
from engine.facts.loader import park_from_data
from engine.indicators.compute import derive

_RAW = re.compile(r"^(years\[\d+\]\.[a-z_.]+)(?: \(([a-z_]+)\))?$")
_DERIVED = re.compile(r"^derived\.([a-z_0-9]+) \((\d+)\)$")


def _raw_inputs(ind, name: str, year: int, seen=None) -> set[str]:
    """Park-file paths an indicator of `year` rests on, through the derived values it uses."""
    seen = set() if seen is None else seen
    dv = ind.by_year[year][name]
    out = set()
    for i in dv.inputs:
        m = _DERIVED.match(i.path)
        if m and (m.group(1), int(m.group(2))) not in seen:
            seen.add((m.group(1), int(m.group(2))))
            out |= _raw_inputs(ind, m.group(1), int(m.group(2)), seen)
            continue
        m = _RAW.match(i.path)
        if m:
            path, carrier = m.groups()
            path = path.replace(".not_used", f".{carrier}") if carrier else path
            out.add(re.sub(r"\.surface_water\..*$", ".surface_water", path))   # reported as a whole
    return out


def _remove(data: dict, path: str) -> None:
    """Drop the value at `years[i].a.b` (or take a carrier off `not_used`)."""
    keys = re.findall(r"[a-z_]+|\[\d+\]", path)
    node = data
    for k in keys[:-1]:
        node = node[int(k[1:-1])] if k.startswith("[") else node[k]
    last = keys[-1]
    if last in node.get("not_used", []):
        node["not_used"].remove(last)
    node.pop(last, None)


@pytest.fixture(scope="module")
def base(knowledge):
    data = typical_park(3)
    park = park_from_data(data)
    return data, derive(park, knowledge)


@settings(max_examples=60, deadline=None)
@given(pick=st.integers(min_value=0, max_value=10_000))
def test_removing_any_input_makes_every_value_built_on_it_unknown(base, knowledge, pick):
    data, ind = base
    year = ind.latest_year
    closure = {n: _raw_inputs(ind, n, year) for n, dv in ind.latest.items() if dv.value is not None}
    paths = sorted({p for c in closure.values() for p in c})
    path = paths[pick % len(paths)]
    changed = copy.deepcopy(data)
    _remove(changed, path)
    after = derive(park_from_data(changed), knowledge).latest
    # a change over the series starts at the first year with a value: an earlier year's gap moves
    # its start (named in its inputs, test below), it does not enter the value
    latest_prefix = f"years[{len(data['years']) - 1}]."
    series = {n for n, meta in knowledge.indicators.items() if meta.change_of} | {"value_added_growth"}
    affected = [n for n, c in closure.items() if path in c
                and not (n in series and not path.startswith(latest_prefix))]
    for name in affected:
        dv = after[name]
        assert dv.value is None, f"{name} still has a value after removing {path}"
        assert path in dv.missing, f"{name} does not name {path}: {dv.missing}"


def test_a_carrier_listed_as_not_used_is_a_reported_zero(knowledge):
    data = typical_park(1)
    energy = data["years"][-1]["energy"]
    del energy["coke"]
    energy["not_used"] = ["coke"]
    total_not_used = derive(park_from_data(data), knowledge).latest["energy_total_tce"]
    energy.pop("not_used")
    energy["coke"] = "0 t"
    total_zero = derive(park_from_data(data), knowledge).latest["energy_total_tce"]
    assert total_not_used.value == total_zero.value is not None
    energy.pop("coke")
    unknown = derive(park_from_data(data), knowledge).latest["energy_total_tce"]
    assert unknown.value is None and unknown.missing == ["years[2].energy.coke"]


def test_a_zero_base_is_undefined_not_zero(knowledge):
    data = typical_park(2)
    data["years"][-1]["solid_waste"].update(general_generated="0 t", general_utilised="0 t")
    dv = derive(park_from_data(data), knowledge).latest["solid_waste_utilisation"]
    assert dv.value is None and not dv.missing and "general_generated = 0" in dv.undefined


def test_an_enterprise_of_unknown_status_leaves_enterprise_shares_unknown(knowledge):
    data = typical_park(4)
    del data["enterprises"][5]["green_factory"]
    del data["enterprises"][7]["cp_triggers"]["toxic_substances"]
    data["enterprises"][7]["cp_triggers"] = {k: False for k in data["enterprises"][7]["cp_triggers"]}
    latest = derive(park_from_data(data), knowledge).latest
    assert latest["green_factory_share"].value is None
    assert latest["green_factory_share"].missing == ["enterprises[5].green_factory"]
    rate = latest["key_enterprise_audit_rate"]
    assert rate.value is None and rate.missing == ["enterprises[7].cp_triggers.toxic_substances"]


def test_a_change_over_the_series_starts_at_the_first_year_with_a_value(knowledge):
    data = typical_park(5)
    del data["years"][0]["economy"]["gdp"]
    latest = derive(park_from_data(data), knowledge).latest
    change = latest["energy_intensity_gdp_change"]
    assert [i.path for i in change.inputs] == ["derived.energy_intensity_gdp (2023)",
                                               "derived.energy_intensity_gdp (2024)"]
    del data["years"][1]["economy"]["gdp"]
    change = derive(park_from_data(data), knowledge).latest["energy_intensity_gdp_change"]
    assert change.value is None and "a second year" in change.missing[0]


def _facts(data: dict, knowledge):
    from engine.facts.builder import build_facts
    park = park_from_data(data)
    ind = derive(park, knowledge)
    fs = build_facts(park, ind, knowledge)
    return fs, ind.latest


def test_wastewater_plants_not_reported_are_unknown_not_none(knowledge):
    """A plant list left out is not "the park has no central plant": the count, every wwtp_* field and
    the plant indicators are unknown and name the list; a reported empty list is a real 0."""
    data = typical_park(6)
    del data["infrastructure"]["wastewater_plants"]
    fs, latest = _facts(data, knowledge)
    inf = fs.by_id()["infrastructure"]
    assert not {k for k in inf if k == "wastewater_plants" or k.startswith("wwtp_")}, inf
    assert fs.paths["infrastructure"]["wastewater_plants"] == "infrastructure.wastewater_plants"
    assert all(v == ["infrastructure.wastewater_plants"] for v in fs.missing["infrastructure"].values())
    for name in ("wwtp_electricity_intensity", "sludge_utilisation"):
        assert latest[name].value is None and latest[name].undefined is None
        assert latest[name].missing == ["infrastructure.wastewater_plants"]
    data["infrastructure"]["wastewater_plants"] = []
    fs, latest = _facts(data, knowledge)
    assert fs.by_id()["infrastructure"]["wastewater_plants"] == 0
    assert latest["wwtp_electricity_intensity"].undefined and not latest["wwtp_electricity_intensity"].missing


@pytest.mark.parametrize("stage, control, expected, missing", [
    (None, False, None, ["[1].anaerobic_stage"]),      # might have a stage, and controls nothing
    (None, None, None, ["[1].anaerobic_stage", "[1].ghg_control"]),
    (None, True, True, []),                            # controlled whatever its stage
    (False, None, True, []),                           # no stage: nothing to control
    (True, None, None, ["[1].ghg_control"]),
    (True, False, False, []),
])
def test_a_plant_of_unknown_stage_is_not_left_out_of_ghg_control(knowledge, stage, control, expected, missing):
    """wwtp_ghg_controlled per plant: no stage, fine; a stage, its control; stage unknown, fine only
    when it controls its gases. Plant 0 has a controlled stage; plant 1 varies."""
    data = typical_park(7)
    plants = data["infrastructure"]["wastewater_plants"][:2]
    plants[0].update(anaerobic_stage=True, ghg_control=True)
    for key, value in (("anaerobic_stage", stage), ("ghg_control", control)):
        plants[1].pop(key, None)
        if value is not None:
            plants[1][key] = value
    data["infrastructure"]["wastewater_plants"] = plants
    fs, _ = _facts(data, knowledge)
    assert fs.by_id()["infrastructure"].get("wwtp_ghg_controlled") is expected
    if expected is None:
        assert fs.missing["infrastructure"]["wwtp_ghg_controlled"] == \
            [f"infrastructure.wastewater_plants{m}" for m in missing]
    plants[0]["ghg_control"] = False            # a reported uncontrolled stage decides, whatever plant 1 is
    fs, _ = _facts(data, knowledge)
    assert fs.by_id()["infrastructure"]["wwtp_ghg_controlled"] is False


def test_a_factor_list_not_reported_is_not_zero_factors(knowledge):
    """management.factors left out: own_factors is unknown (naming the list), not 0 factors."""
    data = typical_park(8)
    del data["management"]["factors"]
    fs, _ = _facts(data, knowledge)
    assert "own_factors" not in fs.by_id()["management"]
    assert fs.paths["management"]["own_factors"] == "management.factors"
    data["management"]["factors"] = []
    fs, _ = _facts(data, knowledge)
    assert fs.by_id()["management"]["own_factors"] == 0


# -- an enterprise list not reported is unknown, not empty ---------------------------------------

_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "typical_municipal_park.yaml"
_BY_COUNT = {"id": "T9", "indicator": "green_factory_count", "baseline_year": 2022, "baseline_value": 1,
             "target_year": 2025, "target_value": 4}


def _example(enterprises) -> dict:
    """The municipal example park with its enterprise list left out (`...`), or replaced, and a
    plan target on the number of green factories."""
    data = yaml.safe_load(_EXAMPLE.read_text(encoding="utf-8"))
    data.pop("enterprises")
    if enterprises is not ...:
        data["enterprises"] = enterprises
    data["plan"]["targets"].append(dict(_BY_COUNT))
    return data


@pytest.fixture(scope="module")
def assessor():
    from engine.assessment import Assessor
    return Assessor()


def _findings(assessor, data, profile="default") -> dict:
    return {f["id"]: f for f in assessor.assess(park_from_data(data), profile=profile)["findings"]}


def test_an_enterprise_list_not_reported_leaves_the_park_counts_out(knowledge):
    from engine.facts.builder import ENTERPRISE_COUNTS, build_facts
    park = park_from_data(_example(...))
    assert park.enterprises is None
    fs = build_facts(park, derive(park, knowledge), knowledge)
    fact = fs.by_id()["park"]
    assert not set(ENTERPRISE_COUNTS) & set(fact)
    assert all(fs.missing["park"][k] == ["enterprises"] for k in ENTERPRISE_COUNTS)
    latest = derive(park, knowledge).latest
    for name in ("key_enterprise_audit_rate", "green_factory_count", "green_factory_share", "cp_audit_share",
                 "efficiency_benchmark_share"):
        dv = latest[name]
        assert dv.value is None and dv.missing == ["enterprises"] and not dv.undefined and dv.upper is None, name


def test_an_enterprise_list_reported_empty_is_a_real_zero(knowledge):
    from engine.facts.builder import ENTERPRISE_COUNTS, build_facts
    park = park_from_data(_example([]))
    fs = build_facts(park, derive(park, knowledge), knowledge)
    assert {k: fs.by_id()["park"][k] for k in ENTERPRISE_COUNTS} == dict.fromkeys(ENTERPRISE_COUNTS, 0)
    latest = derive(park, knowledge).latest
    assert latest["green_factory_count"].value == 0.0
    assert latest["green_factory_share"].value is None and latest["green_factory_share"].undefined
    assert latest["key_enterprise_audit_rate"].undefined and not latest["key_enterprise_audit_rate"].missing


def test_verdicts_over_an_unreported_enterprise_list_name_it(assessor):
    got = _findings(assessor, _example(...))
    for fid in ("IN-C-002@ind:key_enterprise_audit_rate", "PL-C-027@park", "IM-C-001@target:T9",
                "IM-C-012@target:T9"):
        assert got[fid]["status"] == "insufficient_data", fid
        assert got[fid]["missing"] == ["enterprises"], fid
    assert not [f for f in got if f.split("@")[0] in ("IN-C-001", "IN-P-008", "PL-P-015", "PL-P-020")]
    jiangsu = _findings(assessor, _example(...), "jiangsu_near_zero_carbon")
    for rule, name in (("IN-C-005", "efficiency_benchmark_share"), ("IN-C-006", "cp_audit_share"),
                       ("IN-C-009", "green_factory_share")):
        f = jiangsu[f"{rule}@ind:{name}"]
        assert (f["status"], f["missing"]) == ("insufficient_data", ["enterprises"]), rule


def test_verdicts_over_an_empty_enterprise_list_rest_on_the_reported_zero(assessor):
    got = _findings(assessor, _example([]))
    assert got["IN-C-002@ind:key_enterprise_audit_rate"]["status"] == "not_applicable"     # zero base
    assert got["PL-C-027@park"]["status"] == "met"
    assert got["IM-C-001@target:T9"]["status"] == "not_met"             # 0 green factories, behind the path
    jiangsu = _findings(assessor, _example([]), "jiangsu_near_zero_carbon")
    assert {jiangsu[f"{r}@ind:{n}"]["status"] for r, n in (("IN-C-005", "efficiency_benchmark_share"),
                                                          ("IN-C-006", "cp_audit_share"),
                                                          ("IN-C-009", "green_factory_share"))} == {"not_applicable"}


# ---- the plan: a section, a list or a flag left out is unknown, not "no plan", "none" or false ----

_PLAN_CHECKS = ("PL-C-013", "PL-C-018", *(f"PL-C-0{n}" for n in range(19, 27)))


@pytest.fixture(scope="module")
def assessor(oracle):
    from engine.assessment import Assessor
    return Assessor(evaluator=oracle)


def _verdicts(assessor, data) -> dict[str, dict]:
    return {f["id"]: f for f in assessor.assess(park_from_data(data))["findings"]}


def test_a_plan_left_out_is_unknown_not_absent(assessor, knowledge):
    data = typical_park(6)
    del data["plan"]
    park = park_from_data(data)
    from engine.facts.builder import build_facts
    facts = build_facts(park, derive(park, knowledge), knowledge).by_id()
    assert "has_plan" not in facts["park"]
    assert set(facts["plan"]) == {"kind", "id"}, "nothing about a plan is reported"
    found = _verdicts(assessor, data)
    assert found["PL-C-003@plan"]["status"] == "insufficient_data"
    assert found["PL-C-003@plan"]["missing"] == ["plan.exists"]
    for rule in _PLAN_CHECKS:
        assert (found[f"{rule}@plan"]["status"], found[f"{rule}@plan"]["missing"]) == \
            ("insufficient_data", ["plan.exists"]), rule
    assert "PL-M-007" not in found, "no 'draft a plan' measure for a plan nobody reported on"


def test_a_plan_reported_not_to_exist_is_not_met_with_its_lists_left_out(assessor):
    data = typical_park(6)
    data["plan"] = {"exists": False}
    found = _verdicts(assessor, data)
    assert found["PL-C-003@plan"]["status"] == "not_met"
    assert "尚未编制" in found["PL-C-003@plan"]["explanation"]["zh"]
    assert "PL-M-007" in found
    for rule in _PLAN_CHECKS:
        assert found[f"{rule}@plan"]["status"] == "not_applicable", rule


def test_targets_and_tasks_left_out_are_unknown_not_none(assessor):
    data = typical_park(6)
    del data["plan"]["targets"], data["plan"]["tasks"]
    found = _verdicts(assessor, data)
    assert found["PL-C-003@plan"]["status"] == "insufficient_data"
    assert found["PL-C-003@plan"]["missing"] == ["plan.targets", "plan.tasks"]
    for rule in ("PL-C-013", "PL-C-018"):
        assert (found[f"{rule}@plan"]["status"], found[f"{rule}@plan"]["missing"]) == \
            ("insufficient_data", ["plan.targets"]), rule
    assert not {"PL-M-007", "PL-M-019"} & set(found)
    data["plan"]["targets"], data["plan"]["tasks"] = [], []       # reported: none
    found = _verdicts(assessor, data)
    assert found["PL-C-003@plan"]["status"] == "not_met"
    assert "目标指标 0 项，任务 0 项" in found["PL-C-003@plan"]["explanation"]["zh"]


def test_a_task_flag_left_out_is_unknown_not_false(assessor):
    data = typical_park(6)
    del data["plan"]["tasks"][2]["quantified"]
    found = _verdicts(assessor, data)
    task = data["plan"]["tasks"][2]["id"]
    assert found[f"PL-C-004@task:{task}"]["status"] == "insufficient_data"
    assert found[f"PL-C-004@task:{task}"]["missing"] == ["plan.tasks[2].quantified"]


def test_binding_targets_one_reported_decides_none_reported_asks_for_the_unknown(assessor):
    data = typical_park(6)
    targets = data["plan"]["targets"]
    for t in targets:
        t.pop("binding", None)
    targets[3]["binding"] = True
    assert _verdicts(assessor, data)["PL-C-018@plan"]["status"] == "met"      # whatever the others are
    targets[3]["binding"] = False
    targets[5]["binding"] = False
    verdict = _verdicts(assessor, data)["PL-C-018@plan"]
    assert verdict["status"] == "insufficient_data"
    assert verdict["missing"] == [f"plan.targets[{i}].binding" for i in range(len(targets)) if i not in (3, 5)]
    for t in targets:
        t["binding"] = False
    assert _verdicts(assessor, data)["PL-C-018@plan"]["status"] == "not_met"
