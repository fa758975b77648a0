"""Reports people read: a regulator's dossier, a planner's brief, a portfolio of parks.

The dossier follows the MIIT third-party green-park evaluation report (park overview; scope and
basic requirements; indicators with value, benchmark, gap, framework and V/C/U/D tag, and inline
SVG charts; 存在的问题; 整改闭环, with the park's earlier assessments; 有关建议; appendix with
versions, digests, accounting, evidence and sources) in Chinese or English, as HTML, Markdown or
PDF (printed by headless chromium with the CJK font embedded).

    data.py        prepare(result, ...) -> everything a dossier shows (findings.py, indicators.py,
                   targets.py, appendix.py and corrective_actions.py do the parts)
    charts.py      inline SVG charts
    html_doc.py    the HTML page (templates/*.html.j2, dossier.css)
    markdown_doc.py  the Markdown text (templates/*.md.j2)
    pdf.py         HTML -> PDF (fonts.py embeds Noto Sans CJK; browser.py runs chromium)
    portfolio.py   compare(results) -> parks side by side, ranking, failing clauses, percentiles

Example:
    >>> html = render_report(result, fmt="html", lang="zh")                  # doctest: +SKIP
    >>> pdf = render_report(result, fmt="pdf", audience="planner", park=park) # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

__all__ = ["render_report", "render_portfolio", "FORMATS", "MEDIA_TYPES", "AUDIENCES", "LANGS"]

FORMATS = ("html", "pdf", "markdown")
AUDIENCES = ("regulator", "planner")
LANGS = ("zh", "en")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
               "pdf": "application/pdf"}


def _finish(html_or_text: str, fmt: str, chromium: Any) -> bytes:
    if fmt == "pdf":
        from .pdf import html_to_pdf
        return html_to_pdf(html_or_text, chromium=chromium)
    return html_or_text.encode("utf-8")


def render_report(result: dict, *, fmt: str = "html", lang: str = "zh", audience: str = "regulator",
                  knowledge: Any = None, park: Any = None, decision: dict | None = None,
                  chromium: Any = None, previous: dict | None = None, previous_park: Any = None,
                  history: list | None = None) -> bytes:
    """One park's dossier (regulator) or brief (planner) in `fmt`, as bytes.

    Args:
        result: an assessment result, or a logged decision's JSON.
        fmt: "html", "pdf" or "markdown".
        lang: "zh" or "en".
        audience: "regulator" or "planner".
        knowledge: the ruleset's knowledge (default: knowledge/).
        park: the park's validated facts, if at hand (overview, targets' numbers).
        decision: `{"decision_id": ...}` of a logged decision.
        chromium: a `browser.Chromium` for PDF (default: found on PATH).
        previous: the park's previous assessment result: adds the section "since the last
            assessment" (`engine.render.since_last`); `previous_park` its facts, if at hand.
        history: the park's assessments before this one, oldest first (`engine.cycles.lifecycle.Cycle`;
            `engine.cycles.history.decision_cycle` of logged decisions): adds the section "corrective
            actions across assessments / 整改闭环" after the problems; [] says in one sentence that
            there is no earlier assessment to follow up.

    Raises:
        ValueError: an unknown format, language or audience.
        ParkMismatch: `previous` is another park's result.
        RendererUnavailable: PDF without chromium or the CJK font, or chromium failed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    from .data import prepare
    doc = prepare(result, knowledge, lang=lang, audience=audience, park=park, decision=decision,
                  previous=previous, previous_park=previous_park, history=history)
    if fmt == "markdown":
        from .markdown_doc import render_markdown
        return render_markdown(doc).encode("utf-8")
    from .html_doc import render_html
    return _finish(render_html(doc), fmt, chromium)


def render_portfolio(results: list[dict], *, fmt: str = "html", lang: str = "zh", knowledge: Any = None,
                     chromium: Any = None) -> bytes:
    """Several parks' results compared (`portfolio.compare`) in `fmt`, as bytes.

    Raises:
        ValueError: an unknown format or language, no result, or a park twice.
        RendererUnavailable: PDF without chromium or the CJK font.
    """
    if fmt not in FORMATS or lang not in LANGS:
        raise ValueError(f"format must be one of {FORMATS} and lang one of {LANGS}")
    if knowledge is None:
        from ...knowledge import load_knowledge
        knowledge = load_knowledge()
    from .portfolio import compare, view
    doc = view(compare(results, knowledge), knowledge, lang)
    if fmt == "markdown":
        from .markdown_doc import render_portfolio_markdown
        return render_portfolio_markdown(doc).encode("utf-8")
    from .html_doc import render_portfolio_html
    return _finish(render_portfolio_html(doc), fmt, chromium)
