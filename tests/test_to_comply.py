"""`to_comply`: the minimal change that turns a not_met threshold or plan-target verdict met,
verified by re-assessing the park with the change applied (`engine.facts.overrides.apply_overrides`).

For every suggestion in every example park (under every benchmark profile) and every expert
scenario park (under its profile):

* the change applied -> that verdict is `met`;
* a change 1 % smaller (99 % of it; one unit fewer for a count: one person, one enterprise)
  -> that verdict is still `not_met`. For a strict comparison the change is the boundary plus the
  smallest step (0.1 % of the change at most), so 99 % of it is short of the boundary too.

And: every not_met threshold verdict, and every not_met plan-target verdict (IM-C-001 on the
planned path, IM-C-012 reachable), on an indicator the solver knows gets alternatives, so a formula
that drifted from the indicator code (and is therefore not used) cannot pass silently.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.assessment import Assessor
from engine.facts.loader import load_park, park_from_data
from engine.facts.overrides import apply_overrides
from engine.indicators.linear_forms import Form, Term
from engine.indicators.to_comply import Requirement, solvable
from engine.knowledge import load_knowledge
from engine.minimal_change import requirement_of, target_verdict_of

ROOT = Path(__file__).resolve().parent.parent
_INTEGER_FIELDS = {"economy.employees"}
# threshold checks whose indicator is not a value of the park's facts to change: the number of
# statistical years is raised by reporting further years
_NOT_SOLVED = {"data_years"}


def _parks():
    profiles = sorted(load_knowledge().profiles)
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        park = load_park(path)
        for profile in profiles:
            yield f"{path.stem} [{profile}]", park, profile
    for path in sorted((ROOT / "tests" / "scenarios").glob("[0-9]*.yaml")):
        sc = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield f"scenario {path.stem}", park_from_data(sc["park"]), sc.get("profile", "default")


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    """durable-rules, as in production (the oracle gives the same verdicts, test_properties.py,
    and is three times slower: ~700 re-assessments here)."""
    return Assessor()


@pytest.fixture(scope="module")
def assessed(assessor) -> list[tuple[str, object, str, dict]]:
    return [(name, park, profile, assessor.assess(park, profile=profile, to_comply=True))
            for name, park, profile in _parks()]


def _changes(alt: dict, smaller: bool) -> dict:
    if alt["kind"] == "enterprises":
        paths = alt["paths"][:-1] if smaller else alt["paths"]
        return {p: alt["set_to"] for p in paths}
    if not smaller:
        return {alt["path"]: alt["required"]}
    if alt["fact"] in _INTEGER_FIELDS:
        return {alt["path"]: int(alt["required"] - (1 if alt["change"] > 0 else -1))}
    return {alt["path"]: alt["current"] + 0.99 * alt["change"]}


def _status(assessor, park, profile, finding_id: str, changes: dict) -> str | None:
    result = assessor.assess(apply_overrides(park, changes), profile=profile)       # without to_comply
    return next((f["status"] for f in result["findings"] if f["id"] == finding_id), None)


def test_each_suggestion_turns_the_verdict_met_and_one_percent_less_does_not(assessed, assessor):
    checked, bad, rules, kinds = 0, [], set(), set()
    for name, park, profile, result in assessed:
        for f in result["findings"]:
            for alt in f.get("to_comply", []):
                assert f["status"] == "not_met" and f["kind"] == "compliance"
                if not alt["feasible"]:
                    assert alt["change"] is None and alt["reason"]["zh"] and alt["reason"]["en"]
                    continue
                checked += 1
                rules.add(f["rule"])
                kinds.add((alt["kind"], alt["boundary"]))
                full = _status(assessor, park, profile, f["id"], _changes(alt, False))
                # on a strict boundary already, any change the right way is enough: nothing is smaller
                less = "not_met" if alt.get("at_boundary") else _status(assessor, park, profile, f["id"],
                                                                        _changes(alt, True))
                if full != "met" or less != "not_met":
                    bad.append(f"{name}: {f['id']} {alt['path']} {alt['change']:+g} -> {full}; 99 % -> {less}")
    assert not bad, "\n".join(bad)
    assert checked > 150
    # the kinds of formula and comparison the suggestions cover
    assert {"PC-C-001", "PC-C-004", "IM-C-002", "IM-C-003", "IM-C-014", "IN-C-002", "IN-C-003", "IN-C-006",
            "IM-C-010", "IM-C-011", "PC-C-025", "IM-C-001", "IM-C-012"} <= rules, sorted(rules)
    assert {("amount", "inclusive"), ("amount", "strict"), ("enterprises", "inclusive")} <= kinds


def test_every_not_met_threshold_verdict_on_a_solvable_indicator_gets_alternatives(assessed, assessor):
    without, unsolved = [], set()
    for name, park, profile, result in assessed:
        rs = assessor.registry.get(None, profile)
        for f in result["findings"]:
            if f["kind"] != "compliance" or f["status"] != "not_met":
                assert "to_comply" not in f
                continue
            spec = requirement_of(rs, f["rule"])
            if spec is None:
                continue
            if f["trace"][0]["engine_rule"].endswith("#decided"):      # not met by what is known: no
                assert "to_comply" not in f                               # value to change from
                continue
            if not solvable(spec[0], rs.knowledge):
                unsolved.add(spec[0])
            elif not f.get("to_comply"):
                without.append(f"{name}: {f['id']}")
    assert not without, without
    assert unsolved <= _NOT_SOLVED


def test_every_not_met_target_verdict_gets_alternatives_that_say_the_bound(assessed, assessor):
    """Each not_met IM-C-001 / IM-C-012 verdict on an indicator the solver knows has alternatives
    (that they turn it met and 99 % of them does not is the first test of this module), each with
    the bound it reaches: `bound`, `basis`, `exact`, and the bound in its text."""
    from engine.rules.numbers import format_quantity
    seen, without = set(), []
    for name, park, profile, result in assessed:
        rs = assessor.registry.get(None, profile)
        targets = {f"target:{t.id}": t for t in (park.plan.targets if park.plan else [])}
        for f in result["findings"]:
            verdict = target_verdict_of(rs, f["rule"])
            if verdict is None or f["status"] != "not_met":
                continue
            seen.add((f["rule"], verdict))
            indicator = targets[f["id"].partition("@")[2]].indicator
            if not solvable(indicator, rs.knowledge):
                continue
            if not f.get("to_comply"):
                without.append(f"{name}: {f['id']}")
                continue
            unit = rs.knowledge.indicators[indicator].unit
            for alt in f["to_comply"]:
                assert alt["basis"]["zh"] and alt["basis"]["en"] and isinstance(alt["exact"], bool)
                assert alt["exact"] is (verdict == "on_path" or "target value" in alt["basis"]["en"])
                for lang in ("zh", "en"):
                    assert alt["basis"][lang] in alt["text"][lang], alt["text"]
                    # the bound in words, unless the fact is the indicator and reaches it exactly
                    # ("... to 78 MW, the planned path value for 2024")
                    assert format_quantity(alt["bound"], unit, lang) in alt["text"][lang] or \
                        alt["exact"] and alt["feasible"] and format_quantity(alt["required"], unit, lang) \
                        in alt["text"][lang], alt["text"]
    assert not without, without
    assert seen == {("IM-C-001", "on_path"), ("IM-C-012", "reachable")}


def test_target_rules_are_read_from_the_compiled_rule(assessor):
    rs = assessor.registry.get(None, "default")
    assert target_verdict_of(rs, "IM-C-001") == "on_path" and target_verdict_of(rs, "IM-C-012") == "reachable"
    assert target_verdict_of(rs, "PC-C-001") is None and requirement_of(rs, "IM-C-001") is None


def test_changes_that_cannot_comply_say_why(assessed):
    reasons = {alt["reason"]["en"] for *_, r in assessed for f in r["findings"] for alt in f.get("to_comply", [])
               if not alt["feasible"]}
    assert "not enough even if cut to zero" in reasons                  # a negative amount would be needed
    assert "the green power needed exceeds the electricity bought" in reasons     # above its cap
    assert any("tier" in r for r in reasons)                             # out of the zero-carbon tier


def test_texts_name_the_change_with_its_unit(assessed):
    texts = [alt["text"] for *_, r in assessed for f in r["findings"] for alt in f.get("to_comply", [])]
    assert any("减少" in t["zh"] and "万t" in t["zh"] for t in texts)
    assert any("个百分点" in t["zh"] for t in texts)                      # a percentage changes by points
    assert any("须严格越过" in t["zh"] and "passed strictly" in t["en"] for t in texts)
    for t in texts:
        assert "_" not in t["zh"] and "_" not in t["en"], t


# -- the solver on hand-made forms --------------------------------------------------------------

def test_a_share_solved_by_hand():
    """share = g / (g + f) x 100 >= 30 with g = 20, f = 80: g -> 34.29 (20 + 14.29 rounded up at the
    4th figure), or f -> 46.66 (80 - 33.34: f <= 46.667, so the cut is rounded up to 33.34)."""
    from engine.indicators.to_comply import _solve_term
    form = Form((Term("water.reclaimed_used", 20.0, 1.0, 1.0), Term("water.wastewater_discharged", 80.0, 0.0, 1.0)),
                0.0, 100.0)
    up = _solve_term(form, "water.reclaimed_used", (">=", 30.0), Requirement("x", ">=", 30.0), None, True)
    down = _solve_term(form, "water.wastewater_discharged", (">=", 30.0), Requirement("x", ">=", 30.0), None, True)
    assert up.change == pytest.approx(14.29) and up.required == pytest.approx(34.29)
    assert down.change == pytest.approx(-33.34) and down.required == pytest.approx(46.66)
    strict = _solve_term(form, "water.reclaimed_used", (">", 25.0), Requirement("x", ">", 25.0), None, True)
    # 20/(20+80) > 25 % needs g > 26.667: +6.667 rounded up at the 4th figure
    assert strict.strict and strict.change == pytest.approx(6.667) and form.value("water.reclaimed_used", strict.change) > 25
    # on the boundary of a strict check already: one step of the 4th figure of the fact
    edge = _solve_term(form, "water.reclaimed_used", (">", 20.0), Requirement("x", ">", 20.0), None, True)
    assert edge.at_boundary and edge.change == pytest.approx(0.01)


def test_a_boundary_landed_on_exactly():
    """0.5 / 1 x 100 >= 60: +0.25 lands on 60 exactly; an inclusive check takes it, a strict one
    adds the smallest step (0.0001)."""
    from engine.indicators.to_comply import _solve_term
    form = Form((Term("solid_waste.general_utilised", 0.5, 1.0, 0.0), Term("solid_waste.general_generated", 1.0, 0.0, 1.0)),
                0.0, 100.0)
    inclusive = _solve_term(form, "solid_waste.general_utilised", (">=", 60.0), Requirement("x", ">=", 60.0), None, True)
    strict = _solve_term(form, "solid_waste.general_utilised", (">", 60.0), Requirement("x", ">", 60.0), None, True)
    assert inclusive.required == 0.6 and not inclusive.strict
    assert strict.required == pytest.approx(0.6001) and strict.strict


def test_an_input_already_at_zero_and_an_unreachable_share():
    from engine.indicators.to_comply import _solve_term
    form = Form((Term("energy.coal", 0.0, 0.0, 1.0), Term("energy.green_electricity", 10.0, 1.0, 1.0),
                 Term("energy.purchased_electricity", 10.0, 0.0, 0.0)), 0.0, 100.0)
    # the share rises as coal falls, but coal is already zero
    assert _solve_term(form, "energy.coal", (">=", 100.0), Requirement("x", ">=", 100.0), None, True).reason["en"] \
        == "it is already zero"
    # renewable / (renewable + coal) -> 100 % only as coal -> 0: no increase of renewables reaches it
    form2 = Form((Term("energy.coal", 5.0, 0.0, 1.0), Term("energy.onsite_renewable_generation", 10.0, 1.0, 1.0)),
                 0.0, 100.0)
    alt = _solve_term(form2, "energy.onsite_renewable_generation", (">=", 100.0), Requirement("x", ">=", 100.0), None, True)
    assert alt.change is None and alt.reason["en"] == "no increase of it alone is enough"


# -- plan targets: the bounds by hand ----------------------------------------------------------

def _bound(verdict: str, indicator: str, series: dict[int, float], **target):
    from engine.facts.models import Target
    from engine.indicators.compute import Indicators
    from engine.indicators.derived import Derived
    from engine.target_bounds import target_bound
    by_year = {yr: {indicator: Derived(indicator, yr, "", "", value=v)} for yr, v in series.items()}
    t = Target.model_validate({"id": "T", "indicator": indicator, **target})
    return target_bound(verdict, t, Indicators(by_year, [], max(series)), load_knowledge())


def _verdicts(indicator: str, series: dict[int, float], **target) -> dict:
    from engine.facts.models import Target
    from engine.indicators.derived import Derived
    from engine.indicators.targets import target_progress
    by_year = {yr: {indicator: Derived(indicator, yr, "", "", value=v)} for yr, v in series.items()}
    t = Target.model_validate({"id": "T", "indicator": indicator, **target})
    return target_progress(t, by_year, load_knowledge(), max(series))[0]


def test_the_planned_path_bound_by_hand():
    """IM-C-001, on_path = achieved or latest <op> path_value (inclusive, targets._meets).

    Linear (a share): baseline 80 % (2021) -> target 90 % (2025); 2023 is half the period, so the
    path stands at 80 + (90 - 80) x 2/4 = 85 %: the latest value must be >= 85.
    Compound (an intensity): 1.0 (2021) -> 0.6561 = 0.9^4 (2025): a constant -10 %/a, so 2023 is
    on the path at 1.0 x 0.6561^(2/4) = 0.81: the latest value must be <= 0.81.
    Once the target year is reached the path is at its end: the bound is the target itself.
    """
    b = _bound("on_path", "water_reuse_rate", {2021: 80.0, 2023: 83.0}, baseline_year=2021, baseline_value=80.0,
               target_year=2025, target_value=90.0)
    assert (b.op, b.value, b.exact) == (">=", 85.0, True) and b.basis["en"] == "the planned path value for 2023"
    b = _bound("on_path", "energy_intensity", {2021: 1.0, 2023: 0.9}, baseline_year=2021, baseline_value=1.0,
               target_year=2025, target_value=0.6561)
    assert b.op == "<=" and b.value == pytest.approx(0.81) and b.basis["zh"] == "计划路径 2023 年值"
    b = _bound("on_path", "water_reuse_rate", {2021: 80.0, 2025: 86.0}, baseline_year=2021, baseline_value=80.0,
               target_year=2025, target_value=90.0)
    assert (b.value, b.exact) == (90.0, True) and b.basis["en"] == "the target value for 2025"
    # exact: on the bound the code says on path, a hair short it does not
    args = dict(baseline_year=2021, baseline_value=80.0, target_year=2025, target_value=90.0)
    assert _verdicts("water_reuse_rate", {2021: 80.0, 2023: 85.0}, **args)["on_path"] is True
    assert _verdicts("water_reuse_rate", {2021: 80.0, 2023: 84.999}, **args)["on_path"] is False


def test_the_reachability_bound_by_hand():
    """IM-C-012: L the latest value, F the first value of the series, T the target; m years from F
    to L, n years from L to the target year.

    Linear: projected = L + n (L - F) / m reaches T  <=>  L >= (m T + n F) / (m + n).
      F = 80 (2020), L in 2023 (m = 3), T = 90 in 2025 (n = 2): L >= (3 x 90 + 2 x 80) / 5 = 86.
      Check: 86 - 80 = 6 in 3 years, +2 a year, 86 + 2 x 2 = 90. (With the weights the other way
      round, (3 x 80 + 2 x 90) / 5 = 84 projects to 84 + 2 x 4/3 = 86.7 only.)
    Compound: projected = L (L / F)^(n/m) reaches T  <=>  L <= F^(n/(m+n)) T^(m/(m+n)).
      F = 1 (2022), L in 2024 (m = 2), T = 0.512 in 2025 (n = 1): L <= 0.512^(2/3) = 0.64.
      Check: 1 -> 0.64 in 2 years is -20 %/a, 0.64 x 0.8 = 0.512.
    A first value already past the target: the trend bound is beyond T, so `achieved` decides:
      coal F = 100 (2022), L in 2023 (m = 1), T = 110 (n = 2), decrease: (110 + 2 x 100) / 3 = 103.3
      < 110, the looser one is 110 (the target: exact).
    """
    lin = dict(baseline_year=2020, baseline_value=80.0, target_year=2025, target_value=90.0)
    b = _bound("reachable", "water_reuse_rate", {2020: 80.0, 2023: 83.0}, **lin)
    assert (b.op, b.value, b.exact) == (">=", pytest.approx(86.0), False)
    assert b.basis["en"] == "the value from which the average pace since 2020 reaches the target by 2025"
    com = dict(baseline_year=2022, baseline_value=1.0, target_year=2025, target_value=0.512)
    b = _bound("reachable", "energy_intensity", {2022: 1.0, 2024: 0.7}, **com)
    assert (b.op, b.value, b.exact) == ("<=", pytest.approx(0.64), False)
    b = _bound("reachable", "coal_use", {2022: 100.0, 2023: 130.0}, baseline_year=2022, baseline_value=100.0,
               target_year=2025, target_value=110.0)
    assert (b.op, b.value, b.exact) == ("<=", 110.0, True) and b.basis["en"] == "the target value for 2025"
    # due: only the target itself
    b = _bound("reachable", "water_reuse_rate", {2020: 80.0, 2025: 83.0}, **lin)
    assert (b.value, b.exact) == (90.0, True)
    # the code agrees either side of the bound (not exact: a hair either side, not on it)
    for series, bound, side in (({2020: 80.0}, 86.0, 1), ({2022: 1.0}, 0.64, -1)):
        kind, args = ("water_reuse_rate", lin) if side > 0 else ("energy_intensity", com)
        last = 2023 if side > 0 else 2024
        assert _verdicts(kind, {**series, last: bound * (1 + side * 1e-9)}, **args)["reachable"] is True
        assert _verdicts(kind, {**series, last: bound * (1 - side * 1e-9)}, **args)["reachable"] is False


def test_target_alternatives_by_hand(assessed):
    """Scenario 05, PV capacity: 30 MW (2020) -> 150 MW (2030), linear; 52 MW in 2024 (years[3]).

    IM-C-001: the path in 2024 is 30 + 120 x 4/10 = 78 MW: +26 MW exactly (an exact bound, one fact
    over nothing: landing on it is on the path).
    IM-C-012: the series starts at 60 MW in 2022 (m = 2), 6 years to 2030 (n = 6):
    L >= (2 x 150 + 6 x 60) / 8 = 82.5 MW. +30.5 lands on it, which the projection's own arithmetic
    may miss by a rounding: one step of the change's 4th figure more, +30.51 MW.
    Energy intensity, IM-C-012: F = 0.798848 (2021), 2024 (m = 3), 0.60 by 2030 (n = 6), compound:
    L <= 0.798848^(6/9) x 0.60^(3/9) = 0.7262 tce/万元.
    """
    result = next(r for name, *_, r in assessed if name == "scenario 05_targets_off_track")
    by_id = {f["id"]: f for f in result["findings"]}
    [path] = by_id["IM-C-001@target:T2"]["to_comply"]
    assert (path["path"], path["current"], path["required"], path["change"]) == ("years[3].capacity.pv", 52.0, 78.0, 26.0)
    assert (path["bound"], path["exact"], path["unit"]) == (78.0, True, "MW")
    assert path["text"]["zh"] == "2024 年光伏装机容量增加 26 MW（由 52 MW增至 78 MW），即计划路径 2024 年值。"
    assert path["text"]["en"] == ("installed PV capacity (2024) +26 MW (from 52 MW to 78 MW), "
                                  "the planned path value for 2024.")
    [pace] = by_id["IM-C-012@target:T2"]["to_comply"]
    assert (pace["bound"], pace["exact"], pace["required"], pace["change"]) == (82.5, False, 82.51, 30.51)
    intensity = by_id["IM-C-012@target:T1"]["to_comply"]
    assert intensity[0]["bound"] == pytest.approx(0.798848 ** (2 / 3) * 0.6 ** (1 / 3), rel=1e-5)
    coal = next(a for a in intensity if a["fact"] == "energy.coal")
    assert coal["text"]["zh"].endswith("，2024 年单位工业增加值综合能耗降至 0.7262 tce/万元以下"
                                       "（按 2021 年以来的年均变化可于 2030 年达到目标的临界值）。")


# -- where it is shown ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def typical(assessed):
    return next((park, r) for name, park, profile, r in assessed if name == "typical_municipal_park [default]")


def test_the_planners_brief_lists_the_alternatives(typical):
    from engine.render.dossier import render_report
    park, result = typical
    unmet = next(f for f in result["findings"] if f["id"] == "PC-C-001@ind:renewable_share")
    feasible = [a for a in unmet["to_comply"] if a["feasible"]]
    for lang, title, word in (("zh", "达标所需的最小改变", "**或**"), ("en", "Minimal change to comply", "**or**")):
        md = render_report(result, fmt="markdown", lang=lang, audience="planner", park=park).decode()
        section = md[md.index(title):]
        section = section[:section.index("\n## ")]
        assert unmet["title"][lang] in section
        assert all(a["text"][lang] in section for a in feasible) and word in section
        html = render_report(result, fmt="html", lang=lang, audience="planner", park=park).decode()
        assert title in html and 'class="to-comply"' in html
        assert title not in render_report(result, fmt="markdown", lang=lang, park=park).decode()   # regulator


def test_the_brief_section_follows_the_measures(typical):
    from engine.render.dossier.data import prepare
    ids = [s["id"] for s in prepare(typical[1], audience="planner")["sections"]]
    assert ids.index("to_comply") == ids.index("measures") + 1


def test_explain_shows_the_alternatives():
    from typer.testing import CliRunner
    from cli import app
    out = CliRunner().invoke(app, ["explain", str(ROOT / "examples" / "typical_municipal_park.yaml"),
                                   "PC-C-001@ind:renewable_share", "--lang", "en"])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "Minimal change to comply:" in text and "or green electricity (2024) +" in text
    assert "not enough even if cut to zero" in text


# -- opt-in: off by default, on for the planner's brief and explain --------------------------------

def test_off_unless_asked(assessor, typical):
    park, with_it = typical
    without = assessor.assess(park)
    assert "to_comply" not in without and not any("to_comply" in f for f in without["findings"])
    assert with_it["to_comply"] is True
    # the same result otherwise
    strip = [{k: v for k, v in f.items() if k != "to_comply"} for f in with_it["findings"]]
    assert strip == without["findings"]


def test_a_result_made_without_it_is_completed_for_the_brief(assessor, typical):
    from engine.minimal_change import ensure_to_comply
    park, with_it = typical
    without = assessor.assess(park)
    done = ensure_to_comply(without, park, assessor.registry)
    assert done["to_comply"] is True and done["findings"] == with_it["findings"]
    assert "to_comply" not in without                                    # not changed in place
    other = apply_overrides(park, {"years[2].energy.coal": 1.0})          # not the park it was made from
    assert ensure_to_comply(without, other, assessor.registry) is without
    assert ensure_to_comply(without, None, assessor.registry) is without


def test_the_cli_flag():
    import json
    from typer.testing import CliRunner
    from cli import app
    path = str(ROOT / "examples" / "typical_municipal_park.yaml")
    on = json.loads(CliRunner().invoke(app, ["assess", path, "-f", "json", "--to-comply"]).output)
    off = json.loads(CliRunner().invoke(app, ["assess", path, "-f", "json"]).output)
    assert on["to_comply"] is True and sum("to_comply" in f for f in on["findings"]) >= 10
    assert "to_comply" not in off and not any("to_comply" in f for f in off["findings"])
    brief = CliRunner().invoke(app, ["report", path, "-f", "markdown", "--audience", "planner"])
    assert brief.exit_code == 0 and "达标所需的最小改变" in brief.output and "**或**" in brief.output
