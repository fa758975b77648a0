"""The knowledge base: the real knowledge/ folder loads, is complete and consistent, converts its
published factors, falls back sensibly for grid factors, and a broken file is refused with
problems that name the file and line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine.errors import KnowledgeError
from engine.facts.models import PROVINCES
from engine.knowledge import CARRIERS, DEFAULT_DIRECTORY, FILES, Knowledge, load_knowledge

EXPECTED_CLAUSES = (
    ["1", "2", "3"] + [f"3.{i}" for i in range(1, 8)]
    + ["4", "4.1"] + [f"4.1.{i}" for i in range(1, 5)] + ["4.2"]
    + ["5", "5.1", "5.2"] + [f"5.2{c}" for c in "abcdefgh"]
    + ["5.3"] + [f"5.3{c}" for c in "abcdefghijklmn"]
    + ["5.4", "5.5", "5.5.1", "5.5.2", "5.6"]
    + ["6"] + [f"6.{i}" for i in range(1, 12)]
    + ["7"] + [f"7.{i}" for i in range(1, 5)] + ["8"]
)
DO_TASKS = {f"6.{i}" for i in range(2, 12)}


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def _walk(data, key):
    """Every value stored under `key` anywhere in plain data."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(data, list):
        for v in data:
            yield from _walk(v, key)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _refused(folder: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    return info.value


# -- completeness -------------------------------------------------------------------------------

def test_every_clause_of_the_guide_is_present(kb):
    assert kb.clause_ids() == set(EXPECTED_CLAUSES)
    assert len(EXPECTED_CLAUSES) == len(set(EXPECTED_CLAUSES))


def test_clauses_have_phase_parent_and_a_reason_when_not_normative(kb):
    phases = {"1": "scope", "2": "references", "3": "terms", "4": "general", "5": "plan",
              "6": "do", "7": "check", "8": "act"}
    for clause in kb.clauses.values():
        assert clause.phase == phases[clause.id[0]], clause.id
        assert clause.parent is None or clause.parent in kb.clauses, clause.id
        assert clause.normative or clause.normative_note, clause.id
    assert all(kb.clauses[c].normative for c in DO_TASKS | {"7.1", "7.2", "7.3", "7.4", "8"})
    assert not any(kb.clauses[c].normative for c in ["1", "2", "3", "3.1", "4.2"])
    assert kb.clauses["5.3g"].parent == "5.3"


def test_every_source_referenced_anywhere_exists(kb):
    for file_name, _ in FILES.values():
        data = yaml.safe_load((DEFAULT_DIRECTORY / file_name).read_text(encoding="utf-8"))
        for source in _walk(data, "source"):
            if source is not None:
                assert source in kb.sources, f"{file_name}: unknown source {source!r}"
    assert {"guide", "recalled_domain_knowledge"} <= set(kb.sources)


def test_cross_references_resolve(kb):
    for ind in kb.indicators.values():
        assert set(ind.clauses) <= kb.clause_ids(), ind.id
    for b in kb.benchmarks.values():
        assert b.framework in kb.frameworks, b.id
        assert b.indicator is None or b.indicator in kb.indicators, b.id
        if b.indicator:
            assert b.unit == kb.indicators[b.indicator].unit, b.id
    for name, profile in kb.profiles.items():
        for indicator, ids in profile.items():
            assert all(kb.benchmarks[i].indicator == indicator for i in ids), (name, indicator)


def test_required_indicators_exist(kb):
    required = """energy_total_tce energy_intensity energy_productivity carbon_intensity co2_total
    co2_scope1 co2_scope2 co2_per_tce non_fossil_share renewable_share clean_energy_share
    renewable_electricity_share water_reuse_rate reclaimed_water_rate water_productivity
    water_intensity solid_waste_utilisation hazardous_waste_managed land_productivity
    high_tech_output_share two_high_output_share heavy_industry_share raw_material_share
    green_rd_intensity leading_industry_concentration key_enterprise_audit_rate
    smart_platform_systems carbon_intensity_change energy_intensity_change air_quality_good_days
    waste_heat_recovery value_added_growth data_years""".split()
    assert set(required) <= set(kb.indicators)


def test_benchmarks_keep_reference_ids_and_tags(kb):
    for bid in ["MIIT-EG2", "MIIT-B4", "MIIT-B6", "HJ-R2", "JS-7", "ZC-CORE-T1", "ZC-CORE-T2",
                "ZC-G1", "EIP-EN-HW", "PT-IND-CI"]:
        assert bid in kb.benchmarks
    eg2 = kb.benchmarks["MIIT-EG2"]
    assert (eg2.value, eg2.verification, eg2.name_verification) == (15, "U", "V")
    t1, t2 = kb.benchmarks["ZC-CORE-T1"], kb.benchmarks["ZC-CORE-T2"]
    assert (t1.value, t1.applies_if.ge, t1.applies_if.lt) == (0.2, 200000, 1000000)
    assert (t2.value, t2.applies_if.ge, t2.applies_if.lt) == (0.3, 1000000, None)
    bound = {b: kb.benchmarks[b].value for b in ["ZC-CORE-T1-MIN", "ZC-CORE-T1-MAX", "ZC-CORE-T2-MIN"]}
    assert bound == {"ZC-CORE-T1-MIN": t1.applies_if.ge, "ZC-CORE-T1-MAX": t1.applies_if.lt,
                     "ZC-CORE-T2-MIN": t2.applies_if.ge}
    assert kb.benchmarks["JS-7"].verification == "V"
    for b in kb.benchmarks.values():
        if b.verification == "U" and b.source != "recalled_domain_knowledge":
            assert b.name_verification == "V", f"{b.id}: U value with a document needs name V"


def test_default_profile_is_guide_miit_zero_carbon_core_and_national_targets(kb):
    default = kb.profiles["default"]
    frameworks = {kb.benchmarks[i].framework for ids in default.values() for i in ids}
    assert frameworks == {"guide", "miit_green_park_2016", "national_zero_carbon_park_2025",
                          "industrial_green_14fyp", "eip_framework_v2"}
    assert {kb.benchmarks[i].framework for i in default["hazardous_waste_managed"]} == {"eip_framework_v2"}
    assert default["co2_per_tce"] == ["ZC-CORE-T1", "ZC-CORE-T2"]
    assert default["smart_platform_systems"] == ["GUIDE-3.7"]
    assert default["carbon_intensity_change"] == ["PT-IND-CI-ANNUAL"]


def test_every_key_indicator_has_a_benchmark_under_default(kb):
    """Clause 7.3: each key indicator (or, for one the default frameworks give no number, its
    change) is measured under the default profile."""
    default = kb.profiles["default"]
    for ind in kb.indicators.values():
        if ind.key and not ind.change_of:
            change = next((c.id for c in kb.indicators.values() if c.change_of == ind.id), None)
            assert ind.id in default or change in default, ind.id


def test_derived_benchmarks_match_their_formula(kb):
    for bid, decline in [("PT-IND-EI-ANNUAL", 13.5), ("PT-IND-CI-ANNUAL", 18), ("PT-IND-WATER-ANNUAL", 16)]:
        b = kb.benchmarks[bid]
        assert b.verification == "D" and b.derivation is not None
        assert kb.benchmarks[bid.removesuffix("-ANNUAL")].value == decline
        assert b.value == pytest.approx(((1 - decline / 100) ** (1 / 5) - 1) * 100, rel=1e-9)


def test_measures_cover_the_task_clauses(kb):
    assert len(kb.measures) >= 40
    for m in kb.measures.values():
        assert m.clauses and set(m.clauses) <= DO_TASKS, m.id
        assert set(m.improves) <= set(kb.indicators), m.id
        assert m.source is None or m.source in kb.sources, m.id
    assert {c for m in kb.measures.values() for c in m.clauses} == DO_TASKS
    for mid in ["M-PV-NEW", "M-PV-SOE", "M-STORAGE", "M-RETROFIT-POOL", "M-GREEN-DIRECT",
                "M-H2-THERMAL", "M-CASCADE", "M-ENERGY-MGMT", "M-COAL-BOILER", "M-CIRCULAR"]:
        assert mid in kb.measures
    assert kb.measures["M-PV-NEW"].source == "sip_2025_plan"


# -- factors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("carrier, value, unit, published", [
    ("natural_gas", 0.0012143, "tce/m3", "1.2143 kgce/m3"),
    ("electricity", 0.1229, "tce/MWh", "0.1229 kgce/kWh"),
    ("coal", 0.7143, "tce/t", "0.7143 kgce/kg"),
    ("purchased_heat", 0.03412, "tce/GJ", "0.03412 kgce/MJ"),
    ("diesel", 1.4571, "tce/t", "1.4571 kgce/kg"),
])
def test_coefficients_are_converted_from_the_published_unit(kb, carrier, value, unit, published):
    f = kb.coefficient(carrier)
    assert f.value == pytest.approx(value, rel=1e-12)
    assert (f.unit, f.published, f.verification) == (unit, published, "C")


def test_natural_gas_is_a_choice_with_a_default(kb):
    assert kb.coefficient_options("natural_gas") == ["oil_field", "statistics"]
    assert kb.coefficient("natural_gas").option == "statistics"
    assert kb.coefficient("natural_gas", "oil_field").value == pytest.approx(0.00133, rel=1e-12)
    assert kb.coefficient_options("coal") == []
    with pytest.raises(KeyError, match="no coefficient option 'wet' for natural_gas"):
        kb.coefficient("natural_gas", "wet")


def test_every_carrier_has_a_coefficient_and_fuels_a_co2_factor(kb):
    for carrier in CARRIERS:
        assert kb.coefficient(carrier).value > 0
        if carrier != "electricity":
            assert kb.emission_factor(carrier).unit.startswith("tCO2/")
    with pytest.raises(KeyError, match="grid_factor"):
        kb.emission_factor("electricity")
    with pytest.raises(KeyError):
        kb.coefficient("peat")


def test_fuel_factors_as_published(kb):
    gas = kb.emission_factor("natural_gas")
    assert gas.value == pytest.approx(0.002165, rel=1e-12)
    assert (gas.unit, gas.published, gas.verification) == ("tCO2/m3", "21.65 tCO2/1e4Nm3", "C")
    heat = kb.emission_factor("purchased_heat")
    assert (heat.value, heat.unit) == (pytest.approx(0.11), "tCO2/GJ")


def test_coal_factor_is_derived_from_ncv_and_ipcc(kb):
    coal = kb.emission_factor("coal")
    ncv_tj_per_t = 20908 * 1e3 / 1e9          # 20908 kJ/kg = 20908e3 kJ/t; 1 TJ = 1e9 kJ
    ef_t_per_tj = 94600 / 1e3                 # 94600 kg/TJ
    assert coal.value == pytest.approx(ncv_tj_per_t * ef_t_per_tj, rel=1e-12)
    assert coal.verification == "D" and "20908" in coal.derivation and "94600" in coal.derivation
    assert coal.unit == "tCO2/t"


def test_enterprise_default_factors_reproduce_their_inputs():
    data = yaml.safe_load((DEFAULT_DIRECTORY / "emission_factors.yaml").read_text(encoding="utf-8"))
    checked = 0
    for fuel in data["fuels"]:
        if not fuel.get("inputs"):
            continue
        number = fuel["published"].split()[0]
        half_ulp = 0.5 * 10 ** -len(number.partition(".")[2])
        i = fuel["inputs"]
        computed = i["ncv"]["value"] * i["carbon_content"]["value"] * i["oxidation"] * 44 / 12 / 1e3
        assert abs(float(number) - computed) <= half_ulp, fuel["carrier"]
        checked += 1
    assert checked == 6


# -- grid factors -------------------------------------------------------------------------------

def test_grid_provincial_exact_year(kb):
    g = kb.grid_factor("江苏", 2023)
    assert (g.value, g.factor_year, g.level, g.region) == (0.5827, 2023, "provincial", None)
    assert g.verification == "C" and g.source in kb.sources
    assert g.basis.zh == "江苏省 2023 年省级电网平均排放因子"
    assert g.basis.en == "Jiangsu provincial grid average factor, 2023"


def test_grid_v_values_keep_their_tag(kb):
    assert kb.grid_factor("河北", 2022).verification == "V"
    assert kb.grid_factor("江苏", 2022).verification == "C"


def test_grid_falls_back_to_region_when_no_provincial_factor(kb):
    g = kb.grid_factor("西藏", 2023)
    assert (g.level, g.region, g.factor_year, g.value) == ("regional", "西南", 2023, 0.2472)
    assert g.verification == "U"                   # reached through the recalled province map
    assert "西藏" in g.basis.zh and "西南" in g.basis.zh
    assert "no provincial factor for Tibet" in g.basis.en


def test_grid_unpublished_year_uses_latest_not_after_else_earliest(kb):
    later = kb.grid_factor("江苏", 2030)
    assert (later.factor_year, later.value) == (2023, 0.5827)
    assert "2030" in later.basis.en and "latest published year" in later.basis.en
    earlier = kb.grid_factor("江苏", 2015)
    assert earlier.factor_year == 2021
    assert "earliest published year" in earlier.basis.en


def test_grid_national_without_province_and_residual_series(kb):
    g = kb.grid_factor(None, 2022)
    assert (g.level, g.value, g.verification) == ("national", 0.5366, "V")
    assert "no province given" in g.basis.en
    residual = kb.national_grid_factor(2023, "excl_market_nonfossil")
    assert (residual.value, residual.verification) == (0.6096, "C")


def test_grid_every_province_resolves_and_unknown_is_refused(kb):
    for province in PROVINCES:
        assert kb.grid_factor(province, 2022).value > 0
    assert set(kb.province_region) == set(PROVINCES)
    assert set(kb.province_region.values()) == {"华北", "东北", "华东", "华中", "西北", "南方", "西南"}
    with pytest.raises(ValueError, match="unknown province"):
        kb.grid_factor("Jiangsu", 2022)


# -- industry lists -----------------------------------------------------------------------------

def test_in_list_matches_by_code_prefix(kb):
    assert kb.in_list("national_ets_sectors", "C3011")          # 水泥
    assert kb.in_list("national_ets_sectors", "C3216")          # 铝冶炼
    assert not kb.in_list("national_ets_sectors", "C30")        # coarser than the member code
    assert not kb.in_list("national_ets_sectors", "C3041")
    assert kb.in_list("nbs_six_high_energy_industries", "D4411")
    assert kb.in_list("two_high_must_be_in_park", "C3041")
    assert kb.in_list("cleaner_production_key_industries_2020", "c2710")
    assert not kb.in_list("nbs_six_high_energy_industries", "C3911")
    assert [m.name_zh for m in kb.members_matching("two_high_six_categories_mee_2021", "C2614")] == ["化工"]
    with pytest.raises(KeyError):
        kb.in_list("no_such_list", "C26")


def test_required_industry_lists_exist(kb):
    assert {"two_high_six_categories_mee_2021", "nbs_six_high_energy_industries",
            "cleaner_production_key_industries_2020", "national_ets_sectors",
            "two_high_must_be_in_park"} <= set(kb.industry_lists)
    assert len(kb.industry_lists["cleaner_production_key_industries_2020"].members) == 13


# -- digest -------------------------------------------------------------------------------------

def test_digest_is_stable_and_follows_the_content(kb, tmp_path):
    assert load_knowledge().digest == kb.digest
    folder = _copy(tmp_path)
    _edit(folder, "benchmarks.yaml", "# Benchmark frameworks", "# A comment only\n# Benchmark frameworks")
    assert load_knowledge(folder).digest == kb.digest
    _edit(folder, "coefficients.yaml", "published: 0.9714 kgce/kg", "published: 0.9715 kgce/kg")
    assert load_knowledge(folder).digest != kb.digest


# -- broken files -------------------------------------------------------------------------------

def _problem_in(err: KnowledgeError, file: str, text: str):
    hits = [p for p in err.problems if p.file and p.file.endswith(file) and text in p.message]
    assert hits, "\n".join(err.lines())
    assert all(p.line is not None for p in hits)
    return hits[0]


def test_unknown_key_is_refused_with_file_and_line(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "benchmarks.yaml", "  - id: MIIT-EG2\n", "  - id: MIIT-EG2\n    colour: red\n")
    p = _problem_in(_refused(folder), "benchmarks.yaml", "unknown field 'colour'")
    text = (folder / "benchmarks.yaml").read_text(encoding="utf-8").splitlines()
    assert "colour" in text[p.line - 1]



@pytest.mark.parametrize(("file", "old", "new", "words"), [
    ("coefficients.yaml", "    default: true\n", "    default: yes\n", "must be true or false, not the text 'yes'"),
    ("benchmarks.yaml", "    group: 能源利用绿色化\n    mandatory: true\n  - id: MIIT-EG2\n",
     "    group: 能源利用绿色化\n    mandatory: 'true'\n  - id: MIIT-EG2\n", "must be true or false, not the text 'true'"),
    ("benchmarks.yaml", "    operator: \">=\"\n    value: 3\n    unit: 万元/tce\n",
     "    operator: \">=\"\n    value: '3'\n    unit: 万元/tce\n", "must be a number or true/false, not the text '3'"),
])
def test_a_flag_or_number_written_as_text_is_refused_with_file_line_and_field(tmp_path, file, old, new, words):
    # YAML 1.2 like park files (engine.scalars): `yes` and quoted numbers are text, never coerced
    folder = _copy(tmp_path)
    _edit(folder, file, old, new)
    p = _problem_in(_refused(folder), file, words)
    field = p.path.rsplit(".", 1)[-1]
    assert field in ("default", "mandatory", "value")
    assert (folder / file).read_text(encoding="utf-8").splitlines()[p.line - 1].strip().startswith(field)

def test_benchmark_citing_a_missing_source_is_refused(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "benchmarks.yaml", "    value: 20\n    unit: \"%\"\n    verification: V\n"
          "    source: jiangsu_nzc_2024", "    value: 20\n    unit: \"%\"\n    verification: V\n"
          "    source: no_such_source")
    p = _problem_in(_refused(folder), "benchmarks.yaml", "unknown source id 'no_such_source'")
    text = (folder / "benchmarks.yaml").read_text(encoding="utf-8").splitlines()
    assert "no_such_source" in text[p.line - 1]


def test_derived_value_without_derivation_is_refused(tmp_path):
    folder = _copy(tmp_path)
    block = "    unit: persons\n    verification: {}\n    source: miit_green_park_template"
    _edit(folder, "benchmarks.yaml", block.format("V"), block.format("D"))
    _problem_in(_refused(folder), "benchmarks.yaml", "needs a `derivation`")


def test_derivation_that_does_not_add_up_is_refused(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "emission_factors.yaml", "published: 1.9778968 tCO2/t", "published: 1.98 tCO2/t")
    _problem_in(_refused(folder), "emission_factors.yaml", "does not equal its derivation")


def test_malformed_yaml_is_refused_with_a_line(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "measures.yaml", "  - id: M-CCUS\n", "  - id: M-CCUS\n    title: {zh: [unclosed\n")
    _problem_in(_refused(folder), "measures.yaml", "malformed YAML")


def test_measure_outside_the_task_clauses_and_unknown_indicator_are_refused(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "measures.yaml", "    clauses: [\"6.10\"]\n    improves: [smart_platform_systems]\n",
          "    clauses: [\"5.2\"]\n    improves: [smart_platform_systems]\n")
    _edit(folder, "measures.yaml", "improves: [leading_industry_concentration, land_productivity]",
          "improves: [leading_industry_concentration, land_price]")
    err = _refused(folder)
    _problem_in(err, "measures.yaml", "does not match the expected form")
    _problem_in(err, "measures.yaml", "unknown indicator id 'land_price'")


def test_all_problems_are_reported_together(tmp_path):
    folder = _copy(tmp_path)
    clause = "  - id: \"3.7\"\n    parent: \"{}\""
    _edit(folder, "clauses.yaml", clause.format("3"), clause.format("4"))
    _edit(folder, "industries.yaml", "codes: [C3216], code_verification: U, since: 2025",
          "codes: [X3216], code_verification: U, since: 2025")
    _edit(folder, "emission_factors.yaml", "    西藏: {region: 西南, en: Tibet, full: 西藏自治区}\n", "")
    err = _refused(folder)
    _problem_in(err, "clauses.yaml", "parent of 3.7")
    _problem_in(err, "industries.yaml", "X3216")
    _problem_in(err, "emission_factors.yaml", "province 西藏 is not mapped")
