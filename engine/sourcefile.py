"""Read a YAML or JSON file and remember where every value came from.

`load_document(path)` returns a `Document`: the plain data plus a map from each value's path
(a tuple of keys and list indices) to its line and column, so a later validation error on
`("years", 2, "energy", "coal")` can be reported as `park.yaml:41:13: years[2].energy.coal: ...`.

Only safe YAML is accepted (no tags that build Python objects). Duplicate keys are an error, in
YAML and in JSON alike (`loads_json`, also used for HTTP bodies): in a regulator's file a repeated
key silently losing a value is worse than a refusal. A mapping key must be a scalar.

Input is bounded, so that no file or body of any size or shape can exhaust memory or the stack.
Each limit is refused with one located problem that names it:

* `MAX_FILE_BYTES` (20 MB): a file is read up to the limit and refused beyond it; reading stops
  there, so `/dev/zero` or an endless FIFO is refused too, not read to the end.
* `MAX_DEPTH` (64): mappings and lists nested more deeply (a park is 5 deep, a batch body 7).
* `MAX_ALIAS_EXPANSION` (1,000,000): nodes that YAML aliases add, counted as if each alias were
  written out (a "billion laughs" file of a few hundred bytes is refused at once).
* `MAX_ALIAS_DEPTH` (5): YAML aliases whose anchors hold aliases, nested more deeply.

Error positions never walk alias expansions: an aliased value is located at its anchor.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, NoReturn

import yaml

from engine.errors import InputError, MalformedInput, Problem

__all__ = ["Document", "load_document", "parse_document", "loads_json", "format_path",
           "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_ALIAS_EXPANSION", "MAX_ALIAS_DEPTH"]

MAX_FILE_BYTES = 20_000_000
"""Largest file read (bytes). A 10,000-enterprise park is about 5.6 MB of YAML, 6.7 MB of JSON."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (the top-level mapping is depth 1)."""
MAX_ALIAS_EXPANSION = 1_000_000
"""Most nodes that YAML aliases may add to a document (about what 12 MB of written-out YAML holds)."""
MAX_ALIAS_DEPTH = 5
"""Deepest nesting of YAML aliases: an alias to an anchor that holds an alias is depth 2."""

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """Parsed data with the source position of every value."""

    data: Any
    file: str
    node: Any = None   # the YAML node tree; positions are worked out from it only when asked
    _positions: dict[Path_, tuple[int, int]] | None = field(default=None, repr=False)
    _json_text: str | None = field(default=None, repr=False)

    @property
    def positions(self) -> dict[Path_, tuple[int, int]]:
        """Path -> (line, column); computed on first use (only errors need it)."""
        if self._positions is None:
            if self.node is not None:
                self._positions = _yaml_positions(self.node)
            elif self._json_text is not None:
                self._positions = _JsonScan(self._json_text).positions
            else:
                self._positions = {}
        return self._positions

    def locate(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column (1-based) of `path`, or of its nearest located parent."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (None, None))

    def problem(self, path: Path_, message: str) -> Problem:
        line, col = self.locate(path)
        return Problem(message, file=self.file, line=line, column=col, path=format_path(path) or None)


def format_path(path: Path_) -> str:
    """`("years", 2, "energy")` -> `years[2].energy`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _too_deep() -> str:
    return f"nested more than {MAX_DEPTH} deep (the limit for mappings and lists, MAX_DEPTH)"


# --- YAML ---------------------------------------------------------------------------------------

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: ~10x faster
    """SafeLoader; `_check_yaml` vets the node graph before any data is built from it."""


def _key_label(key_node: yaml.ScalarNode) -> str | int:
    """A mapping key as it appears in a path: `2021:` is an int key in the data, so in the path too."""
    key = key_node.value
    if key_node.tag == "tag:yaml.org,2002:int" and key.lstrip("-").isdigit():
        return int(key)
    return key


class _Frame:
    """One collection node being walked by `_check_yaml`, with what its subtree adds up to."""

    __slots__ = ("node", "children", "label", "size", "height", "alias_depth")

    def __init__(self, node: yaml.Node, children: Any):
        self.node, self.children, self.label = node, children, None
        self.size, self.height, self.alias_depth = 1, 1, 0


def _check_yaml(root: yaml.Node, file: str) -> None:
    """Vet the composed YAML before building data from it, in one walk of each node.

    Refuses non-scalar and duplicate mapping keys (one problem each), nesting beyond MAX_DEPTH,
    and aliases that expand beyond MAX_ALIAS_EXPANSION nodes or nest beyond MAX_ALIAS_DEPTH (or
    refer to a value that contains them). An alias is never walked into: the size, height and
    alias depth of its anchor are known by then (an anchor comes before its aliases).

    Raises:
        InputError: with one located problem per bad key, or the first limit exceeded.
    """
    problems: list[Problem] = []
    done: dict[int, tuple[int, int, int]] = {}   # id(node) -> (expanded size, height, alias depth)
    walking: set[int] = set()                    # the collections on the stack (an alias to one is a cycle)
    distinct = 0
    stack: list[_Frame] = []

    def where(node: yaml.Node) -> dict:
        path = tuple(_key_label(f.label) if isinstance(f.label, yaml.Node) else f.label
                     for f in stack if f.label is not None)
        return {"file": file, "line": node.start_mark.line + 1, "column": node.start_mark.column + 1,
                "path": format_path(path) or None}

    def refuse(node: yaml.Node, message: str) -> NoReturn:
        raise InputError(f"{len(problems) + 1} problem(s) in {file}", problems + [Problem(message, **where(node))])

    def enter(node: yaml.Node) -> None:
        nonlocal distinct
        if len(stack) >= MAX_DEPTH:
            refuse(node, _too_deep())
        distinct += 1
        walking.add(id(node))
        if isinstance(node, yaml.MappingNode):
            frame = _Frame(node, None)
            stack.append(frame)
            seen: dict[tuple[str, str], yaml.Node] = {}
            values = []
            for key_node, value_node in node.value:
                frame.size += 1
                distinct += 1
                frame.label = None
                if not isinstance(key_node, yaml.ScalarNode):
                    kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                    problems.append(Problem(f"a mapping key must be a scalar (text, a number), not {kind}",
                                            **where(key_node)))
                    continue
                key = (key_node.tag, key_node.value)
                if key in seen:
                    frame.label = key_node
                    problems.append(Problem(f"duplicate key {key_node.value!r} (first at line "
                                            f"{seen[key].start_mark.line + 1})", **where(key_node)))
                    continue
                seen[key] = key_node
                values.append((key_node, value_node))
            frame.label, frame.children = None, iter(values)
        else:
            stack.append(_Frame(node, iter(enumerate(node.value))))

    if isinstance(root, yaml.ScalarNode):
        return
    enter(root)
    while stack:
        frame = stack[-1]
        child = next(frame.children, None)
        if child is None:
            stack.pop()
            node = frame.node
            walking.discard(id(node))
            done[id(node)] = (frame.size, frame.height, frame.alias_depth)
            if frame.size - distinct > MAX_ALIAS_EXPANSION:
                refuse(node, f"its aliases written out make {frame.size:,} nodes, more than the "
                             f"{MAX_ALIAS_EXPANSION:,} that aliases may add (MAX_ALIAS_EXPANSION)")
            if frame.alias_depth > MAX_ALIAS_DEPTH:
                refuse(node, f"aliases nested {frame.alias_depth} deep, more than the limit of "
                             f"{MAX_ALIAS_DEPTH} (MAX_ALIAS_DEPTH)")
            if stack:
                parent = stack[-1]
                parent.size += frame.size
                parent.height = max(parent.height, frame.height + 1)
                parent.alias_depth = max(parent.alias_depth, frame.alias_depth)
            continue
        frame.label, node = child
        if isinstance(node, yaml.ScalarNode):
            frame.size += 1
            distinct += 1
            continue
        known = done.get(id(node))
        if known is not None:                    # an alias: counted, never walked into
            size, height, alias_depth = known
            frame.size += size
            frame.height = max(frame.height, height + 1)
            frame.alias_depth = max(frame.alias_depth, alias_depth + 1)
            if len(stack) + height > MAX_DEPTH:
                refuse(node, _too_deep() + " once its aliases are written out")
        elif id(node) in walking:
            refuse(node, "an alias refers to a value that contains it (a recursive alias)")
        else:
            enter(node)
    if problems:
        raise InputError(f"{len(problems)} problem(s) in {file}", problems)


def _yaml_positions(root: yaml.Node) -> dict[Path_, tuple[int, int]]:
    """Path -> (line, column) of every value, each node walked once: an alias is located at its
    anchor and not walked into (so a billion-laughs file costs its size, not its expansion)."""
    out: dict[Path_, tuple[int, int]] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, path + (_key_label(key),)) for key, value in reversed(node.value)
                         if isinstance(key, yaml.ScalarNode))
        else:
            stack.extend((item, path + (i,)) for i, item in reversed(list(enumerate(node.value))))
    return out


def _parse_yaml(text: str, file: str) -> Document:
    loader = _Loader(text)
    try:  # compose once, vet the nodes, then build the data from the nodes that give the positions
        node = loader.get_single_node()
        if node is not None:
            _check_yaml(node, file)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise MalformedInput("malformed YAML", [Problem(f"malformed YAML: {msg}", file=file,
                                                        line=mark.line + 1 if mark else None,
                                                        column=mark.column + 1 if mark else None)]) from exc
    except yaml.YAMLError as exc:
        raise MalformedInput("malformed YAML", [Problem(f"malformed YAML: {exc}", file=file)]) from exc
    except RecursionError:      # only without libyaml, whose parser stops at 1,000 levels itself
        raise InputError("nested too deep", [Problem(_too_deep(), file=file)]) from None
    finally:
        loader.dispose()
    return Document(data=data, file=file, node=node)


# --- JSON ---------------------------------------------------------------------------------------

class _DuplicateKey(Exception):
    """Raised inside `json.loads` at the first repeated key; `_JsonScan` then finds them all."""


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


class _JsonScan:
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
        scan = _JsonScan(text)
        problems = [Problem(f"duplicate key {key!r} (first at line {first})", file=file, line=line,
                            column=column, path=format_path(path))
                    for path, (line, column), key, first in scan.duplicates]
        raise InputError(f"{len(problems)} duplicate key(s) in {file}", problems) from None


def _refuse_too_deep(text: str, file: str) -> NoReturn:
    found = _JsonScan(text, stop_depth=MAX_DEPTH).too_deep
    path, (line, column) = found if found is not None else ((), (None, None))
    raise InputError(f"nested too deep in {file}", [Problem(_too_deep(), file=file, line=line, column=column,
                                                            path=format_path(path) or None)])


# --- files --------------------------------------------------------------------------------------

def parse_document(text: str, file: str, *, json_syntax: bool | None = None) -> Document:
    """Parse YAML or JSON text; syntax errors become an `InputError` with line and column.

    Args:
        text: the file's content.
        file: the name to report in errors.
        json_syntax: force JSON (True) or YAML (False); by default decided by the file suffix.

    Raises:
        MalformedInput: text that does not parse.
        InputError: duplicate or non-scalar keys, nesting or aliases over the limits, or a YAML
            tag that is not plain data.

    Example:
        >>> parse_document("a: 1\\nb: [2, 3]\\n", "x.yaml").positions[("b", 1)]
        (2, 8)
    """
    if json_syntax is None:
        json_syntax = file.lower().endswith(".json")
    if json_syntax:
        return Document(data=loads_json(text, file), file=file, _json_text=text)
    return _parse_yaml(text, file)


def load_document(path: str | Path) -> Document:
    """Read `path` (YAML, or JSON by suffix) with positions; at most MAX_FILE_BYTES are read.

    Raises:
        InputError: the file cannot be read, is larger than MAX_FILE_BYTES, or does not parse.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)       # stops at the limit: /dev/zero, an endless FIFO
    except FileNotFoundError as exc:
        raise InputError("file not found", [Problem("file not found", file=str(path))]) from exc
    except OSError as exc:
        raise InputError("cannot read file", [Problem(f"cannot read file: {exc}", file=str(path))]) from exc
    if len(raw) > MAX_FILE_BYTES:
        message = f"larger than {MAX_FILE_BYTES // 1_000_000} MB, the limit for an input file (MAX_FILE_BYTES)"
        raise InputError("file too large", [Problem(message, file=str(path))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInput("cannot read file", [Problem(f"cannot read file: {exc}", file=str(path))]) from exc
    if "\r" in text:                                # as text mode reads it: universal newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_document(text, str(path))
