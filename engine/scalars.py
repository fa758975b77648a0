"""Flags and numbers as YAML 1.2 and JSON write them, for the pydantic models of every input file.

Every file the project reads is YAML 1.2 core (`engine.sourcefile`): `yes`, `no`, `on` and `off`
are text, and a quoted `"12"` is text. A model field typed `Bool`, `Int` or `Float` refuses text
where a flag or number belongs, instead of letting pydantic's lax mode turn `"yes"` into True or
`"12"` into 12; the message says what to write, and the loaders put file, line and field path in
front of it (`validation_problems`).

    >>> class M(BaseModel):                                  # doctest: +SKIP
    ...     disabled: Bool = False
    >>> M.model_validate({"disabled": "yes"})                # doctest: +SKIP
    ValidationError: disabled: must be true or false, not the text 'yes' (...)

The park model (`engine.facts.models`) applies the same rules with its own copies of these types.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Strict

__all__ = ["Bool", "Int", "Float", "flag", "number", "whole"]

_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}


def flag(value):
    """A flag is true or false, as in JSON; anything else is refused with what to write."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YAML11_BOOLS | {"true", "false"}:
        raise ValueError(f"must be true or false, not the text {value!r} (YAML 1.2 and JSON read only "
                         "true/false as a flag: write true or false without quotes)")
    raise ValueError(f"must be true or false (got {value!r})")


def number(value):
    """A number is a number: not a flag, not text (`"12"` is text in YAML and JSON alike)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"must be a number, not the text {value!r} (write it without quotes)")
    return value


def whole(value):
    """A whole number; `2024.0` is read as 2024, as the JSON Schema's integer type allows."""
    value = number(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


Bool = Annotated[bool, Strict(), BeforeValidator(flag)]
Int = Annotated[int, Strict(), BeforeValidator(whole)]
Float = Annotated[float, Strict(), BeforeValidator(number)]
