"""The assessment worker process: owns one Assessor (durable-rules) and answers tasks on a Pipe.

Protocol (pickled tuples over `multiprocessing.Pipe`):

    worker -> pool   ("ready", pid)                        once, after the ruleset is compiled and warm
    pool -> worker   (task_id, body, ruleset, crash, profile, decision, limits)
                     body: the park facts as JSON bytes; decision: {"decision_id", "key_id"} or None;
                     limits: {"check": bool, "max_result": int | None, "reserve": bool,
                              "to_comply": bool, "result_format": 1 | 2, "trace": bool,
                              "encoding": "zstd" | "gzip" | None} or None
    worker -> pool   ("reserve", task_id, n)                 only for a task with limits["reserve"]:
    pool -> worker   None (granted) or the bytes left        room for an n-byte result in the
                                                             request's budget, asked before logging
    worker -> pool   (task_id, outcome, *payload)

Outcomes: `("ok", meta, result_json, seconds)` (with a decision: the JSON opens with its
`decision_id`, and the record is committed to the decision log before this is sent; with a
decision and an `encoding`, `result_json` is the JSON compressed so, as logged, and
`meta["encoding"]` names the coding),
`("log_failed", detail)`, `("bad_json", detail)`,
`("input", detail, [{path, message}])`, `("not_found", detail)`, `("evaluation", detail)`,
`("too_large", size, limit, why)`, `("checked", estimate)`, `("internal", detail)`. The worker
validates the JSON itself, so the server's event loop never does engine work.

Limits (`greenpark serve --max-result-bytes`, README "HTTP API"): a task with `check` only
validates the park (facts, ruleset and profile, the knowledge's consistency checks) and answers
`("checked", estimate)`, the bytes its result will at least take (`estimate_result_bytes`); a
batch checks every park this way before it assesses any. A task with `max_result` is refused with
`too_large` before the assessment when the estimate exceeds it (`why` "estimate") and before
logging when the result does ("result"); with `reserve` the worker asks the server whether the
result still fits in what is left of its request's budget ("left": it did not). A refused result
is neither logged nor returned.

The worker also writes the decision record (`DecisionLog.append`, one transaction): it holds the
input and the result bytes already, and it saves the server a thread hop and ~1 ms of its CPU per
request. It compresses both for the log (`decisions.pack`, zstd level 1: ~0.5 ms for a typical
result of ~317 KB, ~0.05 ms for its ~60 KB input; the row shrinks from ~377 KB to ~70 KB; gzip
level 1 took ~1.6 ms). For a caller that accepts zstd or gzip (`encoding` in the limits: the one
it prefers) it compresses the result in that coding and sends those stored bytes instead of the
JSON, and the server serves them as they are (`Content-Encoding`): the compression such a caller
would have waited for in the server's middleware is the one the log needed anyway, and ~62 KB
instead of ~317 KB cross the result buffer. A caller that accepts neither waits for that
compression too (the row is committed before the reply). A worker that dies mid-write leaves no
record (the transaction is not committed) and its caller gets 503, like any other crash. `crash`
("kill" | "segv" | "hang" inside the engine, "kill-in-log" inside the decision-log transaction) is
a test hook honoured only when the pool was built with `allow_test_crash=True`.

Housekeeping happens after the reply, while the worker would be idle anyway: the result's object
graph is freed (`keep`, ~1 ms), the cyclic garbage collector runs, and every CHECKPOINT_EVERY
decisions the SQLite write-ahead log is checkpointed (~30 ms, mostly fsync), so that no commit
inside a request has to do it (`DecisionLog.checkpoint`).
After warm-up, everything long-lived (the compiled rulesets, knowledge, pydantic classes) is moved
out of the collector's sight with `gc.freeze()`, so that collection walks only what the task left
(~1.5 ms) instead of the whole heap; with the collector running as usual it would fire about a
dozen times inside each task (~4 ms of a typical park's ~35 ms, measured).

The result JSON (~280 KB for a typical park) does not travel through the pipe: the worker writes it
into its result buffer (`buffer.ResultBuffer`, a file mapped by both processes) and sends its length
in place of `result_json`; a result larger than the buffer goes inline. Pushing it through the
socket costs ~0.8 ms a request on this VM (four copies and a few wake-ups), the buffer ~0.1 ms
(round trips measured with a 276 KB result).
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["worker_main", "handle", "log_decision", "check", "estimate_result_bytes"]

CHECKPOINT_EVERY = 8        # decisions of this worker between two WAL checkpoints (~2.4 MB of log)
# The least a result takes, in bytes, per result format: per result, per year of facts (its derived
# indicators, ~40 KB in format 1 and ~15 KB in format 2 in practice) and per enterprise (its
# findings; a met verdict is a compact row in format 2). Over the example parks and 150 generated
# ones (bench/make_parks.py) results were 1.5 to 9 times this, so refusing on it never refuses a
# result that would fit (tests/test_service_limits.py keeps it a lower bound).
RESULT_FLOORS = {1: (5_000, 20_000, 500), 2: (5_000, 8_000, 150)}
RESULT_FLOOR = RESULT_FLOORS[2]


def estimate_result_bytes(park: Any, result_format: int = 2) -> int:
    """A lower bound of the size of `park`'s result JSON in `result_format`, from its number of
    years and enterprises."""
    base, per_year, per_enterprise = RESULT_FLOORS.get(result_format, RESULT_FLOOR)
    return base + per_year * len(park.years) + per_enterprise * len(park.enterprises or ())


def check(assessor: Any, park: Any, ruleset: str | None, profile: str | None, result_format: int = 2) -> int:
    """Everything an assessment would refuse `park` for short of the engine (ruleset and profile,
    the knowledge's consistency checks); returns `estimate_result_bytes(park)`.

    Raises:
        RulesetNotFound: unknown ruleset version or profile.
        InputError: facts inconsistent with the knowledge.
    """
    from ..facts.consistency import check_park
    from ..rules.profiles import DEFAULT_PROFILE
    rs = assessor.registry.get(ruleset, profile or DEFAULT_PROFILE)
    check_park(park, rs.knowledge, ruleset=rs)
    return estimate_result_bytes(park, result_format)


def _crash(mode: str) -> None:
    """Die or hang the way the durable-rules C core can (test hook only)."""
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "segv":
        import ctypes
        ctypes.string_at(0)
    elif mode == "hang":
        while True:       # spin like the C core's infinite loops (holds the process, not the server)
            pass


class _CrashingEvaluator:
    """Test hook: an evaluator that crashes or spins when the engine is called, i.e. after the
    facts were validated and prepared, exactly where the durable-rules C core would."""

    def __init__(self, mode: str):
        self.mode = mode

    def evaluate(self, compiled: Any, facts: Any) -> Any:
        _crash(self.mode)
        raise AssertionError("unreachable")


def handle(assessor: Any, body: bytes, ruleset: str | None, profile: str | None = None,
           keep: list | None = None, decision_id: str | None = None, *, check_only: bool = False,
           max_result: int | None = None, to_comply: bool = False, result_format: int = 2,
           trace: bool = False) -> tuple:
    """One task -> one outcome tuple (never raises). With `keep`, the big intermediate objects are
    appended to it, so the caller can free them after it has replied (freeing a result's object
    graph takes about a millisecond that the caller need not wait for). `check_only` and
    `max_result`: see "Limits" in the module docstring. The result is encoded in `result_format`
    (2, or 1 on request; format 2 with the trace only with `trace`): the logged record is these
    bytes, compressed (`log_decision`)."""
    from ..errors import EvaluationError, GreenparkError, InputError, MalformedInput, RulesetNotFound
    from ..facts.loader import park_from_data
    from ..sourcefile import loads_json
    from .decisions import list_summary
    t0 = time.perf_counter()
    try:
        data = loads_json(body, "<body>")
    except MalformedInput as exc:
        return ("bad_json", f"the body is not valid JSON: {exc}")
    except InputError as exc:  # duplicate keys, nesting deeper than MAX_DEPTH: 422 with their paths
        return ("input", str(exc), [{"path": p.path or "", "message": p.message} for p in exc.problems])
    try:
        park = park_from_data(data, file="<body>")
        if check_only:
            return ("checked", check(assessor, park, ruleset, profile, result_format))
        if max_result is not None and (floor := estimate_result_bytes(park, result_format)) > max_result:
            return ("too_large", floor, max_result, "estimate")
        options = {"profile": profile} if profile else {}
        if to_comply:
            options["to_comply"] = True
        result = assessor.assess(park, ruleset=ruleset, **options)
    except RulesetNotFound as exc:
        return ("not_found", str(exc))
    except InputError as exc:
        problems = [{"path": p.path or "", "message": p.message} for p in exc.problems] or \
                   [{"path": "", "message": str(exc)}]
        return ("input", str(exc), problems)
    except EvaluationError as exc:
        return ("evaluation", str(exc))
    except GreenparkError as exc:
        return ("input", str(exc), [{"path": p.path or "", "message": p.message} for p in exc.problems])
    except Exception as exc:  # noqa: BLE001 - reported as a 500 without traceback; logged here
        traceback.print_exc(file=sys.stderr)
        return ("internal", type(exc).__name__)
    from ..json_output import dump_bytes
    from ..result_format import as_format
    full, result = result, as_format(result, result_format, trace=trace, rules=assessor.rules_of(result))
    text = dump_bytes({"decision_id": decision_id, **result} if decision_id else result)
    if keep is not None:
        keep.append((data, park, full, result))
    if max_result is not None and len(text) > max_result:
        return ("too_large", len(text), max_result, "result")
    meta = {"park_id": result["park_id"], "input_digest": result["input_digest"],
            "ruleset_version": result["ruleset"]["versions"]["ruleset"],
            "ruleset_versions": result["ruleset"]["versions"], "ruleset_digest": result["ruleset"]["digest"],
            "summary": list_summary(full)}
    return ("ok", meta, text, time.perf_counter() - t0)


def log_decision(log: Any, decision: dict, body: bytes, outcome: tuple, *, die_before_commit: bool = False,
                 encoding: str | None = None) -> tuple:
    """Commit an ok outcome's decision record, input and result compressed (`decisions.pack`:
    zstd, or the result in `encoding` when the caller takes that); returns the outcome (with
    `encoding`: its result as the stored bytes, `meta["encoding"]` naming the coding), or
    `("log_failed", detail)`."""
    from datetime import datetime, timezone

    from .decisions import Decision, pack
    kind, meta, text, seconds = outcome
    stored = pack(text, encoding or "zstd")
    record = Decision(decision["decision_id"], datetime.now(timezone.utc), decision["key_id"], meta["park_id"],
                      pack(body), meta["input_digest"], meta["ruleset_version"], meta["ruleset_versions"],
                      meta["ruleset_digest"], stored, meta.get("summary"))
    try:
        log.append(record, before_commit=(lambda: _crash("kill")) if die_before_commit else None)
    except Exception as exc:  # noqa: BLE001 - the server answers 503; the detail goes to its log
        traceback.print_exc(file=sys.stderr)
        return ("log_failed", f"{type(exc).__name__}: {exc}")
    return (kind, {**meta, "encoding": encoding}, stored, seconds) if encoding else outcome


def _warm_up(assessor: Any) -> None:
    """One assessment of an example park so the first real request does not pay for registration."""
    from ..facts.loader import load_park
    from ..rules.packs import REPO_ROOT
    example = REPO_ROOT / "examples" / "typical_municipal_park.yaml"
    try:
        assessor.assess(load_park(example))
    except Exception:  # noqa: BLE001 - a warm-up failure is not fatal; real requests will report it
        traceback.print_exc(file=sys.stderr)


def _reserve(conn: Connection, task_id: int, outcome: tuple) -> tuple:
    """Ask the server for room for an ok outcome's result in its request's budget; refused: too_large."""
    size = len(outcome[2])
    conn.send_bytes(pickle.dumps(("reserve", task_id, size), protocol=5))
    left = pickle.loads(conn.recv_bytes())
    return outcome if left is None else ("too_large", size, left, "left")


def _reply(conn: Connection, buffer: Any, task_id: int, outcome: tuple) -> None:
    """Send one outcome; an ok result goes through the buffer when it fits."""
    if outcome[0] == "ok" and buffer is not None and buffer.fits(outcome[2]):
        outcome = (*outcome[:2], buffer.put(outcome[2]), *outcome[3:])
    conn.send_bytes(pickle.dumps((task_id, *outcome), protocol=5))


def worker_main(conn: Connection, allow_test_crash: bool, rules_roots: list[str] | None = None,
                buffer_path: str | None = None, db_url: str | None = None) -> None:
    """Entry point of a worker process: build the Assessor, say ready, serve tasks until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # the server shuts workers down itself
    from pathlib import Path

    from ..assessment import Assessor
    from ..evaluators.durable import DurableEvaluator
    from ..rules.packs import RulesetRegistry
    from .buffer import ResultBuffer
    from .db import connect
    from .decisions import DecisionLog
    registry = RulesetRegistry([Path(r) for r in rules_roots] if rules_roots else None)
    assessor = Assessor(registry, DurableEvaluator())
    registry.get()                                      # compile the default version before ready
    _warm_up(assessor)
    buffer = ResultBuffer.attach(buffer_path) if buffer_path else None
    log = DecisionLog(connect(db_url)) if db_url else None     # connects on the first write
    gc.collect()
    gc.freeze()          # what exists now lives as long as the worker: never walk it again
    gc.disable()         # collected after each reply instead (below)
    conn.send_bytes(pickle.dumps(("ready", os.getpid())))
    logged = 0
    while True:
        try:
            task_id, body, ruleset, crash, profile, decision, limits = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        limits = limits or {}
        crash = crash if allow_test_crash else None
        target = assessor
        if crash in ("kill", "segv", "hang"):
            target = Assessor(registry, _CrashingEvaluator(crash))   # dies inside the engine step
        keep: list = []
        outcome = handle(target, body, ruleset, profile, keep, decision and decision["decision_id"],
                         check_only=limits.get("check", False), max_result=limits.get("max_result"),
                         to_comply=limits.get("to_comply", False),
                         result_format=limits.get("result_format", 2), trace=limits.get("trace", False))
        if outcome[0] == "ok" and limits.get("reserve"):
            try:
                outcome = _reserve(conn, task_id, outcome)
            except (EOFError, OSError):
                return
        if decision is not None and outcome[0] == "ok":
            outcome = (log_decision(log, decision, body, outcome, die_before_commit=crash == "kill-in-log",
                                    encoding=limits.get("encoding"))
                       if log is not None else ("log_failed", "this worker has no decision log"))
            logged += outcome[0] == "ok"
        _reply(conn, buffer, task_id, outcome)
        keep.clear()
        gc.collect()
        if logged >= CHECKPOINT_EVERY:
            logged = 0
            try:
                log.checkpoint()
            except Exception:  # noqa: BLE001 - SQLite checkpoints by itself later; the next try may work
                traceback.print_exc(file=sys.stderr)
