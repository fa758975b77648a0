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
             f"- {h['year']}: {result['year']}"]
    s = result["summary"]
    if s.get("compliance_rate") is not None:
        lines.append(f"- {h['compliance_rate']}: {s['compliance_rate']}%")
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
            lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"
