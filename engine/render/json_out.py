"""The result as JSON: UTF-8, stable key order, Chinese unescaped."""
from __future__ import annotations

import json

__all__ = ["render_json"]


def render_json(result: dict, *, indent: int | None = 2) -> str:
    return json.dumps(result, ensure_ascii=False, indent=indent, sort_keys=False)
