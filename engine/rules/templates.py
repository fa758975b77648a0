"""Explanation templates: `{alias.field}`, `{alias.field:.1f}`, `{alias.field:label}` (the words for
an indicator id or a closed value, in the text's language), `{$threshold}`, `{$threshold.framework}`
(the name of the framework the benchmark comes from), `{gap:.1f}`.

Deliberately tiny - no expressions, no attribute walking, no `eval` - and checked when the pack
compiles: an unknown alias, field or threshold, or a format spec the value cannot take, is a
load error, not a broken sentence in front of a regulator.

    >>> render("占比 {s.value:.1f}%，低于基准 {$min}%", {"s": {"value": 8.0}}, {"min": 15}, {}, "zh")
    '占比 8.0%，低于基准 15%'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from engine.facts.catalogue import KINDS

__all__ = ["Placeholder", "placeholders", "check_template", "render", "TemplateError"]

_PLACEHOLDER = re.compile(r"\{(\$?[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)(?::([^{}]*))?\}")
_MISSING = {"zh": "（未报告）", "en": "(not reported)"}


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
        if ph.name.startswith("$"):
            name, _, attr = ph.name[1:].partition(".")
            if name not in thresholds:
                raise TemplateError(f"{{{ph.name}}}: no threshold {name!r} in `thresholds:`")
            if attr not in ("", "framework"):
                raise TemplateError(f"{{{ph.name}}}: a threshold has only .framework")
            sample: object = "x" if attr else 1.0
        elif ph.name == "gap":
            if not has_gap:
                raise TemplateError("{gap}: this rule compares no field with a threshold")
            sample = 1.0
        elif ph.name in extras:
            sample = "x"
        elif "." in ph.name:
            alias, fld = ph.name.split(".", 1)
            if alias not in aliases:
                raise TemplateError(f"{{{ph.name}}}: no alias {alias!r} (aliases: {', '.join(aliases)})")
            spec = KINDS[aliases[alias]].get(fld)
            if spec is None:
                raise TemplateError(f"{{{ph.name}}}: {aliases[alias]} has no field {fld!r}")
            sample = {"number": 1.0, "text": "x", "bool": True}[spec.type]
        else:
            raise TemplateError(f"{{{ph.name}}}: write alias.field, $threshold, gap, or (for "
                                f"insufficient_data) missing, (for undefined) undefined")
        if ph.spec == "label":
            if not isinstance(sample, str):
                raise TemplateError(f"{{{ph.name}:label}}: only a text value has a label")
        elif ph.spec:
            try:
                format(sample, ph.spec)
            except (ValueError, TypeError) as exc:
                raise TemplateError(f"{{{ph.name}:{ph.spec}}}: bad format ({exc})") from None


@lru_cache(maxsize=4096)
def _segments(template: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """`template` split once into (literal, placeholder name, format spec) runs."""
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        out.append((template[pos:m.start()], m.group(1), m.group(2)))
        pos = m.end()
    out.append((template[pos:], None, None))
    return tuple(out)


def render(template: str, bound: dict[str, dict], thresholds: dict[str, object], extras: dict[str, object],
           lang: str) -> str:
    """Fill `template` from bound facts, threshold values and extras (`gap`, `missing`)."""
    parts = []
    for literal, name, spec in _segments(template):
        parts.append(literal)
        if name is not None:
            parts.append(_value(name, spec, bound, thresholds, extras, lang))
    return "".join(parts)


def _value(name: str, spec: str | None, bound: dict, thresholds: dict, extras: dict, lang: str) -> str:
    if name.startswith("$"):
        value = thresholds.get(name[1:])
        if isinstance(value, dict):      # a Text as dict: {$t.framework}
            value = value.get("zh" if lang == "zh" else "en")
    elif "." not in name:
        value = extras.get(name)
    else:
        alias, fld = name.split(".", 1)
        value = bound.get(alias, {}).get(fld)
    if value is None:
        return _MISSING["zh" if lang == "zh" else "en"]
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if spec == "label":     # one value, or a comma-separated list of values
        labels, key = extras.get("labels", {}), "zh" if lang == "zh" else "en"
        words = [labels[v][key] if v in labels else v for v in str(value).split(", ")]
        return ("、" if lang == "zh" else ", ").join(words)
    if spec:
        return format(value, spec)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else f"{value:.6g}"
    return str(value)
