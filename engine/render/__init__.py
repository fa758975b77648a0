"""Renderers of an assessment result: JSON, Markdown, and rich terminal tables.

Domain code never imports rich; only the terminal renderables here do (`table` and the tables and
panel it composes, `explain`, `progress`). What a view lists - the default, `--only`, `--all` - is
plain data in `selection`, shared by the terminal and Markdown.

`render_json` and `render_markdown` are imported on first use (PEP 562), so a module of this
package that needs neither - `greenpark assess -f json` needs no Markdown - does not pay for them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .json_out import render_json
    from .markdown import render_markdown

__all__ = ["render_json", "render_markdown"]


def __getattr__(name: str):
    if name == "render_json":
        from .json_out import render_json
        return render_json
    if name == "render_markdown":
        from .markdown import render_markdown
        return render_markdown
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
