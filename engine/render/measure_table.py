"""Recommended measures, one row per phase or area of the guide, the row holding the best-ranked
measure first; inside a row, measures by rank, each with why it ranks there (when the result says)
and the problems, enterprises and targets it answers."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from .finding_text import heading, measure_lines, see_also
from .labels import CATEGORY, VIEW
from .selection import Selection

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["MeasureTable"]


class MeasureTable:
    """The measures a view lists, by category.

    Example:
        >>> Console(width=100).print(MeasureTable(Selection(result), lang="en"))   # doctest: +SKIP

    Args:
        selection (Selection): what the view lists.
        lang (str): "zh" or "en". Default "zh".
    """

    def __init__(self, selection: Selection, *, lang: str = "zh"):
        self.selection, self.lang = selection, lang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        groups = self.selection.measure_groups()
        if not groups:
            return
        lang, w = self.lang, VIEW[self.lang]
        count = sum(len(g.entries) for g in groups)
        table = Table(title=f"{w['measures']} ({count})", show_lines=True, expand=True)
        table.add_column(w["area"], ratio=1, overflow="fold")
        table.add_column(w["measures_col"], ratio=5, overflow="fold")
        for g in groups:
            label = Text.assemble((CATEGORY.get(g.category, {}).get(lang, g.category), "bold"), "\n",
                                  (f"{w['col_measures']} {len(g.entries)}", "dim"))
            grid = Table.grid(padding=(0, 1), expand=True)
            grid.add_column(no_wrap=True, style="cyan")
            grid.add_column(ratio=1, overflow="fold")
            for i, e in enumerate(g.entries):
                m = e.findings[0]
                lines = [heading(m["id"], m, lang), Text(m["explanation"][lang], style="dim")]
                lines += measure_lines(self.selection, m, lang) + see_also(e.folded.get(m["id"], []), lang)
                body = Text("\n").join(lines)
                if i < len(g.entries) - 1:
                    body.append("\n")
                grid.add_row(f"#{m['rank']}" if m.get("rank") else "", body)
            table.add_row(label, grid)
        yield table


if __name__ == "__main__":  # pragma: no cover - demo on the example park
    from rich.console import Console

    from ..assessment import Assessor
    from ..facts.loader import load_park
    Console().print(MeasureTable(Selection(Assessor().assess(load_park("examples/coal_chemical_park.yaml")))))
