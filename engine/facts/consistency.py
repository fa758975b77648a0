"""Checks of park facts that need the knowledge base (pydantic alone cannot know them)."""
from __future__ import annotations

import difflib

from ..errors import InputError, Problem
from .models import Park

__all__ = ["check_park"]


def check_park(park: Park, knowledge, file: str | None = None, *, ruleset=None) -> None:
    """Raise InputError if the park cites indicators the knowledge base does not know, or (given the
    `ruleset`) a task answers a finding of a rule the ruleset does not have, or a measure.

    Args:
        ruleset: the Ruleset assessed with (`files`: every rule id of its tree; `meta`: the active
            rules); None: task answers are not checked.

    Raises:
        InputError: one problem per bad reference, naming its field path.
    """
    problems = []
    for i, task in enumerate((park.plan.tasks or []) if park.plan and ruleset is not None else []):
        for j, answer in enumerate(task.answers):
            problem = _answer_problem(answer.split("@", 1)[0], ruleset)
            if problem:
                problems.append(Problem(problem, file=file, path=f"plan.tasks[{i}].answers[{j}]"))
    targets = (park.plan.targets or []) if park.plan else []
    for i, t in enumerate(targets):
        if t.indicator not in knowledge.indicators:
            hint = difflib.get_close_matches(t.indicator, list(knowledge.indicators), n=1)
            problems.append(Problem(f"unknown indicator {t.indicator!r}" + (f" (did you mean {hint[0]!r}?)" if hint else
                                    " (see knowledge/indicators.yaml)"), file=file,
                                    path=f"plan.targets[{i}].indicator"))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in park facts", problems)


def _answer_problem(rule: str, ruleset) -> str | None:
    """Why a task cannot answer a finding of `rule` (None: it can)."""
    if rule not in ruleset.files:
        hint = difflib.get_close_matches(rule, list(ruleset.files), n=1)
        return (f"rule {rule!r} does not exist in ruleset {ruleset.version}"
                + (f" (did you mean {hint[0]!r}?)" if hint else " (see `greenpark rules list`)"))
    meta = ruleset.meta.get(rule)
    if meta is not None and meta.kind == "measure":
        return f"rule {rule!r} is a measure: a task answers a problem or a compliance verdict"
    return None
