"""Noto Sans CJK, embedded for chromium's PDF printer.

Chromium's PDF backend (Skia) embeds fonts with TrueType outlines as real fonts (CIDFontType2),
but turns fonts with CFF outlines into anonymous Type 3 glyph procedures: pdffonts then cannot name
the font, and viewers draw the text without hinting. Every Noto Sans CJK face that Debian ships
(`fonts-noto-cjk`) has CFF outlines. So before printing, a TrueType font is built (fontTools'
FontBuilder) from the glyphs of the page's characters only, their outlines converted to quadratics
(cu2qu), with the source's metrics and names; it goes into the page as `@font-face` data URLs, and
the PDF carries a named, subset `NotoSansCJKsc-Regular` / `-Bold` (CID TrueType). About a second
per face for a dossier's 800 distinct characters.

Example:
    >>> css = cjk_font_faces("绿色低碳工业园区")        # doctest: +SKIP
"""
from __future__ import annotations

import base64
import glob
import io
import shutil
import subprocess
from functools import lru_cache

from ...errors import RendererUnavailable

__all__ = ["cjk_font_faces", "locate", "FAMILY"]

FAMILY = "GP Noto Sans CJK SC"
_FACES = (("Regular", 400), ("Bold", 700))
_PS_NAME = "NotoSansCJKsc-{style}"
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "—–·…“”‘’、，。：；（）《》【】％●★→↑↓≥≤×"


def locate(style: str = "Regular") -> tuple[str, int]:
    """(file, index in the collection) of Noto Sans CJK SC in `style`, by fontconfig, else the
    Debian path.

    Raises:
        RendererUnavailable: the font is not installed.
    """
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{postscriptname}",
                              f"Noto Sans CJK SC:style={style}"], capture_output=True, text=True, timeout=20)
        lines = out.stdout.splitlines()
        if len(lines) == 3 and lines[2] == _PS_NAME.format(style=style):
            return lines[0], int(lines[1] or 0)
    for path in sorted(glob.glob(f"/usr/share/fonts/opentype/noto/NotoSansCJK-{style}.ttc")):
        return path, 2                                      # jp, kr, sc, tc, hk: sc is the third face
    raise RendererUnavailable(f"the CJK font Noto Sans CJK SC {style} is not installed: install Debian's "
                              "fonts-noto-cjk (as root: apt-get install -y fonts-noto-cjk)")


@lru_cache(maxsize=8)
def _face(path: str, index: int, chars: str) -> bytes:
    """A TrueType font holding the glyphs of `chars` from face `index` of `path` (CFF outlines
    converted to quadratics), with the source's metrics and PostScript name."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    src = TTFont(path, fontNumber=index, lazy=True)
    cmap = src.getBestCmap()
    codes = sorted(c for c in map(ord, chars) if c in cmap)
    order = [".notdef"] + sorted({cmap[c] for c in codes} - {".notdef"})
    outlines = src.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    fb = FontBuilder(src["head"].unitsPerEm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({c: cmap[c] for c in codes})
    fb.setupGlyf(glyphs)
    glyf, hmtx = fb.font["glyf"], src["hmtx"]
    for name in order:
        glyf[name].recalcBounds(glyf)
    fb.setupHorizontalMetrics({n: (hmtx[n][0], getattr(glyf[n], "xMin", 0)) for n in order})
    hhea, os2, names = src["hhea"], src["OS/2"], src["name"]
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    fb.setupNameTable({"familyName": names.getDebugName(1) or "Noto Sans CJK SC",
                       "styleName": names.getDebugName(2) or "Regular", "psName": names.getDebugName(6)})
    fb.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                sTypoLineGap=os2.sTypoLineGap, usWinAscent=os2.usWinAscent, usWinDescent=os2.usWinDescent,
                usWeightClass=os2.usWeightClass, fsType=0, achVendID=os2.achVendID)
    fb.setupPost()
    buf = io.BytesIO()
    fb.save(buf)
    return buf.getvalue()


def cjk_font_faces(text: str) -> str:
    """CSS `@font-face` rules (family `FAMILY`, weights 400 and 700) holding Noto Sans CJK SC cut
    to the characters of `text`, with TrueType outlines.

    Raises:
        RendererUnavailable: the font (fonts-noto-cjk) or fontTools is missing.
    """
    try:
        import fontTools  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency of the package
        raise RendererUnavailable("fontTools is needed to embed the CJK font in PDF: pip install fonttools") from None
    chars = "".join(sorted(set(text) | set(_ALWAYS)))
    rules = []
    for style, weight in _FACES:
        path, index = locate(style)
        data = base64.b64encode(_face(path, index, chars)).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: normal; '
                     f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}')
    return "\n".join(rules)
