"""Data-quality warnings (engine/quality, docs/data-quality.md): each check fires on the slip it is
for, with the park-file path, and stays quiet on ordinary data; the warnings are apart from the
findings and never change a verdict."""
from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

import pytest

import engine.assessment as assessment
from engine.assessment import Assessor
from engine.errors import InputError
from engine.facts.loader import park_from_data
from engine.quality import CODES, DEFAULTS, QualitySettings, check_quality, load_settings
from engine.quality.fields import field_kinds
from engine.sourcefile import load_document
from tests.scenarios.runner import SCENARIOS, load_scenario

EXAMPLES = sorted(Path("examples").glob("*.yaml"))
SCENARIO_PATHS = sorted(SCENARIOS.glob("[0-9]*.yaml"))
TYPICAL = "examples/typical_municipal_park.yaml"
SHAPE = {"code", "path", "value", "message", "check", "setting"}


def data(path=TYPICAL) -> dict:
    return copy.deepcopy(load_document(path).data)


def year(d: dict, y: int) -> dict:
    return next(x for x in d["years"] if x["year"] == y)


def warnings(d: dict, knowledge=None, settings=None, **kw) -> list[dict]:
    return check_quality(park_from_data(d), knowledge, settings, **kw)


def codes_at(ws: list[dict]) -> set[tuple[str, str]]:
    return {(w["code"], w["path"]) for w in ws}


# ---- each check ----

def test_a_share_typed_as_a_fraction_warns_with_its_path_value_and_setting():
    d = data()
    year(d, 2024)["air_quality_good_days"] = 0.78
    [w] = [w for w in warnings(d) if w["code"] == "share_as_fraction"]
    assert set(w) == SHAPE
    assert w["path"] == "years[year=2024].air_quality_good_days" and w["value"] == 0.78
    assert w["setting"] == {"name": "fraction_share_max", "value": 1.0}
    assert "78%" in w["message"]["zh"] and "78%" in w["message"]["en"] and "78" in w["check"]["en"]
    # the fraction is not also reported as a 100x jump from 2023
    assert not [x for x in warnings(d) if x["code"] == "year_on_year_jump" and "air_quality" in x["path"]]


def _kinds_from_json_schema():
    """What engine.quality.fields read from `Park.model_json_schema()` before issue #13: per
    definition, field -> (x-unit, maximum) of its node or of the first `anyOf` member with one,
    and field -> the definition it refers to."""
    from engine.facts.models import Park

    def unit(prop):
        return next(((s["x-unit"], s.get("maximum")) for s in [prop, *prop.get("anyOf", [])] if "x-unit" in s), None)

    def ref(prop):
        for s in [prop, prop.get("items", {}), *prop.get("anyOf", [])]:
            found = s.get("$ref") or s.get("items", {}).get("$ref")
            if found:
                return found.rsplit("/", 1)[-1]
        return None

    schema = Park.model_json_schema()
    kinds, refs = {}, {}
    for name, definition in [("Park", schema), *schema.get("$defs", {}).items()]:
        props = definition.get("properties", {})
        kinds[name] = {f: k for f, k in ((f, unit(p)) for f, p in props.items()) if k is not None}
        refs[name] = {f: ref(p) for f, p in props.items() if f not in kinds[name] and ref(p)}
    return kinds, refs


def test_field_kinds_read_from_the_annotations_are_what_the_json_schema_says():
    """The kinds are read from the models' annotations (no JSON Schema built at start-up, issue
    #13), and are exactly what the park's JSON Schema states: every unit, maximum and reference."""
    from engine.quality import fields
    assert fields._schema() == _kinds_from_json_schema()
    assert sum(len(k) for k in fields._schema()[0].values()) > 40


def test_every_percentage_field_of_the_model_is_checked_not_a_hand_list():
    percent = {(model, f) for model, fields in field_kinds().items() for f, (unit, _m) in fields.items() if unit == "%"}
    assert {("YearData", "air_quality_good_days"), ("YearData", "waste_heat_recovery"),
            ("LeadingIndustry", "output_share"), ("Task", "progress"), ("WastewaterPlant", "load_rate")} <= percent
    d = data("examples/strong_hightech_park.yaml")
    d["profile"]["leading_industries"][0]["output_share"] = 0.4
    d["plan"]["tasks"][0]["progress"] = 0.5
    got = codes_at(warnings(d))
    task_id = d["plan"]["tasks"][0]["id"]
    assert ("share_as_fraction", "profile.leading_industries[0].output_share") in got
    assert ("share_as_fraction", f"plan.tasks[id={task_id}].progress") in got


def test_a_reported_zero_share_is_a_real_zero_not_a_fraction():
    d = data()
    year(d, 2024)["air_quality_good_days"] = 0
    assert not [w for w in warnings(d) if w["code"] == "share_as_fraction"]


def test_a_tenfold_jump_warns_and_an_ordinary_change_does_not():
    d = data()
    year(d, 2024)["energy"]["coal"] = "46 万t"          # 4.9 万t in 2023: 万t typed for a tenth
    [w] = [w for w in warnings(d) if w["code"] == "year_on_year_jump"]
    assert w["path"] == "years[year=2024].energy.coal" and w["value"] == 460_000
    assert w["setting"] == {"name": "yoy_jump_factor", "value": 5.0}
    assert "2023" in w["message"]["en"] and "9.39 times" in w["message"]["en"] and "9.39 倍" in w["message"]["zh"]
    d = data()
    year(d, 2024)["energy"]["coal"] = "9.5 万t"          # about doubled: a real change, no warning
    assert not [w for w in warnings(d) if w["code"] == "year_on_year_jump"]


def test_a_fall_to_a_tenth_warns_and_the_factor_is_a_setting():
    d = data()
    year(d, 2024)["water"]["reused"] = "680 万m3"
    [w] = [w for w in warnings(d) if w["code"] == "year_on_year_jump"]
    assert w["path"] == "years[year=2024].water.reused" and "1/9.49" in w["message"]["en"]
    assert not [w for w in warnings(d, settings=QualitySettings(yoy_jump_factor=12)) if w["code"] == "year_on_year_jump"]


def test_enterprise_energy_above_the_park_energy_warns():
    d = data()
    d["enterprises"][0]["energy_use"] = "30 万tce"       # the park used 24.6 万tce in 2024
    [w] = [w for w in warnings(d, energy_totals={2024: 246_445.7}) if w["code"] == "part_exceeds_whole"]
    assert w["path"] == "enterprises" and w["value"] > 300_000
    assert w["setting"] == {"name": "part_whole_tolerance", "value": 0.01}
    assert "2024" in w["message"]["zh"] and "当量值" in w["check"]["zh"]
    # with the park's own total reported, it is the whole compared with
    year(d, 2024)["energy"]["reported_total"] = "40 万tce"
    assert not [w for w in warnings(d, energy_totals={2024: 246_445.7}) if w["code"] == "part_exceeds_whole"]


def test_the_assessor_hands_the_carriers_total_to_the_check(oracle):
    """2024 of the typical park has no reported total: the enterprises are compared with the total
    of its carriers, which the assessment computed (24.6 万tce)."""
    d = data()
    d["enterprises"][0]["energy_use"] = "30 万tce"
    result = Assessor(evaluator=oracle, quality=DEFAULTS).assess(park_from_data(d))
    [w] = [w for w in result["data_quality"] if w["code"] == "part_exceeds_whole"]
    assert w["path"] == "enterprises" and "24.64 万tce" in w["message"]["zh"]


def test_utilised_above_generated_warns_and_says_stored_waste_may_explain_it():
    d = data()
    year(d, 2023)["solid_waste"]["general_utilised"] = "30 万t"   # 27.2 万t generated
    [w] = [w for w in warnings(d) if w["code"] == "part_exceeds_whole"]
    assert w["path"] == "years[year=2023].solid_waste.general_utilised" and w["value"] == 300_000
    assert "往年贮存量" in w["check"]["zh"] and "stored" in w["check"]["en"]


@pytest.mark.parametrize("field, value, path", [
    (("economy", "industrial_value_added"), "400 亿元", "years[year=2024].economy.industrial_value_added"),
    (("economy", "high_tech_output"), "500 亿元", "years[year=2024].economy.high_tech_output"),
    (("solid_waste", "hazardous_managed"), "2 万t", "years[year=2024].solid_waste.hazardous_managed"),
    (("water", "wastewater_discharged"), "2000 万m3", "years[year=2024].water.wastewater_discharged"),
])
def test_other_parts_above_their_wholes_warn(field, value, path):
    d = data()
    y = year(d, 2024)
    y[field[0]][field[1]] = value
    if field[1] == "hazardous_managed":
        y["solid_waste"]["hazardous_generated"] = "1.08 万t"
    assert ("part_exceeds_whole", path) in codes_at(warnings(d))


def test_leading_industry_shares_above_100_percent_warn():
    d = data()
    d["profile"]["leading_industries"][0]["output_share"] = 68      # 68 + 24 + 18 + 9 = 119
    assert ("part_exceeds_whole", "profile.leading_industries") in codes_at(warnings(d))


def test_a_missing_grid_factor_year_warns_and_a_published_year_does_not(knowledge):
    d = data()
    ws = [w for w in warnings(d, knowledge) if w["code"] == "grid_factor_year_missing"]
    assert [(w["path"], w["value"]) for w in ws] == [("years[year=2024].energy.purchased_electricity", 2024)]
    assert "2023" in ws[0]["message"]["en"] and ws[0]["setting"] is None
    d["years"] = [y for y in d["years"] if y["year"] != 2024]
    assert not [w for w in warnings(d, knowledge) if w["code"] == "grid_factor_year_missing"]


def test_a_park_grid_factor_without_year_is_noted_and_no_knowledge_factor_named(knowledge):
    """The park's own grid factor without year counts every year: one note says so, and no note names a
    knowledge/ factor, which was not used (expert review of the third example park, item 2)."""
    d = data()
    d.setdefault("management", {})["factors"] = [
        {"carrier": "grid_electricity", "value": 0.5978, "unit": "kgCO2/kWh", "source": "省级电网因子（示例）"}]
    ws = warnings(d, knowledge)
    assert not [w for w in ws if w["code"] == "grid_factor_year_missing"]
    undated = [w for w in ws if w["code"] == "grid_factor_undated"]
    assert [(w["path"], w["value"]) for w in undated] == [("management.factors[0].year", None)]
    assert "gives no year and counts the purchased electricity of every data year, 2022-2024" in undated[0]["message"]["en"]
    assert "未注明年份，2022–2024 年各年外购电力的排放均按该值计算" in undated[0]["message"]["zh"]


def test_a_dated_park_grid_factor_counts_its_year_and_the_notes_name_the_factor_used(knowledge):
    """With `year`, the park factor counts that year only: a year counted with knowledge/'s factor of an
    earlier year names that factor, and a year after the park's newer vintage names the park's."""
    d = data()      # knowledge/ publishes grid factors up to 2023
    d.setdefault("management", {})["factors"] = [
        {"carrier": "grid_electricity", "value": 0.61, "unit": "kgCO2/kWh", "year": 2022, "source": "市级电网因子（示例）"}]
    ws = [w for w in warnings(d, knowledge) if w["code"].startswith("grid_factor")]
    assert [(w["code"], w["value"]) for w in ws] == [("grid_factor_year_missing", 2024)]
    assert "knowledge/ has no grid average factor for 2024" in ws[0]["message"]["en"]
    d["management"]["factors"][0]["year"] = 2024      # the park's own 2024 factor: nothing to note
    assert not [w for w in warnings(d, knowledge) if w["code"].startswith("grid_factor")]


def test_a_park_factor_newer_than_knowledge_counts_the_later_years_and_says_so(knowledge):
    d = data()
    d["years"].append(copy.deepcopy(year(d, 2024)) | {"year": 2025})
    d.setdefault("management", {})["factors"] = [
        {"carrier": "grid_electricity", "value": 0.55, "unit": "kgCO2/kWh", "year": 2024, "source": "2024 年省级因子（示例）"}]
    ws = [w for w in warnings(d, knowledge) if w["code"].startswith("grid_factor")]
    assert [(w["code"], w["value"]) for w in ws] == [("grid_factor_year_missing", 2025)]
    assert "counted with the park's 2024 grid factor (0.55 kgCO2/kWh)" in ws[0]["message"]["en"]


def test_a_year_with_no_purchased_electricity_needs_no_grid_factor(knowledge):
    d = data()
    year(d, 2024)["energy"]["purchased_electricity"] = "0 MWh"
    year(d, 2024)["energy"]["green_electricity"] = "0 MWh"
    assert not [w for w in warnings(d, knowledge) if w["code"] == "grid_factor_year_missing"]


def test_a_gap_in_the_years_and_a_done_task_below_100_percent_warn():
    d = data("examples/strong_hightech_park.yaml")
    d["years"] = [y for y in d["years"] if y["year"] != 2022]
    task = d["plan"]["tasks"][0]
    task.update(status="done", progress=60)
    got = codes_at(warnings(d))
    assert ("year_missing", "years[year=2023]") in got
    assert ("task_done_incomplete", f"plan.tasks[id={task['id']}].progress") in got


def test_the_own_energy_total_far_from_the_carriers_warns():
    d = data()
    ws = [w for w in warnings(d, energy_totals={2022: 238_182.2, 2023: 340_000.0}) if w["code"] == "energy_total_mismatch"]
    assert [w["path"] for w in ws] == ["years[year=2023].energy.reported_total"]


# ---- examples and scenarios: no false alarms ----

def test_examples_raise_only_the_grid_factor_year_knowledge_really_lacks(knowledge):
    """Every example has 2024 data; knowledge/ publishes grid factors up to 2023, so the 2024 factor
    really is substituted (the one true warning). Nothing else is flagged."""
    for path in EXAMPLES:
        park = park_from_data(load_document(path).data)
        ws = Assessor(quality=DEFAULTS).assess(park)["data_quality"]
        assert ws and {w["code"] for w in ws} == {"grid_factor_year_missing"}, (path, ws)
        assert all(w["value"] == 2024 and knowledge.grid_factor(park.profile.province, 2024).factor_year == 2023
                   for w in ws)


def test_scenarios_raise_no_warning_but_the_real_ones(oracle):
    """Besides grid-factor years, two scenarios warn: in 11 the solar plant ramps up from 1 to 6 亿kWh
    in a year (its situation says so) - a real 6x change that a reviewer should see explained; in 26
    the park's grid factor gives no year and counts every year."""
    assessor = Assessor(evaluator=oracle, quality=DEFAULTS)
    seen = {}
    for path in SCENARIO_PATHS:
        ws = assessor.assess(park_from_data(load_scenario(path)["park"]))["data_quality"]
        seen[path.stem] = [(w["code"], w["path"]) for w in ws if w["code"] != "grid_factor_year_missing"]
    assert {k: v for k, v in seen.items() if v} == {
        "11_carbon_market_and_gdp": [("year_on_year_jump", "years[year=2023].energy.onsite_renewable_generation")],
        "26_park_grid_factor_without_year": [("grid_factor_undated", "management.factors[0].year")]}


# ---- never a verdict ----

_EAGER = QualitySettings(yoy_jump_factor=1.0001, fraction_share_max=99.9, part_whole_tolerance=0.0,
                         reported_total_tolerance=0.0)


def _parks():
    yield from ((p.stem, load_document(p).data) for p in EXAMPLES)
    yield from ((p.stem, load_scenario(p)["park"]) for p in SCENARIO_PATHS)


def test_verdicts_are_identical_with_and_without_the_checks(durable, monkeypatch):
    """On every example and scenario (production evaluator): the whole result but `data_quality` is
    the same with the checks off, with the defaults, and with tolerances so tight that nearly
    everything warns."""
    parks = [(name, park_from_data(raw)) for name, raw in _parks()]
    eager, default = Assessor(evaluator=durable, quality=_EAGER), Assessor(evaluator=durable, quality=DEFAULTS)
    with_checks = {name: (eager.assess(p), default.assess(p)) for name, p in parks}
    monkeypatch.setattr(assessment, "check_quality", lambda *a, **k: [])
    warned = 0
    for name, park in parks:
        without = default.assess(park)
        assert without["data_quality"] == []
        for result in with_checks[name]:
            warned += len(result["data_quality"])
            assert {k: v for k, v in result.items() if k != "data_quality"} == \
                   {k: v for k, v in without.items() if k != "data_quality"}, name
    assert warned > 100         # the eager settings really did warn


# ---- settings ----

def test_settings_file_overrides_a_default_and_names_a_bad_line(tmp_path):
    good = tmp_path / "quality.yaml"
    good.write_text("yoy_jump_factor: 20\n", encoding="utf-8")
    assert load_settings(good) == QualitySettings(yoy_jump_factor=20.0)
    bad = tmp_path / "bad.yaml"
    bad.write_text("yoy_jump_factor: 20\nyoy_jump_factr: 3\npart_whole_tolerance: 2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_settings(bad)
    lines = exc.value.lines()
    assert any(":2:" in x and "did you mean 'yoy_jump_factor'" in x for x in lines), lines
    assert any(":3:" in x and "part_whole_tolerance" in x and "share" in x for x in lines), lines


def test_the_environment_names_the_settings_file_for_cli_and_service(tmp_path, monkeypatch, oracle):
    f = tmp_path / "q.yaml"
    f.write_text("fraction_share_max: 0.5\n", encoding="utf-8")
    monkeypatch.setenv("GREENPARK_QUALITY_SETTINGS", str(f))
    assert Assessor(evaluator=oracle).quality.fraction_share_max == 0.5
    d = data()
    year(d, 2024)["air_quality_good_days"] = 0.78
    result = Assessor(evaluator=oracle).assess(park_from_data(d))
    assert not [w for w in result["data_quality"] if w["code"] == "share_as_fraction"]


def test_codes_are_the_documented_ones():
    doc = Path("docs/data-quality.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in doc for code in CODES)
    assert all(f"`{name}`" in doc for name in DEFAULTS.as_dict())


# ---- layering and shown to people ----

def test_the_checks_import_nothing_above_validation():
    above = ("indicators", "rules", "render", "assessment", "findings", "service", "cli", "evaluators", "cycles")
    for module in Path("engine/quality").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert (node.module or "").split(".")[0] not in above, (module, node.module)


def test_table_markdown_json_and_dossier_show_the_warnings(tmp_path):
    from typer.testing import CliRunner
    from cli import app
    d = data()
    year(d, 2024)["air_quality_good_days"] = 0.78
    park_file = tmp_path / "park.json"
    park_file.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    table = runner.invoke(app, ["assess", str(park_file), "--evaluator", "oracle"])
    assert "数据质量提示（2）" in table.output and "years[year=2024].air_quality_good_days" in table.output
    md = runner.invoke(app, ["assess", str(park_file), "--format", "markdown", "--lang", "en", "--evaluator", "oracle"])
    assert "## Data-quality warnings" in md.output and "`years[year=2024].air_quality_good_days`: " in md.output
    js = json.loads(runner.invoke(app, ["assess", str(park_file), "--format", "json", "--evaluator", "oracle"]).stdout)
    assert [w["code"] for w in js["data_quality"]] == ["share_as_fraction", "grid_factor_year_missing"]
    from engine.render.dossier import render_report
    result = Assessor(quality=DEFAULTS).assess(park_from_data(d))
    text = render_report(result, fmt="markdown", lang="zh").decode()
    assert "### 数据质量提示" in text and "0.78" in text
    html = render_report(result, fmt="html", lang="en").decode()
    assert 'id="data-quality-table"' in html and "Data-quality warnings" in html
