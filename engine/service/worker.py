"""The assessment worker process: owns one Assessor (durable-rules) and answers tasks on a Pipe.

Protocol (pickled tuples over `multiprocessing.Pipe`):

    worker -> pool   ("ready", pid)                        once, after the ruleset is compiled and warm
    pool -> worker   (task_id, body, ruleset, crash, profile)   body: the park facts as JSON bytes
    worker -> pool   (task_id, outcome, *payload)

Outcomes: `("ok", meta, result_json, seconds)`, `("bad_json", detail)`,
`("input", detail, [{path, message}])`, `("not_found", detail)`, `("evaluation", detail)`,
`("internal", detail)`. The worker validates the JSON itself, so the server's event loop never
does engine work. `crash` ("kill" | "segv" | "hang") is a test hook honoured only when the pool was
built with `allow_test_crash=True`.
"""
from __future__ import annotations

import json
import os
import pickle
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["worker_main", "handle"]


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


def handle(assessor: Any, body: bytes, ruleset: str | None, profile: str | None = None) -> tuple:
    """One task -> one outcome tuple (never raises)."""
    from engine.errors import EvaluationError, GreenparkError, InputError, RulesetNotFound
    from engine.facts.loader import park_from_data
    t0 = time.perf_counter()
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        return ("bad_json", f"the body is not valid JSON: {exc}")
    try:
        park = park_from_data(data, file="<body>")
        options = {"profile": profile} if profile else {}
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
    text = json.dumps(result, ensure_ascii=False).encode()
    meta = {"park_id": result["park_id"], "input_digest": result["input_digest"],
            "ruleset_version": result["ruleset"]["versions"]["ruleset"],
            "ruleset_versions": result["ruleset"]["versions"], "ruleset_digest": result["ruleset"]["digest"]}
    return ("ok", meta, text, time.perf_counter() - t0)


def _warm_up(assessor: Any) -> None:
    """One assessment of an example park so the first real request does not pay for registration."""
    from engine.facts.loader import load_park
    from engine.rules.packs import REPO_ROOT
    example = REPO_ROOT / "examples" / "typical_municipal_park.yaml"
    try:
        assessor.assess(load_park(example))
    except Exception:  # noqa: BLE001 - a warm-up failure is not fatal; real requests will report it
        traceback.print_exc(file=sys.stderr)


def worker_main(conn: Connection, allow_test_crash: bool, rules_roots: list[str] | None = None) -> None:
    """Entry point of a worker process: build the Assessor, say ready, serve tasks until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # the server shuts workers down itself
    from pathlib import Path

    from engine.assessment import Assessor
    from engine.evaluators.durable import DurableEvaluator
    from engine.rules.packs import RulesetRegistry
    registry = RulesetRegistry([Path(r) for r in rules_roots] if rules_roots else None)
    assessor = Assessor(registry, DurableEvaluator())
    registry.get()                                      # compile the default version before ready
    _warm_up(assessor)
    conn.send_bytes(pickle.dumps(("ready", os.getpid())))
    while True:
        try:
            task_id, body, ruleset, crash, profile = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        target = assessor
        if crash and allow_test_crash:
            target = Assessor(registry, _CrashingEvaluator(crash))   # dies inside the engine step
        conn.send_bytes(pickle.dumps((task_id, *handle(target, body, ruleset, profile)), protocol=5))
