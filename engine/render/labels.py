"""Words for statuses, kinds and severities in both languages."""
from __future__ import annotations

STATUS = {
    "zh": {"met": "达标", "not_met": "未达标", "insufficient_data": "数据不足", "not_applicable": "不适用",
           "problem": "问题", "recommended": "建议措施"},
    "en": {"met": "met", "not_met": "not met", "insufficient_data": "insufficient data",
           "not_applicable": "not applicable", "problem": "problem", "recommended": "recommended"},
}
KIND = {"zh": {"problem": "诊断问题", "compliance": "合规检查", "measure": "推荐措施"},
        "en": {"problem": "Diagnosed problems", "compliance": "Compliance findings", "measure": "Recommended measures"}}
SEVERITY = {"zh": {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "信息"},
            "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low", "info": "info"}}
HEAD = {"zh": {"park": "园区", "ruleset": "规则集", "digest": "摘要", "year": "评估年份", "summary": "汇总",
               "id": "编号", "clause": "条款", "status": "状态", "severity": "严重度", "title": "标题",
               "explanation": "说明", "co2": "二氧化碳排放 (范围1+2)", "energy": "综合能耗",
               "compliance_rate": "达标率", "decided": "已判定", "undecided": "数据不足",
               "profile": "基准配置", "inactive": "未适用的规则", "reason": "原因", "rule": "规则",
               "scope": "适用范围", "in_scope": "属于指南适用范围", "out_of_scope": "不属于指南适用范围，未作其他评价",
               "basis": "核算口径", "location_based": "电力间接排放按位置法", "market_based": "电力间接排放按市场法"},
        "en": {"park": "Park", "ruleset": "Ruleset", "digest": "digest", "year": "Year assessed",
               "summary": "Summary", "id": "ID", "clause": "Clause", "status": "Status", "severity": "Severity",
               "title": "Title", "explanation": "Explanation", "co2": "CO2 (scope 1+2)", "energy": "Energy use",
               "compliance_rate": "compliance rate", "decided": "decided", "undecided": "insufficient data",
               "profile": "profile", "inactive": "Rules not applied", "reason": "Reason", "rule": "Rule",
               "scope": "Scope", "in_scope": "within the guide's scope", "out_of_scope": "outside the guide's scope; "
               "nothing else assessed", "basis": "Accounting", "location_based": "scope 2 location-based",
               "market_based": "scope 2 market-based"}}
