"""greenpark: assess green low-carbon industrial parks against 《绿色低碳工业园区建设管理指南》.

Thin commands, one call into the engine each. Heavy imports (rich, durable-rules, fastapi) happen
inside commands to keep start-up fast. Exit codes: 0 ok, 1 `--fail-on` tripped or a rule test
failed, 2 bad input (file, facts, rule pack, ruleset version).

The commands live one group per module; importing a module registers its commands on `app`.
`main` (the `greenpark` command) imports only the module of the command it runs - typer builds a
command of every registered function at each start, so `greenpark assess` builds three, not
twenty - and all of them for `greenpark --help`, `--version` or shell completion. When the command
has run, `main` freezes the garbage collector's view of the heap (`gc.freeze`), so interpreter
shutdown does not walk every object once more. `app`, read from
this package (`from engine.cli import app`: tests, `python cli.py`), has every command, in the
order of `greenpark --help`.
"""
from __future__ import annotations

import gc
import importlib
import os
import sys

__all__ = ["app", "main"]

# the command modules, in the order of `greenpark --help`
MODULES = ("assess", "report", "cycles", "rules_commands", "serve", "intake")
# the first argument of a command line -> the module that registers that command (or group);
# tests/test_startup.py checks it against what the modules register
COMMANDS = {"assess": "assess", "explain": "assess", "schema": "assess", "report": "report",
            "diff": "cycles", "replay": "cycles", "history": "cycles", "whatif": "cycles",
            "serve": "serve", "keys": "serve", "template": "intake", "convert": "intake",
            "rules": "rules_commands"}


def _register(modules) -> None:
    for name in modules:
        importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str):
    if name == "app":
        _register(MODULES)
        from .common import app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """`greenpark ...`: run the command line, having registered only the command it names."""
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
    module = COMMANDS.get(command) if command is not None and not completing else None
    _register([module] if module is not None else MODULES)
    from .common import app
    try:
        app()
    finally:
        # The process ends here. Its objects go with it; the collector need not walk them all at
        # interpreter shutdown (~100 ms of CPU after an assessment, issue #13): frozen, they are
        # skipped. atexit handlers, flushing and closing run as before.
        gc.freeze()
