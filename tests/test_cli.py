"""Every command through typer's CliRunner: exit codes, output, --help; bad input is one line
naming file, line and field, with exit code 2 - never a traceback."""
from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()
PARK = "examples/typical_municipal_park.yaml"


def run(*args):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("cmd", [[], ["assess"], ["explain"], ["schema"], ["rules"], ["rules", "list"],
                                 ["rules", "lint"], ["rules", "test"], ["rules", "golden"]])
def test_help(cmd):
    r = run(*cmd, "--help")
    assert r.exit_code == 0
    assert "Usage" in r.output


def test_assess_json_has_the_documented_keys():
    r = run("assess", PARK, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"park_id", "ruleset", "input_digest", "derived", "ghg_inventory", "summary", "findings"} <= set(data)


def test_assess_table_and_markdown_in_both_languages():
    zh = run("assess", PARK)
    en = run("assess", PARK, "--format", "markdown", "--lang", "en")
    assert zh.exit_code == en.exit_code == 0
    assert "存在的问题" in zh.output and "有关建议" in zh.output and "豫泽综合工业园区" in zh.output
    assert "## Problems and unmet checks" in en.output and "## Recommended measures" in en.output
    every = run("assess", PARK, "--format", "markdown", "--lang", "en", "--all")
    assert "## Compliance findings" in every.output and "| ID |" in every.output


def test_fail_on_trips_exit_1_and_bad_status_is_exit_2():
    assert run("assess", "examples/coal_chemical_park.yaml", "--format", "json", "--fail-on", "not_met").exit_code == 1
    assert run("assess", PARK, "--format", "json", "--fail-on", "recommended_x").exit_code == 2


def test_explain_one_finding():
    from engine.result_format import expand
    data = expand(json.loads(run("assess", "examples/coal_chemical_park.yaml", "--format", "json").stdout))
    fid = next(f["id"] for f in data["findings"] if f["status"] == "not_met" and f["evidence"].get("benchmarks"))
    r = run("explain", "examples/coal_chemical_park.yaml", fid, "--lang", "en")
    assert r.exit_code == 0, r.output
    assert fid in r.output and "trace" in r.output and "evidence" in r.output
    assert run("explain", "examples/coal_chemical_park.yaml", "NOPE-1@x").exit_code == 2


def test_schema_prints_json_schema():
    r = run("schema")
    schema = json.loads(r.stdout)
    assert schema["title"] == "Park" and "profile" in schema["properties"]
    rules_schema = json.loads(run("schema", "--rules").stdout)
    assert "oneOf" in json.dumps(rules_schema) or "anyOf" in json.dumps(rules_schema)


def test_rules_list_lint_test():
    assert "PC-C-001" in run("rules", "list").output
    r = run("rules", "lint")
    assert r.exit_code == 0 and r.output.startswith("ok:")
    r = run("rules", "test", "--rule", "IN-C-001", "--evaluator", "oracle")
    assert r.exit_code == 0 and "0 failed" in r.output


def _park_text():
    with open(PARK, encoding="utf-8") as fh:
        return fh.read()


BAD = [
    ("malformed.yaml", lambda t: t.replace("profile:", "profile: [", 1), "malformed YAML"),
    ("units.yaml", lambda t: t.replace("万kWh", "万t", 1), "is not a electricity unit"),
    ("pct.yaml", lambda t: t + "\n", None),
    ("negative.yaml", lambda t: t.replace("coal: ", "coal: -", 1), "must be >= 0"),
    ("unknown.yaml", lambda t: t.replace("  province:", "  provence: x\n  province:", 1), "unknown field 'provence'"),
]


@pytest.mark.parametrize("name,edit,needle", [b for b in BAD if b[2]])
def test_bad_park_input_is_one_line_with_location_and_exit_2(tmp_path, name, edit, needle):
    p = tmp_path / name
    p.write_text(edit(_park_text()), encoding="utf-8")
    r = run("assess", str(p))
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1, r.output
    assert needle in lines[0] and f"{p}:" in lines[0]
    assert "Traceback" not in r.output


def test_percentage_of_130_and_malformed_json(tmp_path):
    import yaml
    data = yaml.safe_load(_park_text())
    data["years"][0]["air_quality_good_days"] = 130
    p = tmp_path / "pct.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = run("assess", str(p))
    assert r.exit_code == 2 and "years[0].air_quality_good_days: a percentage must be 0-100 (got 130)" in r.output
    p.write_text("{", encoding="utf-8")
    r = run("assess", str(p))
    assert r.exit_code == 2 and "malformed JSON" in r.output


def test_unknown_target_indicator_is_located(tmp_path):
    text = _park_text()
    import re
    m = re.search(r"indicator: (\w+)", text)
    p = tmp_path / "t.yaml"
    p.write_text(text.replace(m.group(0), "indicator: carbon_intensty", 1), encoding="utf-8")
    r = run("assess", str(p))
    assert r.exit_code == 2
    assert "plan.targets[0].indicator: unknown indicator 'carbon_intensty' (did you mean 'carbon_intensity'?)" in r.output
    assert f"{p}:" in r.output


def test_rule_citing_a_missing_clause_fails_the_pack_whole(tmp_path, ruleset):
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    rule = next(tree.glob("pollution_carbon/PC-C-001_*[!t].yaml"))
    rule.write_text(rule.read_text(encoding="utf-8").replace('clauses: ["7.3", "6.3"]', 'clauses: ["6.13"]'), encoding="utf-8")
    r = run("rules", "lint", "--rules-dir", str(tree))
    assert r.exit_code == 2
    assert "clause '6.13' does not exist" in r.output and "PC-C-001" in r.output and ":" in r.output.split()[1]
    r = run("assess", PARK, "--rules-dir", str(tree))
    assert r.exit_code == 2 and "6.13" in r.output
