"""A finding's lifecycle across a park's assessment cycles (the guide's PDCA loop, 4.2, 7, 8).

A finding keeps its id from cycle to cycle (`RULE@subject`, docs/conventions.md "Finding identity
across cycles"), and a plan task names the findings it answers (`plan.tasks[].answers`). Given a
park's cycles in chronological order, each with its result and the tasks of the facts assessed,
every finding that was ever open (a `not_met` verdict, or a problem that fired) or that a task
answers gets one state per cycle:

| state             | the cycle's verdict                           | tasks answering it (not cancelled) |
|-------------------|-----------------------------------------------|------------------------------------|
| `open`            | not met / the problem fires                   | none                               |
| `measure_planned` | not met / fires                               | some not done                      |
| `implemented`     | not met / fires                               | all done                           |
| `verified_closed` | met / the problem no longer fires, after an open state | any                       |
| `regression`      | not met / fires, and the last state was `verified_closed` | any                    |

`regression` is the cycle in which a closed finding comes back; in later cycles it is open, planned
or implemented again as its tasks say, and `regressions` counts how often it came back. A finding
met (or never fired) before it was ever open has no state (None) in those cycles: there was
nothing to close.

No verdict in a cycle — `insufficient_data`, `not_applicable`, a compliance finding absent from the
result (its subject gone, its rule not applied), or a park out of scope — neither closes nor reopens
a finding, because nothing was verified: a finding that was `verified_closed` stays so, one that
was open takes the state its tasks give it (open, measure planned, implemented), a finding never
open but answered by a task takes its tasks' state as well; the cycle is marked `undecided: true`.
A problem is decided by its absence only while the park is in scope: diagnoses fire on known facts,
so a problem that stops firing because its facts were no longer reported also counts as closed
(the cycle's `insufficient_data` findings and `to_collect` show such gaps).

A problem folded into the verdict it restates (`folded_into`) follows that verdict and is tracked on
its own only when a task answers it. Measures have no lifecycle: they are what the plan answers with.
Tasks unknown for a cycle (`tasks` None: the stored input cannot be read, or the park file leaves
the plan or its tasks out - a plan reported not to exist has none) keep the task state of the
cycle before.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

__all__ = ["Cycle", "STATES", "STATE_LABELS", "lifecycle", "tasks_of", "tasks_in_input", "names_of",
           "names_in_input"]

STATES = ("open", "measure_planned", "implemented", "verified_closed", "regression")
_OPEN = frozenset({"open", "measure_planned", "implemented", "regression"})
_BY_TASKS = {"none": "open", "planned": "measure_planned", "done": "implemented"}
STATE_LABELS = {
    "open": {"zh": "未整改", "en": "open"},
    "measure_planned": {"zh": "已列整改任务", "en": "measure planned"},
    "implemented": {"zh": "任务已完成，待验证", "en": "implemented, not yet verified"},
    "verified_closed": {"zh": "已验证关闭", "en": "verified closed"},
    "regression": {"zh": "关闭后复发", "en": "regression"},
}
_ORDER = {"regression": 0, "open": 1, "measure_planned": 2, "implemented": 3, "verified_closed": 4, None: 5}


@dataclass(frozen=True)
class Cycle:
    """One assessment of the park: its result and the plan tasks of the facts assessed.

    Args:
        label: what names the cycle (a decision id or a file).
        result: the assessment result (`Assessor.assess`).
        tasks: `[{"id", "title", "status", "answers"}]` (`tasks_of`, `tasks_in_input`); None when
            the tasks of that cycle are unknown.
        names: the names of that cycle's enterprises by fact id (`ent:<id>`; `names_of`,
            `names_in_input`), so that a finding about an enterprise since removed from the park
            is still named in words.
    """

    label: str
    result: dict
    tasks: list[dict] | None
    names: dict[str, str] = field(default_factory=dict)


def tasks_of(park: Any) -> list[dict] | None:
    """The plan tasks of validated park facts, in the form `Cycle.tasks` takes: none under a plan
    reported not to exist; None when the park file leaves the plan or its tasks out (unknown, not
    "no tasks")."""
    plan = park.plan
    tasks = None if plan is None else [] if plan.tasks is None and plan.exists is False else plan.tasks
    if tasks is None:
        return None
    return [{"id": t.id, "title": t.title, "status": str(t.status), "answers": list(t.answers)} for t in tasks]


def names_of(park: Any) -> dict[str, str]:
    """The enterprises' names of validated park facts by fact id, as `Cycle.names` takes them."""
    return {f"ent:{e.id}": e.name for e in park.enterprises or ()}


def names_in_input(doc: Any) -> dict[str, str]:
    """The enterprises' names of a park document as received (parsed JSON of an input the log
    stored) by fact id; those that cannot be read are left out.

    >>> names_in_input({"enterprises": [{"id": "E1", "name": "华澄电子"}, {"id": "E2"}, 3]})
    {'ent:E1': '华澄电子'}
    """
    enterprises = doc.get("enterprises") if isinstance(doc, dict) else None
    return {f"ent:{e['id']}": e["name"] for e in enterprises or []
            if isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("name"), str) and e["name"]}


def tasks_in_input(doc: Any) -> list[dict] | None:
    """The plan tasks of a park document as received (parsed JSON of an input the log stored, which
    passed validation when it was decided): none under a plan reported not to exist; None when they
    cannot be read, or the input leaves the plan or its tasks out (unknown, not "no tasks")."""
    try:
        plan = doc.get("plan")
        tasks = None if plan is None else plan.get("tasks", [] if plan.get("exists") is False else None)
        if tasks is None:
            return None
        return [{"id": str(t["id"]), "title": str(t.get("title") or ""), "status": str(t["status"]),
                 "answers": [str(a) for a in t.get("answers") or []]} for t in tasks]
    except (AttributeError, KeyError, TypeError):
        return None


def _tracked(f: dict) -> bool:
    return (f["kind"] == "compliance" and f["status"] == "not_met") or \
        (f["kind"] == "problem" and not f.get("folded_into"))


def _signal(kind: str, finding: dict | None, in_scope: bool) -> str:
    """'unmet', 'met' or 'none' (no verdict this cycle)."""
    if kind == "problem":
        if finding is not None:
            return "unmet"
        return "met" if in_scope else "none"
    status = finding["status"] if finding else None
    return {"not_met": "unmet", "met": "met"}.get(status, "none")


def _task_state(tasks: list[dict], fid: str) -> tuple[str, list[str]]:
    """('none' | 'planned' | 'done', ids of the answering tasks that are not cancelled)."""
    answering = [t for t in tasks if fid in t["answers"] and t["status"] != "cancelled"]
    if not answering:
        return "none", []
    done = all(t["status"] == "done" for t in answering)
    return ("done" if done else "planned"), [t["id"] for t in answering]


def _next(last: str | None, signal: str, task: str) -> str | None:
    if signal == "unmet":
        return "regression" if last == "verified_closed" else _BY_TASKS[task]
    if signal == "met":
        return "verified_closed" if last in _OPEN or last == "verified_closed" else None
    if last == "verified_closed":
        return last
    return _BY_TASKS[task] if last is not None or task != "none" else None


def lifecycle(cycles: Sequence[Cycle]) -> dict:
    """Each finding's state per cycle.

    Returns:
        `{"cycles": [labels], "findings": [{"id", "rule", "kind", "title", "severity", "states":
        [{"state", "status", "tasks", "undecided"} per cycle], "current", "regressions"}],
        "counts": [{state: n} per cycle], "tasks": {task id: title} of the tasks named in states,
        "unmatched_answers": [{"task", "answer", "cycles"}]}` —
        findings most urgent first (regression, open, planned, implemented, closed); `status` is
        the finding's status that cycle or "absent"; `unmatched_answers` are task answers naming no
        finding of any cycle.

    Example:
        >>> lifecycle([Cycle("d1", r1, tasks_of(p1)), Cycle("d2", r2, tasks_of(p2))])["counts"]  # doctest: +SKIP
    """
    by_cycle = [{f["id"]: f for f in c.result.get("findings", []) if f["kind"] in ("compliance", "problem")}
                for c in cycles]
    known: dict[str, dict] = {}
    for found in by_cycle:
        for fid, f in found.items():
            known[fid] = f                      # the latest appearance names it
    answered = {a for c in cycles for t in c.tasks or [] for a in t["answers"]}
    ids = sorted({fid for found in by_cycle for fid, f in found.items() if _tracked(f)} | (answered & set(known)))
    findings = [_one(fid, known[fid], cycles, by_cycle) for fid in ids]
    findings.sort(key=lambda f: (_ORDER[f["current"]], f["id"]))
    counts = [{s: sum(f["states"][i]["state"] == s for f in findings) for s in STATES} for i in range(len(cycles))]
    unmatched = sorted({(t["id"], a) for c in cycles for t in c.tasks or [] for a in t["answers"] if a not in known})
    titles = {t["id"]: t["title"] for c in cycles for t in c.tasks or []}      # the latest title of each task
    used = sorted({t for f in findings for s in f["states"] for t in s["tasks"]})
    return {"cycles": [c.label for c in cycles], "findings": findings, "counts": counts,
            "tasks": {t: titles[t] for t in used},
            "unmatched_answers": [{"task": t, "answer": a,
                                   "cycles": [i for i, c in enumerate(cycles)
                                              if any(x["id"] == t and a in x["answers"] for x in c.tasks or [])]}
                                  for t, a in unmatched]}


def _one(fid: str, f: dict, cycles: Sequence[Cycle], by_cycle: list[dict]) -> dict:
    states: list[dict] = []
    last: str | None = None
    task, task_ids = "none", []
    for c, found in zip(cycles, by_cycle):
        if c.tasks is not None:
            task, task_ids = _task_state(c.tasks, fid)
        finding = found.get(fid)
        signal = _signal(f["kind"], finding, bool((c.result.get("scope") or {}).get("in_scope", True)))
        state = _next(last, signal, task)
        states.append({"state": state, "status": finding["status"] if finding else "absent",
                       "tasks": list(task_ids), "undecided": signal == "none" and state is not None})
        if state is not None:
            last = state
    return {"id": fid, "rule": f["rule"], "kind": f["kind"], "title": f["title"], "severity": f["severity"],
            "states": states, "current": last, "regressions": sum(s["state"] == "regression" for s in states)}

