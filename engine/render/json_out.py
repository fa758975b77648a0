"""The result as JSON: UTF-8, the result's own key order, Chinese unescaped, indented by two spaces.

Written by `engine.json_output` (orjson, in C even when indenting), the one encoder of every JSON
the engine writes; `json.dumps(indent=2)` runs its pure-Python encoder instead (~20 ms for a
typical park's result, issue #13).
"""
from __future__ import annotations

from ..json_output import dump_text

__all__ = ["render_json"]


def render_json(result: dict, *, indent: int | None = 2) -> str:
    """`result` as JSON text: indented by two spaces (`indent=2`, the layout of `json.dumps(indent=2)`)
    or compact (`indent=None`)."""
    if indent not in (None, 2):
        raise ValueError(f"indent must be 2 or None, not {indent!r}")
    return dump_text(result, pretty=indent is not None)
