"""Renderers of an assessment result: JSON, Markdown, and rich terminal tables.

Domain code never imports rich; only `engine.render.table` does.
"""
from engine.render.json_out import render_json
from engine.render.markdown import render_markdown

__all__ = ["render_json", "render_markdown"]
