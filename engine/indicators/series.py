"""Change over years: how fast an indicator moves, by the kind of quantity it is.

Intensities, productivities and other ratios change by a **compound** rate (% a year: 0.80 ->
0.72 in two years is -5.1 %/a); shares, capacities, counts and tonnages change **linearly** (their
own unit a year: 20 % -> 26 % in two years is +3 percentage points a year). An indicator's kind is
its `rate` in knowledge/indicators.yaml; one table, so a target and a trend of the same indicator
are always measured the same way.
"""
from __future__ import annotations

from typing import Literal

__all__ = ["Kind", "annual_rate", "project", "path_value", "RATE_UNIT"]

Kind = Literal["compound", "linear"]
RATE_UNIT = {"compound": "%/a"}   # linear: the indicator's own unit per year


def annual_rate(first: float, last: float, years: float, kind: Kind) -> float | None:
    """Average annual change from `first` to `last` over `years` (> 0): %/a for compound, unit/a
    for linear. None when a compound rate is undefined (a value <= 0)."""
    if kind == "compound":
        if first <= 0 or last <= 0:
            return None
        return ((last / first) ** (1 / years) - 1) * 100
    return (last - first) / years


def project(value: float, rate: float, years: float, kind: Kind) -> float:
    """`value` after `years` more years at `rate` (as `annual_rate` gives it)."""
    if kind == "compound":
        return value * (1 + rate / 100) ** years
    return value + rate * years


def path_value(baseline: float, target: float, share: float, kind: Kind) -> float:
    """Where the planned path from `baseline` to `target` stands after `share` (0-1) of the
    period: geometric for compound quantities (a constant % a year), straight for linear ones."""
    if kind == "compound" and baseline > 0 and target > 0:
        return baseline * (target / baseline) ** share
    return baseline + (target - baseline) * share
