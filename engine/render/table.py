"""The result as rich renderables for the terminal (the only module importing rich)."""
from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from engine.render.labels import HEAD, KIND, SEVERITY, STATUS

__all__ = ["AssessmentView"]

_STYLE = {"not_met": "bold red", "problem": "bold red", "insufficient_data": "yellow", "met": "green",
          "not_applicable": "dim", "recommended": "cyan"}


class AssessmentView:
    """A header panel and one table per finding kind.

    Example:
        >>> Console(width=100).print(AssessmentView(result, lang="zh"))   # doctest: +SKIP
    """

    def __init__(self, result: dict, *, lang: str = "zh", show_met: bool = True):
        self.result, self.lang, self.show_met = result, lang, show_met

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r, lang, h = self.result, self.lang, HEAD[self.lang]
        s = r["summary"]
        latest = r["derived"].get(str(r["year"]), {})
        co2 = latest.get("co2_total", {}).get("value")
        energy = latest.get("energy_total_tce", {}).get("value")
        head = Text.assemble(
            (f"{r['park_name']}", "bold"), f"  ({r['park_id']})\n",
            f"{h['ruleset']}: {r['ruleset']['name']} {r['ruleset']['versions']['ruleset']}  "
            f"{h['profile']}: {r['ruleset']['profile']}  "
            f"{h['digest']} {r['ruleset']['digest'][:12]}   {h['year']}: {r['year']}\n",
            f"{h['scope']}: {h['in_scope'] if r['scope']['in_scope'] else h['out_of_scope']}\n",
            f"{h['energy']}: {_num(energy)} tce   {h['co2']}: {_num(co2)} tCO2 "
            f"({h[r['accounting']['scope2']['basis']]})\n",
            "  ".join(f"{STATUS[lang][k]} {v}" for k, v in s["by_status"].items()),
            (f"   {h['compliance_rate']} {s['compliance_rate']}% ({h['decided']} {s['decided']}, "
             f"{h['undecided']} {s['undecided']})" if s.get("compliance_rate") is not None else ""))
        parts = [Panel(head, title=h["summary"], expand=True)]
        for kind in ("problem", "compliance", "measure"):
            group = [f for f in r["findings"] if f["kind"] == kind
                     and (self.show_met or f["status"] not in ("met", "not_applicable"))]
            if not group:
                continue
            table = Table(title=f"{KIND[lang][kind]} ({len(group)})", show_lines=True, expand=True)
            table.add_column(h["id"], overflow="fold", ratio=2)
            table.add_column(h["clause"], ratio=1)
            table.add_column(h["status"], ratio=1)
            table.add_column(h["severity"], ratio=1)
            table.add_column(h["explanation"], overflow="fold", ratio=6)
            for f in group:
                table.add_row(f["id"], ", ".join(f["clauses"]),
                              Text(STATUS[lang][f["status"]], style=_STYLE.get(f["status"], "")),
                              SEVERITY[lang][f["severity"]],
                              Text.assemble((f["title"][lang], "bold"), "\n", f["explanation"][lang]))
            parts.append(table)
        if r.get("inactive"):
            table = Table(title=f"{h['inactive']} ({len(r['inactive'])})", expand=True)
            table.add_column(h["rule"], ratio=1)
            table.add_column(h["title"], overflow="fold", ratio=3)
            table.add_column(h["reason"], overflow="fold", ratio=4)
            for i in r["inactive"]:
                table.add_row(i["rule"], i["title"][lang], Text(i["reason"][lang], style="dim"))
            parts.append(table)
        yield Group(*parts)


def _num(v) -> str:
    return "—" if v is None else f"{v:,.0f}"


if __name__ == "__main__":  # pragma: no cover - demo on the example park
    from engine.assessment import Assessor
    from engine.facts.loader import load_park
    Console().print(AssessmentView(Assessor().assess(load_park("examples/coal_chemical_park.yaml"))))
