"""JSON out, one encoder for every format: orjson where it serves, the standard library where not.

Every JSON the engine writes (the CLI's `-f json`, the HTTP service's responses) goes through
`dump_bytes` / `dump_text`, so it is encoded the same way everywhere: UTF-8 with characters as
themselves (what `json.dumps(..., ensure_ascii=False)` writes, never `\\uXXXX` for Chinese), keys in
the dict's own order unless `sort_keys=True`, compact or indented by two spaces (`pretty=True`, the
layout of `json.dumps(indent=2)`). orjson is 5-10x faster than `json.dumps` and, unlike it, stays
in C when indenting (the standard library falls back to its pure-Python encoder for `indent=`).

What orjson refuses, the standard library writes instead, explicitly, so the parsed content is
always what `json.dumps` would have written:

* dict keys that are not `str` (`{1: ...}`: `json.dumps` writes `"1"`, orjson raises);
* integers outside orjson's 64-bit range (`2**64`: Python's JSON writes every digit);
* nesting deeper than orjson's 254 levels;
* strings holding lone surrogates (`"\\ud800"`, not encodable as UTF-8): written `\\ud800`
  escaped, as `ensure_ascii=True` does, where `ensure_ascii=False` text could not be encoded.

Non-finite floats (NaN, +-Infinity) are written as `null` on both paths: they are not JSON
(RFC 8259); `json.dumps` writes the non-JSON tokens `NaN`/`Infinity` (which strict parsers and
browsers refuse) or, with `allow_nan=False` as Starlette uses it, raises. The engine's inputs refuse
them (`allow_inf_nan=False`), so a result carries none; `null` is what JavaScript's
`JSON.stringify` and FastAPI's own encoder write for them.

Objects `json.dumps` cannot encode (a set, a dataclass, a date) raise `TypeError` as it does; a
few it refuses, orjson writes (an `Enum` by its value, a `UUID` as its string).

    >>> dump_text({"名称": "园区", "n": [1, 2.5]})
    '{"名称":"园区","n":[1,2.5]}'
    >>> print(dump_text({"b": 1, "a": {}}, pretty=True, sort_keys=True))
    {
      "a": {},
      "b": 1
    }
"""
from __future__ import annotations

import json
import math
from typing import Any

try:                                # a declared dependency; the fallback keeps a broken install working
    import orjson
except ImportError:                 # pragma: no cover - exercised by tests/test_json_output.py
    orjson = None

__all__ = ["dump_bytes", "dump_text"]

if orjson is not None:
    # dataclasses and datetimes go to `_refuse`, so they raise as in json.dumps instead of being
    # written in orjson's own way
    _BASE = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
    _OPTIONS = {(pretty, sort): _BASE | (orjson.OPT_INDENT_2 if pretty else 0) | (orjson.OPT_SORT_KEYS if sort else 0)
                for pretty in (False, True) for sort in (False, True)}


def _refuse(obj: Any):
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def dump_bytes(obj: Any, *, pretty: bool = False, sort_keys: bool = False) -> bytes:
    """`obj` as UTF-8 JSON: compact, or indented by two spaces with `pretty`; keys sorted only
    with `sort_keys`. No trailing newline.

    Raises:
        TypeError: `obj` holds something JSON cannot represent (a set, a dataclass, ...).
        ValueError: `obj` contains itself.
    """
    if orjson is not None:
        try:
            return orjson.dumps(obj, default=_refuse, option=_OPTIONS[bool(pretty), bool(sort_keys)])
        except orjson.JSONEncodeError:
            pass        # a case listed in the module docstring (or a type error the fallback reports)
    return _stdlib(obj, pretty, sort_keys)


def dump_text(obj: Any, *, pretty: bool = False, sort_keys: bool = False) -> str:
    """`dump_bytes` as a `str` (for a text stream)."""
    return dump_bytes(obj, pretty=pretty, sort_keys=sort_keys).decode("utf-8")


def _stdlib(obj: Any, pretty: bool, sort_keys: bool) -> bytes:
    """The standard library's encoder, laid out as orjson lays out (`", "` and `": "` only where
    indented), non-finite floats as null."""
    options = {"indent": 2 if pretty else None, "separators": (",", ": ") if pretty else (",", ":"),
               "sort_keys": sort_keys, "allow_nan": False}
    try:
        text = json.dumps(obj, ensure_ascii=False, **options)
    except ValueError as exc:
        if "Circular reference" in str(exc):
            raise
        obj = _finite(obj)      # NaN or an infinity: written as null, as orjson does
        text = json.dumps(obj, ensure_ascii=False, **options)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the same content with it \u-escaped
        return json.dumps(obj, ensure_ascii=True, **options).encode("ascii")


def _finite(obj: Any) -> Any:
    """A copy of `obj` with NaN and infinities replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj
