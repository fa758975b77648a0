"""The dossier and the portfolio as one self-contained HTML page (jinja2 templates shipped in
`templates/`; CSS and SVG charts inline; no script, nothing fetched).

Example:
    >>> html = render_html(prepare(result, knowledge, lang="zh"))     # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from . import charts
from .numfmt import number, quantity

__all__ = ["render_html", "render_portfolio_html", "environment"]

_ZH_NUMERALS = "一二三四五六七八九十"


def _chem(text: Any) -> Markup:
    """Escape, then set the 2 of CO2 (or CO₂) as a subscript: Noto Sans CJK has no ₂."""
    return Markup(str(escape(text)).replace("CO2", "CO<sub>2</sub>").replace("CO₂", "CO<sub>2</sub>"))


def _heading_number(n: int, lang: str) -> str:
    if lang == "zh":
        return (_ZH_NUMERALS[n - 1] if n <= 10 else str(n)) + "、"
    return f"{n}. "


@lru_cache(maxsize=1)
def environment():
    """The jinja2 environment over the package's templates (autoescaping HTML)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    env = Environment(loader=PackageLoader(__package__, "templates"),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=False),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(chem=_chem, q=lambda v, unit, lang: quantity(v, unit, lang),
                       num=lambda v, lang="zh", sig=4: number(v, lang, sig=sig),
                       hnum=_heading_number)
    return env


def render_html(doc: dict, *, extra_head: str = "") -> str:
    """The dossier page for a prepared `doc` (`data.prepare`). `extra_head` is raw HTML added to
    <head> (the PDF renderer adds its embedded font faces there)."""
    lang = doc["lang"]
    figures = {"benchmark": Markup(charts.value_vs_benchmark(doc["bars"], lang)),
               "trends": Markup(charts.trends(doc["trends"], lang)),
               "ghg": Markup(charts.ghg_inventory(doc["ghg"], lang)),
               "categories": Markup(charts.category_rates([c for c in doc["categories"]
                                                           if c.get("group") in ("phase", "area")], lang))}
    return environment().get_template("dossier.html.j2").render(
        d=doc, w=doc["w"], lang=lang, charts=figures, extra_head=Markup(extra_head))


def render_portfolio_html(doc: dict, *, extra_head: str = "") -> str:
    """The portfolio page for a `portfolio.compare` result in one language."""
    return environment().get_template("portfolio.html.j2").render(
        p=doc, w=doc["w"], lang=doc["lang"], extra_head=Markup(extra_head))


if __name__ == "__main__":  # pragma: no cover - demo: the coal chemical park's dossier to stdout
    import sys

    from ...assessment import Assessor
    from ...facts.loader import load_park
    from .data import prepare
    park = load_park("examples/coal_chemical_park.yaml")
    sys.stdout.write(render_html(prepare(Assessor().assess(park), lang=sys.argv[1] if len(sys.argv) > 1 else "zh",
                                         park=park)))
