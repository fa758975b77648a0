"""Park facts + derived indicators -> the flat engine facts rules match (see `catalogue`).

Each fact is a flat dict of scalars with a unique `id`; a value the park did not report is left
out (never None), so `is defined` tests and insufficient_data verdicts work. `FactSet.paths` maps
each fact id to the park-facts path of each field, which findings cite as evidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.facts.models import Park
from engine.indicators.compute import Indicators

__all__ = ["FactSet", "build_facts", "LISTS"]

LISTS = {"two_high": "two_high_six_categories_mee_2021",
         "high_energy_industry": "nbs_six_high_energy_industries",
         "cp_key_industry": "cleaner_production_key_industries_2020",
         "ets_sector": "national_ets_sectors"}


@dataclass
class FactSet:
    facts: list[dict]
    paths: dict[str, "dict[str, str] | _Paths"] = field(default_factory=dict)

    def by_id(self) -> dict[str, dict]:
        return {f["id"]: f for f in self.facts}


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


class _Paths:
    """Field -> park-facts path of one list item, formatted only when a finding asks."""

    __slots__ = ("template", "prefix")

    def __init__(self, template: dict[str, str], prefix: str):
        self.template, self.prefix = template, prefix

    def get(self, field: str, default: str | None = None) -> str | None:
        t = self.template.get(field)
        return default if t is None else t.format(p=self.prefix)


_ENTERPRISE_PATHS = {
    "name": "{p}.name", "industry_code": "{p}.industry_code", "division": "{p}.industry_code",
    "energy_use": "{p}.energy_use", "key_energy_user": "{p}.key_energy_user", "cp_audit": "{p}.cp_audit",
    "mandatory_audit": "{p}.cp_triggers", "trig_exceeds_standard": "{p}.cp_triggers.exceeds_discharge_standard",
    "trig_exceeds_quota": "{p}.cp_triggers.exceeds_total_quota", "trig_toxic": "{p}.cp_triggers.toxic_substances",
    "trig_energy_limit": "{p}.cp_triggers.exceeds_energy_limit",
    **{k: "{p}." + k for k in ("above_scale", "in_carbon_market", "green_factory", "efficiency_benchmark_met",
                               "backward_capacity")},
    **{k: "{p}.industry_code" for k in LISTS}}

# The dimensions clause 5.5.1 names for the overall goals, grouped as the indicator catalogue
# groups them; a target counts for the dimension of its indicator.
DIMENSIONS = ("carbon", "energy", "resource", "environment", "industry")
TARGET_DIMENSIONS = {
    **dict.fromkeys(("co2_total", "co2_scope1", "co2_scope2", "carbon_intensity", "carbon_intensity_change",
                     "co2_per_tce"), "carbon"),
    **dict.fromkeys(("energy_total_tce", "energy_intensity", "energy_productivity", "non_fossil_share",
                     "renewable_share", "clean_energy_share", "renewable_electricity_share",
                     "energy_intensity_change", "waste_heat_recovery", "coal_use"), "energy"),
    **dict.fromkeys(("water_reuse_rate", "reclaimed_water_rate", "water_productivity", "water_intensity",
                     "solid_waste_utilisation", "land_productivity"), "resource"),
    **dict.fromkeys(("wastewater_intensity", "hazardous_waste_managed", "air_quality_good_days", "nox_emissions",
                     "vocs_emissions", "so2_emissions", "cod_emissions", "major_env_incidents"), "environment"),
    **dict.fromkeys(("high_tech_output_share", "two_high_output_share", "heavy_industry_share", "raw_material_share",
                     "green_industry_share", "green_rd_intensity", "value_added_growth", "value_added_per_employee",
                     "leading_industry_concentration", "key_enterprise_audit_rate", "cp_audit_share",
                     "efficiency_benchmark_share", "green_factory_share"), "industry")}

_MEMBERSHIP: dict[tuple[str, str], dict[str, bool]] = {}


def _membership(knowledge, code: str) -> dict[str, bool]:
    """List membership of an industry code, memoised per knowledge digest (codes repeat a lot)."""
    key = (knowledge.digest, code)
    found = _MEMBERSHIP.get(key)
    if found is None:
        found = _MEMBERSHIP[key] = {k: knowledge.in_list(list_id, code) for k, list_id in LISTS.items()}
    return found


def build_facts(park: Park, ind: Indicators, knowledge) -> FactSet:
    """Every engine fact of one assessment."""
    fs = FactSet(facts=[])
    latest = ind.latest
    prof = park.profile
    region = knowledge.grid_factor(prof.province, ind.latest_year).region or _region(knowledge, prof.province)
    energy = latest["energy_total_tce"].value
    fs.facts.append(_clean({
        "kind": "park", "id": "park", "level": prof.level.value, "province": prof.province, "region": region,
        "park_type": prof.park_type.value, "is_chemical": prof.park_type.value == "chemical",
        "has_management_body": prof.has_management_body, "area": prof.area, "latest_year": ind.latest_year,
        "data_years": len(park.years), "enterprise_count": len(park.enterprises),
        "leading_industry_count": len(prof.leading_industries), "has_plan": bool(park.plan and park.plan.exists),
        "green_staff": prof.green_staff, "energy_total_tce": energy,
        "ets_enterprises": sum(_membership(knowledge, e.industry_code)["ets_sector"] for e in park.enterprises),
        "two_high_enterprises": sum(_membership(knowledge, e.industry_code)["two_high"] for e in park.enterprises),
        "key_energy_users": sum(e.key_energy_user for e in park.enterprises)}))
    fs.paths["park"] = {"level": "profile.level", "province": "profile.province", "park_type": "profile.park_type",
                        "is_chemical": "profile.park_type", "has_management_body": "profile.has_management_body",
                        "area": "profile.area", "green_staff": "profile.green_staff",
                        "has_plan": "plan.exists", "energy_total_tce": "derived.energy_total_tce",
                        "data_years": "years", "enterprise_count": "enterprises",
                        "ets_enterprises": "enterprises[].industry_code",
                        "two_high_enterprises": "enterprises[].industry_code",
                        "key_energy_users": "enterprises[].key_energy_user"}
    for name, dv in latest.items():
        fid = f"ind:{name}"
        fs.facts.append(_clean({"kind": "indicator", "id": fid, "name": name, "unit": dv.unit or "-",
                                "year": dv.year, "value": dv.value, "previous": dv.previous,
                                "change": None if dv.value is None or dv.previous is None else dv.value - dv.previous,
                                "uses_unverified": dv.uses_unverified}))
        fs.paths[fid] = {"value": f"derived.{name}"}
    for i, e in enumerate(park.enterprises):
        code = e.industry_code
        trig = e.cp_triggers
        flags = [trig.exceeds_discharge_standard, trig.exceeds_total_quota, trig.toxic_substances,
                 trig.exceeds_energy_limit]
        mandatory = True if any(f is True for f in flags) else False if all(f is False for f in flags) else None
        fid = f"ent:{e.id}"
        fs.facts.append(_clean({
            "kind": "enterprise", "id": fid, "name": e.name, "industry_code": code, "division": code[:3],
            **_membership(knowledge, code),
            "key_energy_user": e.key_energy_user, "energy_use": e.energy_use, "above_scale": e.above_scale,
            "trig_exceeds_standard": trig.exceeds_discharge_standard, "trig_exceeds_quota": trig.exceeds_total_quota,
            "trig_toxic": trig.toxic_substances, "trig_energy_limit": trig.exceeds_energy_limit,
            "mandatory_audit": mandatory, "cp_audit": e.cp_audit.value if e.cp_audit else None,
            "in_carbon_market": e.in_carbon_market, "green_factory": e.green_factory,
            "efficiency_benchmark_met": e.efficiency_benchmark_met, "backward_capacity": e.backward_capacity}))
        fs.paths[fid] = _Paths(_ENTERPRISE_PATHS, f"enterprises[{i}]")
    inf = park.infrastructure
    plants = inf.wastewater_plants
    fs.facts.append(_clean({
        "kind": "infrastructure", "id": "infrastructure", "wastewater_plants": len(plants),
        "wwtp_online_monitoring": _all(p.online_monitoring for p in plants) if plants else None,
        "wwtp_solar": _any(p.solar_pv for p in plants) if plants else None,
        "wwtp_shared": _any(p.shared for p in plants) if plants else None,
        **{k: getattr(inf, k) for k in ("central_heating", "reclaimed_water_plant", "pv_capacity", "storage_capacity",
                                        "microgrid", "charging_points", "heat_pumps", "ecological_corridors")}}))
    fs.paths["infrastructure"] = {k: f"infrastructure.{k}" for k in type(inf).model_fields}
    fs.paths["infrastructure"].update({k: "infrastructure.wastewater_plants" for k in
                                       ("wastewater_plants", "wwtp_online_monitoring", "wwtp_solar", "wwtp_shared")})
    sp = park.smart_platform.model_dump()
    fs.facts.append(_clean({"kind": "platform", "id": "platform", **sp,
                            "systems_built": sum(v is True for v in sp.values()),
                            "systems_unknown": sum(v is None for v in sp.values())}))
    fs.paths["platform"] = {k: f"smart_platform.{k}" for k in sp}
    mg = park.management
    flags = {k: getattr(mg, k) for k in type(mg).model_fields if k != "factors"}
    fs.facts.append(_clean({"kind": "management", "id": "management", **flags, "own_factors": len(mg.factors)}))
    fs.paths["management"] = {k: f"management.{k}" for k in type(mg).model_fields}
    fs.facts.append(_clean({"kind": "circular", "id": "circular", **park.circular.model_dump()}))
    fs.paths["circular"] = {k: f"circular.{k}" for k in type(park.circular).model_fields}
    _plan_facts(park, ind, knowledge, fs)
    return fs


def _all(values) -> bool | None:
    values = list(values)
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _any(values) -> bool | None:
    values = list(values)
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _region(knowledge, province: str) -> str:
    return getattr(knowledge, "province_region", {}).get(province, "unknown")


def _plan_facts(park: Park, ind: Indicators, knowledge, fs: FactSet) -> None:
    plan = park.plan
    tasks = plan.tasks if plan else []
    targets = plan.targets if plan else []
    fs.facts.append(_clean({
        "kind": "plan", "id": "plan", "exists": bool(plan and plan.exists), "targets": len(targets),
        "binding_targets": sum(t.binding for t in targets), "tasks": len(tasks),
        "areas_covered": len({t.area for t in tasks}),
        "quantified_share": sum(t.quantified for t in tasks) / len(tasks) * 100 if tasks else None,
        "delayed_tasks": sum(t.status == "delayed" for t in tasks),
        **{f"targets_{dim}": sum(TARGET_DIMENSIONS.get(t.indicator) == dim for t in targets)
           for dim in DIMENSIONS},
        "dimensions_without_target": len(DIMENSIONS) - len({TARGET_DIMENSIONS.get(t.indicator) for t in targets}
                                                            - {None}),
        "dimensions_missing": ", ".join(d for d in DIMENSIONS
                                        if d not in {TARGET_DIMENSIONS.get(t.indicator) for t in targets}) or None}))
    fs.paths["plan"] = {"exists": "plan.exists", "targets": "plan.targets", "tasks": "plan.tasks",
                        "areas_covered": "plan.tasks[].area", "quantified_share": "plan.tasks[].quantified",
                        "delayed_tasks": "plan.tasks[].status", "binding_targets": "plan.targets[].binding",
                        **{f"targets_{dim}": "plan.targets[].indicator" for dim in DIMENSIONS},
                        "dimensions_without_target": "plan.targets[].indicator",
                        "dimensions_missing": "plan.targets[].indicator"}
    for i, t in enumerate(tasks):
        fid = f"task:{t.id}"
        fs.facts.append({"kind": "task", "id": fid, "area": t.area, "status": t.status.value, "quantified": t.quantified})
        fs.paths[fid] = {"area": f"plan.tasks[{i}].area", "status": f"plan.tasks[{i}].status",
                         "quantified": f"plan.tasks[{i}].quantified"}
    for i, t in enumerate(targets):
        fid = f"target:{t.id}"
        fs.facts.append(_clean({"kind": "target", "id": fid, "indicator": t.indicator, "binding": t.binding,
                                "baseline_year": t.baseline_year, "baseline_value": t.baseline_value,
                                "target_year": t.target_year, "target_value": t.target_value,
                                **_target_progress(t, ind, knowledge)}))
        fs.paths[fid] = {k: f"plan.targets[{i}].{k}" for k in ("indicator", "binding", "baseline_year",
                                                               "baseline_value", "target_year", "target_value")}
        fs.paths[fid]["latest_value"] = f"derived.{t.indicator}"


def _target_progress(t, ind: Indicators, knowledge) -> dict:
    dv = ind.latest.get(t.indicator)
    latest = dv.value if dv else None
    year = ind.latest_year
    out: dict = {"latest_value": latest, "due": year >= t.target_year}
    span = t.target_year - t.baseline_year
    out["elapsed"] = min(max((year - t.baseline_year) / span * 100, 0.0), 100.0)
    if latest is None:
        return out
    meta = knowledge.indicators.get(t.indicator)
    lower = meta is not None and meta.direction == "lower_better"
    out["achieved"] = latest <= t.target_value if lower else latest >= t.target_value
    if t.target_value != t.baseline_value:
        out["progress"] = (latest - t.baseline_value) / (t.target_value - t.baseline_value) * 100
    if t.target_year > year and latest > 0 and t.target_value > 0:
        out["required_rate"] = ((t.target_value / latest) ** (1 / (t.target_year - year)) - 1) * 100
    if year > t.baseline_year and latest > 0 and t.baseline_value > 0:
        out["historical_rate"] = ((latest / t.baseline_value) ** (1 / (year - t.baseline_year)) - 1) * 100
    if "required_rate" in out and "historical_rate" in out:
        h, r = out["historical_rate"], out["required_rate"]
        out["on_track"] = h <= r if lower else h >= r
    return out
