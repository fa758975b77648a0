"""Read a YAML or JSON file and remember where every value came from.

`load_document(path)` returns a `Document`: the plain data plus a map from each value's path
(a tuple of keys and list indices) to its line and column, so a later validation error on
`("years", 2, "energy", "coal")` can be reported as `park.yaml:41:13: years[2].energy.coal: ...`.

Only safe YAML is accepted (no tags that build Python objects). Duplicate keys are an error:
in a regulator's file a repeated key silently losing a value is worse than a refusal.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InputError, Problem

__all__ = ["Document", "load_document", "parse_document", "format_path"]

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
            self._positions = {}
            if self.node is None and self._json_text is not None:
                try:  # JSON is YAML: borrow YAML's composer for positions; harmless if it cannot
                    self.node = yaml.compose(self._json_text, Loader=_Loader)
                except yaml.YAMLError:
                    pass
            if self.node is not None:
                _positions(self.node, (), self._positions)
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


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: ~10x faster
    """SafeLoader that refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        # scalar keys compare by their resolved value without building them twice
        key = (key_node.tag, key_node.value) if isinstance(key_node, yaml.ScalarNode) \
            else loader.construct_object(key_node, deep=True)
        if key in seen:
            shown = key[1] if isinstance(key_node, yaml.ScalarNode) else key
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {shown!r} (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark)
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _positions(node: yaml.Node, path: Path_, out: dict[Path_, tuple[int, int]]) -> None:
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.tag == "tag:yaml.org,2002:int" and key.lstrip("-").isdigit():
                key = int(key)  # `2021:` is an int key in the data, so in the path too
            out[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _positions(value_node, path + (key,), out)
            # the value's own position is more useful for "bad value" errors
            out[path + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _positions(item, path + (i,), out)


def parse_document(text: str, file: str, *, json_syntax: bool | None = None) -> Document:
    """Parse YAML or JSON text; syntax errors become an `InputError` with line and column.

    Args:
        text: the file's content.
        file: the name to report in errors.
        json_syntax: force JSON (True) or YAML (False); by default decided by the file suffix.

    Raises:
        InputError: malformed text, duplicate keys, or a YAML tag that is not plain data.

    Example:
        >>> parse_document("a: 1\\nb: [2, 3]\\n", "x.yaml").positions[("b", 1)]
        (2, 8)
    """
    if json_syntax is None:
        json_syntax = file.lower().endswith(".json")
    if json_syntax:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError("malformed JSON", [Problem(f"malformed JSON: {exc.msg}", file=file,
                                                        line=exc.lineno, column=exc.colno)]) from exc
        return Document(data=data, file=file, _json_text=text)
    loader = _Loader(text)
    try:  # compose once, then build the data from the same nodes that give the positions
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise InputError("malformed YAML", [Problem(f"malformed YAML: {msg}", file=file,
                                                    line=mark.line + 1 if mark else None,
                                                    column=mark.column + 1 if mark else None)]) from exc
    except yaml.YAMLError as exc:
        raise InputError("malformed YAML", [Problem(f"malformed YAML: {exc}", file=file)]) from exc
    finally:
        loader.dispose()
    return Document(data=data, file=file, node=node)


def load_document(path: str | Path) -> Document:
    """Read `path` (YAML, or JSON by suffix) with positions.

    Raises:
        InputError: the file cannot be read or parsed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("file not found", [Problem("file not found", file=str(path))]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("cannot read file", [Problem(f"cannot read file: {exc}", file=str(path))]) from exc
    return parse_document(text, str(path))
