"""Charts as inline SVG strings: no script, no network, nothing but the numbers prepared in
`indicators.py`. Every mark carries its data in `data-*` attributes (the browser test reads them),
and every chart scales to the width of its container (a viewBox, `width: 100%`).

    value_vs_benchmark(bars, lang)   one row per indicator: the value as a bar, the benchmark as a tick
    trends(series, lang)             small multiples: each key indicator over every year of the data
    ghg_inventory(years, lang)       per year, stacked tCO2 by scope and carrier, scope 2 on both bases
    category_rates(cats, lang)       compliance rate per category, with its coverage
"""
from __future__ import annotations

import math
from html import escape

from .numfmt import number, quantity
from .words import WORDS

__all__ = ["value_vs_benchmark", "trends", "ghg_inventory", "category_rates"]

WIDTH = 680
GREEN, RED, GREY, INK, MUTED = "#2e7d32", "#c62828", "#9e9e9e", "#222", "#666"
PALETTE = {"coal": "#4e4e4e", "coke": "#7a5c3a", "natural_gas": "#1f77b4", "fuel_oil": "#8c564b",
           "diesel": "#bc8f2f", "gasoline": "#e08e0b", "lpg": "#17becf", "grid_electricity": "#9467bd",
           "residual_grid_electricity": "#9467bd", "purchased_heat": "#d62728"}
_EXTRA = ["#2ca02c", "#e377c2", "#7f7f7f", "#bcbd22", "#aec7e8", "#ff9896"]


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _clip(text: str, width_px: float, size: float) -> str:
    """`text` cut with an ellipsis to fit about `width_px` at font size `size` (CJK glyphs count as
    one em, others as 0.55 em)."""
    used, out = 0.0, []
    for ch in text:
        w = size if ord(ch) > 0x2E80 else size * 0.55
        if used + w > width_px - size:
            return "".join(out) + "…"
        used += w
        out.append(ch)
    return text


def _svg(height: float, body: list[str], *, label: str, kind: str) -> str:
    return (f'<svg class="chart" data-chart="{kind}" role="img" aria-label="{_a(label)}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" preserveAspectRatio="xMidYMin meet" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>' + "".join(body) + "</svg>")


def _empty(label: str, kind: str, lang: str) -> str:
    return _svg(40, [f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="12" fill="{MUTED}">'
                     f'{escape(WORDS[lang]["no_data"])}</text>'], label=label, kind=kind)


def _nice(top: float) -> float:
    """A round number at or above `top` (1, 2, 2.5, 5 x 10^n)."""
    if top <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(top))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= top)


def value_vs_benchmark(bars: list[dict], lang: str) -> str:
    """Chart 1: each indicator's value (bar; green met, red not met) against its benchmark (tick),
    each row on its own scale from zero (or the lowest value) to the larger of the two."""
    label = WORDS[lang]["chart_benchmark"]
    if not bars:
        return _empty(label, "benchmark", lang)
    row_h, top, left, right = 30, 8, 190, 462
    body = []
    for i, r in enumerate(bars):
        y = top + i * row_h
        v, b = float(r["value"]), float(r["benchmark"])
        lo, hi = min(0.0, v, b), max(0.0, v, b)
        span = (hi - lo) * 1.08 or 1.0

        def x(val: float) -> float:
            return left + (val - lo) / span * (right - left)
        colour = GREEN if r["status"] == "met" else RED
        x0, x1 = sorted((x(0.0), x(v)))
        body.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="11" fill="{INK}">'
                    f'{escape(_clip(r["name"], left - 12, 11))}</text>')
        body.append(f'<rect x="{left}" y="{y + 6}" width="{right - left}" height="16" fill="#f3f3f3"/>')
        body.append(f'<rect class="bar" x="{x0:.1f}" y="{y + 6}" width="{max(x1 - x0, 1.0):.1f}" height="16" '
                    f'fill="{colour}" data-indicator="{_a(r["indicator"])}" data-value="{v:.6g}" '
                    f'data-benchmark="{b:.6g}" data-status="{_a(r["status"])}"><title>{escape(r["name"])}: '
                    f'{escape(r["value_text"])} / {escape(r["benchmark_text"])}</title></rect>')
        body.append(f'<line class="benchmark" x1="{x(b):.1f}" x2="{x(b):.1f}" y1="{y + 2}" y2="{y + 26}" '
                    f'stroke="{INK}" stroke-width="2" data-benchmark="{b:.6g}"/>')
        body.append(f'<text x="{right + 8}" y="{y + 17}" font-size="10.5" fill="{INK}">'
                    f'{escape(_clip(r["value_text"] + " / " + r["benchmark_text"], WIDTH - right - 8, 10.5))}</text>')
    return _svg(top + len(bars) * row_h + 6, body, label=label, kind="benchmark")


def trends(series: list[dict], lang: str) -> str:
    """Chart 2: one small panel per key indicator, its value in every year of the data; the arrow
    says which way is better."""
    label = WORDS[lang]["chart_trends"]
    if not series:
        return _empty(label, "trends", lang)
    cols, pw, ph, gap = 3, 216, 128, 16
    better = {"lower_better": "↓ " + ("越低越好" if lang == "zh" else "lower is better"),
              "higher_better": "↑ " + ("越高越好" if lang == "zh" else "higher is better")}
    body = []
    for n, s in enumerate(series):
        ox, oy = (n % cols) * (pw + gap), (n // cols) * (ph + gap)
        years, pts = s["years"], s["points"]
        vals = [v for _, v in pts]
        lo, hi = min(vals), max(vals)
        pad = (hi - lo) * 0.15 or abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
        x0, x1, y0, y1 = ox + 10, ox + pw - 10, oy + 100, oy + 40

        def px(year: int) -> float:
            return x0 + (years.index(year) / max(len(years) - 1, 1)) * (x1 - x0)

        def py(v: float) -> float:
            return y0 - (v - lo) / (hi - lo) * (y0 - y1)
        body.append(f'<g class="panel" data-indicator="{_a(s["indicator"])}">')
        body.append(f'<rect x="{ox}" y="{oy}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ddd"/>')
        body.append(f'<text x="{ox + 8}" y="{oy + 16}" font-size="11" font-weight="700" fill="{INK}">'
                    f'{escape(_clip(s["name"], pw - 8, 11))}</text>')
        body.append(f'<text x="{ox + 8}" y="{oy + 31}" font-size="9.5" fill="{MUTED}">'
                    f'{escape(_clip(s["unit"] + "  " + better.get(s["direction"], ""), pw - 8, 9.5))}</text>')
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(y):.1f},{py(v):.1f}" for i, (y, v) in enumerate(pts))
        body.append(f'<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
        for y, v in pts:
            body.append(f'<circle class="point" cx="{px(y):.1f}" cy="{py(v):.1f}" r="3" fill="#1f77b4" '
                        f'data-year="{y}" data-value="{v:.6g}"><title>{y}: {escape(quantity(v, s["raw_unit"], lang))}'
                        f'</title></circle>')
        for i, (y, v) in enumerate(pts):
            if i in (0, len(pts) - 1):
                anchor = "start" if i == 0 else "end"
                body.append(f'<text x="{px(y):.1f}" y="{py(v) - 6:.1f}" font-size="9.5" text-anchor="{anchor}" '
                            f'fill="{INK}">{escape(number(v, lang, sig=3))}</text>')
        body.append(f'<text x="{x0}" y="{oy + ph - 8}" font-size="9.5" fill="{MUTED}">{years[0]}</text>')
        body.append(f'<text x="{x1}" y="{oy + ph - 8}" font-size="9.5" text-anchor="end" fill="{MUTED}">'
                    f'{years[-1]}</text></g>')
    rows = math.ceil(len(series) / cols)
    return _svg(rows * (ph + gap), body, label=label, kind="trends")


def ghg_inventory(years: list[dict], lang: str) -> str:
    """Chart 3: per year two stacked bars of tCO2, scope 1 by fuel plus scope 2 location-based (L)
    and market-based (M); the basis the park's accounting uses is marked with ●. A basis whose
    total is unknown gets no bar - its known lines would stack to less than the year emitted - but
    a dashed box marked incomplete, naming what is missing (`ghg_years`: `missing_location`,
    `missing_market`)."""
    w = WORDS[lang]
    label = w["chart_ghg"]
    stacks = []
    for yd in years:
        for basis, key, short in (("location_based", "scope2_location", "location"),
                                  ("market_based", "scope2_market", "market")):
            gap = yd.get(f"missing_{short}")
            segs = None if gap is not None else [("scope1", c, name, v) for c, name, v in yd["scope1"]] + \
                [("scope2", c, name, v) for c, name, v in yd[key]]
            stacks.append((yd["year"], basis, yd["basis"] == basis, segs, gap))
    drawn = [segs for *_y, segs, _g in stacks if segs is not None]
    incomplete = any(segs is None for *_y, segs, _g in stacks)
    if not stacks or (not any(v for segs in drawn for *_x, v in segs) and not incomplete):
        return _empty(label, "ghg", lang)
    top = _nice(max((sum(v for *_x, v in segs) for segs in drawn), default=0.0))
    left, right, y_top, y_bot = 90, WIDTH - 10, 16, 236
    carriers: dict[str, tuple[str, str]] = {}
    body = []
    for i in range(5) if any(drawn) else ():       # no scale without a complete bar to read on it
        val = top * i / 4
        y = y_bot - (y_bot - y_top) * i / 4
        body.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{MUTED}">'
                    f'{escape(quantity(val, "tCO2", lang))}</text>')
    slot = (right - left) / len(years)
    bar_w = min(slot * 0.32, 60)
    for n, (year, basis, used, segs, gap) in enumerate(stacks):
        k, side = divmod(n, 2)
        cx = left + slot * k + slot / 2 + (side - 0.5) * (bar_w + 6)
        base = y_bot
        if segs is None:
            why = w["ghg_incomplete"].format(year=year, bases=w[basis]) + (
                w["ghg_missing"].format(missing=("、" if lang == "zh" else ", ").join(gap)) if gap else "")
            body.append(f'<g class="incomplete" data-year="{year}" data-basis="{basis}" data-incomplete="true" '
                        f'data-missing="{_a(" ".join(gap))}"><title>{escape(why)}</title>'
                        f'<rect x="{cx - bar_w / 2:.1f}" y="{y_bot - 40}" width="{bar_w:.1f}" height="40" fill="none" '
                        f'stroke="{MUTED}" stroke-dasharray="3 2"/>'
                        f'<text x="{cx:.1f}" y="{y_bot - 16}" text-anchor="middle" font-size="8.5" fill="{MUTED}">'
                        f'{escape(_clip(w["ghg_incomplete_mark"], bar_w + 12, 8.5))}</text></g>')
        for scope, carrier, name, v in segs or ():
            colour = PALETTE.get(carrier) or _EXTRA[len(carriers) % len(_EXTRA)]
            carriers.setdefault(f"{scope}:{carrier}", (name, colour))
            h = (y_bot - y_top) * v / top
            body.append(f'<rect class="seg" x="{cx - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" '
                        f'height="{max(h, 0):.1f}" fill="{colour}" stroke="#fff" stroke-width="0.5" '
                        f'fill-opacity="{1 if scope == "scope1" else 0.75}" data-year="{year}" '
                        f'data-basis="{basis}" data-scope="{scope}" data-carrier="{_a(carrier)}" '
                        f'data-value="{v:.6g}"><title>{year} {escape(w[basis])} {escape(w[scope])} {escape(name)}: '
                        f'{escape(quantity(v, "tCO2", lang))}</title></rect>')
            base -= h
        mark = "L" if basis == "location_based" else "M"
        body.append(f'<text x="{cx:.1f}" y="{y_bot + 13}" text-anchor="middle" font-size="10" fill="{INK}">'
                    f'{mark}{"●" if used else ""}</text>')
        if side == 0:
            body.append(f'<text x="{left + slot * k + slot / 2:.1f}" y="{y_bot + 28}" text-anchor="middle" '
                        f'font-size="11" fill="{INK}">{year}</text>')
    ly = y_bot + 46
    for i, (key, (name, colour)) in enumerate(carriers.items()):
        lx = left + (i % 3) * 195
        yy = ly + (i // 3) * 16
        scope = w["scope1"] if key.startswith("scope1") else w["scope2"]
        body.append(f'<rect x="{lx}" y="{yy - 9}" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{lx + 14}" y="{yy}" font-size="10" fill="{INK}">'
                    f'{escape(_clip(scope + " " + name, 180, 10))}</text>')
    height = ly + math.ceil(len(carriers) / 3) * 16 + 4
    return _svg(height, body, label=label, kind="ghg")


def category_rates(cats: list[dict], lang: str) -> str:
    """Chart 4: the compliance rate of each category (bar) with decided/total beside it; a
    category with nothing decided has no bar."""
    label = WORDS[lang]["chart_categories"]
    cats = [c for c in cats if c.get("total")]
    if not cats:
        return _empty(label, "categories", lang)
    row_h, left, right = 22, 200, 560
    body = []
    for i, c in enumerate(cats):
        y = 6 + i * row_h
        rate = c.get("rate")
        body.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-size="11" fill="{INK}">'
                    f'{escape(_clip(str(c.get("label", c.get("id"))), left - 12, 11))}</text>')
        body.append(f'<rect x="{left}" y="{y + 3}" width="{right - left}" height="14" fill="#f3f3f3"/>')
        if rate is not None:
            colour = GREEN if rate >= 80 else ("#e0a800" if rate >= 50 else RED)
            body.append(f'<rect class="bar" x="{left}" y="{y + 3}" width="{(right - left) * rate / 100:.1f}" '
                        f'height="14" fill="{colour}" data-category="{_a(c.get("id"))}" data-rate="{rate}" '
                        f'data-decided="{c.get("decided", 0)}" data-total="{c.get("total", 0)}"/>')
        text = (quantity(rate, "%", lang) if rate is not None else "—") + \
            f"  ({c.get('decided', 0)}/{c.get('total', 0)})"
        body.append(f'<text x="{right + 8}" y="{y + 14}" font-size="10.5" fill="{INK}">{escape(text)}</text>')
    return _svg(12 + len(cats) * row_h, body, label=label, kind="categories")
