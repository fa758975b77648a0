"""Each yearly indicator as a ratio of two linear forms in the park facts of its year, so that a
required value can be solved for any one input exactly (`engine.indicators.to_comply`).

    value = scale x (Σ n_i x_i) / (Σ d_i x_i + d_0)

Every indicator a threshold check judges is of this kind: sums (energy total, CO2), shares
(part ÷ whole, the part inside the whole), per-unit intensities and productivities; and so are
the reported amounts plan targets are set on (coal and natural gas used, PV and storage capacity). The
coefficients are the ones `engine.indicators.yearly` uses (GB/T 2589 coefficients, emission
factors, the grid factor of the data year, the park's own factors and accounting choices), taken
from the same `YearCalculator`, and `Form.value()` is checked against the computed indicator
before anything is solved: a form that does not reproduce the indicator is not used.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..facts.models import CARRIERS, Park, YearData
from .yearly import CARRIER_UNIT, FUELS, YearCalculator

__all__ = ["Term", "Form", "YearForms", "FIELD_UNIT", "FORM_NAMES"]

FIELD_UNIT = {**{f"energy.{c}": u for c, u in CARRIER_UNIT.items()},
              "economy.industrial_value_added": "万元", "economy.gdp": "万元", "economy.employees": "persons",
              "water.fresh_withdrawal": "m3", "water.reused": "m3", "water.reclaimed_used": "m3",
              "water.wastewater_discharged": "m3", "solid_waste.general_generated": "t",
              "solid_waste.general_utilised": "t", "solid_waste.hazardous_generated": "t",
              "solid_waste.hazardous_managed": "t", "developed_land": "km2", "air_quality_good_days": "%",
              "waste_heat_recovery": "%", "capacity.pv": "MW", "capacity.storage": "MWh"}

_IVA, _GDP = "economy.industrial_value_added", "economy.gdp"
FORM_NAMES = frozenset({
    "energy_total_tce", "renewable_share", "non_fossil_share", "clean_energy_share", "coal_share", "fuel_oil_share",
    "renewable_electricity_share", "energy_intensity", "energy_productivity", "energy_intensity_gdp",
    "water_reuse_rate", "reclaimed_water_rate", "water_productivity", "water_intensity", "wastewater_intensity",
    "solid_waste_utilisation", "hazardous_waste_managed", "land_productivity", "value_added_per_employee",
    "air_quality_good_days", "waste_heat_recovery", "co2_total", "co2_per_tce", "carbon_intensity",
    "carbon_intensity_gdp", "coal_use", "natural_gas_use", "pv_capacity", "storage_capacity"})


@dataclass(frozen=True)
class Term:
    """One input fact: its field (`energy.coal`), current value, and coefficients in N and D."""

    field: str
    value: float
    num: float
    den: float


class Form:
    """`scale × N / D`, N = Σ num·x, D = Σ den·x + den_const, at the facts' current values."""

    __slots__ = ("terms", "den_const", "scale", "numerator", "denominator", "simple")

    def __init__(self, terms: tuple[Term, ...], den_const: float = 0.0, scale: float = 1.0):
        self.terms, self.den_const, self.scale = terms, den_const, scale
        self.numerator = sum(t.num * t.value for t in terms)
        self.denominator = sum(t.den * t.value for t in terms) + den_const
        # one fact over one fact (or over a constant): evaluated with exactly the operations of
        # the indicator code, so a value on the boundary is on it there too
        self.simple = (sum(1 for t in terms if t.num) <= 1 and sum(1 for t in terms if t.den) <= 1
                       and all(t.num in (0.0, 1.0) and t.den in (0.0, 1.0) for t in terms)
                       and den_const in (0.0, 1.0))

    def value(self, field: str | None = None, delta: float = 0.0) -> float | None:
        """The indicator with `field` changed by `delta` (None: a zero or negative base)."""
        n, d = self.numerator, self.denominator
        for t in self.terms:
            if t.field == field:
                n, d = n + t.num * delta, d + t.den * delta
        return None if d <= 0 else n / d * self.scale        # the order Derived.divide uses


def _get(y: YearData, field: str) -> float | None:
    if field.startswith("energy."):
        return y.energy.amount(field[7:])
    obj = y
    for part in field.split("."):
        obj = getattr(obj, part)
    return None if obj is None else float(obj)


class YearForms:
    """The forms of one year's indicators; coefficients and factors looked up once.

    Args:
        idx: the year's index in `park.years` (its park-file path is `years[idx]`).
    """

    def __init__(self, park: Park, y: YearData, idx: int, knowledge):
        self.y, self.idx = y, idx
        self._calc = YearCalculator(park, y, idx, knowledge)
        self._co2: dict[str, float] | None = None
        calc = self._calc
        self.total = {f"energy.{c}": calc.coefficient(c)[0].value for c in CARRIERS}
        self._forms: dict[str, Form | None] = {}

    def form(self, name: str) -> Form | None:
        """`name` in this year as a Form; None when the indicator is not a ratio of linear forms
        here, or an input is unknown."""
        if name not in self._forms:
            self._forms[name] = self._build(name)
        return self._forms[name]

    def _build(self, name: str) -> Form | None:
        spec = _spec(name, self)
        if spec is None:
            return None
        num, den, den_const, scale = spec
        terms = []
        for field in dict.fromkeys([*num, *den]):
            n, d = num.get(field, 0.0), den.get(field, 0.0)
            value = _get(self.y, field)
            if value is None:
                return None
            if n or d:
                terms.append(Term(field, value, n, d))
        return Form(tuple(terms), den_const, scale)

    def energy(self, carriers: tuple[str, ...]) -> dict[str, float]:
        return {f"energy.{c}": self.total[f"energy.{c}"] for c in carriers}

    @property
    def co2(self) -> dict[str, float]:
        if self._co2 is None:
            calc = self._calc
            out = {f"energy.{c}": calc._emission_factor(c).value for c in FUELS}
            if calc.park.accounting.scope2 == "location_based":
                out["energy.purchased_electricity"] = calc._grid_factor().value
            else:
                resid = calc._residual_factor().value
                out["energy.purchased_electricity"] = resid
                out["energy.green_electricity"] = -resid
            out["energy.purchased_heat"] = calc._emission_factor("purchased_heat").value
            self._co2 = out
        return self._co2


def _one(field: str) -> dict[str, float]:
    return {field: 1.0}


def _spec(name: str, yf: YearForms):
    """(numerator, denominator, denominator constant, scale) of `name`, or None."""
    if name not in FORM_NAMES:
        return None
    total = yf.total
    e = total["energy.purchased_electricity"]
    renewable = {"energy.onsite_renewable_generation": e, "energy.green_electricity": e}
    if name in _CARBON:
        c = yf.co2
        return {"co2_total": (c, {}, 1.0, 1.0), "co2_per_tce": (c, total, 0.0, 1.0),
                "carbon_intensity": (c, _one(_IVA), 0.0, 1.0), "carbon_intensity_gdp": (c, _one(_GDP), 0.0, 1.0)}[name]
    if name == "renewable_share" or name == "non_fossil_share":
        return renewable, total, 0.0, 100.0
    if name == "clean_energy_share":
        return yf.energy(("natural_gas", "lpg", "purchased_electricity", "onsite_renewable_generation")), total, 0.0, 100.0
    if name == "coal_share":
        return yf.energy(("coal", "coke")), total, 0.0, 100.0
    if name == "fuel_oil_share":
        return yf.energy(("fuel_oil",)), total, 0.0, 100.0
    return _TABLE[name] if name in _TABLE else {
        "energy_total_tce": (total, {}, 1.0, 1.0),
        "energy_intensity": (total, _one(_IVA), 0.0, 1.0),
        "energy_productivity": (_one(_IVA), total, 0.0, 1.0),
        "energy_intensity_gdp": (total, _one(_GDP), 0.0, 1.0)}[name]


_CARBON = ("co2_total", "co2_per_tce", "carbon_intensity", "carbon_intensity_gdp")
_TABLE = {   # forms with no coefficient: the same whatever the year
    "renewable_electricity_share": ({"energy.green_electricity": 1.0, "energy.onsite_renewable_generation": 1.0},
                                    {"energy.purchased_electricity": 1.0, "energy.onsite_renewable_generation": 1.0},
                                    0.0, 100.0),
    "water_reuse_rate": (_one("water.reused"), {"water.reused": 1.0, "water.fresh_withdrawal": 1.0}, 0.0, 100.0),
    "reclaimed_water_rate": (_one("water.reclaimed_used"), {"water.reclaimed_used": 1.0,
                                                            "water.wastewater_discharged": 1.0}, 0.0, 100.0),
    "water_productivity": (_one(_IVA), _one("water.fresh_withdrawal"), 0.0, 1e4),
    "water_intensity": (_one("water.fresh_withdrawal"), _one(_IVA), 0.0, 1.0),
    "wastewater_intensity": (_one("water.wastewater_discharged"), _one(_IVA), 0.0, 1.0),
    "solid_waste_utilisation": (_one("solid_waste.general_utilised"), _one("solid_waste.general_generated"),
                                0.0, 100.0),
    "hazardous_waste_managed": (_one("solid_waste.hazardous_managed"), _one("solid_waste.hazardous_generated"),
                                0.0, 100.0),
    "land_productivity": (_one(_IVA), _one("developed_land"), 0.0, 1e-4),
    "value_added_per_employee": (_one(_IVA), _one("economy.employees"), 0.0, 1.0),
    "air_quality_good_days": (_one("air_quality_good_days"), {}, 1.0, 1.0),
    "waste_heat_recovery": (_one("waste_heat_recovery"), {}, 1.0, 1.0),
    # reported amounts a plan may set a target on (coal cut, gas for coal, PV and storage built)
    "coal_use": (_one("energy.coal"), {}, 1.0, 1.0),
    "natural_gas_use": (_one("energy.natural_gas"), {}, 1.0, 1.0),
    "pv_capacity": (_one("capacity.pv"), {}, 1.0, 1.0),
    "storage_capacity": (_one("capacity.storage"), {}, 1.0, 1.0),
}
