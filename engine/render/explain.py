"""One finding, explained in full: clause titles, explanation, evidence with paths, benchmarks
with framework/source/tag, derivation of indicators, and the engine trace."""
from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .labels import SEVERITY, STATUS, VIEW
from .selection import Selection, ViewOptions
from .summary_text import measure_details

__all__ = ["render_explanation"]


def render_explanation(f: dict, result: dict, ruleset, lang: str) -> Group:
    """One finding of `result` (either format) in full; the trace line only when the result
    carries the trace (format 1, or format 2 asked for with it)."""
    from ..result_format import expand
    result = expand(result)
    k = ruleset.knowledge
    clauses = "\n".join(f"{c}  {k.clauses[c].title.get(lang)}" for c in f["clauses"] if c in k.clauses)
    rank = f"   #{f['rank']}" if f.get("rank") else ""
    head = Text.assemble((f["title"][lang], "bold"), "\n",
                         f"{f['id']}   {STATUS[lang][f['status']]}{rank}   {SEVERITY[lang][f['severity']]}\n",
                         f"rule {f['rule']} v{f['rule_version']} ({f['pack']})\n", clauses, "\n\n",
                         f["explanation"][lang])
    parts = [Panel(head)]
    parts += _restatements(f, result, lang)
    ev = f.get("evidence", {})
    if ev.get("facts"):
        t = Table(title="evidence: facts" if lang == "en" else "证据：事实")
        for col in ("fact", "field", "value", "unit", "path"):
            t.add_column(col, overflow="fold")
        for e in ev["facts"]:
            t.add_row(e["fact"], e["field"], "—" if e["value"] is None else str(e["value"]), e.get("unit") or "",
                      e.get("path") or "")
        parts.append(t)
        for e in ev["facts"]:
            if e.get("formula"):
                lines = [f"{e['fact']}: {e['formula']}"] + [f"  {i['path']} = {i['value']:g} {i['unit']}"
                                                            for i in e.get("inputs", [])]
                name = e["fact"].removeprefix("ind:")
                for fac in result["derived"][str(result["year"])].get(name, {}).get("factors", []):
                    lines.append(f"  factor {fac['id']} = {fac['value']} {fac['unit']} [{fac['verification']}] "
                                 f"({fac['source']})")
                parts.append(Text("\n".join(lines)))
    if ev.get("benchmarks"):
        t = Table(title="evidence: benchmarks" if lang == "en" else "证据：基准")
        for col in ("id", "value", "framework", "tag", "source"):
            t.add_column(col, overflow="fold")
        for b in ev["benchmarks"]:
            src = b["source"]
            t.add_row(b["id"], f"{b['value']} {b['unit'] or ''}", b["framework"], b["verification"],
                      " ".join(x for x in (src.get("title"), src.get("url")) if x))
        parts.append(t)
    if f.get("missing"):
        parts.append(Text(("需补充：" if lang == "zh" else "to collect: ") + ", ".join(f["missing"]), style="yellow"))
    if f.get("to_comply"):
        from .to_comply import TITLE, alternatives_text
        lines = "\n".join(f"  {line}" for line in alternatives_text(f, lang))
        parts.append(Text.assemble((TITLE[lang] + ("：" if lang == "zh" else ":"), "bold green"), "\n", lines))
    if f["kind"] == "measure":
        sel = Selection(result, ViewOptions(everything=True))
        sep = "：" if lang == "zh" else ": "
        parts += [Text.assemble((f"{label}{sep}", "bold"), text) for label, text in measure_details(sel, f, lang)]
    if f.get("related"):
        parts.append(Text(("相关：" if lang == "zh" else "related: ") + ", ".join(f["related"])))
    if "trace" in f:
        parts.append(Text("trace: " + "; ".join(f"{t['engine_rule']} <- {t['facts']}" for t in f["trace"]),
                          style="dim"))
    return Group(*parts)


def _restatements(f: dict, result: dict, lang: str) -> list[Text]:
    """What this finding only restates, and the findings that only restate it (`folded_into`)."""
    sep = "：" if lang == "zh" else ": "
    w = VIEW[lang]
    out = []
    parent = f.get("folded_into")
    if parent:
        title = next((g["title"][lang] for g in result["findings"] if g["id"] == parent), "")
        out.append(Text(f"{w['restates']}{sep}{parent} {title}", style="dim"))
    folded = [g for g in result["findings"] if g.get("folded_into") == f["id"]]
    if folded:
        out.append(Text(f"{w['see_also']}{sep}" + ", ".join(g["id"] for g in folded), style="dim"))
    return out
