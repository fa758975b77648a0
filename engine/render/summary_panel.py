"""The header of an assessment in the terminal: park, ruleset, scope and totals; the overall
conclusion when the result has one; the compliance rate with its coverage; counts by status; the
data to collect; and what the view leaves out."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.text import Text

from .labels import HEAD, VIEW
from ..rules.numbers import format_quantity
from .selection import Selection
from .summary_text import collect_line, compliance_line, inactive_line, status_line, view_line

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["SummaryPanel"]


class SummaryPanel:
    """A panel summing up one assessment.

    Example:
        >>> Console(width=100).print(SummaryPanel(result, lang="en"))   # doctest: +SKIP

    Args:
        result (dict): an assessment result.
        lang (str): "zh" or "en". Default "zh".
        selection (Selection | None): the view below the panel, to say what it leaves out; None: no
            such line. Default None.
        source (str | None): the file the park came from, named on the first line. Default None.
    """

    def __init__(self, result: dict, *, lang: str = "zh", selection: Selection | None = None,
                 source: str | None = None):
        self.result, self.lang, self.selection, self.source = result, lang, selection, source

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r, lang, h = self.result, self.lang, HEAD[self.lang]
        s = r["summary"]
        latest = r["derived"].get(str(r["year"]), {})
        co2 = latest.get("co2_total", {}).get("value")
        energy = latest.get("energy_total_tce", {}).get("value")
        lines = [
            Text.assemble((f"{r['park_name']}", "bold"), f"  ({r['park_id']})"),
            Text(f"{h['ruleset']}: {r['ruleset']['name']} {r['ruleset']['versions']['ruleset']}  "
                 f"{h['profile']}: {r['ruleset']['profile']}  "
                 f"{h['digest']} {r['ruleset']['digest'][:12]}   {h['year']}: {r['year']}"),
            Text(f"{h['scope']}: {h['in_scope'] if r['scope']['in_scope'] else h['out_of_scope']}"),
            Text(f"{h['energy']}: {_qty(energy, 'tce', lang)}   {h['co2']}: {_qty(co2, 'tCO2', lang)} "
                 f"({h[r['accounting']['scope2']['basis']]})"),
        ]
        conclusion = (s.get("conclusion") or {}).get(lang)
        if conclusion:
            sep = "：" if lang == "zh" else ": "
            lines.append(Text.assemble((f"{VIEW[lang]['conclusion']}{sep}", "bold"), (conclusion, "bold")))
        rate = compliance_line(s, lang)
        if rate:
            lines.append(Text(rate))
        lines.append(Text(status_line(s, lang)))
        collect = collect_line(r, lang)
        if collect:
            lines.append(Text(collect, style="yellow"))
        if self.selection is not None and not self.selection.options.everything:
            inactive = inactive_line(r, lang)
            if inactive:
                lines.append(Text(inactive, style="dim"))
        note = view_line(self.selection, lang) if self.selection is not None else None
        if note:
            lines.append(Text(note, style="dim"))
        if self.source:
            lines.insert(0, Text(f"{VIEW[lang]['file']}: {self.source}", style="dim"))
        yield Panel(Text("\n").join(lines), title=h["summary"], expand=True)


def _qty(v, unit: str, lang: str) -> str:
    return "—" if v is None else format_quantity(v, unit, lang)


if __name__ == "__main__":  # pragma: no cover - demo on the example park
    from rich.console import Console

    from ..assessment import Assessor
    from ..facts.loader import load_park
    result = Assessor().assess(load_park("examples/coal_chemical_park.yaml"))
    Console().print(SummaryPanel(result, selection=Selection(result), source="examples/coal_chemical_park.yaml"))
