"""Plan targets against the data: achieved, on the planned path (7.3), reachable at the pace of the
data series (5.6).

Every target has a direction: `decrease` (met at or below the target value), `increase` (at or
above), or `reach` (towards the target from the baseline, whichever way that is); by default the
indicator's own direction. Paces follow the indicator's kind (`engine.indicators.series`):
compound (%/a) for intensities and ratios, linear (unit/a) for shares, capacities, counts and
tonnages; the historical pace runs over the data series, first to latest year with a value, not
from the plan's stated baseline. A value the data leave unknown leaves the verdicts unknown.
"""
from __future__ import annotations

from ..facts.models import Target
from .derived import Derived
from .series import annual_rate, path_value, project

__all__ = ["target_progress", "resolve_direction"]


def resolve_direction(t: Target, indicator) -> str:
    """`decrease` or `increase`: the target's own, else the indicator's, else baseline -> target."""
    stated = t.direction.value if t.direction else None
    if stated in ("decrease", "increase"):
        return stated
    if stated is None and indicator.direction == "lower_better":
        return "decrease"
    if stated is None and indicator.direction == "higher_better":
        return "increase"
    return "decrease" if t.target_value < t.baseline_value else "increase"


def _meets(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "decrease" else value >= target


def _beyond(value: float, reference: float, direction: str) -> float:
    """How far `value` is past `reference` in the target's direction (negative: short of it)."""
    return reference - value if direction == "decrease" else value - reference


def target_progress(t: Target, by_year: dict[int, dict[str, Derived]], knowledge, latest_year: int) -> tuple[dict, dict]:
    """The target's engine-fact fields, and for each field that stays unknown the facts to collect."""
    meta = knowledge.indicators[t.indicator]
    kind = meta.rate
    direction = resolve_direction(t, meta)
    out: dict = {"direction": direction, "rate_kind": kind, "due": latest_year >= t.target_year,
                 "started": latest_year > t.baseline_year, "latest_year": latest_year,
                 "years_left": max(t.target_year - latest_year, 0)}
    span = t.target_year - t.baseline_year
    out["elapsed"] = min(max((latest_year - t.baseline_year) / span * 100, 0.0), 100.0)
    series = sorted((yr, vals[t.indicator]) for yr, vals in by_year.items() if t.indicator in vals)
    known = [(yr, d.value) for yr, d in series if d.value is not None]
    out["years_with_value"] = len(known)
    current = by_year[latest_year].get(t.indicator)
    missing: dict[str, list[str]] = {}
    if current is not None and current.undefined:      # a zero base: nothing to judge, nothing to collect
        out["undefined"] = f"{t.indicator}: {current.undefined}"
        return out, missing
    if current is None or current.value is None:
        why = current.missing if current is not None else [f"derived.{t.indicator} ({latest_year})"]
        for f in ("latest_value", "achieved", "on_path", "reachable", "assessable"):
            missing[f] = why
        return out, missing
    latest = current.value
    achieved = _meets(latest, t.target_value, direction)
    out.update(latest_value=latest, achieved=achieved, assessable=achieved or out["started"])
    # a U factor behind the latest value or the first of the series (the pace) makes the verdict indicative
    first_known = next(d for yr, d in series if d.value is not None)
    out["uses_unverified"] = any(getattr(d, "uses_unverified", False) for d in (current, first_known))
    if t.target_value != t.baseline_value:
        out["progress"] = (latest - t.baseline_value) / (t.target_value - t.baseline_value) * 100
    # 7.3: where the straight (for compound kinds: constant-rate) path from the baseline to the
    # target stands in the latest year, and whether the value is at or beyond it
    if out["started"] or achieved:
        share = min((latest_year - t.baseline_year) / span, 1.0) if out["started"] else 0.0
        out["path_value"] = path_value(t.baseline_value, t.target_value, share, kind)
        out["on_path"] = achieved or _meets(latest, out["path_value"], direction)
        out["path_margin"] = _beyond(latest, out["path_value"], direction)
    # 5.6: the pace of the data series, projected to the target year
    if not out["due"]:
        out["required_rate"] = annual_rate(latest, t.target_value, t.target_year - latest_year, kind)
        if out["required_rate"] is None:
            del out["required_rate"]
    first = known[0]
    if first[0] < latest_year:
        rate = annual_rate(first[1], latest, latest_year - first[0], kind)
        if rate is not None:
            out["historical_rate"] = rate
            out["history_from"] = first[0]
            out["trend_right_way"] = rate < 0 if direction == "decrease" else rate > 0
            if not out["due"]:
                out["projected_value"] = project(latest, rate, t.target_year - latest_year, kind)
                out["projected_margin"] = _beyond(out["projected_value"], t.target_value, direction)
    if achieved:
        out["reachable"] = True
    elif out["due"]:
        out["reachable"] = False
    elif "projected_value" in out:
        out["reachable"] = _meets(out["projected_value"], t.target_value, direction)
    else:
        missing["reachable"] = [f"years (a second year with {t.indicator} computable; only {len(known)} so far)"]
        for f in ("historical_rate", "projected_value", "projected_margin", "trend_right_way"):
            missing[f] = missing["reachable"]
    return out, missing
