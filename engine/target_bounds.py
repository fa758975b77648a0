"""The bound a plan target's latest value must reach for its verdict to turn met: the planned path
(IM-C-001, `on_path`) and reachability at the pace of the data series (IM-C-012, `reachable`).

The bound is read off `engine.indicators.targets.target_progress`, the function that makes the
target's engine fact, so it is the verdict's own arithmetic (docs/result.md, "to_comply"). L is
the latest value, T the target value, d the direction (decrease: `<=`, increase: `>=`, both
inclusive, `targets._meets`); "the looser of a and b" is max for a decrease, min for an increase.

* `on_path = achieved or L d path_value` with `achieved = L d T`, so the bound is the looser of
  the target fact's `path_value` (the planned path in the latest data year; share 1, the path's
  end, once the target year is reached) and T. Exact: the same numbers the rule compares.
* `reachable`: once the target year is reached (`due`), `achieved` alone: the bound is T (exact).
  Before it, `achieved or projected d T`, projected from L at the average pace since the first
  year with a value F (`history_from`), m = latest year − first year, n = target year − latest
  year (both > 0):

  - linear: rate = (L − F) / m, projected = L + n·rate = ((m + n)·L − n·F) / m, increasing in L;
    projected d T  <=>  L d (m·T + n·F) / (m + n);
  - compound: rate = (L/F)^(1/m) − 1, projected = L·(L/F)^(n/m) = L^((m+n)/m) · F^(−n/m),
    increasing in L > 0; projected d T  <=>  L d F^(n/(m+n)) · T^(m/(m+n))  (F, T > 0; with
    F <= 0 the pace is undefined and the verdict unknown, with T <= 0 no positive L projects to it).

  The bound is the looser of that and T (`achieved` also counts). Not exact: the code's powers and
  quotients are not the bound's, so a value landing on it may fall either side by a rounding; the
  solver clears it by more than float noise.
"""
from __future__ import annotations

from dataclasses import dataclass

from .facts.models import Target
from .indicators.compute import Indicators
from .indicators.targets import target_progress

__all__ = ["TargetBound", "target_bound", "VERDICT_FIELDS"]

VERDICT_FIELDS = ("on_path", "reachable")


@dataclass(frozen=True)
class TargetBound:
    """`indicator` (latest year) `op` `value` turns the verdict met; `basis` says what `value` is
    ({zh, en}); `exact`: `value` is the verdict's own number (a value on it is met)."""

    indicator: str
    op: str
    value: float
    basis: dict
    exact: bool


def target_bound(verdict: str, t: Target, ind: Indicators, knowledge) -> TargetBound | None:
    """The bound for `verdict` (`on_path` or `reachable`) of target `t`; None when the target fact
    leaves it unknown (no latest value, a pace that is undefined)."""
    if t.indicator not in knowledge.indicators:
        return None
    p, _missing = target_progress(t, ind.by_year, knowledge, ind.latest_year)
    if "latest_value" not in p:
        return None
    decrease = p["direction"] == "decrease"
    op = "<=" if decrease else ">="
    looser = max if decrease else min
    target = t.target_value
    at_target = {"zh": f"{t.target_year} 年目标值", "en": f"the target value for {t.target_year}"}
    if verdict == "on_path":
        if "path_value" not in p:
            return None
        bound = looser(p["path_value"], target)
        on_path = not p["due"] and bound == p["path_value"] and bound != target
        basis = {"zh": f"计划路径 {ind.latest_year} 年值", "en": f"the planned path value for {ind.latest_year}"} \
            if on_path else at_target
        return TargetBound(t.indicator, op, bound, basis, True)
    if verdict != "reachable":
        return None
    if p["due"]:
        return TargetBound(t.indicator, op, target, at_target, True)
    first_year = p.get("history_from")
    if first_year is None:
        return None
    first = ind.by_year[first_year][t.indicator].value
    m, n = ind.latest_year - first_year, t.target_year - ind.latest_year
    trend = trend_bound(first, target, m, n, p["rate_kind"])
    if trend is None:
        return None
    bound = looser(trend, target)
    if bound == target:
        return TargetBound(t.indicator, op, target, at_target, True)
    basis = {"zh": f"按 {first_year} 年以来的年均变化可于 {t.target_year} 年达到目标的临界值",
             "en": f"the value from which the average pace since {first_year} reaches the target by {t.target_year}"}
    return TargetBound(t.indicator, op, bound, basis, False)


def trend_bound(first: float, target: float, m: int, n: int, kind: str) -> float | None:
    """The latest value L from which the pace from `first` (m years before L) projected n years on
    reaches `target` exactly (module doc); None where the pace is undefined."""
    if m <= 0 or n <= 0:
        return None
    if kind == "compound":
        if first <= 0 or target <= 0:
            return None
        return first ** (n / (m + n)) * target ** (m / (m + n))
    return (m * target + n * first) / (m + n)
