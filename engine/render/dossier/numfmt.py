"""The dossier's numbers: a thin adapter over `engine.rules.numbers`, the one implementation the
explanations print through too, so a value reads the same in a finding's sentence and in the
dossier's tables (790 万t / 7.9 Mt, 1,045 万m³, 60.8%). What it adds is what a table cell needs:
"—" for a value not known (None, NaN), 是/否 / yes/no for a flag.

Example:
    >>> quantity(7_900_000, "t", "zh"), quantity(7_900_000, "t", "en"), quantity(None, "t", "en")
    ('790 万t', '7.9 Mt', '—')
"""
from __future__ import annotations

import math

from ...rules.numbers import difference_unit, format_quantity, plain_number, unit_words

__all__ = ["number", "quantity", "unit_label", "gap"]

_DASH = "—"


def _flag(value: bool, lang: str) -> str:
    return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")


def unit_label(unit: str | None, lang: str) -> str:
    """The unit as printed (a table's unit column): m3 -> m³; tce/万元 -> tce per 10,000 yuan."""
    return unit_words(unit, lang)


def number(value: float | int | None, lang: str = "zh", *, sig: int = 4, max_decimals: int | None = None) -> str:
    """`value` with thousands separators and at least `sig` significant figures (at most
    `max_decimals` decimals), never scaled: a chart label or a cell whose unit is in the header.

    Example:
        >>> number(19704934.22), number(0.0976620), number(2.2812557, sig=3)
        ('19,704,934', '0.09766', '2.28')
    """
    if value is None:
        return _DASH
    if isinstance(value, bool):
        return _flag(value, lang)
    x = float(value)
    if not math.isfinite(x):
        return _DASH
    return plain_number(x, sig=sig, max_places=max_decimals)


def quantity(value: float | int | None, unit: str | None, lang: str = "zh", *, as_set: bool = False) -> str:
    """A value with its unit, exactly as an explanation prints it (`{x:qty}`); `as_set` for a
    benchmark, a target or a baseline (15%, not 15.0%).

    Example:
        >>> quantity(19704934.22, "tCO2", "zh"), quantity(19704934.22, "tCO2", "en")
        ('1,970 万tCO2', '19.7 MtCO2')
        >>> quantity(3010000, "万元", "zh"), quantity(3010000, "万元", "en"), quantity(15, "%", "en", as_set=True)
        ('301 亿元', '30.1 billion yuan', '15%')
    """
    if value is None:
        return _DASH
    if isinstance(value, bool):
        return _flag(value, lang)
    x = float(value)
    if not math.isfinite(x):
        return _DASH
    return format_quantity(x, unit, lang, as_set=as_set)


def gap(value: float | None, unit: str | None, lang: str = "zh") -> str:
    """A gap to a benchmark, as `{gap:qty}` prints it: percentage points for shares (14.8 个百分点 /
    14.8 points)."""
    if value is None:
        return _DASH
    return quantity(abs(value), difference_unit(unit), lang)
