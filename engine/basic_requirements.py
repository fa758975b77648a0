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
from typing import Any, NamedTuple

from .sourcefile import parse_document

__all__ = ["requirements", "conformity", "shown_field", "Conformity"]


class Conformity(NamedTuple):
    requirement: dict           # id, name {zh, en}, rules, and only_where / needs where given
    verdict: str                # not_met, undecided, met, no_problem or not_judged
    findings: list[dict]        # the verdicts it rests on
    collect: list[str]          # park-file paths whose values would decide it (an unknown it `needs`)


@lru_cache(maxsize=1)
def requirements() -> list[dict]:
    """Each requirement: id (a MIIT-B* benchmark), name {zh, en}, rules, and optionally
    `only_where` (a subject field a counted finding shows true) and `needs` (facts it cannot be
    conformed to without)."""
    text = resources.files(__package__).joinpath("basic_requirements.yaml").read_text(encoding="utf-8")
    return parse_document(text, "basic_requirements.yaml").data["requirements"]


def conformity(findings: list[dict], fs: Any = None) -> list[Conformity]:
    """Each requirement's conformity, in order; findings folded into another (restatements) are
    not counted twice. A requirement with `only_where: F` counts a finding whose evidence shows F
    true; one showing F false is left out, and one with F unreported counts where it could decide
    (see `_only_where`). With the engine facts (`fs`), a requirement that would conform, or find no
    problem, or have nothing to judge, while a fact it `needs` is unknown is undecided instead,
    naming what to collect: a problem rule's silence over an unknown input is no evidence."""
    shown = [f for f in findings if not f.get("folded_into")]
    out = []
    for req in requirements():
        rules = req["rules"]
        mine = [f for f in shown if f.get("rule") in rules and f.get("kind") in ("compliance", "problem")]
        if req.get("only_where"):
            key, mine = _only_where(req["only_where"], rules, mine)
        else:
            key = _verdict({f.get("status") for f in mine}, rules, mine)
        collect = _unknown_needs(req.get("needs") or [], fs) if fs is not None and key != "not_met" else []
        if collect and key != "undecided":
            key = "undecided"
        out.append(Conformity(req, key, mine, collect))
    return out


def _verdict(statuses: set, rules: list[str], mine: list[dict]) -> str:
    if statuses & {"not_met", "problem"}:
        return "not_met"
    if "insufficient_data" in statuses:
        return "undecided"
    if "met" in statuses:
        return "met"
    if all("-P-" in r for r in rules) or (not mine and any("-P-" in r for r in rules)):
        return "no_problem"
    return "not_judged"


def _only_where(field: str, rules: list[str], mine: list[dict]) -> tuple[str, list[dict]]:
    """The verdict on the findings whose subject has `field` true (MIIT-B2b: the targets handed
    down, `binding`), and those findings. A finding with `field` unreported might be one of them: if
    it is not met or lacks data, and those marked true do not already decide not_met, the
    requirement is undecided and the finding is kept, marked `unreported: field`; one that is met
    decides nothing, unless none is marked true: then whether anything was handed down is unknown."""
    marked, unknown = [], []
    for f in mine:
        flag = shown_field(f, field)
        if flag is True:
            marked.append(f)
        elif flag is None:
            unknown.append({**f, "unreported": field})
    key = _verdict({f.get("status") for f in marked}, rules, marked)
    if key == "not_met" or not unknown:
        return key, marked
    deciding = [f for f in unknown if f.get("status") not in ("met", "not_applicable")]
    if deciding:
        return "undecided", marked + deciding
    if key != "not_judged":
        return key, marked      # whatever the unreported marks, nothing handed down is missed
    return "undecided", unknown     # all met, but none marked: whether any was handed down is unknown


def shown_field(finding: dict, field: str):
    """The value of `field` of the finding's subject as its evidence shows it (None when unreported
    or not shown)."""
    for e in (finding.get("evidence") or {}).get("facts") or ():
        if isinstance(e, dict) and e.get("field") == field:
            return e.get("value")
    return None


def _unknown_needs(needs: list[dict], fs: Any) -> list[str]:
    """The park-file paths to collect for each need that is unknown: `{fact: KIND, field: F}` is
    known when every engine fact of that kind has F; `{indicator: NAME}` when the indicator has a
    latest value (or is undefined, a zero base)."""
    out: list[str] = []
    for need in needs:
        if "indicator" in need:
            fid = f"ind:{need['indicator']}"
            fact = next((f for f in fs.facts if f.get("id") == fid), None)
            if fact is not None and ("value" in fact or "undefined" in fact):
                continue
            paths = (fs.missing.get(fid) or {}).get("value") or [f"derived.{need['indicator']}"]
        else:
            kind, fld = need["fact"], need["field"]
            paths = []
            for fact in (f for f in fs.facts if f.get("kind") == kind and fld not in f):
                given = (fs.missing.get(fact["id"]) or {}).get(fld)
                paths += given or [fs.paths.get(fact["id"], {}).get(fld, f"{kind}.{fld}")]
        out += [p for p in paths if p not in out]
    return out
