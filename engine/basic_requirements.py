"""The MIIT green-park basic requirements (基本要求) and whether an assessment conforms to each, from
the verdicts of the rules `basic_requirements.yaml` lists for it. The summary's conclusion names
those not conformed to and the dossier shows each with its verdicts, so the two say the same.

    >>> [(r["id"], v) for r, v, _ in conformity(result["findings"])][:2]     # doctest: +SKIP
    [('MIIT-B1', 'not_met'), ('MIIT-B2a', 'not_met')]

A requirement is not conformed to (`not_met`) when any of its rules is not met or diagnoses a
problem; `undecided` when one lacks data; `met` when its compliance rules are all met. One judged
only by problem rules that did not fire is `no_problem`, not `met`: the absence of a diagnosis is
weaker evidence than a met check. With no verdict of its rules at all, `not_judged`.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .sourcefile import parse_document

__all__ = ["requirements", "conformity"]


@lru_cache(maxsize=1)
def requirements() -> list[dict]:
    """Each requirement: id (a MIIT-B* benchmark), name {zh, en}, rules."""
    text = resources.files(__package__).joinpath("basic_requirements.yaml").read_text(encoding="utf-8")
    return parse_document(text, "basic_requirements.yaml").data["requirements"]


def conformity(findings: list[dict]) -> list[tuple[dict, str, list[dict]]]:
    """(requirement, verdict, the findings of its rules) for each requirement, in order; findings
    folded into another (restatements) are not counted twice."""
    shown = [f for f in findings if not f.get("folded_into")]
    out = []
    for req in requirements():
        rules = req["rules"]
        mine = [f for f in shown if f.get("rule") in rules and f.get("kind") in ("compliance", "problem")]
        statuses = {f.get("status") for f in mine}
        if statuses & {"not_met", "problem"}:
            key = "not_met"
        elif "insufficient_data" in statuses:
            key = "undecided"
        elif "met" in statuses:
            key = "met"
        elif all("-P-" in r for r in rules) or (not mine and any("-P-" in r for r in rules)):
            key = "no_problem"
        else:
            key = "not_judged"
        out.append((req, key, mine))
    return out
