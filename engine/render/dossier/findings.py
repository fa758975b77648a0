"""Findings as the dossier shows them: one view per finding, problems grouped by rule with what
restates them folded underneath, measures in rank order with why, the data to collect.

Every part of the result that issue 10's summary work adds (`folded_into`, `rank_reason`,
`legal_basis`, `magnitude`, `answers_subjects`, `summary.to_collect`) is read with `.get()`: the
dossier works without them and shows them when they are there.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from ...subject_words import subject_label
from .numfmt import quantity
from .words import SEVERITY, STATUS, WORDS

__all__ = ["view", "subject_label", "problem_groups", "measure_rows", "to_collect", "SEVERITY_ORDER"]

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_STATUS_ORDER = {"not_met": 0, "problem": 1, "insufficient_data": 2, "met": 3, "not_applicable": 4, "recommended": 5}


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("zh") or value.get("en") or "")
    return "" if value is None else str(value)


def view(f: dict, lang: str, names: dict[str, str] | None = None, knowledge: Any = None) -> dict:
    """The fields a template needs from one finding, in `lang`."""
    return {"id": f["id"], "rule": f.get("rule", ""), "kind": f.get("kind", ""), "status": f.get("status", ""),
            "status_label": STATUS[lang].get(f.get("status", ""), f.get("status", "")),
            "severity": f.get("severity", ""), "severity_label": SEVERITY[lang].get(f.get("severity", ""), ""),
            "clauses": list(f.get("clauses", [])), "title": _text(f.get("title"), lang),
            "explanation": _text(f.get("explanation"), lang), "unverified": bool(f.get("unverified")),
            "missing": list(f.get("missing", [])),
            "subject": subject_label(f["id"], lang, names or {}, knowledge)}


def problem_groups(result: dict, lang: str, names: dict[str, str], knowledge: Any) -> list[dict]:
    """存在的问题: every problem and unmet verdict that restates nothing, grouped by rule (one title,
    one line per subject), most severe first; the findings folded into one (`folded_into`) are
    listed under it."""
    findings = result.get("findings", [])
    by_id = {f["id"]: f for f in findings}
    folded: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        target = f.get("folded_into")
        if target and target in by_id and target != f["id"]:
            folded[target].append(view(f, lang, names, knowledge))
    shown = [f for f in findings if f.get("status") in ("problem", "not_met")
             and not (f.get("folded_into") and f["folded_into"] in by_id)]
    groups: dict[str, dict] = {}
    for f in shown:
        v = view(f, lang, names, knowledge)
        v["folded"] = folded.get(f["id"], [])
        g = groups.setdefault(f.get("rule", f["id"]), {
            "rule": v["rule"], "title": v["title"], "status": v["status"], "status_label": v["status_label"],
            "severity": v["severity"], "severity_label": v["severity_label"], "clauses": v["clauses"], "items": []})
        if SEVERITY_ORDER.get(v["severity"], 9) < SEVERITY_ORDER.get(g["severity"], 9):
            g["severity"], g["severity_label"] = v["severity"], v["severity_label"]
        g["items"].append(v)
    return sorted(groups.values(), key=lambda g: (SEVERITY_ORDER.get(g["severity"], 9),
                                                  _STATUS_ORDER.get(g["status"], 9), g["rule"]))


def _why(f: dict, lang: str) -> str:
    reason = _text(f.get("rank_reason"), lang)
    if reason:
        return reason
    answers = f.get("evidence", {}).get("answers", [])
    if not answers:
        return ""
    worst = min((a.get("severity", "info") for a in answers), key=lambda s: SEVERITY_ORDER.get(s, 9))
    n = len(answers) if lang == "zh" else f"{len(answers)} finding{'' if len(answers) == 1 else 's'}"
    return WORDS[lang]["rank_default"].format(n=n, sev=SEVERITY[lang].get(worst, worst))


def _subjects(f: dict, lang: str, names: dict[str, str], knowledge: Any) -> list[str]:
    subjects = f.get("answers_subjects") or {}
    given = f.get("subject_labels") or {}
    if given:                       # the result names its subjects: no park or knowledge needed
        return [given[s][lang] if s in given else s.split(":", 1)[-1]
                for k in ("enterprises", "targets", "tasks", "indicators") for s in subjects.get(k) or []]
    out: list[str] = []
    for fid in subjects.get("enterprises", []) or []:
        out.append(names.get(fid, fid.removeprefix("ent:")))
    for fid in subjects.get("targets", []) or []:
        out.append(names.get(fid) or subject_label("x@" + (fid if ":" in fid else f"target:{fid}"), lang, names,
                                                   knowledge))
    for fid in subjects.get("tasks", []) or []:
        out.append(names.get(fid) or subject_label("x@" + (fid if ":" in fid else f"task:{fid}"), lang, names,
                                                   knowledge))
    for name in subjects.get("indicators", []) or []:
        ind = knowledge.indicators.get(name) if knowledge is not None else None
        out.append(ind.name.get(lang) if ind is not None else name)
    return out


def measure_rows(result: dict, lang: str, names: dict[str, str], knowledge: Any) -> list[dict]:
    """有关建议: measures in rank order (1 = act first), each with why it ranks there, what it
    answers, its legal basis and the magnitude it addresses when the result gives them."""
    findings = result.get("findings", [])
    by_id = {f["id"]: f for f in findings}
    measures = [f for f in findings if f.get("kind") == "measure" and not f.get("folded_into")]
    measures.sort(key=lambda f: (f.get("rank") is None, f.get("rank") or 0, f["id"]))
    rows = []
    for i, f in enumerate(measures, 1):
        v = view(f, lang, names, knowledge)
        answers = []
        for a in f.get("evidence", {}).get("answers", []):
            target = by_id.get(a.get("finding", ""))
            answers.append({"id": a.get("finding", ""), "status": a.get("status", ""),
                            "status_label": STATUS[lang].get(a.get("status", ""), a.get("status", "")),
                            "title": _text(target.get("title"), lang) if target else a.get("finding", ""),
                            "subject": subject_label(a.get("finding", ""), lang, names, knowledge)})
        magnitude = f.get("magnitude") or None
        mag_label = _text(magnitude.get("label"), lang) if isinstance(magnitude, dict) else ""
        v.update(rank=f.get("rank") or i, why=_why(f, lang), answers=answers,
                 legal_basis=_text(f.get("legal_basis"), lang),
                 magnitude=((mag_label + ("：" if lang == "zh" else ": ") if mag_label else "") + quantity(magnitude.get("value"), magnitude.get("unit"), lang)
                            if isinstance(magnitude, dict) and magnitude.get("value") is not None else ""),
                 # the ranking reason, when given, already spells out how the magnitude was computed
                 magnitude_basis=_text(magnitude.get("basis"), lang) if isinstance(magnitude, dict)
                 and not f.get("rank_reason") else "",
                 subjects=_subjects(f, lang, names, knowledge),
                 catalogue=_text((f.get("measure") or {}).get("title"), lang))
        rows.append(v)
    return rows


def to_collect(result: dict) -> list[dict]:
    """Every park-file path an undecided verdict names, merged, most-needed first
    (`summary.to_collect` when the result has it)."""
    given = (result.get("summary") or {}).get("to_collect")
    if isinstance(given, list):
        return [{"path": x.get("path", ""), "findings": [*x.get("findings", []), *x.get("requirements", [])]}
                for x in given]
    needed: dict[str, list[str]] = defaultdict(list)
    for f in result.get("findings", []):
        if f.get("status") == "insufficient_data":
            for path in f.get("missing", []):
                needed[path].append(f["id"])
    return [{"path": p, "findings": ids} for p, ids in sorted(needed.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
