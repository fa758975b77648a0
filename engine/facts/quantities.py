"""Annotated field types for park facts: quantities with units, percentages, codes.

Each quantity type accepts `"12.5 万t"` or `{value: 12.5, unit: 万t}`, stores a float in the
dimension's canonical unit (see `engine.units`) and refuses negatives. The JSON Schema tells an
editor both accepted shapes.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema

from ..units import DIMENSIONS, parse_quantity

__all__ = ["Mass", "Electricity", "GasVolume", "Heat", "Water", "WaterRate", "Money", "Area",
           "Power", "Storage", "Tce", "Co2", "Percent", "IndustryCode", "unit_of"]

DIMENSIONS.setdefault("water_rate", {"m3/d": 1.0, "t/d": 1.0, "万m3/d": 1e4, "万t/d": 1e4})


def _quantity(dimension: str, title: str):
    units = list(DIMENSIONS[dimension])
    schema = {
        "title": title,
        "description": f"{title}; canonical unit {units[0]}; accepted units: {', '.join(units)}",
        "x-unit": units[0],
        "anyOf": [
            {"type": "string", "pattern": r"^\s*[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*\S+\s*$",
             "examples": [f"12.5 {units[0]}", f"3 {units[-1]}"]},
            {"type": "object", "additionalProperties": False, "required": ["value", "unit"],
             "properties": {"value": {"type": "number", "minimum": 0},
                            "unit": {"type": "string", "enum": units}}},
        ],
    }
    return Annotated[
        float,
        BeforeValidator(lambda raw: parse_quantity(raw, dimension)),
        Field(ge=0, json_schema_extra={"x-unit": units[0]}),
        WithJsonSchema(schema),
    ]


Mass = _quantity("mass", "mass")
Electricity = _quantity("electricity", "electricity")
GasVolume = _quantity("gas_volume", "gas volume")
Heat = _quantity("heat", "heat")
Water = _quantity("water", "water volume")
WaterRate = _quantity("water_rate", "water flow per day")
Money = _quantity("money", "money")
Area = _quantity("area", "area")
Power = _quantity("power", "power")
Storage = _quantity("storage", "storage capacity")
Tce = _quantity("energy_tce", "energy in tonnes of standard coal equivalent")
Co2 = _quantity("co2", "CO2 emissions")

Percent = Annotated[float, Field(ge=0, le=100, description="percentage, 0-100",
                                 json_schema_extra={"x-unit": "%"})]

IndustryCode = Annotated[str, Field(pattern=r"^[A-T](\d{2}(\d{1,2})?)?$",
                                    description="GB/T 4754-2017 code: section letter + division "
                                                "(2 digits), group (3) or class (4), e.g. C26, C2614",
                                    examples=["C26", "C3011", "D44"])]

_UNIT_BY_TYPE = {id(t): next(iter(DIMENSIONS[d])) for t, d in [
    (Mass, "mass"), (Electricity, "electricity"), (GasVolume, "gas_volume"), (Heat, "heat"),
    (Water, "water"), (WaterRate, "water_rate"), (Money, "money"), (Area, "area"), (Power, "power"),
    (Storage, "storage"), (Tce, "energy_tce"), (Co2, "co2")]}


def unit_of(annotation) -> str | None:
    """Canonical unit of a quantity annotation (None for plain fields)."""
    return _UNIT_BY_TYPE.get(id(annotation))
