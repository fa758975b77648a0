"""Counts and compliance rate per PDCA phase and per task area 6.2-6.11, each rate with its
coverage (decided of total), from `result["summary"]["categories"]`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from .labels import VIEW
from .summary_text import CATEGORY_GROUPS, category_cells, holds_anything

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["CategoryTable"]


class CategoryTable:
    """One line per category of the summary that holds any finding; nothing when the result has no
    categories.

    Example:
        >>> Console(width=100).print(CategoryTable(result["summary"].get("categories"), lang="en"))  # doctest: +SKIP

    Args:
        categories (list[dict] | None): `summary["categories"]`.
        lang (str): "zh" or "en". Default "zh".
        groups (tuple[str, ...]): which groupings to show, in order. Default ("phase", "area").
    """

    def __init__(self, categories: list[dict] | None, *, lang: str = "zh", groups: tuple[str, ...] = CATEGORY_GROUPS):
        self.categories, self.lang, self.groups = categories or [], lang, groups

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lang, w = self.lang, VIEW[self.lang]
        rows = [[c for c in self.categories if c.get("group") == g and holds_anything(c)] for g in self.groups]
        if not any(rows):
            return
        table = Table(title=w["categories"], caption=w["rate_caption"], expand=False)
        table.add_column(w["category"], overflow="fold", min_width=8)
        for key in ("col_met", "col_not_met", "col_undecided", "rate", "col_problems", "col_measures"):
            table.add_column(w[key], justify="right")
        for i, group in enumerate(r for r in rows if r):
            if i:
                table.add_section()
            for c in group:
                table.add_row(*category_cells(c, lang))
        yield table


if __name__ == "__main__":  # pragma: no cover - demo with made-up counts
    from rich.console import Console
    Console().print(CategoryTable([
        {"group": "phase", "id": "plan", "label": {"zh": "规划", "en": "Plan"}, "met": 5, "not_met": 3,
         "undecided": 2, "decided": 8, "total": 10, "rate": 62.5, "problems": 4, "measures": 3},
        {"group": "area", "id": "6.3", "label": {"zh": "能源结构调整", "en": "Energy"}, "met": 1, "not_met": 2,
         "undecided": 0, "decided": 3, "total": 3, "rate": 33.3, "problems": 5, "measures": 8}]))
