"""The command line's common options: --version, shell completion, --profile and --fail-on as
fixed choices, -o FILE written atomically, and - (standard input) where a command takes one park."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
PARK = str(ROOT / "examples" / "typical_municipal_park.yaml")
OTHER = str(ROOT / "examples" / "coal_chemical_park.yaml")
GREEN = "years[year=2024].energy.green_electricity"


def run(*args, **kw):
    return runner.invoke(app, list(args), prog_name="greenpark", **kw)


def _profiles() -> list[str]:
    return list(yaml.safe_load((ROOT / "knowledge" / "benchmarks.yaml").read_text(encoding="utf-8"))["profiles"])


# --- --version -------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_prints_package_and_ruleset_versions(flag):
    from importlib import metadata
    r = run(flag)
    assert r.exit_code == 0, r.output
    manifest = yaml.safe_load((ROOT / "rules" / "ruleset.yaml").read_text(encoding="utf-8"))
    lines = r.stdout.splitlines()
    assert lines[0] == f"greenpark {metadata.version('greenpark')}"     # pyproject's version, installed -e
    assert lines[1].startswith("rulesets: ") and manifest["version"] in lines[1].split(": ")[1].split(", ")


# --- shell completion ------------------------------------------------------------------------

def test_show_completion_prints_a_bash_script_for_greenpark(monkeypatch):
    # the shell named, not detected: typer otherwise asks shellingham for the parent shell, which a
    # run started from no shell (a daemon, a detached job) does not have
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    r = run("--show-completion", "bash")
    assert r.exit_code == 0, r.output
    assert "complete " in r.stdout and "_greenpark_completion" in r.stdout and "_GREENPARK_COMPLETE" in r.stdout


def _complete(words: str) -> list[str]:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)       # the word being completed
    env = {"_GREENPARK_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    r = runner.invoke(app, [], prog_name="greenpark", env=env)
    assert r.exit_code == 0, r.output
    return r.stdout.split()


def test_completion_offers_profiles_from_the_data_and_fail_on_statuses():
    profiles = _profiles()
    assert _complete(f"greenpark assess {PARK} --profile ") == profiles
    assert _complete(f"greenpark assess {PARK} --profile {profiles[-1][:3]}") == \
        [p for p in profiles if p.startswith(profiles[-1][:3])]
    assert _complete(f"greenpark assess {PARK} --fail-on not_") == ["not_met", "not_applicable"]
    assert "assess" in _complete("greenpark as")


# --- --profile and --fail-on -----------------------------------------------------------------

def test_unknown_profile_is_refused_with_the_list_of_choices():
    r = run("assess", PARK, "--profile", "no_such_profile")
    assert r.exit_code == 2
    text = " ".join(r.output.replace("│", " ").split())
    assert "unknown profile 'no_such_profile'; choose one of: " in text
    assert all(name in text for name in _profiles())


def test_every_profile_of_the_data_is_accepted():
    name = _profiles()[-1]
    r = run("assess", PARK, "--profile", name, "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ruleset"]["profile"] == name


def test_fail_on_takes_only_finding_statuses():
    bad = run("assess", PARK, "--fail-on", "not-met")
    assert bad.exit_code == 2 and "not_met" in bad.output and "insufficient_data" in bad.output
    assert run("assess", OTHER, "-f", "json", "--fail-on", "not_met").exit_code == 1


# --- -o FILE ---------------------------------------------------------------------------------

def test_assess_output_file_holds_what_stdout_would(tmp_path):
    out = tmp_path / "result.json"
    r = run("assess", PARK, "-f", "json", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(run("assess", PARK, "-f", "json").stdout)
    md = tmp_path / "result.md"
    assert run("assess", PARK, "-f", "markdown", "--lang", "en", "--output", str(md)).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# ")
    table = tmp_path / "result.txt"
    assert run("assess", PARK, "-o", str(table)).exit_code == 0
    assert "存在的问题" in table.read_text(encoding="utf-8") and "\x1b[" not in table.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json", "result.md", "result.txt"]  # no temp left


def test_failed_run_leaves_the_previous_output_untouched(tmp_path):
    out = tmp_path / "result.json"
    out.write_text("previous result\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(PARK).read_text(encoding="utf-8").replace("years:", "yeers:", 1), encoding="utf-8")
    r = run("assess", str(bad), "-f", "json", "-o", str(out))
    assert r.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous result\n"
    r = run("whatif", PARK, "--set", "no.such.path=1", "-f", "json", "-o", str(out))
    assert r.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "result.json"]


def test_an_error_half_way_through_writing_leaves_no_half_result(tmp_path):
    import typer
    from engine.cli.output import atomic_output
    out = tmp_path / "r.md"
    out.write_text("previous\n", encoding="utf-8")
    for error in (RuntimeError("renderer crashed"), typer.Exit(2), KeyboardInterrupt()):
        with pytest.raises(type(error)):
            with atomic_output(out) as target:
                target.stream.write("# half of a report\n")
                raise error
        assert out.read_text(encoding="utf-8") == "previous\n"
    with atomic_output(out) as target:
        target.stream.write("# whole\n")
    assert out.read_text(encoding="utf-8") == "# whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


def test_fail_on_exit_1_still_writes_the_whole_result(tmp_path):
    out = tmp_path / "r.json"
    assert run("assess", OTHER, "-f", "json", "--fail-on", "not_met", "-o", str(out)).exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]


def test_output_of_explain_schema_diff_whatif_report(tmp_path):
    result = json.loads(run("assess", PARK, "-f", "json").stdout)
    fid = next(f["id"] for f in result["findings"] if f["status"] == "not_met")
    checks = {
        "explain.txt": (["explain", PARK, fid, "--lang", "en"], fid),
        "schema.json": (["schema"], '"$schema"'),
        "diff.json": (["diff", PARK, PARK, "-f", "json"], '"persisting"'),
        "whatif.md": (["whatif", PARK, "--set", f"{GREEN}=280 GWh", "-f", "markdown", "--lang", "en"], "#"),
        "report.md": (["report", PARK, "-f", "markdown", "--lang", "en"], "#"),
    }
    for name, (args, needle) in checks.items():
        direct = run(*args)
        assert direct.exit_code == 0, (args, direct.output)
        r = run(*args, "-o", str(tmp_path / name))
        assert r.exit_code == 0, (args, r.output)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert needle in text and r.stdout == "", name
        if name.endswith(".json"):
            assert json.loads(text) == json.loads(direct.stdout), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(checks)


def test_output_into_a_missing_folder_is_a_clear_error(tmp_path):
    r = run("schema", "-o", str(tmp_path / "no" / "such" / "schema.json"))
    assert r.exit_code == 2
    assert "error: cannot write" in r.output and "schema.json" in r.output and "Traceback" not in r.output


# --- standard input --------------------------------------------------------------------------

def test_one_park_commands_read_standard_input():
    text = Path(PARK).read_text(encoding="utf-8")
    from_file = json.loads(run("assess", PARK, "-f", "json").stdout)
    r = run("assess", "-", "-f", "json", input=text)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["input_digest"] == from_file["input_digest"]
    fid = next(f["id"] for f in from_file["findings"] if f["status"] == "not_met")
    r = run("explain", "-", fid, "--lang", "en", input=text)
    assert r.exit_code == 0, r.output
    assert r.stdout == run("explain", PARK, fid, "--lang", "en").stdout
    r = run("whatif", "-", "--set", f"{GREEN}=280 GWh", "-f", "json", input=text)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == json.loads(run("whatif", PARK, "--set", f"{GREEN}=280 GWh", "-f", "json").stdout)
    r = run("diff", "-", PARK, "-f", "json", input=text)
    assert r.exit_code == 0, r.output
    from_stdin, from_files = json.loads(r.stdout), json.loads(run("diff", PARK, PARK, "-f", "json").stdout)
    assert "<stdin>" in json.dumps(from_stdin, ensure_ascii=False)
    assert from_stdin["counts"] == from_files["counts"]
    assert run("diff", "-", "-").exit_code == 2
    r = run("report", "-", "-f", "markdown", "--lang", "en", input=text)
    assert r.exit_code == 0, r.output
    assert r.stdout == run("report", PARK, "-f", "markdown", "--lang", "en").stdout


def test_bad_standard_input_names_stdin():
    r = run("whatif", "-", "--set", f"{GREEN}=280 GWh", input="profile: [unclosed\n")
    assert r.exit_code == 2
    assert "<stdin>" in r.output and "Traceback" not in r.output


# --- where compiled rulesets are cached --------------------------------------------------------

def test_ruleset_cache_lives_in_the_users_cache_folder(monkeypatch, tmp_path):
    from engine.rules.cache import default_cache_dir
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "greenpark"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")          # the XDG spec: ignore a relative path
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "greenpark"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "greenpark"


def test_history_output_file(tmp_path):
    """`history -o`: the decision log's view of a park, written to the file (one decision logged
    the way a worker logs it)."""
    import os
    from datetime import datetime, timezone
    from engine.service.db import make_engine
    from engine.service.decisions import Decision, DecisionLog
    result = json.loads(run("assess", PARK, "-f", "json").stdout)
    db_url = f"sqlite:///{tmp_path / 'log.db'}"
    engine = make_engine(db_url)
    try:
        decision_id = "d_" + os.urandom(16).hex()
        DecisionLog(engine).append(Decision(
            decision_id, datetime.now(timezone.utc), None, result["park_id"],
            json.dumps(yaml.safe_load(Path(PARK).read_text(encoding="utf-8")), ensure_ascii=False).encode(),
            result["input_digest"], result["ruleset"]["versions"]["ruleset"], result["ruleset"]["versions"],
            result["ruleset"]["digest"], json.dumps({"decision_id": decision_id, **result}, ensure_ascii=False).encode()))
    finally:
        engine.dispose()
    direct = run("history", result["park_id"], "--db-url", db_url, "-f", "json")
    assert direct.exit_code == 0, direct.output
    out = tmp_path / "history.json"
    r = run("history", result["park_id"], "--db-url", db_url, "-f", "json", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(direct.stdout)
    assert decision_id in out.read_text(encoding="utf-8")
