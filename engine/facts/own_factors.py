"""A park's own emission factors (`management.factors`): which factor counts a data year, and the
V/C/U/D tag a park factor earns (docs/conventions.md, 4).

The indicators count with the choice made here and the data-quality notes describe it, so the two
never disagree. `knowledge` is the loaded `Knowledge` (read through its look-ups only).

* A factor with `year` is the published factor of that year: it counts that data year. A grid
  factor's other data years take the location-based factor of their own year, the newest vintage
  at or before the data year among knowledge/'s factors and the park's dated ones (else the
  earliest); a fuel's or heat's other years take the knowledge/ default.
* A factor without `year` counts every data year (the result says so for a grid factor).
* Its tag: a value equal within its rounding to a knowledge/ factor of the same carrier (for the
  grid: the park's province, its regional grid or the nation) and year carries that factor's tag
  and source; otherwise the park's stated `verification`, or U (reported, not verified).

    >>> choice = grid_factor_for(park, kb, 2024)        # doctest: +SKIP
    >>> choice.own is None, choice.factor_year           # doctest: +SKIP
    (True, 2023)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import FactorOverride, Park

__all__ = ["OVERRIDE_UNITS", "CANONICAL_UNIT", "OwnTag", "GridUse", "own_tag", "own_factor_for", "grid_factor_for",
           "own_factor_id", "undated_grid_factor"]

# The units a park may write a factor in, and their scale to tCO2 per the carrier's canonical unit.
OVERRIDE_UNITS = {"tCO2/t": 1.0, "tCO2/万m3": 1e-4, "tCO2/m3": 1.0, "tCO2/GJ": 1.0, "kgCO2/kWh": 1.0,
                  "tCO2/MWh": 1.0}
CANONICAL_UNIT = {"coal": "t", "coke": "t", "natural_gas": "m3", "fuel_oil": "t", "diesel": "t",
                  "gasoline": "t", "lpg": "t", "purchased_heat": "GJ", "grid_electricity": "MWh"}
# a value written with fewer significant figures matches no published factor (0.6 is not 0.5978)
_MIN_SIGNIFICANT = 3


@dataclass(frozen=True)
class OwnTag:
    """The tag a park factor earns and its source; `matches` (zh, en) names the knowledge/ factor
    it equals, when it does."""

    verification: str
    source: str
    matches: tuple[str, str] | None = None

    def note(self, own: FactorOverride, also: tuple[str, str] | None = None) -> str:
        """The factor's note in the result, `zh / en`: where it comes from, why it carries its tag,
        and `also` (zh, en) when given."""
        if self.matches:
            zh, en = (f"园区因子库：{own.source}；数值与{self.matches[0]}一致",
                      f"park factor library: {own.source}; the value matches the {self.matches[1]}")
        elif own.verification:
            zh, en = (f"园区因子库：{own.source}；核实等级 {own.verification} 为园区所填",
                      f"park factor library: {own.source}; tag {own.verification} as the park states it")
        else:
            zh, en = (f"园区因子库：{own.source}；园区报送，未经核实（U）",
                      f"park factor library: {own.source}; reported by the park, not verified (U)")
        if own.year is None:
            zh, en = zh + "；未注明因子年份，用于每个数据年份", en + "; no year given, applied to every data year"
        if also:
            zh, en = f"{zh}；{also[0]}", f"{en}; {also[1]}"
        return f"{zh} / {en}"


@dataclass(frozen=True)
class GridUse:
    """The grid factor of one data year: the park's own (`own`, its index in management.factors)
    or knowledge/'s `choice` (a `GridChoice`); `factor_year` is the vintage used (None for a park
    factor without year); `fallback` is (zh, en) when the vintage is not the data year's own."""

    year: int
    factor_year: int | None
    own: FactorOverride | None = None
    index: int | None = None
    choice: Any = None
    fallback: tuple[str, str] | None = None


def own_factor_id(own: FactorOverride) -> str:
    """`park.grid_electricity.2022`, or `park.grid_electricity` for a factor without year."""
    return f"park.{own.carrier}" + (f".{own.year}" if own.year else "")


def _decimals(value: float) -> tuple[int, int]:
    """(decimals, significant figures) of `value` as written (its shortest repr)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        mant, _, exp = text.lower().partition("e")
        digits = mant.replace("-", "").replace(".", "").strip("0") or "0"
        dec = max(0, len(mant.partition(".")[2].rstrip("0")) - int(exp))
        return dec, len(digits)
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    digits = (whole.lstrip("-").lstrip("0") + frac)
    return len(frac), len(digits.lstrip("0"))


def _same_within_rounding(own: FactorOverride, published: float) -> bool:
    """Whether `published` (tCO2 per canonical unit) rounds to the park's value as it wrote it."""
    scale = OVERRIDE_UNITS[own.unit]
    dec, sig = _decimals(own.value)
    if sig < _MIN_SIGNIFICANT:
        return False
    return abs(published / scale - own.value) <= 0.5 * 10 ** -dec + 1e-12


def own_tag(own: FactorOverride, knowledge: Any, province: str | None) -> OwnTag:
    """The V/C/U/D tag and source of a park factor (the rule in the module docstring)."""
    unit_ok = own.unit in OVERRIDE_UNITS
    if unit_ok and own.carrier == "grid_electricity" and own.year is not None:
        for g in knowledge.published_grid_factors(province, own.year):
            if _same_within_rounding(own, g.value):
                return OwnTag(g.verification, g.source, (g.basis.zh, g.basis.en))
    elif unit_ok and own.carrier != "grid_electricity":
        try:
            fac = knowledge.emission_factor(own.carrier)
        except KeyError:
            fac = None
        if fac is not None and _same_within_rounding(own, fac.value):
            return OwnTag(fac.verification, fac.source,
                          (f"知识库默认因子（{fac.published}）", f"knowledge/ default factor ({fac.published})"))
    if own.verification:
        return OwnTag(own.verification, f"park emission-factor library: {own.source}")
    return OwnTag("U", f"park emission-factor library: {own.source}")


def _own(park: Park, carrier: str) -> list[tuple[int, FactorOverride]]:
    return [(i, f) for i, f in enumerate(park.management.factors or ())
            if f.carrier == carrier and f.unit in OVERRIDE_UNITS]


def own_factor_for(park: Park, carrier: str, year: int) -> tuple[int, FactorOverride] | None:
    """The park's factor of a fuel or of purchased heat that counts `year`: its factor of that year,
    or its factor without year; None when the knowledge/ default counts it."""
    for i, f in _own(park, carrier):
        if f.year is None or f.year == year:
            return i, f
    return None


def undated_grid_factor(park: Park) -> tuple[int, FactorOverride] | None:
    """The park's grid factor without year (it counts every data year), if it gives one."""
    return next(((i, f) for i, f in _own(park, "grid_electricity") if f.year is None), None)


def grid_factor_for(park: Park, knowledge: Any, year: int) -> GridUse:
    """The location-based grid factor that counts the purchased electricity of data year `year`."""
    own = _own(park, "grid_electricity")
    undated = undated_grid_factor(park)
    if undated is not None:
        return GridUse(year, None, undated[1], undated[0])
    dated = {f.year: (i, f) for i, f in own}
    if year in dated:
        return GridUse(year, year, dated[year][1], dated[year][0])
    g = knowledge.grid_factor(park.profile.province, year)
    vintages = {y: ("own", dated[y]) for y in dated}
    vintages.setdefault(g.factor_year, ("kb", g))     # a park factor of the same vintage is the park's own
    earlier = [y for y in vintages if y <= year]
    pick = max(earlier) if earlier else min(vintages)
    source, item = vintages[pick]
    if source == "kb":
        return GridUse(year, g.factor_year, choice=g,
                       fallback=None if g.factor_year == year else _fallback_words(year, pick, bool(earlier)))
    i, f = item
    return GridUse(year, pick, f, i, fallback=_fallback_words(year, pick, bool(earlier)))


def _fallback_words(year: int, used: int, earlier: bool) -> tuple[str, str]:
    if earlier:
        return (f"{year} 年因子未发布，采用不晚于该年的最新发布年份 {used}",
                f"no factor published for {year}; using the latest published year not after it, {used}")
    return (f"{year} 年及以前无发布因子，采用最早发布年份 {used}",
            f"no factor published for {year} or earlier; using the earliest published year, {used}")
