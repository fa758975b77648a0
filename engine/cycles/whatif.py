"""What-if: change some facts of a park (or mark plan tasks done), assess again, and show which
findings flip and how the summary moves. A simulation, never a decision: nothing is logged.

    >>> changed, changes = simulate(park, {"years[2].energy.green_electricity": "60 GWh"}, ["K03"])  # doctest: +SKIP
    >>> w = compare(assessor.assess(park), assessor.assess(changed), changes)                       # doctest: +SKIP
    >>> w["simulation"], w["flips"][0]["id"], w["summary"]["change"]["compliance_rate"]            # doctest: +SKIP
    (True, 'PC-C-019@ind:renewable_electricity_share_change', 1.1)

Findings are matched by id (`rule@subject`, stable across assessments of the same park) through
`engine.cycles.diff.diff_results`; `flips` lists every finding whose status or severity differs,
or that appears or disappears, with the diff's category (`resolved`, `regressed`, `new`, ...) and
the indicator movement behind it. `summary` gives both sides' compliance rate, coverage (decided
÷ compliance verdicts that apply, %), counts by status and conclusion, and `change` = after −
before (None where a side is unknown, e.g. a rate with nothing decided).
"""
from __future__ import annotations

from typing import Any

from .diff import diff_results
from ..facts.models import Park
from ..facts.overrides import apply_overrides, describe_changes, tasks_done_changes
from ..rules.profiles import DEFAULT_PROFILE

__all__ = ["simulate", "compare", "run_whatif", "summary_side"]

_NOT_FLIPS = ("persisting", "unchanged")


def simulate(park: Park, overrides: dict[str, object] | None = None, tasks_done: list[str] | None = None,
             *, source: str = "overrides") -> tuple[Park, list[dict]]:
    """The park with `overrides` applied, then `tasks_done` marked done; and the changed values.

    Raises:
        InputError: a bad override or an unknown task id; problems name the path (or `tasks_done`).
    """
    overrides = dict(overrides or {})
    changed = apply_overrides(park, overrides, source=source) if overrides else park
    done = tasks_done_changes(changed, list(tasks_done or []), source=source) if tasks_done else {}
    if done:
        changed = apply_overrides(changed, done, source=source)
    return changed, describe_changes(park, changed, {**overrides, **done})


def summary_side(result: dict) -> dict:
    """The summary figures a what-if compares, of one result."""
    s = result.get("summary") or {}
    decided, undecided = s.get("decided"), s.get("undecided")
    total = decided + undecided if isinstance(decided, int) and isinstance(undecided, int) else None
    return {"compliance_rate": s.get("compliance_rate"), "decided": decided, "undecided": undecided,
            "coverage": round(decided / total * 100, 1) if total else None,
            "by_status": dict(s.get("by_status") or {}), "conclusion": s.get("conclusion")}


def _change(before: dict, after: dict) -> dict:
    def delta(a: Any, b: Any) -> Any:
        return round(b - a, 1) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
    statuses = list(dict.fromkeys([*before["by_status"], *after["by_status"]]))
    return {"compliance_rate": delta(before["compliance_rate"], after["compliance_rate"]),
            "coverage": delta(before["coverage"], after["coverage"]),
            "decided": delta(before["decided"], after["decided"]),
            "undecided": delta(before["undecided"], after["undecided"]),
            "by_status": {k: after["by_status"].get(k, 0) - before["by_status"].get(k, 0) for k in statuses}}


def compare(before: dict, after: dict, changes: list[dict], knowledge: Any = None) -> dict:
    """The what-if of two results of the same park: the baseline and the one with `changes`;
    with `knowledge`, each indicator movement also carries the indicator's `name` {zh, en}.

    Returns:
        `{"simulation": True, "park_id", "park_name", "year", "ruleset", "changes", "flips",
        "counts", "summary": {"before", "after", "change"}}`.
    """
    d = diff_results(before, after, labels=("baseline", "what-if"))
    flips = [e for e in d["findings"] if e["category"] not in _NOT_FLIPS]
    names = getattr(knowledge, "indicators", None) or {}
    for e in flips:
        for m in e["indicators"]:
            if m["indicator"] in names:
                m["name"] = names[m["indicator"]].name.model_dump()
    b, a = summary_side(before), summary_side(after)
    rs = before.get("ruleset") or {}
    return {"simulation": True, "park_id": d["park_id"], "park_name": d["park_name"],
            "year": {"before": before.get("year"), "after": after.get("year")},
            "ruleset": {"version": (rs.get("versions") or {}).get("ruleset"), "profile": rs.get("profile"),
                        "digest": rs.get("digest")},
            "changes": changes, "flips": flips,
            "counts": {k: v for k, v in d["counts"].items() if v and k not in _NOT_FLIPS},
            "summary": {"before": b, "after": a, "change": _change(b, a)}}


def run_whatif(assessor: Any, park: Park, overrides: dict[str, object] | None = None,
               tasks_done: list[str] | None = None, *, ruleset: str | None = None,
               profile: str | None = None, source: str = "overrides") -> dict:
    """Assess `park` as it is and with the changes, with one assessor; the comparison (`compare`).

    Raises:
        InputError: a bad override or task id (nothing is assessed).
        RulesetNotFound, EvaluationError: as `Assessor.assess`.
    """
    changed, changes = simulate(park, overrides, tasks_done, source=source)
    options = {"profile": profile} if profile else {}
    before = assessor.assess(park, ruleset=ruleset, **options)
    after = assessor.assess(changed, ruleset=ruleset, **options)
    knowledge = assessor.registry.get(ruleset, profile or DEFAULT_PROFILE).knowledge
    return compare(before, after, changes, knowledge)
