"""A park's history: every logged assessment of the park, oldest first, with the lifecycle of its
findings across them (`greenpark history`, `GET /v1/parks/{park_id}/history`).

Each decision of the log is one cycle, in the order it was logged (the order the regulator saw
them; a data year assessed twice is two cycles). A cycle gives the decision id and time, the data
year, the ruleset (version, profile, digest), the summary (counts by kind and status, the
compliance rate with the decided and undecided counts and the coverage, decided ÷ (decided +
undecided) × 100, and the clause 7.2 conclusion), the key indicators (`key: true` in
knowledge/indicators.yaml) of the data year, each with its value and unit — None when the result
has no value for it (unknown, or an undefined ratio) — and `since_previous`, the counts of
`engine.cycles.diff.diff_results` against the cycle before (None for the first). The lifecycle is
`engine.cycles.lifecycle.lifecycle` over the same cycles, with the plan tasks read from the input
each decision stored.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Protocol

from ..result_format import load_result
from ..subject_words import subject_label
from .diff import diff_results
from .lifecycle import Cycle, lifecycle, names_in_input, tasks_in_input

__all__ = ["park_history", "decision_cycle", "cycle_summary", "key_indicators"]


class _Decision(Protocol):
    """What a cycle needs of a logged decision (engine/service/decisions.py `Decision`)."""

    decision_id: str
    created_at: Any
    park_id: str
    ruleset_version: str
    input: bytes
    result: bytes


def park_history(park_id: str, decisions: Iterable[_Decision], knowledge: Any) -> dict:
    """The history of one park from its logged decisions (oldest first).

    Args:
        park_id: the park.
        decisions: the park's decisions in the order they were logged, input and result included.
        knowledge: names, units and the `key` flag of the indicators (the newest knowledge).

    Returns:
        `{"park_id", "park_name", "cycles": [{"decision_id", "created_at", "year", "ruleset",
        "summary", "key_indicators", "since_previous"}], "lifecycle": lifecycle(...)}`, each
        lifecycle finding with its `subject` in words ({zh, en}).

    Example:
        >>> park_history("qingchenghu-htz-demo", log.by_park("qingchenghu-htz-demo"), knowledge)  # doctest: +SKIP
    """
    cycles, inputs = [], []
    name = None
    for d in decisions:
        cycle = decision_cycle(d)
        result = cycle.result
        name = result.get("park_name") or name
        previous = inputs[-1].result if inputs else None
        cycles.append({"decision_id": d.decision_id, "created_at": d.created_at.isoformat(),
                       "year": result.get("year"), "ruleset": _ruleset(result, d.ruleset_version),
                       "summary": cycle_summary(result), "key_indicators": key_indicators(result, knowledge),
                       "since_previous": diff_results(previous, result)["counts"] if previous else None})
        inputs.append(cycle)
    followed = lifecycle(inputs)
    _name_subjects(followed["findings"], inputs, knowledge)
    return {"park_id": park_id, "park_name": name, "cycles": cycles, "lifecycle": followed}


def _name_subjects(findings: list[dict], cycles: list[Cycle], knowledge: Any) -> None:
    """Each followed finding's `subject` in words ({zh, en}; "" for the park as a whole): the
    enterprise as the facts named it (an enterprise gone since, as the last facts that had it), the
    finding a diagnosis is about by its title, an indicator by its name."""
    for lang in ("zh", "en"):
        names: dict[str, str] = {}
        for c in cycles:
            names.update({f["id"]: f["title"][lang] for f in c.result.get("findings", [])
                          if isinstance(f.get("title"), dict) and f["title"].get(lang)})
            names.update(c.names)
        for f in findings:
            f.setdefault("subject", {})[lang] = subject_label(f["id"], lang, names, knowledge)


def decision_cycle(d: _Decision) -> Cycle:
    """One logged decision as a lifecycle cycle: its result (format 1), and the plan tasks and the
    enterprises' names of the input it stored (the cycles of `park_history`, and of a dossier's
    corrective actions)."""
    doc = _json(d.input)
    return Cycle(d.decision_id, load_result(d.result), tasks_in_input(doc), names_in_input(doc))


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


def _ruleset(result: dict, version: str) -> dict:
    rs = result.get("ruleset") or {}
    return {"version": (rs.get("versions") or {}).get("ruleset", version), "profile": rs.get("profile"),
            "digest": rs.get("digest")}


def cycle_summary(result: dict) -> dict:
    """The summary of one result: counts, compliance rate with its coverage, conclusion."""
    s = result.get("summary") or {}
    decided, undecided = s.get("decided"), s.get("undecided")
    applicable = (decided or 0) + (undecided or 0)
    coverage = decided / applicable * 100 if decided is not None and undecided is not None and applicable else None
    return {"by_kind": s.get("by_kind", {}), "by_status": s.get("by_status", {}),
            "compliance_rate": s.get("compliance_rate"), "decided": decided, "undecided": undecided,
            "coverage": coverage, "conclusion": s.get("conclusion"), "folded": s.get("folded"),
            "in_scope": (result.get("scope") or {}).get("in_scope")}


def key_indicators(result: dict, knowledge: Any) -> list[dict]:
    """The key indicators of the result's data year, in the knowledge's order."""
    derived = (result.get("derived") or {}).get(str(result.get("year"))) or {}
    out = []
    for ind in knowledge.indicators.values():
        if not getattr(ind, "key", False):
            continue
        dv = derived.get(ind.id) or {}
        out.append({"indicator": ind.id, "name": {"zh": ind.name.zh, "en": ind.name.en},
                    "value": dv.get("value"), "unit": dv.get("unit") or ind.unit})
    return out
