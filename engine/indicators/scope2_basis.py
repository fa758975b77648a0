"""The CO2 indicators on the scope-2 basis the park did not choose, for its plan targets.

The carbon indicators use the scope-2 basis `accounting.scope2` chooses (location- or
market-based); the standards leave the choice open, and which basis a provincial assessment
credits is not settled (docs/reviews/2026-12-06-third-example-park.md, item 1). A target met on
one basis only is met on that choice, and its verdict says so: `other_basis_series` gives the
target's indicator on the other basis, year by year, for `target_progress` to judge it again.

Each of these indicators is the year's CO2 total (scope 1 + 2) over a quantity the basis does not
change (itself, industrial value added, GDP, the energy total), so on the other basis it is its
value scaled by the ratio of the two totals of the year's inventory.
"""
from __future__ import annotations

from .compute import Indicators
from .derived import Derived

__all__ = ["other_basis_series", "CO2_TOTAL_RATIOS", "OTHER_BASIS"]

CO2_TOTAL_RATIOS = frozenset({"co2_total", "carbon_intensity", "carbon_intensity_gdp", "co2_per_tce"})
OTHER_BASIS = {"location_based": "market_based", "market_based": "location_based"}
_TOTAL = {"location_based": "total_location_t", "market_based": "total_market_t"}


def other_basis_series(ind: Indicators, indicator: str) -> tuple[str, dict[int, dict[str, Derived]]] | None:
    """(the other basis, year -> {indicator: its value on that basis}) for an indicator over the CO2
    total, else None. A year whose other total is unknown has no value on it (`missing` says which
    total); a zero total on the chosen basis cannot be scaled and is left unknown too."""
    if indicator not in CO2_TOTAL_RATIOS or not ind.inventory:
        return None
    other = OTHER_BASIS[ind.inventory[0]["basis"]]
    series: dict[int, dict[str, Derived]] = {}
    for inv in ind.inventory:
        dv = ind.by_year.get(inv["year"], {}).get(indicator)
        if dv is None:
            continue
        alt = Derived(name=indicator, year=dv.year, unit=dv.unit, formula=f"{dv.formula} [{other}]")
        chosen, total = inv.get("total_t"), inv.get(_TOTAL[other])
        if dv.undefined is not None:
            alt.undefined = dv.undefined
        elif dv.value is not None and total is not None and chosen:
            alt.value = dv.value * total / chosen
        else:
            alt.missing = list(dv.missing) or [f"derived.co2_total ({inv['year']}, {other})"]
        series[inv["year"]] = {indicator: alt}
    return other, series
