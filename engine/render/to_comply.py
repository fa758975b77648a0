"""The "minimal change to comply / 达标所需的最小改变" section of the planner's brief: for each
not_met verdict with `to_comply` (docs/result.md), the alternatives that each make it met - one
input changed, the others held - joined by "或" / "or", and the inputs whose change alone cannot
make it met, with the reason.

Words, not ids: a verdict by its title and its explanation, an input by its label; the numbers
are in the alternatives' texts, formatted by `engine.rules.templates.format_quantity` when the
result was made. Used by the dossier (`audience="planner"`) and `greenpark explain`.

Example:
    >>> text = render_to_comply(result["findings"], fmt="markdown", lang="zh")   # doctest: +SKIP
"""
from __future__ import annotations

from markupsafe import escape

__all__ = ["render_to_comply", "alternatives_text", "TITLE"]

TITLE = {"zh": "达标所需的最小改变", "en": "Minimal change to comply"}
_W = {"zh": {"or": "或", "none": "没有可通过改变单项数据达标的未达标项。", "alone": "单独改变以下各项无法达标",
             "nothing": "任何一项数据单独改变都无法使其达标。", "colon": "：", "sep": "；", "lp": "（", "rp": "）",
             "end": "。",
             "intro": "每项未达标判定下列出的各种改变，任选其一（其余数据保持不变）即可使该项达标；所需数值由指标公式解出，不是估计。"},
      "en": {"or": "or", "none": "No unmet verdict can be met by changing one figure.",
             "alone": "Changing any of these alone cannot make it met", "nothing":
             "No single figure changed alone makes it met.", "colon": ": ", "sep": "; ", "lp": " (", "rp": ")",
             "end": ".",
             "intro": "Under each unmet verdict, any one of the changes listed (the other figures held) makes it met; "
                      "each figure is solved from the indicator's formula, not estimated."}}


def _rows(findings: list[dict], lang: str) -> list[dict]:
    out = []
    for f in findings:
        alts = f.get("to_comply")
        if not alts:
            continue
        feasible = [a["text"][lang] for a in alts if a.get("feasible")]
        infeasible = [f"{a['label'][lang]}{_W[lang]['lp']}{a['reason'][lang]}{_W[lang]['rp']}"
                      for a in alts if not a.get("feasible")]
        out.append({"title": f["title"][lang], "explanation": f["explanation"][lang], "feasible": feasible,
                    "infeasible": infeasible})
    return out


def alternatives_text(finding: dict, lang: str) -> list[str]:
    """The lines of one finding's `to_comply`: each alternative, prefixed "或"/"or" after the
    first, then the inputs that cannot, with their reasons (plain text)."""
    w = _W[lang]
    row = next(iter(_rows([finding], lang)), None)
    if row is None:
        return []
    lines = [(f"{w['or']} " if i else "") + t for i, t in enumerate(row["feasible"])]
    if not row["feasible"]:
        lines.append(w["nothing"])
    if row["infeasible"]:
        lines.append(w["alone"] + w["colon"] + w["sep"].join(row["infeasible"]) + w["end"])
    return lines


def render_to_comply(findings: list[dict], *, fmt: str = "markdown", lang: str = "zh") -> str:
    """The section's body (no heading) in Markdown or HTML.

    Raises:
        ValueError: an unknown format or language.
    """
    if fmt not in ("markdown", "html") or lang not in _W:
        raise ValueError("fmt must be markdown or html, lang zh or en")
    w, rows = _W[lang], _rows(findings, lang)
    if not rows:
        return w["none"] if fmt == "markdown" else f"<p>{escape(w['none'])}</p>"
    if fmt == "markdown":
        parts = [w["intro"], ""]
        for i, r in enumerate(rows, 1):
            parts.append(f"{i}. **{_md(r['title'])}**{w['colon']}{_md(r['explanation'])}")
            for j, t in enumerate(r["feasible"]):
                parts.append(f"   - {('**' + w['or'] + '** ') if j else ''}{_md(t)}")
            if not r["feasible"]:
                parts.append(f"   - {w['nothing']}")
            if r["infeasible"]:
                parts.append(f"   - *{w['alone']}*{w['colon']}{_md(w['sep'].join(r['infeasible']))}{w['end']}")
        return "\n".join(parts) + "\n"
    parts = [f'<p class="small">{escape(w["intro"])}</p>', '<ol class="to-comply">']
    for r in rows:
        items = "".join(f"<li>{('<b>' + str(escape(w['or'])) + '</b> ') if j else ''}{escape(t)}</li>"
                        for j, t in enumerate(r["feasible"])) or f"<li>{escape(w['nothing'])}</li>"
        if r["infeasible"]:
            items += (f'<li class="small"><i>{escape(w["alone"])}</i>{escape(w["colon"])}'
                      f'{escape(w["sep"].join(r["infeasible"]))}{escape(w["end"])}</li>')
        parts.append(f"<li><b>{escape(r['title'])}</b>{escape(w['colon'])}{escape(r['explanation'])}<ul>{items}</ul></li>")
    parts.append("</ol>")
    return "\n".join(parts)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")
