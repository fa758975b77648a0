"""A portfolio of parks assessed under one profile, compared: a pure function of their results.

`compare(results, knowledge)` gives language-neutral data (JSON-serialisable, so the batch API
can return it as it is): each park's summary counts and key indicators side by side, a ranking per
category, the clauses each park fails, and each park's percentile among its peers on every key
indicator. `view(comparison, knowledge, lang)` adds the words for the HTML and Markdown pages.

Percentile, direction-aware: among the n parks with a value for the indicator, a park's percentile
is 100 × (peers it does better than + ½ × peers it ties) / (n − 1); 100 is the best of the group,
0 the worst. With fewer than `MIN_PEERS` parks (or parks with a value) it is not meaningful and is
left out (None).

Example:
    >>> c = compare([r1, r2, r3], knowledge)                     # doctest: +SKIP
    >>> c["indicators"][0]["percentiles"]                        # doctest: +SKIP
    {'strong-park': 100.0, 'typical-park': 50.0, 'coal-park': 0.0}
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from .data import summary_counts
from .indicators import categories as park_categories
from .numfmt import quantity
from .words import PHASE, WORDS

__all__ = ["compare", "view", "percentiles", "MIN_PEERS"]

MIN_PEERS = 3


def percentiles(values: dict[str, float | None], direction: str) -> dict[str, float | None]:
    """Each key's percentile among the keys with a value, `direction` being `higher_better` or
    `lower_better`; all None for a neutral indicator or fewer than `MIN_PEERS` values.

    Example:
        >>> percentiles({"a": 1.0, "b": 2.0, "c": 3.0}, "lower_better")
        {'a': 100.0, 'b': 50.0, 'c': 0.0}
    """
    known = {k: v for k, v in values.items() if v is not None}
    if direction not in ("higher_better", "lower_better") or len(known) < MIN_PEERS:
        return {k: None for k in values}
    sign = 1 if direction == "higher_better" else -1
    out: dict[str, float | None] = {}
    for k in values:
        if k not in known:
            out[k] = None
            continue
        mine = sign * known[k]
        better = sum(1 for o, v in known.items() if o != k and mine > sign * v)
        ties = sum(1 for o, v in known.items() if o != k and mine == sign * v)
        out[k] = round(100 * (better + 0.5 * ties) / (len(known) - 1), 1)
    return out


def _ranks(rates: dict[str, float | None]) -> dict[str, int | None]:
    """Competition ranking (1, 1, 3) by rate, highest first; no rate, no rank."""
    known = sorted((v for v in rates.values() if v is not None), reverse=True)
    return {k: (1 + sum(1 for o in known if o > v) if v is not None else None) for k, v in rates.items()}


def compare(results: list[dict], knowledge: Any) -> dict:
    """Compare the parks of `results` (one assessment result each, same benchmark profile).

    Raises:
        ValueError: no result, or two results with one park id.
    """
    if not results:
        raise ValueError("a portfolio needs at least one park")
    from ...result_format import expand
    results = [expand(r) for r in results]
    ids = [r.get("park_id") for r in results]
    if len(set(ids)) != len(ids):
        raise ValueError("each park may appear once in a portfolio: " + ", ".join(sorted({i for i in ids
                                                                                          if ids.count(i) > 1})))
    parks = [{"park_id": r.get("park_id"), "park_name": r.get("park_name"), "year": r.get("year"),
              "profile": (r.get("ruleset") or {}).get("profile"), "counts": summary_counts(r)} for r in results]
    indicators = []
    for meta in (i for i in knowledge.indicators.values() if i.key):
        values = {}
        for r in results:
            d = ((r.get("derived") or {}).get(str(r.get("year"))) or {}).get(meta.id) or {}
            v = d.get("value")
            values[r["park_id"]] = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        indicators.append({"indicator": meta.id, "unit": meta.unit, "direction": meta.direction,
                           "values": values, "percentiles": percentiles(values, meta.direction)})
    cats: dict[tuple[str, str], dict] = {}
    for r in results:
        for c in park_categories(r, knowledge, "en"):
            entry = cats.setdefault((c["group"], c["id"]), {"group": c["group"], "id": c["id"], "rates": {},
                                                           "decided": {}, "total": {}})
            entry["rates"][r["park_id"]] = c.get("rate")
            entry["decided"][r["park_id"]] = c.get("decided", 0)
            entry["total"][r["park_id"]] = c.get("total", 0)
    categories = []
    for c in cats.values():
        for pid in ids:
            c["rates"].setdefault(pid, None)
            c["decided"].setdefault(pid, 0)
            c["total"].setdefault(pid, 0)
        c["ranks"] = _ranks(c["rates"])
        c["ranking"] = sorted((p for p in ids if c["ranks"][p] is not None), key=lambda p: (c["ranks"][p], p))
        categories.append(c)
    failing: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        for f in r.get("findings", []):
            if f.get("kind") == "compliance" and f.get("status") == "not_met" and not f.get("folded_into"):
                for clause in f.get("clauses", []):
                    failing[clause][r["park_id"]].append(f["id"])

    def clause_key(c: str) -> list:
        return [(0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|[a-z]+", c)]
    return {"parks": parks, "profiles": sorted({str(p["profile"]) for p in parks}),
            "percentiles_meaningful": len(results) >= MIN_PEERS, "indicators": indicators,
            "categories": categories,
            "failing": [{"clause": c, "parks": {pid: failing[c].get(pid, []) for pid in ids}}
                        for c in sorted(failing, key=clause_key)]}


def view(comparison: dict, knowledge: Any, lang: str) -> dict:
    """`comparison` with the words and formatted numbers a page needs, in `lang`."""
    w = WORDS[lang]
    ids = [p["park_id"] for p in comparison["parks"]]
    names = {p["park_id"]: p["park_name"] or p["park_id"] for p in comparison["parks"]}

    def ind_name(i: str) -> str:
        return knowledge.indicators[i].name.get(lang) if i in knowledge.indicators else i

    def clause_title(c: str) -> str:
        return knowledge.clauses[c].title.get(lang) if c in knowledge.clauses else ""
    indicators = [{**i, "name": ind_name(i["indicator"]),
                   "cells": [quantity(i["values"][p], i["unit"], lang) for p in ids],
                   "pcells": [i["percentiles"][p] for p in ids]} for i in comparison["indicators"]]
    cats = []
    for c in comparison["categories"]:
        if not any(c["total"].get(p) for p in ids):
            continue                                        # nothing to rank on

        label = PHASE[lang].get(c["id"], c["id"]) if c["group"] == "phase" else f"{c['id']} {clause_title(c['id'])}"
        cats.append({**c, "label": label, "cells": [(c["ranks"][p], c["rates"][p], c["decided"][p], c["total"][p])
                                                    for p in ids]})
    failing = [{**f, "title": clause_title(f["clause"]), "cells": [len(f["parks"][p]) for p in ids]}
               for f in comparison["failing"]]
    return {**comparison, "lang": lang, "w": w, "ids": ids, "names": [names[p] for p in ids],
            "indicator_rows": indicators, "category_rows": cats, "failing_rows": failing,
            "title": w["portfolio"], "subtitle": w["portfolio_sub"]}
