"""A logged decision read for a report: its result (format 1), its park facts, the knowledge of
its ruleset, and whether another decision can stand as its previous assessment.

`greenpark report --decision/--previous` (engine/cli) and `GET /v1/assessments/{id}/report`
(report_routes.py) both read decisions through these, so a report over HTTP and at the command
line compare the same way.

Example:
    >>> result, park = decision_result(d), decision_park(d)         # doctest: +SKIP
    >>> previous_problem(d, earlier) is None                        # doctest: +SKIP
    True
"""
from __future__ import annotations

import json
from typing import Any

from ..errors import GreenparkError
from ..text import Text
from .decisions import Decision

__all__ = ["decision_result", "decision_park", "decision_knowledge", "previous_problem"]


def decision_result(d: Decision) -> dict:
    """The decision's result in format 1, whichever format it was logged in and compressed or not."""
    from ..result_format import load_result
    return load_result(d.result)


def decision_park(d: Decision) -> Any:
    """The decision's park facts (a `Park`), or None when a later schema refuses the stored input
    (it passed validation when it was decided)."""
    from ..facts.loader import parse_park
    try:
        return parse_park(d.input.decode("utf-8"), f"decision {d.decision_id}", json_syntax=True)
    except (GreenparkError, UnicodeDecodeError):
        return None


def decision_knowledge(registry: Any, d: Decision, result: dict | None = None) -> Any:
    """The knowledge of the ruleset version and profile the decision was made with (names, units,
    directions); the newest when `registry` lacks that version or profile.

    Args:
        registry: a `RulesetRegistry`.
        d: the decision.
        result: its result, if already read (else read from `d`).
    """
    result = json.loads(d.result) if result is None else result
    try:
        return registry.get(d.ruleset_version, (result.get("ruleset") or {}).get("profile") or "default").knowledge
    except GreenparkError:
        return registry.get(None).knowledge


def previous_problem(current: Decision, previous: Decision) -> Text | None:
    """Why `previous` cannot stand as the previous assessment of `current` (zh and en), or None.

    It must be a decision of the same park, logged before `current`.

    Example:
        >>> previous_problem(this_year, last_year) is None              # doctest: +SKIP
        True
    """
    p, c = previous.decision_id, current.decision_id
    if previous.park_id != current.park_id:
        return Text(zh=f"上一次评估 {p} 属于园区 {previous.park_id!r}，不是决定 {c} 的园区 {current.park_id!r}："
                       "只能与同一园区此前的评估比较",
                    en=f"previous decision {p} is of park {previous.park_id!r}, not of decision {c}'s park "
                       f"{current.park_id!r}: only the same park's earlier assessments compare")
    if p == c:
        return Text(zh=f"上一次评估 {p} 就是决定 {c} 本身：应为该园区在它之前记录的评估",
                    en=f"previous decision {p} is decision {c} itself: give one of the park's decisions "
                       "logged before it")
    if not previous.created_at < current.created_at:
        then, now = previous.created_at.isoformat(), current.created_at.isoformat()
        return Text(zh=f"上一次评估 {p} 记录于 {then}，不早于决定 {c}（{now}）：应为该园区在它之前记录的评估",
                    en=f"previous decision {p} was logged at {then}, not before decision {c} ({now}): give one "
                       "of the park's decisions logged before it")
    return None
