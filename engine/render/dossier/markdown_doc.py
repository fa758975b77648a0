"""The dossier and the portfolio as Markdown, from the same prepared data as the HTML page (the
charts' numbers as tables).

Example:
    >>> text = render_markdown(prepare(result, knowledge, lang="en"))      # doctest: +SKIP
"""
from __future__ import annotations

import re
from functools import lru_cache

from .html_doc import _heading_number
from .numfmt import number, quantity

__all__ = ["render_markdown", "render_portfolio_markdown"]


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell or list item: one line, pipes escaped."""
    return re.sub(r"\s*\n\s*", " ", str(text)).replace("|", "\\|")


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined
    env = Environment(loader=PackageLoader(__package__, "templates"), autoescape=False,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(cell=_cell, q=lambda v, unit, lang: quantity(v, unit, lang),
                       num=lambda v, lang="zh", sig=4: number(v, lang, sig=sig), hnum=_heading_number)
    return env


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_markdown(doc: dict) -> str:
    """The dossier of a prepared `doc` (`data.prepare`) as Markdown."""
    return _tidy(_environment().get_template("dossier.md.j2").render(d=doc, w=doc["w"], lang=doc["lang"]))


def render_portfolio_markdown(doc: dict) -> str:
    """The portfolio (`portfolio.view`) as Markdown."""
    return _tidy(_environment().get_template("portfolio.md.j2").render(p=doc, w=doc["w"], lang=doc["lang"]))
