"""Words for the closed values of park facts, in both languages, so explanations never show a raw
enum (`decrease`, `in_progress`): a template writes `{t.direction:label}`. Also the words for units
(`UNIT_WORDS`, used by `{x.field:qty}`) and for the few descriptions the indicator code writes into
`missing`/`undefined` (`ENGINE_PHRASES`)."""
from __future__ import annotations

__all__ = ["VALUE_LABELS", "UNIT_WORDS", "UNIT_IN_ENGLISH", "ENGINE_PHRASES"]

VALUE_LABELS: dict[str, dict[str, str]] = {
    # target direction and pace
    "decrease": {"zh": "下降型", "en": "to decrease"},
    "increase": {"zh": "提高型", "en": "to increase"},
    "compound": {"zh": "年均复合变化率，%/年", "en": "compound, % a year"},
    "linear": {"zh": "年均变化量", "en": "linear, per year"},
    # the scope-2 basis of the carbon indicators (accounting.scope2)
    "location_based": {"zh": "基于位置的电网排放因子口径", "en": "location-based scope 2"},
    "market_based": {"zh": "市场法口径（扣除绿电）", "en": "market-based scope 2 (green power deducted)"},
    # clause 5.5.1 target dimensions
    "carbon": {"zh": "碳排放", "en": "carbon"},
    "energy": {"zh": "能源", "en": "energy"},
    "resource": {"zh": "资源", "en": "resources"},
    "environment": {"zh": "环境", "en": "environment"},
    "industry": {"zh": "产业", "en": "industry"},
    # park level and type
    "national": {"zh": "国家级", "en": "national"},
    "provincial": {"zh": "省级", "en": "provincial"},
    "municipal": {"zh": "市级", "en": "municipal"},
    "other": {"zh": "其他级别", "en": "other level"},
    "economic_technological": {"zh": "经济技术开发区", "en": "economic and technological development zone"},
    "high_tech": {"zh": "高新技术产业开发区", "en": "high-tech industrial development zone"},
    "chemical": {"zh": "化工园区", "en": "chemical park"},
    "comprehensive": {"zh": "综合性工业园区", "en": "comprehensive industrial park"},
    "industry_cluster": {"zh": "产业集聚区", "en": "industrial cluster"},
    # cleaner-production audit and task status
    "none": {"zh": "未开展", "en": "not started"},
    "planned": {"zh": "已计划", "en": "planned"},
    "in_progress": {"zh": "进行中", "en": "in progress"},
    "completed": {"zh": "已完成", "en": "completed"},
    "done": {"zh": "已完成", "en": "done"},
    "delayed": {"zh": "延期", "en": "delayed"},
    "cancelled": {"zh": "已取消", "en": "cancelled"},
    # the year of an emission factor a park gives without one (indicator factor_vintage)
    "undated": {"zh": "未注明", "en": "not stated"},
}

# Units (`engine.rules.numbers`: `{x.field:qty}` in explanations, and the dossier): the words for a
# canonical unit in each language. A unit not listed prints as written, m3 as m³ and km2 as km²
# (t, tce, tCO2, MWh, m³, kWh/m³ ...); `X/a` not listed prints as the words for X followed by "/年"
# or " a year". `pp` is the unit of a difference of percentages.
UNIT_WORDS: dict[str, dict[str, str]] = {
    "%": {"zh": "%", "en": "%"},
    "pp": {"zh": "个百分点", "en": "points"},
    "%/a": {"zh": "%/年", "en": "% a year"},
    "pp/a": {"zh": "个百分点/年", "en": "points a year"},
    "count": {"zh": "", "en": ""},
    "persons": {"zh": "人", "en": "persons"},
    "人": {"zh": "人", "en": "persons"},
    "enterprises": {"zh": "家", "en": "enterprises"},
    "sections": {"zh": "个", "en": "sections"},
    "个": {"zh": "个", "en": ""},
    "次": {"zh": "次", "en": "times"},
    "次/年": {"zh": "次/年", "en": "times a year"},
    "tce/万元": {"zh": "tce/万元", "en": "tce per 10,000 yuan"},
    "tCO2/万元": {"zh": "tCO2/万元", "en": "tCO2 per 10,000 yuan"},
    "m3/万元": {"zh": "m³/万元", "en": "m³ per 10,000 yuan"},
}

# A value in a unit starting with 万 or 亿 is written in English in the unit without it, the number
# multiplied (10.24 万元/tce is 102,400 yuan/tce; 17.6 亿元/km2 is 1.76 billion yuan/km²; 0.12 亿t
# is 12 Mt); the words of that unit, where they are not its plain spelling (元 is yuan):
UNIT_IN_ENGLISH: dict[str, str] = {
    "万元/人": "yuan per person",
}

# Descriptions the indicator code writes into `missing` and `undefined` that are not park-file
# paths, in words (`engine.rules.templates` renders them; a path stays a path).
ENGINE_PHRASES: dict[str, dict[str, str]] = {
    "enterprises subject to mandatory audit (none)": {"zh": "须强制性清洁生产审核的企业数",
                                                      "en": "enterprises subject to a mandatory audit"},
    "none listed": {"zh": "未列出任何一座", "en": "none listed"},
    "a % change from zero is undefined": {"zh": "从零起算的百分比变化无定义",
                                          "en": "a % change from zero is undefined"},
}
