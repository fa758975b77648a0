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

# Rows of the grouped views: the guide's phases (chapters 5, 6, 7, 8) and the task areas 6.2-6.11, in
# the ids `result["summary"]["categories"]` uses; "general" holds clauses 1-4 (scope, general provisions).
CATEGORY = {
    "general": {"zh": "1–4 范围与总则", "en": "1–4 Scope and general provisions"},
    "plan": {"zh": "5 规划", "en": "5 Plan"},
    "do": {"zh": "6 实施（概述）", "en": "6 Do (overview)"},
    "6.2": {"zh": "6.2 空间布局优化调整", "en": "6.2 Spatial layout"},
    "6.3": {"zh": "6.3 能源结构调整", "en": "6.3 Energy structure"},
    "6.4": {"zh": "6.4 产业结构调整", "en": "6.4 Industrial structure"},
    "6.5": {"zh": "6.5 绿色低碳科技创新转化", "en": "6.5 Technology innovation"},
    "6.6": {"zh": "6.6 企业绿色制造与清洁生产", "en": "6.6 Green manufacturing, cleaner production"},
    "6.7": {"zh": "6.7 园区循环化改造", "en": "6.7 Circular transformation"},
    "6.8": {"zh": "6.8 减污降碳协同治理", "en": "6.8 Pollution and carbon synergy"},
    "6.9": {"zh": "6.9 基础设施建设运行与共享", "en": "6.9 Infrastructure"},
    "6.10": {"zh": "6.10 智慧管理系统建设与运用", "en": "6.10 Smart management systems"},
    "6.11": {"zh": "6.11 管理体制与机制创新", "en": "6.11 Management institutions"},
    "check": {"zh": "7 检查", "en": "7 Check"},
    "act": {"zh": "8 改进", "en": "8 Act"},
}
VIEW = {"zh": {"issues": "存在的问题", "measures": "有关建议", "area": "领域", "findings": "检查发现", "see_also": "另见",
               "restates": "重述", "measures_for": "建议", "answers": "回应", "subjects": "对象", "rank_reason": "排序理由",
               "legal_basis": "法定依据", "magnitude": "量级", "enterprises": "企业", "targets": "目标", "tasks": "任务",
               "indicators": "指标", "conclusion": "结论", "to_collect": "需补充数据", "n_checks": "{n} 项检查",
               "n_items": "{n} 项", "more": "另 {n} 项", "coverage": "已判定 {decided}/{total} 项检查",
               "categories": "分类汇总", "category": "类别", "rate": "达标率",
               "rate_caption": "达标率 = 达标 ÷ 已判定；括号内为已判定/应判定的检查数", "col_met": "达标", "col_not_met": "未达标",
               "col_undecided": "数据不足", "col_problems": "问题", "col_measures": "措施", "measures_col": "建议措施",
               "file": "文件", "view": "视图", "only": "只列出", "not_listed": "未列出",
               "folded_note": "{n} 项重述列在所重述的条目下（另见）", "restated_apart": "（另有 {n} 项为重述）", "shared_rows": "同一规则的多项合为一行", "all_hint": "--all 逐项列出全部",
               "inactive_note": "未适用的规则 {n} 条（--all 列出原因）", "data_checks": "数据齐备检查 {n}（另计）"},
        "en": {"issues": "Problems and unmet checks", "measures": "Recommended measures", "area": "Area",
               "findings": "Findings", "see_also": "see also", "restates": "restates", "measures_for": "measures",
               "answers": "answers", "subjects": "for", "rank_reason": "why this rank",
               "legal_basis": "legal basis", "magnitude": "magnitude", "enterprises": "enterprises",
               "targets": "targets", "tasks": "tasks", "indicators": "indicators", "conclusion": "Conclusion",
               "to_collect": "Data to collect", "n_checks": "{n} checks", "n_items": "{n}", "more": "{n} more",
               "coverage": "{decided}/{total} checks decided", "categories": "By category", "category": "Category",
               "rate": "rate", "rate_caption": "rate = met ÷ decided; in brackets: checks decided/total",
               "col_met": "met", "col_not_met": "not met", "col_undecided": "undecided",
               "col_problems": "problems", "col_measures": "measures", "measures_col": "Measures", "file": "File",
               "view": "View", "only": "only", "not_listed": "not listed",
               "folded_note": "{n} restatements listed under the finding they restate (see also)",
               "restated_apart": " ({n} more restate a verdict)",
               "shared_rows": "findings of one rule share a row",
               "all_hint": "--all lists every finding on its own row",
               "inactive_note": "{n} rules not applied (--all lists why)",
               "data_checks": "{n} data-completeness checks (counted apart)"}}
# English wording for a count of one, where VIEW["en"] says "{n} checks" and the like.
VIEW_ONE_EN = {"n_checks": "{n} check", "data_checks": "{n} data-completeness check (counted apart)", "inactive_note": "{n} rule not applied (--all lists why)",
               "folded_note": "{n} restatement listed under the finding it restates (see also)",
               "restated_apart": " ({n} more restates a verdict)"}
# English words for a count of several of a status, where the status word alone would not do
# ("3 problems", not "3 problem"); the other status words read as they are after any number.
STATUS_MANY_EN = {"problem": "problems"}
