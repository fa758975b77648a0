"""JSON with the bounds of `engine.sourcefile.limits`: duplicate keys refused like YAML's, nesting
checked before parsing (never a RecursionError), and - only for errors - a position-tracking scan."""
from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, NoReturn

from ..errors import InputError, MalformedInput, Problem
from .limits import MAX_DEPTH, Path_, format_path, too_deep

__all__ = ["loads_json", "JsonScan"]


class _DuplicateKey(Exception):
    """Raised inside `json.loads` at the first repeated key; `JsonScan` then finds them all."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise _DuplicateKey
    return data


_KEEP_BRACKETS_AND_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')
_STRING_SKELETON = re.compile(rb'"[^"]*"')
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def _json_depth(raw: bytes) -> int:
    """Deepest nesting of JSON text, in C-speed passes (~4 ms a MB): escaped backslashes and
    quotes go, then all but brackets and quotes, then the strings. Exact for valid JSON."""
    if b"\\" in raw:                          # rare; replace() costs even when it finds nothing
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = raw.translate(None, _KEEP_BRACKETS_AND_QUOTES)
    skeleton = skeleton.replace(b'""', b"")     # strings without brackets: removing a pair keeps the rest paired
    if b'"' in skeleton:
        skeleton = _STRING_SKELETON.sub(b"", skeleton)
    return max(accumulate(map(_STEP.__getitem__, skeleton)), default=0)


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)


class JsonScan:
    """One iterative pass over JSON text: the position of every value, every duplicate key, and
    the first value nested deeper than `stop_depth`. Slow (Python, ~0.2 s a MB); run only for
    errors, on text that `json.loads` accepted or that is too deep for it."""

    def __init__(self, text: str, stop_depth: int | None = None):
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.duplicates: list[tuple[Path_, tuple[int, int], str, int]] = []   # path, where, key, first line
        self.too_deep: tuple[Path_, tuple[int, int]] | None = None
        # a frame: [path, keys seen (None in a list), current key or index, expecting a key]
        stack: list[list] = []
        line, line_start, last = 1, 0, 0
        for match in _JSON_TOKEN.finditer(text):
            pos, token = match.start(), match.group()
            newlines = text.count("\n", last, pos)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", last, pos) + 1
            last = pos
            at = (line, pos - line_start + 1)
            top = stack[-1] if stack else None
            if token in ("}", "]"):
                if stack:
                    stack.pop()
                continue
            if top is not None and top[3]:          # in a mapping, where a key is due
                if token[0] == '"':
                    key = _json_string(token)
                    if key in top[1]:
                        self.duplicates.append((top[0] + (key,), at, key, top[1][key]))
                    else:
                        top[1][key] = line
                    top[2], top[3] = key, False
                continue
            if token == ":":
                continue
            if token == ",":
                if top is not None:
                    if top[1] is None:
                        top[2] += 1
                    else:
                        top[3] = True
                continue
            path = top[0] + (top[2],) if top is not None else ()
            self.positions[path] = at
            if token in ("{", "["):
                if stop_depth is not None and len(stack) >= stop_depth:
                    self.too_deep = (path, at)
                    return
                stack.append([path, {} if token == "{" else None, 0, token == "{"])


def _json_string(token: str) -> str:
    try:
        return json.loads(token)
    except ValueError:          # not reached for text that json.loads accepted
        return token[1:-1]


def loads_json(text: str | bytes, file: str = "<input>") -> Any:
    """`json.loads` that refuses what the YAML loader refuses: duplicate keys, and nesting
    deeper than MAX_DEPTH (checked before parsing, so never a RecursionError).

    Args:
        text: JSON text, or bytes in UTF-8 (or UTF-16/32, detected as `json.loads` does).
        file: the name to report in errors (`<body>` for an HTTP body).

    Returns:
        The parsed data.

    Raises:
        MalformedInput: not JSON (with line and column), or bytes that are not text.
        InputError: duplicate keys (one problem per duplicate, with its path) or nesting deeper
            than MAX_DEPTH (where it first goes too deep).

    Example:
        >>> loads_json('{"a": 1, "a": 2}', "x.json")
        Traceback (most recent call last):
        engine.errors.InputError: 1 duplicate key(s) in x.json
    """
    if isinstance(text, (bytes, bytearray)):
        raw = bytes(text)
        try:
            text = raw.decode(json.detect_encoding(raw), "surrogatepass")
        except UnicodeDecodeError as exc:
            raise MalformedInput(str(exc), [Problem(f"malformed JSON: not UTF-8 text ({exc.reason} at byte "
                                                    f"{exc.start})", file=file)]) from exc
    else:
        raw = text.encode("utf-8", "surrogatepass")
    if _json_depth(raw) > MAX_DEPTH:
        _refuse_too_deep(text, file)
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise MalformedInput(str(exc), [Problem(f"malformed JSON: {exc.msg}", file=file,
                                                line=exc.lineno, column=exc.colno)]) from exc
    except RecursionError:      # not reached after the depth check; kept as the last guard
        _refuse_too_deep(text, file)
    except _DuplicateKey:
        scan = JsonScan(text)
        problems = [Problem(f"duplicate key {key!r} (first at line {first})", file=file, line=line,
                            column=column, path=format_path(path))
                    for path, (line, column), key, first in scan.duplicates]
        raise InputError(f"{len(problems)} duplicate key(s) in {file}", problems) from None


def _refuse_too_deep(text: str, file: str) -> NoReturn:
    found = JsonScan(text, stop_depth=MAX_DEPTH).too_deep
    path, (line, column) = found if found is not None else ((), (None, None))
    raise InputError(f"nested too deep in {file}", [Problem(too_deep(), file=file, line=line, column=column,
                                                            path=format_path(path) or None)])
