"""Checks of park facts that need the knowledge base (pydantic alone cannot know them)."""
from __future__ import annotations

import difflib

from engine.errors import InputError, Problem
from engine.facts.models import Park

__all__ = ["check_park"]


def check_park(park: Park, knowledge, file: str | None = None) -> None:
    """Raise InputError if the park cites indicators the knowledge base does not know.

    Raises:
        InputError: one problem per bad reference, naming its field path.
    """
    problems = []
    targets = park.plan.targets if park.plan else []
    for i, t in enumerate(targets):
        if t.indicator not in knowledge.indicators:
            hint = difflib.get_close_matches(t.indicator, list(knowledge.indicators), n=1)
            problems.append(Problem(f"unknown indicator {t.indicator!r}" + (f" (did you mean {hint[0]!r}?)" if hint else
                                    " (see knowledge/indicators.yaml)"), file=file,
                                    path=f"plan.targets[{i}].indicator"))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in park facts", problems)
