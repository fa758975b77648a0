"""What changed between two assessments of the same park: `diff_results(before, after)`.

Findings are matched by `id` (`rule@subject`, e.g. `PC-C-003@ind:co2_per_tce`), the stable identity
of a finding across cycles (docs/conventions.md, "Finding identity across cycles"). Each finding
present in either result gets one category:

| category         | before                              | after                               |
|------------------|-------------------------------------|-------------------------------------|
| new              | absent                              | not_met, problem, insufficient_data |
| added            | absent                              | met, not_applicable                 |
| resolved         | not_met, problem                    | met, or absent (the condition no longer holds) |
| persisting       | not_met / problem / insufficient_data | the same status and severity      |
| changed_severity | not_met / problem                   | the same status, another severity   |
| regressed        | met                                 | not_met                             |
| improved         | insufficient_data                   | met (the data now shows it met)     |
| status_changed   | any other change: not_met ↔ insufficient_data, met → insufficient_data, ↔ not_applicable |
| dropped          | met, not_applicable, insufficient_data | absent (the subject left, the rule stopped applying) |
| unchanged        | met / not_applicable                | the same status and severity (counted, not listed) |
| proposed         | measure absent                      | measure recommended                 |
| withdrawn        | measure recommended                 | measure absent                      |

A recommended measure is advice, not a verdict: it is `proposed` or `withdrawn`, and a measure
recommended both times is `unchanged` (counted, not listed). A not_met verdict that became
not_applicable is *not* called resolved (a zero base or a tier left is no evidence that it was
fixed): it is `status_changed`.

A finding that restates another (`folded_into`, e.g. the 7.4 diagnosis of an unmet key indicator)
is listed with `folded_into` set but not counted: the verdict it restates is.

Each listed entry carries the indicator movement behind it: the indicators the finding is about
(its id's `@ind:NAME`, its evidence facts `ind:NAME` and evidence paths `derived.NAME`, a measure's
`answers_subjects.indicators`), each with its value in the data year of each result (`year`), the
unit, and `change` = after − before (in percentage points, `pp`, for a percentage). An unknown
value stays unknown (`None`), and so does the change computed from it.

Example:
    >>> d = diff_results(result_2023, result_2024)                 # doctest: +SKIP
    >>> d["counts"]["resolved"], d["findings"][0]["category"]        # doctest: +SKIP
    (2, 'regressed')
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import InputError
from ..result_format import expand
from ..text import Text

__all__ = ["diff_results", "ParkMismatch", "previous_result_problem", "CATEGORIES", "LISTED"]

OPEN = ("not_met", "problem", "insufficient_data")
CATEGORIES = ("regressed", "new", "persisting", "changed_severity", "status_changed", "resolved", "improved",
              "added", "dropped", "proposed", "withdrawn", "unchanged")
LISTED = CATEGORIES[:-1]
_SEVERITY = ("critical", "high", "medium", "low", "info")
_CHANGE_UNIT = {"%": "pp", "%/a": "pp/a"}
_IND = re.compile(r"@ind:([A-Za-z0-9_]+)")


class ParkMismatch(InputError):
    """The two results are of different parks: they cannot be compared."""


def previous_result_problem(before: dict, after: dict, labels: tuple[str, str]) -> Text | None:
    """Why the result `before` cannot stand as the previous assessment of `after` (zh and en), or None.

    It must be of the same park (`park_id`, the park file's `profile.id`), and its latest data year
    (`year`) must not be later than `after`'s: an assessment of later data is not an earlier one.
    For two logged decisions the service's `previous_problem` (logged before) applies instead.

    Args:
        before: the previous result (an `Assessor.assess` result or a logged decision's).
        after: the current result.
        labels: how to name each (a file name or decision id), `(before, after)`.

    Example:
        >>> previous_result_problem({"park_id": "a", "year": 2023}, {"park_id": "a", "year": 2024},
        ...                         ("2023.yaml", "2024.yaml")) is None
        True
    """
    (p, c), (pid, cid) = labels, (before.get("park_id"), after.get("park_id"))
    if pid != cid:
        return Text(zh=f"上一次评估 {p} 属于园区 {pid!r}，不是 {c} 的园区 {cid!r}：只能与同一园区此前的评估比较",
                    en=f"previous assessment {p} is of park {pid!r}, not of {c}'s park {cid!r}: only the same "
                       "park's earlier assessments compare")
    py, cy = before.get("year"), after.get("year")
    if isinstance(py, int) and isinstance(cy, int) and py > cy:
        return Text(zh=f"上一次评估 {p} 的最新数据年份为 {py}，晚于 {c} 的 {cy}：较新数据的评估不能作为上一次评估",
                    en=f"previous assessment {p} has data up to {py}, later than {c}'s {cy}: an assessment of "
                       "later data cannot be the previous one")
    return None


def category(kind: str, before: str | None, after: str | None, sev_before: str | None = None,
             sev_after: str | None = None) -> str:
    """The category of one finding, from its status (and severity) before and after (None: absent).

    Example:
        >>> category("compliance", "met", "not_met"), category("compliance", "not_met", None)
        ('regressed', 'resolved')
    """
    if kind == "measure":
        return {(False, True): "proposed", (True, False): "withdrawn"}.get((before is not None, after is not None),
                                                                          "unchanged")
    if before is None:
        return "new" if after in OPEN else "added"
    if after is None:
        return "resolved" if before in ("not_met", "problem") else "dropped"
    if before == after:
        if sev_before != sev_after and before in ("not_met", "problem"):
            return "changed_severity"
        return "persisting" if before in OPEN else "unchanged"
    if before in ("not_met", "problem") and after == "met":
        return "resolved"
    if before == "met" and after == "not_met":
        return "regressed"
    if before == "insufficient_data" and after == "met":
        return "improved"
    return "status_changed"


def _label(result: dict, label: str | None) -> dict:
    rs = result.get("ruleset") or {}
    return {"label": label or result.get("decision_id") or None, "decision_id": result.get("decision_id"),
            "year": result.get("year"), "ruleset": (rs.get("versions") or {}).get("ruleset"),
            "profile": rs.get("profile"), "digest": rs.get("digest"), "input_digest": result.get("input_digest")}


def _summary(result: dict) -> dict:
    s = result.get("summary") or {}
    return {k: s.get(k) for k in ("findings", "by_kind", "by_status", "compliance_rate", "decided", "undecided",
                                  "conclusion")}


def indicators_of(finding: dict) -> list[str]:
    """The derived indicators a finding is about, in order of first mention.

    Example:
        >>> indicators_of({"id": "IM-P-005@PC-C-003@ind:co2_per_tce", "evidence": {}})
        ['co2_per_tce']
    """
    names = _IND.findall(finding.get("id", ""))
    ev = finding.get("evidence") or {}
    for fact in ev.get("facts") or []:
        f, path = str(fact.get("fact") or ""), str(fact.get("path") or "")
        if f.startswith("ind:"):
            names.append(f[4:])
        if path.startswith("derived."):
            names.append(path[len("derived."):].split(" ")[0])
    names += ((finding.get("answers_subjects") or {}).get("indicators") or [])
    return list(dict.fromkeys(n for n in names if re.fullmatch(r"[A-Za-z0-9_]+", n)))


def _value(result: dict, name: str) -> tuple[float | None, str | None, bool]:
    """(value, unit, known) of indicator `name` in the result's data year."""
    entry = ((result.get("derived") or {}).get(str(result.get("year"))) or {}).get(name)
    if not isinstance(entry, dict):
        return None, None, False
    v = entry.get("value")
    return (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None), entry.get("unit"), True


def movement(before: dict, after: dict, names: list[str]) -> list[dict]:
    """Each indicator's value in each result's data year and the change (None where unknown)."""
    out = []
    for name in names:
        v0, u0, k0 = _value(before, name)
        v1, u1, k1 = _value(after, name)
        if not (k0 or k1):
            continue
        unit = u1 or u0
        same = u0 == u1 or not (k0 and k1)
        change = v1 - v0 if v0 is not None and v1 is not None and same else None
        out.append({"indicator": name, "before": v0, "after": v1, "unit": unit,
                    "change": change, "change_unit": _CHANGE_UNIT.get(unit or "", unit),
                    "year_before": before.get("year"), "year_after": after.get("year")})
    return out


def diff_results(before: dict, after: dict, *, labels: tuple[str | None, str | None] = (None, None)) -> dict:
    """Compare two assessment results of the same park (see the module docstring for categories).

    Args:
        before: the earlier result (an `Assessor.assess` result or a logged decision's JSON).
        after: the later one.
        labels: how to name each side (a file name or decision id); default: its `decision_id`.

    Returns:
        `{"park_id", "before", "after", "same_ruleset", "findings": [...], "counts", "summary"}`;
        `findings` lists every category but `unchanged`, worst first.

    Raises:
        ParkMismatch: the results are of different parks.
    """
    p0, p1 = before.get("park_id"), after.get("park_id")
    if p0 != p1:
        raise ParkMismatch(f"cannot compare assessments of different parks: {p0!r} and {p1!r}")
    before, after = expand(before), expand(after)       # either may be a stored format 2 result
    then = {f["id"]: f for f in before.get("findings") or []}
    now = {f["id"]: f for f in after.get("findings") or []}
    entries: list[dict] = []
    counts = dict.fromkeys(CATEGORIES, 0)
    for fid in list(then) + [i for i in now if i not in then]:
        f0, f1 = then.get(fid), now.get(fid)
        f = f1 or f0
        cat = category(f.get("kind"), f0 and f0.get("status"), f1 and f1.get("status"),
                       f0 and f0.get("severity"), f1 and f1.get("severity"))
        folded = (f1 or {}).get("folded_into") or (f0 or {}).get("folded_into")
        if not folded:
            counts[cat] += 1
        if cat == "unchanged":
            continue
        names = list(dict.fromkeys(indicators_of(f0 or {}) + indicators_of(f1 or {})))
        entries.append({
            "id": fid, "rule": f.get("rule"), "kind": f.get("kind"), "category": cat,
            "before": {"status": f0.get("status"), "severity": f0.get("severity")} if f0 else None,
            "after": {"status": f1.get("status"), "severity": f1.get("severity")} if f1 else None,
            "title": f.get("title"), "clauses": f.get("clauses") or [],
            "explanation": {"before": f0.get("explanation") if f0 else None,
                            "after": f1.get("explanation") if f1 else None},
            "folded_into": folded, "indicators": movement(before, after, names)})
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    sev = {s: i for i, s in enumerate(_SEVERITY)}

    def order(e: dict) -> tuple:
        side = e["after"] or e["before"]
        return rank[e["category"]], sev.get(side.get("severity"), len(sev)), e["id"]
    entries.sort(key=order)
    b, a = _label(before, labels[0]), _label(after, labels[1])
    return {"park_id": p1, "park_name": after.get("park_name") or before.get("park_name"),
            "before": b, "after": a,
            "same_ruleset": (b["ruleset"], b["profile"], b["digest"]) == (a["ruleset"], a["profile"], a["digest"]),
            "findings": entries, "counts": counts,
            "summary": {"before": _summary(before), "after": _summary(after)}}
