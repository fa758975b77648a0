"""The bounds every input is read within, and how a path into the data is written."""
from __future__ import annotations

__all__ = ["MAX_FILE_BYTES", "MAX_DEPTH", "MAX_ALIAS_EXPANSION", "MAX_ALIAS_DEPTH", "Path_", "format_path",
           "too_deep"]

MAX_FILE_BYTES = 20_000_000
"""Largest file read (bytes). A 10,000-enterprise park is about 5.6 MB of YAML, 6.7 MB of JSON."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (the top-level mapping is depth 1)."""
MAX_ALIAS_EXPANSION = 1_000_000
"""Most nodes that YAML aliases may add to a document (about what 12 MB of written-out YAML holds)."""
MAX_ALIAS_DEPTH = 5
"""Deepest nesting of YAML aliases: an alias to an anchor that holds an alias is depth 2."""

Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    """`("years", 2, "energy")` -> `years[2].energy`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def too_deep() -> str:
    """The message for input nested beyond MAX_DEPTH."""
    return f"nested more than {MAX_DEPTH} deep (the limit for mappings and lists, MAX_DEPTH)"
