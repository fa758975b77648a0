"""Benchmark instruments for the durable adapter: the C engine's own time, and the old baseline.

Used by bench/run.py and tests, never in production. They live here because engine/evaluators/ is
the only package that imports durable-rules.

* `CallLog` stands in for the `durable_rules_engine` module in `DurableEvaluator(engine=...)`: it
  passes every call through, records it, and sums the time spent inside the C functions
  (`perf_counter` around each call).
* `Replay` re-issues a recorded session's C calls alone - the same JSON texts, the same sid, so
  the engine does the same work - with nothing of ours between them, and times that. Its results
  are checked against the recording, so it is the same work, not merely the same calls.
* `WrapperBaseline` is the old "bare" figure: the same rules and facts through durable's own Python
  wrapper (`Ruleset.do_actions`, a `Closure` per firing), with actions that only assert the derived
  facts. It measures durable's wrapper, not the C engine.
"""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine as dre
from durable import engine

from ..rules.ir import CompiledRuleset, derived_fact
from .base import END
from .durable_format import dumps, fact_json, to_durable

__all__ = ["CallLog", "Replay", "WrapperBaseline"]

_ASSERTS = ("assert_fact", "assert_facts")      # return (code, state offset)
_BY_OFFSET = ("start_action_for_state", "complete_and_start_action", "abandon_action")


@dataclass
class CallLog:
    """Records and times every C call made through it (see the module docstring).

    Example:
        >>> log = CallLog()
        >>> DurableEvaluator(engine=log).evaluate(ruleset, facts)
        >>> log.seconds, len(log.calls)
    """

    module: Any = dre
    calls: list[tuple[str, tuple, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def __getattr__(self, name: str):
        fn = getattr(self.module, name)
        if not callable(fn):
            return fn
        clock = time.perf_counter

        def call(*args):
            t0 = clock()
            try:
                result = fn(*args)
            finally:
                self.seconds += clock() - t0
            self.calls.append((name, args, result))
            return result
        return call

    def clear(self) -> None:
        self.calls.clear()
        self.seconds = 0.0


class Replay:
    """The sessions of a `CallLog` as C calls alone; `run()` re-issues them, `seconds()` times it.

    Registration (`create_ruleset`, `delete_ruleset`) is left out: it happens once per ruleset,
    not per evaluation. Each recorded session ended with `delete_state`, so its sid is free to
    be used again; offsets are the engine's per-session state offsets, mapped to the replay's.
    """

    def __init__(self, log: CallLog) -> None:
        self.ops: list[tuple[Any, int, Any, str, Any]] = []
        for name, args, result in log.calls:
            if name in ("create_ruleset", "delete_ruleset"):
                continue
            self.ops.append((getattr(dre, name), args[0], args[1], name, result))
        if not self.ops:
            raise ValueError("the log holds no session")

    def run(self, check: bool = False) -> None:
        """Re-issue the calls; with `check`, raise if any result differs from the recording."""
        offsets: dict[int, int] = {}
        for fn, handle, arg, name, recorded in self.ops:
            if name in _BY_OFFSET:
                result = fn(handle, offsets[arg])
            else:
                result = fn(handle, arg)
                if name in _ASSERTS:
                    offsets[recorded[1]] = result[1]
            if check and (result[0] if name in _ASSERTS else result) != \
                    (recorded[0] if name in _ASSERTS else recorded):
                raise AssertionError(f"replay of {name} gave {result!r}, recorded {recorded!r}")

    def seconds(self) -> float:
        t0 = time.perf_counter()
        self.run()
        return time.perf_counter() - t0


class _QuietHost(engine.Host):
    """A Host without the dispatcher timer threads (reference §7)."""

    def _run(self) -> None:
        pass


class WrapperBaseline:
    """The same rules and facts through durable's Python wrapper, with nothing of ours.

    Each ruleset is registered a second time, with actions that only assert the derived facts (so
    forward chaining does the same work): no validation, trace, engine ids, duplicate or error
    bookkeeping. `evaluate` returns the number of firings.
    """

    def __init__(self) -> None:
        self._host = _QuietHost()
        self._rulesets: dict[str, engine.Ruleset] = {}
        self._fired: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def evaluate(self, ruleset: CompiledRuleset, facts: list[dict]) -> int:
        with self._lock:
            rs = self._rulesets.get(ruleset.key)
            if rs is None:
                rs = self._rulesets[ruleset.key] = self._register(ruleset)
        sid = uuid.uuid4().hex
        fired = self._fired[sid] = [0]
        try:
            _, offset = dre.assert_fact(rs._handle, dumps({"kind": END, "id": END, "sid": sid}))
            rs.do_actions(offset, lambda e, s: None)
            payload = "[" + ",".join(fact_json(f, sid) for f in facts) + "]"
            _, offset = dre.assert_facts(rs._handle, payload)
            rs.do_actions(offset, lambda e, s: None)
            return fired[0]
        finally:
            del self._fired[sid]
            rs.delete_state(sid)

    def close(self) -> None:
        """Free the engine memory of every ruleset registered here."""
        with self._lock:
            for rs in self._rulesets.values():
                dre.delete_ruleset(rs._handle)
            self._rulesets.clear()

    def _register(self, ruleset: CompiledRuleset) -> engine.Ruleset:
        compiled = to_durable(ruleset)
        rs = engine.Ruleset.__new__(engine.Ruleset)
        name = ruleset.key + "#wrapper"
        rs._name, rs._host, rs._definition = name, self._host, compiled.definition
        rs._actions = {r.name: engine.Promise(self._action(r.rule, tuple(e for e, _ in r.aliases)))
                       for r in compiled.rules}
        rs._actions[END] = engine.Promise(lambda c: None)
        rs._handle = dre.create_ruleset(name, dumps(compiled.definition))
        return rs

    def _action(self, rule, aliases: tuple[str, ...]):
        fired = self._fired

        def act(c: Any) -> None:  # exactly one parameter: durable treats two as async
            fired[c.s.sid][0] += 1
            derived = derived_fact(rule, [c._m[a]["id"] for a in aliases])
            if derived is not None:
                try:
                    c.assert_fact(derived)
                except engine.MessageNotHandledException:
                    pass
        return act
