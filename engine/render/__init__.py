"""Renderers of an assessment result: JSON, Markdown, and rich terminal tables.

Domain code never imports rich; only the terminal renderables here do (`table` and the tables and
panel it composes, `explain`, `progress`). What a view lists - the default, `--only`, `--all` - is
plain data in `selection`, shared by the terminal and Markdown.
"""
from .json_out import render_json
from .markdown import render_markdown

__all__ = ["render_json", "render_markdown"]
