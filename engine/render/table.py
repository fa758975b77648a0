"""An assessment as rich renderables for the terminal: the summary panel, the per-category counts,
then the findings the view lists.

The default view lists what needs action, by phase and area of the guide: problems and unmet or
undecided checks (`IssueTable`), then the recommended measures (`MeasureTable`); met and
not-applicable findings are counted, not listed. `--all` (`ViewOptions(everything=True)`) lists
every finding on its own row, one table per kind, and the rules not applied with their reasons.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .category_table import CategoryTable
from .data_quality_view import DataQualityPanel
from .finding_table import FindingTable
from .issue_table import IssueTable
from .labels import HEAD
from .measure_table import MeasureTable
from .selection import Selection, ViewOptions
from .summary_panel import SummaryPanel

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["AssessmentView"]


class AssessmentView:
    """A header panel and the findings the view lists.

    Example:
        >>> Console(width=100).print(AssessmentView(result, lang="zh"))   # doctest: +SKIP

    Args:
        result (dict): an assessment result.
        lang (str): "zh" or "en". Default "zh".
        view (ViewOptions | None): what to list; None: the default view. Default None.
        source (str | None): the file the park came from, named under the header. Default None.
    """

    def __init__(self, result: dict, *, lang: str = "zh", view: ViewOptions | None = None,
                 source: str | None = None):
        from ..result_format import expand
        result = expand(result)            # format 2: rows and rules table -> full records
        self.result, self.lang, self.source = result, lang, source
        self.selection = Selection(result, view)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r, lang, sel = self.result, self.lang, self.selection
        parts = [SummaryPanel(r, lang=lang, selection=sel, source=self.source), DataQualityPanel(r, lang=lang),
                 CategoryTable(r["summary"].get("categories"), lang=lang)]
        if sel.options.grouped:
            parts += [IssueTable(sel, lang=lang), MeasureTable(sel, lang=lang)]
        else:
            parts += [FindingTable(sel, kind, lang=lang) for kind in ("problem", "compliance", "measure")]
            if r.get("inactive"):
                parts.append(_inactive_table(r["inactive"], lang))
        yield Group(*parts)


def _inactive_table(inactive: list[dict], lang: str) -> Table:
    h = HEAD[lang]
    table = Table(title=f"{h['inactive']} ({len(inactive)})", expand=True)
    table.add_column(h["rule"], ratio=1)
    table.add_column(h["title"], overflow="fold", ratio=3)
    table.add_column(h["reason"], overflow="fold", ratio=4)
    for i in inactive:
        table.add_row(i["rule"], i["title"][lang], Text(i["reason"][lang], style="dim"))
    return table


if __name__ == "__main__":  # pragma: no cover - demo on the example park
    from rich.console import Console

    from ..assessment import Assessor
    from ..facts.loader import load_park
    Console().print(AssessmentView(Assessor().assess(load_park("examples/coal_chemical_park.yaml"))))
