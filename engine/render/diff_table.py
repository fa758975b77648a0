"""A diff of two assessments (`engine.cycles.diff.diff_results`) as rich tables: the intro and
counts, then one table per category with each finding's title, subject, status change and the
indicator movement behind it (the same words as `engine.render.since_last`).

Example:
    >>> Console().print(DiffView(diff_results(before, after), lang="en"))     # doctest: +SKIP
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from .since_last import since_last_view

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["DiffView"]

_HEAD = {"zh": ("事项", "对象", "变化", "指标变化"), "en": ("Finding", "Subject", "Change", "Indicators")}


class DiffView:
    """Renderable: the section "since the last assessment" as tables."""

    def __init__(self, diff: dict, *, lang: str = "zh", knowledge: Any = None, names: dict[str, str] | None = None):
        self.view = since_last_view(diff, lang, knowledge, names)

    def __rich_console__(self, console: "Console", options: "ConsoleOptions") -> "RenderResult":
        v = self.view
        yield Text(v["title"], style="bold")
        yield Text(v["intro"])
        yield Text(v["counts"])
        for g in v["groups"]:
            table = Table(title=g["label"], title_justify="left", show_lines=False, expand=False)
            for h in _HEAD[v["lang"]]:
                table.add_column(h, overflow="fold")
            for it in g["items"]:
                table.add_row(it["title"], it["subject"], it["change"], "\n".join(it["movements"]))
            yield table


if __name__ == "__main__":  # pragma: no cover - demo: a park against itself with one fact changed
    import copy

    from rich.console import Console

    from ..assessment import Assessor
    from ..cycles.diff import diff_results
    from ..facts.loader import park_from_data
    from ..sourcefile import load_document
    data = load_document("examples/strong_hightech_park.yaml").data
    later = copy.deepcopy(data)
    later["years"][-1]["water"]["reclaimed_used"] = "500 万m3"
    assess = Assessor().assess
    Console().print(DiffView(diff_results(assess(park_from_data(data, file="a")),
                                          assess(park_from_data(later, file="b"))), lang="en"))
