"""Everything a dossier shows, prepared from an assessment result: `prepare(result, ...)`.

A pure function of the result (and the knowledge for names, units and directions; the park's
facts, when given, add the overview's profile and the targets' numbers). Templates only lay the
prepared values out. The structure follows the MIIT third-party green-park evaluation report:
park overview; scope and basic requirements; indicators with charts; 存在的问题; 整改闭环 (with
the park's earlier assessments: corrective_actions.py); 有关建议; appendix. The planner's brief (`audience="planner"`) leads with the targets, then the measures.

Example:
    >>> doc = prepare(result, knowledge, lang="zh")          # doctest: +SKIP
    >>> [s["id"] for s in doc["sections"]][:3]               # doctest: +SKIP
    ['overview', 'scope', 'indicators']
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from ...basic_requirements import conformity
from ...summary import requirement_counts

from .appendix import appendix
from .findings import measure_rows, problem_groups, to_collect, view
from .indicators import benchmark_bars, categories, ghg_notes, ghg_years, indicator_rows, trend_series
from .numfmt import number, quantity
from .targets import target_rows
from .words import LEVEL, PARK_TYPE, VERDICT, WORDS

__all__ = ["prepare", "AUDIENCES", "LANGS", "basic_requirements", "summary_counts"]

AUDIENCES = ("regulator", "planner")
LANGS = ("zh", "en")
_ORDER = {"regulator": ["overview", "scope", "indicators", "categories", "problems", "measures", "targets",
                        "to_collect", "appendix"],
          "planner": ["targets", "measures", "overview", "indicators", "problems", "scope", "categories",
                      "to_collect", "appendix"]}


def basic_requirements(result: dict, lang: str, names: dict[str, str], knowledge: Any) -> list[dict]:
    """Each MIIT basic requirement with the verdicts that decide it and its 符合/不符合 verdict
    (engine/basic_requirements.py; restating findings are not counted twice)."""
    out = []
    # the verdicts the assessment reached with the engine facts (a `needs` unknown); a result
    # logged before it stored them is judged on its findings alone
    stored = {r.get("id"): r for r in (result.get("summary") or {}).get("basic_requirements") or ()}
    for req, key, mine, _ in conformity(result.get("findings", [])):
        if req["id"] in stored:
            key = stored[req["id"]].get("verdict", key)
        collect = _grouped(stored.get(req["id"], {}).get("collect") or (), lang)
        # one line per rule and status, its subjects listed (six unmet audits are one line)
        lines: dict[tuple[str, str], dict] = {}
        for f in sorted(mine, key=lambda f: f.get("status") == "met"):
            v = view(f, lang, names, knowledge)
            # a subject that might be one the requirement counts (only_where), its mark unreported
            v["note"] = WORDS[lang]["unreported_" + f["unreported"]] if f.get("unreported") else None
            line = lines.setdefault((v["rule"], v["status"], v.get("note")), {**v, "subjects": []})
            if v["subject"] and v["subject"] not in line["subjects"]:
                line["subjects"].append(v["subject"])
        out.append({"id": req["id"], "name": req["name"][lang], "verdict": key, "verdict_label": VERDICT[lang][key],
                    "rules": req["rules"], "findings": list(lines.values()), "collect": collect})
    return out


def _grouped(paths: Sequence[str], lang: str) -> list[str]:
    """Paths to collect, those differing only in a list index said once with their count
    (`enterprises[].backward_capacity（7 项）`); one alone is kept as it is."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(re.sub(r"\[\d+\]", "[]", p), []).append(p)
    return [ps[0] if len(ps) == 1 else f"{key}{'（' if lang == 'zh' else ' ('}{len(ps):,}{' 项）' if lang == 'zh' else ')'}"
            for key, ps in groups.items()]


def _names(result: dict, park: Any, lang: str) -> dict[str, str]:
    """Words for the ids a finding can be about: each finding's title (a diagnosis names the
    finding it diagnoses), and with the park its enterprises' names and its targets' titles."""
    out = {}
    for f in result.get("findings", []):
        title = f.get("title")
        if isinstance(title, dict) and title.get(lang):
            out[f["id"]] = title[lang]
    if park is not None:
        out.update({f"ent:{e.id}": e.name for e in park.enterprises or ()})
        if park.plan:
            word = "目标" if lang == "zh" else "target"
            out.update({f"target:{t.id}": f"{word} {t.id}" + (f"（{t.title}）" if t.title and lang == "zh" else
                                                             f" ({t.title})" if t.title else "")
                        for t in park.plan.targets or []})
    return out


def summary_counts(result: dict) -> dict:
    """Verdict counts and the compliance rate with its coverage, from `result["summary"]`; problems
    and measures are counted without the findings folded into others (`folded_into`)."""
    s = result.get("summary") or {}
    checks = requirement_counts(s)
    met, not_met = checks["met"], checks["not_met"]
    undecided = s.get("undecided", checks["insufficient_data"])
    decided = s.get("decided", met + not_met)
    shown = [f for f in result.get("findings", []) if not f.get("folded_into")]
    return {"met": met, "not_met": not_met, "undecided": undecided, "decided": decided,
            "total": decided + undecided, "not_applicable": checks["not_applicable"],
            "data_checks": s.get("data_checks"),
            "problems": sum(f.get("kind") == "problem" for f in shown),
            "measures": sum(f.get("kind") == "measure" for f in shown), "rate": s.get("compliance_rate")}


def _conclusion(result: dict, counts: dict, lang: str, name: str) -> tuple[str, bool]:
    given = (result.get("summary") or {}).get("conclusion")
    if isinstance(given, dict) and given.get(lang):
        return given[lang], True
    if not (result.get("scope") or {}).get("in_scope", True):
        return WORDS[lang]["not_in_scope"], False
    rate = quantity(counts["rate"], "%", lang) if counts["rate"] is not None else "—"
    if lang == "zh":
        return (f"{name} {result.get('year')} 年：应判定的 {counts['total']} 项合规检查中已判定 {counts['decided']} 项，"
                f"达标 {counts['met']} 项、未达标 {counts['not_met']} 项（达标率 {rate}），{counts['undecided']} 项因数据不足"
                f"无法判定；诊断出问题 {counts['problems']} 项，提出建议措施 {counts['measures']} 项。"), False
    return (f"{name}, {result.get('year')}: of {counts['total']} compliance checks that apply, {counts['decided']} "
            f"could be decided: {counts['met']} met and {counts['not_met']} not met ({rate}); {counts['undecided']} lack "
            f"data. {counts['problems']} problems diagnosed, {counts['measures']} measures recommended."), False


def _overview(result: dict, park: Any, lang: str) -> list[tuple[str, str]]:
    w = WORDS[lang]
    year = str(result.get("year"))
    latest = (result.get("derived") or {}).get(year, {})
    rows: list[tuple[str, str]] = [(w["park"], _park_name(result, park, lang)), (w["park_id"], str(result.get("park_id")))]
    if park is not None:
        p = park.profile
        rows += [(w["level"], LEVEL[lang].get(p.level.value, p.level.value)),
                 (w["province"], p.province + (f" {p.city}" if p.city else "")),
                 (w["park_type"], PARK_TYPE[lang].get(p.park_type.value, p.park_type.value)),
                 (w["area"], quantity(p.area, "km2", lang))]
        if p.industrial_land_area is not None:
            rows.append((w["industrial_land"], quantity(p.industrial_land_area, "km2", lang)))
        if p.established_year:
            rows.append((w["established"], str(p.established_year)))
        if p.leading_industries:
            sep = "、" if lang == "zh" else "; "
            rows.append((w["leading"], sep.join(i.name + (f" {quantity(i.output_share, '%', lang, as_set=True)}" if i.output_share else "")
                                                for i in p.leading_industries)))
        rows.append((w["enterprises"], "—" if park.enterprises is None else str(len(park.enterprises))))
        ydata = next((y for y in park.years if str(y.year) == year), None)
        if ydata is not None:
            eco = ydata.economy
            if eco.gdp is not None:
                rows.append((w["gdp"], quantity(eco.gdp, "万元", lang)))
            if eco.industrial_value_added is not None:
                rows.append((w["iva"], quantity(eco.industrial_value_added, "万元", lang)))
            if eco.employees is not None:
                rows.append((w["employees"], number(eco.employees, lang)))
    years = sorted(result.get("derived") or {}, key=int)
    rows.append((w["data_years"], "、".join(years) if lang == "zh" else ", ".join(years)))
    energy = (latest.get("energy_total_tce") or {}).get("value")
    rows.append((w["energy"], f"{quantity(energy, 'tce', lang)} ({year})"))
    inv = next((i for i in result.get("ghg_inventory") or [] if str(i.get("year")) == year), None)
    if inv is not None:
        rows.append((w["co2_location"], quantity(inv.get("total_location_t"), "tCO2", lang)))
        rows.append((w["co2_market"], quantity(inv.get("total_market_t"), "tCO2", lang)))
        rows.append((w["basis_used"], w.get(inv.get("basis", ""), inv.get("basis", ""))))
    return rows


def _park_name(result: dict, park: Any, lang: str) -> str:
    if lang == "en" and park is not None and park.profile.name_en:
        return park.profile.name_en
    return str(result.get("park_name") or result.get("park_id") or "")


def prepare(result: dict, knowledge: Any = None, *, lang: str = "zh", audience: str = "regulator",
            park: Any = None, decision: dict | None = None, previous: dict | None = None,
            previous_park: Any = None, history: Sequence[Any] | None = None) -> dict:
    """The dossier's content in `lang` for `audience`.

    Args:
        result: an assessment result (`Assessor.assess`, or a logged decision's JSON).
        knowledge: the ruleset's `Knowledge` (names, units, directions); default: knowledge/.
        lang: "zh" (primary) or "en".
        audience: "regulator" (the MIIT report order) or "planner" (targets and measures first).
        park: the park's validated facts (`engine.facts.models.Park`), if at hand.
        decision: `{"decision_id": ...}` when rendering a logged decision.
        previous: the park's previous result: adds the section "since the last assessment"
            (`since_last`, second), with `previous_park` its facts if at hand.
        history: the park's assessments before this one, oldest first (`engine.cycles.lifecycle.Cycle`s):
            adds the section "corrective actions across assessments" (`corrective_actions`) after the
            problems; an empty list says there is no earlier assessment to follow up.

    Raises:
        ValueError: an unknown language or audience.
    """
    if lang not in LANGS or audience not in AUDIENCES:
        raise ValueError(f"lang must be one of {LANGS} and audience one of {AUDIENCES}")
    if knowledge is None:
        from ...knowledge import load_knowledge
        knowledge = load_knowledge()
    from ...result_format import expand
    result, previous = expand(result), (expand(previous) if previous is not None else None)
    w = WORDS[lang]
    names = _names(result, park, lang)
    counts = summary_counts(result)
    name = _park_name(result, park, lang)
    conclusion, given = _conclusion(result, counts, lang, name)
    scope = result.get("scope") or {}
    by_id = {f["id"]: f for f in result.get("findings", [])}
    scope_findings = [view(by_id[i], lang, names, knowledge) for i in scope.get("findings", []) if i in by_id]
    rows = indicator_rows(result, knowledge, lang)
    cats = categories(result, knowledge, lang)
    ghg = ghg_years(result, lang)
    doc = {
        "lang": lang, "audience": audience, "w": w,
        "title": w["title_planner" if audience == "planner" else "title"], "subtitle": w["subtitle"],
        "park_name": name, "park_id": result.get("park_id", ""), "year": result.get("year"),
        "ruleset": result.get("ruleset") or {}, "conclusion": conclusion, "conclusion_given": given,
        "counts": counts, "in_scope": scope.get("in_scope", True), "scope_findings": scope_findings,
        "overview": _overview(result, park, lang),
        "basic": basic_requirements(result, lang, names, knowledge) if scope.get("in_scope", True) else [],
        "indicators": rows, "bars": benchmark_bars(rows), "trends": trend_series(result, knowledge, lang),
        "ghg": ghg, "ghg_notes": ghg_notes(ghg, lang), "categories": cats,
        "frameworks": (result.get("summary") or {}).get("frameworks") or [],
        "problems": problem_groups(result, lang, names, knowledge),
        "measures": measure_rows(result, lang, names, knowledge),
        "targets": target_rows(result, knowledge, lang, park),
        "to_collect": to_collect(result),
        "data_quality": _data_quality(result, lang),
        "appendix": appendix(result, knowledge, lang, rows, decision),
    }
    doc["sections"] = [{"id": s, "title": w[s]} for s in _ORDER[audience]]
    if previous is not None:
        _since_last(doc, previous, result, knowledge, lang, (previous_park, park))
    if history is not None:
        _corrective(doc, result, park, history, knowledge, lang, names)
    if audience == "planner":
        _to_comply(doc, result, lang)
    return doc


def _corrective(doc: dict, result: dict, park: Any, history: Sequence[Any], knowledge: Any, lang: str,
                names: dict[str, str]) -> None:
    """Add the section "corrective actions across assessments" right after the problems: clause 8
    follows up what clause 7's check found, and what is still open leads to the recommendations."""
    from .corrective_actions import TITLE, corrective_actions
    from ...result_format import expand
    earlier: dict[str, str] = {}
    for c in history:       # the titles of findings diagnosed then, and enterprises removed since
        earlier.update(_names(expand(c.result), None, lang))
        earlier.update(c.names)
    doc["corrective"] = corrective_actions(result, park, history, lang, {**earlier, **names}, knowledge)
    ids = [s["id"] for s in doc["sections"]]
    at = ids.index("problems") + 1 if "problems" in ids else len(ids)
    doc["sections"].insert(at, {"id": "corrective", "title": TITLE[lang]})


def _data_quality(result: dict, lang: str) -> dict:
    """The data-quality warnings, shown under the overview (`engine.render.data_quality_view`)."""
    from ..data_quality_view import NOTE, TITLE, data_quality_rows
    return {"title": TITLE[lang], "note": NOTE[lang], "rows": data_quality_rows(result, lang)}


def _to_comply(doc: dict, result: dict, lang: str) -> None:
    """Add the planner's section "minimal change to comply", after the measures."""
    from ..to_comply import TITLE, render_to_comply
    findings = [f for f in result.get("findings", []) if f.get("to_comply")]
    doc["to_comply"] = {fmt: render_to_comply(findings, fmt=fmt, lang=lang) for fmt in ("markdown", "html")}
    ids = [s["id"] for s in doc["sections"]]
    at = ids.index("measures") + 1 if "measures" in ids else len(ids)
    doc["sections"].insert(at, {"id": "to_comply", "title": TITLE[lang]})


def _since_last(doc: dict, previous: dict, result: dict, knowledge: Any, lang: str, parks: tuple) -> None:
    """Add the section "since the last assessment" (second): its Markdown and HTML fragments."""
    from ...cycles.diff import diff_results
    from ..since_last import TITLE, render_since_last, subject_names
    diff = diff_results(previous, result, labels=(None, None))
    names = subject_names([previous, result], list(parks), lang)
    doc["since_last"] = {fmt: render_since_last(diff, fmt=fmt, lang=lang, knowledge=knowledge, names=names,
                                                heading=False) for fmt in ("markdown", "html")}
    doc["sections"].insert(1, {"id": "since_last", "title": TITLE[lang]})
