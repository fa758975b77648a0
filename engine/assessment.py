"""The whole flow, one call: park facts -> derived indicators -> engine facts -> scope (clause 1)
-> rule engine -> findings -> result.

    >>> assessor = Assessor()                                              # doctest: +SKIP
    >>> result = assessor.assess(load_park("examples/coal_chemical_park.yaml"))  # doctest: +SKIP
    >>> result["summary"]["by_status"]                                     # doctest: +SKIP

The evaluator is injected (httpx's transport habit): production uses durable-rules, tests may
pass the pure-Python oracle. The same park, ruleset digest and evaluator always give the same
result, byte for byte.

Scope comes first: the ruleset's scope rules run on their own, and a park they find outside the
guide's scope (clause 1: no dedicated management body) gets that one verdict and the measure
answering it - no other verdict, problem or measure.

Data-quality warnings (`engine.quality`: a share typed as a fraction, a 10x jump, a part larger
than its whole, a grid-factor year missing) are worked out before the rules run and returned under
`data_quality`, apart from the findings: they never change a verdict.
"""
from __future__ import annotations

import gc
import hashlib
import time
from contextlib import contextmanager
from typing import Iterator

from .evaluators.base import CheckedFacts
from .facts.builder import FactSet, build_facts
from .facts.consistency import check_park
from .facts.models import Park
from .findings import build_findings
from .indicators.compute import Indicators, derive
from .quality import QualitySettings, check_quality, settings_from_env
from .rules.packs import Ruleset, RulesetRegistry
from .rules.profiles import DEFAULT_PROFILE
from .summary import summarize

__all__ = ["Assessor", "input_digest", "RESULT_FORMAT"]

RESULT_FORMAT = 1
_ELECTRICITY_BASIS = {"zh": "电力按当量值折标（0.1229 kgce/kWh，GB/T 2589）", "en": "electricity at its calorific "
                      "equivalent (当量值, 0.1229 kgce/kWh, GB/T 2589)"}
# Which energy total the verdicts rest on: the park's own statistic may use other coefficients (a
# measured calorific value, 等价值 electricity) that the result could not state, so it is compared,
# not used (expert review 2026-12-06, item 3: on it the coal park's T1 would flip to met)
_TOTAL_BASIS = {"zh": "综合能耗按各能源品种的报送量乘 GB/T 2589 折标系数逐项计算，所有能耗指标和目标均按此计算值判定；"
                      "园区自报的综合能耗只作核对，两者之差见下，超出数据质量容差时另有提示",
                "en": "the energy total is computed carrier by carrier from the reported amounts and the GB/T 2589 "
                      "coefficients, and every energy indicator and target is judged on it; the park's own total is "
                      "only compared with it (the difference below, a data-quality warning beyond the tolerance)"}


def input_digest(park: Park) -> str:
    """sha256 over the validated park facts as JSON (field order is the model's, so canonical)."""
    return hashlib.sha256(park.model_dump_json().encode()).hexdigest()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one assessment.

    An assessment allocates ~10^5 short-lived containers (facts, matches, findings); with the
    collector on, that sets off about a dozen collections per call, each walking the young objects.
    Measured on a typical park: ~4 ms of collection per parse + validate + assess + JSON (~37 ms);
    with the pause, one collection after the call does the work instead, ~1 ms less in all. Nothing
    an assessment makes needs the collector while it runs. A caller that turned the collector off
    (the service worker collects when idle) keeps it off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Assessor:
    """Assess parks against a chosen ruleset version.

    Args:
        registry: the available rulesets (default: the repository's rules/ and its releases).
        evaluator: the rule engine adapter (default: durable-rules).
        quality: the tolerances of the data-quality checks (default: the file named by
            GREENPARK_QUALITY_SETTINGS, else the defaults; docs/data-quality.md).

    Raises:
        InputError: the data-quality settings file is unreadable or invalid.
    """

    def __init__(self, registry: RulesetRegistry | None = None, evaluator=None,
                 quality: QualitySettings | None = None):
        self.registry = registry or RulesetRegistry()
        self.quality = quality if quality is not None else settings_from_env()
        if evaluator is None:
            from .evaluators.durable import DurableEvaluator
            evaluator = DurableEvaluator()
        self.evaluator = evaluator

    def rules_of(self, result: dict) -> dict:
        """The rule metadata (`Ruleset.meta`) of the ruleset `result` was assessed with: what
        `engine.result_format.as_format(..., rules=)` writes format 2's shared sentences from."""
        rs = result["ruleset"]
        return self.registry.get(rs["versions"]["ruleset"], rs["profile"]).meta

    def prepare(self, park: Park, ruleset: Ruleset) -> tuple[Indicators, FactSet]:
        """Derived indicators and engine facts (everything before the engine)."""
        ind = derive(park, ruleset.knowledge)
        return ind, build_facts(park, ind, ruleset.knowledge)

    def assess(self, park: Park, *, ruleset: str | None = None, profile: str | None = DEFAULT_PROFILE,
               timings: dict | None = None, to_comply: bool = False) -> dict:
        """Assess one park; returns the JSON-ready result.

        Args:
            park: validated park facts.
            ruleset: ruleset version; default newest.
            profile: benchmark profile (frameworks measured against); default: the guide + MIIT
                green park + the zero-carbon core indicator. None: every rule as written.
            timings: if given, filled with seconds spent per stage.
            to_comply: also solve, for each not_met threshold verdict on an indicator and each
                not_met plan-target verdict (IM-C-001, IM-C-012), the minimal
                change of each input that makes it met (`to_comply` on the finding; docs/result.md).

        Raises:
            RulesetNotFound: unknown version or profile.
            EvaluationError: the engine failed.
        """
        with gc_paused():
            return self._assess(park, ruleset, profile, timings, to_comply)

    def _assess(self, park: Park, ruleset: str | None, profile: str | None, timings: dict | None,
                to_comply: bool = False) -> dict:
        t0 = time.perf_counter()
        rs = self.registry.get(ruleset, profile)
        check_park(park, rs.knowledge, ruleset=rs)
        ind, fs = self.prepare(park, rs)
        data_quality = check_quality(park, rs.knowledge, self.quality, energy_totals={
            year: v["energy_total_tce"].value for year, v in ind.by_year.items() if "energy_total_tce" in v})
        t1 = time.perf_counter()
        matches, in_scope = self._evaluate(rs, fs)
        t2 = time.perf_counter()
        findings = build_findings(rs, matches, fs, ind, park)
        if to_comply and in_scope:
            from .minimal_change import add_to_comply, park_fact   # its solver is loaded only when asked for
            add_to_comply(findings, rs, park, ind, park_fact(fs.facts))
        result = {
            "format": RESULT_FORMAT,
            "park_id": park.profile.id,
            "park_name": park.profile.name,
            "ruleset": {"name": rs.name, "versions": rs.versions(), "profile": rs.profile,
                        "frameworks": rs.frameworks(), "digest": rs.digest,
                        "knowledge_digest": rs.knowledge.digest},
            "input_digest": input_digest(park),
            "year": ind.latest_year,
            "scope": {"in_scope": in_scope,
                      "findings": [f["id"] for f in findings if rs.meta[f["rule"]].scope]},
            "accounting": accounting(park, rs.knowledge, ind),
            "data_quality": data_quality,
            "derived": {str(year): {name: dv.to_json() for name, dv in sorted(values.items())}
                        for year, values in sorted(ind.by_year.items())},
            "ghg_inventory": [_inventory_json(y) for y in ind.inventory],
            "summary": summarize(findings, rs, fs),
            "inactive": rs.inactive_json(),
            "findings": findings,
        }
        if to_comply:
            result["to_comply"] = True
        if timings is not None:
            timings.update(prepare=t1 - t0, engine=t2 - t1, findings=time.perf_counter() - t2,
                           facts=len(fs.facts), matches=len(matches))
        return result

    def _evaluate(self, rs: Ruleset, fs: FactSet) -> tuple[list, bool]:
        """Scope rules first; the rest only for a park in scope. Returns the matches and in_scope.

        The facts are checked once (`CheckedFacts`), not once per session."""
        facts = CheckedFacts(fs.facts)
        matches = self.evaluator.evaluate(rs.scope, facts) if rs.scope else []
        for m in matches:
            meta, status = rs.status_of(m.rule)
            if meta.scope and status == "not_applicable":
                return matches, False
        return matches + self.evaluator.evaluate(rs.compiled, facts), True


def accounting(park: Park, knowledge, ind: Indicators | None = None) -> dict:
    """The accounting choices the result rests on, each with its source and who chose it; with the
    indicators, the computed energy total beside the park's own for each year that reports one."""
    gas = knowledge.coefficient("natural_gas", park.accounting.natural_gas_coefficient)
    return {
        "energy": {"standard": knowledge.coefficient_standard, "electricity": _ELECTRICITY_BASIS,
                   "total": _TOTAL_BASIS, "reported_totals": _reported_totals(park, ind),
                   "natural_gas_coefficient": {
                       "option": gas.option, "name": gas.option_name.model_dump() if gas.option_name else None,
                       "value": gas.value, "unit": gas.unit, "published": gas.published,
                       "verification": gas.verification, "source": gas.source,
                       "options": knowledge.coefficient_options("natural_gas"),
                       "chosen_by": "park" if park.accounting.natural_gas_coefficient else "default"}},
        "scope2": {"basis": park.accounting.scope2,
                   "chosen_by": "park" if "scope2" in park.accounting.model_fields_set else "default",
                   "location_based": {"zh": "全部外购电力 × 数据年份所在省级电网平均排放因子（无则区域、全国；"
                                            "未发布年份取不晚于该年的最新发布年份）",
                                      "en": "all purchased electricity × the provincial grid average factor of the "
                                            "data year (else regional, national; an unpublished year takes the "
                                            "latest published year before it)"},
                   "market_based": {"zh": "（外购电力 − 绿电）× 全国不含市场化交易非化石能源电量的平均排放因子",
                                    "en": "(purchased − green electricity) × the national average factor excluding "
                                          "market-traded non-fossil power"}},
    }


def _reported_totals(park: Park, ind: Indicators | None) -> list[dict]:
    """[{year, computed_tce, reported_tce, difference_percent}] where the park reports its own energy
    total and the computed one is known; difference = (computed − reported) ÷ reported × 100."""
    out = []
    for y in park.years:
        dv = ind.by_year.get(y.year, {}).get("energy_total_tce") if ind is not None else None
        reported, computed = y.energy.reported_total, getattr(dv, "value", None)
        if reported and computed is not None:
            out.append({"year": y.year, "computed_tce": _num(computed), "reported_tce": _num(reported),
                        "difference_percent": round((computed - reported) / reported * 100, 2)})
    return out


def _num(v):
    return None if v is None else float(f"{v:.10g}")


def _inventory_json(year: dict) -> dict:
    def line(item: dict) -> dict:
        fac = item["factor"]
        return {"carrier": item["carrier"], "activity": _num(item["activity"]), "unit": item["unit"],
                "co2_t": _num(item["co2_t"]),
                "factor": {"id": fac["id"], "value": fac["value"], "unit": fac["unit"],
                           "verification": fac["verification"], "source": fac["source"],
                           **({"note": fac["note"]} if fac.get("note") else {})}}
    return {"year": year["year"], "basis": year["basis"], "scope1_t": _num(year["scope1_t"]),
            "scope2_location_t": _num(year["scope2_t"]), "scope2_market_t": _num(year["scope2_market_t"]),
            "total_location_t": _num(year["total_location_t"]), "total_market_t": _num(year["total_market_t"]),
            "total_t": _num(year["total_t"]), "scope1": [line(i) for i in year["scope1"]],
            "scope2_location": [line(i) for i in year["scope2"]],
            "scope2_market": [line(i) for i in year["scope2_market"]],
            **({"missing": year["missing"]} if year["missing"] else {})}
