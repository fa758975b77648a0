"""Engine matches -> explained findings: what was found, under which clause, on which facts,
against which number from which source.

Every finding carries `evidence` (fact paths, values, units; benchmarks with framework, source
and V/C/U/D tag), a bilingual explanation rendered from the rule's template, `related` links
between problems and the measures answering them, and the engine `trace` it came from.
A finding that rests on an unverified (U) number says so in its explanation.

A problem that only restates another finding gets `folded_into` (its id; the finding stays in the
result): a problem binding a `finding` fact (a 7.4 diagnosis) is folded into the finding it binds,
and a problem whose rule `restates:` a compliance rule into that rule's not_met verdict on the
same subject fact. Measures are ranked by `engine.measure_ranking`.
"""
from __future__ import annotations

from collections import defaultdict

from .facts.builder import FactSet
from .facts.catalogue import KINDS
from .facts.vocabulary import VALUE_LABELS
from .indicators.compute import Indicators
from .measure_ranking import SEVERITY_RANK, rank_measures
from .rules import ir
from .rules.meta import RuleMeta
from .rules.packs import Ruleset
from .rules.templates import label_word, render
from .summary import summarize
from .text import Text

__all__ = ["build_findings", "SEVERITY_RANK", "summarize"]

_KIND_ORDER = {"problem": 0, "compliance": 1, "measure": 2}
_UNVERIFIED = {"zh": "（注：本结论所用数值 {ids} 未经核实（U），仅供参考。）",
               "en": " (Note: this finding rests on {values}: {ids}; treat as indicative.)"}


def build_findings(ruleset: Ruleset, matches: list[ir.Match], fs: FactSet, ind: Indicators,
                   park=None) -> list[dict]:
    """Findings of one assessment, sorted most important first (measures in rank order).

    Args:
        park: the park facts, for the water and solid-waste amounts measures are ranked by
            (None: those magnitudes stay unknown).
    """
    facts = fs.by_id()
    rules_by_id = ruleset.rules_by_id()
    made_by: dict[str, ir.Match] = {}          # derived fact id -> the match that asserted it
    derived_of: dict[int, str] = {}            # index of match -> derived fact id
    for i, m in enumerate(matches):  # derived facts exist only inside the engine: rebuild them
        rule = rules_by_id[m.rule]
        derived = ir.derived_fact(rule, [m.facts[p.alias] for p in rule.patterns])
        if derived is not None:
            facts[derived["id"]] = derived
            made_by[derived["id"]] = m
            derived_of[i] = derived["id"]

    findings: dict[str, dict] = {}
    plans, labels = _plans(ruleset), _labels(ruleset)
    derived_to_finding: dict[str, str] = {}
    measure_matches: list[tuple[RuleMeta, ir.Match]] = []
    for i, m in enumerate(matches):
        meta, status = ruleset.status_of(m.rule)
        if meta.kind == "measure":
            measure_matches.append((meta, m))
            continue
        bound = {alias: facts[fid] for alias, fid in m.facts.items()}
        fid = _finding_id(m, made_by)
        findings[fid] = _finding(fid, meta, status, bound, m, _plan(meta, ruleset, plans), labels, fs, ind)
        if i in derived_of:
            derived_to_finding[derived_of[i]] = fid
    _fold(findings, ruleset, derived_to_finding)
    answered_by: dict[str, list[dict]] = defaultdict(list)
    answered_seen: dict[str, set[tuple]] = defaultdict(set)   # a set: a measure may answer 10^4 findings
    traces: dict[str, list[dict]] = defaultdict(list)
    for meta, m in measure_matches:
        fact_id = m.facts["finding"]
        traces[meta.id].append({"engine_rule": m.rule, "facts": dict(m.facts)})
        target = derived_to_finding.get(fact_id)
        if target is not None:
            ref = {"finding": target, "rule": findings[target]["rule"], "status": findings[target]["status"],
                   "severity": findings[target]["severity"]}
        else:  # a finding given as an input fact (e.g. by a portal that diagnosed it elsewhere)
            fact = facts[fact_id]
            ref = {"finding": fact_id, "rule": fact["rule"], "status": fact["status"], "severity": fact["severity"]}
        key = tuple(ref.values())
        if key not in answered_seen[meta.id]:
            answered_seen[meta.id].add(key)
            answered_by[meta.id].append(ref)
    for rule_id, answered in answered_by.items():
        meta = ruleset.meta[rule_id]
        answered.sort(key=lambda a: a["finding"])
        worst = max((a["severity"] for a in answered), key=lambda s: SEVERITY_RANK.get(s, 0))
        f = _base(rule_id, meta, "recommended", worst if worst in SEVERITY_RANK else meta.severity,
                  _plan(meta, ruleset, plans))
        f["explanation"] = {lang: render(meta.explain["recommended"].get(lang), {}, {}, {}, lang)
                            for lang in ("zh", "en")}
        f["related"] = [a["finding"] for a in answered]
        f["evidence"] = {"answers": answered}
        if meta.measure:
            m_entry = ruleset.knowledge.measures[meta.measure]
            f["measure"] = {"id": meta.measure, "title": _text(m_entry.title),
                            "improves": list(getattr(m_entry, "improves", []) or [])}
        f["rank_score"] = [SEVERITY_RANK[f["severity"]], len(answered)]
        # firings in a fixed order: an engine may fire a measure's matches in any order (the oracle
        # and durable differ), and the result must not depend on which engine ran
        f["trace"] = sorted(traces[rule_id], key=lambda t: (t["engine_rule"], sorted(t["facts"].items())))
        findings[rule_id] = f
        for a in answered:
            if a["finding"] in findings:
                findings[a["finding"]]["related"].append(rule_id)
    measures = []
    for f in findings.values():
        f["related"].sort()
        if f["kind"] == "measure":
            measures.append(f)
    ordered = sorted((f for f in findings.values() if f["kind"] != "measure"), key=_order)
    return ordered + rank_measures(measures, findings, ruleset, facts, derived_to_finding, ind, park)


def _finding_id(m: ir.Match, made_by: dict[str, ir.Match]) -> str:
    """`RULE@subject+...`; a derived finding fact is named by its own finding's subject. (A plain
    function: a closure calling itself is a reference cycle, which kept every match of an
    assessment alive until the next garbage collection.)"""
    parts = []
    for alias, fid in m.facts.items():
        if alias == "park" and len(m.facts) > 1:
            continue
        parts.append(_finding_id(made_by[fid], made_by) if fid in made_by else fid)
    return f"{m.rule.split('#', 1)[0]}@{'+'.join(parts)}"


def _order(f: dict):
    return (_KIND_ORDER[f["kind"]], -SEVERITY_RANK[f["severity"]], f["rule"], f["id"])


def _fold(findings: dict[str, dict], ruleset: Ruleset, derived_to_finding: dict[str, str]) -> None:
    """Set `folded_into` on every problem that only restates another finding (see module doc)."""
    unmet: dict[tuple[str, str], str] = {}     # (compliance rule, subject fact id) -> not_met finding id
    problems = []
    for f in findings.values():
        if f["kind"] == "problem":
            problems.append(f)
        elif f["status"] == "not_met" and f["kind"] == "compliance":
            unmet[(f["rule"], f["trace"][0]["facts"].get(ruleset.meta[f["rule"]].subject))] = f["id"]
    if not problems:
        return
    for f in problems:
        meta = ruleset.meta[f["rule"]]
        bound = f["trace"][0]["facts"]
        target = next((derived_to_finding[fid] for alias, fid in bound.items()
                       if meta.aliases.get(alias) == "finding" and fid in derived_to_finding), None)
        if target is None and meta.restates:
            target = next((unmet[(rule, fid)] for rule in meta.restates for fid in bound.values()
                           if (rule, fid) in unmet), None)
        if target is not None and target != f["id"]:
            f["folded_into"] = target
    for f in problems:    # a finding folded into a folded one goes to the root
        seen = {f["id"]}
        while f.get("folded_into") in findings and "folded_into" in findings[f["folded_into"]]:
            nxt = findings[f["folded_into"]]["folded_into"]
            if nxt in seen:
                break
            seen.add(nxt)
            f["folded_into"] = nxt


_LABELS: dict[str, dict] = {}


def _labels(ruleset: Ruleset) -> dict:
    """Words for what an explanation may name, -> {zh, en}: closed values, indicator ids (with the
    indicator's `unit`, for `{t.target_value:qty}`) and rule ids (the rule's title, for a 7.4
    diagnosis naming the finding it diagnoses); built once per ruleset digest."""
    found = _LABELS.get(ruleset.digest)
    if found is None:
        if len(_LABELS) >= 16:
            _LABELS.clear()
        k = ruleset.knowledge
        found = _LABELS[ruleset.digest] = {
            **VALUE_LABELS,
            **{i: {**ind.name.model_dump(), "unit": ind.unit} for i, ind in k.indicators.items()},
            **{rule_id: meta.title.model_dump() for rule_id, meta in ruleset.meta.items()}}
    return found


_DUMPED: dict[int, tuple[Text, dict]] = {}


def _text(t: Text) -> dict:
    """`t.model_dump()`, memoised by identity (thousands of findings share a few titles)."""
    hit = _DUMPED.get(id(t))
    if hit is None or hit[0] is not t:
        hit = _DUMPED[id(t)] = (t, t.model_dump())
    return dict(hit[1])


class _RulePlan:
    """What every finding of one rule shares, worked out once per ruleset digest and rule
    (`_plan`): the parts of `_base`, the threshold values and framework names its explanations
    print, the units of those thresholds, the unverified (U) benchmarks it rests on. Read-only:
    what goes into a finding is copied (`_base`) or was shared before (`_benchmarks`)."""

    __slots__ = ("clauses", "title", "frameworks", "thresholds", "units", "gap_of", "unverified",
                 "benchmarks")

    def __init__(self, meta: RuleMeta, ruleset: Ruleset):
        self.clauses = tuple(meta.clauses)
        self.title = meta.title.model_dump()
        self.frameworks = tuple(sorted({t.framework for t in meta.thresholds.values()}))
        frameworks = ruleset.knowledge.frameworks
        thresholds: dict = {n: t.value for n, t in meta.thresholds.items()}
        thresholds.update({f"{n}.framework": frameworks[t.framework].name.model_dump()
                           for n, t in meta.thresholds.items()})
        self.thresholds = thresholds
        self.units = {n: t.unit for n, t in meta.thresholds.items()}
        self.gap_of = (meta.gap.alias, meta.gap.field) if meta.gap else None
        self.unverified = tuple(t.benchmark for t in meta.thresholds.values() if t.verification == "U")
        self.benchmarks = _benchmarks_of(meta, ruleset)


_PLANS: dict[str, dict[str, _RulePlan]] = {}


def _plans(ruleset: Ruleset) -> dict[str, _RulePlan]:
    """rule id -> its `_RulePlan`, filled as rules fire; one table per ruleset digest (at most 16)."""
    found = _PLANS.get(ruleset.digest)
    if found is None:
        if len(_PLANS) >= 16:
            _PLANS.clear()
        found = _PLANS[ruleset.digest] = {}
    return found


def _plan(meta: RuleMeta, ruleset: Ruleset, plans: dict[str, _RulePlan]) -> _RulePlan:
    plan = plans.get(meta.id)
    if plan is None:
        plan = plans[meta.id] = _RulePlan(meta, ruleset)
    return plan


def _base(fid: str, meta: RuleMeta, status: str, severity: str, plan: _RulePlan) -> dict:
    return {"id": fid, "kind": meta.kind, "rule": meta.id, "rule_version": meta.version, "pack": meta.pack,
            "clauses": list(plan.clauses), "status": status, "severity": severity,
            "title": dict(plan.title), "frameworks": list(plan.frameworks), "related": []}


def _finding(fid: str, meta: RuleMeta, status: str, bound: dict[str, dict], m: ir.Match, plan: _RulePlan,
             labels: dict, fs: FactSet, ind: Indicators) -> dict:
    out_of_scope = meta.scope and status == "not_applicable"   # the park as a whole: keeps its weight
    severity = "info" if status in ("met", "not_applicable") and not out_of_scope else meta.severity
    f = _base(fid, meta, status, severity, plan)
    thresholds = plan.thresholds
    gap = None
    if meta.gap is not None:
        value = bound.get(meta.gap.alias, {}).get(meta.gap.field)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            gap = abs(value - thresholds[meta.gap.threshold])
    decided = m.rule.endswith("#decided")       # not met by what is known: still name what is not
    missing = _missing(meta, status, bound, m, fs, ind) if status == "insufficient_data" or decided else []
    subject = bound.get(meta.subject or "", {})
    extras = {"gap": gap, "missing": missing or None, "undefined": subject.get("undefined"),
              "labels": labels, "gap_of": plan.gap_of, "threshold_units": plan.units}
    undefined = m.rule.endswith("#undefined")
    text = meta.explain["undefined" if undefined else "decided"] if undefined or decided else \
        meta.sentence(status, subject)
    zh = render(text.get("zh"), bound, thresholds, extras, "zh")
    en = render(text.get("en"), bound, thresholds, extras, "en")
    unverified = _unverified(plan, bound, labels)
    if unverified:
        zh += _UNVERIFIED["zh"].format(ids="、".join(u[0] for u in unverified))
        en += _UNVERIFIED["en"].format(ids=", ".join(u[1] for u in unverified),
                                       values="an unverified (U) value" if len(unverified) == 1 else "unverified (U) values")
    f["explanation"] = {"zh": zh, "en": en}
    f["evidence"] = {"facts": _fact_evidence(meta, bound, fs, ind), "benchmarks": plan.benchmarks}
    if gap is not None:
        f["evidence"]["gap"] = float(f"{gap:.10g}")
    if missing:
        f["missing"] = missing
    f["unverified"] = bool(unverified)
    f["trace"] = [{"engine_rule": m.rule, "facts": dict(m.facts)}]
    return f


def _missing(meta: RuleMeta, status: str, bound: dict, m: ir.Match, fs: FactSet, ind: Indicators) -> list[str]:
    out: list[str] = []
    if m.rule.endswith("#missing_park"):
        park = bound.get("park", {})
        for fld in meta.applies_park_fields:
            if fld not in park:
                out.append(fs.paths.get("park", {}).get(fld, f"park.{fld}"))
        return out
    subject = bound.get(meta.subject or "", {})
    explicit = fs.missing.get(subject.get("id", ""), {})
    for fld in meta.requires:
        if fld in subject:
            continue
        if subject.get("kind") == "indicator" and fld == "value":
            dv = ind.latest.get(subject["name"])
            paths = dv.missing if dv else [f"derived.{subject['name']}"]
        elif explicit.get(fld):
            paths = explicit[fld]
        else:
            paths = [fs.paths.get(subject.get("id", ""), {}).get(fld, f"{subject.get('kind')}.{fld}")]
        out.extend(p for p in paths if p not in out)
    return out


def _unverified(plan: _RulePlan, bound: dict, labels: dict) -> list[tuple[str, str]]:
    """(zh, en) words for each unverified (U) value a finding rests on: a benchmark by its id, an
    indicator's or a target's U emission factor as "the factor behind <indicator>"."""
    out = [(b, b) for b in plan.unverified]
    for fact in bound.values():
        if fact.get("kind") in ("indicator", "target") and fact.get("uses_unverified"):
            name = fact["name"] if fact["kind"] == "indicator" else fact["indicator"]
            words = (label_word(name, labels, "zh") + "所用的排放因子",
                     "the emission factor behind " + label_word(name, labels, "en"))
            if words not in out:
                out.append(words)
    return out


def _fact_evidence(meta: RuleMeta, bound: dict, fs: FactSet, ind: Indicators) -> list[dict]:
    out = []
    for alias, fields in meta.evidence.items():
        fact = bound.get(alias)
        if fact is None:
            continue
        kind = fact["kind"]
        for fld in fields:
            spec = KINDS[kind].get(fld)
            unit = fact.get("unit") if kind == "indicator" and fld in ("value", "previous") else (spec.unit if spec else None)
            entry = {"fact": fact["id"], "field": fld, "value": fact.get(fld), "unit": unit,
                     "path": fs.paths.get(fact["id"], {}).get(fld)}
            if kind == "indicator" and fld == "value":
                dv = ind.latest.get(fact["name"])
                if dv is not None:
                    entry["formula"] = dv.formula
                    entry["inputs"] = [{"path": i.path, "value": i.value, "unit": i.unit} for i in dv.inputs]
            out.append(entry)
    return out


def _benchmarks_of(meta: RuleMeta, ruleset: Ruleset) -> list[dict]:
    """The rule's benchmarks as evidence; built once per ruleset digest and rule (`_RulePlan`),
    the same list in every finding of the rule (read-only)."""
    out = []
    sources = ruleset.knowledge.sources
    for t in meta.thresholds.values():
        src = sources.get(t.source)
        out.append({"id": t.benchmark, "name": t.title.model_dump(), "value": t.value, "unit": t.unit,
                    "framework": t.framework, "verification": t.verification,
                    "source": {"id": t.source, "title": getattr(src, "title", None), "url": getattr(src, "url", None)}})
    return out
