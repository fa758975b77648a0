"""The plan's targets for the planner's brief: progress, the planned path (IM-C-001, clause 7.3)
and reachability at the pace of the data (IM-C-012, clause 5.6), with the historical and required
annual rates.

The verdicts come from the result. The numbers in the table are recomputed with the engine's own
`target_progress` over the result's `derived` series and the park's plan (baseline, target value
and year are facts of the park, not of the result); without the park the table shows the verdicts
and their explanations alone.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .numfmt import quantity
from .words import STATUS, WORDS

__all__ = ["target_rows"]

_PATH_RULE, _REACH_RULE = "IM-C-001", "IM-C-012"


def _by_year(result: dict) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for year, values in (result.get("derived") or {}).items():
        out[int(year)] = {name: SimpleNamespace(value=d.get("value"), undefined=d.get("undefined"),
                                                missing=list(d.get("missing", [])))
                          for name, d in values.items() if isinstance(d, dict)}
    return out


def _rate(value: float | None, kind: str, unit: str, lang: str) -> str:
    if value is None:
        return "—"
    if kind == "compound":
        return quantity(value, "%/a", lang)
    return quantity(value, "pp/a" if unit == "%" else f"{unit}/a", lang)       # as {t.required_rate:qty}


def _numbers(t: Any, result: dict, knowledge: Any, lang: str, by_year: dict) -> dict:
    from ...indicators.targets import target_progress
    meta = knowledge.indicators.get(t.indicator) if knowledge is not None else None
    latest_year = int(result.get("year") or max(by_year))
    if meta is None or latest_year not in by_year:
        return {}
    try:
        p, _missing = target_progress(t, by_year, knowledge, latest_year)
    except (KeyError, ValueError, ZeroDivisionError, TypeError):
        return {}
    unit = meta.unit
    direction = {"decrease": "↓", "increase": "↑"}.get(p.get("direction", ""), "")
    return {
        "indicator": meta.name.get(lang), "direction": direction,
        "baseline": f"{quantity(t.baseline_value, unit, lang, as_set=True)} ({t.baseline_year})",
        "latest": f"{quantity(p.get('latest_value'), unit, lang)} ({latest_year})" if "latest_value" in p else "—",
        "target_value": f"{quantity(t.target_value, unit, lang, as_set=True)} ({t.target_year})",
        "progress": quantity(p.get("progress"), "%", lang) if p.get("progress") is not None else "—",
        "path_value": quantity(p.get("path_value"), unit, lang) if p.get("path_value") is not None else "—",
        "historical_rate": _rate(p.get("historical_rate"), p.get("rate_kind", ""), unit, lang)
        + ((f"（自 {p['history_from']} 年）" if lang == "zh" else f" (since {p['history_from']})")
           if p.get("history_from") else ""),
        "required_rate": _rate(p.get("required_rate"), p.get("rate_kind", ""), unit, lang),
        "projected": quantity(p.get("projected_value"), unit, lang) if p.get("projected_value") is not None else "—",
        "progress_value": p.get("progress"),
    }


def target_rows(result: dict, knowledge: Any, lang: str, park: Any = None) -> list[dict]:
    """One row per target: its verdicts on the path and on reachability (status and explanation),
    and with the park the numbers behind them."""
    verdicts: dict[str, dict[str, dict]] = {}
    for f in result.get("findings", []):
        if f.get("rule") in (_PATH_RULE, _REACH_RULE) and "@target:" in f.get("id", ""):
            verdicts.setdefault(f["id"].split("@target:", 1)[1], {})[f["rule"]] = f
    plan_targets = {t.id: t for t in ((park.plan.targets or []) if park is not None and park.plan else [])}
    by_year = _by_year(result) if plan_targets else {}
    order = list(plan_targets) + [tid for tid in sorted(verdicts) if tid not in plan_targets]
    rows = []
    for tid in order:
        t = plan_targets.get(tid)
        found = verdicts.get(tid, {})
        if t is None and not found:
            continue
        row = {"id": tid, "title": (t.title if t is not None and t.title else ""), "numbers": {}}
        if t is not None:
            row["numbers"] = _numbers(t, result, knowledge, lang, by_year)
        for key, rule in (("path", _PATH_RULE), ("reach", _REACH_RULE)):
            f = found.get(rule)
            row[key] = {"status": f.get("status", "") if f else "",
                        "status_label": STATUS[lang].get(f.get("status", ""), "") if f else "—",
                        "explanation": (f.get("explanation") or {}).get(lang, "") if f else ""}
        if not row["title"]:
            row["title"] = row["numbers"].get("indicator", "") or (WORDS[lang]["target"] + " " + tid)
        rows.append(row)
    return rows
