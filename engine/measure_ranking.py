"""Measures ranked for action: legal obligations first, then by the size of what each measure acts
on in the park's own figures, then by the severity and number of the findings it answers.

    >>> rank_measures(measures, findings, ruleset, facts, derived, ind, park)   # doctest: +SKIP
    >>> measures[0]["rank_reason"]["en"]                                         # doctest: +SKIP
    'A legal obligation (Cleaner Production Promotion Law of the PRC, arts. 27 and 39), ranked before ...'

* **Legal.** A measure rule is a legal obligation when its catalogue measure
  (knowledge/measures.yaml) has a `legal_basis`; only laws a source of sources.yaml states are
  recorded there.
* **Magnitude.** A catalogue measure's `addresses` names one quantity of `QUANTITIES`, computed
  from the park's facts of the latest year: the size of what the measure acts on, never its
  effect. Energy (tce) is converted to tCO2 by the park's own CO2 per tce of that year, the only
  conversion computed from the park's facts; water (m3) and solid waste (t) stay in their units.
  Measures are ranked within a unit, in the order tCO2, tce (when the park's CO2 per tce is
  unknown), m3, t, and the rank reason says so. A measure with no such quantity (plans,
  inventories, systems) follows those that have one.
* **Then** the most severe finding answered, then how many.

Each measure gets `rank`, `rank_reason` {zh, en}, `legal_basis` (when legal), `magnitude` (when
computed), `answers_subjects` (the enterprises, targets, indicators and tasks behind the
findings it answers, followed through 7.4 diagnoses to the verdicts they diagnose) and
`subject_labels` (each of those subjects in words, {zh, en}).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .knowledge.models import ADDRESSES
from .rules.templates import format_quantity

__all__ = ["rank_measures", "QUANTITIES", "SEVERITY_RANK"]

SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
_SEVERITY_WORD = {"critical": ("严重", "critical"), "high": ("高", "high"), "medium": ("中", "medium"),
                  "low": ("低", "low"), "info": ("提示", "info")}
_UNIT_ORDER = {"tCO2": 0, "tce": 1, "m3": 2, "t": 3}
_UNIT_SHOWN = {0: "tCO2", 1: "tce", 2: "m3", 3: "t"}
_NO_MAGNITUDE = 9


# -- numbers ------------------------------------------------------------------------------------

def _num(value: float) -> float:
    return float(f"{value:.10g}")


# -- quantities ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Context:
    """What the quantities are computed from: the latest year's indicators and inventory, the
    park's latest year (None when only engine facts are at hand, e.g. rule examples), the facts."""

    ind: object
    park: object | None
    facts: dict

    @property
    def year(self) -> int:
        return self.ind.latest_year

    def latest(self, name: str) -> float | None:
        dv = self.ind.latest.get(name) if self.ind is not None else None
        return None if dv is None else dv.value

    def inventory(self) -> dict | None:
        return next((y for y in getattr(self.ind, "inventory", []) if y["year"] == self.year), None)

    def amount(self, section: str, name: str) -> float | None:
        if self.park is None:
            return None
        return getattr(getattr(self.park.latest, section), name)


@dataclass(frozen=True)
class Quantity:
    """One `addresses` value: its unit, its words, and how it is computed."""

    unit: str
    label: tuple[str, str]
    compute: Callable[[_Context, list[str]], "tuple[float, dict] | None"]   # -> (value, basis {zh, en})


def _coal_co2(ctx: _Context, _ents) -> tuple[float, dict] | None:
    coal = ctx.latest("coal_use")
    inv = ctx.inventory()
    if coal is None or inv is None:
        return None
    if coal == 0:
        return 0.0, {"zh": f"{ctx.year} 年原煤消费为 0", "en": f"no raw coal used in {ctx.year}"}
    line = next((i for i in inv["scope1"] if i["carrier"] == "coal"), None)
    if line is None:
        return None
    f = line["factor"]["value"]
    return line["co2_t"], {
        "zh": f"{ctx.year} 年原煤 {format_quantity(coal, 't', 'zh')} × 核算所用排放因子 "
              f"{format_quantity(f, 'tCO2/t', 'zh')}",
        "en": f"raw coal {format_quantity(coal, 't', 'en')} in {ctx.year} × the factor used in the energy CO2 "
              f"accounts {format_quantity(f, 'tCO2/t', 'en')}"}


def _inventory_total(key: str, zh: str, en: str):
    def compute(ctx: _Context, _ents) -> tuple[float, dict] | None:
        inv = ctx.inventory()
        if inv is None or inv.get(key) is None:
            return None
        basis = inv["basis"]
        b_zh, b_en = ("基于位置", "location-based") if basis == "location_based" else ("基于市场", "market-based")
        return inv[key], {"zh": f"{ctx.year} 年能源活动二氧化碳排放：{zh}，范围二{b_zh}",
                          "en": f"energy-related CO2 {ctx.year}: {en}, scope 2 {b_en}"}
    return compute


def _scope1(ctx: _Context, _ents) -> tuple[float, dict] | None:
    inv = ctx.inventory()
    if inv is None or inv.get("scope1_t") is None:
        return None
    return inv["scope1_t"], {"zh": f"{ctx.year} 年能源活动二氧化碳排放：园区内燃料燃烧",
                             "en": f"energy-related CO2 {ctx.year}: fuels burned in the park"}


def _grid_co2(ctx: _Context, _ents) -> tuple[float, dict] | None:
    inv = ctx.inventory()
    if inv is None:
        return None
    market = inv["basis"] != "location_based"
    carrier = "residual_grid_electricity" if market else "grid_electricity"
    line = next((i for i in inv["scope2_market" if market else "scope2"] if i["carrier"] == carrier), None)
    if line is None:
        known = inv.get("scope2_market_t" if market else "scope2_t") is not None
        if not known and ctx.amount("energy", "purchased_electricity") != 0:
            return None
        return 0.0, {"zh": f"{ctx.year} 年无外购电网电力", "en": f"no grid electricity bought in {ctx.year}"}
    f = line["factor"]["value"]
    what = ("（外购 − 绿电）", "(purchased − green) ") if market else ("", "")
    return line["co2_t"], {
        "zh": f"{ctx.year} 年外购电力{what[0]} {format_quantity(line['activity'], 'MWh', 'zh')} × 核算所用电网因子 "
              f"{format_quantity(f, 'tCO2/MWh', 'zh')}",
        "en": f"{what[1]}grid electricity {format_quantity(line['activity'], 'MWh', 'en')} in {ctx.year} × the "
              f"grid factor used in the energy CO2 accounts {format_quantity(f, 'tCO2/MWh', 'en')}"}


def _fossil_energy(ctx: _Context, _ents) -> tuple[float, dict] | None:
    total, share = ctx.latest("energy_total_tce"), ctx.latest("non_fossil_share")
    if total is None or share is None:
        return None
    value = total * (100 - share) / 100
    return value, {
        "zh": f"{ctx.year} 年化石能源消费：综合能耗 {format_quantity(total, 'tce', 'zh')} × (1 − 非化石能源占比 "
              f"{format_quantity(share, '%', 'zh')})",
        "en": f"fossil energy in {ctx.year}: energy use {format_quantity(total, 'tce', 'en')} × (1 − non-fossil "
              f"share {format_quantity(share, '%', 'en')})"}


def _enterprise_energy(ctx: _Context, enterprises: list[str]) -> tuple[float, dict] | None:
    uses = [ctx.facts.get(e, {}).get("energy_use") for e in enterprises]
    known = [u for u in uses if u is not None]
    if not known:
        return None
    value, unknown = sum(known), len(uses) - len(known)
    zh = f"所回应的 {len(known)} 家企业报告的综合能耗合计 {format_quantity(value, 'tce', 'zh')}"
    en = (f"reported energy use of the {f'{len(known)} enterprises' if len(known) > 1 else 'enterprise'} "
          f"answered, {format_quantity(value, 'tce', 'en')}")
    if unknown:
        zh += f"（另有 {unknown} 家未报告，为下限）"
        en += f" (a lower bound: {unknown} more did not report it)"
    return value, {"zh": zh, "en": en, "lower_bound": bool(unknown)}


def _park_amount(section: str, name: str, zh: str, en: str, unit: str):
    def compute(ctx: _Context, _ents) -> tuple[float, dict] | None:
        value = ctx.amount(section, name)
        if value is None:
            return None
        i = ctx.park.years.index(ctx.park.latest)
        return value, {"zh": f"园区报告的 {ctx.year} 年{zh}", "en": f"{en} as the park reports it for {ctx.year}",
                       "path": f"years[{i}].{section}.{name}"}
    return compute


def _solid_waste(ctx: _Context, _ents) -> tuple[float, dict] | None:
    gen, used = ctx.amount("solid_waste", "general_generated"), ctx.amount("solid_waste", "general_utilised")
    if gen is None or used is None:
        return None
    value = max(gen - used, 0.0)
    return value, {
        "zh": f"{ctx.year} 年一般工业固体废物产生量 {format_quantity(gen, 't', 'zh')} − 综合利用量 "
              f"{format_quantity(used, 't', 'zh')}",
        "en": f"general industrial solid waste generated {format_quantity(gen, 't', 'en')} − utilised "
              f"{format_quantity(used, 't', 'en')} in {ctx.year}"}


QUANTITIES: dict[str, Quantity] = {
    "coal_co2": Quantity("tCO2", ("原煤 CO2", "CO2 of the raw coal burned"), _coal_co2),
    "fuel_co2": Quantity("tCO2", ("范围一 CO2", "scope-1 CO2"), _scope1),
    "grid_electricity_co2": Quantity("tCO2", ("外购电力 CO2", "CO2 of grid electricity"), _grid_co2),
    "co2_total": Quantity("tCO2", ("园区 CO2 排放总量", "the park's total CO2"),
                          _inventory_total("total_t", "范围一 + 范围二", "scope 1 + scope 2")),
    "fossil_energy": Quantity("tce", ("化石能源消费", "fossil energy use"), _fossil_energy),
    "enterprise_energy": Quantity("tce", ("所涉企业综合能耗", "energy use of the enterprises answered"),
                                  _enterprise_energy),
    "fresh_water": Quantity("m3", ("新鲜水取水量", "fresh water withdrawn"),
                            _park_amount("water", "fresh_withdrawal", "新鲜水取水量", "fresh water withdrawn", "m3")),
    "wastewater": Quantity("m3", ("废水排放量", "wastewater discharged"),
                           _park_amount("water", "wastewater_discharged", "废水排放量", "wastewater discharged",
                                        "m3")),
    "solid_waste_unutilised": Quantity("t", ("未利用的一般工业固体废物", "general solid waste not utilised"),
                                       _solid_waste),
}
assert set(QUANTITIES) == set(ADDRESSES), "knowledge.models.Addresses and QUANTITIES must list the same ids"


def _magnitude(quantity: str, ctx: _Context, enterprises: list[str]) -> dict | None:
    q = QUANTITIES[quantity]
    got = q.compute(ctx, enterprises)
    if got is None:
        return None
    value, basis = got
    lower, path = basis.pop("lower_bound", False), basis.pop("path", None)
    out = {"quantity": quantity, "value": _num(value), "unit": q.unit, "label": {"zh": q.label[0], "en": q.label[1]},
           "basis": basis}
    if path:
        out["path"] = path
    if q.unit == "tce":
        factor = ctx.latest("co2_per_tce")
        if factor is not None:
            out["native"] = {"value": out["value"], "unit": "tce"}
            out["value"], out["unit"] = _num(value * factor), "tCO2"
            out["label"] = {"zh": f"{q.label[0]}对应的 CO2", "en": f"CO2 of the {q.label[1]}"}
            out["basis"] = {
                "zh": basis["zh"] + f"，按园区 {ctx.year} 年单位能耗 CO2 {format_quantity(factor, 'tCO2/tce', 'zh')} "
                                    f"折合 {format_quantity(value * factor, 'tCO2', 'zh')}",
                "en": basis["en"] + f", converted at the park's own {format_quantity(factor, 'tCO2/tce', 'en')} "
                                    f"({ctx.year}) to {format_quantity(value * factor, 'tCO2', 'en')}"}
    if lower:
        out["lower_bound"] = True
    return out


# -- subjects -----------------------------------------------------------------------------------

_SUBJECT_KINDS = {"enterprise": "enterprises", "target": "targets", "indicator": "indicators", "task": "tasks"}


def _leaves(fid: str, findings: dict, derived: dict, memo: dict) -> frozenset:
    """The input facts a finding is about, followed through the findings it binds."""
    hit = memo.get(fid)
    if hit is not None:
        return hit
    memo[fid] = frozenset()    # a finding never binds itself; this also stops any cycle
    f = findings.get(fid)
    out: set = set()
    for fact_id in (f["trace"][0]["facts"].values() if f else ()):
        d = derived.get(fact_id)
        if d is None:
            out.add(fact_id)
        else:
            out |= _leaves(d, findings, derived, memo)
    memo[fid] = hit = frozenset(out)
    return hit


def _subjects(fact_ids: set, facts: dict, knowledge) -> tuple[dict[str, list[str]], dict[str, dict]]:
    """The subjects by group (fact ids; an indicator by its id) and their names {zh, en}."""
    out: dict[str, list[str]] = {k: [] for k in _SUBJECT_KINDS.values()}
    labels: dict[str, dict] = {}
    for fact_id in sorted(fact_ids):          # a set: sorted, so the labels keep one order in every process
        fact = facts.get(fact_id)
        group = _SUBJECT_KINDS.get(fact.get("kind")) if fact else None
        if group:
            key = fact["name"] if group == "indicators" else fact_id
            out[group].append(key)
            labels[key] = _subject_label(group, fact, knowledge)
    for v in out.values():
        v.sort()
    return out, labels


def _subject_label(group: str, fact: dict, knowledge) -> dict:
    """A subject in words: an enterprise's name, a target or task with its title, an indicator's name."""
    if group == "indicators":
        ind = knowledge.indicators.get(fact["name"])
        return {"zh": ind.name.zh, "en": ind.name.en} if ind else {"zh": fact["name"], "en": fact["name"]}
    if group == "enterprises":
        return {"zh": fact["name"], "en": fact["name"]}
    short = fact["id"].split(":", 1)[-1]
    title = {"zh": fact.get("title"), "en": fact.get("title")}
    ind = knowledge.indicators.get(fact.get("indicator") or "")
    if not fact.get("title") and ind is not None:        # an untitled target: what it targets
        title = {"zh": ind.name.zh, "en": ind.name.en}
    zh_word, en_word = ("目标", "target") if group == "targets" else ("任务", "task")
    return {"zh": f"{zh_word} {short}" + (f"（{title['zh']}）" if title["zh"] else ""),
            "en": f"{en_word} {short}" + (f" ({title['en']})" if title["en"] else "")}


# -- ranking ------------------------------------------------------------------------------------

_CATALOGUE: dict[str, dict] = {}


def _catalogue(ruleset) -> dict:
    """measure rule id -> (legal basis as JSON or None, addresses or None); once per ruleset digest."""
    found = _CATALOGUE.get(ruleset.digest)
    if found is None:
        _CATALOGUE.clear()
        found = {}
        measures = ruleset.knowledge.measures
        for rid, meta in ruleset.meta.items():
            entry = measures.get(meta.measure) if meta.kind == "measure" and meta.measure else None
            legal = getattr(entry, "legal_basis", None)
            found[rid] = ({"zh": legal.zh, "en": legal.en, "source": legal.source,
                           "verification": legal.verification} if legal else None,
                          getattr(entry, "addresses", None))
        _CATALOGUE[ruleset.digest] = found
    return found


def rank_measures(measures: list[dict], findings: dict[str, dict], ruleset, facts: dict,
                  derived: dict[str, str], ind, park=None) -> list[dict]:
    """Rank `measures` in place (rank, rank_reason, legal_basis, magnitude, answers_subjects) and
    return them in rank order.

    Args:
        findings: every finding of the assessment by id (the measures' answers are among them).
        facts: engine facts by id, derived finding facts included.
        derived: derived finding fact id -> the id of the finding it stands for.
        ind: the derived indicators (latest year, GHG inventory).
        park: the park facts (for water and solid-waste amounts); None leaves those unknown.
    """
    catalogue = _catalogue(ruleset)
    ctx = _Context(ind=ind, park=park, facts=facts)
    memo: dict[str, frozenset] = {}
    computed: dict[tuple, dict | None] = {}     # a park-wide quantity is computed once per assessment
    keys = {}
    for m in measures:
        leaves: set = set()
        for fid in m["related"]:
            f = findings.get(fid)
            for fact_id in (f["trace"][0]["facts"].values() if f else ()):
                d = derived.get(fact_id)
                if d is None:
                    leaves.add(fact_id)
                else:
                    leaves |= _leaves(d, findings, derived, memo)
        subjects, m["subject_labels"] = _subjects(leaves, facts, ruleset.knowledge)
        m["answers_subjects"] = subjects
        legal, addresses = catalogue.get(m["rule"], (None, None))
        if legal:
            m["legal_basis"] = dict(legal)
        magnitude = None
        if addresses:
            ents = tuple(subjects["enterprises"]) if addresses == "enterprise_energy" else ()
            key = (addresses, ents)
            if key not in computed:
                computed[key] = _magnitude(addresses, ctx, list(ents))
            magnitude = computed[key]
        if magnitude:
            m["magnitude"] = magnitude
        group = _UNIT_ORDER[magnitude["unit"]] if magnitude else _NO_MAGNITUDE
        keys[m["id"]] = (0 if legal else 1, group, -magnitude["value"] if magnitude else 0.0,
                         -SEVERITY_RANK[m["severity"]], -len(m["related"]), m["rule"])
    ordered = sorted(measures, key=lambda m: keys[m["id"]])
    ties: dict[tuple, list[str]] = {}      # (legal, unit, magnitude) -> measures sharing it
    for m in ordered:
        ties.setdefault(keys[m["id"]][:3], []).append(m["rule"])
    units_present = sorted({keys[m["id"]][1] for m in ordered})
    for rank, m in enumerate(ordered, 1):
        m["rank"] = rank
        m["rank_reason"] = _reason(m, keys[m["id"]], ties, units_present)
    return ordered


def _reason(m: dict, key: tuple, ties: dict, units_present: list[int]) -> dict:
    zh, en = [], []
    legal, magnitude = m.get("legal_basis"), m.get("magnitude")
    if legal:
        zh.append(f"法定义务（{legal['zh']}），排在非法定措施之前")
        en.append(f"a legal obligation ({legal['en']}), ranked before the measures that are not")
    if magnitude:
        shown = {lang: format_quantity(magnitude["value"], magnitude["unit"], lang) for lang in ("zh", "en")}
        zh.append(f"按其在园区数据中所涉的数量排序：{magnitude['label']['zh']} {shown['zh']}"
                  f"（{magnitude['basis']['zh']}）")
        en.append(f"ranked by what it addresses in the park's own figures: {magnitude['label']['en']}, "
                  f"{shown['en']} ({magnitude['basis']['en']})")
        if magnitude["unit"] != "tCO2":
            before = [_UNIT_SHOWN[u] for u in units_present if u < key[1]]
            why_zh = "园区单位能耗 CO2 未知，无法折算为 tCO2" if magnitude["unit"] == "tce" else \
                "园区数据不能把它折算为 tCO2"
            why_en = "the park's CO2 per tce is unknown, so it cannot be converted to tCO2" \
                if magnitude["unit"] == "tce" else "the park's figures give no conversion of it to tCO2"
            unit = _UNIT_SHOWN[key[1]]
            zh.append(f"该数量以 {unit} 计，{why_zh}，只与以 {unit} 计的措施比较"
                      + (f"，排在以 {'、'.join(before)} 计的措施之后" if before else ""))
            en.append(f"it is in {unit}: {why_en}, so it is compared only with measures in {unit}"
                      + (f", after those in {' and '.join(before)}" if before else ""))
    else:
        zh.append("园区数据中没有衡量其所涉数量的量（如规划、清单、制度类措施），排在有数量的措施之后")
        en.append("no quantity of the park's figures measures what it addresses (a plan, inventory or system), "
                  "so it follows the measures that have one")
    sev_zh, sev_en = _SEVERITY_WORD[m["severity"]]
    n = len(m["related"])
    tied = len(ties[key[:3]]) - 1
    if not magnitude or tied:
        lead_zh = f"与另 {tied} 项措施所涉数量相同，" if magnitude else ""
        lead_en = f"level with {tied} other measure{'s' if tied > 1 else ''}; " if magnitude else ""
        zh.append(f"{lead_zh}再按所回应发现的最高严重度（{sev_zh}）和数量（{n} 项）排序")
        en.append(f"{lead_en}then by the most severe finding it answers ({sev_en}) and their number ({n})")
    return {"zh": "；".join(zh) + "。", "en": _sentence("; ".join(en))}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
