"""Park facts + derived indicators -> the flat engine facts rules match (see `catalogue`).

Each fact is a flat dict of scalars with a unique `id`; a value the park did not report is left
out (never None), so `is defined` tests and insufficient_data verdicts work. `FactSet.paths` maps
each fact id to the park-facts path of each field, which findings cite as evidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .models import Park, StatusAnalysis
from ..indicators.compute import Indicators
from ..indicators.derived import VINTAGED
from ..indicators.scope2_basis import OTHER_BASIS, other_basis_series
from ..indicators.targets import target_progress

__all__ = ["FactSet", "build_facts", "LISTS", "ENTERPRISE_COUNTS"]

LISTS = {"two_high": "two_high_six_categories_mee_2021",
         "high_energy_industry": "nbs_six_high_energy_industries",
         "cp_key_industry": "cleaner_production_key_industries_2020",
         "ets_sector": "national_ets_sectors",
         "fluorinated_gas_industry": "ipcc_2006_electronics_fluorinated_gases"}

# Park fields counted over the enterprise list: present when the list is reported (0 for a list
# reported empty), left out when it is not, with `enterprises` as what to collect.
ENTERPRISE_COUNTS = ("enterprise_count", "ets_enterprises", "ets_sector_unflagged", "two_high_enterprises",
                     "key_energy_users", "key_energy_users_unknown")


@dataclass
class FactSet:
    """The engine facts, where each field comes from, and - for fields left out because they
    are unknown - the park facts to collect (`missing[fact id][field]`), when that is not simply
    the field's own path."""

    facts: list[dict]
    paths: dict[str, "dict[str, str] | _Paths"] = field(default_factory=dict)
    missing: dict[str, dict[str, list[str]]] = field(default_factory=dict)

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
                               "backward_capacity", "vocs_key_emitter", "vocs_source_substitution", "hcfc_use",
                               "hcfc_phaseout_plan", "fluorinated_gas_use", "fluorinated_gas_abatement")},
    **{k: "{p}.industry_code" for k in LISTS}}

# The dimensions clause 5.5.1 names for the overall goals; a target counts for the dimension of
# its indicator (knowledge/indicators.yaml `dimension`).
DIMENSIONS = ("carbon", "energy", "resource", "environment", "industry")

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
    listed = park.enterprises is not None   # not reported: no count over the enterprises is known
    ents = park.enterprises or []
    keu = [e.key_energy_user for e in ents]
    lists = [_membership(knowledge, e.industry_code) for e in ents]   # once per enterprise
    counts = {
        "enterprise_count": len(ents),
        "ets_enterprises": sum(e.in_carbon_market is True for e in ents),
        "ets_sector_unflagged": sum(e.in_carbon_market is None and m["ets_sector"] for e, m in zip(ents, lists)),
        "two_high_enterprises": sum(m["two_high"] for m in lists),
        "key_energy_users": sum(v is True for v in keu),
        "key_energy_users_unknown": sum(v is None for v in keu)} if listed else {}
    fs.facts.append(_clean({
        "kind": "park", "id": "park", "level": prof.level.value, "province": prof.province, "region": region,
        "park_type": prof.park_type.value, "is_chemical": prof.park_type.value == "chemical",
        "has_management_body": prof.has_management_body, "area": prof.area, "latest_year": ind.latest_year,
        "data_years": len(park.years), "enterprise_count": counts.get("enterprise_count"),
        "leading_industry_count": len(prof.leading_industries), "has_plan": park.plan.exists if park.plan else None,
        "green_staff": prof.green_staff, "energy_total_tce": energy,
        **{k: counts.get(k) for k in ENTERPRISE_COUNTS[1:]}}))
    fs.paths["park"] = {"level": "profile.level", "province": "profile.province", "park_type": "profile.park_type",
                        "is_chemical": "profile.park_type", "has_management_body": "profile.has_management_body",
                        "area": "profile.area", "green_staff": "profile.green_staff",
                        "has_plan": "plan.exists", "energy_total_tce": "derived.energy_total_tce",
                        "data_years": "years", "enterprise_count": "enterprises",
                        "ets_enterprises": "enterprises[].in_carbon_market",
                        "ets_sector_unflagged": "enterprises[].in_carbon_market",
                        "two_high_enterprises": "enterprises[].industry_code",
                        "key_energy_users": "enterprises[].key_energy_user",
                        "key_energy_users_unknown": "enterprises[].key_energy_user"}
    fs.missing["park"] = {"energy_total_tce": list(latest["energy_total_tce"].missing)}
    if not listed:     # the list itself is what to collect
        fs.missing["park"].update(dict.fromkeys(ENTERPRISE_COUNTS, ["enterprises"]))
    if park.plan is None:
        fs.missing["park"]["has_plan"] = ["plan.exists"]
    for name, dv in latest.items():
        fid = f"ind:{name}"
        fs.facts.append(_clean({"kind": "indicator", "id": fid, "name": name, "unit": dv.unit or "-",
                                "year": dv.year, "value": dv.value, "previous": dv.previous,
                                "upper": dv.upper if dv.value is None else None,
                                "change": None if dv.value is None or dv.previous is None else dv.value - dv.previous,
                                "uses_unverified": dv.uses_unverified, "undefined": dv.undefined,
                                "at_best": _at_best(name, latest, knowledge), **_vintages(dv)}))
        fs.paths[fid] = {"value": f"derived.{name}"}
        if dv.value is None and dv.missing:
            fs.missing[fid] = {"value": list(dv.missing)}
    for i, (e, member) in enumerate(zip(ents, lists)):
        code = e.industry_code
        trig = e.cp_triggers
        flags = (trig.exceeds_discharge_standard, trig.exceeds_total_quota, trig.toxic_substances,
                 trig.exceeds_energy_limit)   # each True, False or None (strict bools)
        mandatory = True if True in flags else None if None in flags else False
        fid = f"ent:{e.id}"
        fs.facts.append(_clean({
            "kind": "enterprise", "id": fid, "name": e.name, "industry_code": code, "division": code[:3],
            **member,
            "key_energy_user": e.key_energy_user, "energy_use": e.energy_use, "above_scale": e.above_scale,
            "trig_exceeds_standard": trig.exceeds_discharge_standard, "trig_exceeds_quota": trig.exceeds_total_quota,
            "trig_toxic": trig.toxic_substances, "trig_energy_limit": trig.exceeds_energy_limit,
            "mandatory_audit": mandatory, "cp_audit": e.cp_audit.value if e.cp_audit else None,
            "in_carbon_market": e.in_carbon_market, "green_factory": e.green_factory,
            "efficiency_benchmark_met": e.efficiency_benchmark_met, "backward_capacity": e.backward_capacity,
            "vocs_key_emitter": e.vocs_key_emitter, "vocs_source_substitution": e.vocs_source_substitution,
            "hcfc_use": e.hcfc_use, "hcfc_phaseout_plan": e.hcfc_phaseout_plan,
            "fluorinated_gas_use": e.fluorinated_gas_use, "fluorinated_gas_abatement": e.fluorinated_gas_abatement}))
        fs.paths[fid] = _Paths(_ENTERPRISE_PATHS, f"enterprises[{i}]")
        if mandatory is None:
            fs.missing[fid] = {"mandatory_audit": [f"enterprises[{i}].cp_triggers.{n}"
                                                   for n in type(trig).model_fields if getattr(trig, n) is None]}
    _infrastructure_fact(park, fs)
    sp = park.smart_platform.model_dump()
    fs.facts.append(_clean({"kind": "platform", "id": "platform", **sp,
                            "systems_built": sum(v is True for v in sp.values()),
                            "systems_not_built": sum(v is False for v in sp.values()),
                            "systems_unknown": sum(v is None for v in sp.values()),
                            "all_systems_built": _all(sp.values())}))
    fs.paths["platform"] = {k: f"smart_platform.{k}" for k in sp}
    fs.missing["platform"] = {"all_systems_built": [f"smart_platform.{k}" for k, v in sp.items() if v is None]}
    mg = park.management
    flags = {k: getattr(mg, k) for k in type(mg).model_fields if k != "factors"}
    own = None if mg.factors is None else len(mg.factors)      # factors not reported: unknown, not 0
    fs.facts.append(_clean({"kind": "management", "id": "management", **flags, "own_factors": own}))
    fs.paths["management"] = {k: f"management.{k}" for k in type(mg).model_fields}
    fs.paths["management"]["own_factors"] = "management.factors"
    fs.facts.append(_clean({"kind": "circular", "id": "circular", **park.circular.model_dump()}))
    fs.paths["circular"] = {k: f"circular.{k}" for k in type(park.circular).model_fields}
    _plan_facts(park, ind, knowledge, fs)
    return fs


_WWTP = "infrastructure.wastewater_plants"


def _infrastructure_fact(park: Park, fs: FactSet) -> None:
    """The infrastructure fact. Plants not reported (`wastewater_plants` null) leave the count and
    every `wwtp_*` field out, naming the plant list; a reported empty list is a real 0."""
    inf = park.infrastructure
    plants = inf.wastewater_plants
    listed = plants or []
    loads = [p.load_rate for p in listed]
    ghg = [_ghg_controlled(p) for p in listed]
    fs.facts.append(_clean({
        "kind": "infrastructure", "id": "infrastructure",
        "wastewater_plants": None if plants is None else len(plants),
        "wwtp_online_monitoring": _all(p.online_monitoring for p in listed) if listed else None,
        "wwtp_solar": _any(p.solar_pv for p in listed) if listed else None,
        "wwtp_shared": _any(p.shared for p in listed) if listed else None,
        "wwtp_overloaded": _any(None if v is None else v > 100 for v in loads) if listed else None,
        "wwtp_max_load": max((v for v in loads if v is not None), default=None),
        "wwtp_anaerobic": _any(p.anaerobic_stage for p in listed) if listed else None,
        "wwtp_ghg_controlled": _all(ghg) if listed else None,
        **{k: getattr(inf, k) for k in ("central_heating", "reclaimed_water_plant", "microgrid", "charging_points",
                                        "heat_pumps", "ecological_corridors")}}))
    fs.paths["infrastructure"] = {k: f"infrastructure.{k}" for k in type(inf).model_fields}
    fs.paths["infrastructure"].update({k: _WWTP for k in
                                       ("wastewater_plants", "wwtp_online_monitoring", "wwtp_solar", "wwtp_shared")})
    fs.paths["infrastructure"].update({"wwtp_overloaded": f"{_WWTP}[].load_rate",
                                       "wwtp_max_load": f"{_WWTP}[].load_rate",
                                       "wwtp_anaerobic": f"{_WWTP}[].anaerobic_stage",
                                       "wwtp_ghg_controlled": f"{_WWTP}[].ghg_control"})
    if plants is None:
        fs.missing["infrastructure"] = {k: [_WWTP] for k in ("wwtp_online_monitoring", "wwtp_solar", "wwtp_shared",
                                                             "wwtp_overloaded", "wwtp_max_load", "wwtp_anaerobic",
                                                             "wwtp_ghg_controlled")}
        return
    fs.missing["infrastructure"] = {
        "wwtp_online_monitoring": [f"{_WWTP}[{i}].online_monitoring"
                                   for i, p in enumerate(plants) if p.online_monitoring is None],
        "wwtp_overloaded": [f"{_WWTP}[{i}].load_rate" for i, v in enumerate(loads) if v is None],
        "wwtp_ghg_controlled": [f"{_WWTP}[{i}].{fld}" for i, (p, ok) in enumerate(zip(plants, ghg)) if ok is None
                                for fld in ("anaerobic_stage", "ghg_control") if getattr(p, fld) is None],
        **{fact: [f"{_WWTP}[{i}].{fld}" for i, p in enumerate(plants) if getattr(p, fld) is None]
           for fact, fld in (("wwtp_solar", "solar_pv"), ("wwtp_shared", "shared"),
                             ("wwtp_anaerobic", "anaerobic_stage"))}}


def _ghg_controlled(plant) -> bool | None:
    """Whether one plant's methane and N2O are under control as far as clause 6.8 asks: no
    anaerobic or anoxic stage, or a stage with its gases captured or controlled. A plant whose
    stage is not reported is fine only when its control is reported in place; otherwise unknown."""
    if plant.anaerobic_stage is False:
        return True
    if plant.anaerobic_stage is True:
        return plant.ghg_control
    return True if plant.ghg_control is True else None


def _vintages(dv) -> dict:
    """An emission-factor indicator's vintages as words-ready text: the factor's year ("2022", or
    "undated" for a park factor without year) and the national factor's it is compared with."""
    if dv.name not in VINTAGED:
        return {}
    return {"factor_vintage": "undated" if dv.vintage is None else str(dv.vintage),
            "reference_vintage": None if dv.reference_vintage is None else str(dv.reference_vintage)}


def _at_best(name: str, latest: dict, knowledge) -> bool | None:
    """Whether an indicator (for a change indicator: its base) sits at its best possible value."""
    meta = knowledge.indicators.get(name)
    base = meta.change_of if meta is not None and meta.change_of else name
    best = knowledge.indicators[base].best if base in knowledge.indicators else None
    dv = latest.get(base)
    if best is None or dv is None or dv.value is None:
        return None
    return abs(dv.value - best) < 1e-9


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
    """The plan fact, one fact per task and per target.

    A plan left out of the park file is not "no plan": whether one exists is unknown, and so is
    every field of the plan fact, each naming `plan.exists` to collect. Targets or tasks left out
    (None) are unknown, `[]` is "none"; a count over them is left out while they are unknown. A
    target's `binding` or a task's `quantified` left out is unknown, not false: `binding_targets`
    counts the targets reported binding - a lower bound that decides "at least one" once it is 1 -
    and is left out only while none is reported binding and some are unknown."""
    plan = park.plan
    tasks = plan.tasks if plan else None
    targets = plan.targets if plan else None
    sa = plan.status_analysis.model_dump() if plan else dict.fromkeys(StatusAnalysis.model_fields)
    known_targets = targets if targets is not None else []
    dims = {knowledge.indicators[t.indicator].dimension for t in known_targets if t.indicator in knowledge.indicators}
    binding = sum(t.binding is True for t in known_targets)
    binding_unknown = [f"plan.targets[{i}].binding" for i, t in enumerate(known_targets) if t.binding is None]
    quantified_unknown = [f"plan.tasks[{i}].quantified" for i, t in enumerate(tasks or []) if t.quantified is None]
    fact = {
        "kind": "plan", "id": "plan", "exists": plan.exists if plan else None,
        "targets": len(targets) if targets is not None else None,
        "binding_targets": None if targets is None or (binding == 0 and binding_unknown) else binding,
        "tasks": len(tasks) if tasks is not None else None,
        "areas_covered": len({t.area for t in tasks}) if tasks is not None else None,
        "quantified_share": (sum(t.quantified is True for t in tasks) / len(tasks) * 100
                             if tasks and not quantified_unknown else None),
        "delayed_tasks": sum(t.status == "delayed" for t in tasks) if tasks is not None else None,
        **{f"targets_{dim}": (sum(knowledge.indicators[t.indicator].dimension == dim for t in targets
                                  if t.indicator in knowledge.indicators) if targets is not None else None)
           for dim in DIMENSIONS},
        "dimensions_without_target": len(set(DIMENSIONS) - dims) if targets is not None else None,
        "dimensions_missing": (", ".join(d for d in DIMENSIONS if d not in dims) or None) if targets is not None
        else None,
        **{f"sa_{k}": v for k, v in sa.items()},
        "reachability_analysis": plan.reachability_analysis if plan else None}
    fs.facts.append(_clean(fact))
    fs.paths["plan"] = {"exists": "plan.exists", "targets": "plan.targets", "tasks": "plan.tasks",
                        "areas_covered": "plan.tasks[].area", "quantified_share": "plan.tasks[].quantified",
                        "delayed_tasks": "plan.tasks[].status", "binding_targets": "plan.targets[].binding",
                        **{f"targets_{dim}": "plan.targets[].indicator" for dim in DIMENSIONS},
                        "dimensions_without_target": "plan.targets[].indicator",
                        "dimensions_missing": "plan.targets[].indicator",
                        **{f"sa_{k}": f"plan.status_analysis.{k}" for k in sa},
                        "reachability_analysis": "plan.reachability_analysis"}
    unknown: dict[str, list[str]] = {}
    if plan is None:      # nothing about a plan is reported: what to collect first is whether one exists
        unknown = {k: ["plan.exists"] for k in fact if k not in ("kind", "id")}
    else:
        if targets is None:
            unknown |= {k: ["plan.targets"] for k in ("targets", "binding_targets", "dimensions_without_target",
                                                      "dimensions_missing", *(f"targets_{dim}" for dim in DIMENSIONS))}
        elif fact["binding_targets"] is None:
            unknown["binding_targets"] = binding_unknown
        if tasks is None:
            unknown |= {k: ["plan.tasks"] for k in ("tasks", "areas_covered", "quantified_share", "delayed_tasks")}
        elif tasks and quantified_unknown:
            unknown["quantified_share"] = quantified_unknown
    fs.missing["plan"] = unknown
    tasks = tasks or []
    targets = known_targets
    for i, t in enumerate(tasks):
        fid = f"task:{t.id}"
        overdue = None if t.due_year is None else (t.due_year < ind.latest_year and t.status.value not in
                                                   ("done", "cancelled"))
        fs.facts.append(_clean({"kind": "task", "id": fid, "area": t.area, "status": t.status.value,
                                "quantified": t.quantified, "title": t.title, "progress": t.progress,
                                "due_year": t.due_year, "overdue": overdue, "targets": len(t.targets)}))
        fs.paths[fid] = {k: f"plan.tasks[{i}].{k}" for k in ("area", "status", "quantified", "title", "progress",
                                                            "due_year", "targets")}
        fs.paths[fid]["overdue"] = f"plan.tasks[{i}].due_year"
    for i, t in enumerate(targets):
        fid = f"target:{t.id}"
        progress, missing = target_progress(t, ind.by_year, knowledge, ind.latest_year)
        progress.update(_on_other_basis(t, ind, knowledge))
        fs.facts.append(_clean({"kind": "target", "id": fid, "indicator": t.indicator, "title": t.title,
                                "name": t.title or t.id,
                                "binding": t.binding, "baseline_year": t.baseline_year,
                                "baseline_value": t.baseline_value, "target_year": t.target_year,
                                "target_value": t.target_value, **progress}))
        fs.paths[fid] = {k: f"plan.targets[{i}].{k}" for k in ("indicator", "title", "binding", "baseline_year",
                                                              "baseline_value", "target_year", "target_value",
                                                              "direction")}
        for k in ("latest_value", "achieved", "on_path", "path_value", "reachable", "historical_rate",
                  "projected_value", "required_rate", "trend_right_way", "assessable"):
            fs.paths[fid][k] = f"derived.{t.indicator}"
        fs.missing[fid] = missing


_OTHER_FIELDS = ("latest_value", "path_value", "on_path", "historical_rate", "projected_value", "reachable")


def _on_other_basis(t, ind: Indicators, knowledge) -> dict:
    """A CO2 target judged again on the scope-2 basis the park did not choose
    (`engine.indicators.scope2_basis`): `basis`, `other_basis` and `other_<field>` of what is known."""
    other = other_basis_series(ind, t.indicator)
    if other is None:
        return {}
    basis, series = other
    alt, _ = target_progress(t, series, knowledge, ind.latest_year)
    return {"basis": OTHER_BASIS[basis], "other_basis": basis,
            **{f"other_{k}": alt[k] for k in _OTHER_FIELDS if k in alt}}
