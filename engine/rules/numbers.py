"""Numbers and units as a reader of each language expects them - written once.

Every number with a unit the engine prints goes through here: the explanations (`{x:num}`,
`{x:qty}` in rule templates, `engine.rules.templates`), the basis of a measure's size
(`engine.measure_ranking`) and the dossier (`engine.render.dossier.numfmt`, a thin adapter that
adds "—" for an unknown value). One value therefore reads the same in a sentence and in a table.

**Significant figures.** At least four, never rounding inside the integer part, trailing zeros
dropped; thousands separators in both languages.

    >>> format_number(2959.4, "zh"), format_number(686_658, "en"), format_number(0.097656, "en")
    ('2,959', '686,658', '0.09766')

**Chinese** groups large quantities in 万 (from 10,000) and 亿 (from 10^8): the number, a space,
then 万/亿 joined to the unit, as park files write it. A unit that starts with 万 moves up to 亿
from 10,000 万 (301 亿元); one with a "/" (万元/tce) is never scaled again.

    >>> format_quantity(7_900_000, "t", "zh"), format_quantity(19_704_934, "tCO2", "zh")
    ('790 万t', '1,970 万tCO2')
    >>> format_quantity(10_450_000, "m3", "zh"), format_quantity(3_010_000, "万元", "zh")
    ('1,045 万m³', '301 亿元')
    >>> format_quantity(8_765.4, "t", "zh"), format_quantity(123_456, "万元/tce", "zh")
    ('8,765 t', '123,456 万元/tce')

**English** uses SI prefixes for tonnes (t, tCO2, tce: kt from 10,000 t, Mt from 10^6 t, Gt from
10^9 t) and watt-hours (MWh: GWh from 10,000 MWh, TWh from 10^6 MWh; kWh likewise), and the
words million (from 10^6) and billion (from 10^9) for every other unit. A value in 万元 or 亿元 is
converted to yuan; a ratio per 万元 reads "per 10,000 yuan".

    >>> format_quantity(7_900_000, "t", "en"), format_quantity(19_704_934, "tCO2", "en")
    ('7.9 Mt', '19.7 MtCO2')
    >>> format_quantity(12_345, "tce", "en"), format_quantity(2_800_000, "MWh", "en")
    ('12.35 ktce', '2.8 TWh')
    >>> format_quantity(120_000_000, "m3", "en"), format_quantity(650_000, "GJ", "en")
    ('120 million m³', '650,000 GJ')
    >>> format_quantity(3_010_000, "万元", "en"), format_quantity(10.24, "万元/tce", "en")
    ('30.1 billion yuan', '102,400 yuan/tce')
    >>> format_quantity(0.097656, "tce/万元", "en")
    '0.09766 tce per 10,000 yuan'

**Rounding carries** to the next scale: 99,996,000 t is 1 亿t and 100 Mt (not 10,000 万t);
999,960 t is 1 Mt (not 1,000 kt).

    >>> format_quantity(99_996_000, "t", "zh"), format_quantity(999_960, "t", "en")
    ('1 亿t', '1 Mt')

**Percentages** measured or computed keep one decimal, rates (%/a, pp/a) two, and at least two
significant figures, so a small share is not 0.0% (0.17%, 0.073%); a benchmark, a target or a
baseline (`as_set`) prints as it was set. A difference of percentages is in percentage points.

    >>> format_quantity(60.834, "%", "zh"), format_quantity(100, "%", "en"), format_quantity(15, "%", "en", as_set=True)
    ('60.8%', '100.0%', '15%')
    >>> format_quantity(0.17, "%", "zh"), format_quantity(0.07252, "%", "en"), format_quantity(-0.0123, "pp/a", "en")
    ('0.17%', '0.073%', '-0.012 points a year')
    >>> format_quantity(-2.859, "%/a", "zh"), format_quantity(-2.859, "%/a", "en")
    ('-2.86%/年', '-2.86% a year')
    >>> format_quantity(3.8, "pp", "zh"), format_quantity(3.8, "pp", "en")
    ('3.8 个百分点', '3.8 points')

**Units** print as a reader writes them: m3 is m³, km2 km², in both languages; CO2 stays "CO2"
in text (the HTML dossier sets the 2 as a subscript). `X/a` is X per year, scaled like X.

    >>> format_quantity(0.86, "kWh/m3", "zh"), format_quantity(17.6, "亿元/km2", "en")
    ('0.86 kWh/m³', '1.76 billion yuan/km²')
    >>> format_quantity(16.333, "MW/a", "zh", signed=True), format_quantity(12_345, "t/a", "en")
    ('+16.33 MW/年', '12.35 kt a year')
"""
from __future__ import annotations

import math
from functools import lru_cache

from ..facts.vocabulary import UNIT_IN_ENGLISH, UNIT_WORDS

__all__ = ["SIGNIFICANT", "format_number", "format_quantity", "plain_number", "unit_words", "difference_unit"]

SIGNIFICANT = 4
_PLACES = {"%": 1, "pp": 1, "%/a": 2, "pp/a": 2}       # measured percentages and rates
_TWO_FIGURES = {1: 1.0, 2: 0.1}                        # below it, fixed decimals show one figure or none
_SPELLING = {"zh": {"m3": "m³", "km2": "km²", "m2": "m²"},
             "en": {"m3": "m³", "km2": "km²", "m2": "m²", "元": "yuan"}}
_TEN_THOUSANDS = {"万": 1e4, "亿": 1e8}                 # a unit starting with 万 or 亿
_EN_PREFIX = {"万": "10,000 ", "亿": "100 million "}      # an unconverted 万/亿 unit (a table header)
_TONNES = frozenset({"t", "tCO2", "tce"})
_WATT_HOURS = {"kWh": ((1e9, 1e9, "TWh"), (1e6, 1e6, "GWh"), (1e4, 1e3, "MWh")),
               "MWh": ((1e6, 1e6, "TWh"), (1e4, 1e3, "GWh"))}

# A scale is ((from, divisor, label), ...), largest first, ending in (0, 1, label of the unscaled
# unit); `from` may exceed `divisor` (kt from 10,000 t) so that a number keeps up to four digits.
_Scale = tuple[tuple[float, float, str], ...]
_NUMBER_SCALES: dict[str, _Scale] = {"zh": ((1e8, 1e8, "亿"), (1e4, 1e4, "万"), (0.0, 1.0, "")),
                                     "en": ((1e9, 1e9, "billion"), (1e6, 1e6, "million"), (0.0, 1.0, ""))}


def plain_number(x: float, *, sig: int = SIGNIFICANT, places: int | None = None,
                 max_places: int | None = None) -> str:
    """`x` with thousands separators: `places` decimals, or at least `sig` significant figures
    (never rounding inside the integer part, at most `max_places` decimals), trailing zeros
    dropped; never scaled.

    >>> plain_number(19_704_934.22), plain_number(0.097662), plain_number(0.097662, max_places=4)
    ('19,704,934', '0.09766', '0.0977')
    """
    if places is None:
        if x == 0:
            return "0"
        try:
            digits = math.floor(math.log10(abs(x))) + 1    # integer digits (<= 0 below 1)
        except (ValueError, OverflowError):                 # nan, inf
            return str(x)
        places = max(0, sig - digits)
        if max_places is not None and places > max_places:
            places = max_places
        text = f"{x:,.{places}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{x:,.{places}f}"
    if text[0] == "-" and text.strip("-0.,") == "":         # -0.00 -> 0.00
        text = text[1:]
    return text


def _signed(text: str, signed: bool) -> str:
    return "+" + text if signed and text[0] != "-" and text.strip("0.,") != "" else text


def _pick(x: float, scale: _Scale) -> tuple[str, str]:
    """(number, label) on the largest step of `scale` that `x` reaches, moving up one when rounding
    carries the number to the next step (99,996,000 t is "1 亿t", not "10,000 万t")."""
    ax = abs(x)
    for i, (start, divisor, label) in enumerate(scale):
        if ax >= start:
            text = plain_number(x / divisor)
            # four significant figures move a number by at most 0.05%: only just below a step can it carry
            if i and ax >= 0.999 * scale[i - 1][0] and \
                    float(text.replace(",", "").lstrip("-")) * divisor >= scale[i - 1][0]:
                _, divisor, label = scale[i - 1]
                text = plain_number(x / divisor)
            return text, label
    return plain_number(x), ""          # pragma: no cover - a scale ends in a step from 0


def format_number(x: float, lang: str, *, signed: bool = False, places: int | None = None,
                  scale: bool = True) -> str:
    """A number without a unit (`num`): 万/亿 in Chinese, million/billion in English; with `places`,
    that many decimals and no scaling.

    >>> format_number(19_667_812, "zh"), format_number(19_667_812, "en"), format_number(-12.34567, "en")
    ('1,967 万', '19.67 million', '-12.35')
    """
    if places is not None or not scale:
        return _signed(plain_number(x, places=places), signed)
    text, word = _pick(x, _NUMBER_SCALES["zh" if lang == "zh" else "en"])
    text = _signed(text, signed)
    return f"{text} {word}" if word else text


def unit_words(unit: str | None, lang: str) -> str:
    """The words for a canonical unit in `lang` (vocabulary.UNIT_WORDS; `X/a` is X per year; m3 is
    m³). In English a unit starting with 万 or 亿 reads "10,000 yuan/tce": this is the label of a
    value left in that unit (a table's unit column); `format_quantity` converts the value instead.

    >>> unit_words("m3/万元", "zh"), unit_words("m3/万元", "en"), unit_words("万元/tce", "en"), unit_words("MW/a", "en")
    ('m³/万元', 'm³ per 10,000 yuan', '10,000 yuan/tce', 'MW a year')
    """
    if not unit or unit == "-":
        return ""
    lang = "zh" if lang == "zh" else "en"
    words = UNIT_WORDS.get(unit)
    if words is not None:
        return words[lang]
    if unit.endswith("/a"):
        base = unit_words(unit[:-2], lang)
        return f"{base}/年" if lang == "zh" else f"{base} a year".strip()
    if lang == "en" and unit[0] in _EN_PREFIX:
        return _EN_PREFIX[unit[0]] + unit_words(unit[1:], lang)
    spelling = _SPELLING[lang]
    if "/" in unit:
        return "/".join(spelling.get(part, part) for part in unit.split("/"))
    return spelling.get(unit, unit)


def difference_unit(unit: str | None) -> str | None:
    """The unit of a difference of two values in `unit`: percentages differ by percentage points."""
    return "pp" if unit in ("%", "%/a") else unit


@lru_cache(maxsize=1024)
def _plan(unit: str | None, lang: str, as_set: bool) -> tuple[float, int | None, _Scale]:
    """How to print a value in `unit`: (factor the value is multiplied by, fixed decimals or None,
    the scale). Decided once per unit and language."""
    base = (unit or "").split(" (")[0]                      # "% (2025 vs 2020)" is a percentage
    if base in _PLACES:
        return 1.0, (None if as_set else _PLACES[base]), ((0.0, 1.0, unit_words(base, lang)),)
    if base.endswith("/a") and base not in UNIT_WORDS:      # X/a: scaled as X, per year
        factor, places, scale = _plan(base[:-2], lang, as_set)
        per = "/年" if lang == "zh" else " a year"
        return factor, places, tuple((s, d, (label + per).strip()) for s, d, label in scale)
    words = unit_words(base, lang)
    core, factor = base, 1.0
    if base[:1] in _TEN_THOUSANDS:
        if lang == "zh":                # 万元 -> 亿元 from 10,000 万元; 亿t, 万元/tce as they are
            if base[0] == "万" and "/" not in base:
                return 1.0, None, ((1e4, 1e4, "亿" + unit_words(base[1:], lang)), (0.0, 1.0, words))
            return 1.0, None, ((0.0, 1.0, words),)
        factor, core = _TEN_THOUSANDS[base[0]], base[1:]     # in yuan (or t): 10.24 万元/tce is 102,400 yuan/tce
        words = UNIT_IN_ENGLISH[base] if base in UNIT_IN_ENGLISH else unit_words(core, lang)
    if lang == "zh":
        return factor, None, ((1e8, 1e8, "亿" + words), (1e4, 1e4, "万" + words), (0.0, 1.0, words))
    if core in _TONNES:
        return factor, None, ((1e9, 1e9, "G" + words), (1e6, 1e6, "M" + words), (1e4, 1e3, "k" + words),
                              (0.0, 1.0, words))
    if core in _WATT_HOURS:
        return factor, None, (*_WATT_HOURS[core], (0.0, 1.0, words))
    return factor, None, ((1e9, 1e9, f"billion {words}".strip()), (1e6, 1e6, f"million {words}".strip()),
                          (0.0, 1.0, words))


def format_quantity(x: float, unit: str | None, lang: str, *, signed: bool = False, as_set: bool = False) -> str:
    """A number with its unit (`qty`), as the module docstring describes: "790 万t" / "7.9 Mt",
    "60.8%", "3.8 个百分点" / "3.8 points", "10.24 万元/tce" / "102,400 yuan/tce".

    Args:
        unit: the canonical unit (knowledge/indicators.yaml), `pp` for percentage points.
        as_set: a benchmark, target or baseline: printed as set, not to a fixed number of decimals.

    >>> format_quantity(60.834, "%", "zh"), format_quantity(3.8, "pp", "en"), format_quantity(15, "%", "en", as_set=True)
    ('60.8%', '3.8 points', '15%')
    >>> format_quantity(99.96, "%", "zh"), format_quantity(99.999, "%", "en")    # short of all: never 100.0%
    ('99.96%', '99.999%')
    """
    factor, places, scale = _plan(unit, "zh" if lang == "zh" else "en", as_set)
    if places is not None:          # fixed decimals, but never fewer than two significant figures
        text, label = plain_number(x, places=places), scale[0][2]
        if x != 0 and abs(x) < _TWO_FIGURES[places]:
            small = plain_number(x, sig=2)
            if abs(float(small)) < _TWO_FIGURES[places]:        # 0.999% is 1.0%, as 1% measured is
                text = small
        if scale[0][2] == "%" and 100 - 0.5 * 10 ** -places <= x < 100 - 1e-6:     # (float noise is 100)
            # a measured share short of all of it never reads 100.0%: 99.96% is not "100.0%, below 100%"
            while float(text.replace(",", "")) >= 100 and places < 6:
                places += 1
                text = plain_number(x, places=places)
    elif len(scale) == 1:
        text, label = plain_number(x * factor), scale[0][2]
    else:
        text, label = _pick(x * factor, scale)
    if signed:
        text = _signed(text, True)
    if not label:
        return text
    return text + label if label[0] == "%" else f"{text} {label}"
