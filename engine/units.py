"""Quantities with explicit units, converted once to one canonical unit per dimension.

Park files write amounts as `"12.5 万t"` or `{value: 12.5, unit: 万t}`; a bare number is refused
for a dimensioned field, because 12.5 of an unknown unit is the commonest error in park data.
Knowledge files use the same table to read factors written in their sources' units.

| dimension     | canonical | also accepted                           |
|---------------|-----------|-----------------------------------------|
| mass          | t         | kg, 万t, 亿t                             |
| electricity   | MWh       | kWh, 万kWh, 亿kWh, GWh                   |
| gas_volume    | m3        | 万m3, 亿m3 (Nm3 spellings too)           |
| heat          | GJ        | MJ, TJ                                  |
| water         | m3        | 万m3, t (1 t water = 1 m3)               |
| money         | 万元       | 元, 亿元                                 |
| area          | km2       | ha, m2                                  |
| power         | MW        | kW, GW                                  |
| energy_tce    | tce       | 万tce, kgce                              |
| co2           | tCO2      | 万tCO2, ktCO2, kgCO2                     |
"""
from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["DIMENSIONS", "canonical_unit", "to_canonical", "parse_quantity", "UnitError"]


class UnitError(ValueError):
    """A quantity whose unit is missing, unknown or of the wrong dimension."""


# factor: multiply a value in the listed unit by this to get the canonical unit.
DIMENSIONS: dict[str, dict[str, float]] = {
    "mass": {"t": 1.0, "kg": 1e-3, "万t": 1e4, "亿t": 1e8},
    "electricity": {"MWh": 1.0, "kWh": 1e-3, "万kWh": 10.0, "亿kWh": 1e5, "GWh": 1e3},
    "gas_volume": {"m3": 1.0, "Nm3": 1.0, "万m3": 1e4, "万Nm3": 1e4, "亿m3": 1e8, "亿Nm3": 1e8},
    "heat": {"GJ": 1.0, "MJ": 1e-3, "TJ": 1e3},
    "water": {"m3": 1.0, "t": 1.0, "万m3": 1e4, "万t": 1e4, "亿m3": 1e8},
    "money": {"万元": 1.0, "元": 1e-4, "亿元": 1e4},
    "area": {"km2": 1.0, "ha": 1e-2, "m2": 1e-6},
    "power": {"MW": 1.0, "kW": 1e-3, "GW": 1e3},
    "storage": {"MWh": 1.0, "kWh": 1e-3, "GWh": 1e3},
    "energy_tce": {"tce": 1.0, "万tce": 1e4, "kgce": 1e-3},
    "co2": {"tCO2": 1.0, "万tCO2": 1e4, "ktCO2": 1e3, "kgCO2": 1e-3},
}

_ALIASES = {"m³": "m3", "km²": "km2", "m²": "m2", "万m³": "万m3", "亿m³": "亿m3", "万 t": "万t",
            "tonne": "t", "tonnes": "t", "吨": "t", "万吨": "万t", "千克": "kg", "公顷": "ha",
            "平方公里": "km2", "千瓦时": "kWh", "万千瓦时": "万kWh", "度": "kWh", "立方米": "m3",
            "万立方米": "万m3", "吉焦": "GJ", "元": "元", "万元": "万元", "亿元": "亿元",
            "吨标准煤": "tce", "万吨标准煤": "万tce", "吨标煤": "tce", "万吨标煤": "万tce"}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)\s*$")


def canonical_unit(dimension: str) -> str:
    """The unit every value of `dimension` is stored in."""
    return next(iter(DIMENSIONS[dimension]))


def to_canonical(value: float, unit: str, dimension: str) -> float:
    """Convert `value unit` to the canonical unit of `dimension`.

    Raises:
        UnitError: the unit does not belong to the dimension.

    Example:
        >>> to_canonical(1.5, "万t", "mass")
        15000.0
    """
    unit = _ALIASES.get(unit.strip(), unit.strip())
    table = DIMENSIONS[dimension]
    if unit not in table:
        raise UnitError(f"unit {unit!r} is not a {dimension.replace('_', ' ')} unit "
                        f"(use one of {', '.join(table)})")
    return value * table[unit]


def parse_quantity(raw: Any, dimension: str) -> float:
    """Read `"12.5 万t"`, `{value: 12.5, unit: 万t}` into a float in the canonical unit.

    Raises:
        UnitError: no unit, unknown unit, wrong dimension, or not a finite number.
    """
    unit_hint = f"e.g. \"12.5 {next(iter(DIMENSIONS[dimension]))}\""
    if isinstance(raw, bool):
        raise UnitError(f"expected a quantity with a unit ({unit_hint}), got {raw!r}")
    if isinstance(raw, (int, float)):
        raise UnitError(f"a unit is required ({unit_hint}); got the bare number {raw!r}")
    if isinstance(raw, dict):
        extra = set(raw) - {"value", "unit"}
        if extra or "value" not in raw or "unit" not in raw:
            raise UnitError(f"a quantity is {{value, unit}} ({unit_hint}); got keys {sorted(raw)}")
        value, unit = raw["value"], raw["unit"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UnitError(f"quantity value must be a number, got {value!r}")
        if not isinstance(unit, str):
            raise UnitError(f"quantity unit must be text, got {unit!r}")
    elif isinstance(raw, str):
        m = _QUANTITY.match(raw)
        if not m:
            raise UnitError(f"cannot read {raw!r} as a quantity ({unit_hint})")
        value, unit = float(m.group(1)), m.group(2)
    else:
        raise UnitError(f"expected a quantity with a unit ({unit_hint}), got {type(raw).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise UnitError(f"quantity must be a finite number, got {value!r}")
    return to_canonical(value, unit, dimension)
