"""greenpark: assess green low-carbon industrial parks against 《绿色低碳工业园区建设管理指南》.

Thin commands, one call into the engine each. Heavy imports (rich, durable-rules, fastapi) happen
inside commands to keep start-up fast. Exit codes: 0 ok, 1 `--fail-on` tripped or a rule test
failed, 2 bad input (file, facts, rule pack, ruleset version).

The commands live one group per module; importing a module registers its commands on `app`
(the order below is the order of `greenpark --help`).
"""
from __future__ import annotations

from . import assess, report, cycles, rules_commands, serve, intake  # noqa: F401  (registers the commands)
from .common import app

__all__ = ["app"]
