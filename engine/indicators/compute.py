"""Park facts -> derived indicators of every year and the GHG inventory (clause 6.11 asks for one).

    >>> ind = derive(load_park("examples/coal_chemical_park.yaml"), load_knowledge())  # doctest: +SKIP
    >>> ind.get("co2_per_tce").value                                                  # doctest: +SKIP

Per year (`engine.indicators.yearly`): energy in tonnes of standard coal (GB/T 2589 当量值; the
natural-gas coefficient as the park's accounting chooses), CO2 scope 1 + 2 (both scope-2 bases),
resource, pollution and economic ratios. For the latest year, also the park-wide indicators and
each key indicator's average annual change over the series (`engine.indicators.park_wide`).
Nothing unreported is counted as zero: see `Derived`.
"""
from __future__ import annotations

from ..facts.models import Park
from .derived import Derived
from .park_wide import changes, park_wide
from .yearly import FUELS, YearCalculator

__all__ = ["derive", "Indicators", "FUELS"]


class Indicators:
    """Derived indicators of every year, the latest year's by name, and the GHG inventory."""

    def __init__(self, by_year: dict[int, dict[str, Derived]], inventory: list[dict], latest_year: int):
        self.by_year, self.inventory, self.latest_year = by_year, inventory, latest_year

    @property
    def latest(self) -> dict[str, Derived]:
        return self.by_year[self.latest_year]

    def get(self, name: str) -> Derived:
        return self.latest[name]


def derive(park: Park, knowledge) -> Indicators:
    """Every derived indicator of every reported year, plus the per-year GHG inventory."""
    index = {id(y): i for i, y in enumerate(park.years)}
    by_year: dict[int, dict[str, Derived]] = {}
    inventory = []
    prev: dict[str, Derived] | None = None
    for y in park.sorted_years():
        calc = YearCalculator(park, y, index[id(y)], knowledge)
        inventory.append(calc.run())
        if prev is not None:
            for name, dv in calc.out.items():
                if name in prev:
                    dv.previous = prev[name].value
        by_year[y.year] = prev = calc.out
    latest_year = park.latest.year
    park_wide(park, knowledge, by_year[latest_year], latest_year)
    changes(park, knowledge, by_year, latest_year)
    return Indicators(by_year, inventory, latest_year)
