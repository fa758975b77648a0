"""The result as a Markdown report, grouped by kind, for pasting into a review memo."""
from __future__ import annotations

from engine.render.labels import HEAD, KIND, SEVERITY, STATUS

__all__ = ["render_markdown"]


def render_markdown(result: dict, *, lang: str = "zh") -> str:
    h = HEAD[lang]
    lines = [f"# {h['park']}: {result['park_name']} (`{result['park_id']}`)", "",
             f"- {h['ruleset']}: {result['ruleset']['name']} "
             + ", ".join(f"{k} {v}" for k, v in result["ruleset"]["versions"].items())
             + f" ({h['digest']} `{result['ruleset']['digest'][:12]}`)",
             f"- {h['profile']}: {result['ruleset']['profile']}",
             f"- {h['year']}: {result['year']}",
             f"- {h['scope']}: {h['in_scope'] if result['scope']['in_scope'] else h['out_of_scope']}",
             f"- {h['basis']}: {h[result['accounting']['scope2']['basis']]}"]
    s = result["summary"]
    if s.get("compliance_rate") is not None:
        lines.append(f"- {h['compliance_rate']}: {s['compliance_rate']}% ({h['decided']} {s['decided']}, "
                     f"{h['undecided']} {s['undecided']})")
    lines.append("- " + ", ".join(f"{STATUS[lang][k]} {v}" for k, v in s["by_status"].items()))
    for kind in ("problem", "compliance", "measure"):
        group = [f for f in result["findings"] if f["kind"] == kind]
        if not group:
            continue
        lines += ["", f"## {KIND[lang][kind]} ({len(group)})", "",
                  f"| {h['id']} | {h['clause']} | {h['status']} | {h['severity']} | {h['title']} | {h['explanation']} |",
                  "|---|---|---|---|---|---|"]
        for f in group:
            cells = [f"`{f['id']}`", ", ".join(f["clauses"]), STATUS[lang][f["status"]],
                     SEVERITY[lang][f["severity"]], f["title"][lang], f["explanation"][lang]]
            lines.append(_row(cells))
    if result.get("inactive"):
        lines += ["", f"## {h['inactive']} ({len(result['inactive'])})", "",
                  f"| {h['rule']} | {h['title']} | {h['reason']} |", "|---|---|---|"]
        lines += [_row([f"`{i['rule']}`", i["title"][lang], i["reason"][lang]]) for i in result["inactive"]]
    return "\n".join(lines) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
