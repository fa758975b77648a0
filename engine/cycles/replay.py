"""Rule-change impact: stored decisions re-assessed under another ruleset version, and what that
does to their verdicts.

For each park, the latest logged decision (or the given parks' latest) is assessed again from its
stored input, under ruleset version V and the benchmark profile the decision was made with. The
new result is compared with the stored one by finding id (`engine.cycles.diff.diff_results`):

* `appears`: a finding the stored result does not have (a verdict, a problem or a measure);
* `disappears`: a stored finding the new result does not have;
* `changes`: a finding in both whose status or severity differs.

Findings folded into others (`folded_into`) are listed like any other: every finding that differs
is reported, so the lists are exactly the findings whose (status, severity) differ. The portfolio
summary counts the parks affected and, per rule, the findings that appear, disappear or change.
Nothing is written to the decision log.

Example:
    >>> report = portfolio_report("1.1.0", [replay_park(d_id, stored, new)])   # doctest: +SKIP
    >>> report["summary"]["parks_affected"]                                    # doctest: +SKIP
    1
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from .diff import diff_results

__all__ = ["replay_park", "portfolio_report", "latest_decisions", "failed_park", "replay_decisions"]

_PAGE = 100


class _Log(Protocol):       # engine.service.decisions.DecisionLog, as far as this module uses it
    def find(self, *, park_id: str | None, key_id: str | None, all_callers: bool, limit: int,
             offset: int) -> tuple[list[Any], int]: ...

    def get(self, decision_id: str) -> Any: ...


def latest_decisions(log: _Log, parks: Iterable[str] | None = None) -> Iterator[Any]:
    """The newest decision of each park in the log (every caller's), or of each park in `parks`
    (in that order; a park with no decision yields nothing - the caller checks)."""
    def newest(park_id: str | None) -> Iterator[Any]:
        offset = 0
        while True:
            page, total = log.find(park_id=park_id, key_id=None, all_callers=True, limit=_PAGE, offset=offset)
            yield from page
            offset += len(page)
            if not page or offset >= total:
                return
    if parks is not None:
        for p in dict.fromkeys(parks):
            head = next(newest(p), None)
            if head is not None:
                yield log.get(head.decision_id)
        return
    seen: set[str] = set()
    for d in newest(None):
        if d.park_id not in seen:
            seen.add(d.park_id)
            yield log.get(d.decision_id)


def _line(entry: dict) -> dict:
    return {"id": entry["id"], "rule": entry["rule"], "kind": entry["kind"], "title": entry["title"],
            "before": entry["before"], "after": entry["after"], "folded_into": entry["folded_into"],
            "indicators": entry["indicators"]}


def replay_park(decision_id: str, stored: dict, replayed: dict) -> dict:
    """One park's report: the findings that appear, disappear or change between the stored result
    and the replayed one."""
    diff = diff_results(stored, replayed, labels=(decision_id, None))
    out: dict[str, list] = {"appears": [], "disappears": [], "changes": []}
    for e in diff["findings"]:
        b, a = e["before"], e["after"]
        if b is None:
            out["appears"].append(_line(e))
        elif a is None:
            out["disappears"].append(_line(e))
        elif (b["status"], b["severity"]) != (a["status"], a["severity"]):
            out["changes"].append(_line(e))
    rs = stored.get("ruleset") or {}
    return {"park_id": stored.get("park_id"), "park_name": stored.get("park_name"), "decision_id": decision_id,
            "profile": rs.get("profile"), "ruleset_before": (rs.get("versions") or {}).get("ruleset"),
            "ruleset_after": ((replayed.get("ruleset") or {}).get("versions") or {}).get("ruleset"),
            "affected": any(out.values()), **out,
            "summary": {"before": diff["summary"]["before"], "after": diff["summary"]["after"]}}


def failed_park(decision_id: str, park_id: str, error: str) -> dict:
    """A park whose stored input could not be re-assessed under the version (named, never dropped)."""
    return {"park_id": park_id, "decision_id": decision_id, "error": error, "affected": None,
            "appears": [], "disappears": [], "changes": []}


def portfolio_report(version: str, parks: list[dict]) -> dict:
    """The portfolio's report: each park's replay and a summary (parks affected, per rule the
    findings that appear, disappear or change)."""
    by_rule: dict[str, dict] = {}
    for p in parks:
        for what in ("appears", "disappears", "changes"):
            for line in p[what]:
                row = by_rule.setdefault(line["rule"], {"rule": line["rule"], "kind": line["kind"],
                                                        "title": line["title"], "appears": 0, "disappears": 0,
                                                        "changes": 0, "parks": []})
                row[what] += 1
                if p["park_id"] not in row["parks"]:
                    row["parks"].append(p["park_id"])
    rules = sorted(by_rule.values(), key=lambda r: (-(r["appears"] + r["disappears"] + r["changes"]), r["rule"]))
    return {"ruleset": version, "parks": parks,
            "summary": {"parks": len(parks), "parks_affected": sum(p["affected"] is True for p in parks),
                        "parks_failed": sum("error" in p for p in parks),
                        "findings_differing": sum(len(p[w]) for p in parks for w in ("appears", "disappears",
                                                                                      "changes")),
                        "by_rule": rules}}


def replay_decisions(decisions: Iterable[Any], version: str, assess: Any) -> list[dict]:
    """Each decision's park report (`replay_park`), re-assessed by `assess(input_bytes, version,
    profile) -> result dict`; a decision whose input does not assess under `version` (a
    GreenparkError) is reported with its error (`failed_park`), not dropped."""
    import json

    from ..errors import GreenparkError
    from ..result_format import load_result
    out = []
    for d in decisions:
        stored = load_result(d.result)
        try:
            new = assess(d.input, version, (stored.get("ruleset") or {}).get("profile"))
        except GreenparkError as exc:
            out.append(failed_park(d.decision_id, d.park_id, str(exc)))
            continue
        out.append(replay_park(d.decision_id, stored, new))
    return out
