"""The dossier as PDF: its HTML, with Noto Sans CJK embedded (`fonts.py`), printed on A4 by
headless chromium (`browser.py`).

At most `MAX_PARALLEL` prints run at once in a process (a print takes a chromium of a few hundred
MB for a second or two); further callers wait their turn.

Example:
    >>> pdf = html_to_pdf(render_html(doc))               # doctest: +SKIP
"""
from __future__ import annotations

import re
import threading

from .browser import Chromium
from .fonts import cjk_font_faces

__all__ = ["html_to_pdf", "MAX_PARALLEL"]

MAX_PARALLEL = 2
_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL)
_TAGS = re.compile(r"<style>.*?</style>|<[^>]+>", re.S)


def html_to_pdf(html: str, *, chromium: Chromium | None = None) -> bytes:
    """`html` printed to PDF with the CJK font embedded for every character of its text.

    Args:
        html: a complete page (`render_html`, `render_portfolio_html`).
        chromium: the browser to print with (default: `Chromium()`, found on PATH).

    Raises:
        RendererUnavailable: chromium or the CJK font is missing, or chromium failed.
    """
    browser = chromium or Chromium()
    text = _TAGS.sub(" ", html)
    faces = cjk_font_faces(text)
    page = html.replace("</head>", f"<style>\n{faces}\n</style>\n</head>", 1)
    with _SLOTS:
        return browser.print_pdf(page)
