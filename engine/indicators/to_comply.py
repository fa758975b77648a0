"""Minimal change to comply: for a threshold check on a derived indicator that is not met, the
smallest change of each input fact, the others held fixed, that makes it met - solved from the
indicator's formula, never searched or guessed.

    >>> req = Requirement("co2_per_tce", "<=", 0.3)                          # doctest: +SKIP
    >>> solve(park, indicators, knowledge, req)                             # doctest: +SKIP
    [{"path": "years[2].energy.coal", "change": -41230.0, "unit": "t", ...}, ...]

How (docs/result.md, "to_comply"):

* A yearly indicator is `scale × N / D` with N and D linear in the facts of its year
  (`engine.indicators.linear_forms`); for one input x, `value(x0 + Δ) = T` is linear in Δ:
  `Δ* = (T·D − s·N) / (s·n − T·d)`. The value moves one way in Δ (its derivative has one sign
  while D > 0), so the improving direction and whether Δ* lies in reach are decided exactly.
* A change indicator (`*_change`, the average annual change over the data series) is met when the
  latest year's base value is at most/least `first × (1 + r)^n` (compound) or `first + r·n`
  (linear); that bound is then solved as above. Only the latest year's facts are changed: the
  past is not an action.
* The change is rounded away from zero to 4 significant figures (integers for counts), so it is
  never short of the boundary and never more than 0.1 % past it. A strict comparison (`<`, `>`),
  or a rounded change that lands on the boundary itself, gets one more step of that size: the
  boundary plus the smallest meaningful step.
* An input whose change would need a negative amount, a value above its cap (a percentage over
  100, green power over the electricity bought), a ratio that no finite change reaches, or that
  would move the park out of the tier the check applies to, gets no change but the reason.
* Enterprise shares (audit, green-factory, benchmark shares) are counts: the change is the number
  of enterprises whose flag must change, named.
* A plan target's verdict arrives as a bound on its indicator with a `basis` (what the bound is)
  and `exact` (`engine.target_bounds`): solved the same way, and each alternative says the bound
  the indicator reaches. A bound that is not exact is always cleared by more than rounding.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..facts.models import Park
from .compute import Indicators
from .linear_forms import FIELD_UNIT, FORM_NAMES, Form, YearForms
from ..rules.templates import format_quantity

__all__ = ["Requirement", "Solver", "solve", "solvable", "FIELD_LABELS"]

FIELD_LABELS = {
    "energy.purchased_electricity": ("外购电力", "purchased electricity"),
    "energy.green_electricity": ("绿电", "green electricity"),
    "energy.onsite_renewable_generation": ("园区自发自用可再生电力", "on-site renewable electricity"),
    "energy.coal": ("原煤消费量", "raw coal"),
    "energy.coke": ("焦炭消费量", "coke"),
    "energy.natural_gas": ("天然气消费量", "natural gas"),
    "energy.fuel_oil": ("燃料油消费量", "fuel oil"),
    "energy.diesel": ("柴油消费量", "diesel"),
    "energy.gasoline": ("汽油消费量", "gasoline"),
    "energy.lpg": ("液化石油气消费量", "LPG"),
    "energy.purchased_heat": ("外购热力", "purchased heat"),
    "economy.industrial_value_added": ("工业增加值", "industrial value added"),
    "economy.gdp": ("地区生产总值", "GDP"),
    "economy.employees": ("从业人员", "employees"),
    "water.fresh_withdrawal": ("新鲜水取水量", "fresh water withdrawn"),
    "water.reused": ("重复利用水量", "water reused"),
    "water.reclaimed_used": ("再生水利用量", "reclaimed water used"),
    "water.wastewater_discharged": ("废水排放量", "wastewater discharged"),
    "solid_waste.general_generated": ("一般工业固体废物产生量", "general solid waste generated"),
    "solid_waste.general_utilised": ("一般工业固体废物综合利用量", "general solid waste utilised"),
    "solid_waste.hazardous_generated": ("危险废物产生量", "hazardous waste generated"),
    "solid_waste.hazardous_managed": ("危险废物利用处置量", "hazardous waste disposed of or utilised"),
    "developed_land": ("已开发工业用地", "developed industrial land"),
    "air_quality_good_days": ("空气质量优良天数比例", "share of days with good air quality"),
    "waste_heat_recovery": ("余热资源回收利用率", "waste-heat recovery rate"),
    "capacity.pv": ("光伏装机容量", "installed PV capacity"),
    "capacity.storage": ("新型储能容量", "new-type energy storage capacity"),
}
_CAP_100 = {"air_quality_good_days", "waste_heat_recovery"}
_INTEGER = {"economy.employees"}
# enterprise shares: indicator -> (flag, value that counts, label of the flag set, who counts)
_ENTERPRISE_SHARES = {
    "cp_audit_share": ("cp_audit", "completed", ("完成清洁生产审核", "complete a cleaner-production audit")),
    "key_enterprise_audit_rate": ("cp_audit", "completed", ("完成强制性清洁生产审核",
                                                            "complete the mandatory cleaner-production audit")),
    "green_factory_share": ("green_factory", True, ("获评绿色工厂", "become recognised green factories")),
    "efficiency_benchmark_share": ("efficiency_benchmark_met", True, ("达到行业能效标杆水平",
                                                                      "reach the sector efficiency benchmark")),
}
_TRIGGERS = ("exceeds_discharge_standard", "exceeds_total_quota", "toxic_substances", "exceeds_energy_limit")
_SENSE = {"<": -1, "<=": -1, ">": 1, ">=": 1}
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


@dataclass(frozen=True)
class Requirement:
    """What `met` asks of the indicator: `value <op> threshold` in the latest year.

    Args:
        still_applies: given the park facts the rule's applicability reads after a change
            (`{"energy_total_tce": ...}`), whether the check still applies (None: always).
        basis: what `threshold` is when it is not a benchmark ({zh, en}: "the planned path value
            for 2024"; a plan target's bound, `engine.target_bounds`): each alternative then says
            the bound it reaches and carries `bound`, `basis` and `exact`.
        exact: `threshold` is the verdict's own number, so a value landing on it (computed as the
            indicator code computes it) is met; False: the verdict is computed otherwise (a pace
            projected to the target year) and the answer clears the bound by more than rounding.
    """

    indicator: str
    op: str
    threshold: float
    still_applies: Callable[[dict], bool] | None = None
    basis: dict | None = None
    exact: bool = True


def solvable(name: str, knowledge) -> bool:
    """Whether `solve` knows the formula of indicator `name` (a yearly ratio of linear forms, its
    change over the series, or an enterprise share)."""
    meta = knowledge.indicators.get(name)
    return name in _ENTERPRISE_SHARES or name in FORM_NAMES or bool(meta and meta.change_of in FORM_NAMES)


def _reason(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


class Solver:
    """Solves the requirements of one assessment (the latest year's coefficients looked up once).

    Example:
        >>> Solver(park, indicators, knowledge).solve(Requirement("co2_per_tce", "<=", 0.3))  # doctest: +SKIP
    """

    def __init__(self, park: Park, ind: Indicators, knowledge):
        self.park, self.ind, self.knowledge = park, ind, knowledge
        self._forms: YearForms | None = None

    @property
    def forms(self) -> YearForms:
        if self._forms is None:
            latest = self.park.latest
            idx = next(i for i, y in enumerate(self.park.years) if y is latest)
            self._forms = YearForms(self.park, latest, idx, self.knowledge)
        return self._forms

    def solve(self, req: Requirement) -> list[dict]:
        """The alternatives that each make `req` met, one per driving input fact (module doc);
        [] when the indicator is not one whose formula is solved here."""
        if req.op not in _SENSE:
            return []
        meta = self.knowledge.indicators.get(req.indicator)
        if req.indicator in _ENTERPRISE_SHARES:
            out = _enterprises(self.park, self.ind, req)
            return out if req.basis is None else [_with_bound(e, req, meta) for e in out]
        if meta is None or not solvable(req.indicator, self.knowledge):
            return []
        base = meta.change_of
        bound = _base_bound(req, base, self.ind, self.knowledge) if base else (req.op, req.threshold)
        if bound is None:
            return []
        name = base or req.indicator
        dv = self.ind.latest.get(name)
        if dv is None or dv.value is None:
            return []
        yf = self.forms
        form = yf.form(name)
        if form is None or not _same(form.value(), dv.value):
            return []
        energy = yf.form("energy_total_tce") if req.still_applies else None
        out = []
        for term in form.terms:
            alt = _solve_term(form, term.field, bound, req, energy, exact_ok=form.simple and not base and req.exact)
            entry = _entry(f"years[{yf.idx}].{term.field}", term.field, term.value, alt, yf.y.year)
            out.append(entry if req.basis is None else _with_bound(entry, req, meta, identity=_identity(form)))
        return out


def solve(park: Park, ind: Indicators, knowledge, req: Requirement) -> list[dict]:
    """`Solver(park, ind, knowledge).solve(req)`."""
    return Solver(park, ind, knowledge).solve(req)


def _same(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12)


def _base_bound(req: Requirement, base: str, ind: Indicators, knowledge) -> tuple[str, float] | None:
    """The bound the latest base value must meet for its change over the series to meet `req`."""
    kind = knowledge.indicators[base].rate
    series = [(yr, v[base].value) for yr, v in sorted(ind.by_year.items()) if base in v and v[base].value is not None]
    if len(series) < 2 or series[-1][0] != ind.latest_year:
        return None
    first, years = series[0][1], ind.latest_year - series[0][0]
    if kind == "compound":
        growth = 1 + req.threshold / 100
        if first <= 0 or growth <= 0:
            return None
        return req.op, first * growth ** years
    return req.op, first + req.threshold * years


@dataclass(frozen=True)
class _Alt:
    change: float | None = None
    required: float | None = None
    reason: dict | None = None
    strict: bool = False
    at_boundary: bool = False


def _solve_term(form: Form, field: str, bound: tuple[str, float], req: Requirement, energy: Form | None,
                exact_ok: bool) -> _Alt:
    """The change of `field` that meets `bound` (module doc); `exact_ok`: a value landing on an
    inclusive boundary may be taken as it is (the form computes exactly as the indicator does)."""
    op, target = bound
    term = next(t for t in form.terms if t.field == field)
    s, n_all, d_all = form.scale, form.numerator, form.denominator
    slope = s * (term.num * d_all - term.den * n_all)       # sign of d(value)/dΔ (× D², D > 0)
    if slope == 0:
        return _Alt(reason=_reason("该项数值的变化不改变指标", "changing it does not move the indicator"))
    up = (slope > 0) == (_SENSE[op] > 0)                    # does the fact have to rise?
    lo, hi = _limits(form, field)
    if not up and term.value <= lo:
        return _Alt(reason=_reason("已为零，无法再减少", "it is already zero") if lo == 0 else
                    _reason("外购电力已等于其中的绿电，无法再减少", "it already equals the green power in it"))
    denom = s * term.num - target * term.den
    delta = None if denom == 0 else (target * d_all - s * n_all) / denom
    at_boundary = delta == 0          # a strict check with the value exactly on its boundary
    if delta is None or (delta > 0) != up and not at_boundary or form.value(field, delta) is None or \
            not (lo - 1e-9 * max(1.0, abs(lo)) <= term.value + delta <= hi + 1e-9 * max(1.0, abs(hi))):
        return _unreachable(up, lo, hi, field)
    step = _step(delta or term.value or max(abs(t.value) for t in form.terms) or 1.0, field)
    sign = 1 if up else -1
    grid = math.ceil(abs(delta) / step - 1e-9) * step * sign
    strict = op in ("<", ">")
    for candidate in (grid, grid + step * sign):
        required = float(f"{term.value + candidate:.12g}")
        value = form.value(field, required - term.value)
        if value is None or not _OPS[op](value, target) or not lo * (1 - 1e-12) <= required <= hi * (1 + 1e-12):
            continue
        if strict or not exact_ok:    # clear of the boundary by more than float noise
            if abs(value - target) <= 1e-9 * max(abs(target), 1e-9):
                continue
        break
    else:
        return _unreachable(up, lo, hi, field)
    if energy is not None and req.still_applies is not None:
        total = energy.value(field, required - term.value)
        if total is None or not req.still_applies({"energy_total_tce": total}):
            return _Alt(reason=_reason("按此改变后园区年综合能耗将超出本项检查适用的档次",
                                       "the change would take the park's energy use out of the tier this check "
                                       "applies to"))
    return _Alt(change=float(f"{required - term.value:.10g}"), required=required, strict=strict,
                at_boundary=at_boundary)


def _limits(form: Form, field: str) -> tuple[float, float]:
    """The range a fact may take: not negative, a percentage at most 100, green power within the
    electricity bought (and the electricity bought not below the green power in it)."""
    values = {t.field: t.value for t in form.terms}
    lo, hi = 0.0, math.inf
    if field in _CAP_100:
        hi = 100.0
    if field == "energy.green_electricity" and "energy.purchased_electricity" in values:
        hi = values["energy.purchased_electricity"]
    if field == "energy.purchased_electricity" and "energy.green_electricity" in values:
        lo = values["energy.green_electricity"]
    return lo, hi


def _unreachable(up: bool, lo: float, hi: float, field: str) -> _Alt:
    if not up:
        if lo > 0:
            return _Alt(reason=_reason("即使减至其中绿电的数量也无法达标",
                                       "not enough even down to the green power in it"))
        return _Alt(reason=_reason("即使减至零也无法达标", "not enough even if cut to zero"))
    if hi == 100.0 and field in _CAP_100:
        return _Alt(reason=_reason("所需数值超过 100%", "it would have to exceed 100%"))
    if math.isfinite(hi):
        return _Alt(reason=_reason("所需绿电超过外购电力总量", "the green power needed exceeds the electricity bought"))
    return _Alt(reason=_reason("仅增加该项无论多少都无法达标", "no increase of it alone is enough"))


def _step(delta: float, field: str) -> float:
    """The smallest meaningful step of a change of `delta`: its 4th significant figure (1 for counts)."""
    step = 10.0 ** (math.floor(math.log10(abs(delta))) - 3)
    return max(1.0, math.ceil(step)) if field in _INTEGER else step


def _entry(path: str, field: str, current: float, alt: _Alt, year: int) -> dict:
    unit = FIELD_UNIT.get(field, "")
    zh_label, en_label = FIELD_LABELS.get(field, (field, field))
    out = {"kind": "amount", "path": path, "fact": field, "label": {"zh": zh_label, "en": en_label},
           "year": year, "current": current, "unit": unit}
    if alt.change is None:
        out.update(feasible=False, required=None, change=None, reason=alt.reason,
                   text={"zh": f"{year} 年{zh_label}：{alt.reason['zh']}。",
                         "en": f"{en_label} ({year}): {alt.reason['en']}."})
        return out
    required = alt.required
    out.update(feasible=True, required=required, change=alt.change, boundary="strict" if alt.strict else "inclusive")
    if alt.at_boundary:
        out["at_boundary"] = True      # on a strict boundary: any change the right way will do
    verb = "增加" if alt.change > 0 else "减少"
    diff_unit = "pp" if unit == "%" else unit
    zh = (f"{year} 年{zh_label}{verb} {format_quantity(abs(alt.change), diff_unit, 'zh')}"
          f"（由 {format_quantity(current, unit, 'zh')}{'增至' if alt.change > 0 else '降至'} "
          f"{format_quantity(required, unit, 'zh')}）")
    en = (f"{en_label} ({year}) {format_quantity(alt.change, diff_unit, 'en', signed=True)} "
          f"(from {format_quantity(current, unit, 'en')} to {format_quantity(required, unit, 'en')})")
    if alt.strict:
        zh += "；基准须严格越过，故取边界外的最小变化"
        en += "; the benchmark must be passed strictly: the boundary plus the smallest step"
    out["text"] = {"zh": zh + "。", "en": en + "."}
    return out


def _identity(form: Form) -> bool:
    """The indicator is the fact itself (a reported amount, capacity or rate)."""
    return len(form.terms) == 1 and form.terms[0].num == 1.0 and form.terms[0].den == 0.0 \
        and form.den_const == 1.0 and form.scale == 1.0


def _with_bound(entry: dict, req: Requirement, meta, identity: bool = False) -> dict:
    """`entry` for a bound that is not a benchmark (a plan target's): the bound, what it is, and the
    text saying the indicator reaches it (`exact`: down/up to it; else past it). `identity`: the
    fact is the indicator, so its new value is the value reached."""
    down, year = req.op in ("<", "<="), entry["year"]
    zh_name, en_name = meta.name.zh, meta.name.en
    if en_name[:1].isupper() and not en_name[1:2].isupper():
        en_name = en_name[0].lower() + en_name[1:]
    zh_q, en_q = format_quantity(req.threshold, meta.unit, "zh"), format_quantity(req.threshold, meta.unit, "en")
    if req.exact:
        zh_to, en_to = f"{'降至' if down else '升至'} {zh_q}", f"{'down' if down else 'up'} to {en_q}"
    else:
        zh_to, en_to = f"{'降至' if down else '升至'} {zh_q}{'以下' if down else '以上'}", \
            f"{'below' if down else 'above'} {en_q}"
    basis = req.basis
    text = entry["text"]
    if entry["feasible"] and identity:
        if req.exact:
            zh, en = f"{text['zh'][:-1]}，即{basis['zh']}。", f"{text['en'][:-1]}, {basis['en']}."
        else:
            zh = f"{text['zh'][:-1]}，{'低于' if down else '高于'}{basis['zh']} {zh_q}。"
            en = f"{text['en'][:-1]}, {'below' if down else 'above'} {basis['en']} ({en_q})."
    elif entry["feasible"]:
        zh = f"{text['zh'][:-1]}，{year} 年{zh_name}{zh_to}（{basis['zh']}）。"
        en = f"{text['en'][:-1]}; {en_name} ({year}) {en_to} ({basis['en']})."
    else:
        zh = f"{text['zh'][:-1]}（{zh_name}须{zh_to}：{basis['zh']}）。"
        need = ("at most" if down else "at least") if req.exact else ("below" if down else "above")
        en = f"{text['en'][:-1]} ({en_name} ({year}) would have to be {need} {en_q}: {basis['en']})."
    return {**entry, "bound": req.threshold, "basis": basis, "exact": req.exact, "text": {"zh": zh, "en": en}}


# -- enterprise shares: counts of enterprises -------------------------------------------------

def _enterprises(park: Park, ind: Indicators, req: Requirement) -> list[dict]:
    """How many more enterprises must have the flag (the share only rises with it), and which."""
    flag, good, (zh_do, en_do) = _ENTERPRISE_SHARES[req.indicator]
    dv = ind.latest.get(req.indicator)
    if dv is None or dv.value is None or _SENSE[req.op] < 0 or park.enterprises is None:
        return []
    if req.indicator == "key_enterprise_audit_rate":
        pool = [i for i, e in enumerate(park.enterprises) if any(getattr(e.cp_triggers, t) is True for t in _TRIGGERS)]
    else:
        pool = list(range(len(park.enterprises)))
    values = {i: getattr(park.enterprises[i], flag) for i in pool}
    if any(v is None for v in values.values()) or not pool:
        return []
    hits = sum(_is(values[i], good) for i in pool)
    total = len(pool)
    candidates = [i for i in pool if not _is(values[i], good)]
    need = next((k for k in range(1, len(candidates) + 1) if _OPS[req.op]((hits + k) / total * 100, req.threshold)),
                None)
    labels = {"zh": f"{zh_do}的企业", "en": f"enterprises that {en_do}"}
    base = {"kind": "enterprises", "fact": f"enterprises[].{flag}", "label": labels, "year": ind.latest_year,
            "current": float(hits), "unit": "enterprises", "set_to": good}
    if need is None:
        return [{**base, "path": None, "paths": [], "feasible": False, "required": None, "change": None,
                 "reason": _reason("即使全部企业都做到也无法达标", "not enough even with every enterprise"),
                 "text": {"zh": f"{labels['zh']}：即使全部企业都做到也无法达标。",
                          "en": f"{labels['en'][0].upper()}{labels['en'][1:]}: not enough even with every enterprise."}}]
    # the largest energy users first: where the flag matters most; then in file order
    order = sorted(candidates, key=lambda i: (-(park.enterprises[i].energy_use or 0.0), i))
    chosen = order[:need]
    names = "、".join(park.enterprises[i].name for i in chosen[:5]) + ("等" if need > 5 else "")
    names_en = ", ".join(park.enterprises[i].name for i in chosen[:5]) + (" and others" if need > 5 else "")
    every = need == len(candidates)
    zh = (f"再有 {need} 家企业{zh_do}（{'即其余全部：' if every else f'{len(candidates)} 家中任意 {need} 家，如'}"
          f"{names}），由 {hits} 家增至 {hits + need} 家（共 {total} 家）。")
    en = (f"{need} more enterprise{'s' if need > 1 else ''} {en_do} "
          f"({'all the rest:' if every else f'any {need} of {len(candidates)}, e.g.'} {names_en}): "
          f"from {hits} to {hits + need} of {total}.")
    return [{**base, "path": f"enterprises[{chosen[0]}].{flag}", "paths": [f"enterprises[{i}].{flag}" for i in chosen],
             "candidates": [f"enterprises[{i}].{flag}" for i in order], "feasible": True,
             "required": float(hits + need), "change": float(need), "boundary": "inclusive" if req.op in ("<=", ">=")
             else "strict", "text": {"zh": zh, "en": en}}]


def _is(value, good) -> bool:
    return (getattr(value, "value", value) == good) if not isinstance(good, bool) else value is True

