"""Replaying a logged decision: the stored input is assessed again with the ruleset version and
benchmark profile the decision names, and the new result is compared with the stored one.

    >>> differences({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": 0})
    ['b[1]', 'c']

Both are compared in result format 2 without the engine trace (`normal`), so a decision logged in
format 1, or with the trace, is reproduced by the same verdicts.

A decision is *reproduced* when the results are identical apart from `decision_id`: the engine is
deterministic for the same facts, ruleset digest and evaluator, so anything else means the rules
or the knowledge under that version changed (`ruleset.digest` tells which) or the engine did.
"""
from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_DIFFERENCES", "differences", "compare", "normal"]

MAX_DIFFERENCES = 50


def differences(then: Any, now: Any, path: str = "", out: list[str] | None = None) -> list[str]:
    """JSON paths (`findings[3].status`) where two JSON values differ, at most MAX_DIFFERENCES."""
    out = [] if out is None else out
    if len(out) >= MAX_DIFFERENCES:
        return out
    if isinstance(then, dict) and isinstance(now, dict):
        for key in sorted(then.keys() | now.keys()):
            sub = f"{path}.{key}" if path else key
            if key not in then or key not in now:
                out.append(sub)
            else:
                differences(then[key], now[key], sub, out)
            if len(out) >= MAX_DIFFERENCES:
                break
    elif isinstance(then, list) and isinstance(now, list):
        for i in range(max(len(then), len(now))):
            if i >= len(then) or i >= len(now):
                out.append(f"{path}[{i}]")
            else:
                differences(then[i], now[i], f"{path}[{i}]", out)
            if len(out) >= MAX_DIFFERENCES:
                break
    elif then != now or type(then) is not type(now):
        out.append(path or "$")
    return out


def normal(result: dict) -> dict:
    """`result` (either format, with or without trace) in format 2 without trace or decision_id."""
    from ..result_format import compact, expand
    return compact(expand({k: v for k, v in result.items() if k != "decision_id"}))


def compare(decision_id: str, stored: dict, replayed: bytes) -> dict:
    """The replay report for a stored response (parsed) and a new result (JSON, without decision_id)."""
    then = normal(stored)
    now = normal(json.loads(replayed))
    diffs = differences(then, now)
    return {"decision_id": decision_id, "reproduced": not diffs,
            "ruleset": {"version": then["ruleset"]["versions"]["ruleset"], "profile": then["ruleset"].get("profile"),
                        "digest_then": then["ruleset"]["digest"], "digest_now": now["ruleset"]["digest"]},
            "differences": diffs}
