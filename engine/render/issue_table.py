"""Problems and unmet or undecided checks, one row per phase or area of the guide.

Inside a row, the findings of one rule share a line-up (`未达标 ×7`); each finding keeps its id and
explanation, the measures answering it (`→ 建议 #4 PC-M-001`) and, under it, the findings that
only restate it (`另见：…`). Met and not-applicable findings, when a filter lists them, collapse to
one line per rule with a count.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from .finding_text import heading, measure_refs, see_also, status_tag
from .labels import CATEGORY, STATUS, VIEW
from .selection import QUIET, STATUSES, Entry, Selection

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["IssueTable"]


class IssueTable:
    """The non-measure findings a view lists, by category.

    Example:
        >>> Console(width=100).print(IssueTable(Selection(result), lang="en"))   # doctest: +SKIP

    Args:
        selection (Selection): what the view lists.
        lang (str): "zh" or "en". Default "zh".
    """

    def __init__(self, selection: Selection, *, lang: str = "zh"):
        self.selection, self.lang = selection, lang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        groups = self.selection.issue_groups()
        if not groups:
            return
        lang, w = self.lang, VIEW[self.lang]
        count = sum(len(e.findings) for g in groups for e in g.entries)
        title = w["findings"] if any(e.status in QUIET for g in groups for e in g.entries) else w["issues"]
        table = Table(title=f"{title} ({count})", show_lines=True, expand=True)
        table.add_column(w["area"], ratio=1, overflow="fold")
        table.add_column(w["findings"], ratio=5, overflow="fold")
        for g in groups:
            counts = " · ".join(f"{STATUS[lang][s]} {g.count(s)}" for s in STATUSES if g.count(s))
            label = Text.assemble((CATEGORY.get(g.category, {}).get(lang, g.category), "bold"), "\n", (counts, "dim"))
            grid = Table.grid(padding=(0, 1), expand=True)
            grid.add_column(no_wrap=True)
            grid.add_column(ratio=1, overflow="fold")
            for i, e in enumerate(g.entries):
                body = self._body(e)
                if i < len(g.entries) - 1:
                    body.append("\n")
                grid.add_row(status_tag(e.status, lang, len(e.findings)), body)
            table.add_row(label, grid)
        yield table

    def _body(self, e: Entry) -> Text:
        lang, sel = self.lang, self.selection
        first = e.findings[0]
        lines: list[Text] = []
        if len(e.findings) == 1:
            lines += [heading(first["id"], first, lang), Text(first["explanation"][lang])]
            lines += see_also(e.folded.get(first["id"], []), lang)
        elif e.collapsed:
            lines.append(heading(e.rule, first, lang, e.severity))
            lines.append(Text(", ".join(f["id"] for f in e.findings), style="dim"))
        else:
            lines.append(heading(e.rule, first, lang, e.severity))
            for f in e.findings:
                lines.append(Text.assemble((f["id"], "bold"), "\n", f["explanation"][lang]))
                lines += see_also(e.folded.get(f["id"], []), lang)
        measures: dict[str, dict] = {}
        for f in e.findings:
            measures.update((m["id"], m) for m in sel.measures_of(f))
        refs = measure_refs(sorted(measures.values(), key=lambda m: (m.get("rank") or 10**9, m["id"])), lang)
        if refs is not None:
            lines.append(refs)
        return Text("\n").join(lines)


if __name__ == "__main__":  # pragma: no cover - demo on the example park
    from rich.console import Console

    from ..assessment import Assessor
    from ..facts.loader import load_park
    Console().print(IssueTable(Selection(Assessor().assess(load_park("examples/coal_chemical_park.yaml")))))
