"""`greenpark assess` loads only what it uses: the command line registers the one command module it
runs (engine/cli/__init__.py `main`), and nothing of the other commands, the service or the report
tools is imported. Checked on the modules a fresh process has loaded, not on time (bench/cli_start.py
measures that)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.main import get_command_name

import engine.cli as cli

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import atexit, json, sys
def report():
    from typer.main import get_command_name
    from engine.cli.common import app
    name = lambda c: c.name or get_command_name(c.callback.__name__)
    names = [name(c) for c in app.registered_commands]
    groups = {g.name: [name(c) for c in g.typer_instance.registered_commands] for g in app.registered_groups}
    sys.stderr.write("\\nPROBE " + json.dumps({"modules": sorted(sys.modules), "commands": names, "groups": groups}))
atexit.register(report)
sys.argv[0] = "greenpark"
from engine.cli import main
main()
"""


def _run(*args: str) -> tuple[subprocess.CompletedProcess, dict]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    probe = json.loads(done.stderr.rsplit("PROBE ", 1)[1])
    return done, probe


def test_the_command_table_names_the_module_of_every_command():
    app = cli.app                                   # every module registered
    found = {c.name or get_command_name(c.callback.__name__): c.callback.__module__.rsplit(".", 1)[1]
             for c in app.registered_commands}
    for group in app.registered_groups:
        (module,) = {c.callback.__module__.rsplit(".", 1)[1] for c in group.typer_instance.registered_commands}
        found[group.name] = module
    assert found == cli.COMMANDS
    assert set(cli.MODULES) == set(found.values())


def test_assess_registers_and_imports_only_its_own_command_module():
    done, probe = _run("assess", "examples/typical_municipal_park.yaml", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["park_id"]
    assert probe["commands"] == ["assess", "explain", "schema"]
    assert probe["groups"] == {"rules": [], "keys": []}
    loaded = set(probe["modules"])
    others = {f"engine.cli.{m}" for m in cli.MODULES if m != "assess"}
    unused = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "openpyxl", "jinja2", "fontTools", "httpx",
              "engine.service", "engine.cycles", "engine.render.dossier", "engine.render.table",
              "engine.render.markdown", "rich"}        # JSON needs neither Markdown nor a terminal
    assert not loaded & (others | unused)


def test_assess_with_a_warm_cache_imports_neither_the_compiler_nor_the_rule_files():
    """With its compiled ruleset from the cache, `assess` reads no rule file (the DSL and the
    compiler stay unloaded) and says format 2's shared sentences from the rules' own templates
    (rapidfuzz, for inferring them from texts, stays unloaded)."""
    _run("assess", "examples/typical_municipal_park.yaml", "-f", "json")          # warms the cache
    done, probe = _run("assess", "examples/typical_municipal_park.yaml", "-f", "json")
    assert done.returncode == 0, done.stderr
    loaded = set(probe["modules"])
    assert "engine.rules.manifests" in loaded
    assert not loaded & {"engine.rules.dsl", "engine.rules.compiler", "engine.rules.grammar", "rapidfuzz"}


def test_help_version_and_an_unknown_command_see_every_command():
    done, probe = _run("--help")
    assert done.returncode == 0
    assert set(probe["commands"]) | set(probe["groups"]) == set(cli.COMMANDS)
    assert all(probe["groups"].values())
    for command in cli.COMMANDS:
        assert f" {command} " in done.stdout
    done, probe = _run("no-such-command")
    assert done.returncode == 2 and "No such command" in done.stderr
    assert set(probe["commands"]) | set(probe["groups"]) == set(cli.COMMANDS)


def test_a_group_command_registers_its_group():
    done, probe = _run("rules", "--help")
    assert done.returncode == 0
    assert probe["commands"] == [] and probe["groups"]["rules"] and not probe["groups"]["keys"]
    assert "coverage" in done.stdout


def test_main_freezes_the_heap_once_the_command_has_run_and_atexit_still_runs():
    """`main` ends with gc.freeze (interpreter shutdown then skips walking the heap, issue #13);
    the output is complete and atexit handlers run (the probe above is one)."""
    probe = PROBE.replace("main()", "import gc\ntry:\n    main()\nfinally:\n"
                                    "    sys.stderr.write('FROZEN %d' % gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", probe, "assess", "examples/typical_municipal_park.yaml", "-f",
                           "json"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["park_id"]
    assert int(done.stderr.split("FROZEN ", 1)[1].split()[0].split("\n")[0]) > 0
    assert "PROBE " in done.stderr
