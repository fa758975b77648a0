"""A rule-change impact report (`engine.cycles.replay.portfolio_report`) as Markdown or rich
tables: the portfolio summary (parks affected, findings that differ per rule), then per affected
park the findings that appear, disappear or change, by title and subject, with their statuses.

Example:
    >>> print(replay_markdown(report, lang="en"))                    # doctest: +SKIP
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dossier.findings import subject_label
from .labels import STATUS

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["replay_markdown", "ReplayView", "replay_rows"]

_W = {"zh": {"title": "规则变更影响", "intro": "以规则集 {v} 重新评估各园区最近一次决策的原始输入：{n} 个园区中 {a} 个园区的结论有变化，"
                                            "共 {f} 项判定不同。",
             "failed": "未能重新评估：{p}（{e}）", "rule": "规则", "appears": "新出现", "disappears": "消失",
             "changes": "变化", "parks": "涉及园区", "finding": "事项", "subject": "对象", "change": "变化",
             "absent": "无此项", "none": "没有园区的判定发生变化。"},
      "en": {"title": "Impact of the rule change", "intro": "The latest decision of each park re-assessed from its "
                                                            "stored input under ruleset {v}: {a} of {n} parks have "
                                                            "different verdicts, {f} findings differ in all.",
             "failed": "Could not be re-assessed: {p} ({e})", "rule": "Rule", "appears": "appear",
             "disappears": "disappear", "changes": "change", "parks": "Parks", "finding": "Finding",
             "subject": "Subject", "change": "Change", "absent": "not raised", "none": "No park's verdicts change."}}
_WHAT = ("appears", "disappears", "changes")


def _status(side: dict | None, lang: str) -> str:
    return _W[lang]["absent"] if side is None else STATUS[lang].get(side["status"], side["status"])


def replay_rows(report: dict, lang: str, knowledge: Any = None) -> list[dict]:
    """Per affected park: its name and one row per differing finding (what, title, subject, change)."""
    out = []
    for p in report["parks"]:
        if not p.get("affected"):
            continue
        rows = [{"what": _W[lang][what], "title": (line.get("title") or {}).get(lang, ""),
                 "subject": subject_label(line["id"], lang, {}, knowledge),
                 "change": f"{_status(line['before'], lang)} → {_status(line['after'], lang)}"}
                for what in _WHAT for line in p[what]]
        out.append({"park": p.get("park_name") or p["park_id"], "rows": rows})
    return out


def _intro(report: dict, lang: str) -> str:
    s = report["summary"]
    return _W[lang]["intro"].format(v=report["ruleset"], n=s["parks"], a=s["parks_affected"],
                                    f=s["findings_differing"])


def replay_markdown(report: dict, *, lang: str = "zh", knowledge: Any = None) -> str:
    """The report as Markdown."""
    w = _W[lang]
    out = [f"# {w['title']}", "", _intro(report, lang), ""]
    for p in report["parks"]:
        if "error" in p:
            out += [w["failed"].format(p=p["park_id"], e=p["error"]), ""]
    if report["summary"]["by_rule"]:
        out += [f"| {w['rule']} | {w['appears']} | {w['disappears']} | {w['changes']} | {w['parks']} |",
                "|---|---:|---:|---:|---:|"]
        out += [f"| {(r.get('title') or {}).get(lang, '')} | {r['appears']} | {r['disappears']} | {r['changes']} | "
                f"{len(r['parks'])} |" for r in report["summary"]["by_rule"]]
        out.append("")
    else:
        out += [w["none"], ""]
    for park in replay_rows(report, lang, knowledge):
        out += [f"## {park['park']}", "", f"| | {w['finding']} | {w['subject']} | {w['change']} |", "|---|---|---|---|"]
        out += [f"| {r['what']} | {r['title']} | {r['subject']} | {r['change']} |" for r in park["rows"]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


class ReplayView:
    """Renderable: the report as rich tables."""

    def __init__(self, report: dict, *, lang: str = "zh", knowledge: Any = None):
        self.report, self.lang, self.knowledge = report, lang, knowledge

    def __rich_console__(self, console: "Console", options: "ConsoleOptions") -> "RenderResult":
        from rich.table import Table
        from rich.text import Text
        w, lang = _W[self.lang], self.lang
        yield Text(w["title"], style="bold")
        yield Text(_intro(self.report, lang))
        for p in self.report["parks"]:
            if "error" in p:
                yield Text(w["failed"].format(p=p["park_id"], e=p["error"]), style="red")
        if self.report["summary"]["by_rule"]:
            t = Table(title_justify="left")
            for h in (w["rule"], w["appears"], w["disappears"], w["changes"], w["parks"]):
                t.add_column(h, overflow="fold")
            for r in self.report["summary"]["by_rule"]:
                t.add_row((r.get("title") or {}).get(lang, ""), str(r["appears"]), str(r["disappears"]),
                          str(r["changes"]), str(len(r["parks"])))
            yield t
        for park in replay_rows(self.report, lang, self.knowledge):
            t = Table(title=park["park"], title_justify="left")
            for h in ("", w["finding"], w["subject"], w["change"]):
                t.add_column(h, overflow="fold")
            for r in park["rows"]:
                t.add_row(r["what"], r["title"], r["subject"], r["change"])
            yield t
