"""Words for the sheets and columns of a park workbook, Chinese and English.

Labels are looked up by the field's name (its last path part), then by its description; a field
with neither shows its path, so a field added to the model is never dropped for want of a label.
"""
from __future__ import annotations

__all__ = ["BOOL_WORDS", "NONE_WORDS", "FIELD_WORDS", "SHEET_WORDS", "choice_label", "field_label", "sheet_label"]

SHEET_WORDS: dict[str, tuple[str, str]] = {
    "profile": ("园区概况", "profile"),
    "profile.leading_industries": ("主导产业", "leading industries"),
    "years": ("年度数据", "years"),
    "enterprises": ("企业", "enterprises"),
    "infrastructure": ("基础设施", "infrastructure"),
    "infrastructure.wastewater_plants": ("污水处理厂", "wastewater plants"),
    "smart_platform": ("智慧平台", "smart platform"),
    "management": ("管理制度", "management"),
    "management.factors": ("排放因子", "emission factors"),
    "circular": ("循环经济", "circular economy"),
    "plan": ("规划", "plan"),
    "plan.targets": ("规划目标", "plan targets"),
    "plan.tasks": ("规划任务", "plan tasks"),
    "accounting": ("核算选择", "accounting"),
    "instructions": ("填表说明", "instructions"),
}

FIELD_WORDS: dict[str, tuple[str, str]] = {
    "schema_version": ("数据格式版本", "schema version"),
    "id": ("编号", "id"), "name": ("名称", "name"), "name_en": ("英文名称", "English name"),
    "level": ("园区级别", "park level"), "province": ("省份", "province"), "city": ("城市", "city"),
    "park_type": ("园区类型", "park type"), "has_management_body": ("设有专门管理机构", "has a dedicated management body"),
    "area": ("规划面积", "planned area"), "industrial_land_area": ("规划工业用地面积", "planned industrial land"),
    "established_year": ("设立年份", "year established"), "green_staff": ("绿色低碳专职人员", "green low-carbon staff"),
    "industry_code": ("行业代码（GB/T 4754）", "industry code (GB/T 4754)"),
    "output_share": ("产值占比", "share of output"),
    "year": ("年份", "year"),
    "verification": ("核实等级（V/C/U/D）", "verification (V/C/U/D)"),
    "gdp": ("地区生产总值", "GDP"), "industrial_output": ("工业总产值", "industrial output"),
    "industrial_value_added": ("工业增加值", "industrial value added"),
    "high_tech_output": ("高新技术产业产值", "high-tech industry output"),
    "two_high_output": ("“两高”行业产值", "output of 两高 industries"),
    "heavy_industry_output": ("重工业产值", "heavy-industry output"),
    "raw_material_output": ("原材料工业产值", "raw-material industry output"),
    "green_industry_value_added": ("绿色低碳产业增加值", "green low-carbon industry value added"),
    "green_rd_expenditure": ("绿色低碳技术研发经费", "green low-carbon R&D expenditure"),
    "employees": ("从业人员", "employees"),
    "purchased_electricity": ("外购电力", "purchased electricity"),
    "green_electricity": ("其中：绿色电力", "of which green electricity"),
    "onsite_renewable_generation": ("自发自用可再生能源电力", "self-consumed on-site renewable power"),
    "coal": ("原煤", "raw coal"), "coke": ("焦炭", "coke"), "natural_gas": ("天然气", "natural gas"),
    "fuel_oil": ("燃料油", "fuel oil"), "diesel": ("柴油", "diesel"), "gasoline": ("汽油", "gasoline"),
    "lpg": ("液化石油气", "LPG"), "purchased_heat": ("外购热力", "purchased heat"),
    "reported_total": ("园区统计综合能源消费量", "the park's own energy total"),
    "not_used": ("未使用的能源品种", "energy carriers not used"),
    "fresh_withdrawal": ("新鲜水取水量", "fresh water withdrawal"), "reused": ("重复利用水量", "reused water"),
    "reclaimed_used": ("再生水利用量", "reclaimed water used"), "wastewater_discharged": ("废水排放量", "wastewater discharged"),
    "general_generated": ("一般工业固体废物产生量", "general industrial solid waste generated"),
    "general_utilised": ("一般工业固体废物综合利用量", "general industrial solid waste utilised"),
    "hazardous_generated": ("危险废物产生量", "hazardous waste generated"),
    "hazardous_managed": ("危险废物利用处置量", "hazardous waste utilised or disposed of"),
    "cod": ("化学需氧量排放量", "COD discharged"), "ammonia_nitrogen": ("氨氮排放量", "ammonia nitrogen discharged"),
    "so2": ("二氧化硫排放量", "SO2 emitted"), "nox": ("氮氧化物排放量", "NOx emitted"),
    "vocs": ("挥发性有机物排放量", "VOCs emitted"), "particulates": ("颗粒物排放量", "particulates emitted"),
    "developed_land": ("已开发工业用地面积", "developed industrial land"),
    "air_quality_good_days": ("空气质量优良天数比例", "share of days with good air quality"),
    "waste_heat_recovery": ("余热资源回收利用率", "waste-heat recovery rate"),
    "major_env_incidents": ("重大环境事件数", "major environmental incidents"),
    "pv": ("光伏装机容量", "PV capacity"), "storage": ("新型储能容量", "new-type energy storage"),
    "sections": ("监测断面数", "monitored sections"),
    "sections_meeting_target": ("达标断面数", "sections meeting their target"),
    "energy_use": ("综合能源消费量", "energy use"), "output": ("产值", "output"),
    "key_energy_user": ("重点用能单位", "key energy user"), "above_scale": ("规模以上", "above designated size"),
    "exceeds_discharge_standard": ("超标排放", "exceeds discharge standard"),
    "exceeds_total_quota": ("超总量", "exceeds total-load quota"),
    "toxic_substances": ("使用或排放有毒有害物质", "toxic inputs or outputs"),
    "exceeds_energy_limit": ("超能耗限额", "exceeds energy-limit standard"),
    "cp_audit": ("清洁生产审核状态", "cleaner-production audit"), "cp_audit_year": ("清洁生产审核年份", "audit year"),
    "in_carbon_market": ("纳入全国碳市场", "in the national carbon market"), "green_factory": ("绿色工厂", "green factory"),
    "efficiency_benchmark_met": ("达到能效标杆水平", "meets the efficiency benchmark"),
    "backward_capacity": ("有淘汰类产能", "capacity on the elimination catalogue"),
    "direct_emissions": ("直接二氧化碳排放量", "direct CO2 emissions"),
    "vocs_key_emitter": ("VOCs重点排放企业", "VOCs key emitter"),
    "vocs_source_substitution": ("VOCs源头替代", "VOCs source substitution"),
    "hcfc_use": ("仍使用含氢氯氟烃", "still uses HCFCs"), "hcfc_phaseout_plan": ("HCFCs淘汰计划", "HCFC phase-out plan"),
    "fluorinated_gas_use": ("使用含氟特种气体", "uses fluorinated special gases"),
    "fluorinated_gas_abatement": ("含氟气体尾气处理", "fluorinated-gas exhaust abated"),
    "fluorinated_gas_amount": ("含氟特种气体年用量", "fluorinated special gases used"),
    "capacity": ("设计处理能力", "design capacity"), "load_rate": ("负荷率", "load rate"),
    "online_monitoring": ("在线监测", "online monitoring"), "solar_pv": ("光伏发电", "solar PV"),
    "shared": ("多企业共用", "shared by several enterprises"), "treated": ("年处理量", "treated in the year"),
    "electricity_use": ("年用电量", "electricity used"), "anaerobic_stage": ("厌氧或缺氧工段", "anaerobic or anoxic stage"),
    "ghg_control": ("甲烷和氧化亚氮控制", "methane and N2O controlled"),
    "sludge_generated": ("污泥产生量", "sludge generated"), "sludge_utilised": ("污泥综合利用量", "sludge utilised"),
    "central_heating": ("集中供热", "central heating"), "reclaimed_water_plant": ("再生水厂", "reclaimed-water plant"),
    "microgrid": ("绿色微电网", "green microgrid"), "charging_points": ("充电桩数量", "EV charging points"),
    "heat_pumps": ("热泵", "heat pumps"), "ecological_corridors": ("生态廊道", "ecological corridors"),
    "economic_monitoring": ("经济运行监测系统", "economic monitoring system"),
    "energy_monitoring": ("能耗监测系统", "energy monitoring system"),
    "safety_emergency": ("安全应急管理系统", "safety and emergency system"),
    "environmental_monitoring": ("环保监测系统", "environmental monitoring system"),
    "traffic_logistics": ("交通物流系统", "traffic and logistics system"),
    "human_resources": ("人力资源管理系统", "human resources system"),
    "integrated_services": ("综合服务系统", "integrated services system"),
    "ghg_inventory": ("园区温室气体排放清单", "park GHG inventory"),
    "emission_factor_library": ("排放因子库", "emission factor library"),
    "carbon_metering": ("碳排放计量体系", "carbon metering"),
    "permit_carbon_integration": ("排污许可与碳排放统筹管理", "permits and carbon managed together"),
    "env_disclosure": ("环境信息公开", "environmental disclosure"),
    "synergy_evaluation": ("减污降碳协同度评价", "pollution-carbon synergy evaluation"),
    "energy_management_centre": ("能源管控中心", "energy management centre"),
    "access_list_by_sector": ("分行业空间准入", "sector access list"),
    "entry_exit_list": ("产业准入及退出清单", "industry entry and exit list"),
    "digital_carbon_management": ("碳排放数字化管理", "digital carbon management"),
    "carrier": ("能源品种", "energy carrier"), "value": ("数值", "value"), "unit": ("单位", "unit"),
    "source": ("来源文件", "source document"),
    "symbiosis_links": ("产业共生链接数", "industrial-symbiosis links"),
    "remanufacturing": ("再制造", "remanufacturing"), "recycling_system": ("回收利用体系", "recycling system"),
    "exists": ("已编制规划或实施方案", "a plan exists"),
    "overall_development": ("现状分析：开发建设总体状况", "status analysis: overall development"),
    "green_industry": ("现状分析：绿色低碳产业", "status analysis: green industry"),
    "energy": ("现状分析：能源与节能降碳", "status analysis: energy"),
    "resources": ("现状分析：资源与循环经济", "status analysis: resources"),
    "environment": ("现状分析：减排与环境质量", "status analysis: environment"),
    "infrastructure": ("现状分析：基础设施", "status analysis: infrastructure"),
    "platforms_institutions": ("现状分析：平台和制度", "status analysis: platforms and institutions"),
    "other": ("现状分析：其他", "status analysis: other"),
    "reachability_analysis": ("目标可达性分析", "reachability analysis"),
    "title": ("标题", "title"), "indicator": ("指标编号", "indicator id"),
    "direction": ("方向", "direction"), "baseline_year": ("基准年", "baseline year"),
    "baseline_value": ("基准值", "baseline value"), "target_year": ("目标年", "target year"),
    "target_value": ("目标值", "target value"), "binding": ("约束性", "binding"),
    "status": ("状态", "status"), "quantified": ("可量化", "quantified"), "progress": ("进度", "progress"),
    "due_year": ("完成年份", "due year"), "targets": ("对应目标编号", "target ids"),
    "answers": ("回应的发现编号", "finding ids answered"),
    "natural_gas_coefficient": ("天然气折标系数选项", "natural-gas coefficient option"),
    "scope2": ("范围二口径", "scope-2 basis"),
}
# Paths whose last part alone is ambiguous
FIELD_WORDS_BY_PATH: dict[str, tuple[str, str]] = {
    "task.area": ("所属条款（6.2–6.11）", "guide clause (6.2-6.11)"),
}

CHOICE_WORDS: dict[str, tuple[str, str]] = {
    "national": ("国家级", "national"), "provincial": ("省级", "provincial"), "municipal": ("市级", "municipal"),
    "economic_technological": ("经济技术开发区", "economic and technological development zone"),
    "high_tech": ("高新技术产业开发区", "high-tech zone"), "chemical": ("化工园区", "chemical park"),
    "comprehensive": ("综合性工业园区", "comprehensive industrial park"),
    "industry_cluster": ("产业集聚区", "industrial cluster"),
    "none": ("未开展", "not started"), "planned": ("已计划", "planned"), "in_progress": ("进行中", "in progress"),
    "completed": ("已完成", "completed"), "done": ("已完成", "done"), "delayed": ("延期", "delayed"),
    "cancelled": ("已取消", "cancelled"), "decrease": ("下降", "decrease"), "increase": ("提高", "increase"),
    "reach": ("达到", "reach"), "location_based": ("基于位置", "location-based"),
    "market_based": ("基于市场", "market-based"), "other": ("其他", "other"),
}

BOOL_WORDS = {"zh": ("是", "否"), "en": ("yes", "no")}
# The one row of a nullable table (the enterprises) that says the list is reported empty, written in
# its first column; a blank sheet leaves the list unknown. Either word is read in either language.
NONE_WORDS = {"zh": "无", "en": "none"}


def sheet_label(key: str, lang: str) -> str:
    words = SHEET_WORDS.get(key)
    return (words[0] if lang == "zh" else words[1]) if words else key


def field_label(path: tuple[str, ...], lang: str, description: str = "") -> str:
    words = FIELD_WORDS.get(path[-1])
    if words:
        return words[0] if lang == "zh" else words[1]
    return description.split(";")[0] if description else ".".join(path)


def choice_label(value: str, lang: str) -> str:
    """The word for a closed value; values without one (province names, carriers) as they are."""
    words = CHOICE_WORDS.get(value)
    return (words[0] if lang == "zh" else words[1]) if words else value
