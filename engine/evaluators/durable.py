"""`DurableEvaluator`: the IR evaluated by durable-rules 2.0.28's C engine, behind every guard.

The only production module that imports `durable_rules_engine`, the C extension that
`durable.engine` wraps (callers import this module lazily). The C core is fast (a few ms for 200
facts) but not memory-safe, so this adapter follows /work/shared/reference/durable_rules.md §11,
guard by guard - and drives the C calls itself, without durable's Python wrapper (`Host`,
`Ruleset.do_actions`), whose per-firing work (a `Closure` and `Content`s, re-parsing every bound
fact from JSON, writing the state back as JSON through the alpha network, two clock reads) took
more time than the C engine itself (issue #13). The loop per session is the wrapper's, minus that:
`assert_fact(s)` -> `start_action_for_state` -> {action; `complete_and_start_action`}* (rules.c,
events.c `startActionForState`/`completeAndStartAction`), and `delete_state` at the end.

* No `Host` at all: `Host.__init__` starts dispatcher timer threads that segfault under
  concurrent `delete_state` (§7); nothing here starts a thread, and actions run on the caller's.
* Rulesets are compiled from the IR to durable's dict format (`durable_format`), checked with
  `durable_limits.check_limits` (hangs, segfaults and errors 303/107/108/113/304, §9) unless
  the pack loader checked this very object (`durable_limits.vouched`), and
  registered lazily per `ruleset.key` under a lock with `create_ruleset`, serialised by
  `durable_format.dumps` (json.dumps writes `1e-05`, error 204). What registering takes besides the
  C call (that JSON, the rule table, the type plan, the fields read) can be worked out ahead
  (`prepare`) and is then stored with the compiled ruleset in the cache.
* Facts pass `check_facts` (values included) and `check_fact_types` before any C call (§6:
  `[]`/`{}` segfault, NaN is silently unmatched, `"5" == 5` is true); `check_facts` once per fact
  set: facts given as `base.CheckedFacts` passed it already (the assessment's two sessions).
* The engine is given only what can change a match: facts of a kind some pattern matches, with
  the fields rules read (`durable_format.read_fields`); every pattern tests the kind first.
* Each evaluation gets a fresh uuid sid (never shared between threads, §7) and a slot of a
  `BoundedSemaphore(512)` per ruleset (1024 live sids crash the process, §7).
* The `__end__` marker is asserted first and its rule always fires, so an action has run before
  `delete_state` (deleting a sid where no action ran frees garbage, §7) - even when the user facts
  then fail. `delete_state` runs in `finally`; if the marker itself failed, the sid's slot is
  leaked on purpose rather than risk that crash. An action that raises has its context released
  (`abandon_action`, as the wrapper does) before the session is deleted.
* Every queued action runs: the wrapper raised on "some fact unmatched" before running them (§6);
  here the code is read, and actions are drained after every assert.
* The engine never sees a caller's fact id: each asserted fact, input or derived, gets an engine
  id from `durable_ids.ENGINE_IDS`, whose 32-bit hashes are pairwise distinct (§10, #376); the
  trace maps them back, so no fact count needs a cap. Every fact's JSON starts with that id, and
  durable copies a fact's text verbatim into the firing it serialises (state.c
  `serializeResultFrame`), so `bound_ids` reads the ids without parsing the facts.
* Errors are never swallowed: an action is our own code, called here, so its exception stops the
  session and becomes `EvaluationError` chained to it (the wrapper stored it in the state and ran
  on, §6, #305); code 2 (duplicate) from any assert raises too. The session state is never
  written back (`update_state`): its fact `{sid, id, $s}` has no kind, so no rule can match it
  (`durable_format`), and nothing here reads it.
* A ruleset with a finding cycle is refused, and an evaluation that derives more facts than the
  acyclic finding graph allows for its input stops (`check_derivable`) - as in the oracle.
* Actions de-duplicate firings: a fact satisfying two branches of an `$or` reaches the rule twice
  (measured), but the IR fires each (rule, facts) combination once.
* A large evaluation runs in several sessions, one after another (`session_batches`): the C engine
  keeps every fact it is given in a fixed struct of ~8 KB, whatever its fields (§7: 6,840 bytes
  per message, plus its frames), so 10,000 enterprises and their findings held ~130 MB at once.
  A fact whose kind no rule joins with another fact (`loose_kinds`: every pattern of that kind is
  a rule's only pattern, and no rule joins findings) fires the same rules in any session, and so
  do the findings it derives; such facts go `SESSION_FACTS` at a time into sessions of their own,
  after the first session, which holds every other fact. The firings are the same; only their
  order across sessions differs (findings are sorted, never read in firing order).
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import durable_rules_engine as dre

from ..errors import EvaluationError, Problem
from ..rules.ir import CompiledRuleset, Match, RuleIR, derived_fact
from .durable_limits import check_limits, vouched
from .base import (END, ID_FIELD, CheckedFacts, TypePlan, check_derivable, check_fact_types,
                   checked, too_many_derived, type_plan)
from .durable_format import dumps, facts_json, read_fields, to_durable
from .durable_ids import ENGINE_IDS, fnv1a32

__all__ = ["DurableEvaluator", "bound_ids", "loose_kinds", "session_batches", "SESSION_FACTS"]

log = logging.getLogger(__name__)
_ENGINE_ERRORS = (dre.error, MemoryError)   # rules.c raises these two (MemoryError: out of memory)
_FACT = ':{"id":"'   # how a bound fact starts in a serialised firing (`bound_ids`)
_json_str = json.JSONEncoder(ensure_ascii=False).encode   # json.dumps(s, ensure_ascii=False), no new encoder
SESSION_FACTS = 1000   # loose facts per session beyond the first (`session_batches`)


@dataclass(frozen=True)
class _Rule:
    """One engine rule: the IR rule, its aliases, and the constant tail of its derived facts."""

    name: str                      # the engine's name for it, r0, r1, ...
    rule: RuleIR
    engines: tuple[str, ...]       # engine aliases a0, a1, ... in pattern order
    aliases: tuple[str, ...]       # the IR's aliases, same order
    derived_tail: str | None       # `,"kind":"finding",...` of the fact it emits, or None
    derived_id: str                # what its derived facts' ids start with, `RULE(`
    rule_id: str = ""              # rule.id
    single: bool = False           # one alias

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_id", self.rule.id)
        object.__setattr__(self, "single", len(self.engines) == 1)


@dataclass(frozen=True)
class _Registration:
    """What registering `source` takes, worked out from the ruleset alone (`_registration`): the
    engine's JSON and the rules it names, kept with the ruleset (`DurableEvaluator.prepare`) so a
    process that takes its ruleset from the cache does not work it out again (~15 ms, issue #13)."""

    source: CompiledRuleset
    definition: str                      # durable's JSON of the ruleset (`durable_format.dumps`)
    rules: dict[str, _Rule | None]
    plan: TypePlan
    reads_id: bool
    fields: dict[str, tuple[str, ...]]
    loose: frozenset[str]


def _registration(ruleset: CompiledRuleset) -> _Registration:
    compiled = to_durable(ruleset)
    rules: dict[str, _Rule | None] = {END: None}
    for r in compiled.rules:
        rules[r.name] = _Rule(r.name, r.rule, tuple(e for e, _ in r.aliases),
                              tuple(a for _, a in r.aliases), *_derived_parts(r.rule))
    return _Registration(ruleset, dumps(compiled.definition), rules, type_plan(ruleset), compiled.reads_id,
                         read_fields(ruleset), loose_kinds(ruleset))


@dataclass
class _Entry:
    """One registered ruleset."""

    source: CompiledRuleset
    handle: int
    rules: dict[str, _Rule | None]   # engine rule name -> rule (None: the end marker)
    plan: TypePlan
    slots: threading.BoundedSemaphore
    reads_id: bool
    fields: dict[str, tuple[str, ...]]   # kind -> fields rules read (`read_fields`)
    loose: frozenset[str] = frozenset()  # kinds that may go to a session of their own (`loose_kinds`)
    inflight: int = 0


@dataclass
class _Run:
    """What the actions of one evaluation (one sid) record, and its engine ids."""

    ids: set[str]              # every fact id of the evaluation, input and derived (all its sessions)
    limit: int                 # derived facts allowed (check_derivable)
    state_hash: int            # hash of the session's state fact id, `sid-<sid>`
    names: dict[str, str] = field(default_factory=dict)   # engine id -> fact id
    next_id: int = 0
    derived: int = 0           # derived so far in the evaluation (earlier sessions included)
    trace: list[Match] = field(default_factory=list)   # the evaluation's (shared by its sessions)
    seen: set[tuple[str, ...]] = field(default_factory=set)   # (engine rule, *fact ids)
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

    def engine_ids(self, fact_ids: list[str]) -> list[str]:
        """`[self.engine_id(f) for f in fact_ids]`, in one loop (it runs over every input fact)."""
        get, names, state_hash, i = ENGINE_IDS.get, self.names, self.state_hash, self.next_id
        out = []
        for fact_id in fact_ids:
            name, code = get(i)
            i += 1
            if code == state_hash:
                name, code = get(i)
                i += 1
            names[name] = fact_id
            out.append(name)
        self.next_id = i
        return out


def bound_ids(message: str, rule_name: str, engines: tuple[str, ...]) -> list[str]:
    """The engine ids bound to `engines` in one serialised firing `{"rN":{"a0":{...},...}}`.

    Reads the `"id"` each fact's JSON starts with: `:{"id":"` marks a bound fact and nothing else,
    because `{"` cannot occur inside a JSON string (a quote there is escaped) and facts are flat.
    If the text is not shaped so (never seen), parses it whole with json, as durable's wrapper
    does.

    Example:
        >>> bound_ids('{"r3":{"a0":{"id":"7","kind":"a","sid":"s"}}}', "r3", ("a0",))
        ['7']
    """
    at = message.find(_FACT, len(rule_name) + 4)
    if len(engines) == 1 and at != -1:
        return [message[at + 8:message.index('"', at + 8)]]
    found = {}
    while at != -1:
        alias = message[message.rfind('"', 0, at - 1) + 1:at - 1]
        end = message.index('"', at + 8)
        found[alias] = message[at + 8:end]
        at = message.find(_FACT, end)
    if len(found) == len(engines) and all(a in found for a in engines):
        return [found[a] for a in engines]
    frame = json.loads(message)[rule_name]
    return [frame[a]["id"] for a in engines]


class DurableEvaluator:
    """Evaluates compiled rulesets with durable-rules; safe to share between threads.

    Args:
        max_live: evaluations in flight per ruleset (durable crashes beyond 1024 live sids).
        enforce_limits: refuse rulesets that fail `check_limits`. Only tests that demonstrate the
            engine's own failure modes turn this off.
        slot_timeout: seconds to wait for a free slot before raising `EvaluationError`.
        engine: the C engine's functions; `durable_bench.CallLog` wraps them to record and time
            the calls (bench/run.py). Default: `durable_rules_engine` itself.

    Example:
        >>> evaluator = DurableEvaluator()
        >>> evaluator.evaluate(ruleset, [{"kind": "indicator", "id": "i1", "value": 80}])
        [Match(rule='DIAG-COD', facts={'m': 'i1'})]
    """

    def __init__(self, *, max_live: int = 512, enforce_limits: bool = True,
                 slot_timeout: float = 60.0, engine: object = dre) -> None:
        if not 1 <= max_live <= 1000:
            raise ValueError("max_live must be within 1..1000 (durable allows 1024 live sids)")
        self._c = engine
        self._max_live = max_live
        self._enforce_limits = enforce_limits
        self._slot_timeout = slot_timeout
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._entries: dict[str, _Entry] = {}
        self._runs: dict[str, _Run] = {}     # sessions in flight, by sid
        self._prepared: dict[str, _Registration] = {}    # by ruleset key (`prepare`)

    def evaluate(self, ruleset: CompiledRuleset, facts: list[dict] | CheckedFacts) -> list[Match]:
        """Assert `facts` into a fresh session and return the firings in order. `CheckedFacts`
        are not checked again (`check_facts`); the ruleset's own checks run every time.

        Raises:
            EvaluationError: bad facts, a ruleset the engine cannot take, or an engine failure.
        """
        facts = checked(facts)   # once per fact set: a caller may pass `CheckedFacts`
        limit = check_derivable(ruleset, facts)
        entry = self._checkout(ruleset)
        try:
            check_fact_types(entry.plan, facts)
            return self._evaluate(entry, facts, limit)
        finally:
            self._checkin(entry)

    def prepare(self, rulesets: Iterable[CompiledRuleset | None], kept: dict) -> None:
        """Work out the registration of `rulesets` now, and keep it in `kept` (a dict stored with
        them): as `RulesetRegistry(prepare=...)` it runs before a compiled ruleset is cached, so a
        process that takes the ruleset from the cache registers it from there. A registration is
        used only for the very object it was worked out from (a cache hit unpickles both together)."""
        known = kept.get("durable") or {}
        regs = {}
        for compiled in rulesets:
            if compiled is not None:
                reg = known.get(compiled.key)
                regs[compiled.key] = reg if reg is not None and reg.source is compiled else _registration(compiled)
        kept["durable"] = regs
        with self._lock:
            self._prepared.update(regs)

    def retire(self, key: str) -> None:
        """Forget ruleset `key` and free its engine memory, once its evaluations have finished."""
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return
            while entry.inflight:
                self._idle.wait()
        self._c.delete_ruleset(entry.handle)
        with self._lock:
            self._prepared.pop(key, None)

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

    def _register(self, ruleset: CompiledRuleset) -> _Entry:
        # a ruleset the pack loader checked, this very object unchanged, is not checked twice
        problems = check_limits(ruleset) if self._enforce_limits and not vouched(ruleset) else []
        if problems:
            raise EvaluationError(f"ruleset {ruleset.key!r} exceeds the engine's limits: "
                                  + "; ".join(problems),
                                  [Problem(message=p, path=ruleset.key) for p in problems])
        reg = self._prepared.get(ruleset.key)
        if reg is None or reg.source is not ruleset:     # prepared for this very object only
            reg = _registration(ruleset)
        try:
            handle = self._c.create_ruleset(ruleset.key, reg.definition)
        except _ENGINE_ERRORS as exc:
            raise EvaluationError(f"ruleset {ruleset.key!r}: the engine refused it: {exc}") from exc
        return _Entry(ruleset, handle, reg.rules, reg.plan, threading.BoundedSemaphore(self._max_live),
                      reg.reads_id, reg.fields, reg.loose)

    # ---------------------------------------------------------------- evaluation

    def _evaluate(self, entry: _Entry, facts: list[dict], limit: int) -> list[Match]:
        # The engine gets only what can change a match: facts of a kind some pattern matches
        # (every engine pattern tests the kind first, durable_format), with the fields rules read
        # (`read_fields`). All facts were checked all the same (both adapters reject the same
        # inputs), and all ids count for derived-id clashes.
        fields = entry.fields
        asserted = [f for f in facts if f["kind"] in fields]
        ids = {f["id"] for f in facts}
        trace: list[Match] = []
        derived = 0
        for batch in session_batches(asserted, entry.loose):
            derived = self._evaluate_session(entry, batch, ids, limit, trace, derived)
        if not asserted:
            self._evaluate_session(entry, [], ids, limit, trace, derived)
        return trace

    def _evaluate_session(self, entry: _Entry, facts: list[dict], ids: set[str], limit: int,
                          trace: list[Match], derived: int) -> int:
        """One session over `facts`; its firings are appended to `trace`. Returns the number of
        facts derived so far in the evaluation."""
        if not entry.slots.acquire(timeout=self._slot_timeout):
            raise EvaluationError(f"ruleset {entry.source.key!r}: no free engine session slot")
        sid = uuid.uuid4().hex
        run = self._runs[sid] = _Run(ids, limit, fnv1a32("sid-" + sid), derived=derived, trace=trace)
        try:
            payload = (facts_json(facts, sid, run.engine_ids([f["id"] for f in facts]),
                                  entry.reads_id, entry.fields) if facts else None)
            self._session(entry, sid, run, payload)
            return run.derived
        except _ENGINE_ERRORS as exc:
            raise EvaluationError(f"ruleset {entry.source.key!r}: engine error: {exc}") from exc
        finally:
            del self._runs[sid]
            self._close(entry, sid, run)

    def _session(self, entry: _Entry, sid: str, run: _Run, payload: str | None) -> None:
        c = self._c
        code, offset = c.assert_fact(entry.handle, f'{{"id":"{END}","kind":"{END}","sid":"{sid}"}}')
        self._drain(entry, sid, run, offset)
        if code != 0 or not run.ended:
            raise EvaluationError(f"the end marker did not fire (code {code})")
        if payload is None:   # no fact any rule can match; an empty batch segfaults (§6)
            return
        code, offset = c.assert_facts(entry.handle, payload)
        self._drain(entry, sid, run, offset)
        if code == 2:
            raise EvaluationError("the engine reported a duplicate fact, though engine ids never "
                                  "share a hash (durable_ids): an adapter fault")

    def _drain(self, entry: _Entry, sid: str, run: _Run, offset: int) -> None:
        """Run every queued action of the session, in the engine's order (as `do_actions`)."""
        c, handle, rules = self._c, entry.handle, entry.rules
        started = c.start_action_for_state(handle, offset)
        if started is None:
            return
        message = started[1]
        complete, derive = c.complete_and_start_action, self._derive
        names, seen, trace = run.names, run.seen, run.trace
        while message is not None:
            try:
                name = message[2:message.index('"', 2)]
                rule = rules[name]
                if rule is None:
                    run.ended = True
                else:   # one firing: recorded once (see the module docstring), then its fact derived
                    if rule.single and (at := message.find(_FACT, len(name) + 4)) != -1:
                        # `bound_ids`' one-alias case, inline: most firings bind one fact
                        ids = [names[message[at + 8:message.index('"', at + 8)]]]
                        key = (name, ids[0])
                        bound = {rule.aliases[0]: ids[0]}
                    else:
                        ids = [names[e] for e in bound_ids(message, name, rule.engines)]
                        key = (name, *ids)
                        bound = dict(zip(rule.aliases, ids))
                    if key not in seen:
                        seen.add(key)
                        trace.append(Match(rule.rule_id, bound))
                        if rule.derived_tail is not None:
                            derive(entry, sid, run, rule, ids)
            except BaseException as exc:
                try:
                    c.abandon_action(handle, offset)   # frees the action's context, as do_actions
                except _ENGINE_ERRORS:
                    log.exception("durable abandon_action failed for session %s", sid)
                if isinstance(exc, Exception) and not isinstance(exc, _ENGINE_ERRORS):
                    raise EvaluationError(f"a rule action failed: {exc}") from exc
                raise
            message = complete(handle, offset)

    def _derive(self, entry: _Entry, sid: str, run: _Run, rule: _Rule, ids: list[str]) -> None:
        """Assert the fact a (first) firing of `rule` over facts `ids` derives."""
        fact_id = f"{rule.derived_id}{','.join(ids)})"     # derived_fact's id, prefix precomputed
        if fact_id in run.ids:  # durable only notices if the other was stored
            raise EvaluationError(f"rule {rule.rule.id}: derived fact id {fact_id!r} is already "
                                  f"in use")
        run.ids.add(fact_id)
        run.derived += 1
        if run.derived > run.limit:
            raise too_many_derived(run.limit, len(run.ids) - run.derived)
        real = f',"{ID_FIELD}":{_json_str(fact_id)}' if entry.reads_id else ""
        text = f'{{"id":"{run.engine_id(fact_id)}"{rule.derived_tail}{real},"sid":"{sid}"}}'
        if self._c.assert_fact(entry.handle, text)[0] == 2:   # 1 = no rule takes it: fine
            raise EvaluationError(f"rule {rule.rule.id}: the engine reported derived fact "
                                  f"{fact_id!r} as a duplicate: an adapter fault")

    def _close(self, entry: _Entry, sid: str, run: _Run) -> None:
        if not run.ended:  # no action ran in this sid: delete_state could crash (§7)
            log.error("durable session %s never ran an action; leaking its slot", sid)
            return
        try:
            self._c.delete_state(entry.handle, sid)
        except _ENGINE_ERRORS:
            log.exception("durable delete_state failed for session %s", sid)
        entry.slots.release()


def loose_kinds(ruleset: CompiledRuleset) -> frozenset[str]:
    """The fact kinds whose facts may be evaluated in a session of their own: kinds no rule joins
    with another pattern, when no rule joins findings either (a fact derived in one session must
    meet every fact it could join there). Empty when findings are joined.

    Example:
        >>> loose_kinds(rs)     # enterprises are only ever tested one at a time
        frozenset({'circular', 'enterprise', 'finding', 'task'})
    """
    joined = {p.kind for rule in ruleset.rules if len(rule.patterns) > 1 for p in rule.patterns}
    if "finding" in joined:
        return frozenset()
    return frozenset(p.kind for rule in ruleset.rules for p in rule.patterns) - joined


def session_batches(facts: list[dict], loose: frozenset[str], size: int | None = None) -> list[list[dict]]:
    """`facts` split into the sessions to run, in order: all of them in one session when at most
    `size` are of a `loose` kind; else every other fact with the first `size` loose facts, then
    the rest of the loose facts, `size` (default `SESSION_FACTS`) per session.

    Example:
        >>> [len(b) for b in session_batches(facts_of_2500_enterprises_and_10_others, {"enterprise"})]
        [1010, 1000, 500]
    """
    size = SESSION_FACTS if size is None else size
    if not loose or sum(f["kind"] in loose for f in facts) <= size:
        return [facts] if facts else []
    fixed = [f for f in facts if f["kind"] not in loose]
    rest = [f for f in facts if f["kind"] in loose]
    return [fixed + rest[:size]] + [rest[i:i + size] for i in range(size, len(rest), size)]


def _derived_parts(rule: RuleIR) -> tuple[str | None, str]:
    """`(tail, id prefix)` of the facts `rule` derives: the tail `,"kind":"finding",...` is every
    field of `derived_fact` but the id; the id is `prefix + ",".join(ids) + ")"`. Both are read
    off `derived_fact` itself, which stays the one definition (the prefix is checked here)."""
    template = derived_fact(rule, ["\0"])
    if template is None:
        return None, ""
    prefix, marker, close = template["id"].partition("\0")
    if not marker or close != ")":
        raise EvaluationError(f"rule {rule.id}: derived fact id {template['id']!r} is not "
                              f"PREFIX + ids + ')'; the durable adapter needs that shape")
    tail = "".join(f",{json.dumps(k, ensure_ascii=False)}:{dumps(v)}"
                   for k, v in template.items() if k != "id")
    return tail, prefix
