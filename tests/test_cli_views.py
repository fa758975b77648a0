"""`greenpark assess` views and portfolios through CliRunner: --only, --hide-met, --all, several
files, a folder and stdin, exit codes, the progress bar; `greenpark explain --only`; and the
acceptance of issue 10: the default table view of each example stays short and loses no unmet
check, problem or measure that `--all` lists."""
from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from engine.render.labels import KIND, VIEW
from engine.render.progress import ParkProgress
from engine.result_format import expand
from view_support import table_rows

runner = CliRunner()
PARK = "examples/typical_municipal_park.yaml"
STRONG = "examples/strong_hightech_park.yaml"
EXAMPLES = sorted(str(p) for p in Path("examples").glob("*.yaml"))
WIDE = {"COLUMNS": "400"}   # no id is ever wrapped


def run(*args, **kw):
    return runner.invoke(app, list(args), **kw)


@pytest.mark.parametrize("cmd,words", [(["assess"], ["--only", "--hide-met", "--all", "standard input", "folders"]),
                                       (["explain"], ["--only", "--all"])])
def test_help_names_the_view_options(cmd, words):
    r = run(*cmd, "--help", env={"COLUMNS": "200"})
    assert r.exit_code == 0
    for w in words:
        assert w in r.output


def test_hide_met_is_the_default_of_table_and_markdown():
    for fmt in ("table", "markdown"):
        default, hidden = run("assess", STRONG, "-f", fmt), run("assess", STRONG, "-f", fmt, "--hide-met")
        assert default.exit_code == hidden.exit_code == 0 and default.stdout == hidden.stdout


def test_only_and_all_shape_the_table():
    only = run("assess", STRONG, "--only", "measure", "--lang", "en", env=WIDE)
    assert only.exit_code == 0, only.output
    assert "Recommended measures (10)" in only.stdout and "Problems and unmet checks" not in only.stdout
    every = run("assess", STRONG, "--all", "--lang", "en", env=WIDE)
    assert "Compliance findings (128)" in every.stdout and "Rules not applied (15)" in every.stdout
    assert "restates: PC-C-003@ind:co2_per_tce" in every.stdout


def test_json_is_the_whole_result_unless_only_is_given():
    whole = run("assess", STRONG, "-f", "json", "--hide-met")
    data = json.loads(whole.stdout)
    assert data["format"] == 2 and len(data["findings"]) + len(data["verdicts"]["rows"]) == 143
    assert len(expand(data)["findings"]) == data["summary"]["findings"] == 143 and "only" not in data
    assert "JSON is the whole result" in whole.stderr
    only = json.loads(run("assess", STRONG, "-f", "json", "--only", "not_met,measure").stdout)
    assert only["only"] == ["measure", "not_met"] and only["summary"]["findings"] == 143
    assert {(f["kind"], f["status"]) for f in expand(only)["findings"]} == {("compliance", "not_met"), ("measure", "recommended")}


@pytest.mark.parametrize("args,needle", [(["--only", "not_met,nope"], "got 'nope'"),
                                         (["--all", "--hide-met"], "contradict")])
def test_bad_view_options_are_exit_2(args, needle):
    r = run("assess", STRONG, *args)
    assert r.exit_code == 2 and needle in r.stderr


@pytest.fixture()
def parks(tmp_path):
    folder = tmp_path / "parks"
    folder.mkdir()
    shutil.copy(STRONG, folder / "a_strong.yaml")
    shutil.copy(PARK, folder / "c_typical.yml")
    text = Path(PARK).read_text(encoding="utf-8")
    (folder / "b_bad.json").write_text("{\n  \"schema_version\": 2,\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a park", encoding="utf-8")
    (tmp_path / "negative.yaml").write_text(text.replace("coal: ", "coal: -", 1), encoding="utf-8")
    return folder


def test_a_folder_gives_a_json_array_in_file_order_and_a_bad_file_is_exit_2(parks):
    r = run("assess", str(parks), "-f", "json")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    assert [Path(e["file"]).name for e in data] == ["a_strong.yaml", "b_bad.json", "c_typical.yml"]
    assert data[0]["result"]["park_id"] == "qingchenghu-htz-demo" and data[2]["result"]["park_id"] == "yuze-municipal-demo"
    assert data[1]["errors"] and all(e.startswith(f"{parks / 'b_bad.json'}:") for e in data[1]["errors"])
    assert f"error: {parks / 'b_bad.json'}:" in r.stderr and "malformed JSON" in r.stderr


def test_several_files_give_one_view_each_and_every_bad_file_is_named_with_its_line(parks):
    bad = parks.parent / "negative.yaml"
    r = run("assess", str(parks / "a_strong.yaml"), str(bad), str(parks / "c_typical.yml"), "-f", "markdown")
    assert r.exit_code == 2
    assert r.stdout.count("# 园区: ") == 2 and f"- 文件: `{parks / 'c_typical.yml'}`" in r.stdout
    assert re.search(rf"error: {re.escape(str(bad))}:\d+:\d+: years\[0\]\.energy\.coal: must be >= 0", r.stderr)
    table = run("assess", str(parks / "a_strong.yaml"), str(parks / "c_typical.yml"), env=WIDE)
    assert table.exit_code == 0 and "青澄湖" in table.stdout and "豫泽" in table.stdout
    assert f"文件: {parks / 'c_typical.yml'}" in table.stdout


def test_exit_code_is_the_worst_of_the_parks(parks):
    good = [str(parks / "a_strong.yaml"), str(parks / "c_typical.yml")]
    assert run("assess", *good, "-f", "json").exit_code == 0
    assert run("assess", *good, "-f", "json", "--fail-on", "not_met").exit_code == 1
    assert run("assess", *good, str(parks / "b_bad.json"), "-f", "json", "--fail-on", "not_met").exit_code == 2


def test_standard_input(parks):
    text = Path(STRONG).read_text(encoding="utf-8")
    r = run("assess", "-", "-f", "json", "--only", "measure", input=text)
    assert r.exit_code == 0 and len(json.loads(r.stdout)["findings"]) == 10
    both = run("assess", "-", str(parks / "c_typical.yml"), "-f", "json", input=text)
    assert [e["file"] for e in json.loads(both.stdout)] == ["<stdin>", str(parks / "c_typical.yml")]
    bad = run("assess", "-", input="profile: [\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: <stdin>:2:1: malformed YAML")


def test_a_folder_without_park_files_is_exit_2(tmp_path):
    r = run("assess", str(tmp_path), "-f", "json")
    assert r.exit_code == 2 and json.loads(r.stdout) == [] and "no *.yaml, *.yml, *.json or *.xlsx file" in r.stderr


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_only_for_several_parks():
    tty, pipe = _Terminal(), io.StringIO()
    with ParkProgress(2, stream=tty) as bar, ParkProgress(2, stream=pipe) as quiet, ParkProgress(1, stream=_Terminal()) as one:
        for name in ("a.yaml", "b.yaml"):
            bar.show(name)
            with bar.paused():
                pass
            bar.advance()
        assert bar.active and not quiet.active and not one.active
    assert "b.yaml" in tty.getvalue() and "2/2" in tty.getvalue() and pipe.getvalue() == ""


def test_explain_only_explains_each_matching_finding():
    r = run("explain", STRONG, "--only", "measure", "--lang", "en", env=WIDE)
    assert r.exit_code == 0, r.output
    assert r.stdout.count("recommended   #") == 10 and "1/10  PC-M-002" in r.stdout
    assert run("explain", STRONG).exit_code == 2
    assert run("explain", STRONG, "PC-M-002", "--only", "measure").exit_code == 2
    restated = run("explain", STRONG, "PC-C-003@ind:co2_per_tce", "--lang", "en", env=WIDE)
    assert "see also: IM-P-005@PC-C-003@ind:co2_per_tce" in restated.stdout


def _finding_tables(lang: str) -> tuple[str, ...]:
    return (VIEW[lang]["issues"], VIEW[lang]["findings"], VIEW[lang]["measures"], *KIND[lang].values())


@pytest.mark.parametrize("park", EXAMPLES)
def test_default_view_of_each_example_is_short_and_loses_no_unmet_check_problem_or_measure(park):
    result = expand(json.loads(run("assess", park, "-f", "json").stdout))
    default = run("assess", park, env=WIDE)
    every = run("assess", park, "--all", env=WIDE)
    assert default.exit_code == every.exit_code == 0

    def finding_rows(text):
        return sum(n for title, n in table_rows(text).items() if title.startswith(_finding_tables("zh")))

    # the counter is right: --all has one row per finding
    assert finding_rows(every.stdout) == len(result["findings"])
    rows = finding_rows(default.stdout)
    categories = table_rows(default.stdout).get(f"lines:{VIEW['zh']['categories']}", 0)
    assert rows <= 40 and rows + categories <= 40, (rows, categories)

    must = [f for f in result["findings"] if f["status"] in ("not_met", "problem") or f["kind"] == "measure"]
    measures_at = default.stdout.index(VIEW["zh"]["measures"])
    for f in must:
        pattern = rf"(?<![\w@:+-]){re.escape(f['id'])}(?![\w@:+-])"
        assert re.search(pattern, every.stdout), f["id"]
        if f["kind"] == "measure":   # a row of the measures table, not only a reference
            assert re.search(rf"#{f['rank']} +{pattern}", default.stdout[measures_at:]), f["id"]
        elif f.get("folded_into"):   # the "see also" line under the finding it restates
            assert re.search(rf"{VIEW['zh']['see_also']}：.*\({re.escape(f['id'])}\)", default.stdout), f["id"]
        else:
            assert re.search(pattern, default.stdout[:measures_at]), f["id"]
