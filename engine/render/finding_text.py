"""The pieces of text every terminal table says about a finding: its status tag, heading, the
measures answering it, the restatements listed under it, and what a measure answers and why it
ranks where it does."""
from __future__ import annotations

from rich.text import Text

from .labels import SEVERITY, STATUS, VIEW
from .selection import Selection
from .summary_text import measure_details

__all__ = ["STYLE", "status_tag", "heading", "see_also", "measure_refs", "measure_lines"]

STYLE = {"not_met": "bold red", "problem": "bold red", "insufficient_data": "yellow", "met": "green",
         "not_applicable": "dim", "recommended": "cyan"}


def status_tag(status: str, lang: str, n: int = 1) -> Text:
    """`未达标` or, for several findings of one rule, `未达标 ×7`."""
    return Text(STATUS[lang][status] + (f" ×{n}" if n > 1 else ""), style=STYLE.get(status, ""))


def heading(ident: str, f: dict, lang: str, severity: str | None = None) -> Text:
    """`ID  title  (clauses · severity)`."""
    return Text.assemble((ident, "bold"), "  ", f["title"][lang],
                         (f"  ({', '.join(f['clauses'])} · {SEVERITY[lang][severity or f['severity']]})", "dim"))


def see_also(folded: list[dict], lang: str) -> list[Text]:
    """One line per restatement listed under the finding it restates: `另见：7.4 title (id)`."""
    return [Text.assemble((f"{VIEW[lang]['see_also']}{_sep(lang)}", "dim"),
                          f"{', '.join(r['clauses'])} {r['title'][lang]}", (f" ({r['id']})", "dim")) for r in folded]


def measure_refs(measures: list[dict], lang: str) -> Text | None:
    """`→ 建议 #4 PC-M-001, #20 PC-M-002`, or None when no measure answers it."""
    if not measures:
        return None
    refs = ", ".join((f"#{m['rank']} " if m.get("rank") else "") + m["id"] for m in measures)
    return Text(f"→ {VIEW[lang]['measures_for']} {refs}", style="cyan")


def measure_lines(sel: Selection, m: dict, lang: str) -> list[Text]:
    """`排序理由：…`, `回应：…`, `对象：…` lines of a measure (see `measure_details`)."""
    return [Text.assemble((f"{label}{_sep(lang)}", "dim"), text) for label, text in measure_details(sel, m, lang)]


def _sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "
