"""Factors in canonical units, and the reading of factors written as published.

knowledge/ writes every factor in its source's own unit (`0.7143 kgce/kg`, `21.65 tCO2/1e4Nm3`,
`0.03412 kgce/MJ`); `convert_published` turns it into the engine's canonical compound unit (tce or
tCO2 per the carrier's canonical unit: t, m3, GJ, MWh) with the unit table of `engine.units`, so
no hand-converted number is ever written into a knowledge file.
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .models import Tag
from ..text import Text
from ..units import UnitError, canonical_unit, to_canonical

__all__ = ["Factor", "GridChoice", "CARRIER_DIMENSION", "convert_published"]

# The dimension of each carrier's physical amount (the same as the park facts' Energy fields).
CARRIER_DIMENSION: dict[str, str] = {
    "coal": "mass", "coke": "mass", "fuel_oil": "mass", "diesel": "mass", "gasoline": "mass",
    "lpg": "mass", "natural_gas": "gas_volume", "purchased_heat": "heat", "electricity": "electricity",
}

_DENOMINATOR = re.compile(r"^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)?\s*(\S+)\s*$")


class Factor(BaseModel):
    """A per-carrier factor in canonical units.

    Example:
        `coefficient("natural_gas")` -> value 0.00133, unit "tce/m3", published "1.33 kgce/m3".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    carrier: str
    value: float
    unit: str
    published: str
    verification: Tag
    source: str
    derivation: str | None = None
    option: str | None = None          # the coefficient option, where the standard leaves a choice
    option_name: Text | None = None


class GridChoice(BaseModel):
    """The grid electricity factor chosen for a province and year, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float  # tCO2/MWh (= kgCO2/kWh)
    factor_year: int
    level: Literal["provincial", "regional", "national"]
    region: str | None
    verification: Tag
    source: str
    basis: Text


def convert_published(value: float, unit: str, numerator: str, denominator: str) -> tuple[float, str]:
    """Convert `value numerator-unit/denominator-unit` to the canonical compound unit.

    Args:
        value: the number as published.
        unit: the published unit, `<num>/<den>`; the denominator may carry a multiplier
            (`tCO2/1e4Nm3`).
        numerator: dimension of the numerator (`energy_tce` or `co2`).
        denominator: dimension of the denominator (`mass`, `gas_volume`, `heat`, `electricity`).

    Returns:
        The converted value and its canonical unit text, e.g. `(0.00133, "tce/m3")`.

    Raises:
        UnitError: the unit is not `a/b`, or a part is not a unit of its dimension.

    Example:
        >>> convert_published(0.1229, "kgce/kWh", "energy_tce", "electricity")
        (0.1229, 'tce/MWh')
    """
    num, sep, den = unit.partition("/")
    m = _DENOMINATOR.match(den)
    if not sep or not m or "/" in den:
        raise UnitError(f"cannot read {unit!r} as <unit>/<unit>")
    multiplier = float(m.group(1)) if m.group(1) else 1.0
    per_num = to_canonical(1.0, num.strip(), numerator)
    per_den = to_canonical(multiplier, m.group(2), denominator)
    return value * (per_num / per_den), f"{canonical_unit(numerator)}/{canonical_unit(denominator)}"
