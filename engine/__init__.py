"""greenpark's engine: park facts -> derived indicators -> rule engine -> explained findings.

    >>> from engine import Assessor, load_park
    >>> result = Assessor().assess(load_park("examples/coal_chemical_park.yaml"))   # doctest: +SKIP
    >>> [f["id"] for f in result["findings"] if f["status"] == "not_met"][:1]        # doctest: +SKIP
    ['IN-C-001@ent:JS-E05']

Imports are lazy so that `import engine` stays cheap (the CLI's start-up time matters).
"""
from __future__ import annotations

import time as _time
from typing import TYPE_CHECKING

# When this process began to load the engine's code: the compiled-ruleset cache (engine.rules.cache)
# neither takes nor writes an entry while an engine source is newer than this (the code running may
# not be the code on disk).
STARTED_NS = _time.time_ns()

__all__ = ["Assessor", "load_park", "parse_park", "park_from_data", "RulesetRegistry", "load_knowledge",
           "GreenparkError", "InputError", "KnowledgeError", "RulePackError", "RulesetNotFound",
           "EvaluationError"]

# relative module names: the same code runs as `engine` in a checkout and as `greenpark.engine` when installed
_WHERE = {"Assessor": ".assessment", "load_park": ".facts.loader", "parse_park": ".facts.loader",
          "park_from_data": ".facts.loader", "RulesetRegistry": ".rules.packs",
          "load_knowledge": ".knowledge", **{name: ".errors" for name in __all__ if name.endswith(("Error", "NotFound"))}}

if TYPE_CHECKING:  # pragma: no cover
    from .assessment import Assessor
    from .errors import (EvaluationError, GreenparkError, InputError, KnowledgeError, RulePackError,
                               RulesetNotFound)
    from .facts.loader import load_park, park_from_data, parse_park
    from .knowledge import load_knowledge
    from .rules.packs import RulesetRegistry


def __getattr__(name: str):
    if name in _WHERE:
        import importlib
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
