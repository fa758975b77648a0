"""The "since the last assessment / 与上次评估相比" section: a diff of two results
(`engine.cycles.diff.diff_results`) as prose fit to publish, in Markdown or HTML, zh or en.

Words, not ids: a finding by its title and its subject (an enterprise's name when `names` has it,
an indicator's name), a status by its label, every number through
`engine.rules.templates.format_quantity` with its unit and the change signed (percentage points for
percentages). Findings folded into another (`folded_into`) are left out: the verdict they restate
carries the change. Used on its own (`greenpark diff -f markdown`, `GET .../diff/{b}?format=html`)
and as a section of the dossier (`render_report(..., previous=...)`).

Example:
    >>> text = render_since_last(diff_results(last_year, this_year), fmt="markdown", lang="zh")  # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import escape

from ..cycles.diff import LISTED
from .dossier.findings import subject_label
from .labels import STATUS
from ..rules.templates import format_quantity

__all__ = ["render_since_last", "since_last_view", "TITLE", "CATEGORY_LABELS"]

TITLE = {"zh": "与上次评估相比", "en": "Since the last assessment"}
CATEGORY_LABELS = {
    "zh": {"regressed": "退步（上次达标，本次未达标）", "new": "新出现的问题和未达标项",
           "persisting": "仍未解决", "changed_severity": "严重度有变化", "status_changed": "判定状态有变化",
           "resolved": "已解决", "improved": "补齐数据后判定达标", "added": "新增的判定（达标或不适用）",
           "dropped": "不再判定", "proposed": "新提出的措施", "withdrawn": "不再需要的措施"},
    "en": {"regressed": "Regressed (met last time, not met now)", "new": "New problems and unmet verdicts",
           "persisting": "Still open", "changed_severity": "Severity changed", "status_changed": "Status changed",
           "resolved": "Resolved", "improved": "Now shown to be met (data completed)",
           "added": "New verdicts (met or not applicable)", "dropped": "No longer assessed",
           "proposed": "Measures proposed", "withdrawn": "Measures no longer needed"}}
_COUNT = {"zh": {"regressed": "退步", "new": "新出现", "persisting": "仍未解决", "changed_severity": "严重度变化",
                 "status_changed": "状态变化", "resolved": "已解决", "improved": "补齐数据后达标",
                 "added": "新增判定", "dropped": "不再判定", "proposed": "新提出措施", "withdrawn": "不再需要的措施"},
          "en": {"regressed": "regressed", "new": "new", "persisting": "still open",
                 "changed_severity": "severity changed", "status_changed": "status changed", "resolved": "resolved",
                 "improved": "now met with the data completed", "added": "new verdicts", "dropped": "no longer assessed",
                 "proposed": "measures proposed", "withdrawn": "measures no longer needed"}}
_W = {"zh": {"absent": "无此项", "unknown": "未知", "none": "两次评估的判定没有变化。", "colon": "：", "lp": "（",
             "rp": "）", "sep": "；", "end": "。", "list": "，", "severity": "严重度"},
      "en": {"absent": "not raised", "unknown": "unknown", "none": "No verdict changed between the two assessments.",
             "colon": ": ", "lp": " (", "rp": ")", "sep": "; ", "end": ".", "list": ", ", "severity": "severity"}}
_SEV = {"zh": {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "信息"},
        "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low", "info": "info"}}


@lru_cache(maxsize=1)
def _default_knowledge() -> Any:
    from ..knowledge import load_knowledge
    return load_knowledge()


def _qty(v: float | None, unit: str | None, lang: str, signed: bool = False) -> str:
    return _W[lang]["unknown"] if v is None else format_quantity(v, unit, lang, signed=signed)


def _indicator_name(name: str, lang: str, knowledge: Any) -> str:
    ind = getattr(knowledge, "indicators", {}).get(name) if knowledge is not None else None
    return ind.name.get(lang) if ind is not None else name.replace("_", " ")


def _movement(m: dict, lang: str, knowledge: Any) -> str:
    """可再生能源占比 2023 年 29.2% → 2024 年 32.4%（+3.2 个百分点）; the years only when they differ."""
    name = _indicator_name(m["indicator"], lang, knowledge)
    b, a = _qty(m["before"], m["unit"], lang), _qty(m["after"], m["unit"], lang)
    if m["year_before"] == m["year_after"]:           # both assessments read the same data year
        text = f"{name} {b} → {a}"
    elif lang == "zh":
        text = f"{name} {m['year_before']} 年 {b} → {m['year_after']} 年 {a}"
    else:
        text = f"{name} {b} in {m['year_before']} → {a} in {m['year_after']}"
    if m["change"] is not None:
        text += f"{_W[lang]['lp']}{_qty(m['change'], m['change_unit'], lang, signed=True)}{_W[lang]['rp']}"
    return text


def _status(side: dict | None, lang: str) -> str:
    if side is None:
        return _W[lang]["absent"]
    label = STATUS[lang].get(side["status"], side["status"])
    return label


def since_last_view(diff: dict, lang: str = "zh", knowledge: Any = None, names: dict[str, str] | None = None) -> dict:
    """The section's content in `lang`: an intro, the counts sentence and, per category, one line
    per finding (title, subject, status before → after, indicator movement)."""
    if lang not in TITLE:
        raise ValueError("lang must be zh or en")
    knowledge = knowledge if knowledge is not None else _default_knowledge()
    w, names = _W[lang], names or {}
    b, a = diff["before"], diff["after"]
    rb, ra = diff["summary"]["before"].get("compliance_rate"), diff["summary"]["after"].get("compliance_rate")
    rate = lambda r: "—" if r is None else format_quantity(r, "%", lang)
    if lang == "zh":
        intro = (f"上次评估：{b['year']} 年数据，规则集 {b['ruleset']}；本次评估：{a['year']} 年数据，规则集 {a['ruleset']}。"
                 f"合规检查达标率 {rate(rb)} → {rate(ra)}。")
        if not diff["same_ruleset"]:
            intro += "两次评估所用的规则集或基准配置不同，部分变化可能来自规则而非园区数据。"
    else:
        intro = (f"Last assessment: {b['year']} data, ruleset {b['ruleset']}; this assessment: {a['year']} data, "
                 f"ruleset {a['ruleset']}. Compliance rate {rate(rb)} → {rate(ra)}.")
        if not diff["same_ruleset"]:
            intro += (" The two assessments used different rulesets or benchmark profiles, so some changes may "
                      "come from the rules rather than the park's data.")
    counts = [f"{_COUNT[lang][c]} {diff['counts'][c]} {'项' if lang == 'zh' else ''}".strip()
              for c in LISTED if diff["counts"].get(c)]
    sentence = (w["list"].join(counts) + w["end"]) if counts else w["none"]
    if counts and lang == "en":
        sentence = sentence[0].upper() + sentence[1:]
    groups = []
    for cat in LISTED:
        items = []
        for e in diff["findings"]:
            if e["category"] != cat or e["folded_into"]:
                continue
            subject = subject_label(e["id"], lang, names, knowledge)
            title = (e.get("title") or {}).get(lang) or ""
            change = f"{_status(e['before'], lang)} → {_status(e['after'], lang)}"
            if cat == "persisting":
                change = _status(e["after"], lang) + ("（两次均是）" if lang == "zh" else " both times")
            elif cat in ("proposed", "withdrawn"):
                change = ""
            elif cat == "changed_severity":
                change = (f"{w['severity']} {_SEV[lang].get(e['before']['severity'], '')} → "
                          f"{_SEV[lang].get(e['after']['severity'], '')}")
            movements = [_movement(m, lang, knowledge) for m in e["indicators"]]
            if subject and any(m.startswith(subject + " ") for m in movements):
                subject = ""                    # the movement names it
            items.append({"title": title, "subject": subject, "change": change, "movements": movements})
        if items:
            groups.append({"category": cat, "label": CATEGORY_LABELS[lang][cat], "items": items})
    return {"lang": lang, "title": TITLE[lang], "intro": intro, "counts": sentence, "groups": groups}


def _markdown(view: dict, heading: bool) -> str:
    w = _W[view["lang"]]
    out = [f"## {view['title']}", ""] if heading else []
    out += [view["intro"], "", view["counts"], ""]
    for g in view["groups"]:
        out += [f"**{g['label']}**", ""]
        for it in g["items"]:
            head = f"**{it['title']}**" + (f"{w['lp']}{it['subject']}{w['rp']}" if it["subject"] else "")
            tail = [t for t in [it["change"], *it["movements"]] if t]
            line = f"- {head}" + (w["colon"] + w["sep"].join(tail) if tail else "")
            out.append(line.replace("\n", " ") + w["end"])
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _html(view: dict, heading: bool) -> str:
    w = _W[view["lang"]]
    out = ['<section class="since-last" id="since-last">']
    if heading:
        out.append(f"<h2>{escape(view['title'])}</h2>")
    out += [f"<p>{escape(view['intro'])}</p>", f"<p>{escape(view['counts'])}</p>"]
    for g in view["groups"]:
        out.append(f'<h3 data-category="{g["category"]}">{escape(g["label"])}</h3>')
        out.append("<ul>")
        for it in g["items"]:
            head = f"<strong>{escape(it['title'])}</strong>"
            if it["subject"]:
                head += escape(f"{w['lp']}{it['subject']}{w['rp']}")
            tail = [t for t in [it["change"], *it["movements"]] if t]
            line = head + (escape(w["colon"] + w["sep"].join(tail)) if tail else "")
            out.append(f"<li>{line}{escape(w['end'])}</li>")
        out.append("</ul>")
    out.append("</section>")
    return "\n".join(out) + "\n"


def render_since_last(diff: dict, *, fmt: str = "markdown", lang: str = "zh", knowledge: Any = None,
                      names: dict[str, str] | None = None, heading: bool = True) -> str:
    """The section as Markdown or an HTML fragment (`<section>`, no page around it).

    Args:
        diff: `diff_results(before, after)`.
        fmt: "markdown" or "html".
        lang: "zh" or "en".
        knowledge: for indicator names (default: knowledge/).
        names: words for fact ids (`ent:X` -> the enterprise's name), as the dossier builds them.
        heading: start with the section's own heading (the dossier numbers its own).

    Raises:
        ValueError: an unknown format or language.
    """
    if fmt not in ("markdown", "html"):
        raise ValueError("format must be markdown or html")
    view = since_last_view(diff, lang, knowledge, names)
    return _markdown(view, heading) if fmt == "markdown" else _html(view, heading)


def subject_names(results: list[dict], parks: list[Any], lang: str) -> dict[str, str]:
    """Words for the subjects of both results' findings: each finding's title (a diagnosis names
    the finding it diagnoses) and, from the parks' facts when at hand, enterprises' names and
    targets' titles (the later park wins)."""
    from .dossier.data import _names
    out: dict[str, str] = {}
    for result, park in zip(results, parks):
        out.update(_names(result, park, lang))
    return out
