"""The result summary: counts, the compliance rate with its coverage, and - given the ruleset - the
clause 7.2 overall conclusion in one sentence, the verdicts per category (PDCA phase, 6.x area, EIP
category), one merged list of the data to collect, and the verdicts per framework.

    >>> s = summarize(findings, ruleset, fs)              # doctest: +SKIP
    >>> s["conclusion"]["en"]                              # doctest: +SKIP
    'The park is within the guide's scope; of the 89 compliance checks decided, 51 are met (57.3%) ...'

How a finding is placed (rule metadata, computed once per ruleset digest):

* **phase**: the PDCA phase of the first clause it cites (knowledge/clauses.yaml `phase`); the
  clause 1 scope verdict belongs to none of plan/do/check/act.
* **area**: the first 6.2-6.11 clause it cites; a finding citing none is in no area.
* **eip**: the `eip_category` of the first clause it cites outside sections 7 and 8 (evaluation
  and improvement are steps applied to every topic, so a 7.3 verdict on water reuse is
  environmental through its 6.9), else of its first clause.

Category counts: `met`, `not_met`, `undecided` (insufficient_data) and `not_applicable` count
compliance verdicts; `problems` counts problems not folded into another finding; `measures`
counts measures; `rate` = met ÷ decided × 100 (null when nothing is decided); `total` = met +
not_met + undecided.

What the rate measures: the requirements the guide sets on the park. A rule marked
`data_completeness` checks only that data are reported or computable (5.2's status analysis); its
verdicts are counted apart, in `data_checks`, and in no rate, category or framework row - counted
in, a park would score on reporting its figures, whatever they show. The conclusion names the
legal obligations not yet fulfilled (compliance rules marked `legal_obligation`) and the MIIT
green-park basic requirements not conformed to (engine/basic_requirements.py, as the dossier
shows them), which a rate alone hides.
"""
from __future__ import annotations

from collections import defaultdict

from .basic_requirements import conformity, requirements

__all__ = ["summarize", "requirement_counts"]

_PHASES = ("plan", "do", "check", "act")
_PHASE_CLAUSE = {"plan": "5", "do": "6", "check": "7", "act": "8"}
_AREAS = tuple(f"6.{i}" for i in range(2, 12))
_SCORE_NOTE = {"zh": "knowledge/ 中没有任何框架给出我们掌握其权重的评分方法，故不计分，仅给出达标数和达标率。",
               "en": "No framework in knowledge/ defines a scoring method whose weights we hold, so no score is "
                     "given; only the counts and the compliance rate."}


def summarize(findings: list[dict], ruleset=None, fs=None) -> dict:
    """Counts by kind, status and severity; the compliance rate over the decided checks, with its
    coverage (decided ÷ all compliance verdicts that apply). With the ruleset, also `conclusion`,
    `categories`, `to_collect`, `frameworks` and `folded` (problems folded into another finding).

    One pass over the findings; what depends only on the rules is computed once per ruleset.

    Args:
        findings: the assessment's findings (measures ranked).
        ruleset: the ruleset they came from; None gives the counts only.
        fs: the engine facts (the park fact says whether the guide applies by reference).
    """
    kinds: dict = defaultdict(int)
    statuses: dict = defaultdict(int)
    severities: dict = defaultdict(int)
    buckets: dict = defaultdict(int)        # (rule, category field) -> count
    by_framework: dict = defaultdict(int)   # (frameworks, status) -> count of compliance verdicts
    needed: dict[str, list[str]] = {}       # missing path -> findings naming it
    data: dict = dict.fromkeys(("met", "not_met", "undecided", "not_applicable"), 0)
    data_rules = _data_rules(ruleset) if ruleset is not None else frozenset()
    folded = 0
    first_measure = None
    for f in findings:
        kind, status = f["kind"], f["status"]
        kinds[kind] += 1
        statuses[status] += 1
        severities[f["severity"]] += 1
        if kind == "compliance":
            if status == "insufficient_data":
                for path in f.get("missing", ()):
                    needed.setdefault(path, []).append(f["id"])
            if f["rule"] in data_rules:
                data[_FIELD[status]] += 1
                continue
            buckets[(f["rule"], _FIELD[status])] += 1
            by_framework[(tuple(f["frameworks"]), status)] += 1
        elif kind == "problem":
            if "folded_into" in f:
                folded += 1
            else:
                buckets[(f["rule"], "problems")] += 1
        else:
            buckets[(f["rule"], "measures")] += 1
            if first_measure is None or f.get("rank") == 1:
                first_measure = f
    met = _total(buckets, "met")
    not_met = _total(buckets, "not_met")
    unknown = _total(buckets, "undecided")
    data["decided"] = data["met"] + data["not_met"]
    data["rules"] = sorted({f["rule"] for f in findings if f["rule"] in data_rules})
    out = {"findings": len(findings), "by_kind": dict(sorted(kinds.items())),
           "by_status": dict(sorted(statuses.items())), "by_severity": dict(sorted(severities.items())),
           "compliance_rate": round(met / (met + not_met) * 100, 1) if met + not_met else None,
           "decided": met + not_met, "undecided": unknown, "data_checks": data}
    if ruleset is None:
        return out
    out["folded"] = folded
    out_of_scope = any(buckets.get((rid, "not_applicable")) for rid in _scope_rules(ruleset))
    problems = kinds.get("problem", 0) - folded
    judged = conformity(findings, fs)
    if out_of_scope:        # nothing but the scope is assessed: no requirement is judged
        judged = [c._replace(verdict="not_judged", findings=[], collect=[]) for c in judged]
    out["conclusion"] = _conclusion(out, met, out_of_scope, problems, kinds.get("measure", 0), first_measure, fs,
                                    _weighty_failures(buckets, judged, ruleset))
    out["basic_requirements"] = [{"id": c.requirement["id"], "verdict": c.verdict,
                                  **({"collect": c.collect} if c.collect else {})} for c in judged]
    out["categories"] = _categories(buckets, _places(ruleset), ruleset.knowledge)
    out["to_collect"] = _to_collect(needed, judged)
    out["frameworks"] = _frameworks(by_framework, ruleset.knowledge)
    return out


def _to_collect(needed: dict[str, list[str]], judged: list) -> list[dict]:
    """Every park-file path an undecided verdict names, with the findings it would decide, and the
    basic requirements undecided on it (`requirements`); the most needed first."""
    out = {p: {"path": p, "findings": sorted(ids)} for p, ids in needed.items()}
    for c in judged:
        for p in c.collect:
            out.setdefault(p, {"path": p, "findings": []}).setdefault("requirements", []).append(c.requirement["id"])
    return sorted(out.values(), key=lambda x: (-len(x["findings"]) - len(x.get("requirements", ())), x["path"]))


def requirement_counts(summary: dict) -> dict[str, int]:
    """Compliance verdicts by status (met, not_met, insufficient_data, not_applicable) without the
    data-completeness checks, as the rate and the conclusion count them; of a result logged before
    they were counted apart, its `by_status` as it is."""
    by, data = summary.get("by_status") or {}, summary.get("data_checks") or {}
    return {status: by.get(status, 0) - data.get(_FIELD[status], 0) for status in _FIELD}


_FIELD = {"met": "met", "not_met": "not_met", "insufficient_data": "undecided", "not_applicable": "not_applicable"}


def _total(buckets: dict, field: str) -> int:
    return sum(n for (_, f), n in buckets.items() if f == field)


# -- placing rules ------------------------------------------------------------------------------

_PLACES: dict[str, dict[str, tuple]] = {}
_SCOPE: dict[str, tuple[str, ...]] = {}
_DATA: dict[str, frozenset[str]] = {}
_LEGAL: dict[str, frozenset[str]] = {}


def _data_rules(ruleset) -> frozenset[str]:
    found = _DATA.get(ruleset.digest)
    if found is None:
        _DATA.clear()
        found = _DATA[ruleset.digest] = frozenset(rid for rid, m in ruleset.meta.items() if m.data_completeness)
    return found


def _legal_rules(ruleset) -> frozenset[str]:
    """Compliance rules whose unmet verdicts are obligations of law not fulfilled (`legal_obligation`,
    answered by a measure with a legal basis). Not every rule such a measure answers: the park's
    audit rate against MIIT's 100 % is a benchmark, which the basic requirements name. Once per
    ruleset digest."""
    found = _LEGAL.get(ruleset.digest)
    if found is None:
        _LEGAL.clear()
        found = _LEGAL[ruleset.digest] = frozenset(rid for rid, m in ruleset.meta.items() if m.legal_obligation)
    return found


def _weighty_failures(buckets: dict, judged: list, ruleset) -> dict[str, list]:
    """"legal": [(rule title, unmet verdicts)] in rule-id order; "basic": [name] of each basic
    requirement not conformed to (engine/basic_requirements.py, as the dossier shows them);
    "basic_undecided": [name] of those the data cannot decide; of "requirements" in all."""
    legal = _legal_rules(ruleset)
    return {"legal": [(ruleset.meta[rule].title, n) for (rule, field), n in sorted(buckets.items())
                      if field == "not_met" and rule in legal],
            "basic": [c.requirement["name"] for c in judged if c.verdict == "not_met"],
            "basic_undecided": [c.requirement["name"] for c in judged if c.verdict == "undecided"],
            "basic_not_judged": [c.requirement["name"] for c in judged if c.verdict == "not_judged"],
            "requirements": len(requirements())}


def _scope_rules(ruleset) -> tuple[str, ...]:
    found = _SCOPE.get(ruleset.digest)
    if found is None:
        _SCOPE.clear()
        found = _SCOPE[ruleset.digest] = tuple(rid for rid, m in ruleset.meta.items() if m.scope)
    return found


def _places(ruleset) -> dict[str, tuple]:
    """rule id -> (phase or None, area or None, eip category or None); once per ruleset digest."""
    found = _PLACES.get(ruleset.digest)
    if found is None:
        _PLACES.clear()
        clauses = ruleset.knowledge.clauses
        found = {}
        for rid, meta in ruleset.meta.items():
            cited = [clauses[c] for c in meta.clauses if c in clauses]
            phase = cited[0].phase if cited and cited[0].phase in _PHASES else None
            area = next((c.id for c in cited if c.id in _AREAS), None)
            topical = next((c for c in cited if c.phase not in ("check", "act")), cited[0] if cited else None)
            found[rid] = (phase, area, getattr(topical, "eip_category", None))
        _PLACES[ruleset.digest] = found
    return found


# -- categories ---------------------------------------------------------------------------------

def _categories(buckets: dict, places: dict, knowledge) -> list[dict]:
    clauses = knowledge.clauses
    rows: dict[tuple[str, str], dict] = {}
    for p in _PHASES:
        rows[("phase", p)] = _row("phase", p, clauses[_PHASE_CLAUSE[p]].title.model_dump())
    for a in _AREAS:
        t = clauses[a].title
        rows[("area", a)] = _row("area", a, {"zh": f"{a} {t.zh}", "en": f"{a} {t.en}"})
    for e, title in knowledge.eip_categories.items():
        rows[("eip", e)] = _row("eip", e, title.model_dump())
    for (rule, key), n in buckets.items():
        for group, value in zip(("phase", "area", "eip"), places.get(rule, (None, None, None))):
            if value is not None:
                rows[(group, value)][key] += n
    for row in rows.values():
        row["decided"] = row["met"] + row["not_met"]
        row["total"] = row["decided"] + row["undecided"]
        row["rate"] = round(row["met"] / row["decided"] * 100, 1) if row["decided"] else None
    return list(rows.values())


def _row(group: str, cid: str, label: dict) -> dict:
    return {"group": group, "id": cid, "label": label, "met": 0, "not_met": 0, "undecided": 0,
            "not_applicable": 0, "problems": 0, "measures": 0}


# -- frameworks ---------------------------------------------------------------------------------

def _frameworks(by_framework: dict, knowledge) -> list[dict]:
    """Compliance verdicts per framework measured against; a verdict on a requirement of the guide
    with no benchmark counts for the guide."""
    names = knowledge.frameworks
    rows: dict[str, dict] = {}
    for (frameworks, status), n in by_framework.items():
        for fw in frameworks or ("guide",):
            row = rows.get(fw)
            if row is None:
                label = names[fw].name.model_dump() if fw in names else {"zh": fw, "en": fw}
                row = rows[fw] = {"framework": fw, "label": label, "met": 0, "not_met": 0, "undecided": 0,
                                  "not_applicable": 0}
            row[_FIELD[status]] += n
    out = []
    for fw in sorted(rows, key=lambda k: (k != "guide", k)):
        row = rows[fw]
        row["decided"] = row["met"] + row["not_met"]
        row["total"] = row["decided"] + row["undecided"]
        row["rate"] = round(row["met"] / row["decided"] * 100, 1) if row["decided"] else None
        row["score"] = None
        row["score_note"] = dict(_SCORE_NOTE)
        out.append(row)
    return out


# -- the conclusion -----------------------------------------------------------------------------

def _conclusion(counts: dict, met: int, out_of_scope: bool, problems: int, n_measures: int, first: dict | None,
                fs, weighty: dict[str, list]) -> dict:
    """Clause 7.2's overall qualitative conclusion, one sentence in each language."""
    title = first["title"] if first else None
    if out_of_scope:
        zh = "园区没有专门管理机构，不属于指南的适用范围（第1章），未作其他评价"
        en = ("The park has no dedicated management body and is outside the guide's scope (clause 1), so nothing "
              "else was assessed")
        if title:
            zh += f"；首要措施为“{title['zh']}”"
            en += f"; the first measure is \"{title['en']}\""
        return {"zh": zh + "。", "en": en + "."}
    park = next((f for f in (fs.facts if fs is not None else ()) if f.get("id") == "park"), {})
    by_reference = park.get("level") == "other" or park.get("park_type") == "industry_cluster"
    zh = ["园区参照适用指南（第1章）" if by_reference else "园区属于指南适用范围"]
    en = ["The park follows the guide by reference (clause 1)" if by_reference else "The park is within the guide's scope"]
    decided, undecided = counts["decided"], counts["undecided"]
    not_met = decided - met
    if decided:
        zh.append(f"已判定的 {decided:,} 项合规检查中 {met:,} 项达标（{counts['compliance_rate']:.1f}%），"
                  f"{not_met:,} 项未达标" + (f"，另有 {undecided:,} 项因数据不足未能判定" if undecided else ""))
        en.append(f"of the {decided:,} compliance check{_s(decided)} decided, {met:,} {_are(met)} met "
                  f"({counts['compliance_rate']:.1f}%) and {not_met:,} not met"
                  + (f", and {undecided:,} more could not be decided for lack of data" if undecided else ""))
    elif undecided:
        zh.append(f"{undecided:,} 项合规检查均因数据不足未能判定")
        en.append(f"none of the {undecided:,} compliance check{_s(undecided)} could be decided for lack of data")
    if weighty["legal"]:
        zh.append("尚未完成的法定义务：" + "、".join(f"“{_inner(t.zh)}”（{n:,} 项）" for t, n in weighty["legal"]))
        en.append("legal obligations not yet fulfilled: " + ", ".join(f"\"{t.en}\" ({n:,})" for t, n in weighty["legal"]))
    basic, open_, of = weighty["basic"], weighty.get("basic_undecided", []), weighty["requirements"]
    unjudged = weighty.get("basic_not_judged", []) if not out_of_scope else []
    if basic or open_ or unjudged:
        parts_zh = [f"{len(names):,} 项{word}：" + "、".join(f"“{_inner(n['zh'])}”" for n in names)
                    for names, word in ((basic, "不符合"), (open_, "因数据不足无法判定"),
                                        (unjudged, "未作评价（无适用的检查）")) if names]
        parts_en = [f"{len(names):,} {word}: " + ", ".join(f"\"{n['en']}\"" for n in names)
                    for names, word in ((basic, "not conformed to"), (open_, "undecided for lack of data"),
                                        (unjudged, "not judged (no check applies)")) if names]
        zh.append(f"绿色园区基本要求 {of:,} 项中 " + "，".join(parts_zh))
        en.append(f"{len(basic):,} of the {of:,} green-park basic requirements not conformed to: "
                  + ", ".join(f"\"{n['en']}\"" for n in basic) if not open_ and not unjudged else
                  f"of the {of:,} green-park basic requirements, " + "; ".join(parts_en))
    data = counts["data_checks"]
    if data["decided"] or data["undecided"]:
        parts_zh = [f"{data['met']:,} 项齐备"] + ([f"{data['not_met']:,} 项不齐备"] if data["not_met"] else []) \
            + ([f"{data['undecided']:,} 项无法判定"] if data["undecided"] else [])
        parts_en = [f"{data['met']:,} complete"] + ([f"{data['not_met']:,} not"] if data["not_met"] else []) \
            + ([f"{data['undecided']:,} undecided"] if data["undecided"] else [])
        n = data["decided"] + data["undecided"]
        zh.append(f"另有 {n:,} 项数据齐备检查不计入达标率：" + "，".join(parts_zh))
        en.append(f"{n:,} data-completeness check{_s(n)}, outside the rate: " + ", ".join(parts_en))
    if problems or n_measures:
        zh.append(f"诊断出 {problems:,} 个问题，提出 {n_measures:,} 项措施"
                  + (f"，首要措施为“{title['zh']}”" if title else ""))
        en.append(f"{problems:,} problem{_s(problems)} {_were(problems)} diagnosed and {n_measures:,} "
                  f"measure{_s(n_measures)} proposed" + (f", the first being \"{title['en']}\"" if title else ""))
    else:
        zh.append("未诊断出问题，无需提出措施")
        en.append("no problem was diagnosed and no measure is needed")
    return {"zh": "；".join(zh) + "。", "en": "; ".join(en) + "."}


def _inner(title: str) -> str:
    """A title quoted inside “…”: its own quotation marks become the inner ‘…’."""
    return title.replace("“", "‘").replace("”", "’")


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _are(n: int) -> str:
    return "is" if n == 1 else "are"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"
