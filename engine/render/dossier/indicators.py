"""The numbers of the dossier: the indicator table (from the verdicts' evidence), the series the
charts draw (every year of `result["derived"]`, the GHG inventory on both scope-2 bases), and the
compliance counts per category.
"""
from __future__ import annotations

from typing import Any

from .numfmt import gap as fmt_gap
from .numfmt import quantity, unit_label
from .words import CARRIER, PHASE, STATUS, WORDS

__all__ = ["indicator_rows", "trend_series", "benchmark_bars", "ghg_years", "ghg_notes", "categories", "OPERATOR"]

OPERATOR = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "boolean": "", "present": ""}
_COMPLIANCE = ("met", "not_met", "insufficient_data", "not_applicable")


def _name(knowledge: Any, indicator: str, lang: str) -> str:
    meta = knowledge.indicators.get(indicator) if knowledge is not None else None
    return meta.name.get(lang) if meta is not None else indicator


def _framework(knowledge: Any, framework: str, lang: str) -> str:
    fw = knowledge.frameworks.get(framework) if knowledge is not None else None
    return fw.name.get(lang) if fw is not None else framework


def indicator_rows(result: dict, knowledge: Any, lang: str) -> list[dict]:
    """One row per compliance verdict judging an indicator (against a benchmark, or by the guide's
    direction under 7.2/7.3): value, benchmark (operator, value, unit), gap, framework, V/C/U/D tag,
    status; in the catalogue's order, key indicators marked."""
    order = {name: i for i, name in enumerate(knowledge.indicators)} if knowledge is not None else {}
    rows = []
    for f in result.get("findings", []):
        if f.get("kind") != "compliance" or f.get("folded_into"):
            continue
        ev = f.get("evidence") or {}
        fact = next((e for e in ev.get("facts", []) if str(e.get("fact", "")).startswith("ind:")
                     and e.get("field") == "value"), None)
        if fact is None:
            continue
        bench = (ev.get("benchmarks") or [None])[0]
        if bench is None and not {"7.2", "7.3"} & set(f.get("clauses", [])):
            continue                    # a 5.2 check that the indicator can be computed, not a judgement of it
        name = fact["fact"][4:]
        meta = knowledge.indicators.get(name) if knowledge is not None else None
        unit = fact.get("unit") or (meta.unit if meta is not None else None)
        op = ""
        if bench is not None and knowledge is not None and bench.get("id") in knowledge.benchmarks:
            op = OPERATOR.get(knowledge.benchmarks[bench["id"]].operator, "")
        bvalue = bench.get("value") if bench else None
        rows.append({
            "id": f["id"], "indicator": name, "name": _name(knowledge, name, lang),
            "key": bool(meta is not None and meta.key), "direction": meta.direction if meta is not None else "neutral",
            "value": fact.get("value"), "unit": unit, "value_text": quantity(fact.get("value"), unit, lang),
            "benchmark_id": bench.get("id") if bench else "", "benchmark": bvalue if isinstance(bvalue, (int, float))
            and not isinstance(bvalue, bool) else None,
            "benchmark_text": (f"{op} {quantity(bvalue, bench.get('unit') or unit, lang, as_set=True)}".strip()
                               if bench and bvalue is not None and not isinstance(bvalue, bool) else "—"),
            "gap_text": fmt_gap(ev.get("gap"), unit, lang) if ev.get("gap") is not None else "—",
            "framework": _framework(knowledge, bench["framework"], lang) if bench and bench.get("framework") else "—",
            "tag": bench.get("verification", "") if bench else "",
            "status": f.get("status", ""), "status_label": STATUS[lang].get(f.get("status", ""), ""),
            "rule": f.get("rule", ""), "unverified": bool(f.get("unverified"))})
    rows.sort(key=lambda r: (order.get(r["indicator"], 10_000), r["id"]))
    return rows


def trend_series(result: dict, knowledge: Any, lang: str, *, limit: int = 12) -> list[dict]:
    """The key indicators with a value in at least two years of `result["derived"]`, each as
    `{name, unit, direction, points: [(year, value)]}` over every year."""
    derived = result.get("derived") or {}
    years = sorted(derived, key=int)
    keys = [i for i in (knowledge.indicators.values() if knowledge is not None else []) if i.key]
    out = []
    for meta in keys:
        points = [(int(y), derived[y][meta.id]["value"]) for y in years
                  if isinstance((derived[y].get(meta.id) or {}).get("value"), (int, float))]
        if len(points) >= 2:
            out.append({"indicator": meta.id, "name": meta.name.get(lang), "unit": unit_label(meta.unit, lang),
                        "raw_unit": meta.unit, "direction": meta.direction, "points": points,
                        "years": [int(y) for y in years]})
    return out[:limit]


def benchmark_bars(rows: list[dict], *, limit: int = 14) -> list[dict]:
    """The indicator rows that have both a numeric value and a numeric benchmark (chart 1). Rates
    of change (a benchmark of 0 or below, or a negative value) are left to the table and chart 2: a
    bar from zero reads as "more is more", which a decline of -2.2 %/a against -3.9 %/a is not."""
    out = [r for r in rows if isinstance(r["value"], (int, float)) and not isinstance(r["value"], bool)
           and r["benchmark"] is not None and r["status"] in ("met", "not_met")
           and float(r["value"]) >= 0 and float(r["benchmark"]) > 0]
    return out[:limit]


def ghg_years(result: dict, lang: str) -> list[dict]:
    """Per year of `result["ghg_inventory"]`: scope 1 by fuel and scope 2 on both bases, each as
    `[(carrier, label, tCO2)]`, with the totals and the basis the park's accounting uses.

    The lines are the known, non-zero activities only, so they add up to a year's emissions only
    when that basis's total is known: `missing_location` / `missing_market` is None then, and
    otherwise the park-file paths the total still needs (scope 1 and that basis's scope 2; an
    empty list when the result does not say)."""
    out = []
    derived = result.get("derived") or {}
    for inv in result.get("ghg_inventory") or []:
        def parts(key: str) -> list[tuple[str, str, float]]:
            return [(e["carrier"], CARRIER[lang].get(e["carrier"], e["carrier"]), float(e.get("co2_t") or 0.0))
                    for e in inv.get(key) or [] if e.get("co2_t") is not None]
        values = derived.get(str(inv.get("year"))) or {}

        def missing(total: str, scope2: str) -> list[str] | None:
            if inv.get(total) is not None:
                return None
            paths: list[str] = []
            for name in ("co2_scope1", scope2):
                paths += [m for m in (values.get(name) or {}).get("missing") or [] if m not in paths]
            return paths
        out.append({"year": inv.get("year"), "basis": inv.get("basis", "location_based"),
                    "scope1": parts("scope1"), "scope2_location": parts("scope2_location"),
                    "scope2_market": parts("scope2_market"), "scope1_t": inv.get("scope1_t"),
                    "scope2_location_t": inv.get("scope2_location_t"), "scope2_market_t": inv.get("scope2_market_t"),
                    "total_location_t": inv.get("total_location_t"), "total_market_t": inv.get("total_market_t"),
                    "missing_location": missing("total_location_t", "co2_scope2"),
                    "missing_market": missing("total_market_t", "co2_scope2_market")})
    return out


def ghg_notes(years: list[dict], lang: str) -> list[str]:
    """One sentence per year with an incomplete total (chart 3 draws no bar for it): which basis,
    and the park-file paths still to report (both bases named together when they miss the same)."""
    w = WORDS[lang]
    sep = "、" if lang == "zh" else ", "
    out = []
    for yd in years:
        gaps = [(basis, yd.get(f"missing_{short}")) for basis, short in (("location_based", "location"),
                                                                          ("market_based", "market"))]
        gaps = [(basis, m) for basis, m in gaps if m is not None]
        groups: list[tuple[list[str], list[str]]] = []
        for basis, m in gaps:
            same = next((g for g in groups if g[1] == m), None)
            if same is None:
                groups.append(([basis], m))
            else:
                same[0].append(basis)
        for bases, m in groups:
            text = w["ghg_incomplete"].format(year=yd["year"], bases=("、" if lang == "zh" else " and ").join(
                w[b] for b in bases))
            out.append(text + (w["ghg_missing"].format(missing=sep.join(m)) if m else "")
                       + ("。" if lang == "zh" else "."))
    return out


def _group_of(clause: str, knowledge: Any) -> list[tuple[str, str]]:
    phase = None
    if knowledge is not None and clause in knowledge.clauses:
        phase = knowledge.clauses[clause].phase
    groups = [("phase", phase)] if phase else []
    head = clause.split(".")
    if len(head) >= 2 and head[0] == "6":
        groups.append(("area", f"6.{''.join(ch for ch in head[1] if ch.isdigit())}"))
    return groups


def categories(result: dict, knowledge: Any, lang: str) -> list[dict]:
    """`summary.categories` when the result has them; otherwise the same counts computed here per
    PDCA phase and 6.x area from the compliance verdicts' clauses (each verdict counted once per
    category)."""
    given = (result.get("summary") or {}).get("categories")
    if isinstance(given, list) and given:
        out = []
        for c in given:
            label = c.get("label")
            out.append({**c, "label": label.get(lang, "") if isinstance(label, dict) else str(label or c.get("id"))})
        return out
    cats: dict[tuple[str, str], dict] = {}
    for f in result.get("findings", []):
        if f.get("folded_into"):
            continue
        seen: set[tuple[str, str]] = set()
        for clause in f.get("clauses", []):
            for key in _group_of(clause, knowledge):
                if key in seen:
                    continue
                seen.add(key)
                c = cats.setdefault(key, {"group": key[0], "id": key[1], "met": 0, "not_met": 0, "undecided": 0,
                                          "not_applicable": 0, "problems": 0, "measures": 0})
                status = f.get("status")
                if f.get("kind") == "compliance" and status in _COMPLIANCE:
                    c[{"insufficient_data": "undecided"}.get(status, status)] += 1
                elif f.get("kind") == "problem":
                    c["problems"] += 1
                elif f.get("kind") == "measure":
                    c["measures"] += 1
    phases = ["scope", "general", "plan", "do", "check", "act"]
    out = []
    for (group, cid), c in sorted(cats.items(), key=lambda kv: (kv[0][0] != "phase",
                                                                 phases.index(kv[0][1]) if kv[0][1] in phases else 99,
                                                                 [int(x) for x in kv[0][1].split(".") if x.isdigit()])):
        c["decided"] = c["met"] + c["not_met"]
        c["total"] = c["decided"] + c["undecided"]
        c["rate"] = round(c["met"] / c["decided"] * 100, 1) if c["decided"] else None
        if group == "phase":
            c["label"] = PHASE[lang].get(cid, cid)
        else:
            title = knowledge.clauses[cid].title.get(lang) if knowledge is not None and cid in knowledge.clauses else ""
            c["label"] = f"{cid} {title}".strip()
        out.append(c)
    return out
