"""`DurableEvaluator`: the IR evaluated by durable-rules 2.0.28, behind every measured guard.

The only module that imports `durable` / `durable_rules_engine` (callers import this module
lazily). Its C core is fast (a few ms for 200 facts) but not memory-safe, so this adapter follows
the recommendation in /work/shared/reference/durable_rules.md §11, guard by guard:

* `_QuietHost`: `Host.__init__` starts dispatcher timer threads that segfault under concurrent
  `delete_state` (§7); ours starts none, and actions run on the caller's thread.
* Rulesets are compiled from the IR to durable's dict format (`durable_format`), checked with
  `engine.rules.limits.check_limits` (hangs, segfaults and errors 303/107/108/113/304, §9), and
  registered lazily per `ruleset.key` under a lock. `engine.Ruleset` is built by hand: its
  constructor mutates the definition and serialises with `json.dumps`, whose `1e-05` is error 204.
* Facts pass `check_facts` and `check_fact_types` before any C call (§6: `[]`/`{}` segfault, NaN
  is silently unmatched, `"5" == 5` is true).
* Each evaluation gets a fresh uuid sid (never shared between threads, §7) and a slot of a
  `BoundedSemaphore(512)` per ruleset (1024 live sids crash the process, §7).
* The `__end__` marker is asserted first and its rule always fires, so an action has run before
  `delete_state` (deleting a sid where no action ran frees garbage, §7) - even when the user facts
  then fail. `delete_state` runs in `finally`; if the marker itself failed, the sid's slot is
  leaked on purpose rather than risk that crash.
* `durable_rules_engine.assert_facts` is called directly and `do_actions` always runs: the Host
  wrappers raise on "some fact unmatched" before running the actions (§6).
* The engine never sees a caller's fact id: each asserted fact, input or derived, gets an engine
  id from `durable_ids.ENGINE_IDS`, whose 32-bit hashes are pairwise distinct. durable identifies
  facts by that hash and silently drops a fact whose hash is taken (§10, #376 - the "46k"
  misidentification is this collision, which can strike at any size); the trace maps the engine
  ids back, so no fact count needs a cap.
* Errors are never swallowed: an action error, `state['exception']` (§6, #305) or code 2
  (duplicate, §6) raise `EvaluationError`, chained to the engine's exception.
* A ruleset with a finding cycle is refused, and an evaluation that derives more facts than the
  acyclic finding graph allows for its input stops (`check_derivable`) - as in the oracle.
* Actions de-duplicate firings: a fact satisfying two branches of an `$or` reaches the rule twice
  (measured), but the IR fires each (rule, facts) combination once.
"""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine as dre
from durable import engine

from engine.errors import EvaluationError, Problem
from engine.evaluators.base import (END, ID_FIELD, TypePlan, check_derivable, check_fact_types,
                                    check_facts, too_many_derived, type_plan)
from engine.evaluators.durable_format import DurableRule, dumps, fact_json, to_durable
from engine.evaluators.durable_ids import ENGINE_IDS, fnv1a32
from engine.rules.ir import CompiledRuleset, Match, derived_fact
from engine.rules.limits import check_limits

__all__ = ["DurableEvaluator"]

log = logging.getLogger(__name__)
_ENGINE_ERRORS = (dre.error, engine.MessageNotHandledException, engine.MessageObservedException)


class _QuietHost(engine.Host):
    """A Host without the dispatcher timer threads (§7)."""

    def _run(self) -> None:
        pass


@dataclass
class _Entry:
    """One registered ruleset."""

    source: CompiledRuleset
    ruleset: engine.Ruleset
    plan: TypePlan
    slots: threading.BoundedSemaphore
    reads_id: bool
    inflight: int = 0


@dataclass
class _Run:
    """What the actions of one evaluation (one sid) record, and its engine ids."""

    ids: set[str]
    limit: int                 # derived facts allowed (check_derivable)
    state_hash: int            # hash of the session's state fact id, `sid-<sid>`
    names: dict[str, str] = field(default_factory=dict)   # engine id -> fact id
    next_id: int = 0
    derived: int = 0
    trace: list[Match] = field(default_factory=list)
    seen: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    errors: list[BaseException] = field(default_factory=list)
    ended: bool = False

    def engine_id(self, fact_id: str) -> str:
        """The next engine id for `fact_id` (skipping the one that shares the state fact's hash)."""
        name, code = ENGINE_IDS.get(self.next_id)
        self.next_id += 1
        if code == self.state_hash:
            name, code = ENGINE_IDS.get(self.next_id)
            self.next_id += 1
        self.names[name] = fact_id
        return name


class DurableEvaluator:
    """Evaluates compiled rulesets with durable-rules; safe to share between threads.

    Args:
        max_live: evaluations in flight per ruleset (durable crashes beyond 1024 live sids).
        enforce_limits: refuse rulesets that fail `check_limits`. Only tests that demonstrate the
            engine's own failure modes turn this off.
        slot_timeout: seconds to wait for a free slot before raising `EvaluationError`.

    Example:
        >>> evaluator = DurableEvaluator()
        >>> evaluator.evaluate(ruleset, [{"kind": "indicator", "id": "i1", "value": 80}])
        [Match(rule='DIAG-COD', facts={'m': 'i1'})]
    """

    def __init__(self, *, max_live: int = 512, enforce_limits: bool = True,
                 slot_timeout: float = 60.0) -> None:
        if not 1 <= max_live <= 1000:
            raise ValueError("max_live must be within 1..1000 (durable allows 1024 live sids)")
        self._host = _QuietHost()
        self._max_live = max_live
        self._enforce_limits = enforce_limits
        self._slot_timeout = slot_timeout
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._entries: dict[str, _Entry] = {}
        self._runs: dict[str, _Run] = {}

    def evaluate(self, ruleset: CompiledRuleset, facts: list[dict]) -> list[Match]:
        """Assert `facts` into a fresh session and return the firings in order.

        Raises:
            EvaluationError: bad facts, a ruleset the engine cannot take, or an engine failure.
        """
        check_facts(facts, values=False)  # values: checked by fact_json as it serialises
        limit = check_derivable(ruleset, facts)
        entry = self._checkout(ruleset)
        try:
            check_fact_types(entry.plan, facts)
            return self._evaluate(entry, facts, limit)
        finally:
            self._checkin(entry)

    def evaluate_bare(self, ruleset: CompiledRuleset, facts: list[dict]) -> int:
        """Benchmark baseline: the same rules and facts through durable-rules with nothing of ours.

        A second copy of the ruleset is registered whose actions only assert the derived facts
        (so forward chaining does the same work) - no validation, trace, duplicate or error
        bookkeeping. Returns the number of firings. Used by bench/run.py, never in production.
        """
        with self._lock:
            key = ruleset.key + "#bare"
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = self._register(ruleset, bare=True)
        sid = uuid.uuid4().hex
        fired = [0]
        self._runs[sid] = fired  # type: ignore[assignment]
        try:
            rs = entry.ruleset
            code, offset = dre.assert_fact(rs._handle, dumps({"kind": END, "id": END, "sid": sid}))
            rs.do_actions(offset, lambda e, s: None)
            code, offset = dre.assert_facts(rs._handle, "[" + ",".join(fact_json(f, sid) for f in facts) + "]")
            rs.do_actions(offset, lambda e, s: None)
            return fired[0]
        finally:
            del self._runs[sid]
            rs.delete_state(sid)

    def retire(self, key: str) -> None:
        """Forget ruleset `key` and free its engine memory, once its evaluations have finished."""
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return
            while entry.inflight:
                self._idle.wait()
        dre.delete_ruleset(entry.ruleset._handle)

    # ---------------------------------------------------------------- registration

    def _checkout(self, ruleset: CompiledRuleset) -> _Entry:
        with self._lock:
            entry = self._entries.get(ruleset.key)
            if entry is None:
                entry = self._entries[ruleset.key] = self._register(ruleset)
            elif entry.source is not ruleset and entry.source != ruleset:
                raise EvaluationError(f"ruleset {ruleset.key!r} is already registered with "
                                      f"different rules; retire it first")
            entry.inflight += 1
            return entry

    def _checkin(self, entry: _Entry) -> None:
        with self._lock:
            entry.inflight -= 1
            if not entry.inflight:
                self._idle.notify_all()

    def _register(self, ruleset: CompiledRuleset, bare: bool = False) -> _Entry:
        problems = check_limits(ruleset) if self._enforce_limits else []
        if problems:
            raise EvaluationError(f"ruleset {ruleset.key!r} exceeds the engine's limits: "
                                  + "; ".join(problems),
                                  [Problem(message=p, path=ruleset.key) for p in problems])
        plan = type_plan(ruleset)
        compiled = to_durable(ruleset)
        text = dumps(compiled.definition)
        rs = engine.Ruleset.__new__(engine.Ruleset)
        name = ruleset.key + ("#bare" if bare else "")
        rs._name, rs._host, rs._definition = name, self._host, compiled.definition
        if bare:
            rs._actions = {r.name: engine.Promise(self._bare_action(r)) for r in compiled.rules}
        else:
            rs._actions = {r.name: engine.Promise(self._action(r, compiled.reads_id))
                           for r in compiled.rules}
        rs._actions[END] = engine.Promise((lambda c: None) if bare else self._end_action())
        try:
            rs._handle = dre.create_ruleset(name, text)
        except _ENGINE_ERRORS as exc:
            raise EvaluationError(f"ruleset {ruleset.key!r}: the engine refused it: {exc}") from exc
        return _Entry(ruleset, rs, plan, threading.BoundedSemaphore(self._max_live),
                      compiled.reads_id)

    def _action(self, compiled: DurableRule, reads_id: bool) -> Callable[[Any], None]:
        runs, rule, aliases = self._runs, compiled.rule, compiled.aliases

        def act(c: Any) -> None:  # exactly one parameter: durable treats two as async (§2)
            run = runs[c.s.sid]
            try:
                ids = [run.names[c._m[engine_alias]["id"]] for engine_alias, _ in aliases]
                key = (compiled.name, tuple(ids))
                if key in run.seen:
                    return
                run.seen.add(key)
                bound = {alias: fact_id for (_, alias), fact_id in zip(aliases, ids)}
                run.trace.append(Match(rule=rule.id, facts=bound))
                derived = derived_fact(rule, ids)
                if derived is not None:
                    if derived["id"] in run.ids:  # durable only notices if the other was stored
                        raise EvaluationError(f"rule {rule.id}: derived fact id "
                                              f"{derived['id']!r} is already in use")
                    run.ids.add(derived["id"])
                    run.derived += 1
                    if run.derived > run.limit:
                        raise too_many_derived(run.limit, len(run.ids) - run.derived)
                    if reads_id:
                        derived[ID_FIELD] = derived["id"]
                    derived["id"] = run.engine_id(derived["id"])
                    try:
                        c.assert_fact(derived)
                    except engine.MessageNotHandledException:
                        pass  # no rule consumes this finding: fine
            except BaseException as exc:
                run.errors.append(exc)
                raise
        return act

    def _bare_action(self, compiled: DurableRule) -> Callable[[Any], None]:
        runs, rule, aliases = self._runs, compiled.rule, compiled.aliases

        def act(c: Any) -> None:
            runs[c.s.sid][0] += 1
            derived = derived_fact(rule, [c._m[engine_alias]["id"] for engine_alias, _ in aliases])
            if derived is not None:
                try:
                    c.assert_fact(derived)
                except engine.MessageNotHandledException:
                    pass
        return act

    def _end_action(self) -> Callable[[Any], None]:
        runs = self._runs

        def end(c: Any) -> None:
            runs[c.s.sid].ended = True
        return end

    # ---------------------------------------------------------------- evaluation

    def _evaluate(self, entry: _Entry, facts: list[dict], limit: int) -> list[Match]:
        if not entry.slots.acquire(timeout=self._slot_timeout):
            raise EvaluationError(f"ruleset {entry.source.key!r}: no free engine session slot")
        sid = uuid.uuid4().hex
        run = self._runs[sid] = _Run({f["id"] for f in facts}, limit, fnv1a32("sid-" + sid))
        try:
            new_id, real_id = run.engine_id, entry.reads_id
            payload = "[" + ",".join(fact_json(f, sid, new_id(f["id"]), real_id) for f in facts) + "]"
            self._session(entry.ruleset, sid, run, payload)
            return run.trace
        except _ENGINE_ERRORS as exc:
            raise EvaluationError(f"ruleset {entry.source.key!r}: engine error: {exc}") from exc
        finally:
            del self._runs[sid]
            self._close(entry, sid, run)

    def _session(self, rs: engine.Ruleset, sid: str, run: _Run, payload: str) -> None:
        errors: list[BaseException] = []

        def done(error: BaseException | None, _state: object) -> None:
            if error:
                errors.append(error)

        end = dumps({"kind": END, "id": END, "sid": sid})
        code, offset = dre.assert_fact(rs._handle, end)
        rs.do_actions(offset, done)
        if code != 0 or not run.ended:
            raise EvaluationError(f"the end marker did not fire (code {code}): {errors}")
        code, offset = dre.assert_facts(rs._handle, payload)
        rs.do_actions(offset, done)
        failure = rs.get_state(sid).get("exception")
        errors = run.errors + errors
        if errors or failure:
            cause = errors[0] if errors else None
            raise EvaluationError(f"a rule action failed: {cause or failure}") from cause
        if code == 2:
            raise EvaluationError("the engine reported a duplicate fact, though engine ids never "
                                  "share a hash (durable_ids): an adapter fault")

    def _close(self, entry: _Entry, sid: str, run: _Run) -> None:
        if not run.ended:  # no action ran in this sid: delete_state could crash (§7)
            log.error("durable session %s never ran an action; leaking its slot", sid)
            return
        try:
            entry.ruleset.delete_state(sid)
        except _ENGINE_ERRORS:
            log.exception("durable delete_state failed for session %s", sid)
        entry.slots.release()
