"""The engine facts rules can see: kinds, fields, types, units and where each comes from.

Rules are compiled against this catalogue, so `valeu > 3` or `level == 1` fails at load time
with the rule, the field and what exists, instead of silently never matching. The fact builder
(`engine.facts.builder`) produces exactly these fields; `tests/test_fact_builder.py` checks that
every built fact conforms.

`always=True` marks fields that are present on every fact of the kind; any other field may be
missing when the park did not report the underlying data, and a compliance rule that needs it
ends in `insufficient_data`. The park's counts over its enterprises (`enterprise_count`,
`ets_enterprises` ...) are such fields: left out when the enterprise list is not reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["FieldSpec", "KINDS", "field_spec", "FieldType"]

FieldType = Literal["number", "text", "bool"]


@dataclass(frozen=True)
class FieldSpec:
    type: FieldType
    doc: str
    unit: str | None = None
    always: bool = False
    values: tuple[str, ...] | None = None   # allowed text values, when closed
    source: str = ""                        # park-facts path the value comes from


def _f(type_: FieldType, doc: str, unit: str | None = None, *, always: bool = False,
       values: tuple[str, ...] | None = None, source: str = "") -> FieldSpec:
    return FieldSpec(type_, doc, unit, always, values, source)


_COMMON = {"id": _f("text", "fact id", always=True)}
_LEVELS = ("national", "provincial", "municipal", "other")
_TYPES = ("economic_technological", "high_tech", "chemical", "comprehensive", "industry_cluster", "other")
_AUDIT = ("none", "planned", "in_progress", "completed")
_TASK = ("planned", "in_progress", "done", "delayed", "cancelled")

KINDS: dict[str, dict[str, FieldSpec]] = {
    "park": {
        **_COMMON,
        "level": _f("text", "park level", always=True, values=_LEVELS, source="profile.level"),
        "province": _f("text", "province", always=True, source="profile.province"),
        "region": _f("text", "grid region of the province", always=True),
        "park_type": _f("text", "park type", always=True, values=_TYPES, source="profile.park_type"),
        "is_chemical": _f("bool", "chemical park", always=True, source="profile.park_type"),
        "has_management_body": _f("bool", "专门管理机构 exists", always=True,
                                  source="profile.has_management_body"),
        "area": _f("number", "planned area", "km2", always=True, source="profile.area"),
        "latest_year": _f("number", "latest statistical year", always=True, source="years[].year"),
        "data_years": _f("number", "number of statistical years given", always=True, source="years"),
        "enterprise_count": _f("number", "enterprises listed (missing when the list is not reported; 0 when it is "
                                         "reported empty)", source="enterprises"),
        "leading_industry_count": _f("number", "leading industries named", always=True,
                                     source="profile.leading_industries"),
        "has_plan": _f("bool", "a plan or implementation scheme exists (missing when the park file leaves the "
                               "plan out)", source="plan.exists"),
        "green_staff": _f("number", "full-time green/low-carbon staff", "persons", source="profile.green_staff"),
        "energy_total_tce": _f("number", "comprehensive energy use, latest year", "tce"),
        "ets_enterprises": _f("number", "enterprises reported to be in the national carbon market (their own "
                                        "flag)", source="enterprises[].in_carbon_market"),
        "ets_sector_unflagged": _f("number", "enterprises in a national carbon-market sector whose own flag is "
                                             "not reported", source="enterprises[].in_carbon_market"),
        "two_high_enterprises": _f("number", "enterprises in a 两高 category",
                                   source="enterprises[].industry_code"),
        "key_energy_users": _f("number", "enterprises reported as 重点用能单位 (a lower bound while some flags "
                                         "are unknown)", source="enterprises[].key_energy_user"),
        "key_energy_users_unknown": _f("number", "enterprises whose key-energy-user flag is not reported",
                                       source="enterprises[].key_energy_user"),
    },
    "indicator": {
        **_COMMON,
        "name": _f("text", "indicator id (knowledge/indicators.yaml)", always=True),
        "unit": _f("text", "unit of value", always=True),
        "year": _f("number", "year the value refers to", always=True),
        "value": _f("number", "the value; missing when its inputs are not reported"),
        "previous": _f("number", "value in the year before, when known"),
        "upper": _f("number", "while the value is unknown, the highest value the reported facts leave possible "
                              "(only indicators that can bound themselves)"),
        "change": _f("number", "value minus previous (same unit), when both are known"),
        "uses_unverified": _f("bool", "a factor tagged U went into the value", always=True),
        "undefined": _f("text", "why the value is undefined although its inputs are reported (a zero base)"),
        "at_best": _f("bool", "the value (for a change indicator: its base indicator's value) is at the best "
                              "value it can take (e.g. 0 % coal, 100 % managed)"),
        "factor_vintage": _f("text", "grid_factor, grid_factor_excess: the year of the grid factor used (\"2023\"), "
                                     "or \"undated\" for a park factor given without year; print with :label"),
        "reference_vintage": _f("text", "grid_factor_excess: the year of the national average factor compared "
                                        "(\"2023\")"),
    },
    "enterprise": {
        **_COMMON,
        "name": _f("text", "enterprise name", always=True, source="enterprises[].name"),
        "industry_code": _f("text", "GB/T 4754 code", always=True, source="enterprises[].industry_code"),
        "division": _f("text", "GB/T 4754 section+division, e.g. C26", always=True),
        "two_high": _f("bool", "in a 两高 category (环环评〔2021〕45号)", always=True),
        "high_energy_industry": _f("bool", "in the six high-energy industries", always=True),
        "cp_key_industry": _f("bool", "in the 13 cleaner-production key industries", always=True),
        "ets_sector": _f("bool", "sector covered by the national carbon market", always=True),
        "fluorinated_gas_industry": _f("bool", "in an electronics class where fluorinated special gases are process "
                                               "inputs (semiconductors, flat-panel displays, PV cells; IPCC 2006 "
                                               "Vol. 3 ch. 6)", always=True),
        "key_energy_user": _f("bool", "重点用能单位", source="enterprises[].key_energy_user"),
        "energy_use": _f("number", "comprehensive energy use", "tce", source="enterprises[].energy_use"),
        "above_scale": _f("bool", "规模以上", source="enterprises[].above_scale"),
        "trig_exceeds_standard": _f("bool", "双超: exceeds discharge standard",
                                    source="enterprises[].cp_triggers.exceeds_discharge_standard"),
        "trig_exceeds_quota": _f("bool", "双超: exceeds total-load quota",
                                 source="enterprises[].cp_triggers.exceeds_total_quota"),
        "trig_toxic": _f("bool", "双有: toxic inputs/outputs", source="enterprises[].cp_triggers.toxic_substances"),
        "trig_energy_limit": _f("bool", "高耗能: exceeds energy-limit standard",
                                source="enterprises[].cp_triggers.exceeds_energy_limit"),
        "mandatory_audit": _f("bool", "any 双超双有高耗能 trigger holds (missing when none holds "
                                      "and some are unknown)"),
        "cp_audit": _f("text", "cleaner-production audit status", values=_AUDIT, source="enterprises[].cp_audit"),
        "in_carbon_market": _f("bool", "in the national carbon market", source="enterprises[].in_carbon_market"),
        "green_factory": _f("bool", "green factory", source="enterprises[].green_factory"),
        "efficiency_benchmark_met": _f("bool", "meets the sector energy-efficiency benchmark",
                                       source="enterprises[].efficiency_benchmark_met"),
        "backward_capacity": _f("bool", "capacity on the elimination catalogue",
                                source="enterprises[].backward_capacity"),
        "vocs_key_emitter": _f("bool", "VOCs key emitter", source="enterprises[].vocs_key_emitter"),
        "vocs_source_substitution": _f("bool", "VOCs controlled by source substitution",
                                       source="enterprises[].vocs_source_substitution"),
        "hcfc_use": _f("bool", "lines still using HCFCs", source="enterprises[].hcfc_use"),
        "hcfc_phaseout_plan": _f("bool", "a plan to retrofit or phase out its HCFC lines",
                                 source="enterprises[].hcfc_phaseout_plan"),
        "fluorinated_gas_use": _f("bool", "uses inorganic fluorinated special gases (PFCs, NF3, SF6 ...)",
                                  source="enterprises[].fluorinated_gas_use"),
        "fluorinated_gas_abatement": _f("bool", "the exhaust carrying those gases is abated (point-of-use or local "
                                                "abatement, destruction)",
                                        source="enterprises[].fluorinated_gas_abatement"),
    },
    "infrastructure": {
        **_COMMON,
        "wastewater_plants": _f("number", "centralised wastewater plants listed (0: the park reports none; "
                                          "missing when the list is not reported, as are all wwtp_* fields)",
                                source="infrastructure.wastewater_plants"),
        "wwtp_online_monitoring": _f("bool", "every plant has online monitoring"),
        "wwtp_solar": _f("bool", "some plant has solar PV"),
        "wwtp_shared": _f("bool", "some plant is shared by several enterprises"),
        "wwtp_overloaded": _f("bool", "some plant runs above 100 % of its design capacity (missing when none is "
                                      "known to, and some load is unknown)"),
        "wwtp_max_load": _f("number", "highest reported load rate of the plants", "%"),
        "wwtp_anaerobic": _f("bool", "some plant has an anaerobic or anoxic stage"),
        "wwtp_ghg_controlled": _f("bool", "every plant with an anaerobic or anoxic stage controls methane and N2O: "
                                          "false as soon as one such plant is reported not to; missing while a "
                                          "plant's stage or control is unknown (a plant of unknown stage reported "
                                          "to control them counts as controlled)"),
        "central_heating": _f("bool", "central heating", source="infrastructure.central_heating"),
        "reclaimed_water_plant": _f("bool", "reclaimed-water plant", source="infrastructure.reclaimed_water_plant"),
        "microgrid": _f("bool", "green microgrid", source="infrastructure.microgrid"),
        "charging_points": _f("number", "EV charging points", source="infrastructure.charging_points"),
        "heat_pumps": _f("bool", "heat pumps in use", source="infrastructure.heat_pumps"),
        "ecological_corridors": _f("bool", "ecological corridors", source="infrastructure.ecological_corridors"),
    },
    "platform": {
        **_COMMON,
        **{name: _f("bool", doc, source=f"smart_platform.{name}") for name, doc in [
            ("economic_monitoring", "经济运行监测系统"), ("energy_monitoring", "能耗监测系统"),
            ("safety_emergency", "安全应急管理系统"), ("environmental_monitoring", "环保监测系统"),
            ("traffic_logistics", "交通物流系统"), ("human_resources", "人力资源管理系统"),
            ("integrated_services", "综合服务系统")]},
        "systems_built": _f("number", "systems reported true", always=True),
        "systems_not_built": _f("number", "systems reported false", always=True),
        "systems_unknown": _f("number", "systems not reported", always=True),
        "all_systems_built": _f("bool", "all seven systems of clause 3.7 are built: true when all are reported "
                                        "built, false as soon as one is reported not built, missing otherwise"),
    },
    "management": {
        **_COMMON,
        **{name: _f("bool", doc, source=f"management.{name}") for name, doc in [
            ("ghg_inventory", "园区温室气体排放清单"), ("emission_factor_library", "排放因子库"),
            ("carbon_metering", "碳排放计量体系"), ("permit_carbon_integration", "排污许可与碳排放统筹"),
            ("env_disclosure", "环境信息公开"), ("synergy_evaluation", "减污降碳协同度评价"),
            ("energy_management_centre", "能源管控中心"), ("access_list_by_sector", "分行业空间准入"),
            ("entry_exit_list", "产业准入及退出清单"), ("digital_carbon_management", "碳排放数字化管理")]},
        "own_factors": _f("number", "park-specific emission factors supplied (missing when the factor list is "
                                    "not reported)",
                          source="management.factors"),
    },
    "circular": {
        **_COMMON,
        "symbiosis_links": _f("number", "industrial-symbiosis links", source="circular.symbiosis_links"),
        "remanufacturing": _f("bool", "remanufacturing", source="circular.remanufacturing"),
        "recycling_system": _f("bool", "recycling system", source="circular.recycling_system"),
    },
    "target": {
        **_COMMON,
        "indicator": _f("text", "indicator id", always=True, source="plan.targets[].indicator"),
        "binding": _f("bool", "binding target of a higher plan (missing when not reported)",
                      source="plan.targets[].binding"),
        "baseline_year": _f("number", "baseline year", always=True),
        "baseline_value": _f("number", "baseline value", always=True),
        "uses_unverified": _f("bool", "a factor tagged U went into the latest value or the first of the series "
                                      "(missing while the latest value is unknown)"),
        "target_year": _f("number", "target year", always=True),
        "target_value": _f("number", "target value", always=True),
        "title": _f("text", "the target as the plan words it", source="plan.targets[].title"),
        "name": _f("text", "how an explanation names it: its title, else its id", always=True,
                   source="plan.targets[].title"),
        "direction": _f("text", "decrease or increase (a 'reach' target resolved from baseline to target)",
                        always=True, values=("decrease", "increase")),
        "rate_kind": _f("text", "how its pace is measured: compound (%/a) or linear (unit/a)", always=True,
                        values=("compound", "linear")),
        "latest_year": _f("number", "latest statistical year", always=True),
        "latest_value": _f("number", "the indicator's value in the latest year"),
        "years_with_value": _f("number", "data years in which the indicator is computable", always=True),
        "years_left": _f("number", "years from the latest data year to the target year", always=True),
        "progress": _f("number", "share of the planned change achieved so far", "%"),
        "elapsed": _f("number", "share of the plan period elapsed", "%", always=True),
        "started": _f("bool", "the latest data year is after the baseline year", always=True),
        "assessable": _f("bool", "achieved already, or the plan period has started"),
        "achieved": _f("bool", "the latest value meets the target in its direction"),
        "path_value": _f("number", "where the planned path from baseline to target stands in the latest year"),
        "on_path": _f("bool", "achieved, or at or beyond the planned path in the latest year (7.3)"),
        "path_margin": _f("number", "how far the latest value is past the planned path in the target's "
                                    "direction (negative: behind it)"),
        "required_rate": _f("number", "annual change still needed to reach the target (rate_kind's unit)"),
        "historical_rate": _f("number", "average annual change over the data series (rate_kind's unit)"),
        "history_from": _f("number", "first data year of the historical rate"),
        "projected_value": _f("number", "the value in the target year at the historical pace"),
        "projected_margin": _f("number", "how far the projected value is past the target in its direction "
                                         "(negative: short of it)"),
        "reachable": _f("bool", "achieved, or reached by the target year at the historical pace (5.6)"),
        "trend_right_way": _f("bool", "the historical pace moves in the target's direction"),
        # a CO2 target (the CO2 total over a quantity the scope-2 basis does not change) judged again
        # on the other scope-2 basis (engine.indicators.scope2_basis); missing for other targets
        "basis": _f("text", "the scope-2 basis the park's carbon indicators use (accounting.scope2)",
                    values=("location_based", "market_based"), source="accounting.scope2"),
        "other_basis": _f("text", "the other scope-2 basis, on which the other_* fields judge the target",
                          values=("location_based", "market_based")),
        "other_latest_value": _f("number", "the latest value on the other scope-2 basis"),
        "other_path_value": _f("number", "the planned path in the latest year (the same on both bases)"),
        "other_on_path": _f("bool", "on_path, on the other scope-2 basis"),
        "other_historical_rate": _f("number", "historical_rate, on the other scope-2 basis"),
        "other_projected_value": _f("number", "projected_value, on the other scope-2 basis"),
        "other_reachable": _f("bool", "reachable, on the other scope-2 basis"),
        "due": _f("bool", "the latest statistical year has reached the target year", always=True),
        "undefined": _f("text", "the indicator is undefined in the latest year (a zero base), so the target "
                                "cannot be judged"),
    },
    "task": {
        **_COMMON,
        "area": _f("text", "guide clause 6.x", always=True, source="plan.tasks[].area"),
        "status": _f("text", "task status", always=True, values=_TASK, source="plan.tasks[].status"),
        "quantified": _f("bool", "has a measurable output (missing when not reported)",
                         source="plan.tasks[].quantified"),
        "title": _f("text", "task title", always=True, source="plan.tasks[].title"),
        "progress": _f("number", "share of the output delivered", "%", source="plan.tasks[].progress"),
        "due_year": _f("number", "year the task is due", source="plan.tasks[].due_year"),
        "overdue": _f("bool", "due before the latest data year and not done (missing without a due year)"),
        "targets": _f("number", "plan targets the task serves", always=True, source="plan.tasks[].targets"),
    },
    "plan": {
        **_COMMON,
        "exists": _f("bool", "plan exists (missing when the park file leaves the plan out)", source="plan.exists"),
        "targets": _f("number", "targets set (missing when they are not reported)", source="plan.targets"),
        "binding_targets": _f("number", "targets reported binding - a lower bound while some flags are unknown; "
                                        "missing when none is reported binding and some are unknown, or the "
                                        "targets are not reported", source="plan.targets[].binding"),
        "tasks": _f("number", "tasks set (missing when they are not reported)", source="plan.tasks"),
        "areas_covered": _f("number", "6.2-6.11 areas with at least one task (missing with the tasks)",
                            source="plan.tasks[].area"),
        "quantified_share": _f("number", "share of tasks with measurable output (missing while a task's flag is "
                                         "unknown)", "%", source="plan.tasks[].quantified"),
        "delayed_tasks": _f("number", "tasks delayed (missing with the tasks)", source="plan.tasks[].status"),
        **{f"targets_{dim}": _f("number", f"targets on a {dim} indicator (clause 5.5.1 dimension)",
                                source="plan.targets[].indicator")
           for dim in ("carbon", "energy", "resource", "environment", "industry")},
        "dimensions_without_target": _f("number", "of the five target dimensions (carbon, energy, resource, "
                                                  "environment, industry), those with no target",
                                        source="plan.targets[].indicator"),
        "dimensions_missing": _f("text", "names of the dimensions with no target, comma-separated",
                                 source="plan.targets[].indicator"),
        **{f"sa_{name}": _f("bool", f"the status analysis covers 5.2 {letter})",
                            source=f"plan.status_analysis.{name}")
           for letter, name in zip("abcdefgh", ("overall_development", "green_industry", "energy", "resources",
                                                "environment", "infrastructure", "platforms_institutions",
                                                "other"))},
        "reachability_analysis": _f("bool", "the plan analyses whether its main targets are reachable (5.6)",
                                    source="plan.reachability_analysis"),
    },
    "finding": {
        **_COMMON,
        "rule": _f("text", "rule id of the finding", always=True),
        "status": _f("text", "finding status", always=True,
                     values=("problem", "not_met", "not_applicable")),
        "severity": _f("text", "severity", always=True),
    },
}


def field_spec(kind: str, field: str) -> FieldSpec | None:
    """The spec of `kind.field`, or None."""
    return KINDS.get(kind, {}).get(field)
