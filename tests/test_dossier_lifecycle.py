"""The dossier's section "整改闭环 / Corrective actions across assessments" (clause 8): the three-cycle
park of tests/cycles/ rendered with its earlier assessments, in both languages and both formats;
the first assessment; the HTTP route (`?history=true`) and `greenpark report --history` on a
decision log holding the three cycles; the page in headless chromium at A4 width.

The states asserted are those `engine.cycles.lifecycle.lifecycle` computes (tests/test_lifecycle.py
`EXPECTED`), each on its named finding, in the words the dossier prints elsewhere."""
from __future__ import annotations

import re
from datetime import timedelta

import orjson
import pytest
import yaml
from markupsafe import escape

from browser_support import Browser
from test_dossier import A4_PRINTABLE_PX, PROBE, needs_browser
from test_lifecycle import CYCLES, EXPECTED
from test_report_previous import T0, _log

# elements of the section wider than the page or than their box
SECTION_WIDE = r"""(() => {
  const vw = document.documentElement.clientWidth, wide = [];
  for (const el of document.querySelectorAll('#corrective, #corrective *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 0.5 || r.left < -0.5) wide.push(el.tagName + ' right=' + r.right.toFixed(1));
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) wide.push(el.tagName + ' scroll=' + el.scrollWidth);
  }
  return {wide, rows: document.querySelectorAll('#corrective-table tr[data-finding]').length};
})()"""

# each named finding's row in the cycle-3 dossier: (zh title（subject）, en title (subject))
ROWS = {
    "PC-C-025@ind:reclaimed_water_rate": ("再生水（中水）回用率达到基准（再生水（中水）回用率）",
                                          "Reclaimed-water reuse rate meets the benchmark (Reclaimed-water reuse rate)"),
    "PC-C-003@ind:co2_per_tce": ("单位能耗碳排放达到零碳园区核心指标（年综合能耗20万—100万吨标准煤）（单位能耗碳排放）",
                                 "CO2 per unit of energy meets the zero-carbon park core indicator (200,000 to 1 "
                                 "million tce a year) (CO2 per unit of energy consumption)"),
    "IN-P-004@ent:QC-E03": ("重点用能单位能效未达到行业标杆（华澄电子电路有限公司）",
                            "Key energy user below its sector's energy-efficiency benchmark (华澄电子电路有限公司)"),
    "PC-C-009@ind:hazardous_waste_managed": ("危险废物规范处置利用率达到基准（危险废物规范处置利用率）",
                                             "Share of hazardous waste managed per regulation meets the benchmark "
                                             "(Hazardous waste managed per regulation)"),
    "PL-C-013@plan": ("规划目标覆盖碳排放、能源、资源、环境和产业各维度",
                      "The plan's targets cover carbon, energy, resources, environment and industry"),
}
LABELS = {"zh": {"open": "未整改", "measure_planned": "已列整改任务", "implemented": "任务已完成，待验证",
                 "verified_closed": "已验证关闭", "regression": "关闭后复发"},
          "en": {"open": "open", "measure_planned": "measure planned", "implemented": "implemented, not yet verified",
                 "verified_closed": "verified closed", "regression": "regression"}}
CYCLE_WORDS = {"zh": ["第1次（2023年数据）", "第2次（2024年数据）", "第3次（2025年数据，本次）"],
               "en": ["no. 1 (2023 data)", "no. 2 (2024 data)", "no. 3 (2025 data, this one)"]}
HEADING = {"zh": "整改闭环", "en": "Corrective actions across assessments"}
FIRST = {"zh": "本园区没有此前的评估记录，本次为首次评估，尚无以往发现的问题需要跟踪整改。",
         "en": "There is no earlier assessment of the park on record: this is its first, so there is no earlier "
               "problem to follow up."}


@pytest.fixture(scope="module")
def three():
    """[(result, park, park data, Cycle)] of the three cycles."""
    from engine.assessment import Assessor
    from engine.cycles.lifecycle import Cycle, tasks_of
    from engine.facts.loader import load_park_document
    assessor = Assessor()
    out = []
    for path in CYCLES:
        park, _ = load_park_document(path)
        result = assessor.assess(park)
        out.append((result, park, yaml.safe_load(path.read_text(encoding="utf-8")),
                    Cycle(path.name, result, tasks_of(park))))
    return out


def _render(three, n: int, fmt: str, lang: str, history: bool = True) -> str:
    from engine.render.dossier import render_report
    result, park, _, _ = three[n - 1]
    earlier = [c for *_, c in three[:n - 1]] if history else None
    return render_report(result, fmt=fmt, lang=lang, park=park, history=earlier).decode("utf-8")


def _section(markdown: str, title: str) -> str:
    """The text of the Markdown section `title`, from its heading to the next."""
    m = re.search(rf"^## [^\n]*{re.escape(title)}\n(.*?)(?=^## )", markdown, re.M | re.S)
    assert m, f"no section {title!r}"
    return m.group(1)


def _md_rows(section: str) -> dict[str, list[str]]:
    """Markdown table rows of the findings table, by their first cell."""
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and " → " in line or line.count(" | ") == 3 and not line.startswith("|---"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[cells[0]] = cells
    return rows


def _path(states: list[str | None], lang: str) -> str:
    """The path of states the dossier prints: each state where it changed, with its assessment."""
    steps, last = [], None
    for i, s in enumerate(states):
        if s is not None and s != last:
            steps.append(f"{CYCLE_WORDS[lang][i]}{'：' if lang == 'zh' else ': '}{LABELS[lang][s]}")
            last = s
    return " → ".join(steps)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_shows_each_state_on_its_named_finding(three, lang):
    from engine.cycles.lifecycle import lifecycle
    text = _render(three, 3, "markdown", lang)
    headings = re.findall(r"^## (.*)$", text, re.M)
    at = next(i for i, h in enumerate(headings) if HEADING[lang] in h)
    # right after the problems, before the recommendations
    assert ("存在的问题" if lang == "zh" else "Problems found") in headings[at - 1]
    assert ("有关建议" if lang == "zh" else "Recommendations") in headings[at + 1]
    section = _section(text, HEADING[lang])
    rows = _md_rows(section)
    for fid, states in EXPECTED.items():
        cells = rows[ROWS[fid][0 if lang == "zh" else 1]]
        assert cells[1] == LABELS[lang][states[-1]], (fid, cells)
        assert cells[2] == _path(states, lang), (fid, cells)
    # the counts are this cycle's counts of lifecycle()
    counts = lifecycle([c for *_, c in three])["counts"][-1]
    order = ["regression", "open", "measure_planned", "implemented", "verified_closed"]
    head = "| " + " | ".join(LABELS[lang][s] for s in order) + " |"
    assert head in section and "| " + " | ".join(str(counts[s]) for s in order) + " |" in section
    assert counts["regression"] == 1 and counts["verified_closed"] == 2 and counts["implemented"] == 1
    # the tasks answering, by their titles in the park's plan; no raw id or enum in the section
    task = "规划任务：" if lang == "zh" else "Plan tasks: "
    assert rows[ROWS["PC-C-025@ind:reclaimed_water_rate"][0 if lang == "zh" else 1]][3] == task + "再生水厂三期扩容 1 万m3/d"
    assert rows[ROWS["IN-P-004@ent:QC-E03"][0 if lang == "zh" else 1]][3] == task + "华澄电子能效对标改造"
    assert rows[ROWS["PC-C-003@ind:co2_per_tce"][0 if lang == "zh" else 1]][3].startswith(task + "燃气热电厂掺氢燃烧示范")
    no_task = "未列整改任务" if lang == "zh" else "No plan task"
    assert rows[ROWS["PL-C-013@plan"][0 if lang == "zh" else 1]][3].startswith(no_task)
    assert not re.search(r"[A-Z]{2}-[CP]-\d{3}|verified_closed|measure_planned|ind:|ent:|K2[345]\b", section), section


def test_a_regression_shows_as_such(three):
    zh, en = _render(three, 3, "markdown", "zh"), _render(three, 3, "markdown", "en")
    assert ("| 危险废物规范处置利用率达到基准（危险废物规范处置利用率） | 关闭后复发 | 第1次（2023年数据）：未整改 → "
            "第2次（2024年数据）：已验证关闭 → 第3次（2025年数据，本次）：关闭后复发 | 未列整改任务 |") in zh
    assert "| regression | no. 1 (2023 data): open → no. 2 (2024 data): verified closed → no. 3 (2025 data, this " \
           "one): regression |" in en
    # a year earlier the same finding was verified closed, and nothing had come back
    cycle2 = _md_rows(_section(_render(three, 2, "markdown", "zh"), "整改闭环"))
    assert cycle2[ROWS["PC-C-009@ind:hazardous_waste_managed"][0]][1:3] == \
        ["已验证关闭", "第1次（2023年数据）：未整改 → 第2次（2024年数据，本次）：已验证关闭"]
    assert not any(cells[1] == "关闭后复发" for cells in cycle2.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_shows_each_state_on_its_named_finding(three, lang):
    page = _render(three, 3, "html", lang)
    assert f'<section class="major" id="corrective">' in page
    assert page.index('id="problems"') < page.index('id="corrective"') < page.index('id="measures"')
    assert re.search(rf'<a href="#corrective">[^<]*{HEADING[lang]}</a>', page)          # in the contents
    for fid, states in EXPECTED.items():
        row = re.search(rf'<tr data-finding="{re.escape(fid)}" data-state="{states[-1]}">(.*?)</tr>', page, re.S)
        assert row, fid
        cells = row.group(1)
        title = ROWS[fid][0 if lang == "zh" else 1]
        assert f'<span class="state st-{states[-1]}">{LABELS[lang][states[-1]]}</span>' in cells
        steps = re.findall(r'<li data-state="(\w+)">([^<]*)', cells)
        assert [s for s, _ in steps] == [s for i, s in enumerate(states) if s and s != ([None] + states)[i]]
        assert [t for _, t in steps] == _path(states, lang).split(" → ")
        words = title.split("（" if lang == "zh" else " (")[0]
        assert str(escape(words)).replace("CO2", "CO<sub>2</sub>") in cells
    assert 'id="corrective-counts"' in page and '<td class="num" data-state="regression">1</td>' in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_assessment_says_there_is_nothing_to_follow_up(three, lang):
    for fmt in ("markdown", "html"):
        text = _render(three, 1, fmt, lang)
        assert HEADING[lang] in text and FIRST[lang] in text
        assert "corrective-table" not in text and LABELS[lang]["verified_closed"] not in text
    # without the history asked for, no section at all (as "since the last assessment" without --previous)
    for fmt in ("markdown", "html"):
        assert HEADING[lang] not in _render(three, 3, fmt, lang, history=False)


# -- through the decision log: the HTTP route and the command line --------------------------------

@pytest.fixture
def logged(tmp_path, three):
    """(db_url, ids, keys): the three cycles logged a day apart, cycle 1 by another caller."""
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    keys = KeyStore(make_engine(db_url))
    (owner, owner_token), (other, _), (_, regulator) = (
        keys.create("portal", "owner"), keys.create("portal", "other"), keys.create("regulator", "supervisor"))
    ids = [_log(db_url, result, data, key_id=other if n == 0 else owner, at=T0 + timedelta(days=n), fmt=2,
                packed=True)
           for n, (result, _, data, _) in enumerate(three)]
    return db_url, ids, {"owner": owner_token, "regulator": regulator}


def test_the_route_gives_the_same_section_for_a_logged_decision(logged, three):
    from fastapi.testclient import TestClient
    from engine.service.app import create_app
    from engine.service.config import Settings
    from test_service_app import FakePool
    db_url, ids, tokens = logged
    app = create_app(Settings(db_url=db_url, auth=True), pool=FakePool(db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        def get(decision: str, who: str = "regulator", **params: str):
            r = client.get(f"/v1/assessments/{decision}/report", params=params,
                           headers={"Authorization": f"Bearer {tokens[who]}"})
            assert r.status_code == 200, r.text
            return r.text
        for lang in ("zh", "en"):
            text = get(ids[2], format="markdown", lang=lang, history="true")
            assert _section(text, HEADING[lang]) == _section(_render(three, 3, "markdown", lang), HEADING[lang])
        html = get(ids[2], history="true")
        assert '<tr data-finding="PC-C-009@ind:hazardous_waste_managed" data-state="regression">' in html
        assert HEADING["zh"] not in get(ids[2], format="markdown")                   # not asked for
        assert FIRST["zh"] in get(ids[0], format="markdown", history="true")        # the park's first decision
        # only decisions logged before this one: cycle 2's dossier knows nothing of cycle 3
        assert "第2次（2024年数据，本次）：已验证关闭" in get(ids[1], format="markdown", history="true")
        # the owner does not see another caller's decision of cycle 1: two assessments to follow
        mine = _section(get(ids[2], "owner", format="markdown", history="true"), HEADING["zh"])
        assert mine.lstrip().startswith("本园区共有 2 次评估：第1次（2024年数据）、第2次（2025年数据，本次）。")
        doc = client.get("/openapi.json").json()["paths"]["/v1/assessments/{decision_id}/report"]["get"]
        (param,) = [p for p in doc["parameters"] if p["name"] == "history"]
        assert param["schema"]["type"] == "boolean" and "corrective actions" in param["description"]


def test_the_command_line_follows_the_log(logged, three):
    from typer.testing import CliRunner
    from cli import app
    db_url, ids, _ = logged

    def run(*args: str):
        out = CliRunner().invoke(app, ["report", *args, "--db-url", db_url, "-f", "markdown"])
        return out
    out = run("--decision", ids[2], "--history")
    assert out.exit_code == 0, out.output
    assert _section(out.stdout, HEADING["zh"]) == _section(_render(three, 3, "markdown", "zh"), HEADING["zh"])
    assert HEADING["zh"] not in run("--decision", ids[2]).stdout
    # a park file: the park's logged decisions, then the file (cycle 3 again makes a fourth assessment)
    out = run(str(CYCLES[2]), "--history", "--lang", "en")
    assert out.exit_code == 0, out.output
    assert "The park has 4 assessments: no. 1 (2023 data), no. 2 (2024 data), no. 3 (2025 data), no. 4 (2025 " \
           "data, this one)." in out.stdout
    out = CliRunner().invoke(app, ["report", "--portfolio", str(CYCLES[0].parent), "--history"])
    assert out.exit_code == 2 and "--history follows one park's assessments" in out.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_enterprise_that_left_the_park_is_named_as_it_was(three, lang):
    """华澄电子 (QC-E03), whose finding was open in cycles 1 and 2, is gone from the cycle-3 facts: the
    section names it as the earlier facts did, never by its id (from the Cycle's names, as
    `decision_cycle` reads them from a logged input), and without those names its id would show."""
    import copy
    from engine.assessment import Assessor
    from engine.cycles.history import decision_cycle
    from engine.cycles.lifecycle import Cycle, names_of
    from engine.facts.loader import park_from_data
    from engine.render.dossier import render_report
    data = copy.deepcopy(three[2][2])
    data["enterprises"] = [e for e in data["enterprises"] if e["id"] != "QC-E03"]
    park = park_from_data(data, file="cycle3-without-QC-E03")
    result = Assessor().assess(park)
    assert not any(f["id"].endswith("@ent:QC-E03") for f in result["findings"])

    def section(history: list) -> str:
        text = render_report(result, fmt="markdown", lang=lang, park=park, history=history).decode("utf-8")
        return _section(text, HEADING[lang])
    named = [Cycle(c.label, c.result, c.tasks, names_of(p)) for _, p, _, c in three[:2]]
    row = _md_rows(section(named))[ROWS["IN-P-004@ent:QC-E03"][lang == "en"]]
    assert "QC-E03" not in " ".join(row)
    assert "QC-E03" in section([c for *_, c in three[:2]])            # the cycles without names
    # a logged decision's cycle reads the names from the input it stored
    logged = type("D", (), {"decision_id": "d_1", "result": orjson.dumps(three[0][0]),
                            "input": orjson.dumps(three[0][2])})
    assert decision_cycle(logged).names["ent:QC-E03"] == "华澄电子电路有限公司"


@needs_browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_section_fits_an_a4_page(three, lang, tmp_path):
    from engine.cycles.lifecycle import lifecycle
    tracked = len(lifecycle([c for *_, c in three])["findings"])     # one row per tracked finding
    assert tracked >= len(ROWS)
    page_file = tmp_path / f"cycle3.{lang}.html"
    page_file.write_text(_render(three, 3, "html", lang), encoding="utf-8")
    browser = Browser()
    try:
        page = browser.page(page_file.as_uri(), width=A4_PRINTABLE_PX, media="print")
        facts = page.eval(PROBE)
        assert "corrective" in facts["sections"]
        assert facts["wide"] == [] and facts["pageWidth"] <= facts["vw"], facts["wide"]   # the whole page
        for media in ("print", "screen"):           # and the section itself, on paper and on screen
            page.layout(A4_PRINTABLE_PX if media == "print" else 794, media)
            wide = page.eval(SECTION_WIDE)
            assert wide["rows"] == tracked and wide["wide"] == [], (media, wide)
    finally:
        browser.close()
