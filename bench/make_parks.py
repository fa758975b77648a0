"""Deterministic synthetic parks for benchmarks and property tests.

Every function returns plain data (dicts, lists, str, float, int, bool) that validates with
`engine.facts.models.Park.model_validate`; the same seed always gives the same park.

* `typical_park(seed)` - a complete, realistic park: 3 years, 60-80 enterprises, full
  infrastructure, smart platform, management and plan.
* `large_park(n_enterprises, seed)` - the same shape with many enterprises (benchmarks).
* `triggered_park(n_enterprises, seed)` - `large_park` with every enterprise failing every
  per-enterprise rule (the worst case for derived findings).
* `random_park(rng)` - a varied park for property tests: optional values randomly present,
  random level/type/province, 0-30 enterprises, 1-4 years, edge values (0, 1e-05, 100 %),
  both quantity spellings (`"12.5 万t"` and `{value, unit}`) and every accepted unit.

Example:
    >>> from engine.facts.models import Park
    >>> Park.model_validate(typical_park(0)).profile.level in ("national", "provincial")
    True

Run `python bench/make_parks.py` to write `bench/typical_park.yaml` and print fact counts.
"""
from __future__ import annotations

import math
import random
from typing import Any

from engine.facts.models import PROVINCES, Level, ParkType
from engine.units import DIMENSIONS

__all__ = ["typical_park", "large_park", "triggered_park", "random_park", "count_facts"]

# GB/T 2589 当量值 coefficients (tce per canonical unit): used only to split a park's energy
# total into carriers with realistic proportions, never to assess anything.
_TCE_PER = {"electricity": 0.1229, "coal": 0.7143, "coke": 0.9714, "natural_gas": 1.2143e-3,
            "fuel_oil": 1.4286, "diesel": 1.4571, "gasoline": 1.4714, "lpg": 1.7143, "heat": 0.03412}

# (GB/T 4754 code, name word, energy intensity tce/万元 output, P(toxic inputs/outputs), two-high)
_INDUSTRIES: list[tuple[str, str, float, float, bool]] = [
    ("C1331", "粮油食品", 0.04, 0.0, False),
    ("C1391", "淀粉", 0.12, 0.0, False),
    ("C1512", "酒业", 0.05, 0.0, False),
    ("C1713", "棉纺织", 0.08, 0.1, False),
    ("C1762", "印染", 0.15, 0.6, False),
    ("C2221", "纸业", 0.35, 0.3, False),
    ("C2521", "焦化", 1.10, 0.9, True),
    ("C2614", "化工原料", 0.60, 0.8, True),
    ("C2651", "合成树脂", 0.40, 0.6, True),
    ("C2710", "原料药", 0.20, 0.8, False),
    ("C2720", "制药", 0.05, 0.3, False),
    ("C2922", "塑料制品", 0.07, 0.1, False),
    ("C3011", "水泥", 0.90, 0.1, True),
    ("C3041", "玻璃", 0.60, 0.2, True),
    ("C3120", "钢铁", 0.70, 0.3, True),
    ("C3216", "铝业", 1.30, 0.4, True),
    ("C3311", "钢结构", 0.04, 0.1, False),
    ("C3360", "表面处理", 0.09, 0.9, False),
    ("C3411", "锅炉", 0.03, 0.0, False),
    ("C3441", "泵业", 0.03, 0.0, False),
    ("C3562", "半导体装备", 0.02, 0.1, False),
    ("C3670", "汽车零部件", 0.04, 0.2, False),
    ("C3812", "电机", 0.03, 0.0, False),
    ("C3841", "锂电池", 0.04, 0.5, False),
    ("C3911", "计算机", 0.01, 0.0, False),
    ("C3973", "集成电路", 0.06, 0.8, False),
    ("C3982", "电子电路", 0.06, 0.8, False),
    ("D4412", "热电", 2.50, 0.0, True),
]
_WEIGHTS = [0.25 if two_high else 1.0 for *_, two_high in _INDUSTRIES]   # energy-intensive firms are few
_PLACE = list("青澄沙湖江河山海东西南北中新华金银宏盛嘉禾瑞丰泰恒远源润德")
_TYPICAL_PROVINCES = ("江苏", "浙江", "山东", "河南", "湖北", "安徽", "广东", "四川", "福建", "河北")
_INDICATORS = ("energy_intensity", "carbon_intensity", "renewable_share", "non_fossil_share",
               "water_reuse_rate", "solid_waste_utilisation", "co2_per_tce")
_AREAS = tuple(f"6.{i}" for i in range(2, 12))
_TASK_WORDS = {
    "6.2": "分行业空间准入管理", "6.3": "分布式光伏与储能建设", "6.4": "产业准入及退出清单",
    "6.5": "绿色低碳技术创新平台", "6.6": "重点企业清洁生产审核", "6.7": "固废综合利用项目",
    "6.8": "VOCs 源头替代", "6.9": "再生水厂建设", "6.10": "智慧能碳管理平台", "6.11": "温室气体排放清单",
}
_SMART = ("economic_monitoring", "energy_monitoring", "safety_emergency", "environmental_monitoring",
          "traffic_logistics", "human_resources", "integrated_services")
_MANAGEMENT = ("ghg_inventory", "emission_factor_library", "carbon_metering", "permit_carbon_integration",
               "env_disclosure", "synergy_evaluation", "energy_management_centre",
               "access_list_by_sector", "entry_exit_list")
_STATUS_ITEMS = ("overall_development", "green_industry", "energy", "resources", "environment",
                 "infrastructure", "platforms_institutions", "other")
_CARRIERS = ("purchased_electricity", "onsite_renewable_generation", "coal", "coke", "natural_gas", "fuel_oil",
             "diesel", "gasoline", "lpg", "purchased_heat", "green_electricity")
_TRIGGERS = ("exceeds_discharge_standard", "exceeds_total_quota", "toxic_substances",
             "exceeds_energy_limit")
_CARRIER_UNITS = {"coal": "tCO2/t", "coke": "tCO2/t", "natural_gas": "tCO2/万m3", "fuel_oil": "tCO2/t",
                  "diesel": "tCO2/t", "gasoline": "tCO2/t", "lpg": "tCO2/t",
                  "purchased_heat": "tCO2/GJ", "grid_electricity": "kgCO2/kWh"}


def _q(value: float, unit: str) -> str:
    """`"12.5 万t"`, six significant digits."""
    return f"{value:.6g} {unit}"


def _company(rng: random.Random, word: str) -> str:
    return "".join(rng.sample(_PLACE, 2)) + word + "有限公司"


# --------------------------------------------------------------------------- typical / large


def typical_park(seed: int = 0) -> dict:
    """A complete, realistic park: 3 years (2022-2024), 60-80 enterprises, everything filled in.

    Args:
        seed (int): random seed; the same seed gives the same park. Defaults to 0.

    Returns:
        dict: park facts that validate with `Park.model_validate`.
    """
    rng = random.Random(seed)
    return _complete_park(rng, n_enterprises=rng.randint(60, 80), tag=f"typical-{seed}")


def large_park(n_enterprises: int = 2000, seed: int = 0) -> dict:
    """The shape of `typical_park`, with `n_enterprises` enterprises (benchmarks).

    Args:
        n_enterprises (int): number of enterprises. Defaults to 2000.
        seed (int): random seed. Defaults to 0.
    """
    return _complete_park(random.Random(seed), n_enterprises=n_enterprises,
                          tag=f"large-{n_enterprises}-{seed}")


def triggered_park(n_enterprises: int = 2000, seed: int = 0) -> dict:
    """`large_park` where every enterprise is as bad as it can be (worst case for chaining).

    Each one is a 两高 chemical maker (C2614) that meets all four mandatory-audit triggers with
    no audit, a key energy user below the efficiency benchmark, with backward capacity, a VOCs key
    emitter without source substitution and an HCFC user without a phase-out plan: about nine
    problem or not-met findings and as many measures per enterprise. 2,000 of them made the old
    fixed cap of 10,000 derived facts refuse the park.

    Args:
        n_enterprises (int): number of enterprises. Defaults to 2000.
        seed (int): random seed. Defaults to 0.
    """
    park = large_park(n_enterprises, seed)
    for e in park["enterprises"]:
        e.update(industry_code="C2614", cp_triggers=dict.fromkeys(_TRIGGERS, True), cp_audit="none",
                 key_energy_user=True, efficiency_benchmark_met=False, backward_capacity=True,
                 vocs_key_emitter=True, vocs_source_substitution=False, hcfc_use=True,
                 hcfc_phaseout_plan=False)
        e.pop("cp_audit_year", None)
    return park


def _complete_park(rng: random.Random, *, n_enterprises: int, tag: str) -> dict:
    latest = 2024
    enterprises = [_enterprise(rng, i, latest, width=5 if n_enterprises >= 10000 else 4)
                   for i in range(n_enterprises)]
    ent_output = ent_energy = ent_two_high = 0.0
    for e in enterprises:                      # private totals, removed from the facts
        output_, energy_, two_high_ = e.pop("_output"), e.pop("_energy"), e.pop("_two_high")
        ent_output += output_                  # 万元
        ent_energy += energy_                  # tce
        ent_two_high += output_ if two_high_ else 0.0
    # Park-level ratios, drawn once; yearly values follow a trend with a little noise.
    output = ent_output / rng.uniform(0.7, 0.85)               # listed firms are most of the park
    energy = ent_energy / rng.uniform(0.8, 0.9)
    raw = {"electricity": rng.uniform(0.42, 0.6), "coal": rng.uniform(0.05, 0.2),
           "coke": rng.uniform(0.0, 0.02), "natural_gas": rng.uniform(0.1, 0.2),
           "fuel_oil": rng.uniform(0.0, 0.01), "diesel": rng.uniform(0.01, 0.03),
           "gasoline": rng.uniform(0.005, 0.015), "lpg": rng.uniform(0.002, 0.008),
           "heat": rng.uniform(0.03, 0.12)}
    mix = {k: v / sum(raw.values()) for k, v in raw.items()}             # shares of the energy total
    r = {"gdp": rng.uniform(0.5, 0.65), "iva": rng.uniform(0.22, 0.28), "high_tech": rng.uniform(0.2, 0.5),
         "heavy": rng.uniform(0.3, 0.6), "raw_material": rng.uniform(0.05, 0.25),
         "green_iva": rng.uniform(0.05, 0.2), "green_rd": rng.uniform(0.01, 0.04),
         "iva_per_employee": rng.uniform(12, 20), "green": rng.uniform(0.05, 0.3),
         "onsite": rng.uniform(0.01, 0.05), "water": rng.uniform(4, 9), "reuse": rng.uniform(80, 94),
         "reclaimed": rng.uniform(0.05, 0.3), "discharged": rng.uniform(0.6, 0.8),
         "solid": rng.uniform(0.01, 0.06), "utilised": rng.uniform(80, 95), "hazardous": rng.uniform(0.05, 0.15),
         "cod": rng.uniform(0.05, 0.3), "nh3": rng.uniform(0.005, 0.03), "so2": rng.uniform(0.02, 0.3),
         "nox": rng.uniform(0.1, 0.6), "vocs": rng.uniform(0.1, 0.6), "pm": rng.uniform(0.03, 0.2),
         "air": rng.uniform(65, 85), "heat_recovery": rng.uniform(40, 70), "reported": rng.uniform(0.97, 1.03)}
    area = rng.uniform(20, 120)
    storage = rng.uniform(10, 150)
    years = []
    for year in range(latest - 2, latest + 1):
        back = latest - year                   # 2 for the earliest year, 0 for the latest

        def n(x: float) -> float:             # a little year-to-year noise
            return x * rng.uniform(0.98, 1.02)

        out = n(output / 1.07 ** back)
        en = n(energy / 1.025 ** back)
        iva = out * r["iva"]
        elec = en * mix["electricity"] / _TCE_PER["electricity"]          # MWh
        green = min(0.95, r["green"] * 1.25 ** -back)                     # green power grows
        water_fresh = iva * r["water"] * 1.03 ** back                     # m3, slowly improving
        reuse = min(97.0, r["reuse"] - 1.0 * back) / 100
        sw = out * r["solid"]                                             # t
        clean = 1.04 ** back                                              # pollutant intensities fall ~4 %/yr
        years.append({
            "year": year,
            "economy": {
                "gdp": _q(out * r["gdp"] / 1e4, "亿元"),
                "industrial_output": _q(out / 1e4, "亿元"),
                "industrial_value_added": _q(iva / 1e4, "亿元"),
                "high_tech_output": _q(out * r["high_tech"] / 1.02 ** back / 1e4, "亿元"),
                "two_high_output": _q(n(ent_two_high / 1.07 ** back) / 1e4, "亿元"),
                "heavy_industry_output": _q(out * r["heavy"] / 1e4, "亿元"),
                "raw_material_output": _q(out * r["raw_material"] / 1e4, "亿元"),
                "green_industry_value_added": _q(iva * r["green_iva"] / 1.05 ** back / 1e4, "亿元"),
                "green_rd_expenditure": _q(iva * r["green_rd"], "万元"),
                "employees": int(iva / r["iva_per_employee"]),
            },
            "energy": {
                "purchased_electricity": _q(elec / 10, "万kWh"),
                "green_electricity": _q(elec * green / 10, "万kWh"),
                "onsite_renewable_generation": _q(en * r["onsite"] / 1.2 ** back / _TCE_PER["electricity"] / 10,
                                                  "万kWh"),
                "coal": _q(en * mix["coal"] * 1.05 ** back / _TCE_PER["coal"] / 1e4, "万t"),
                "coke": _q(en * mix["coke"] / _TCE_PER["coke"], "t"),
                "natural_gas": _q(en * mix["natural_gas"] / _TCE_PER["natural_gas"] / 1e4, "万m3"),
                "fuel_oil": _q(en * mix["fuel_oil"] / _TCE_PER["fuel_oil"], "t"),
                "diesel": _q(en * mix["diesel"] / _TCE_PER["diesel"], "t"),
                "gasoline": _q(en * mix["gasoline"] / _TCE_PER["gasoline"], "t"),
                "lpg": _q(en * mix["lpg"] / _TCE_PER["lpg"], "t"),
                "purchased_heat": _q(en * mix["heat"] / _TCE_PER["heat"] / 1e3, "TJ"),
                "reported_total": _q(en * r["reported"] / 1e4, "万tce"),
            },
            "water": {
                "fresh_withdrawal": _q(water_fresh / 1e4, "万m3"),
                "reused": _q(water_fresh * reuse / (1 - reuse) / 1e4, "万m3"),
                "reclaimed_used": _q(water_fresh * r["reclaimed"] / 1e4, "万m3"),
                "wastewater_discharged": _q(water_fresh * r["discharged"] / 1e4, "万m3"),
            },
            "solid_waste": {
                "general_generated": _q(sw / 1e4, "万t"),
                "general_utilised": _q(sw * min(99.0, r["utilised"] - 1.5 * back) / 100 / 1e4, "万t"),
                "hazardous_generated": _q(sw * r["hazardous"], "t"),
                "hazardous_managed": _q(sw * r["hazardous"], "t"),
            },
            "pollutants": {                                               # kg/万元 IVA -> t
                "cod": _q(n(iva * r["cod"] * clean) / 1e3, "t"),
                "ammonia_nitrogen": _q(n(iva * r["nh3"] * clean) / 1e3, "t"),
                "so2": _q(n(iva * r["so2"] * clean) / 1e3, "t"),
                "nox": _q(n(iva * r["nox"] * clean) / 1e3, "t"),
                "vocs": _q(n(iva * r["vocs"] * clean) / 1e3, "t"),
                "particulates": _q(n(iva * r["pm"] * clean) / 1e3, "t"),
            },
            "developed_land": _q(area * 0.4 * (1 - 0.02 * back), "km2"),
            "air_quality_good_days": round(min(95.0, n(r["air"] - 1.0 * back)), 1),
            "waste_heat_recovery": round(r["heat_recovery"] - 2.0 * back, 1),
            "major_env_incidents": 0,
            # ~1100 full-load hours a year; storage grows with it
            "capacity": {"pv": _q(en * r["onsite"] / 1.2 ** back / _TCE_PER["electricity"] / 1100, "MW"),
                         "storage": _q(storage / 1.3 ** back, "MWh")},
            "surface_water": {"sections": 6, "sections_meeting_target": 6 - min(back, 2)},
        })
    leading = rng.sample(_INDUSTRIES[:-1], 4)
    task_areas = [a for a in _AREAS for _ in range(rng.randint(4, 7))]   # 40-70 tasks over 6.2-6.11
    shares = sorted((rng.uniform(8, 30) for _ in leading), reverse=True)
    return {
        "schema_version": 2,
        "profile": {
            "id": tag,
            "name": "".join(rng.sample(_PLACE, 2)) + "经济技术开发区(合成)",
            "name_en": f"Synthetic park {tag}",
            "level": rng.choice(["national", "provincial"]),
            "province": rng.choice(_TYPICAL_PROVINCES),
            "park_type": rng.choice(["economic_technological", "high_tech", "comprehensive"]),
            "has_management_body": True,
            "area": _q(area, "km2"),
            "industrial_land_area": _q(area * 0.45, "km2"),
            "established_year": rng.randint(1990, 2012),
            "green_staff": rng.randint(2, 8),
            "leading_industries": [
                {"name": ind[1], "industry_code": ind[0][:3], "output_share": round(s, 1)}
                for ind, s in zip(leading, shares)],
        },
        "years": years,
        "enterprises": enterprises,
        "infrastructure": {
            "wastewater_plants": [
                {"id": f"WWTP-{i + 1}", "name": f"第{i + 1}污水处理厂",
                 "capacity": _q(rng.uniform(1, 8), "万m3/d"), "load_rate": round(rng.uniform(55, 90), 1),
                 "online_monitoring": True, "solar_pv": rng.random() < 0.6, "shared": True,
                 "treated": _q(rng.uniform(300, 2500), "万m3"), "electricity_use": _q(rng.uniform(100, 900), "万kWh"),
                 "anaerobic_stage": i == 0, "ghg_control": rng.random() < 0.5,
                 "sludge_generated": _q(rng.uniform(5000, 30000), "t"),
                 "sludge_utilised": _q(rng.uniform(2000, 5000), "t")}
                for i in range(3)],
            "central_heating": True,
            "reclaimed_water_plant": True,
            "microgrid": rng.random() < 0.5,
            "charging_points": rng.randint(200, 3000),
            "heat_pumps": rng.random() < 0.5,
            "ecological_corridors": True,
        },
        "smart_platform": {k: rng.random() < 0.85 for k in _SMART},
        "management": {
            **{k: rng.random() < 0.75 for k in _MANAGEMENT},
            "digital_carbon_management": rng.random() < 0.6,
            "factors": [
                {"carrier": "grid_electricity", "value": round(rng.uniform(0.4, 0.72), 4),
                 "unit": "kgCO2/kWh", "source": "生态环境部、国家统计局 省级电力二氧化碳排放因子"},
                {"carrier": "purchased_heat", "value": round(rng.uniform(0.09, 0.12), 3),
                 "unit": "tCO2/GJ", "source": "园区热电厂年度碳排放核查报告"},
            ],
        },
        "circular": {"symbiosis_links": rng.randint(2, 15), "remanufacturing": rng.random() < 0.5,
                     "recycling_system": True},
        "plan": {
            "exists": True,
            "year": latest - 2,
            "status_analysis": {k: rng.random() < 0.85 for k in _STATUS_ITEMS},
            "reachability_analysis": rng.random() < 0.6,
            "targets": [_target(rng, i, ind, latest - 3, latest + 1) for i, ind in enumerate(_INDICATORS)],
            "tasks": [
                {"id": f"K{i + 1:02d}", "area": area_, "title": f"{_TASK_WORDS[area_]}(第{i + 1}项)",
                 "status": rng.choices(["done", "in_progress", "planned", "delayed", "cancelled"],
                                       [5, 3, 1, 1, 0.3])[0],
                 "quantified": rng.random() < 0.7, "due_year": rng.randint(latest - 1, latest + 2),
                 "progress": round(rng.uniform(0, 100), 0),
                 "targets": [f"T{rng.randint(1, len(_INDICATORS))}"] if rng.random() < 0.6 else []}
                for i, area_ in enumerate(task_areas)],
        },
    }


def _target(rng: random.Random, i: int, indicator: str, base: int, target: int) -> dict:
    if indicator in ("energy_intensity",):
        b = rng.uniform(0.1, 0.8)
        t = b * rng.uniform(0.8, 0.92)
    elif indicator == "carbon_intensity":
        b = rng.uniform(0.3, 2.0)
        t = b * rng.uniform(0.78, 0.9)
    elif indicator == "co2_per_tce":
        b = rng.uniform(1.8, 3.2)
        t = b * rng.uniform(0.85, 0.95)
    else:
        b = rng.uniform(5, 90)
        t = min(100.0, b + rng.uniform(2, 15))
    return {"id": f"T{i + 1}", "indicator": indicator, "baseline_year": base,
            "baseline_value": round(b, 3), "target_year": target, "target_value": round(t, 3),
            "binding": indicator in ("energy_intensity", "carbon_intensity")}


def _enterprise(rng: random.Random, i: int, latest: int, *, width: int) -> dict:
    code, word, intensity, p_toxic, two_high = rng.choices(_INDUSTRIES, _WEIGHTS)[0]
    output = math.exp(rng.gauss(math.log(6e4 if two_high else 3e4), 1.0))  # 万元, median 3 亿元 (6 for 两高)
    energy = output * intensity * math.exp(rng.gauss(0, 0.3))            # tce
    triggers = {
        "exceeds_discharge_standard": rng.random() < 0.04,
        "exceeds_total_quota": rng.random() < 0.03,
        "toxic_substances": rng.random() < p_toxic,
        "exceeds_energy_limit": two_high and rng.random() < 0.15,
    }
    triggered = any(triggers.values())
    if triggered:
        audit = rng.choices(["completed", "in_progress", "planned", "none"], [7, 1.5, 1, 0.5])[0]
    else:
        audit = rng.choices(["completed", "none"], [3, 7])[0]
    ent = {
        "id": f"E{i:0{width}d}",
        "name": _company(rng, word),
        "industry_code": code,
        "energy_use": _q(energy, "tce"),
        "output": _q(output, "万元"),
        "key_energy_user": energy >= 10000,
        "above_scale": output >= 2000,
        "cp_triggers": triggers,
        "cp_audit": audit,
        "in_carbon_market": code.startswith("D44"),        # power only, before the 2025 extension
        "green_factory": rng.random() < 0.2,
        "efficiency_benchmark_met": rng.random() < 0.4,
        "backward_capacity": two_high and rng.random() < 0.05,
        "vocs_key_emitter": code in ("C2614", "C2651", "C3360", "C2922"),
        "vocs_source_substitution": rng.random() < 0.5,
        "hcfc_use": rng.random() < 0.03,
        "hcfc_phaseout_plan": rng.random() < 0.5,
        "_output": output, "_energy": energy, "_two_high": two_high,
    }
    if audit in ("completed", "in_progress"):
        ent["cp_audit_year"] = rng.randint(latest - 4, latest)
    if ent["in_carbon_market"]:
        ent["direct_emissions"] = _q(energy * rng.uniform(2.4, 2.7), "tCO2")
    return ent


# --------------------------------------------------------------------------- random (property tests)


def random_park(rng: random.Random) -> dict:
    """A varied, valid park for property tests.

    Optional values are present or absent at random; level, type and province are random;
    0-30 enterprises and 1-4 (not necessarily consecutive) years; amounts include 0, 1e-05
    and large values, written in any accepted unit and in either quantity spelling.

    Args:
        rng (random.Random): the only source of randomness (e.g. `random.Random(seed)`).

    Returns:
        dict: park facts that validate with `Park.model_validate`.
    """
    g = _Gen(rng)
    years = sorted(rng.sample(range(2010, 2031), rng.randint(1, 4)))
    park: dict[str, Any] = {
        "profile": g.profile(),
        "years": [g.year(y) for y in years],
    }
    if rng.random() < 0.2:
        park["schema_version"] = 2
    if rng.random() < 0.3:
        park["accounting"] = {k: v for k, v in (("natural_gas_coefficient", rng.choice(["statistics", "oil_field"])),
                                               ("scope2", rng.choice(["location_based", "market_based"])))
                              if g.maybe()}
    n = rng.randint(0, 30)
    if n or rng.random() < 0.5:
        park["enterprises"] = [g.enterprise(i) for i in range(n)]
    for key, make in (("infrastructure", g.infrastructure), ("smart_platform", g.smart_platform),
                      ("management", g.management), ("circular", g.circular)):
        if rng.random() < 0.7:
            park[key] = make()
    if rng.random() < 0.75:
        park["plan"] = g.plan(years)
    elif rng.random() < 0.3:
        park["plan"] = None
    return park


class _Gen:
    """Random building blocks for `random_park`; every method returns valid data."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    # -- scalars
    def maybe(self, p: float = 0.6) -> bool:
        return self.rng.random() < p

    def number(self, typical: float) -> float:
        """A non-negative amount near `typical` (canonical unit), sometimes an edge value."""
        r = self.rng.random()
        if r < 0.05:
            return 0.0
        if r < 0.10:
            return 1e-05
        if r < 0.13:
            return typical * 1e4
        return typical * math.exp(self.rng.gauss(0, 1.2))

    def amount(self, dimension: str, typical: float) -> str | dict:
        """A quantity of `dimension` near `typical`, in a random unit and spelling."""
        units = DIMENSIONS[dimension]
        unit = self.rng.choice(list(units))
        v = self.number(typical) / units[unit]
        if self.rng.random() < 1 / 3:
            return {"value": v if self.maybe(0.8) else round(v, 3), "unit": unit}
        return f"{v!r} {unit}" if self.maybe(0.5) else f"{v:.6g} {unit}"

    def percent(self) -> float:
        r = self.rng.random()
        if r < 0.05:
            return 0.0
        if r < 0.1:
            return 100.0
        if r < 0.13:
            return 1e-05
        return round(self.rng.uniform(0, 100), self.rng.choice([0, 1, 2, 6]))

    def count(self, hi: int = 500) -> int:
        return self.rng.choice([0, 1, self.rng.randint(0, hi)])

    def name(self, suffix: str) -> str:
        n = self.rng.randint(1, 6)
        core = "".join(self.rng.choice(_PLACE) for _ in range(n))
        return core + suffix if self.maybe(0.9) else f"{core} Park-{self.rng.randint(0, 99)}{suffix}"

    def code(self) -> str:
        c = self.rng.choice(_INDUSTRIES)[0]
        return self.rng.choice([c, c[:3], c[:4], c[0], c])

    def optional(self, data: dict, key: str, make, p: float = 0.6) -> None:
        if self.maybe(p):
            data[key] = make()

    # -- sections
    def profile(self) -> dict:
        rng = self.rng
        p: dict[str, Any] = {
            "id": rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
            + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(rng.randint(1, 40))),
            "name": self.name(rng.choice(["工业园区", "经济技术开发区", "高新技术产业开发区", "化工园区", "产业集聚区"])),
            "level": rng.choice(list(Level)).value,
            "province": rng.choice(PROVINCES),
            "park_type": rng.choice(list(ParkType)).value,
            "has_management_body": self.maybe(0.85),
            "area": self.amount("area", 30),
        }
        self.optional(p, "name_en", lambda: f"Random park {rng.randint(0, 10**6)}")
        self.optional(p, "city", lambda: self.name("市"))
        self.optional(p, "industrial_land_area", lambda: self.amount("area", 15))
        self.optional(p, "established_year", lambda: rng.randint(1990, 2024))
        self.optional(p, "green_staff", lambda: self.count(20))
        if self.maybe(0.7):
            p["leading_industries"] = [self.leading() for _ in range(rng.randint(0, 5))]
        return p

    def leading(self) -> dict:
        d: dict[str, Any] = {"name": self.name("产业")}
        self.optional(d, "industry_code", self.code)
        self.optional(d, "output_share", self.percent)
        return d

    def year(self, year: int) -> dict:
        rng = self.rng
        y: dict[str, Any] = {"year": year}
        if self.maybe(0.9):
            y["economy"] = self.fields({
                "gdp": ("money", 1e6), "industrial_output": ("money", 2e6),
                "industrial_value_added": ("money", 5e5), "high_tech_output": ("money", 6e5),
                "two_high_output": ("money", 3e5), "heavy_industry_output": ("money", 8e5),
                "raw_material_output": ("money", 3e5), "green_industry_value_added": ("money", 5e4),
                "green_rd_expenditure": ("money", 1e4)}, p=0.7)
            self.optional(y["economy"], "employees", lambda: self.count(200000))
        if self.maybe(0.9):
            y["energy"] = self.energy()
        if self.maybe(0.8):
            y["water"] = self.fields({"fresh_withdrawal": ("water", 1e7), "reused": ("water", 5e7),
                                      "reclaimed_used": ("water", 1e6),
                                      "wastewater_discharged": ("water", 6e6)})
        if self.maybe(0.8):
            y["solid_waste"] = self.fields({"general_generated": ("mass", 3e5), "general_utilised": ("mass", 2.5e5),
                                            "hazardous_generated": ("mass", 2e4),
                                            "hazardous_managed": ("mass", 2e4)})
        if self.maybe(0.7):
            y["pollutants"] = self.fields({k: ("mass", 500.0) for k in
                                           ("cod", "ammonia_nitrogen", "so2", "nox", "vocs", "particulates")})
        self.optional(y, "developed_land", lambda: self.amount("area", 20))
        self.optional(y, "air_quality_good_days", self.percent)
        self.optional(y, "waste_heat_recovery", self.percent)
        self.optional(y, "major_env_incidents", lambda: rng.choice([0, 0, 0, 1, 2]))
        if self.maybe(0.5):
            y["capacity"] = {k: self.amount(dim, typ) for k, dim, typ in (("pv", "power", 50), ("storage", "storage", 40))
                             if self.maybe()}
        if self.maybe(0.3):
            sections = rng.randint(0, 12)
            y["surface_water"] = {"sections": sections, "sections_meeting_target": rng.randint(0, sections)}
        return y

    def fields(self, spec: dict[str, tuple[str, float]], p: float = 0.6) -> dict:
        return {k: self.amount(dim, typ) for k, (dim, typ) in spec.items() if self.maybe(p)}

    def energy(self) -> dict:
        e = self.fields({"onsite_renewable_generation": ("electricity", 2e4), "coal": ("mass", 5e4),
                         "coke": ("mass", 1e4), "natural_gas": ("gas_volume", 3e7),
                         "fuel_oil": ("mass", 1e3), "diesel": ("mass", 3e3), "gasoline": ("mass", 2e3),
                         "lpg": ("mass", 500.0), "purchased_heat": ("heat", 1e6),
                         "reported_total": ("energy_tce", 2e5)})
        has_purchased, has_green = self.maybe(0.75), self.maybe(0.6)
        if has_purchased:
            unit = self.rng.choice(list(DIMENSIONS["electricity"]))
            spelling = self.rng.choice(["str", "dict"])
            purchased = self.number(5e5) / DIMENSIONS["electricity"][unit]     # value in `unit`
            e["purchased_electricity"] = self._same_unit(purchased, unit, spelling)
            if has_green:
                share = self.rng.choice([0.0, 1.0, self.rng.random()])
                e["green_electricity"] = self._same_unit(purchased * share, unit, spelling)
        elif has_green:
            e["green_electricity"] = self.amount("electricity", 1e5)
        absent = [c for c in _CARRIERS if c not in e and not (c == "purchased_electricity" and "green_electricity" in e)]
        if absent and self.maybe(0.6):   # declare some unreported carriers as not used (a reported 0)
            e["not_used"] = [c for c in absent if self.maybe(0.7)]
        return e

    @staticmethod
    def _same_unit(v: float, unit: str, spelling: str) -> str | dict:
        # repr round-trips exactly, so green <= purchased survives the text form.
        return {"value": v, "unit": unit} if spelling == "dict" else f"{v!r} {unit}"

    def enterprise(self, i: int) -> dict:
        rng = self.rng
        e: dict[str, Any] = {
            "id": rng.choice([f"E{i}", f"ent-{i:03d}", f"{i}.{rng.randint(0, 9)}_x", f"Z{i}"]),
            "name": self.name(rng.choice(["有限公司", "股份有限公司", "集团"])),
            "industry_code": self.code(),
        }
        self.optional(e, "energy_use", lambda: self.amount("energy_tce", 1e4))
        self.optional(e, "output", lambda: self.amount("money", 3e4))
        self.optional(e, "key_energy_user", lambda: self.maybe(0.3))
        self.optional(e, "above_scale", lambda: self.maybe(0.8))
        if self.maybe(0.8):
            e["cp_triggers"] = {k: rng.choice([True, False, False]) for k in _TRIGGERS if self.maybe(0.6)}
        self.optional(e, "cp_audit", lambda: rng.choice(["none", "planned", "in_progress", "completed"]))
        self.optional(e, "cp_audit_year", lambda: rng.randint(2005, 2030), p=0.4)
        for k in ("in_carbon_market", "green_factory", "efficiency_benchmark_met", "backward_capacity",
                  "vocs_key_emitter", "vocs_source_substitution", "hcfc_use", "hcfc_phaseout_plan"):
            self.optional(e, k, lambda: self.maybe(0.3), p=0.5)
        self.optional(e, "direct_emissions", lambda: self.amount("co2", 5e4), p=0.3)
        return e

    def infrastructure(self) -> dict:
        rng = self.rng
        d: dict[str, Any] = {}
        if self.maybe(0.7):
            plants = []
            for i in range(rng.randint(0, 4)):
                w: dict[str, Any] = {"id": rng.choice([f"W{i}", f"污水厂{i}", f"wwtp-{i}"])}
                self.optional(w, "name", lambda: self.name("污水处理厂"))
                self.optional(w, "capacity", lambda: self.amount("water_rate", 3e4))
                self.optional(w, "load_rate", lambda: self.percent() * rng.choice([1, 1, 1.4]))
                for k in ("online_monitoring", "solar_pv", "shared", "anaerobic_stage", "ghg_control"):
                    self.optional(w, k, self.maybe)
                self.optional(w, "treated", lambda: self.amount("water", 1e7))
                self.optional(w, "electricity_use", lambda: self.amount("electricity", 5e3))
                if self.maybe(0.5):
                    w["sludge_generated"] = self.amount("mass", 1e4)
                    if self.maybe():
                        w["sludge_utilised"] = "0 t" if self.maybe(0.3) else w["sludge_generated"]
                plants.append(w)
            d["wastewater_plants"] = plants
        for k in ("central_heating", "reclaimed_water_plant", "microgrid", "heat_pumps", "ecological_corridors"):
            self.optional(d, k, self.maybe)
        self.optional(d, "charging_points", lambda: self.count(5000))
        return d

    def smart_platform(self) -> dict:
        return {k: self.maybe() for k in _SMART if self.maybe()}

    def management(self) -> dict:
        d: dict[str, Any] = {k: self.maybe() for k in _MANAGEMENT + ("digital_carbon_management",) if self.maybe()}
        if self.maybe(0.4):
            d["factors"] = []
            for _ in range(self.rng.randint(0, 3)):
                carrier = self.rng.choice(list(_CARRIER_UNITS))
                factor = {"carrier": carrier, "value": self.rng.choice([1e-05, round(self.rng.uniform(0.05, 25), 4)]),
                          "unit": _CARRIER_UNITS[carrier],
                          "source": self.rng.choice(["园区排放因子库", "provincial factor notice", "核查报告"])}
                if all(f["carrier"] != carrier for f in d["factors"]):    # one factor a carrier (without year)
                    d["factors"].append(factor)
        return d

    def circular(self) -> dict:
        d: dict[str, Any] = {}
        self.optional(d, "symbiosis_links", lambda: self.count(30))
        self.optional(d, "remanufacturing", self.maybe)
        self.optional(d, "recycling_system", self.maybe)
        return d

    def plan(self, years: list[int]) -> dict:
        rng = self.rng
        p: dict[str, Any] = {"exists": self.maybe(0.8)}
        self.optional(p, "year", lambda: rng.choice(years))
        self.optional(p, "status_analysis", lambda: {k: self.maybe() for k in _STATUS_ITEMS if self.maybe()})
        self.optional(p, "reachability_analysis", self.maybe)
        if self.maybe(0.7):
            targets = []
            for i in range(rng.randint(0, 7)):
                base = rng.randint(2005, 2028)
                t = {"id": f"T{i}", "indicator": rng.choice(_INDICATORS),
                     "baseline_year": base,
                     "baseline_value": rng.choice([0.0, 1e-05, round(rng.uniform(0, 100), 3), -1.5]),
                     "target_year": base + rng.randint(1, 10),
                     "target_value": rng.choice([0.0, round(rng.uniform(0, 100), 3)]),
                     **({"binding": self.maybe()} if self.maybe() else {})}
                if self.maybe(0.4):
                    t["direction"] = rng.choice(["decrease", "increase"] +
                                                (["reach"] if t["target_value"] != t["baseline_value"] else []))
                targets.append(t)
            p["targets"] = targets
        if self.maybe(0.7):
            ids = [t["id"] for t in p.get("targets", [])]
            p["tasks"] = [{"id": f"K{i}", "area": rng.choice(_AREAS), "title": self.name("任务"),
                           "status": rng.choice(["planned", "in_progress", "done", "delayed", "cancelled"]),
                           **({"quantified": self.maybe()} if self.maybe() else {}),
                           **({"due_year": rng.randint(2008, 2032)} if self.maybe() else {}),
                           **({"progress": self.percent()} if self.maybe() else {}),
                           **({"targets": rng.sample(ids, rng.randint(0, len(ids)))} if ids and self.maybe() else {})}
                          for i in range(rng.randint(0, 12))]
        return p


# --------------------------------------------------------------------------- counting


def count_facts(data: dict) -> dict[str, int]:
    """Rough size of a park: records (one per object a fact builder would emit) and scalar values.

    Records: profile, each leading industry, each year, each enterprise, each wastewater plant,
    infrastructure, smart platform, management, each emission-factor override, circular, plan, each
    target and each task. Values: every scalar leaf (a `{value, unit}` quantity counts once).
    """
    plan = data.get("plan") or {}
    infra = data.get("infrastructure") or {}
    mgmt = data.get("management") or {}
    records = (1 + len(data["profile"].get("leading_industries", [])) + len(data["years"])
               + len(data.get("enterprises", [])) + len(infra.get("wastewater_plants", []))
               + 3 + len(mgmt.get("factors", [])) + 1
               + (1 + len(plan.get("targets", [])) + len(plan.get("tasks", [])) if plan else 0))

    def leaves(x: Any) -> int:
        if isinstance(x, dict):
            return 1 if set(x) == {"value", "unit"} else sum(leaves(v) for v in x.values())
        if isinstance(x, list):
            return sum(leaves(v) for v in x)
        return 0 if x is None else 1

    return {"records": records, "values": leaves(data)}


if __name__ == "__main__":  # pragma: no cover
    from pathlib import Path

    import yaml

    from engine.errors import GreenparkError
    from engine.facts.models import Park

    def _engine_facts(data: dict) -> str:
        """Number of engine facts from the real builder, when the knowledge base loads."""
        try:
            from engine.facts.builder import build_facts
            from engine.indicators.compute import derive
            from engine.knowledge import load_knowledge
            park_, kb = Park.model_validate(data), load_knowledge()
            return str(len(build_facts(park_, derive(park_, kb), kb).facts))
        except (ImportError, GreenparkError) as exc:
            return f"n/a ({type(exc).__name__})"

    out = Path(__file__).resolve().parent / "typical_park.yaml"
    park = typical_park(0)
    Park.model_validate(park)
    header = "# Generated by bench/make_parks.py (typical_park(seed=0)); synthetic, do not edit.\n"
    out.write_text(header + yaml.safe_dump(park, allow_unicode=True, sort_keys=False, width=120),
                   encoding="utf-8")
    for label, data in (("typical_park(0)", park), ("large_park(2000)", large_park()),
                        ("random_park(seed 0)", random_park(random.Random(0)))):
        c = count_facts(data)
        print(f"{label:20s} enterprises={len(data.get('enterprises', [])):5d} years={len(data['years'])} "
              f"records={c['records']:5d} values={c['values']:6d} engine_facts={_engine_facts(data)}")
    print(f"wrote {out}")
