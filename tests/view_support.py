"""A small hand-made assessment result for exact-output tests of the views, with or without the
result additions of issue 10 (`folded_into`, `rank_reason`, `answers_subjects`, the summary's
`conclusion`, `to_collect` and `categories`), and a counter of table rows in rendered output."""
from __future__ import annotations


def finding(fid, kind, status, clauses, title_zh, title_en, expl_zh, expl_en, severity="medium", **extra):
    return {"id": fid, "rule": fid.split("@")[0], "kind": kind, "status": status, "severity": severity,
            "clauses": clauses, "title": {"zh": title_zh, "en": title_en},
            "explanation": {"zh": expl_zh, "en": expl_en}, "related": [], **extra}

def result(contract=True):
    c1 = finding("PC-C-001@ind:renewable_share", "compliance", "not_met", ["7.3", "6.3"], "可再生能源占比达到基准",
                 "Renewable share meets the benchmark", "可再生能源占比 0.2%，低于基准 15%。",
                 "Renewable share 0.2%, below the 15% benchmark.", "high", related=["PC-M-001"])
    p1 = finding("IM-P-005@PC-C-001@ind:renewable_share", "problem", "problem", ["7.4"], "关键指标未达标，需诊断原因",
                 "A key indicator misses its benchmark; diagnose why", "应按第7.4条诊断原因。",
                 "Diagnose why under clause 7.4.", related=["IM-M-003"])
    k2 = finding("PL-C-004@task:K02", "compliance", "not_met", ["5.6"], "每项任务可量化", "Each task is quantified",
                 "任务 K02 没有可量化的产出。", "Task K02 has no measurable output.", related=["PL-M-007"])
    k4 = finding("PL-C-004@task:K04", "compliance", "not_met", ["5.6"], "每项任务可量化", "Each task is quantified",
                 "任务 K04 没有可量化的产出。", "Task K04 has no measurable output.", related=["PL-M-007"])
    met = [finding(f"PL-C-004@task:K0{i}", "compliance", "met", ["5.6"], "每项任务可量化", "Each task is quantified",
                   f"任务 K0{i} 可量化。", f"Task K0{i} is quantified.", "info") for i in (1, 3)]
    gap = finding("PC-C-009@ind:hazardous_waste_managed", "compliance", "insufficient_data", ["7.3", "6.8"],
                  "危险废物规范处置利用率达到基准", "Hazardous waste properly managed",
                  "无法计算：请补充 years[2].solid_waste.hazardous_managed。",
                  "Cannot compute: collect years[2].solid_waste.hazardous_managed.",
                  missing=["years[2].solid_waste.hazardous_managed"])
    m1 = finding("PC-M-001", "measure", "recommended", ["6.3"], "就近开发利用可再生能源", "Use local renewables",
                 "发展分布式光伏。", "Build distributed PV.", "high", rank=1, related=[c1["id"]])
    m2 = finding("PL-M-007", "measure", "recommended", ["5.5", "5.6"], "编制含量化目标的规划", "Plan with quantified targets",
                 "为每项任务明确量化产出。", "Give every task a measurable output.", rank=2, related=[k2["id"], k4["id"]])
    m3 = finding("IM-M-003", "measure", "recommended", ["8"], "依据诊断修订规划", "Revise the plan on the diagnosis",
                 "修订任务和措施。", "Revise tasks and measures.", rank=3, related=[p1["id"]])
    findings = [p1, c1, k2, k4, *met, gap, m1, m2, m3]
    summary = {"findings": len(findings), "by_status": {"insufficient_data": 1, "met": 2, "not_met": 3, "problem": 1,
                                                          "recommended": 3},
               "compliance_rate": 40.0, "decided": 5, "undecided": 1}
    if contract:
        p1["folded_into"] = c1["id"]
        m1["rank_reason"] = {"zh": "化石能源消费 1967万 tCO₂。", "en": "Fossil energy use, 19.7 MtCO₂."}
        m1["answers_subjects"] = {"enterprises": [], "targets": [], "tasks": [], "indicators": ["renewable_share"]}
        m2["answers_subjects"] = {"enterprises": [], "targets": [], "tasks": ["task:K02", "task:K04"], "indicators": []}
        summary.update(conclusion={"zh": "5 项已判定检查中 2 项达标。", "en": "2 of 5 decided checks are met."},
                       to_collect=[{"path": "years[2].solid_waste.hazardous_managed", "findings": [gap["id"]]}],
                       categories=[
                           {"group": "phase", "id": "plan", "label": {"zh": "规划", "en": "Plan"}, "met": 2,
                            "not_met": 2, "undecided": 0, "not_applicable": 0, "problems": 0, "measures": 1,
                            "decided": 4, "total": 4, "rate": 50.0},
                           {"group": "area", "id": "6.3", "label": {"zh": "能源结构调整", "en": "Energy"}, "met": 0,
                            "not_met": 1, "undecided": 0, "not_applicable": 0, "problems": 0, "measures": 1,
                            "decided": 1, "total": 1, "rate": 0.0},
                           {"group": "area", "id": "6.4", "label": {"zh": "产业结构调整", "en": "Industry"}, "met": 0,
                            "not_met": 0, "undecided": 0, "not_applicable": 0, "problems": 0, "measures": 0,
                            "decided": 0, "total": 0, "rate": None}])
    return {"park_id": "demo", "park_name": "示例园区", "year": 2024,
            "ruleset": {"name": "greenpark", "versions": {"ruleset": "1.0.0"}, "profile": "default",
                        "digest": "0123456789abcdef"},
            "scope": {"in_scope": True}, "accounting": {"scope2": {"basis": "location_based"}},
            "derived": {"2024": {"co2_total": {"value": 1234567.8}, "energy_total_tce": {"value": 45678.9}}},
            "summary": summary, "inactive": [{"rule": "IM-C-008", "title": {"zh": "单位能耗", "en": "Energy"},
                                              "reason": {"zh": "未设基准", "en": "no benchmark"}}],
            "findings": findings}


def table_rows(text: str) -> dict[str, int]:
    """Rows of each table drawn with lines between rows (show_lines), by the title above it.

    A table starts at a line beginning with `┏`, its header ends at `┡`, its rows are separated by
    lines beginning with `├` and it ends at `└`: rows = separators + 1. Tables drawn without lines
    between rows (the category counts, one line per row at a wide console) are counted by their
    body lines, minus section separators, under their title prefixed with `lines:`.
    """
    lines = text.splitlines()
    out: dict[str, int] = {}
    for i, line in enumerate(lines):
        if not line.startswith("┏"):
            continue
        title = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        j = next(k for k in range(i, len(lines)) if lines[k].startswith("┡"))
        end = next(k for k in range(j, len(lines)) if lines[k].startswith("└"))
        body = lines[j + 1:end]
        separators = sum(1 for b in body if b.startswith("├"))
        out[title] = separators + 1
        out[f"lines:{title}"] = len(body) - separators
    return out
