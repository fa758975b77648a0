"""Park facts: what a park management committee or regulator hands us.

One `Park` document per park (YAML or JSON; `greenpark schema` prints its JSON Schema). Every
model forbids unknown keys, quantities carry explicit units (see `engine.facts.quantities`),
percentages are 0-100, and a value that is not known is simply left out (None): rules then
report `insufficient_data` naming the fact to collect instead of guessing.

Sections follow the guide: profile (clause 1 applicability, 5.2 a), yearly series (5.2 b-e),
enterprises (6.4, 6.6, 6.8), infrastructure (6.9), the seven systems of the smart platform (3.7,
6.10), management institutions (6.10, 6.11), the plan with its status analysis, targets and tasks
(5.2, 5.5, 5.6, 7) and the accounting choices the standards leave open.

Unknown is not zero: an energy carrier, an enterprise flag, a count or the enterprise list left
out is unknown, and everything computed from it is unknown (`enterprises: []` reports none). A
carrier the park does not use is written as `0 t` or listed under `energy.not_used`.

Types are strict, so the model accepts exactly what the JSON Schema accepts: a flag is `true` or
`false` (not `yes`, `"true"` or `1`), a number is a number (not the text `"12"`, not `true`), a
whole number may be written `2024.0` but not `2024.5`; NaN and infinities are refused.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, field_validator, model_validator

from .quantities import (Area, Co2, Electricity, GasVolume, Heat, IndustryCode, Mass,
                                     Money, Power, Storage, Tce, Water, WaterRate)

__all__ = ["Park", "Profile", "YearData", "Economy", "Energy", "WaterUse", "SolidWaste",
           "Pollutants", "Capacity", "SurfaceWater", "Enterprise", "CleanerProductionTriggers",
           "Infrastructure", "WastewaterPlant", "SmartPlatform", "Management", "Plan", "Target", "Task",
           "StatusAnalysis", "Accounting", "Level", "ParkType", "AuditStatus", "TaskStatus",
           "TargetDirection", "LeadingIndustry", "Circular", "PROVINCES", "FactorOverride", "CARRIERS",
           "SCHEMA_VERSION", "FINDING_ID"]

PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
             "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
             "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆")

SCHEMA_VERSION = 2
# A finding's id, `RULE@subject` (engine/findings.py): the rule id, then the engine facts it is about
# (`ent:JS-E05`, `ind:co2_per_tce`, `plan`; a 7.4 diagnosis names the finding it diagnoses).
FINDING_ID = r"^[A-Z]{2,4}(?:-[A-Z0-9]{1,12}){1,4}@[^\s@+][^\s]*$"
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}


def _flag(value):
    """A flag is true or false, as in JSON; anything else is refused with what to write."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YAML11_BOOLS | {"true", "false"}:
        raise ValueError(f"must be true or false, not the text {value!r} (YAML 1.2 and JSON read only "
                         "true/false as a flag: write true or false without quotes)")
    raise ValueError(f"must be true or false (got {value!r})")


def _number(value):
    """A number is a number: not a flag, not text (`"12"` is text in YAML and JSON alike)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"must be a number, not the text {value!r} (write it without quotes)")
    return value


def _whole(value):
    """A whole number; `2024.0` is read as 2024, as the JSON Schema's integer type allows."""
    value = _number(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Constraints come before the validator, so pydantic enforces them in the core schema (and the
# JSON Schema states them as minimum/maximum).
Bool = Annotated[bool, Strict(), BeforeValidator(_flag)]
Int = Annotated[int, Strict(), BeforeValidator(_whole)]
Float = Annotated[float, Strict(), BeforeValidator(_number)]
Year = Annotated[int, Strict(), Field(ge=1990, le=2100), BeforeValidator(_whole)]
Count = Annotated[int, Strict(), Field(ge=0), BeforeValidator(_whole)]
Percent = Annotated[float, Strict(), Field(ge=0, le=100, description="percentage, 0-100",
                                           json_schema_extra={"x-unit": "%"}), BeforeValidator(_number)]
LoadRate = Annotated[float, Strict(), Field(ge=0, le=300, description="load as % of design capacity; above 100 = "
                                            "overloaded", json_schema_extra={"x-unit": "%"}), BeforeValidator(_number)]

# Energy carriers whose sum is the park's comprehensive energy consumption (综合能源消费量).
CARRIERS = ("purchased_electricity", "onsite_renewable_generation", "coal", "coke", "natural_gas",
            "fuel_oil", "diesel", "gasoline", "lpg", "purchased_heat")
Carrier = Literal["purchased_electricity", "onsite_renewable_generation", "coal", "coke", "natural_gas",
                  "fuel_oil", "diesel", "gasoline", "lpg", "purchased_heat", "green_electricity"]


class _Model(BaseModel):
    # defer_build: each model's validator is built when first used, so only `Park`'s (which holds the
    # others) is built, once, instead of one per class at import (issue #13: ~13 ms of a CLI start)
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False,
                              defer_build=True)


class Level(StrEnum):
    national = "national"
    provincial = "provincial"
    municipal = "municipal"
    other = "other"


class ParkType(StrEnum):
    economic_technological = "economic_technological"   # 经济技术开发区
    high_tech = "high_tech"                             # 高新技术产业开发区
    chemical = "chemical"                               # 化工园区
    comprehensive = "comprehensive"                     # 综合性工业园区
    industry_cluster = "industry_cluster"               # 产业集聚区
    other = "other"


class LeadingIndustry(_Model):
    name: str = Field(min_length=1, description="主导产业名称")
    industry_code: IndustryCode | None = None
    output_share: Percent | None = Field(None, description="share of park industrial output, %")


class Profile(_Model):
    """Who the park is (clause 1 applicability; 5.2 a)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$", description="stable park id (slug)")
    name: str = Field(min_length=1, description="园区名称 (Chinese)")
    name_en: str | None = None
    level: Level = Field(description="national / provincial / municipal / other")
    province: str = Field(description="province-level division, Chinese short name, e.g. 江苏",
                          json_schema_extra={"enum": list(PROVINCES)})
    city: str | None = None
    park_type: ParkType
    has_management_body: Bool = Field(description="专门管理机构 exists (clause 1 applicability)")
    area: Area = Field(description="planned area")
    industrial_land_area: Area | None = None
    established_year: Annotated[int, Strict(), Field(ge=1949, le=2100), BeforeValidator(_whole)] | None = None
    leading_industries: list[LeadingIndustry] = Field(default_factory=list)
    green_staff: Count | None = Field(None, description="full-time staff of the green/low-carbon body")

    @field_validator("province")
    @classmethod
    def _known_province(cls, v: str) -> str:
        if v not in PROVINCES:
            raise ValueError(f"unknown province {v!r}; use the short Chinese name, e.g. 江苏, 内蒙古")
        return v


class Economy(_Model):
    gdp: Money | None = Field(None, description="地区生产总值 of the park")
    industrial_output: Money | None = Field(None, description="工业总产值")
    industrial_value_added: Money | None = Field(None, description="工业增加值")
    high_tech_output: Money | None = Field(None, description="高新技术产业产值")
    two_high_output: Money | None = Field(None, description="两高 industries' output")
    heavy_industry_output: Money | None = Field(None, description="重工业产值")
    raw_material_output: Money | None = Field(None, description="原材料工业产值")
    green_industry_value_added: Money | None = Field(None, description="绿色低碳产业增加值")
    green_rd_expenditure: Money | None = Field(None, description="绿色低碳技术 R&D 经费")
    employees: Count | None = None


class Energy(_Model):
    """Final energy use by carrier in the year (physical units).

    A carrier left out is unknown, and so is every total it would enter. A carrier the park does
    not use is written `0 t` (or the carrier's unit) or listed in `not_used`.
    """

    purchased_electricity: Electricity | None = Field(None, description="grid electricity bought, incl. green power")
    green_electricity: Electricity | None = Field(None, description="of which green power (绿电交易/绿证/直连)")
    onsite_renewable_generation: Electricity | None = Field(None, description="self-consumed on-site PV/wind")
    coal: Mass | None = Field(None, description="raw coal (原煤)")
    coke: Mass | None = None
    natural_gas: GasVolume | None = None
    fuel_oil: Mass | None = None
    diesel: Mass | None = None
    gasoline: Mass | None = None
    lpg: Mass | None = None
    purchased_heat: Heat | None = Field(None, description="purchased heat/steam")
    reported_total: Tce | None = Field(None, description="the park's own statistic, for cross-checking")
    not_used: list[Carrier] = Field(default_factory=list, description="carriers the park does not use "
                                                                      "(each counts as a reported 0)")

    @model_validator(mode="after")
    def _consistent(self):
        for carrier in self.not_used:
            if getattr(self, carrier) not in (None, 0):
                raise ValueError(f"{carrier} is reported ({getattr(self, carrier):g}) and also listed in "
                                 "not_used")
        if len(set(self.not_used)) != len(self.not_used):
            raise ValueError("not_used lists a carrier twice")
        green, bought = self.amount("green_electricity"), self.amount("purchased_electricity")
        if green is not None and bought is not None and green > bought * (1 + 1e-9):
            raise ValueError("green_electricity exceeds purchased_electricity")
        return self

    def amount(self, carrier: str) -> float | None:
        """The amount of `carrier`: its value, 0 if listed in `not_used`, else None (unknown)."""
        value = getattr(self, carrier)
        if value is None and carrier in self.not_used:
            return 0.0
        return value


class WaterUse(_Model):
    fresh_withdrawal: Water | None = Field(None, description="取水量 (fresh water)")
    reused: Water | None = Field(None, description="重复利用水量")
    reclaimed_used: Water | None = Field(None, description="再生水(中水)利用量")
    wastewater_discharged: Water | None = None


class SolidWaste(_Model):
    general_generated: Mass | None = Field(None, description="一般工业固体废物产生量")
    general_utilised: Mass | None = Field(None, description="综合利用量")
    hazardous_generated: Mass | None = None
    hazardous_managed: Mass | None = Field(None, description="disposed or utilised per regulation")


class Pollutants(_Model):
    cod: Mass | None = None
    ammonia_nitrogen: Mass | None = None
    so2: Mass | None = None
    nox: Mass | None = None
    vocs: Mass | None = None
    particulates: Mass | None = None


class Capacity(_Model):
    """Installed capacity at the end of the year (6.3)."""

    pv: Power | None = Field(None, description="distributed and utility PV in the park")
    storage: Storage | None = Field(None, description="new-type energy storage (新型储能)")


class SurfaceWater(_Model):
    """Surface-water quality sections monitored for the park (5.2 e, 5.3 l)."""

    sections: Count = Field(description="monitored sections (断面)")
    sections_meeting_target: Count = Field(description="sections meeting their water-quality target")

    @model_validator(mode="after")
    def _within(self):
        if self.sections_meeting_target > self.sections:
            raise ValueError("sections_meeting_target exceeds sections")
        return self


class YearData(_Model):
    """One statistical year (5.2 b-e)."""

    year: Year
    economy: Economy = Field(default_factory=Economy)
    energy: Energy = Field(default_factory=Energy)
    water: WaterUse = Field(default_factory=WaterUse)
    solid_waste: SolidWaste = Field(default_factory=SolidWaste)
    pollutants: Pollutants = Field(default_factory=Pollutants)
    developed_land: Area | None = Field(None, description="developed industrial land in use")
    air_quality_good_days: Percent | None = Field(None, description="空气质量优良天数比例")
    waste_heat_recovery: Percent | None = Field(None, description="余热资源回收利用率")
    major_env_incidents: Count | None = None
    capacity: Capacity = Field(default_factory=Capacity)
    surface_water: SurfaceWater | None = None


class AuditStatus(StrEnum):
    none = "none"
    planned = "planned"
    in_progress = "in_progress"
    completed = "completed"


class CleanerProductionTriggers(_Model):
    """The four triggers of mandatory cleaner-production audit (双超双有高耗能, 清洁生产促进法 27)."""

    exceeds_discharge_standard: Bool | None = Field(None, description="双超: 超标排放")
    exceeds_total_quota: Bool | None = Field(None, description="双超: 超总量")
    toxic_substances: Bool | None = Field(None, description="双有: toxic inputs or outputs")
    exceeds_energy_limit: Bool | None = Field(None, description="高耗能: over the energy-limit standard")


class Enterprise(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1)
    industry_code: IndustryCode
    energy_use: Tce | None = Field(None, description="综合能源消费量, latest year")
    output: Money | None = None
    key_energy_user: Bool | None = Field(None, description="重点用能单位 (unknown when left out)")
    above_scale: Bool | None = Field(None, description="规模以上")
    cp_triggers: CleanerProductionTriggers = Field(default_factory=CleanerProductionTriggers)
    cp_audit: AuditStatus | None = Field(None, description="cleaner-production audit status")
    cp_audit_year: Year | None = None
    in_carbon_market: Bool | None = None
    green_factory: Bool | None = None
    efficiency_benchmark_met: Bool | None = Field(None, description="达到行业能效标杆水平")
    backward_capacity: Bool | None = Field(None, description="has capacity on the elimination catalogue")
    direct_emissions: Co2 | None = Field(None, description="reported scope-1 CO2, if verified")
    vocs_key_emitter: Bool | None = Field(None, description="VOCs 重点排放企业 (6.8)")
    vocs_source_substitution: Bool | None = Field(None, description="low-VOCs raw materials substituted at "
                                                                    "source (源头替代, 6.8)")
    hcfc_use: Bool | None = Field(None, description="production lines still using HCFCs (含氢氯氟烃, 6.8)")
    hcfc_phaseout_plan: Bool | None = Field(None, description="a retrofit/phase-out plan for its HCFC lines")
    fluorinated_gas_use: Bool | None = Field(
        None, description="uses inorganic fluorinated special gases (无机氟类特种气体: PFCs, NF3, SF6 ...) as raw or "
                          "auxiliary materials, e.g. for etching and chamber cleaning (6.8; unknown when left out)")
    fluorinated_gas_abatement: Bool | None = Field(
        None, description="the process exhaust carrying those gases is abated: point-of-use or local abatement, "
                          "destruction (尾气处理/分解)")
    fluorinated_gas_amount: Mass | None = Field(
        None, description="fluorinated special gases used in the year, latest year (as purchased or fed in)")


class WastewaterPlant(_Model):
    """A centralised wastewater plant, latest year (6.8, 6.9)."""

    id: str = Field(min_length=1)
    name: str | None = None
    capacity: WaterRate | None = None
    load_rate: LoadRate | None = None
    online_monitoring: Bool | None = None
    solar_pv: Bool | None = None
    shared: Bool | None = Field(None, description="serves several enterprises")
    treated: Water | None = Field(None, description="wastewater treated in the year")
    electricity_use: Electricity | None = Field(None, description="electricity used in the year")
    anaerobic_stage: Bool | None = Field(None, description="anaerobic or anoxic treatment of high-strength "
                                                           "organic wastewater")
    ghg_control: Bool | None = Field(None, description="methane / N2O from those stages captured or controlled")
    sludge_generated: Mass | None = Field(None, description="sludge produced in the year (as reported)")
    sludge_utilised: Mass | None = Field(None, description="of which utilised (综合利用), same basis")

    @model_validator(mode="after")
    def _sludge(self):
        if self.sludge_utilised is not None and self.sludge_generated is not None \
                and self.sludge_utilised > self.sludge_generated * (1 + 1e-9):
            raise ValueError("sludge_utilised exceeds sludge_generated")
        return self


class Infrastructure(_Model):
    """Shared infrastructure as it stands (6.3, 6.9); yearly capacities are under years[].capacity."""

    wastewater_plants: list[WastewaterPlant] | None = Field(
        None, description="the park's centralised wastewater plants: left out (null) when not reported, [] when "
                          "the park has none")
    central_heating: Bool | None = None
    reclaimed_water_plant: Bool | None = None
    microgrid: Bool | None = None
    charging_points: Count | None = None
    heat_pumps: Bool | None = None
    ecological_corridors: Bool | None = None


class SmartPlatform(_Model):
    """The seven systems of the smart platform (clause 3.7)."""

    economic_monitoring: Bool | None = Field(None, description="经济运行监测系统")
    energy_monitoring: Bool | None = Field(None, description="能耗监测系统")
    safety_emergency: Bool | None = Field(None, description="安全应急管理系统")
    environmental_monitoring: Bool | None = Field(None, description="环保监测系统")
    traffic_logistics: Bool | None = Field(None, description="交通物流系统")
    human_resources: Bool | None = Field(None, description="人力资源管理系统")
    integrated_services: Bool | None = Field(None, description="综合服务系统")


class FactorOverride(_Model):
    """A park-specific emission factor from the park's own factor library (6.11).

    With `year` the factor is the published factor of that year and counts that data year only;
    the other years take the default of their own year (docs/conventions.md, 4). Without it the
    factor counts every data year, and the data-quality notes say so for a grid factor. Its
    V/C/U/D tag is the one its source earns: a value equal (within its rounding) to a knowledge/
    factor of the same carrier, region and year carries that factor's tag and source; otherwise
    the park's `verification`, or U (reported by the park, not verified).
    """

    carrier: str = Field(pattern=r"^(coal|coke|natural_gas|fuel_oil|diesel|gasoline|lpg|purchased_heat|grid_electricity)$")
    value: Float = Field(gt=0)
    unit: str = Field(description="tCO2/t, tCO2/万m3, tCO2/GJ or kgCO2/kWh")
    source: str = Field(min_length=3, description="document the value comes from")
    year: Year | None = Field(None, description="the year the published factor belongs to (its vintage); "
                                                "left out: the factor counts every data year")
    verification: Literal["V", "C", "U", "D"] | None = Field(
        None, description="V verified, C checked, U unverified, D derived: how far the source is verified "
                          "(left out: U unless the value matches a knowledge/ factor)")


class Management(_Model):
    """Institutions of clause 6.11 (and 6.6's energy-management centre)."""

    ghg_inventory: Bool | None = Field(None, description="园区温室气体排放清单")
    emission_factor_library: Bool | None = None
    carbon_metering: Bool | None = None
    permit_carbon_integration: Bool | None = Field(None, description="排污许可与碳排放统筹管理")
    env_disclosure: Bool | None = None
    synergy_evaluation: Bool | None = Field(None, description="减污降碳协同度评价")
    energy_management_centre: Bool | None = None
    access_list_by_sector: Bool | None = Field(None, description="分行业空间准入 (6.2)")
    entry_exit_list: Bool | None = Field(None, description="产业准入及退出清单 (6.4)")
    digital_carbon_management: Bool | None = Field(None, description="energy and carbon data managed on a "
                                                                     "digital platform (6.10)")
    factors: list[FactorOverride] | None = Field(
        None, description="the park's own emission factors: left out (null) when not reported, [] when the park "
                          "supplies none")

    @field_validator("factors")
    @classmethod
    def _one_factor_a_year(cls, factors: list[FactorOverride] | None) -> list[FactorOverride] | None:
        """One factor per carrier and year; a carrier's factors all dated or one undated."""
        seen: dict[str, list[int | None]] = {}
        for f in factors or ():
            years = seen.setdefault(f.carrier, [])
            if f.year in years:
                raise ValueError(f"{f.carrier} is given twice" + (f" for {f.year}" if f.year else " without year"))
            if years and (f.year is None or None in years):
                raise ValueError(f"{f.carrier} is given both with and without year: give each factor its year, "
                                 "or one factor without year for every year")
            years.append(f.year)
        return factors


class Circular(_Model):
    symbiosis_links: Count | None = Field(None, description="产业共生/生态工业链 links")
    remanufacturing: Bool | None = None
    recycling_system: Bool | None = None


class TargetDirection(StrEnum):
    decrease = "decrease"    # the value must fall to (or stay at or below) the target
    increase = "increase"    # the value must rise to (or stay at or above) the target
    reach = "reach"          # move from the baseline to the target, whichever way that is


class Target(_Model):
    id: str = Field(min_length=1)
    title: str | None = Field(None, description="the target as the plan words it")
    indicator: str = Field(min_length=1, description="indicator id from knowledge/indicators.yaml")
    unit: str | None = Field(None, description="unit of the values; must be the indicator's unit if given")
    direction: TargetDirection | None = Field(None, description="default: from the indicator (lower is "
                                                                "better -> decrease, higher -> increase, "
                                                                "neutral -> reach)")
    baseline_year: Year
    baseline_value: Float
    target_year: Year
    target_value: Float
    binding: Bool | None = Field(None, description="约束性 target of a higher-level plan (left out: not "
                                                   "reported, unknown - not false)")

    @model_validator(mode="after")
    def _years(self):
        if self.target_year <= self.baseline_year:
            raise ValueError("target_year must be after baseline_year")
        if self.direction == TargetDirection.reach and self.target_value == self.baseline_value:
            raise ValueError("a 'reach' target equal to its baseline has no direction: say decrease or increase")
        return self


class TaskStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    delayed = "delayed"
    cancelled = "cancelled"


class Task(_Model):
    id: str = Field(min_length=1)
    area: str = Field(pattern=r"^6\.(?:[2-9]|1[01])$", description="guide clause 6.2-6.11")
    title: str = Field(min_length=1)
    status: TaskStatus
    quantified: Bool | None = Field(None, description="has a measurable output (可量化); left out: not "
                                                      "reported, unknown - not false")
    progress: Percent | None = Field(None, description="share of the task's output delivered")
    due_year: Year | None = Field(None, description="year the task is due")
    targets: list[str] = Field(default_factory=list, description="ids of the plan targets it serves")
    answers: list[Annotated[str, Field(pattern=FINDING_ID)]] = Field(
        default_factory=list, description="ids of the findings the task answers, `RULE@subject` as a result "
                                          "names them (e.g. PC-C-025@ind:reclaimed_water_rate): a finding's "
                                          "lifecycle across cycles follows its tasks (engine/cycles/lifecycle.py)")

    @field_validator("answers")
    @classmethod
    def _distinct_answers(cls, v: list[str]) -> list[str]:
        dup = sorted({a for a in v if v.count(a) > 1})
        if dup:
            raise ValueError(f"answers: {dup[0]!r} is listed twice")
        return v


class StatusAnalysis(_Model):
    """Whether the plan's status analysis covers each item of clause 5.2 a)-h)."""

    overall_development: Bool | None = Field(None, description="5.2 a) 开发建设总体状况")
    green_industry: Bool | None = Field(None, description="5.2 b) 绿色低碳产业发展")
    energy: Bool | None = Field(None, description="5.2 c) 能源结构调整、清洁低碳能源体系和节能降碳")
    resources: Bool | None = Field(None, description="5.2 d) 资源消耗与循环经济")
    environment: Bool | None = Field(None, description="5.2 e) 废水废气固废减排与环境质量")
    infrastructure: Bool | None = Field(None, description="5.2 f) 基础设施建设和运行效能")
    platforms_institutions: Bool | None = Field(None, description="5.2 g) 管理信息平台和制度基础")
    other: Bool | None = Field(None, description="5.2 h) 其他方面")


class Plan(_Model):
    exists: Bool = Field(description="a green low-carbon plan or implementation scheme exists")
    year: Year | None = None
    status_analysis: StatusAnalysis = Field(default_factory=StatusAnalysis)
    reachability_analysis: Bool | None = Field(None, description="the plan analyses whether its main targets "
                                                                 "are reachable (5.6)")
    targets: list[Target] | None = Field(None, description="the plan's indicator targets; left out: not "
                                                           "reported (unknown); []: the plan sets none")
    tasks: list[Task] | None = Field(None, description="the plan's tasks; left out: not reported (unknown); "
                                                       "[]: the plan sets none")

    @model_validator(mode="after")
    def _references(self):
        ids = [t.id for t in self.targets or []]
        if len(set(ids)) != len(ids):
            raise ValueError(f"targets: duplicate id(s) {sorted({i for i in ids if ids.count(i) > 1})[:3]}")
        tids = [t.id for t in self.tasks or []]
        if len(set(tids)) != len(tids):
            raise ValueError(f"tasks: duplicate id(s) {sorted({i for i in tids if tids.count(i) > 1})[:3]}")
        for task in self.tasks or [] if self.targets is not None else []:   # targets not reported: unchecked
            unknown = [t for t in task.targets if t not in ids]
            if unknown:
                raise ValueError(f"task {task.id}: targets {unknown} are not targets of the plan")
        return self


class Accounting(_Model):
    """Choices the standards leave open; each is stated in the result with its source."""

    natural_gas_coefficient: str | None = Field(None, description="option id of the natural-gas standard-coal "
                                                                  "coefficient in knowledge/coefficients.yaml "
                                                                  "(default: the knowledge default)")
    scope2: Literal["location_based", "market_based"] = Field(
        "location_based", description="which scope-2 figure the carbon indicators use; both are reported")


class Park(_Model):
    """A park's facts, as assessed."""

    schema_version: Int = Field(SCHEMA_VERSION, ge=SCHEMA_VERSION, le=SCHEMA_VERSION,
                                description="2: carriers left out are unknown (version 1 read them as 0)")
    profile: Profile
    years: list[YearData] = Field(min_length=1, description="yearly series, at least 3 years advised")
    enterprises: list[Enterprise] | None = Field(
        None, description="the park's enterprises; left out (or null): not reported, so every count and share "
                          "over them is unknown; []: the park reports it has none")
    infrastructure: Infrastructure = Field(default_factory=Infrastructure)
    smart_platform: SmartPlatform = Field(default_factory=SmartPlatform)
    management: Management = Field(default_factory=Management)
    circular: Circular = Field(default_factory=Circular)
    plan: Plan | None = Field(None, description="left out: whether a plan exists is not reported (unknown), "
                                                "not 'no plan' - that is `exists: false`")
    accounting: Accounting = Field(default_factory=Accounting)

    @model_validator(mode="after")
    def _unique_ids(self):
        years = [y.year for y in self.years]
        if len(set(years)) != len(years):
            raise ValueError("years: each year may appear once")
        ids = [e.id for e in self.enterprises or ()]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})[:3]
            raise ValueError(f"enterprises: duplicate id(s) {dup}")
        return self

    @property
    def latest(self) -> YearData:
        return max(self.years, key=lambda y: y.year)

    def sorted_years(self) -> list[YearData]:
        return sorted(self.years, key=lambda y: y.year)
