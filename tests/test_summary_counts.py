"""Every count the summary of `greenpark assess` prints (the terminal panel and the Markdown header,
zh and en, for every example park and several views) is the figure of the result's `summary`, so
a reader never meets two numbers for one thing: problems are counted as the conclusion counts them
(`summary.folded` restatements named apart), and so on for every status, the compliance rate and
its coverage, the data to collect, what the view leaves out and the counts per category.

The output is parsed, not searched: every part of the status line and of the "not listed" list
must be a count in the expected wording, so a count that drifts or a new unparsed word fails."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from engine.render.summary_text import category_cells
from engine.result_format import expand
from engine.summary import requirement_counts

runner = CliRunner()
EXAMPLES = sorted(str(p) for p in Path("examples").glob("*.yaml"))
WIDE = {"COLUMNS": "2000"}   # one panel line per line of text
# --only words and the statuses each lists; a status not listed is in the "not listed" part
VIEWS = {None: {"not_met", "problem", "insufficient_data", "recommended"},
         "not_met": {"not_met"}, "problem,measure": {"problem", "recommended"}}

_STATUS_WORDS = {"zh": {"未达标": "not_met", "问题": "problem", "数据不足": "insufficient_data",
                        "建议措施": "recommended", "达标": "met", "不适用": "not_applicable"},
                 "en": {"not met": "not_met", "problem": "problem", "problems": "problem",
                        "insufficient data": "insufficient_data", "recommended": "recommended", "met": "met",
                        "not applicable": "not_applicable"}}
_STATUSES = ("not_met", "problem", "insufficient_data", "recommended", "met", "not_applicable")
_ZH_COUNT = re.compile(r"^(未达标|问题|数据不足|建议措施|达标|不适用) (\d+)(?:（另有 (\d+) 项为重述）)?$")
# the data-completeness checks, counted apart from the verdicts above (engine/summary.py)
_DATA_COUNT = {"zh": re.compile(r"^数据齐备检查 (\d+)（另计）$"),
               "en": re.compile(r"^(\d+) data-completeness checks? \(counted apart\)$")}
_EN_COUNT = re.compile(r"^(\d+) (not met|problems?|insufficient data|recommended|met|not applicable)"
                       r"(?: \((\d+) more restates? a verdict\))?$")


@pytest.fixture(scope="module")
def summaries():
    out = {}
    for park in EXAMPLES:
        r = runner.invoke(app, ["assess", park, "-f", "json"])
        assert r.exit_code in (0, 1), r.output
        out[park] = expand(json.loads(r.stdout))
    return out


def expected(result: dict) -> dict[str, int]:
    """The summary's figure for each status, as the conclusion gives it, and the restatements."""
    s = result["summary"]
    by_kind, checks = s["by_kind"], requirement_counts(s)
    assert checks["met"] + checks["not_met"] == s["decided"] and checks["insufficient_data"] == s["undecided"]
    data = s["data_checks"]
    return {"not_met": checks["not_met"], "met": checks["met"], "insufficient_data": s["undecided"],
            "not_applicable": checks["not_applicable"],
            "data": data["decided"] + data["undecided"] + data["not_applicable"],
            "problem": by_kind.get("problem", 0) - s["folded"], "recommended": by_kind.get("measure", 0),
            "restated": s["folded"]}


def match_count(part: str, lang: str) -> tuple[str, int, int] | None:
    """(status, count, restatements named apart) of `问题 3（另有 2 项为重述）` / `3 problems (...)`;
    None when `part` is not a count in that wording."""
    m = (_ZH_COUNT if lang == "zh" else _EN_COUNT).match(part)
    if not m:
        return None
    word, n, folded = (m.group(1), m.group(2), m.group(3)) if lang == "zh" else (m.group(2), m.group(1), m.group(3))
    n, folded = int(n), int(folded or 0)
    if lang == "en":   # one problem, two problems; one more restates, two more restate
        assert word not in ("problem", "problems") or (word == "problem") == (n == 1), part
        assert not folded or ("restates" in part) == (folded == 1), part
    return _STATUS_WORDS[lang][word], n, folded


def counts_of(parts: list[str], lang: str, want: dict) -> dict[str, int]:
    """The counts of a list of parts, each of which must be a count; restatements checked apart."""
    out = {}
    for part in parts:
        data = _DATA_COUNT[lang].match(part)
        if data:
            assert "data" not in out, part
            out["data"] = int(data.group(1))
            continue
        parsed = match_count(part, lang)
        assert parsed, f"not a count: {part!r}"
        st, n, folded = parsed
        assert st not in out, part
        out[st] = n
        assert folded == (want["restated"] if st == "problem" else 0), part
    return out


def present(want: dict, statuses) -> dict[str, int]:
    """The summary's figures of the given statuses the result holds (problems: also when all restate)."""
    return {k: want[k] for k in statuses if want[k] or k == "problem" and want["restated"]}


def header_lines(output: str, fmt: str) -> list[str]:
    """The lines of the summary: the panel's text, or the Markdown list before the first section."""
    lines = output.splitlines()
    if fmt == "table":
        end = next(i for i, line in enumerate(lines) if line.startswith("╰"))
        return [line.strip("│ ").strip() for line in lines[1:end]]
    end = next(i for i, line in enumerate(lines) if line.startswith("## "))
    return [line[2:].strip("*") for line in lines[:end] if line.startswith("- ")]


def category_rows(output: str, fmt: str) -> list[list[str]]:
    """The cells of the per-category counts, in order."""
    lines = output.splitlines()
    if fmt == "markdown":
        start = lines.index("|---|--:|--:|--:|--:|--:|--:|") + 1
        rows = []
        for line in lines[start:]:
            if not line.startswith("| "):
                break
            rows.append([c.strip() for c in line.strip("|").split(" | ")])
        return rows
    start = next(i for i, line in enumerate(lines) if line.startswith("┡")) + 1
    rows = []
    for line in lines[start:]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            rows.append([c.strip() for c in line.strip("│").split("│")])
    return rows


@pytest.mark.parametrize("fmt", ["table", "markdown"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("only", list(VIEWS))
@pytest.mark.parametrize("park", EXAMPLES)
def test_every_count_of_the_summary_is_the_summarys_figure(summaries, park, only, lang, fmt):
    result = summaries[park]
    s, want = result["summary"], expected(result)
    args = ["assess", park, "-f", fmt, "--lang", lang] + (["--only", only] if only else [])
    r = runner.invoke(app, args, env=WIDE)
    assert r.exit_code in (0, 1), r.output
    lines = header_lines(r.stdout, fmt)

    # the conclusion is printed whole, and its counts are the status line's
    conclusion = s["conclusion"][lang]
    assert sum(conclusion in line for line in lines) == 1
    said = (re.search(r"诊断出 (\d+) 个问题，提出 (\d+) 项措施", conclusion) if lang == "zh"
            else re.search(r"(\d+) problems? (?:was|were) diagnosed and (\d+) measures? proposed", conclusion))
    assert said and (int(said.group(1)), int(said.group(2))) == (want["problem"], want["recommended"])

    # the compliance rate with its coverage
    rate = re.compile(r"^达标率 ([\d.]+)%（已判定 (\d+)/(\d+) 项检查）$" if lang == "zh"
                      else r"^Compliance rate ([\d.]+)% \((\d+)/(\d+) checks decided\)$")
    found = [m for m in map(rate.match, lines) if m]
    assert len(found) == 1
    assert (float(found[0].group(1)), int(found[0].group(2)), int(found[0].group(3))) == (
        s["compliance_rate"], s["decided"], s["decided"] + s["undecided"])

    # the counts by status: every status the result holds, each with the summary's figure
    status = [line for line in lines
              if all(match_count(p, lang) or _DATA_COUNT[lang].match(p) for p in line.split("  "))]
    assert len(status) == 1, lines
    assert counts_of(status[0].split("  "), lang, want) == present(want, (*_STATUSES, "data"))

    # what the view leaves out: the summary's figure for every status it does not list
    listed = VIEWS[only]
    mark = "未列出 " if lang == "zh" else "not listed: "
    view = [line for line in lines if mark in line]
    assert len(view) == 1
    left = view[0].split(mark, 1)[1]
    left = left.split("；" if lang == "zh" else "; ", 1)[0]
    hidden = counts_of(left.split("、" if lang == "zh" else ", "), lang, want)
    data_rules = set(s["data_checks"]["rules"])
    hidden_data = sum(f["rule"] in data_rules and f["status"] not in listed for f in result["findings"])
    assert hidden == present(want, [k for k in _STATUSES if k not in listed]) | ({"data": hidden_data} if hidden_data else {})

    # restatements listed under what they restate: all of them when problems and unmet checks are listed
    note = re.compile(r"(\d+) 项重述列在所重述的条目下" if lang == "zh" else r"(\d+) restatements? listed under")
    folded_notes = [int(m.group(1)) for line in lines for m in [note.search(line)] if m]
    assert folded_notes == ([want["restated"]] if {"problem", "not_met"} <= listed and want["restated"] else [])

    # the data to collect: how many paths, how many checks each decides, how many more
    if s["to_collect"]:
        collect = [line for line in lines if line.startswith("需补充数据" if lang == "zh" else "Data to collect")]
        assert len(collect) == 1
        total = re.match(r"需补充数据（(\d+) 项）：" if lang == "zh" else r"Data to collect \((\d+)\): ", collect[0])
        assert total and int(total.group(1)) == len(s["to_collect"])
        per = re.findall(r"（(\d+) 项检查）" if lang == "zh" else r" \((\d+) checks?\)", collect[0])
        # each path with the checks it would decide: findings, and basic requirements undecided on it
        assert [int(n) for n in per] == [len(i["findings"]) + len(i.get("requirements", []))
                                         for i in s["to_collect"][:len(per)]] and per
        more = re.search(r"；另 (\d+) 项$" if lang == "zh" else r"; (\d+) more$", collect[0])
        assert (int(more.group(1)) if more else 0) == len(s["to_collect"]) - len(per)

    # the counts per category are the summary's, row by row
    cats = [c for g in ("phase", "area") for c in s["categories"] if c["group"] == g
            and any(c.get(k) for k in ("total", "not_applicable", "problems", "measures"))]
    rows = category_rows(r.stdout, fmt)
    assert [row[1:] for row in rows] == [category_cells(c, lang)[1:] for c in cats]
    phases = [c for c in cats if c["group"] == "phase"]
    assert sum(c["problems"] for c in phases) == want["problem"]
