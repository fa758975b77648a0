"""The views of an assessment (engine/render): exact output on a fixed-width console for the new
view elements, the selection behind them (filter, folding, rows per rule and per category), and the
same views on a result without the issue-10 additions."""
from __future__ import annotations

import io

import pytest
from rich.console import Console

from engine.render.category_table import CategoryTable
from engine.render.finding_table import FindingTable
from engine.render.issue_table import IssueTable
from engine.render.markdown import render_markdown
from engine.render.measure_table import MeasureTable
from engine.render.selection import Selection, ViewOptions, category_of, filter_result, subjects_of, to_collect
from engine.render.summary_panel import SummaryPanel
from engine.render.table import AssessmentView
from view_support import finding, result


def render(renderable) -> str:
    console = Console(file=io.StringIO(), width=64, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue()


SUMMARY_EN = (
    '╭────────────────────────── Summary ───────────────────────────╮\n'
    '│ File: parks/demo.yaml                                        │\n'
    '│ 示例园区  (demo)                                             │\n'
    '│ Ruleset: greenpark 1.0.0  profile: default  digest           │\n'
    '│ 0123456789ab   Year assessed: 2024                           │\n'
    "│ Scope: within the guide's scope                              │\n"
    '│ Energy use: 45.68 ktce   CO2 (scope 1+2): 1.235 MtCO2 (scope │\n'
    '│ 2 location-based)                                            │\n'
    '│ Conclusion: 2 of 5 decided checks are met.                   │\n'
    '│ Compliance rate 40.0% (5/6 checks decided)                   │\n'
    '│ 3 not met  1 problem  1 insufficient data  3 recommended  2  │\n'
    '│ met                                                          │\n'
    '│ Data to collect (1): years[2].solid_waste.hazardous_managed  │\n'
    '│ (1 check)                                                    │\n'
    '│ 1 rule not applied (--all lists why): IM-C-008               │\n'
    '│ View: not listed: 2 met; 1 restatement listed under the      │\n'
    '│ finding it restates (see also); findings of one rule share a │\n'
    '│ row. --all lists every finding on its own row                │\n'
    '╰──────────────────────────────────────────────────────────────╯\n'
)

CATEGORIES_ZH = (
    '                            分类汇总                            \n'
    '┏━━━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━┳━━━━━━┓\n'
    '┃ 类别     ┃ 达标 ┃ 未达标 ┃ 数据不足 ┃   达标率 ┃ 问题 ┃ 措施 ┃\n'
    '┡━━━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━╇━━━━━━┩\n'
    '│ 5 规划   │    2 │      2 │        0 │    50.0% │    0 │    1 │\n'
    '│          │      │        │          │    (4/4) │      │      │\n'
    '├──────────┼──────┼────────┼──────────┼──────────┼──────┼──────┤\n'
    '│ 6.3      │    0 │      1 │        0 │     0.0% │    0 │    1 │\n'
    '│ 能源结构 │      │        │          │    (1/1) │      │      │\n'
    '│ 调整     │      │        │          │          │      │      │\n'
    '└──────────┴──────┴────────┴──────────┴──────────┴──────┴──────┘\n'
    '     达标率 = 达标 ÷ 已判定；括号内为已判定/应判定的检查数      \n'
)

ISSUES_EN = (
    '                 Problems and unmet checks (4)                  \n'
    '┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n'
    '┃ Area      ┃ Findings                                         ┃\n'
    '┡━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n'
    '│ 5 Plan    │ not met ×2 PL-C-004  Each task is quantified     │\n'
    '│ not met 2 │            (5.6 · medium)                        │\n'
    '│           │            PL-C-004@task:K02                     │\n'
    '│           │            Task K02 has no measurable output.    │\n'
    '│           │            PL-C-004@task:K04                     │\n'
    '│           │            Task K04 has no measurable output.    │\n'
    '│           │            → measures #2 PL-M-007                │\n'
    '├───────────┼──────────────────────────────────────────────────┤\n'
    '│ 6.3       │ not met PC-C-001@ind:renewable_share  Renewable  │\n'
    '│ Energy    │         share meets the benchmark  (7.3, 6.3 ·   │\n'
    '│ structure │         high)                                    │\n'
    '│ not met 1 │         Renewable share 0.2%, below the 15%      │\n'
    '│           │         benchmark.                               │\n'
    '│           │         see also: 7.4 A key indicator misses its │\n'
    '│           │         benchmark; diagnose why                  │\n'
    '│           │         (IM-P-005@PC-C-001@ind:renewable_share)  │\n'
    '│           │         → measures #1 PC-M-001                   │\n'
    '├───────────┼──────────────────────────────────────────────────┤\n'
    '│ 6.8       │ insufficient data PC-C-009@ind:hazardous_waste_m │\n'
    '│ Pollution │                   anaged  Hazardous waste        │\n'
    '│ and       │                   properly managed  (7.3, 6.8 ·  │\n'
    '│ carbon    │                   medium)                        │\n'
    '│ synergy   │                   Cannot compute: collect        │\n'
    '│ insuffici │                   years[2].solid_waste.hazardous │\n'
    '│ ent data  │                   _managed.                      │\n'
    '│ 1         │                                                  │\n'
    '└───────────┴──────────────────────────────────────────────────┘\n'
)

MEASURES_ZH = (
    '                          有关建议 (3)                          \n'
    '┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n'
    '┃ 领域      ┃ 建议措施                                         ┃\n'
    '┡━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n'
    '│ 6.3       │ #1 PC-M-001  就近开发利用可再生能源  (6.3 · 高)  │\n'
    '│ 能源结构  │    发展分布式光伏。                              │\n'
    '│ 调整      │    排序理由：化石能源消费 1967万 tCO₂。          │\n'
    '│ 措施 1    │    回应：PC-C-001 可再生能源占比达到基准         │\n'
    '│           │    对象：指标 renewable_share                    │\n'
    '├───────────┼──────────────────────────────────────────────────┤\n'
    '│ 5 规划    │ #2 PL-M-007  编制含量化目标的规划  (5.5, 5.6 ·   │\n'
    '│ 措施 1    │    中)                                           │\n'
    '│           │    为每项任务明确量化产出。                      │\n'
    '│           │    回应：PL-C-004 ×2 每项任务可量化              │\n'
    '│           │    对象：任务 K02、K04                           │\n'
    '├───────────┼──────────────────────────────────────────────────┤\n'
    '│ 8 改进    │ #3 IM-M-003  依据诊断修订规划  (8 · 中)          │\n'
    '│ 措施 1    │    修订任务和措施。                              │\n'
    '│           │    回应：IM-P-005 关键指标未达标，需诊断原因     │\n'
    '│           │    对象：指标 renewable_share                    │\n'
    '└───────────┴──────────────────────────────────────────────────┘\n'
)

ONLY_NOT_MET_AND_MET_EN = (
    '                          Findings (5)                          \n'
    '┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n'
    '┃ Area      ┃ Findings                                         ┃\n'
    '┡━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n'
    '│ 5 Plan    │ not met ×2 PL-C-004  Each task is quantified     │\n'
    '│ not met 2 │            (5.6 · medium)                        │\n'
    '│ · met 2   │            PL-C-004@task:K02                     │\n'
    '│           │            Task K02 has no measurable output.    │\n'
    '│           │            PL-C-004@task:K04                     │\n'
    '│           │            Task K04 has no measurable output.    │\n'
    '│           │            → measures #2 PL-M-007                │\n'
    '│           │                                                  │\n'
    '│           │ met ×2     PL-C-004  Each task is quantified     │\n'
    '│           │            (5.6 · info)                          │\n'
    '│           │            PL-C-004@task:K01, PL-C-004@task:K03  │\n'
    '├───────────┼──────────────────────────────────────────────────┤\n'
    '│ 6.3       │ not met PC-C-001@ind:renewable_share  Renewable  │\n'
    '│ Energy    │         share meets the benchmark  (7.3, 6.3 ·   │\n'
    '│ structure │         high)                                    │\n'
    '│ not met 1 │         Renewable share 0.2%, below the 15%      │\n'
    '│           │         benchmark.                               │\n'
    '│           │         → measures #1 PC-M-001                   │\n'
    '└───────────┴──────────────────────────────────────────────────┘\n'
)

ALL_PROBLEMS_EN = (
    '                     Diagnosed problems (1)                     \n'
    '┏━━━━━━━━━━━┳━━━━━━┳━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n'
    '┃ ID        ┃ Cla… ┃ Sta… ┃ Se… ┃ Explanation                  ┃\n'
    '┡━━━━━━━━━━━╇━━━━━━╇━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n'
    '│ IM-P-005@ │ 7.4  │ pro… │ me… │ A key indicator misses its   │\n'
    '│ PC-C-001@ │      │      │     │ benchmark; diagnose why      │\n'
    '│ ind:renew │      │      │     │ Diagnose why under clause    │\n'
    '│ able_shar │      │      │     │ 7.4.                         │\n'
    '│ e         │      │      │     │ restates:                    │\n'
    '│           │      │      │     │ PC-C-001@ind:renewable_share │\n'
    '└───────────┴──────┴──────┴─────┴──────────────────────────────┘\n'
)

MARKDOWN_ZH = (
    '# 园区: 示例园区 (`demo`)\n'
    '\n'
    '- 规则集: greenpark ruleset 1.0.0 (摘要 `0123456789ab`)\n'
    '- 基准配置: default\n'
    '- 评估年份: 2024\n'
    '- 适用范围: 属于指南适用范围\n'
    '- 核算口径: 电力间接排放按位置法\n'
    '- **结论**：5 项已判定检查中 2 项达标。\n'
    '- 达标率 40.0%（已判定 5/6 项检查）\n'
    '- 未达标 3  问题 1  数据不足 1  建议措施 3  达标 2\n'
    '- 需补充数据（1 项）：years[2].solid_waste.hazardous_managed（1 项检查）\n'
    '- 未适用的规则 1 条（--all 列出原因）：IM-C-008\n'
    '- *视图：未列出 达标 2；1 项重述列在所重述的条目下（另见）；同一规则的多项合为一行。--all 逐项列出全部*\n'
    '\n'
    '## 分类汇总\n'
    '\n'
    '| 类别 | 达标 | 未达标 | 数据不足 | 达标率 | 问题 | 措施 |\n'
    '|---|--:|--:|--:|--:|--:|--:|\n'
    '| 5 规划 | 2 | 2 | 0 | 50.0% (4/4) | 0 | 1 |\n'
    '| 6.3 能源结构调整 | 0 | 1 | 0 | 0.0% (1/1) | 0 | 1 |\n'
    '\n'
    '*达标率 = 达标 ÷ 已判定；括号内为已判定/应判定的检查数*\n'
    '\n'
    '## 存在的问题 (4)\n'
    '\n'
    '### 5 规划 — 未达标 2\n'
    '\n'
    '- **未达标 ×2** `PL-C-004` 每项任务可量化 (5.6 · 中)\n'
    '  - `PL-C-004@task:K02`：任务 K02 没有可量化的产出。\n'
    '  - `PL-C-004@task:K04`：任务 K04 没有可量化的产出。\n'
    '  - → 建议 #2 `PL-M-007`\n'
    '\n'
    '### 6.3 能源结构调整 — 未达标 1\n'
    '\n'
    '- **未达标** `PC-C-001@ind:renewable_share` 可再生能源占比达到基准 (7.3, 6.3 · 高)：可再生能源占比 0.2%，低于基准 15%。\n'
    '  - 另见：7.4 关键指标未达标，需诊断原因 (`IM-P-005@PC-C-001@ind:renewable_share`)\n'
    '  - → 建议 #1 `PC-M-001`\n'
    '\n'
    '### 6.8 减污降碳协同治理 — 数据不足 1\n'
    '\n'
    '- **数据不足** `PC-C-009@ind:hazardous_waste_managed` 危险废物规范处置利用率达到基准 (7.3, 6.8 · 中)：无法计算：请补充 years[2].solid_waste.hazardous_managed。\n'
    '\n'
    '## 有关建议 (3)\n'
    '\n'
    '### 6.3 能源结构调整\n'
    '\n'
    '- **#1** `PC-M-001` 就近开发利用可再生能源 (6.3 · 高)：发展分布式光伏。\n'
    '  - 排序理由：化石能源消费 1967万 tCO₂。\n'
    '  - 回应：PC-C-001 可再生能源占比达到基准\n'
    '  - 对象：指标 renewable_share\n'
    '\n'
    '### 5 规划\n'
    '\n'
    '- **#2** `PL-M-007` 编制含量化目标的规划 (5.5, 5.6 · 中)：为每项任务明确量化产出。\n'
    '  - 回应：PL-C-004 ×2 每项任务可量化\n'
    '  - 对象：任务 K02、K04\n'
    '\n'
    '### 8 改进\n'
    '\n'
    '- **#3** `IM-M-003` 依据诊断修订规划 (8 · 中)：修订任务和措施。\n'
    '  - 回应：IM-P-005 关键指标未达标，需诊断原因\n'
    '  - 对象：指标 renewable_share\n'
)


def test_summary_panel_shows_conclusion_rate_with_coverage_data_to_collect_and_what_the_view_leaves_out():
    r = result()
    assert render(SummaryPanel(r, lang="en", selection=Selection(r), source="parks/demo.yaml")) == SUMMARY_EN


def test_category_table_shows_rate_with_coverage_and_skips_empty_categories():
    assert render(CategoryTable(result()["summary"]["categories"], lang="zh")) == CATEGORIES_ZH


def test_issue_table_groups_by_area_shares_a_row_per_rule_and_lists_restatements_under_their_finding():
    assert render(IssueTable(Selection(result()), lang="en")) == ISSUES_EN


def test_measure_table_shows_rank_reason_answers_and_subjects():
    assert render(MeasureTable(Selection(result()), lang="zh")) == MEASURES_ZH


def test_met_findings_of_one_rule_collapse_to_a_count_when_listed():
    view = ViewOptions.parse("not_met,met")
    assert render(IssueTable(Selection(result(contract=False), view), lang="en")) == ONLY_NOT_MET_AND_MET_EN


def test_all_lists_a_restatement_on_its_own_row_naming_what_it_restates():
    r = result()
    assert render(FindingTable(Selection(r, ViewOptions(everything=True)), "problem", lang="en")) == ALL_PROBLEMS_EN


def test_markdown_default_view():
    assert render_markdown(result(), lang="zh") == MARKDOWN_ZH


def test_markdown_all_is_one_table_per_kind_with_every_finding():
    md = render_markdown(result(), lang="en", view=ViewOptions(everything=True))
    assert "## Diagnosed problems (1)" in md and "## Compliance findings (6)" in md and "## Recommended measures (3)" in md
    assert "| `IM-P-005@PC-C-001@ind:renewable_share` |" in md and "(restates: PC-C-001@ind:renewable_share)" in md
    assert "| `PC-M-001` | 6.3 | recommended #1 | high |" in md and "## Rules not applied (1)" in md


@pytest.mark.parametrize("contract", [True, False])
def test_every_view_renders_with_and_without_the_result_additions(contract):
    r = result(contract)
    for lang in ("zh", "en"):
        for view in (None, ViewOptions(everything=True), ViewOptions.parse("measure")):
            text = render(AssessmentView(r, lang=lang, view=view)) + render_markdown(r, lang=lang, view=view)
            assert "PC-M-001" in text


def test_without_the_additions_subjects_and_data_to_collect_are_read_from_the_findings():
    r = result(contract=False)
    m2 = next(f for f in r["findings"] if f["id"] == "PL-M-007")
    assert subjects_of(m2) == {"enterprises": [], "targets": [], "tasks": ["task:K02", "task:K04"], "indicators": []}
    assert to_collect(r) == [{"path": "years[2].solid_waste.hazardous_managed",
                              "findings": ["PC-C-009@ind:hazardous_waste_managed"]}]
    assert "Data to collect (1)" in render(SummaryPanel(r, lang="en"))
    assert "see also" not in render(IssueTable(Selection(r), lang="en"))   # nothing folded: the problem has its row


def test_default_view_hides_met_and_folds_restatements():
    sel = Selection(result())
    assert sel.hidden == {"met": 2}
    assert sel.folded == {"PC-C-001@ind:renewable_share": [sel.by_id["IM-P-005@PC-C-001@ind:renewable_share"]]}
    assert [g.category for g in sel.issue_groups()] == ["plan", "6.3", "6.8"]
    assert [g.category for g in sel.measure_groups()] == ["6.3", "plan", "act"]


def test_a_restatement_whose_finding_is_not_listed_gets_its_own_row():
    sel = Selection(result(), ViewOptions.parse("problem"))
    assert not sel.folded and [f["id"] for f in sel.shown] == ["IM-P-005@PC-C-001@ind:renewable_share"]


def test_a_chain_of_restatements_lands_under_the_furthest_listed_finding():
    r = result()
    extra = finding("IM-P-099@x", "problem", "problem", ["7.4"], "再重述", "restates a restatement", "…", "…",
                    folded_into="IM-P-005@PC-C-001@ind:renewable_share")
    r["findings"].append(extra)
    sel = Selection(r)
    assert [f["id"] for f in sel.folded["PC-C-001@ind:renewable_share"]] == [
        "IM-P-005@PC-C-001@ind:renewable_share", "IM-P-099@x"]


def test_all_lists_everything_unfolded():
    sel = Selection(result(), ViewOptions(everything=True))
    assert len(sel.shown) == 10 and not sel.folded and not sel.hidden


@pytest.mark.parametrize("only,hide_met,everything,error", [
    ("not_met,bogus", False, False, "got 'bogus'"),
    (",", False, False, "got nothing"),
    (None, True, True, "--all and --hide-met"),
])
def test_view_options_refuse_unknown_words_and_contradictions(only, hide_met, everything, error):
    with pytest.raises(ValueError, match=error):
        ViewOptions.parse(only, hide_met=hide_met, everything=everything)


def test_only_takes_statuses_and_kinds_and_hide_met_removes_met_from_it():
    r = result()
    assert {f["status"] for f in Selection(r, ViewOptions.parse("compliance")).shown} == {
        "not_met", "met", "insufficient_data"}
    assert {f["status"] for f in Selection(r, ViewOptions.parse("compliance", hide_met=True)).shown} == {
        "not_met", "insufficient_data"}
    filtered = filter_result(r, frozenset({"measure"}))
    assert filtered["only"] == ["measure"] and len(filtered["findings"]) == 3
    assert filtered["summary"] is r["summary"] and len(r["findings"]) == 10


def test_category_of_a_finding():
    assert category_of(["7.3", "6.3"]) == "6.3" and category_of(["5.3m", "6.10"]) == "6.10"
    assert category_of(["6.1"]) == "do" and category_of(["7.4"]) == "check" and category_of(["8"]) == "act"
    assert category_of(["1"]) == "general" and category_of([]) == "general"


def test_status_line_counts_problems_as_the_conclusion_does_with_restatements_apart():
    from engine.render.summary_text import status_line
    s = {"by_status": {"not_met": 40, "problem": 40, "recommended": 39, "met": 54}, "folded": 19}
    assert status_line(s, "zh") == "未达标 40  问题 21（另有 19 项为重述）  建议措施 39  达标 54"
    assert status_line(s, "en").split("  ")[1] == "21 problems (19 more restate a verdict)"
    assert status_line({**s, "folded": 1}, "en").split("  ")[1] == "39 problems (1 more restates a verdict)"
    assert status_line({**s, "folded": 39}, "en").split("  ")[1] == "1 problem (39 more restate a verdict)"
    assert status_line({**s, "folded": 0}, "zh").split("  ")[1] == "问题 40"
    assert status_line({**s, "folded": 0}, "en").split("  ")[1] == "40 problems"
