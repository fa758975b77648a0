"""The YAML 1.2 core schema for plain scalars, so a YAML file means what its JSON would.

PyYAML resolves plain scalars by YAML 1.1, where `yes`, `no`, `on`, `off`, `y` and `n` are
booleans, `1:30` is the number 90, `010` is 8, `1_000` is 1000 and `2024-01-01` is a date, while
`1e3` is text. The park's JSON Schema (`greenpark schema`), the HTTP API (JSON) and every
standard validator read the same document by YAML 1.2 / JSON. `Yaml12Loader` resolves plain
scalars by the YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution):

| tag   | plain scalars                                                          |
|-------|------------------------------------------------------------------------|
| null  | `null` `Null` `NULL` `~` and the empty value                           |
| bool  | `true` `True` `TRUE` `false` `False` `FALSE` - nothing else            |
| int   | `[-+]?[0-9]+` (decimal, so `010` is 10), `0o17`, `0x1F`                |
| float | `1.5` `.5` `1.` `1e3` `-2.5E-3`, `.inf` `-.inf` `.nan` (any case form)  |
| str   | everything else: `yes`, `off`, `1:30`, `1_000`, `2024-01-01`, `0b101`  |

So `has_management_body: yes` reaches validation as the text "yes" and is refused there
("must be true or false"), exactly as the JSON Schema refuses it. The merge key `<<` is kept
(a widely used YAML 1.1 extension that changes no value's type). Explicit tags outside the core
schema (`!!timestamp`, `!!binary`, `!!set`, `!!omap`, `!!pairs`) are refused with their line:
they build values (dates, bytes, sets) that JSON has no form for.
"""
from __future__ import annotations

import re

import yaml
from yaml.constructor import ConstructorError

__all__ = ["Yaml12Loader", "Yaml12Dumper", "canonical_key"]

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: ~10x faster

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_TAG = "tag:yaml.org,2002:"


class Yaml12Loader(_Base):
    """A safe loader whose plain scalars resolve by the YAML 1.2 core schema (module docstring)."""

    yaml_implicit_resolvers: dict = {}
    yaml_constructors = dict(_Base.yaml_constructors)


for _tag, _regexp, _first in [
        ("null", _NULL, ["~", "n", "N", ""]),
        ("bool", _BOOL, list("tTfF")),
        ("int", _INT, list("-+0123456789")),
        ("float", _FLOAT, list("-+0123456789.")),
        ("merge", re.compile(r"^(?:<<)$"), ["<"])]:
    Yaml12Loader.add_implicit_resolver(_TAG + _tag, _regexp, _first)



class Yaml12Dumper(yaml.SafeDumper):
    """A safe dumper that quotes every text a YAML 1.2 reader (this module's) or a YAML 1.1 one
    would take for something else: `2E5` and `0o17` (numbers in 1.2) as well as `yes` (1.1)."""


for _tag, _regexp, _first in [
        ("null", _NULL, ["~", "n", "N", ""]),
        ("bool", _BOOL, list("tTfF")),
        ("int", _INT, list("-+0123456789")),
        ("float", _FLOAT, list("-+0123456789."))]:
    Yaml12Dumper.add_implicit_resolver(_TAG + _tag, _regexp, _first)   # on top of SafeDumper's 1.1 ones

def _scalar(loader: yaml.BaseLoader, node: yaml.Node, pattern: re.Pattern, what: str) -> str:
    value = loader.construct_scalar(node)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ConstructorError(None, None, f"{value!r} is not a YAML 1.2 {what} (tag {node.tag.replace(_TAG, '!!')})",
                               node.start_mark)
    return value


def _bool(loader, node) -> bool:
    return _scalar(loader, node, _BOOL, "boolean (true or false)").lower() == "true"


def _int(loader, node) -> int:
    text = _scalar(loader, node, _INT, "integer")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _float(loader, node) -> float:
    text = _scalar(loader, node, _FLOAT, "number")
    low = text.lower()
    return float(low.replace(".", "") if "inf" in low or "nan" in low else text)


def _refused(loader, node):
    name = node.tag.replace(_TAG, "!!")
    raise ConstructorError(None, None, f"the tag {name} is not in the YAML 1.2 core schema park files are "
                                       "read with (write the value as plain text, a number or true/false)",
                           node.start_mark)


for _tag, _fn in [("bool", _bool), ("int", _int), ("float", _float)]:
    Yaml12Loader.add_constructor(_TAG + _tag, _fn)
for _tag in ("timestamp", "binary", "set", "omap", "pairs"):
    Yaml12Loader.add_constructor(_TAG + _tag, _refused)


def canonical_key(node: yaml.ScalarNode) -> tuple[str, object]:
    """A mapping key as the data will hold it, to find duplicates a dict would silently merge:
    `true:` and `True:` are one key, and so are `10:`, `0xA:` and `10.0:` (and `1:` and `true:`,
    equal in Python)."""
    tag, text = node.tag, node.value
    try:
        if tag == _TAG + "bool" and _BOOL.fullmatch(text):
            return "number", int(text.lower() == "true")
        if tag == _TAG + "int" and _INT.fullmatch(text):
            return "number", int(text[2:], 8 if text[1] == "o" else 16) if text[:2] in ("0o", "0x") else int(text)
        if tag == _TAG + "float" and _FLOAT.fullmatch(text):
            low = text.lower()
            return "number", float(low.replace(".", "") if "inf" in low or "nan" in low else text)
        if tag == _TAG + "null" and _NULL.fullmatch(text):
            return "null", None
    except (ValueError, IndexError):
        pass
    return tag, text
