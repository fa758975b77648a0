"""The dossier's appendix: ruleset versions and digests, rules not applied with reasons, the
accounting choices, the derivation of each indicator in the table (formula, inputs with their
park-file paths, factors), the benchmarks, factors and sources used, and every compliance verdict
collapsed per rule with counts."""
from __future__ import annotations

from collections import Counter
from typing import Any

from .numfmt import number, quantity, unit_label
from .words import STATUS, WORDS

__all__ = ["appendix"]


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("zh") or "")
    return "" if value is None else str(value)


def _source(knowledge: Any, source_id: str | None) -> dict:
    src = knowledge.sources.get(source_id) if knowledge is not None and source_id else None
    return {"id": source_id or "", "title": src.title if src is not None else "", "url": (src.url or "") if src else ""}


def _ruleset(result: dict, knowledge: Any, lang: str, decision: dict | None) -> list[tuple[str, str]]:
    w, rs = WORDS[lang], result.get("ruleset") or {}
    frameworks = [knowledge.frameworks[f].name.get(lang) if knowledge is not None and f in knowledge.frameworks
                  else f for f in rs.get("frameworks", [])]
    rows = [(w["ruleset"], str(rs.get("name", ""))),
            (w["versions"], ", ".join(f"{k} {v}" for k, v in (rs.get("versions") or {}).items())),
            (w["profile"], str(rs.get("profile", ""))), (w["frameworks"], "；".join(frameworks) if lang == "zh"
                                                           else "; ".join(frameworks)),
            (w["digest"], str(rs.get("digest", ""))), (w["knowledge_digest"], str(rs.get("knowledge_digest", ""))),
            (w["input_digest"], str(result.get("input_digest", "")))]
    decision_id = (decision or {}).get("decision_id") or result.get("decision_id")
    if decision_id:
        rows.append((w["decision"], str(decision_id)))
    return rows


def _accounting(result: dict, knowledge: Any, lang: str) -> list[dict]:
    w, acc = WORDS[lang], result.get("accounting") or {}
    rows = []
    energy = acc.get("energy") or {}
    if energy.get("standard"):
        rows.append({"item": "GB/T 2589", "choice": energy["standard"], "chosen_by": "", "source": ""})
    if energy.get("electricity"):
        rows.append({"item": "电力折标" if lang == "zh" else "Electricity", "choice": _text(energy["electricity"], lang),
                     "chosen_by": "", "source": ""})
    if energy.get("total"):
        rows.append({"item": "综合能耗口径" if lang == "zh" else "Energy total", "choice": _text(energy["total"], lang),
                     "chosen_by": "", "source": ""})
    for t in energy.get("reported_totals") or ():
        computed, reported = quantity(t["computed_tce"], "tce", lang), quantity(t["reported_tce"], "tce", lang)
        diff = number(abs(t["difference_percent"]))
        word = ("高" if t["difference_percent"] >= 0 else "低") if lang == "zh" else (
            "above" if t["difference_percent"] >= 0 else "below")
        rows.append({"item": f"{t['year']} 年综合能耗" if lang == "zh" else f"Energy total {t['year']}",
                     "choice": f"计算值 {computed}，园区自报 {reported}（计算值{word} {diff}%）" if lang == "zh"
                     else f"computed {computed}, the park's own {reported} (computed {diff}% {word} it)",
                     "chosen_by": "", "source": ""})
    gas = energy.get("natural_gas_coefficient") or {}
    if gas:
        rows.append({"item": "天然气折标系数" if lang == "zh" else "Natural-gas coefficient",
                     "choice": f"{_text(gas.get('name'), lang)} [{gas.get('verification', '')}]",
                     "chosen_by": w["chosen_park"] if gas.get("chosen_by") == "park" else w["chosen_default"],
                     "source": _source(knowledge, gas.get("source"))["title"] or str(gas.get("source", ""))})
    s2 = acc.get("scope2") or {}
    if s2:
        basis = s2.get("basis", "location_based")
        rows.append({"item": "范围2 核算口径" if lang == "zh" else "Scope-2 basis",
                     "choice": f"{w.get(basis, basis)}: {_text(s2.get(basis), lang)}",
                     "chosen_by": w["chosen_park"] if s2.get("chosen_by") == "park" else w["chosen_default"],
                     "source": ""})
        other = "market_based" if basis == "location_based" else "location_based"
        if s2.get(other):
            rows.append({"item": "范围2 对照口径" if lang == "zh" else "Scope 2, shown beside it",
                         "choice": f"{w.get(other, other)}: {_text(s2.get(other), lang)}", "chosen_by": "",
                         "source": ""})
    return rows


def _derivations(result: dict, rows: list[dict], knowledge: Any, lang: str) -> list[dict]:
    latest = (result.get("derived") or {}).get(str(result.get("year")), {})
    out, seen = [], set()
    for r in rows:
        d = latest.get(r["indicator"])
        if not isinstance(d, dict) or r["indicator"] in seen:
            continue
        seen.add(r["indicator"])
        inputs = [f"{i.get('path', '')} = {quantity(i.get('value'), i.get('unit'), lang)}" for i in d.get("inputs", [])]
        factors = [f"{x.get('id', '')} = {number(x.get('value'), lang, sig=5, max_decimals=8)} {unit_label(x.get('unit'), lang)} "
                   f"[{x.get('verification', '')}]" for x in d.get("factors", [])]
        out.append({"name": r["name"], "value": quantity(d.get("value"), d.get("unit"), lang),
                    "formula": d.get("formula", ""), "inputs": inputs, "factors": factors,
                    "missing": list(d.get("missing", []))})
    return out


def _benchmarks(result: dict, knowledge: Any, lang: str) -> list[dict]:
    seen: dict[str, dict] = {}
    for f in result.get("findings", []):
        for b in (f.get("evidence") or {}).get("benchmarks", []) or []:
            if b.get("id") in seen:
                continue
            src = b.get("source") or {}
            fw = b.get("framework", "")
            seen[b["id"]] = {"id": b["id"], "name": _text(b.get("name"), lang),
                             "value": quantity(b.get("value"), b.get("unit"), lang)
                             if not isinstance(b.get("value"), bool) else str(b.get("value")),
                             "framework": knowledge.frameworks[fw].name.get(lang)
                             if knowledge is not None and fw in knowledge.frameworks else fw,
                             "tag": b.get("verification", ""), "source": src.get("title", ""), "url": src.get("url") or ""}
    return sorted(seen.values(), key=lambda b: b["id"])


def _factors(result: dict, knowledge: Any, lang: str) -> list[dict]:
    seen: dict[str, dict] = {}

    def add(x: dict) -> None:
        if x.get("id") and x["id"] not in seen:
            src = _source(knowledge, x.get("source"))
            seen[x["id"]] = {"id": x["id"], "value": f"{number(x.get('value'), lang, sig=5, max_decimals=8)} {unit_label(x.get('unit'), lang)}",
                             "tag": x.get("verification", ""), "source": src["title"] or src["id"], "url": src["url"]}
    for inv in result.get("ghg_inventory") or []:
        for key in ("scope1", "scope2_location", "scope2_market"):
            for e in inv.get(key) or []:
                add(e.get("factor") or {})
    for d in (result.get("derived") or {}).get(str(result.get("year")), {}).values():
        if isinstance(d, dict):
            for x in d.get("factors", []):
                add(x)
    return sorted(seen.values(), key=lambda x: x["id"])


def _verdicts(result: dict, lang: str) -> list[dict]:
    by_rule: dict[str, dict] = {}
    for f in result.get("findings", []):
        if f.get("kind") != "compliance":
            continue
        g = by_rule.setdefault(f.get("rule", ""), {"rule": f.get("rule", ""), "title": _text(f.get("title"), lang),
                                                   "clauses": ", ".join(f.get("clauses", [])), "counts": Counter()})
        g["counts"][f.get("status", "")] += 1
    out = []
    for g in sorted(by_rule.values(), key=lambda g: g["rule"]):
        g["summary"] = "，".join(f"{STATUS[lang].get(s, s)} {n}" for s, n in sorted(g["counts"].items())) \
            if lang == "zh" else ", ".join(f"{STATUS[lang].get(s, s)} {n}" for s, n in sorted(g["counts"].items()))
        g["worst"] = next((s for s in ("not_met", "insufficient_data", "met", "not_applicable") if g["counts"][s]), "")
        out.append(g)
    return out


def appendix(result: dict, knowledge: Any, lang: str, indicator_rows: list[dict],
             decision: dict | None = None) -> dict:
    """Everything the appendix shows, in `lang`."""
    inactive = [{"rule": i.get("rule", ""), "title": _text(i.get("title"), lang), "reason": _text(i.get("reason"), lang)}
                for i in result.get("inactive") or []]
    benchmarks, factors = _benchmarks(result, knowledge, lang), _factors(result, knowledge, lang)
    cited = {b["url"] or b["source"] for b in benchmarks} | {x["url"] or x["source"] for x in factors}
    sources = sorted({(x["source"], x["url"]) for x in benchmarks + factors if x["source"] or x["url"]})
    return {"ruleset": _ruleset(result, knowledge, lang, decision), "inactive": inactive,
            "accounting": _accounting(result, knowledge, lang),
            "derivations": _derivations(result, indicator_rows, knowledge, lang),
            "benchmarks": benchmarks, "factors": factors, "sources": [{"title": t, "url": u} for t, u in sources],
            "cited": len(cited), "verdicts": _verdicts(result, lang)}
