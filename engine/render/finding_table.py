"""Every listed finding of one kind on its own row (the `--all` view): id, clauses, status,
severity, title and explanation; a restatement names what it restates, a measure shows its rank,
why it ranks there and what it answers."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from .finding_text import STYLE, measure_lines
from .labels import HEAD, KIND, SEVERITY, STATUS, VIEW
from .selection import Selection

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["FindingTable"]


class FindingTable:
    """One row per finding of `kind` that the selection lists.

    Example:
        >>> Console(width=100).print(FindingTable(Selection(result, ViewOptions(everything=True)), "measure"))  # doctest: +SKIP

    Args:
        selection (Selection): what the view lists.
        kind (str): "problem", "compliance" or "measure".
        lang (str): "zh" or "en". Default "zh".
    """

    def __init__(self, selection: Selection, kind: str, *, lang: str = "zh"):
        self.selection, self.kind, self.lang = selection, kind, lang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        group = self.selection.flat(self.kind)
        if not group:
            return
        lang, h = self.lang, HEAD[self.lang]
        table = Table(title=f"{KIND[lang][self.kind]} ({len(group)})", show_lines=True, expand=True)
        table.add_column(h["id"], overflow="fold", ratio=2)
        table.add_column(h["clause"], ratio=1)
        table.add_column(h["status"], ratio=1)
        table.add_column(h["severity"], ratio=1)
        table.add_column(h["explanation"], overflow="fold", ratio=6)
        sep = "：" if lang == "zh" else ": "
        for f in group:
            status = Text(STATUS[lang][f["status"]], style=STYLE.get(f["status"], ""))
            if f.get("rank"):
                status.append(f"\n#{f['rank']}")
            lines = [Text.assemble((f["title"][lang], "bold"), "\n", f["explanation"][lang])]
            if f.get("folded_into"):
                lines.append(Text(f"{VIEW[lang]['restates']}{sep}{f['folded_into']}", style="dim"))
            if f["kind"] == "measure":
                lines += measure_lines(self.selection, f, lang)
            table.add_row(f["id"], ", ".join(f["clauses"]), status, SEVERITY[lang][f["severity"]],
                          Text("\n").join(lines))
        yield table


if __name__ == "__main__":  # pragma: no cover - demo on the example park
    from rich.console import Console

    from ..assessment import Assessor
    from ..facts.loader import load_park
    from .selection import ViewOptions
    result = Assessor().assess(load_park("examples/coal_chemical_park.yaml"))
    Console().print(FindingTable(Selection(result, ViewOptions(everything=True)), "measure"))
