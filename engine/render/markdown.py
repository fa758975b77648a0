"""The result as a Markdown report for pasting into a review memo.

The default view follows the terminal's: a header (conclusion, compliance rate with its coverage,
data to collect, what the view leaves out), the counts per phase and area, then 存在的问题 and
有关建议 by phase and area of the guide, as lists. `--all` (`ViewOptions(everything=True)`) gives
one table per kind with every finding on its own row.
"""
from __future__ import annotations

from .data_quality_view import data_quality_markdown
from .labels import CATEGORY, HEAD, KIND, SEVERITY, STATUS, VIEW
from .selection import QUIET, STATUSES, Entry, Selection, ViewOptions
from .summary_text import (CATEGORY_GROUPS, category_cells, collect_line, compliance_line,
                                        holds_anything, inactive_line, measure_details, status_line, view_line)

__all__ = ["render_markdown"]


def render_markdown(result: dict, *, lang: str = "zh", view: ViewOptions | None = None,
                    source: str | None = None) -> str:
    """Markdown of one assessment.

    Example:
        >>> render_markdown(result, lang="en", view=ViewOptions.parse("not_met,measure"))   # doctest: +SKIP

    Args:
        result (dict): an assessment result.
        lang (str): "zh" or "en". Default "zh".
        view (ViewOptions | None): what to list; None: the default view. Default None.
        source (str | None): the file the park came from, named in the header. Default None.

    Returns:
        str: the report, ending with a newline.
    """
    from ..result_format import expand
    result = expand(result)
    sel = Selection(result, view)
    lines = _header(result, lang, sel, source) + data_quality_markdown(result, lang) + _categories(result, lang)
    if sel.options.grouped:
        lines += _issues(sel, lang) + _measures(sel, lang)
    else:
        lines += _flat(sel, lang)
    return "\n".join(lines) + "\n"


def _header(result: dict, lang: str, sel: Selection, source: str | None) -> list[str]:
    h, w = HEAD[lang], VIEW[lang]
    sep = "：" if lang == "zh" else ": "
    lines = [f"# {h['park']}: {result['park_name']} (`{result['park_id']}`)", ""]
    if source:
        lines.append(f"- {w['file']}: `{source}`")
    lines += [f"- {h['ruleset']}: {result['ruleset']['name']} "
              + ", ".join(f"{k} {v}" for k, v in result["ruleset"]["versions"].items())
              + f" ({h['digest']} `{result['ruleset']['digest'][:12]}`)",
              f"- {h['profile']}: {result['ruleset']['profile']}",
              f"- {h['year']}: {result['year']}",
              f"- {h['scope']}: {h['in_scope'] if result['scope']['in_scope'] else h['out_of_scope']}",
              f"- {h['basis']}: {h[result['accounting']['scope2']['basis']]}"]
    s = result["summary"]
    conclusion = (s.get("conclusion") or {}).get(lang)
    if conclusion:
        lines.append(f"- **{w['conclusion']}**{sep}{conclusion}")
    lines += [f"- {x}" for x in (compliance_line(s, lang), status_line(s, lang), collect_line(result, lang)) if x]
    if sel.options.grouped and inactive_line(result, lang):
        lines.append(f"- {inactive_line(result, lang)}")
    note = view_line(sel, lang)
    if note:
        lines.append(f"- *{_esc(note)}*")
    return lines


def _categories(result: dict, lang: str) -> list[str]:
    cats = [c for g in CATEGORY_GROUPS for c in result["summary"].get("categories") or []
            if c.get("group") == g and holds_anything(c)]
    if not cats:
        return []
    w = VIEW[lang]
    head = [w[k] for k in ("category", "col_met", "col_not_met", "col_undecided", "rate", "col_problems",
                           "col_measures")]
    lines = ["", f"## {w['categories']}", "", _row(head), "|---|--:|--:|--:|--:|--:|--:|"]
    return lines + [_row(category_cells(c, lang)) for c in cats] + ["", f"*{w['rate_caption']}*"]


def _issues(sel: Selection, lang: str) -> list[str]:
    groups = sel.issue_groups()
    if not groups:
        return []
    w = VIEW[lang]
    title = w["findings"] if any(e.status in QUIET for g in groups for e in g.entries) else w["issues"]
    lines = ["", f"## {title} ({sum(len(e.findings) for g in groups for e in g.entries)})"]
    for g in groups:
        counts = " · ".join(f"{STATUS[lang][s]} {g.count(s)}" for s in STATUSES if g.count(s))
        lines += ["", f"### {_label(g.category, lang)} — {counts}", ""]
        for e in g.entries:
            lines += _entry(sel, e, lang)
    return lines


def _entry(sel: Selection, e: Entry, lang: str) -> list[str]:
    first, sep = e.findings[0], ("：" if lang == "zh" else ": ")
    tag = f"**{STATUS[lang][e.status]}{f' ×{len(e.findings)}' if len(e.findings) > 1 else ''}**"
    if len(e.findings) == 1:
        lines = [f"- {tag} `{first['id']}` {_esc(first['title'][lang])} ({_where(first, lang)}){sep}"
                 f"{_esc(first['explanation'][lang])}"]
        lines += _see_also(e.folded.get(first["id"], []), lang, "  ")
    else:
        lines = [f"- {tag} `{e.rule}` {_esc(first['title'][lang])} ({_where(first, lang, e.severity)})"]
        if e.collapsed:
            lines.append("  - " + ", ".join(f"`{f['id']}`" for f in e.findings))
        else:
            for f in e.findings:
                lines.append(f"  - `{f['id']}`{sep}{_esc(f['explanation'][lang])}")
                lines += _see_also(e.folded.get(f["id"], []), lang, "    ")
    measures = {m["id"]: m for f in e.findings for m in sel.measures_of(f)}
    if measures:
        refs = ", ".join((f"#{m['rank']} " if m.get("rank") else "") + f"`{m['id']}`"
                         for m in sorted(measures.values(), key=lambda m: (m.get("rank") or 10**9, m["id"])))
        lines.append(f"  - → {VIEW[lang]['measures_for']} {refs}")
    return lines


def _measures(sel: Selection, lang: str) -> list[str]:
    groups = sel.measure_groups()
    if not groups:
        return []
    sep = "：" if lang == "zh" else ": "
    lines = ["", f"## {VIEW[lang]['measures']} ({sum(len(g.entries) for g in groups)})"]
    for g in groups:
        lines += ["", f"### {_label(g.category, lang)}", ""]
        for e in g.entries:
            m = e.findings[0]
            rank = f"**#{m['rank']}** " if m.get("rank") else ""
            lines.append(f"- {rank}`{m['id']}` {_esc(m['title'][lang])} ({_where(m, lang)}){sep}"
                         f"{_esc(m['explanation'][lang])}")
            lines += [f"  - {label}{sep}{_esc(text)}" for label, text in measure_details(sel, m, lang)]
            lines += _see_also(e.folded.get(m["id"], []), lang, "  ")
    return lines


def _flat(sel: Selection, lang: str) -> list[str]:
    h, sep = HEAD[lang], ("：" if lang == "zh" else ": ")
    lines: list[str] = []
    for kind in ("problem", "compliance", "measure"):
        group = sel.flat(kind)
        if not group:
            continue
        lines += ["", f"## {KIND[lang][kind]} ({len(group)})", "",
                  f"| {h['id']} | {h['clause']} | {h['status']} | {h['severity']} | {h['title']} | {h['explanation']} |",
                  "|---|---|---|---|---|---|"]
        for f in group:
            status = STATUS[lang][f["status"]] + (f" #{f['rank']}" if f.get("rank") else "")
            text = f["explanation"][lang]
            if f.get("folded_into"):
                text += f" ({VIEW[lang]['restates']}{sep}{f['folded_into']})"
            if kind == "measure":
                text += "".join(f" {label}{sep}{t}" for label, t in measure_details(sel, f, lang))
            lines.append(_row([f"`{f['id']}`", ", ".join(f["clauses"]), status, SEVERITY[lang][f["severity"]],
                               f["title"][lang], text]))
    inactive = sel.result.get("inactive") or []
    if inactive:
        lines += ["", f"## {h['inactive']} ({len(inactive)})", "",
                  f"| {h['rule']} | {h['title']} | {h['reason']} |", "|---|---|---|"]
        lines += [_row([f"`{i['rule']}`", i["title"][lang], i["reason"][lang]]) for i in inactive]
    return lines


def _see_also(folded: list[dict], lang: str, indent: str) -> list[str]:
    sep = "：" if lang == "zh" else ": "
    return [f"{indent}- {VIEW[lang]['see_also']}{sep}{', '.join(r['clauses'])} {_esc(r['title'][lang])} (`{r['id']}`)"
            for r in folded]


def _where(f: dict, lang: str, severity: str | None = None) -> str:
    return f"{', '.join(f['clauses'])} · {SEVERITY[lang][severity or f['severity']]}"


def _label(category: str, lang: str) -> str:
    return CATEGORY.get(category, {}).get(lang, category)


def _esc(text: str) -> str:
    return text.replace("\n", " ")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
