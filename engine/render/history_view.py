"""A park's history for people (`greenpark history -f table|markdown`): the cycles with their summary,
the key indicators cycle by cycle, and each finding's lifecycle (engine/cycles/history.py).

Three tables, built once as rows of text (`history_tables`) and drawn as rich tables
(`HistoryView`) or Markdown (`history_markdown`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..cycles.lifecycle import STATE_LABELS
from ..summary import requirement_counts
from .dossier.numfmt import quantity
from .labels import STATUS, VIEW, VIEW_ONE_EN

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["HistoryView", "history_markdown", "history_tables"]

_WORDS = {
    "zh": {"title": "园区评估历史", "cycles": "评估周期", "n": "周期", "decision": "决策编号", "date": "日期",
           "year": "数据年份", "ruleset": "规则集", "rate": "达标率（已判定/应判定）", "not_met": "未达标",
           "problems": "问题", "measures": "措施", "indicators": "关键指标", "indicator": "指标",
           "lifecycle": "检查发现的闭环状态", "finding": "检查发现", "regressions": "复发次数",
           "none": "—", "absent": "未出现", "undecided": "（本期未判定）", "tasks": "任务", "task": "任务", "latest": "最近一期结论",
           "unmatched": "任务回应的检查发现在各期结果中均未出现", "empty": "没有需要跟踪的检查发现。"},
    "en": {"title": "Park assessment history", "cycles": "Cycles", "n": "Cycle", "decision": "Decision",
           "date": "Date", "year": "Data year", "ruleset": "Ruleset", "rate": "Compliance rate (decided/applicable)",
           "not_met": "Not met", "problems": "Problems", "measures": "Measures", "indicators": "Key indicators",
           "indicator": "Indicator", "lifecycle": "Lifecycle of findings", "finding": "Finding",
           "regressions": "Regressions", "none": "—", "absent": "absent", "undecided": " (no verdict this cycle)",
           "tasks": "tasks", "task": "Task", "latest": "Latest conclusion",
           "unmatched": "Task answers naming no finding of any cycle", "empty": "No finding to follow."},
}


def history_tables(h: dict, lang: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, header, rows) of the three tables: cycles, key indicators, lifecycle."""
    w = _WORDS[lang]
    cycles = h["cycles"]
    rows = []
    for i, c in enumerate(cycles, 1):
        s = c["summary"]
        applicable = (s["decided"] or 0) + (s["undecided"] or 0)
        rate = f"{quantity(s['compliance_rate'], '%', lang)} ({s['decided']}/{applicable})"
        st, kind = s["by_status"], s["by_kind"]
        rows.append([str(i), c["decision_id"], c["created_at"][:10], str(c["year"]), c["ruleset"]["version"], rate,
                     str(requirement_counts(s)["not_met"]), _problems(st.get("problem", 0), s.get("folded") or 0, lang),
                     str(kind.get("measure", 0))])
    years = [f"{i} · {c['year']}" for i, c in enumerate(cycles, 1)]
    indicators = [[k["name"][lang]] + [quantity(c["key_indicators"][j]["value"], c["key_indicators"][j]["unit"], lang)
                                       for c in cycles]
                  for j, k in enumerate(cycles[-1]["key_indicators"]) if all(len(c["key_indicators"]) > j for c in cycles)]
    life = [[_finding_words(f, lang)] + [_state(s, lang) for s in f["states"]] + [str(f["regressions"])]
            for f in h["lifecycle"]["findings"]]
    return [(w["cycles"], [w["n"], w["decision"], w["date"], w["year"], w["ruleset"], w["rate"], w["not_met"],
                           w["problems"], w["measures"]], rows),
            (w["indicators"], [w["indicator"], *years], indicators),
            (w["lifecycle"], [w["finding"], *years, w["regressions"]], life)]


def _finding_words(f: dict, lang: str) -> str:
    """A followed finding as the dossier names it: its title and, in brackets, what it is about."""
    subject = (f.get("subject") or {}).get(lang)
    if not subject:
        return f["title"][lang]
    return f"{f['title'][lang]}（{subject}）" if lang == "zh" else f"{f['title'][lang]} ({subject})"


def _problems(n: int, folded: int, lang: str) -> str:
    """Problems as the conclusion counts them (restatements folded into a verdict apart):
    `3（另有 2 项为重述）` / `3 (2 more restate a verdict)`."""
    if not folded:
        return str(n)
    words = VIEW_ONE_EN if lang == "en" and folded == 1 else VIEW[lang]
    return str(n - folded) + words["restated_apart"].format(n=folded)


def _state(s: dict, lang: str) -> str:
    w = _WORDS[lang]
    if s["state"] is None:
        return STATUS[lang].get(s["status"], w["absent"]) if s["status"] != "absent" else w["absent"]
    text = STATE_LABELS[s["state"]][lang]
    if s["tasks"]:
        word = w["tasks"] if len(s["tasks"]) > 1 else w["task"].lower()
        text += f" [{word} {', '.join(s['tasks'])}]" if lang == "en" else f"［任务 {'、'.join(s['tasks'])}］"
    return text + (w["undecided"] if s["undecided"] else "")


def _title(h: dict, lang: str) -> str:
    name = h.get("park_name") or h["park_id"]
    return f"{_WORDS[lang]['title']}: {name} ({h['park_id']})" if lang == "en" else \
        f"{_WORDS[lang]['title']}：{name}（{h['park_id']}）"


def _footer(h: dict, lang: str) -> list[str]:
    w = _WORDS[lang]
    lines = []
    conclusion = h["cycles"][-1]["summary"].get("conclusion") if h["cycles"] else None
    if conclusion:
        lines.append(f"{w['latest']}: {conclusion[lang]}" if lang == "en" else f"{w['latest']}：{conclusion[lang]}")
    for tid, title in h["lifecycle"].get("tasks", {}).items():
        lines.append(f"{w['task']} {tid}: {title}" if lang == "en" else f"{w['task']} {tid}：{title}")
    for u in h["lifecycle"]["unmatched_answers"]:
        lines.append(f"{w['unmatched']}: {u['task']} → {u['answer']}" if lang == "en" else
                     f"{w['unmatched']}：{u['task']} → {u['answer']}")
    return lines


def history_markdown(h: dict, lang: str = "zh") -> str:
    """The history as Markdown."""
    out = [f"# {_title(h, lang)}", ""]
    for caption, header, rows in history_tables(h, lang):
        out += [f"## {caption}", ""]
        if not rows:
            out += [_WORDS[lang]["empty"], ""]
            continue
        out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        out.append("")
    out += [line + "\n" for line in _footer(h, lang)]
    return "\n".join(out).rstrip() + "\n"


class HistoryView:
    """The history in the terminal: three tables and the latest conclusion.

    Example:
        >>> Console(width=160).print(HistoryView(history, lang="en"))   # doctest: +SKIP

    Args:
        history (dict): `engine.cycles.history.park_history(...)`.
        lang (str): "zh" or "en". Default "zh".
    """

    def __init__(self, history: dict, *, lang: str = "zh"):
        self.history, self.lang = history, lang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table
        from rich.text import Text
        yield Text(_title(self.history, self.lang), style="bold")
        for caption, header, rows in history_tables(self.history, self.lang):
            table = Table(title=caption, title_justify="left", show_lines=False)
            for col in header:
                table.add_column(col, overflow="fold")
            for row in rows:
                table.add_row(*row)
            yield table if rows else Text(f"{caption}: {_WORDS[self.lang]['empty']}")
        for line in _footer(self.history, self.lang):
            yield Text(line)
