"""Read a YAML or JSON file and remember where every value came from.

`load_document(path)` returns a `Document`: the plain data plus a map from each value's path
(a tuple of keys and list indices) to its line and column, so a later validation error on
`("years", 2, "energy", "coal")` can be reported as `park.yaml:41:13: years[2].energy.coal: ...`.

Only safe YAML is accepted (no tags that build Python objects), read by the YAML 1.2 core schema
as JSON would be (`yaml12.py`): only `true`/`false` are booleans (`yes`, `on`, `y` are text), `010`
is 10, `1:30` and `2024-01-01` are text, `1e3` is a number. Duplicate keys are an error, in
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

Error positions never walk alias expansions: an aliased value is located at its anchor. The
limits are in `limits.py`, YAML in `yaml_text.py` (its scalars in `yaml12.py`), JSON in `json_text.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, MalformedInput, Problem
from .json_text import JsonScan, loads_json
from .limits import (MAX_ALIAS_DEPTH, MAX_ALIAS_EXPANSION, MAX_DEPTH, MAX_FILE_BYTES, Path_,
                                      format_path)
from .yaml_text import parse_yaml, yaml_positions

__all__ = ["Document", "load_document", "parse_document", "loads_json", "format_path",
           "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_ALIAS_EXPANSION", "MAX_ALIAS_DEPTH"]


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
                self._positions = yaml_positions(self.node)
            elif self._json_text is not None:
                self._positions = JsonScan(self._json_text).positions
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
    data, node = parse_yaml(text, file)
    return Document(data=data, file=file, node=node)


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
