"""Explanation templates: `{alias.field}`, `{alias.field:.1f}`, `{alias.field:label}` (the words for
an indicator id, a rule id or a closed value, in the text's language), `{alias.field:num}` and
`{alias.field:qty}` (a number, or a number with its unit, written for the language),
`{$threshold}`, `{$threshold.framework}` (the name of the framework the benchmark comes from),
`{gap:.1f}`.

Deliberately tiny - no expressions, no attribute walking, no `eval` - and checked when the pack
compiles: an unknown alias, field or threshold, or a format spec the value cannot take, is a
load error, not a broken sentence in front of a regulator.

Numbers in prose (docs/conventions.md, "Numbers in prose"), written by `engine.rules.numbers` -
the one implementation, which the dossier prints through as well:

* `num` - at least four significant figures, never rounding inside the integer part, trailing
  zeros dropped, thousands separators; in Chinese 万 from 10,000 and 亿 from 10^8 ("790 万",
  "1,967 万"), in English million from 10^6 and billion from 10^9 ("7.9 million").
* `qty` - the number with the value's unit: "790 万t" / "7.9 Mt", "1,045 万m³" / "10.45 million m³",
  "0.4 tce/万元" / "0.4 tce per 10,000 yuan" (English: SI prefixes for tonnes and watt-hours,
  million/billion for the rest). The unit is the indicator's (`value`, `previous`; `change` of a
  percentage is in percentage points), the target indicator's (`baseline_value`, `target_value`,
  `latest_value`, `path_value`, `projected_value`; `path_margin` and `projected_margin` in
  percentage points for a percentage; `required_rate`, `historical_rate` per year:
  %/年 when compound), the catalogue field's (`park.energy_total_tce` is tce), the benchmark's
  (`{$min:qty}`) or, for `{gap:qty}`, that of the compared field (percentage points for a
  percentage). A measured percentage keeps one decimal ("60.8%"), a rate two ("-2.86%/年"); a
  benchmark, a target or a baseline prints as it was set ("15%"). A unit that starts with 万 or 亿
  is converted in English (10.24 万元/tce is "102,400 yuan/tce").
  A field with no known unit is a compile error: write `num` and the unit.
* `+num`, `+qty` - the same with a sign ("+16.33 MW/年").
* `n:one|many` - a count with the words that agree with it, for English: `{c.links:n:link is|links
  are}` prints "1 link is" or "3 links are" (never "link(s)").
* Years and counts keep `.0f`; an explicit Python spec (`.1f`, `.4g`) still works.

`{missing}` (the facts to collect) prints park-file paths as they are - a regulator must know the
exact field to report - and the few descriptions the indicator code writes in words.

    >>> render("占比 {s.value:.1f}%，低于基准 {$min}%", {"s": {"value": 8.0}}, {"min": 15}, {}, "zh")
    '占比 8.0%，低于基准 15%'
    >>> render("{s.value:qty}", {"s": {"kind": "indicator", "value": 7.9e6, "unit": "t"}}, {}, {}, "zh")
    '790 万t'
    >>> render("{s.value:qty}", {"s": {"kind": "indicator", "value": 7.9e6, "unit": "t"}}, {}, {}, "en")
    '7.9 Mt'
    >>> render("{p.plants:n:plant has|plants have}", {"p": {"plants": 1}}, {}, {}, "en")
    '1 plant has'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..facts.catalogue import KINDS
from ..facts.vocabulary import ENGINE_PHRASES
from .numbers import difference_unit, format_number, format_quantity, unit_words

__all__ = ["Placeholder", "placeholders", "check_template", "render", "literals", "TemplateError",
           "format_number", "format_quantity", "unit_words", "NUMBER_SPECS", "label_word"]

_PLACEHOLDER = re.compile(r"\{(\$?[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)(?::([^{}]*))?\}")
_MISSING = {"zh": "（未报告）", "en": "(not reported)"}
NUMBER_SPECS = frozenset({"num", "+num", "qty", "+qty"})
# target fields in the indicator's unit; of them, those the plan sets (printed as set)
_TARGET_VALUES = frozenset({"baseline_value", "target_value", "latest_value", "path_value", "projected_value",
                            "other_latest_value", "other_path_value", "other_projected_value"})
_TARGET_SET = frozenset({"baseline_value", "target_value"})
_TARGET_RATES = frozenset({"required_rate", "historical_rate", "other_historical_rate"})
_TARGET_MARGINS = frozenset({"path_margin", "projected_margin"})     # differences: percentage points
_INDICATOR_VALUES = frozenset({"value", "previous", "change", "upper"})


class TemplateError(ValueError):
    """A template naming something the rule does not bind."""


@dataclass(frozen=True)
class Placeholder:
    name: str          # "s.value", "$min", "gap"
    spec: str | None


def placeholders(template: str) -> list[Placeholder]:
    """Every `{...}` in `template`; a stray brace is an error."""
    found = [Placeholder(m.group(1), m.group(2)) for m in _PLACEHOLDER.finditer(template)]
    rest = _PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        raise TemplateError(f"unmatched or malformed '{{...}}' in {template!r}")
    return found


def check_template(template: str, aliases: dict[str, str], thresholds: set[str], has_gap: bool,
                   *, extras: frozenset[str] = frozenset()) -> None:
    """Raise TemplateError unless every placeholder is bound by the rule.

    Args:
        aliases: alias -> fact kind of the rule's patterns.
        thresholds: local threshold names.
        has_gap: whether the rule defines `gap`.
        extras: extra names the text may use: `missing` (the facts to collect, insufficient_data
            texts), `undefined` (the zero base, texts of an undefined indicator).
    """
    for ph in placeholders(template):
        has_unit = False
        if ph.name.startswith("$"):
            name, _, attr = ph.name[1:].partition(".")
            if name not in thresholds:
                raise TemplateError(f"{{{ph.name}}}: no threshold {name!r} in `thresholds:`")
            if attr not in ("", "framework"):
                raise TemplateError(f"{{{ph.name}}}: a threshold has only .framework")
            sample: object = "x" if attr else 1.0
            has_unit = not attr
        elif ph.name == "gap":
            if not has_gap:
                raise TemplateError("{gap}: this rule compares no field with a threshold")
            sample, has_unit = 1.0, True
        elif ph.name in extras:
            sample = "x"
        elif "." in ph.name:
            alias, fld = ph.name.split(".", 1)
            if alias not in aliases:
                raise TemplateError(f"{{{ph.name}}}: no alias {alias!r} (aliases: {', '.join(aliases)})")
            kind = aliases[alias]
            spec = KINDS[kind].get(fld)
            if spec is None:
                raise TemplateError(f"{{{ph.name}}}: {kind} has no field {fld!r}")
            sample = {"number": 1.0, "text": "x", "bool": True}[spec.type]
            has_unit = spec.unit is not None or (kind == "indicator" and fld in _INDICATOR_VALUES) or (
                kind == "target" and fld in _TARGET_VALUES | _TARGET_RATES | _TARGET_MARGINS)
        else:
            raise TemplateError(f"{{{ph.name}}}: write alias.field, $threshold, gap, or (for "
                                f"insufficient_data) missing, (for undefined) undefined")
        if ph.spec == "label":
            if not isinstance(sample, str):
                raise TemplateError(f"{{{ph.name}:label}}: only a text value has a label")
        elif ph.spec and ph.spec.startswith("n:"):
            if not isinstance(sample, float):
                raise TemplateError(f"{{{ph.name}:{ph.spec}}}: only a number counts something")
            if len(ph.spec[2:].split("|")) != 2 or not all(w.strip() for w in ph.spec[2:].split("|")):
                raise TemplateError(f"{{{ph.name}:{ph.spec}}}: write n:one|many, e.g. n:plant has|plants have")
        elif ph.spec in NUMBER_SPECS:
            if not isinstance(sample, float):
                raise TemplateError(f"{{{ph.name}:{ph.spec}}}: only a number can be written as one")
            if ph.spec.endswith("qty") and not has_unit:
                raise TemplateError(f"{{{ph.name}:{ph.spec}}}: no unit is known for this value; write "
                                    f"{{{ph.name}:num}} and the unit")
        elif ph.spec:
            try:
                format(sample, ph.spec)
            except (ValueError, TypeError) as exc:
                raise TemplateError(f"{{{ph.name}:{ph.spec}}}: bad format ({exc})") from None


def literals(template: str) -> list[str]:
    """The fixed text of `template` around its placeholders: n placeholders give n + 1 strings, an
    empty one where two placeholders touch or one opens or closes the text. A rendered text is
    these with the placeholders' words between them (format 2 says them once per rule,
    `engine.result_format`).

    >>> literals("占比 {s.value:.1f}%，低于基准 {$min}%")
    ['占比 ', '%，低于基准 ', '%']
    """
    return [run[0] for run in _segments(template)]


@lru_cache(maxsize=4096)
def _segments(template: str) -> tuple[tuple[str, str | None, str | None, str, str, str], ...]:
    """`template` split once into (literal, placeholder name, format spec, where, key, field) runs;
    `where` says what the name reads: `$` a threshold (`key`), `x` an extra (`key`), `.` field
    `field` of the fact bound to alias `key`."""
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        name = m.group(1)
        if name.startswith("$"):
            where, key, fld = "$", name[1:], ""
        elif "." not in name:
            where, key, fld = "x", name, ""
        else:
            key, fld = name.split(".", 1)
            where = "."
        out.append((template[pos:m.start()], name, m.group(2), where, key, fld))
        pos = m.end()
    out.append((template[pos:], None, None, "", "", ""))
    return tuple(out)


def render(template: str, bound: dict[str, dict], thresholds: dict[str, object], extras: dict[str, object],
           lang: str) -> str:
    """Fill `template` from bound facts, threshold values and extras.

    Args:
        extras: `gap`, `missing` (a list of what to collect), `undefined`, and what the text needs
            but never names: `labels` (value or id -> {zh, en}; an indicator's entry also has its
            `unit`), `threshold_units` (threshold name -> unit), `gap_of` ((alias, field) the gap is
            measured on).
    """
    lang = "zh" if lang == "zh" else "en"
    parts = []
    for literal, name, spec, where, key, fld in _segments(template):
        parts.append(literal)
        if name is None:
            continue
        if where == ".":
            value = bound.get(key, _NOTHING).get(fld)
            if type(value) is str and spec is None:    # most placeholders: text as it is
                parts.append(value)
                continue
        elif where == "$":
            value = thresholds.get(key)
            if isinstance(value, dict):      # a Text as dict: {$t.framework}
                value = value.get(lang)
        else:
            value = extras.get(key)
            if key == "missing" and isinstance(value, (list, tuple)):
                parts.append(_missing_text(value, extras.get("labels", {}), lang) if value else _MISSING[lang])
                continue
            if key == "undefined" and isinstance(value, str):
                parts.append(_phrase(value, extras.get("labels", {}), lang))
                continue
        parts.append(_value(name, spec, value, bound, extras, lang))
    return "".join(parts)


_NOTHING: dict = {}


def _value(name: str, spec: str | None, value: object, bound: dict, extras: dict, lang: str) -> str:
    """`value`, which placeholder `{name:spec}` reads, as text in `lang` ("zh" or "en")."""
    if value is None:
        return _MISSING[lang]
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if spec == "label":     # one value, or a comma-separated list of values
        labels = extras.get("labels", {})
        words = [labels[v][lang] if v in labels else v for v in str(value).split(", ")]
        return ("、" if lang == "zh" else ", ").join(words)
    if spec and spec.startswith("n:") and isinstance(value, (int, float)):
        one, many = spec[2:].split("|")        # a count and the words it agrees with
        return f"{format_number(value, lang)} {one if value == 1 else many}"
    if spec in NUMBER_SPECS and isinstance(value, (int, float)):
        signed = spec.startswith("+")
        if spec.endswith("num"):
            return format_number(value, lang, signed=signed)
        unit, as_set = _unit_of(name, bound, extras)
        return format_quantity(value, unit, lang, signed=signed, as_set=as_set)
    if spec:
        return format(value, spec)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else f"{value:.6g}"
    return str(value)


# -- units of what a placeholder prints ----------------------------------------------------------

def _per_year(unit: str | None) -> str | None:
    if not unit:
        return None
    return "pp/a" if unit == "%" else f"{unit}/a"


def _unit_of(name: str, bound: dict, extras: dict) -> tuple[str | None, bool]:
    """(unit, printed as set) of the value `name` stands for."""
    if name.startswith("$"):
        return extras.get("threshold_units", {}).get(name[1:]), True
    if name == "gap":
        of = extras.get("gap_of")
        if not of:
            return None, False
        unit, _ = _field_unit(bound.get(of[0], {}), of[1], extras.get("labels", {}))
        return difference_unit(unit), False
    alias, fld = name.split(".", 1)
    return _field_unit(bound.get(alias, {}), fld, extras.get("labels", {}))


def _field_unit(fact: dict, fld: str, labels: dict) -> tuple[str | None, bool]:
    kind = fact.get("kind")
    if kind == "indicator" and fld in _INDICATOR_VALUES:
        unit = fact.get("unit")
        return (difference_unit(unit) if fld == "change" else unit), False
    if kind == "target" and fld in _TARGET_VALUES | _TARGET_RATES | _TARGET_MARGINS:
        unit = labels.get(fact.get("indicator"), {}).get("unit")
        if fld in _TARGET_MARGINS:
            return difference_unit(unit), False
        if fld in _TARGET_RATES:
            return ("%/a" if fact.get("rate_kind") == "compound" else _per_year(unit)), False
        return unit, fld in _TARGET_SET
    spec = KINDS.get(kind or "", {}).get(fld)
    return (spec.unit if spec else None), False


# -- what to collect, and zero bases --------------------------------------------------------------

_PATH = re.compile(r"^(years|enterprises|infrastructure|management|plan|profile|smart_platform|circular|"
                   r"accounting)(\[\d*\])?(\.[a-z0-9_]+(\[\d*\])?)*$")
_DERIVED = re.compile(r"^derived\.([a-z0-9_]+)(?: \((\d{4})\))?(?: \(undefined: (.*)\))?$")
_SECOND_YEAR = re.compile(r"^years \(a second year with ([a-z0-9_.]+) (?:reported|computable; only (\d+) so far)\)$")
_ENGINE_FIELD = re.compile(r"^(" + "|".join(KINDS) + r")\.[a-z0-9_]+$")
_ZERO_BASE = re.compile(r"^(derived\.[a-z0-9_]+(?: \(\d{4}\))?|[^=]+?) = (\S+)(?: \((.*)\))?$")


def label_word(key: str, labels: dict, lang: str) -> str:
    """The words for `key` inside a sentence (an indicator id, a rule id, a closed value)."""
    return _label(key, labels, lang)


def _label(key: str, labels: dict, lang: str) -> str:
    """The words for `key`; an English name starts lower case inside a sentence ("CO2" stays)."""
    word = labels[key][lang] if key in labels else key
    if lang == "en" and len(word) > 1 and word[0].isupper() and word[1].islower():
        word = word[0].lower() + word[1:]
    return word


def _missing_text(entries, labels: dict, lang: str) -> str:
    """The facts to collect, for prose: park-file paths as they are, the rest in words."""
    out: list[str] = []
    for entry in entries:
        text = _missing_entry(entry, labels, lang)
        if text is None and len(entries) > 1:       # an engine field behind another entry
            continue
        text = entry if text is None else text
        if text not in out:
            out.append(text)
    return ("、" if lang == "zh" else ", ").join(out)


def _missing_entry(entry: str, labels: dict, lang: str) -> str | None:
    if _PATH.match(entry):
        return entry
    m = _DERIVED.match(entry)
    if m:
        name, year, why = _label(m.group(1), labels, lang), m.group(2), m.group(3)
        if lang == "zh":
            text = f"{year + ' 年' if year else ''}{name}的计算数据"
            return text + (f"（{_phrase(why, labels, lang)}）" if why else "")
        text = f"the inputs of {name}{f' ({year})' if year else ''}"
        return text + (f" ({_phrase(why, labels, lang)})" if why else "")
    m = _SECOND_YEAR.match(entry)
    if m:
        name, known = _label(m.group(1), labels, lang), m.group(2)
        if lang == "zh":
            return f"第二个统计年度的{name}数据" + (f"（目前仅 {known} 个年度可计算）" if known else "")
        return f"a second year of {name} data" + (f" (only {known} so far)" if known else "")
    if _ENGINE_FIELD.match(entry):
        return None
    return entry


def _phrase(text: str, labels: dict, lang: str) -> str:
    """An engine description of a zero base (`undefined`) in words, paths kept."""
    if text in ENGINE_PHRASES:
        return ENGINE_PHRASES[text][lang]
    head, sep, rest = text.partition(": ")
    if sep and head in labels:                      # "indicator_id: why"
        return f"{labels[head][lang]}{'：' if lang == 'zh' else ': '}{_phrase(rest, labels, lang)}"
    if sep and _PATH.match(head) and rest in ENGINE_PHRASES:     # "infrastructure.wastewater_plants: none listed"
        return f"{head}{'：' if lang == 'zh' else ': '}{ENGINE_PHRASES[rest][lang]}"
    m = _ZERO_BASE.match(text)
    if m:
        base, value, why = m.group(1), m.group(2), m.group(3)
        if not _PATH.match(base):
            base = _missing_entry(base, labels, lang) or base
            if base.startswith("the inputs of "):
                base = base[len("the inputs of "):]
            elif base.endswith("的计算数据"):
                base = base[:-len("的计算数据")]
        if base in ENGINE_PHRASES:
            base = ENGINE_PHRASES[base][lang]
        tail = ""
        if why:
            words = ENGINE_PHRASES.get(why, {}).get(lang, why)
            tail = f"，{words}" if lang == "zh" else f"; {words}"
        return f"{base} = {value}{tail}"
    return text
