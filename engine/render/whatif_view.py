"""A what-if (`engine.cycles.whatif`) for people: the changes made, how the summary moves and the
findings that flip, as Markdown or as a terminal view (rich). Always headed as a simulation."""
from __future__ import annotations

from typing import Any

from ..facts.vocabulary import VALUE_LABELS
from .dossier.numfmt import quantity
from .labels import STATUS

__all__ = ["whatif_markdown", "whatif_renderable", "CATEGORY_WORDS"]

CATEGORY_WORDS = {
    "regressed": {"zh": "退步", "en": "regressed"}, "new": {"zh": "新出现", "en": "new"},
    "changed_severity": {"zh": "严重度变化", "en": "severity changed"},
    "status_changed": {"zh": "状态变化", "en": "status changed"}, "resolved": {"zh": "解决", "en": "resolved"},
    "improved": {"zh": "数据补足后达标", "en": "now met"}, "added": {"zh": "新增（达标或不适用）", "en": "added (met or n/a)"},
    "dropped": {"zh": "不再出现", "en": "gone"}, "proposed": {"zh": "新提出的措施", "en": "measure proposed"},
    "withdrawn": {"zh": "不再需要的措施", "en": "measure withdrawn"},
}
_STATUS_ORDER = ("met", "not_met", "insufficient_data", "not_applicable", "problem", "recommended")
_W = {
    "zh": {"title": "情景模拟", "note": "模拟结果，不是评估决定，未写入决定日志", "park": "园区", "ruleset": "规则集",
           "profile": "基准配置", "changes": "假设的变化", "path": "字段", "before": "现状", "after": "模拟",
           "summary": "汇总变化", "rate": "达标率", "coverage": "判定覆盖率", "decided": "已判定检查",
           "flips": "结论变化的检查发现", "none": "没有检查发现的结论发生变化。", "change": "变化",
           "finding": "检查发现", "status": "状态", "indicators": "相关指标", "conclusion_after": "模拟后的总体结论", "unknown": "未知",
           "no_item": "（无，新增）", "removed": "（移除）",
           "absent": "（无）"},
    "en": {"title": "What-if", "note": "a simulation, not an assessment decision; not written to the decision log",
           "park": "Park", "ruleset": "Ruleset", "profile": "profile", "changes": "Changes assumed", "path": "Field",
           "before": "now", "after": "simulated", "summary": "How the summary moves", "rate": "Compliance rate",
           "coverage": "Checks decided (coverage)", "decided": "Checks decided", "flips": "Findings that flip",
           "none": "No finding changes its verdict.", "change": "change", "finding": "Finding", "status": "Status",
           "indicators": "Indicators", "conclusion_after": "Overall conclusion, simulated", "unknown": "unknown",
           "no_item": "(none: added)", "removed": "(removed)",
           "absent": "(none)"},
}


def _value(v: Any, unit: str | None, lang: str) -> str:
    if v is None:
        return _W[lang]["unknown"]
    if isinstance(v, (bool, int, float)):
        return quantity(v, unit, lang)      # a flag reads 是/否, yes/no
    if isinstance(v, str):
        return (VALUE_LABELS.get(v) or {}).get(lang, v)
    if isinstance(v, dict):                 # a whole item or object: what names it
        words = v.get("name") or v.get("title")
        key = next((str(v[k]) for k in ("id", "year") if v.get(k) is not None), None)
        if words and key:
            return f"{words}（{key}）" if lang == "zh" else f"{words} ({key})"
        if words or key:
            return str(words or key)
        return f"{len(v)} 项数据" if lang == "zh" else f"{len(v)} fields"
    if isinstance(v, list):
        if not v:                           # a list reported empty, unlike one unknown
            return _W[lang]["absent"]
        return "、".join(_value(x, unit, lang) for x in v) if lang == "zh" else \
            ", ".join(_value(x, unit, lang) for x in v)
    return str(v)


def _side(x: dict, which: str, lang: str) -> str:
    """A change's value before or after: an item added had none, an item removed has none."""
    if x.get("change") == "added" and which == "before":
        return _W[lang]["no_item"]
    if x.get("change") == "removed" and which == "after":
        return _W[lang]["removed"]
    return _value(x[which], x.get("unit"), lang)


def _status(side: dict | None, lang: str) -> str:
    if not side:
        return _W[lang]["absent"]
    return STATUS[lang].get(side.get("status"), side.get("status") or "—")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _signed(v: float | None, unit: str) -> str:
    return "—" if v is None else f"{v:+.1f}{unit}" if isinstance(v, float) else f"{v:+d}{unit}"


def _coverage(side: dict) -> str:
    """`91.3% (94/103)`: decided of the compliance verdicts that apply."""
    total = (side["decided"] or 0) + (side["undecided"] or 0)
    return f"{_pct(side['coverage'])} ({side['decided']}/{total})"


def _sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _movement(e: dict, lang: str) -> str:
    parts = []
    for m in e.get("indicators") or []:
        name = (m.get("name") or {}).get(lang) or m["indicator"]
        unit = m.get("unit")
        parts.append(f"{name} {_value(m.get('before'), unit, lang)} → {_value(m.get('after'), unit, lang)}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def _rows(w: dict, lang: str) -> dict[str, list[list[str]]]:
    """The cells of each table, shared by Markdown and the terminal."""
    t, s = _W[lang], w["summary"]
    b, a, c = s["before"], s["after"], s["change"]
    pp = "个百分点" if lang == "zh" else " pp"
    summary = [[t["rate"], _pct(b["compliance_rate"]), _pct(a["compliance_rate"]),
                _signed(c["compliance_rate"], pp)],
               [t["coverage"], _coverage(b), _coverage(a), _signed(c["coverage"], pp)]]
    order = [k for k in _STATUS_ORDER if k in c["by_status"]] + [k for k in c["by_status"] if k not in _STATUS_ORDER]
    for status in order:
        delta = c["by_status"][status]
        summary.append([STATUS[lang].get(status, status), str(b["by_status"].get(status, 0)),
                        str(a["by_status"].get(status, 0)), _signed(delta, "")])
    changes = [[x["path"], _side(x, "before", lang), _side(x, "after", lang)] for x in w["changes"]]
    flips = [[(CATEGORY_WORDS.get(e["category"]) or {}).get(lang, e["category"]),
              (e.get("title") or {}).get(lang, ""), f"{_status(e['before'], lang)} → {_status(e['after'], lang)}",
              _movement(e, lang)] for e in (_shown(w["flips"]))]
    return {"summary": summary, "changes": changes, "flips": flips}


def _shown(flips: list[dict]) -> list[dict]:
    """The flips to list: those that restate another (`folded_into`) only when nothing else flips."""
    return [e for e in flips if not e.get("folded_into")] or flips


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    esc = [[c.replace("|", "\\|") for c in r] for r in rows]
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *("| " + " | ".join(r) + " |" for r in esc)]


def whatif_markdown(w: dict, lang: str = "zh") -> str:
    """The what-if as Markdown."""
    t, rows = _W[lang], _rows(w, lang)
    rs = w.get("ruleset") or {}
    out = [f"# {t['title']}{_sep(lang)}{w.get('park_name') or w['park_id']}", "",
           f"> **{t['note']}**", "",
           f"{t['ruleset']} {rs.get('version')} · {t['profile']} {rs.get('profile')}", "",
           f"## {t['changes']}", "", *_md_table([t["path"], t["before"], t["after"]], rows["changes"]), "",
           f"## {t['summary']}", "", *_md_table(["", t["before"], t["after"], t["change"]], rows["summary"]), ""]
    conclusion = (w["summary"]["after"].get("conclusion") or {}).get(lang)
    if conclusion:
        out += [f"{t['conclusion_after']}{_sep(lang)}{conclusion}", ""]
    out += [f"## {t['flips']}", ""]
    out += _md_table(["", t["finding"], t["status"], t["indicators"]], rows["flips"]) if rows["flips"] else [t["none"]]
    return "\n".join(out) + "\n"


def whatif_renderable(w: dict, lang: str = "zh") -> Any:
    """The what-if as a rich renderable for the terminal."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text
    t, rows = _W[lang], _rows(w, lang)

    def table(title: str, head: list[str], body: list[list[str]]) -> Table:
        tab = Table(title=title, title_justify="left", show_lines=False)
        for h in head:
            tab.add_column(h, overflow="fold")
        for r in body:
            tab.add_row(*(Text(c) for c in r))     # cells are plain text: `[year=2024]` is not markup
        return tab
    rs = w.get("ruleset") or {}
    parts: list[Any] = [Text(f"{t['title']}{_sep(lang)}{w.get('park_name') or w['park_id']}", style="bold"),
                        Text(t["note"], style="bold yellow"),
                        Text(f"{t['ruleset']} {rs.get('version')} · {t['profile']} {rs.get('profile')}"),
                        table(t["changes"], [t["path"], t["before"], t["after"]], rows["changes"]),
                        table(t["summary"], ["", t["before"], t["after"], t["change"]], rows["summary"])]
    conclusion = (w["summary"]["after"].get("conclusion") or {}).get(lang)
    if conclusion:
        parts.append(Text(f"{t['conclusion_after']}{_sep(lang)}{conclusion}"))
    if rows["flips"]:
        parts.append(table(t["flips"], ["", t["finding"], t["status"], t["indicators"]],
                           rows["flips"]))
    else:
        parts.append(Text(t["none"]))
    return Group(*parts)
