"""The dossier (`greenpark report`, GET /v1/assessments/{id}/report) and the portfolio.

Each example's HTML dossier is rendered in a real headless chromium (Debian's; driven over the
DevTools protocol on a pipe, tests/browser_support.py; nothing downloaded) and checked: title,
every section, tables, at least three charts with data-bound marks, nothing wider than the page
(A4's printable width, print media, and the screen layout), and Chinese drawn in Noto Sans CJK and
not as tofu (each character's rendering against the missing-glyph box of a code point no font
has). One PDF is printed through the product path and `pdffonts` must list the embedded
Noto Sans CJK. Where chromium, the font or poppler-utils is missing these tests are skipped with
the reason — except under CI (`CI` set), where `.ci/run` installs them and a missing tool fails.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from browser_support import Browser, missing
from service_support import ROOT

_why = missing()
if _why and os.environ.get("CI"):
    raise RuntimeError(f"dossier browser tests cannot run under CI: {_why}")
needs_browser = pytest.mark.skipif(_why is not None, reason=_why or "")

EXAMPLES = ("coal_chemical_park", "strong_hightech_park", "typical_municipal_park")
SECTIONS = {"overview", "scope", "indicators", "categories", "problems", "measures", "targets", "to_collect",
            "appendix"}
A4_PRINTABLE_PX = 688          # 210 mm - 2 x 14 mm margins, at 96 px per inch

# layout facts the page reports about itself
PROBE = r"""(() => {
  const vw = document.documentElement.clientWidth, wide = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                     (el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ')[0] : '');
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 0.5 || r.left < -0.5) wide.push(name(el) + ' right=' + r.right.toFixed(1));
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) wide.push(name(el) + ' scroll=' + el.scrollWidth +
                                                                             '>' + el.clientWidth);
  }
  const charts = [...document.querySelectorAll('svg.chart')].map(s => ({
    kind: s.dataset.chart, width: s.getBoundingClientRect().width,
    marks: s.querySelectorAll('[data-value],[data-rate]').length,
    values: [...s.querySelectorAll('[data-value]')].map(e => parseFloat(e.dataset.value)).filter(v => !isNaN(v)).length}));
  return {title: document.title, h1: document.querySelector('h1').textContent, lang: document.documentElement.lang,
          sections: [...document.querySelectorAll('section.major')].map(s => s.id),
          headings: [...document.querySelectorAll('section.major > h2')].map(h => h.textContent),
          tables: document.querySelectorAll('table').length,
          indicatorRows: document.querySelectorAll('#indicator-table tr[data-indicator]').length,
          problems: document.querySelectorAll('#problem-list > li[data-rule]').length,
          measures: [...document.querySelectorAll('#measure-list > li[data-rank]')].map(li => +li.dataset.rank),
          charts, wide: wide.slice(0, 12), pageWidth: document.documentElement.scrollWidth, vw};
})()"""

# each character drawn alone in the page's font, against the missing-glyph box of a private-use
# code point that no font has: a tofu character would draw exactly that box
TOFU = r"""(() => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = ch => { const c = document.createElement('canvas'); c.width = c.height = 48;
    const g = c.getContext('2d'); g.font = '40px ' + font; g.fillText(ch, 2, 40);
    const d = g.getImageData(0, 0, 48, 48).data; let h = 0, ink = 0;
    for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) ink++; h = (Math.imul(h, 31) + d[i]) >>> 0; }
    return {h, ink}; };
  const chars = [...'绿色低碳工业园区评价'];
  return {font, glyphs: chars.map(draw), box: draw('\uE000'), boxes: ['\uE001', '\uE002'].map(draw),
          cjkFont: document.fonts.check('16px "Noto Sans CJK SC"', '绿色')};
})()"""


@pytest.fixture(scope="module")
def knowledge():
    from engine.knowledge import load_knowledge
    return load_knowledge()


@pytest.fixture(scope="module")
def assessed():
    """{example: (result, park)} for the three example parks."""
    from engine.assessment import Assessor
    from engine.facts.loader import load_park
    assessor = Assessor()
    out = {}
    for name in EXAMPLES:
        park = load_park(ROOT / "examples" / f"{name}.yaml")
        out[name] = (assessor.assess(park), park)
    return out


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@needs_browser
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_dossier_fits_the_page_in_both_languages(example, assessed, knowledge, browser, tmp_path):
    """English labels are longer than Chinese ones ("insufficient data" against 数据不足): nothing of
    either language's dossier, for the regulator or the planner, is wider than A4's printable width
    in print or than the screen."""
    from engine.render.dossier import render_report
    result, park = assessed[example]
    for lang in ("zh", "en"):
        for audience in ("regulator", "planner"):
            page_file = tmp_path / f"{example}.{lang}.{audience}.html"
            page_file.write_bytes(render_report(result, fmt="html", lang=lang, audience=audience, knowledge=knowledge,
                                                park=park))
            page = browser.page(page_file.as_uri(), width=A4_PRINTABLE_PX, media="print")
            for media, width in (("print", A4_PRINTABLE_PX), ("screen", 794)):
                page.layout(width, media)
                facts = page.eval(PROBE)
                assert facts["wide"] == [] and facts["pageWidth"] <= facts["vw"], (lang, audience, media, facts["wide"])


@needs_browser
@pytest.mark.parametrize("example", EXAMPLES)
def test_html_dossier_in_headless_chromium(example, assessed, knowledge, browser, tmp_path):
    from engine.render.dossier import render_report
    result, park = assessed[example]
    page_file = tmp_path / f"{example}.html"
    page_file.write_bytes(render_report(result, fmt="html", lang="zh", knowledge=knowledge, park=park))
    page = browser.page(page_file.as_uri(), width=A4_PRINTABLE_PX, media="print")
    facts = page.eval(PROBE)
    # title and sections
    assert facts["lang"] == "zh-CN" and park.profile.name in facts["title"] and facts["h1"] == park.profile.name
    assert "评价报告" in facts["title"]
    assert set(facts["sections"]) == SECTIONS and facts["headings"][0] == "一、园区概况"
    # tables: the indicator table has a row per indicator verdict; problems and measures are listed
    assert facts["tables"] >= 10 and facts["indicatorRows"] >= 10
    assert facts["problems"] >= 1 and facts["measures"] == sorted(facts["measures"]) and facts["measures"][0] == 1
    # at least three charts carry data, and each fits the page
    with_data = [c for c in facts["charts"] if c["marks"] > 0]
    assert {c["kind"] for c in with_data} >= {"benchmark", "trends", "ghg"}, facts["charts"]
    assert all(c["values"] >= 3 for c in with_data if c["kind"] != "categories")
    assert all(0 < c["width"] <= facts["vw"] for c in facts["charts"])
    # nothing wider than the page: on A4's printable width in print, and on screen
    assert facts["wide"] == [] and facts["pageWidth"] <= facts["vw"], facts["wide"]
    page.layout(794, "screen")
    screen = page.eval(PROBE)
    assert screen["wide"] == [] and screen["pageWidth"] <= screen["vw"], screen["wide"]
    # Chinese is drawn in Noto Sans CJK, with real glyphs
    used = page.fonts_of("h1")
    assert any(f["familyName"] == "Noto Sans CJK SC" and f["glyphCount"] > 0 for f in used), used
    tofu = page.eval(TOFU)
    assert tofu["cjkFont"], tofu["font"]
    hashes = [g["h"] for g in tofu["glyphs"]]
    assert all(g["ink"] > 20 for g in tofu["glyphs"])
    assert len(set(hashes)) == len(hashes), "distinct characters drew the same glyph"
    assert tofu["box"]["h"] not in hashes and tofu["boxes"][0]["h"] == tofu["box"]["h"], tofu
    shot = page.screenshot({"x": 0, "y": 0, "width": A4_PRINTABLE_PX, "height": 200})
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"


@needs_browser
def test_portfolio_page_fits_the_page(assessed, knowledge, browser, tmp_path):
    from engine.render.dossier import render_portfolio
    page_file = tmp_path / "portfolio.html"
    page_file.write_bytes(render_portfolio([assessed[e][0] for e in EXAMPLES], knowledge=knowledge))
    page = browser.page(page_file.as_uri(), width=A4_PRINTABLE_PX, media="print")
    facts = page.eval(r"""(() => ({
      wide: [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right >
            document.documentElement.clientWidth + 0.5 || (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1))
            .map(el => el.tagName + '#' + el.id),
      tables: [...document.querySelectorAll('table')].map(t => t.id),
      best: [...document.querySelectorAll('#percentile-table tr[data-indicator="energy_intensity"] td')]
            .map(td => td.dataset.percentile)}))()""")
    assert facts["wide"] == [] and facts["tables"] == ["park-table", "ranking-table", "failing-table", "percentile-table"]
    assert [float(v) for v in facts["best"]] == [0, 100, 50]                 # coal, strong, typical: lower is better


@needs_browser
def test_pdf_embeds_noto_sans_cjk(assessed, knowledge, tmp_path):
    from engine.render.dossier import render_report
    result, park = assessed["coal_chemical_park"]
    pdf = tmp_path / "coal.pdf"
    pdf.write_bytes(render_report(result, fmt="pdf", lang="zh", knowledge=knowledge, park=park))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    noto = [r for r in rows if "NotoSansCJK" in r[0]]
    assert noto and all(r[-5] == "yes" for r in noto), fonts          # emb = yes
    assert {r[0].split("+")[-1] for r in noto} >= {"NotoSansCJKsc-Regular", "NotoSansCJKsc-Bold"}
    assert not [r for r in rows if r[0] == "[none]"], fonts             # no anonymous Type 3 glyphs
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", "-l", "2", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert park.profile.name in text and "一、园区概况" in text


def test_missing_chromium_is_a_clear_error(assessed, knowledge, tmp_path):
    from engine.errors import RendererUnavailable
    from engine.render.dossier import render_report
    from engine.render.dossier.browser import Chromium
    with pytest.raises(RendererUnavailable, match="apt-get install -y chromium"):
        render_report(assessed["typical_municipal_park"][0], fmt="pdf", knowledge=knowledge,
                      chromium=Chromium(str(tmp_path / "no-such-browser")))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_dossier(assessed, knowledge, lang):
    from engine.render.dossier import render_report
    for example in EXAMPLES:
        result, park = assessed[example]
        text = render_report(result, fmt="markdown", lang=lang, knowledge=knowledge, park=park).decode()
        heads = re.findall(r"^## (.+)$", text, re.M)
        expected = ["一、园区概况", "二、适用范围与基本要求", "三、指标评价"] if lang == "zh" else \
            ["1. Park overview", "2. Scope and basic requirements", "3. Indicators"]
        assert heads[1:4] == expected and len(heads) == 1 + len(SECTIONS)
        assert "{{" not in text and not re.search(r"\bNone\b(?! of)", text) and "nan" not in text.split()
        _tables_are_rectangular(text)
        if lang == "en":                 # English frame words and punctuation around the texts
            assert park.profile.name_en in text.splitlines()[0]
            assert not re.search(r"[（）：；\u4e00-\u9fff]", "\n".join(heads))
            assert "Why this rank: " in text and "排序理由" not in text
    planner = render_report(assessed["coal_chemical_park"][0], fmt="markdown", lang=lang, audience="planner",
                            knowledge=knowledge, park=assessed["coal_chemical_park"][1]).decode()
    heads = re.findall(r"^## (.+)$", planner, re.M)
    assert heads[1].endswith(("规划目标进展与可达性", "Plan targets: progress and reachability"))
    assert heads[2].endswith(("有关建议", "Recommendations"))
    targets = planner.split("\n## ")[2]
    assert "T1" in targets and ("-4.44%/年" in targets or "-4.44% a year" in targets)    # the pace needed, as in the explanation


def _tables_are_rectangular(text: str) -> None:
    for block in re.split(r"\n(?!\|)", text):
        rows = [r for r in block.splitlines() if r.startswith("|")]
        if len(rows) >= 2:
            widths = {len(re.findall(r"(?<!\\)\|", r.rstrip().rstrip("|"))) for r in rows}
            assert len(widths) == 1, rows[:3]


def test_dossier_without_the_park_and_on_edge_cases(knowledge):
    """From the result alone (a logged decision whose input no longer validates), and for a park out
    of scope, one with zero bases and one with heavy data gaps: every format that needs no browser."""
    import yaml
    from engine.assessment import Assessor
    from engine.facts.loader import park_from_data
    from engine.render.dossier import render_report
    assessor = Assessor()
    for name in ("01_out_of_scope_cluster", "03_heavy_data_gaps", "06_zero_bases"):
        scenario = yaml.safe_load((ROOT / "tests" / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"))
        park = park_from_data(scenario["park"])
        result = json.loads(json.dumps(assessor.assess(park, profile=scenario.get("profile", "default"))))
        for fmt in ("html", "markdown"):
            for audience in ("regulator", "planner"):
                for p in (park, None):
                    body = render_report(result, fmt=fmt, lang="en", audience=audience, knowledge=knowledge, park=p)
                    assert not re.search(rb"\bNone\b(?! of)", body), (name, fmt, audience)
        if not result["scope"]["in_scope"]:
            assert b"outside the guide" in render_report(result, fmt="html", lang="en", knowledge=knowledge)


def test_ghg_chart_draws_no_partial_sum_as_a_year(knowledge):
    """Chart 3 stacks a year's inventory lines, which hold only the known, non-zero carriers: with
    2024's coal not reported neither basis has a 2024 total, so neither gets a bar (it would stack to
    the other carriers alone) but a box marked incomplete naming the coal, in both languages; every
    bar drawn adds up to its basis's total in the table."""
    import yaml
    from engine.assessment import Assessor
    from engine.facts.loader import park_from_data
    from engine.render.dossier import charts, render_report
    from engine.render.dossier.data import prepare
    data = yaml.safe_load((ROOT / "examples" / "typical_municipal_park.yaml").read_text(encoding="utf-8"))
    i = next(i for i, y in enumerate(data["years"]) if y["year"] == 2024)
    del data["years"][i]["energy"]["coal"]
    park = park_from_data(data)
    result = Assessor().assess(park)
    gap = f"years[{i}].energy.coal"
    for lang, word in (("zh", "不完整"), ("en", "incomplete")):
        doc = prepare(result, knowledge, lang=lang, park=park)
        svg = charts.ghg_inventory(doc["ghg"], lang)
        drawn: dict[tuple[str, str], float] = {}
        for year, basis, value in re.findall(r'class="seg"[^>]*data-year="(\d+)" data-basis="(\w+)"[^>]*'
                                             r'data-value="([^"]+)"', svg):
            drawn[year, basis] = drawn.get((year, basis), 0.0) + float(value)
        totals = {(str(y["year"]), b): y[f"total_{short}_t"] for y in doc["ghg"]
                  for b, short in (("location_based", "location"), ("market_based", "market"))}
        assert {k for k, v in totals.items() if v is not None} == set(drawn) and ("2024", "location_based") not in drawn
        assert all(abs(drawn[k] - totals[k]) < 1 for k in drawn), (drawn, totals)
        marks = re.findall(r'<g class="incomplete" data-year="(\d+)" data-basis="(\w+)" data-incomplete="true" '
                           r'data-missing="([^"]*)"', svg)
        assert marks == [("2024", "location_based", gap), ("2024", "market_based", gap)]
        assert svg.count(f">{word}</text>") == 2
        assert len(doc["ghg_notes"]) == 1 and gap in doc["ghg_notes"][0] and "2024" in doc["ghg_notes"][0]
        page = render_report(result, fmt="html", lang=lang, knowledge=knowledge, park=park).decode()
        assert doc["ghg_notes"][0] in page
        assert doc["ghg_notes"][0] in render_report(result, fmt="markdown", lang=lang, knowledge=knowledge,
                                                    park=park).decode()
    complete = Assessor().assess(park_from_data(yaml.safe_load(
        (ROOT / "examples" / "typical_municipal_park.yaml").read_text(encoding="utf-8"))))
    doc = prepare(complete, knowledge, lang="en")
    assert doc["ghg_notes"] == [] and 'data-incomplete' not in charts.ghg_inventory(doc["ghg"], "en")


# -- the portfolio ---------------------------------------------------------------------------------

def test_percentiles_are_direction_aware():
    from engine.render.dossier.portfolio import percentiles
    assert percentiles({"a": 1.0, "b": 2.0, "c": 3.0}, "lower_better") == {"a": 100.0, "b": 50.0, "c": 0.0}
    assert percentiles({"a": 1.0, "b": 2.0, "c": 3.0}, "higher_better") == {"a": 0.0, "b": 50.0, "c": 100.0}
    # ties share the half; a park without a value has none and is not counted
    assert percentiles({"a": 5.0, "b": 5.0, "c": 1.0, "d": None}, "higher_better") == \
        {"a": 75.0, "b": 75.0, "c": 0.0, "d": None}
    assert percentiles({"a": 1.0, "b": 2.0}, "higher_better") == {"a": None, "b": None}      # fewer than 3
    assert percentiles({"a": 1.0, "b": 2.0, "c": 3.0}, "neutral") == {"a": None, "b": None, "c": None}


def test_portfolio_of_the_three_examples(assessed, knowledge):
    from engine.render.dossier.portfolio import compare
    coal, strong, typical = (assessed[e][0]["park_id"] for e in EXAMPLES)
    c = compare([assessed[e][0] for e in EXAMPLES], knowledge)
    assert c["percentiles_meaningful"] and [p["park_id"] for p in c["parks"]] == [coal, strong, typical]
    by = {i["indicator"]: i for i in c["indicators"]}
    assert set(by) == {i.id for i in knowledge.indicators.values() if i.key}
    # energy intensity, lower is better: 0.0977 (strong) < 0.262 (typical) < 2.28 (coal) tce/万元
    assert by["energy_intensity"]["percentiles"] == {strong: 100.0, typical: 50.0, coal: 0.0}
    # CO2 per tce, lower is better: 2.54 (strong) < 2.87 (coal) < 3.49 (typical): the coal park is not last
    assert by["co2_per_tce"]["percentiles"] == {strong: 100.0, coal: 50.0, typical: 0.0}
    # renewable share of electricity, higher is better: 45.4 % (strong) > 6.13 % (typical) > 3.35 % (coal)
    assert by["renewable_electricity_share"]["percentiles"] == {strong: 100.0, typical: 50.0, coal: 0.0}
    # water reuse: the coal park left 2024 out, two values are not enough for a percentile
    assert by["water_reuse_rate"]["values"][coal] is None
    assert set(by["water_reuse_rate"]["percentiles"].values()) == {None}
    # ranking by category: the strong park leads every PDCA phase where anything was decided
    phases = [cat for cat in c["categories"] if cat["group"] == "phase" and any(cat["total"].values())]
    assert phases and all(cat["ranking"][0] == strong for cat in phases if cat["id"] in ("plan", "do", "check"))
    # failing clauses: each count is the park's unmet verdicts citing the clause
    for row in c["failing"]:
        for pid, ids in row["parks"].items():
            result = next(assessed[e][0] for e in EXAMPLES if assessed[e][0]["park_id"] == pid)
            assert sorted(ids) == sorted(f["id"] for f in result["findings"] if f["status"] == "not_met"
                                         and f["kind"] == "compliance" and not f.get("folded_into")
                                         and row["clause"] in f["clauses"])
    assert json.loads(json.dumps(c)) == c                               # the batch API can send it as it is


def test_portfolio_ranking_and_too_few_parks(knowledge):
    from engine.render.dossier import render_portfolio
    from engine.render.dossier.portfolio import compare

    def park(pid: str, rate: float | None, decided: int) -> dict:
        cat = {"group": "phase", "id": "do", "label": {"zh": "实施", "en": "Do"}, "met": 0, "not_met": 0,
               "undecided": 0, "not_applicable": 0, "problems": 0, "measures": 0, "decided": decided,
               "total": decided, "rate": rate}
        return {"park_id": pid, "park_name": pid, "year": 2024, "ruleset": {"profile": "default"}, "derived": {},
                "summary": {"categories": [cat]}, "findings": [
                    {"id": f"X@{pid}", "kind": "compliance", "status": "not_met", "clauses": ["6.3"]}]}
    c = compare([park("a", 80.0, 5), park("b", 95.0, 4), park("c", 80.0, 5), park("d", None, 0)], knowledge)
    do = next(cat for cat in c["categories"] if cat["id"] == "do")
    assert do["ranks"] == {"a": 2, "b": 1, "c": 2, "d": None} and do["ranking"] == ["b", "a", "c"]
    assert c["failing"] == [{"clause": "6.3", "parks": {"a": ["X@a"], "b": ["X@b"], "c": ["X@c"], "d": ["X@d"]}}]
    two = render_portfolio([park("a", 80.0, 5), park("b", 95.0, 4)], fmt="markdown", lang="en", knowledge=knowledge)
    assert b"Fewer than 3 parks: percentiles are not meaningful" in two
    with pytest.raises(ValueError, match="once"):
        compare([park("a", 1.0, 1), park("a", 2.0, 1)], knowledge)


# -- the CLI and the HTTP route --------------------------------------------------------------------

def test_report_command(tmp_path, assessed):
    from cli import app
    runner = CliRunner()
    out = tmp_path / "d.html"
    r = runner.invoke(app, ["report", str(ROOT / "examples" / "typical_municipal_park.yaml"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    r = runner.invoke(app, ["report", str(ROOT / "examples" / "typical_municipal_park.yaml"), "-f", "markdown",
                            "--lang", "en", "--audience", "planner"])
    assert r.exit_code == 0 and "## 1. Plan targets" in r.stdout
    r = runner.invoke(app, ["report", "--portfolio", str(ROOT / "examples"), "-f", "markdown"])
    assert r.exit_code == 0 and "## 四、关键指标的同组百分位" in r.stdout and "| 100 |" in r.stdout
    r = runner.invoke(app, ["report", str(ROOT / "examples" / "typical_municipal_park.yaml"), "-f", "pdf",
                            "--chromium", str(tmp_path / "none"), "-o", str(tmp_path / "x.pdf")])
    assert r.exit_code == 2 and "headless chromium is needed" in r.output and not (tmp_path / "x.pdf").exists()
    assert runner.invoke(app, ["report"]).exit_code == 2
    assert runner.invoke(app, ["report", "--decision", "d_x", "--db-url", f"sqlite:///{tmp_path / 'no.db'}"]
                         ).exit_code == 2
    assert runner.invoke(app, ["report", "--help"]).exit_code == 0
    # --decision reads a logged decision: its result and its input
    db_url = f"sqlite:///{tmp_path / 'log.db'}"
    decision_id = _log(db_url, *assessed["coal_chemical_park"])
    r = runner.invoke(app, ["report", "--decision", decision_id, "--db-url", db_url, "-f", "markdown"])
    assert r.exit_code == 0, r.output
    assert decision_id in r.stdout and "宁夏金沙湾现代煤化工产业园区" in r.stdout and "单位工业增加值综合能耗" in r.stdout


def _log(db_url: str, result: dict, park, key_id: str | None = None) -> str:
    """Log `result` as a decision the way a worker does, with the example file it came from as the
    input received; returns its id."""
    import yaml
    from datetime import datetime, timezone
    from engine.service.db import make_engine
    from engine.service.decisions import Decision, DecisionLog
    decision_id = "d_" + os.urandom(16).hex()
    body = json.dumps({"decision_id": decision_id, **result}, ensure_ascii=False).encode()
    engine = make_engine(db_url)
    try:
        DecisionLog(engine).append(Decision(
            decision_id, datetime.now(timezone.utc), key_id, result["park_id"],
            json.dumps(yaml.safe_load(next(p for p in (ROOT / "examples").glob("*.yaml") if park.profile.id in
                                           p.read_text(encoding="utf-8")).read_text(encoding="utf-8")),
                       ensure_ascii=False).encode(),
            result["input_digest"], result["ruleset"]["versions"]["ruleset"], result["ruleset"]["versions"],
            result["ruleset"]["digest"], body))
    finally:
        engine.dispose()
    return decision_id


def test_report_route(tmp_path, assessed, monkeypatch):
    """Through the app: the formats and their media types, the visibility of GET /v1/assessments/{id}
    (regulators all, others their own, another's id 404), 422 for a bad parameter, 503 problem+json
    for PDF without chromium, and the OpenAPI document."""
    from fastapi.testclient import TestClient
    from engine.service.app import create_app
    from engine.service.config import Settings
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    from test_service_app import FakePool
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    app = create_app(Settings(db_url=db_url, auth=True), pool=FakePool(db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = KeyStore(make_engine(db_url))
        (owner, owner_token), (_, other_token), (_, regulator_token) = (
            keys.create("portal", "owner"), keys.create("portal", "other"), keys.create("regulator", "supervisor"))
        decision_id = _log(db_url, *assessed["strong_hightech_park"], key_id=owner)
        url = f"/v1/assessments/{decision_id}/report"

        def get(token: str | None, **params: str):
            return client.get(url, params=params, headers={"Authorization": f"Bearer {token}"} if token else {})
        r = get(owner_token)
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        assert "青澄湖国家高新技术产业开发区" in r.text and 'data-chart="ghg"' in r.text and decision_id in r.text
        r = get(regulator_token, format="markdown", lang="en", audience="planner")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
        assert r.headers["content-language"] == "en" and "## 1. Plan targets" in r.text
        for status, r in ((404, get(other_token)), (401, get(None)), (422, get(owner_token, format="docx")),
                          (404, client.get("/v1/assessments/d_unknown/report",
                                           headers={"Authorization": f"Bearer {regulator_token}"}))):
            assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
        # PDF without chromium: 503 problem+json saying what is missing
        from engine.render.dossier import browser
        monkeypatch.setattr(browser, "CANDIDATES", ("no-such-chromium",))
        r = get(owner_token, format="pdf")
        assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/renderer-unavailable") and "chromium" in r.json()["detail"]
        doc = client.get("/openapi.json").json()["paths"]["/v1/assessments/{decision_id}/report"]["get"]
        assert set(doc["responses"]["200"]["content"]) == {"text/html", "application/pdf", "text/markdown"}
        assert all("application/problem+json" in doc["responses"][c]["content"] for c in ("401", "404", "422", "503"))
        assert {p["name"] for p in doc["parameters"]} >= {"format", "lang", "audience"}


def test_portfolio_route(tmp_path, assessed):
    """GET /v1/portfolio compares logged decisions: the comparison as JSON (percentiles among the
    three examples), the page as HTML, each decision visible to the caller or 404, a park twice 422."""
    from fastapi.testclient import TestClient
    from engine.service.app import create_app
    from engine.service.config import Settings
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    from test_service_app import FakePool
    db_url = f"sqlite:///{tmp_path / 'p.db'}"
    app = create_app(Settings(db_url=db_url, auth=True), pool=FakePool(db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = KeyStore(make_engine(db_url))
        (owner, token), (_, other_token) = keys.create("portal", "owner"), keys.create("portal", "other")
        ids = [_log(db_url, *assessed[e], key_id=owner) for e in EXAMPLES]

        def get(params: list, tok: str = token):
            return client.get("/v1/portfolio", params=params, headers={"Authorization": f"Bearer {tok}"})
        r = get([("decision", i) for i in ids])
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", r.text
        body = r.json()
        assert [p["park_id"] for p in body["parks"]] == [assessed[e][0]["park_id"] for e in EXAMPLES]
        energy = next(i for i in body["indicators"] if i["indicator"] == "energy_intensity")
        assert [energy["percentiles"][assessed[e][0]["park_id"]] for e in EXAMPLES] == [0, 100, 50]
        r = get([("decision", i) for i in ids] + [("format", "html"), ("lang", "en")])
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        assert 'id="percentile-table"' in r.text and r.headers["content-language"] == "en"
        for status, r in ((404, get([("decision", ids[0])], other_token)),
                          (422, get([("decision", ids[0]), ("decision", ids[0])])),
                          (422, get([]))):
            assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
        doc = client.get("/openapi.json").json()["paths"]["/v1/portfolio"]["get"]
        assert {"application/json", "text/html", "application/pdf"} <= set(doc["responses"]["200"]["content"])
