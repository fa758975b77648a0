"""DSL rule -> engine rules: compliance expansion gives exactly one verdict per subject,
problems chain to measures, and every mistake is a located compile error."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from engine.rules import ir
from engine.rules.compiler import RuleCompileError, compile_rule
from engine.rules.dsl import RuleFile
from engine.text import Text
from types import SimpleNamespace

COMPLIANCE = """
id: PC-C-001
version: 1
kind: compliance
clauses: ["6.3"]
severity: high
title: {zh: 单位能耗碳排放, en: CO2 per unit energy}
thresholds: {low: B-LOW, high: B-HIGH, max: B-TIER}
subject: {fact: indicator, as: s, where: "name == 'co2_per_tce'"}
applies: "park.energy_total_tce >= $low and park.energy_total_tce < $high"
check: "value <= $max"
explain:
  met: {zh: "{s.value:.2f} 不高于 {$max}", en: "{s.value:.2f} within {$max}"}
  not_met: {zh: "{s.value:.2f}，高于 {$max}，超出 {gap:.2f}", en: "{s.value:.2f} above {$max} by {gap:.2f}"}
"""

PROBLEM = """
id: PC-P-001
version: 1
kind: problem
clauses: ["5.3b"]
severity: medium
title: {zh: 可再生能源占比偏低, en: Low renewable share}
thresholds: {min: B-MIN}
when: {fact: indicator, where: "name == 'renewable_share' and value < $min"}
explain: {zh: "占比 {indicator.value:.1f}%，低于 {$min}%，差 {gap:.1f} 个百分点", en: "short by {gap:.1f} points"}
"""

MEASURE = """
id: PC-M-001
version: 1
kind: measure
clauses: ["6.3"]
severity: medium
title: {zh: 屋顶光伏, en: Rooftop PV}
answers: [PC-P-001]
measure: M-X
explain: {zh: 建设屋顶光伏, en: Build rooftop PV}
"""


def compile_text(text, knowledge, **changes):
    data = yaml.safe_load(text)
    data.update(changes)
    rule = TypeAdapter(RuleFile).validate_python(data)
    return compile_rule(rule, pack="pollution_carbon", pack_version="1.0.0", file="x.yaml", knowledge=knowledge,
                        profile="test")


def test_compliance_expands_into_one_engine_rule_per_verdict(fake_knowledge):
    rules, meta = compile_text(COMPLIANCE, fake_knowledge)
    assert sorted(meta.engine_rules.values()) == sorted(
        ["not_applicable", "insufficient_data", "insufficient_data", "not_applicable", "met", "not_met"])
    assert [r.emit is not None for r in rules] == [False, False, False, False, False, True]
    undefined = next(r for r in rules if r.id.endswith("#undefined"))     # a zero base: not applicable
    assert undefined.patterns[-1].test.items[-1] == ir.Defined(field="undefined")
    assert meta.gap.field == "value" and meta.gap.threshold == "max"
    assert meta.applies_park_fields == ("energy_total_tce",)
    met = next(r for r in rules if r.id.endswith("#met"))
    assert [p.alias for p in met.patterns] == ["park", "s"]


PARK = {"kind": "park", "id": "park"}


@settings(max_examples=150, deadline=None)
@given(energy=st.one_of(st.none(), st.sampled_from([1e5, 2e5, 5e5, 1e6, 3e6])),
       value=st.one_of(st.none(), st.just("undefined"), st.floats(min_value=0, max_value=5, allow_nan=False)))
def test_exactly_one_verdict_per_subject(fake_knowledge, energy, value):
    from engine.evaluators.oracle import OracleEvaluator
    rules, meta = compile_text(COMPLIANCE, fake_knowledge)
    park = dict(PARK, **({} if energy is None else {"energy_total_tce": energy}))
    ind = {"kind": "indicator", "id": "ind:co2_per_tce", "name": "co2_per_tce",
           **({} if value is None else {"undefined": "x = 0"} if value == "undefined" else {"value": value})}
    other = {"kind": "indicator", "id": "ind:x", "name": "x", "value": 99.0}
    matches = OracleEvaluator().evaluate(ir.CompiledRuleset(key="t", rules=rules), [park, ind, other])
    statuses = [meta.engine_rules[m.rule] for m in matches]
    assert len(statuses) == 1, statuses
    (status,) = statuses
    if energy is None:
        assert status == "insufficient_data"
    elif not 2e5 <= energy < 1e6:
        assert status == "not_applicable"
    elif value is None:
        assert status == "insufficient_data"
    elif value == "undefined":
        assert status == "not_applicable"
    else:
        assert status == ("met" if value <= 0.2 else "not_met")


@pytest.mark.parametrize("change,key,msg", [
    ({"clauses": ["9.9"]}, ("clauses", 0), "does not exist"),
    ({"thresholds": {"min": "NOPE"}}, ("thresholds", "min"), "not in knowledge"),
    ({"when": {"fact": "indicatr", "where": "name == 'x'"}}, ("when", "fact"), "unknown fact kind"),
    ({"when": {"fact": "indicator", "where": "value < $min or"}}, ("when", "where"), "expected"),
    ({"explain": {"zh": "{indicator.valu}", "en": "x"}}, ("explain", "zh"), "no field 'valu'"),
    ({"explain": {"zh": "{$nope}", "en": "x"}}, ("explain", "zh"), "no threshold 'nope'"),
    ({"explain": {"zh": "{indicator.value:.q}", "en": "x"}}, ("explain", "zh"), "bad format"),
    ({"when": {"fact": "indicator", "where": "name == 'renewable_share'"}}, ("thresholds",), "not used"),
])
def test_compile_errors_name_the_key(fake_knowledge, change, key, msg):
    with pytest.raises(RuleCompileError) as exc:
        compile_text(PROBLEM, fake_knowledge, **change)
    assert exc.value.key == key
    assert msg in str(exc.value)


def test_measure_answers_problem_by_forward_chaining(fake_knowledge):
    from engine.evaluators.oracle import OracleEvaluator
    p_rules, _ = compile_text(PROBLEM, fake_knowledge)
    m_rules, m_meta = compile_text(MEASURE, fake_knowledge)
    rs = ir.CompiledRuleset(key="t", rules=p_rules + m_rules)
    facts = [{"kind": "indicator", "id": "ind:renewable_share", "name": "renewable_share", "value": 8.0}]
    fired = [m.rule for m in OracleEvaluator().evaluate(rs, facts)]
    assert fired == ["PC-P-001", "PC-M-001"]
    facts[0]["value"] = 20.0
    assert OracleEvaluator().evaluate(rs, facts) == []


def test_tiny_thresholds_survive(fake_knowledge):
    rules, _ = compile_text(PROBLEM, fake_knowledge, thresholds={"min": "B-TINY"})
    assert rules[0].patterns[0].test.items[1].right.value == 1e-05


def test_a_profile_binds_a_benchmark_slot_and_without_one_the_rule_is_inactive(fake_knowledge):
    from engine.rules.compiler import RuleInactive
    rules, meta = compile_text(PROBLEM, fake_knowledge, thresholds={"min": "profile:x"})
    assert meta.thresholds["min"].benchmark == "B-MIN" and meta.thresholds["min"].slot == "x"
    assert rules[0].patterns[0].test.items[1].right.value == 15.0
    fake_knowledge.indicators["y"] = SimpleNamespace(name=Text(zh="指标", en="indicator y"))
    try:
        with pytest.raises(RuleInactive, match="sets no benchmark for indicator y"):
            compile_text(PROBLEM, fake_knowledge, thresholds={"min": "profile:y"})
    finally:
        del fake_knowledge.indicators["y"]


def test_a_slot_compared_the_wrong_way_round_is_a_compile_error(fake_knowledge):
    """B-MIN is `x >= 15`: a problem must test the adverse side (`<`), a check the met side (`>=`)."""
    with pytest.raises(RuleCompileError, match="the other way round"):
        compile_text(PROBLEM, fake_knowledge, thresholds={"min": "profile:x"},
                     when={"fact": "indicator", "where": "name == 'renewable_share' and value > $min"})


DECIDES = """
id: PC-C-002
version: 1
kind: compliance
clauses: ["6.3"]
severity: high
title: {zh: 占比, en: share}
thresholds: {min: B-MIN}
subject: {fact: indicator, as: s, where: "name == 'x'"}
check: "value >= $min"
decides: "upper < $min"
explain:
  met: {zh: "{s.value:.1f} 达到 {$min}", en: "{s.value:.1f} meets {$min}"}
  not_met: {zh: "{s.value:.1f} 低于 {$min}", en: "{s.value:.1f} below {$min}"}
  decided: {zh: "至多 {s.upper:.1f}，低于 {$min}：请补充 {missing}", en: "at most {s.upper:.1f}, below {$min}: {missing}"}
"""


@settings(max_examples=150, deadline=None)
@given(value=st.one_of(st.none(), st.just("undefined"), st.floats(min_value=0, max_value=30, allow_nan=False)),
       upper=st.one_of(st.none(), st.floats(min_value=0, max_value=30, allow_nan=False)))
def test_decides_gives_not_met_while_the_check_is_unknown_and_one_verdict_always(fake_knowledge, value, upper):
    """`decides`: once its fields are reported and it holds, the verdict is not met although the
    check's own field is unknown; otherwise nothing changes - exactly one verdict, on both evaluators."""
    from engine.evaluators.durable import DurableEvaluator
    from engine.evaluators.oracle import OracleEvaluator
    rules, meta = compile_text(DECIDES, fake_knowledge)
    ind = {"kind": "indicator", "id": "ind:x", "name": "x", **({} if upper is None else {"upper": upper}),
           **({} if value is None else {"undefined": "x = 0"} if value == "undefined" else {"value": value})}
    compiled = ir.CompiledRuleset(key="decides", rules=rules)
    for evaluator in (OracleEvaluator(), DurableEvaluator()):
        matches = evaluator.evaluate(compiled, [dict(PARK), dict(ind)])
        assert len(matches) == 1, [m.rule for m in matches]
        rule, status = matches[0].rule, meta.engine_rules[matches[0].rule]
        if value == "undefined":
            assert status == "not_applicable"
        elif value is not None:
            assert status == ("met" if value >= 15.0 else "not_met") and not rule.endswith("#decided")
        elif upper is not None and upper < 15.0:
            assert status == "not_met" and rule.endswith("#decided")
        else:
            assert status == "insufficient_data"


DECIDES_AND = """
id: PL-C-003
version: 1
kind: compliance
clauses: ["5.2"]
severity: high
title: {zh: 规划, en: plan}
subject: {fact: plan, as: p}
check: "exists == true and targets >= 1 and tasks >= 1"
decides: "exists == false"
explain:
  met: {zh: "有规划", en: "a plan"}
  not_met: {zh: "规划不完整", en: "incomplete"}
  decided: {zh: "尚未编制规划", en: "no plan drawn up"}
"""


def test_decides_on_a_conjunction_gives_one_verdict_for_every_unknown(fake_knowledge):
    """`not (a and b and c)` is an `or`, which a comparison on an absent field does not rule out: with
    `decides`, #not_met needs every field reported, so a field unknown gives #decided or #missing and
    never both with #not_met (whose pick between them would depend on the firing order)."""
    import itertools

    from engine.evaluators.durable import DurableEvaluator
    from engine.evaluators.oracle import OracleEvaluator
    rules, meta = compile_text(DECIDES_AND, fake_knowledge)
    compiled = ir.CompiledRuleset(key="decides-and", rules=rules)
    for exists, targets, tasks in itertools.product((None, True, False), (None, 0, 2), (None, 0, 3)):
        plan = {"kind": "plan", "id": "plan", **{k: v for k, v in (("exists", exists), ("targets", targets),
                                                                   ("tasks", tasks)) if v is not None}}
        if exists is False:
            want = "#decided" if None in (targets, tasks) else "#not_met"
        elif exists is None or None in (targets, tasks):
            want = "#missing"
        else:
            want = "#met" if targets and tasks else "#not_met"
        for evaluator in (OracleEvaluator(), DurableEvaluator()):
            matches = evaluator.evaluate(compiled, [dict(PARK), plan])
            assert [m.rule for m in matches] == [f"PL-C-003{want}"], (plan, [m.rule for m in matches])


def test_decides_needs_its_text_and_no_subject_applies(fake_knowledge):
    from pydantic import ValidationError
    data = yaml.safe_load(DECIDES)
    del data["explain"]["decided"]
    with pytest.raises(ValidationError, match="`decides` and explain.decided go together"):
        TypeAdapter(RuleFile).validate_python(data)
    with pytest.raises(RuleCompileError) as exc:
        compile_text(DECIDES, fake_knowledge, applies="value is defined")
    assert exc.value.key == ("decides",) and "without subject `applies`" in str(exc.value)



INCIDENTS = """
id: IM-C-004
version: 2
kind: compliance
clauses: ["7.2"]
severity: high
title: {zh: 近三年未发生重大突发环境事件, en: No major incident in three years}
subject: {fact: indicator, as: s, where: "name == 'major_env_incidents_3y'"}
check: "value == 0"
explain:
  met: {zh: 未发生, en: none}
  not_met: {zh: "发生 {s.value:.0f} 起", en: "{s.value:.0f}"}
"""


def test_a_scope_rule_is_no_data_completeness_check():
    from pydantic import ValidationError
    data = {**yaml.safe_load(INCIDENTS), "scope": True, "data_completeness": True,
            "explain": {"met": {"zh": "在", "en": "in"}, "not_applicable": {"zh": "不在", "en": "out"}}}
    with pytest.raises(ValidationError, match="a scope rule is not a data-completeness check"):
        TypeAdapter(RuleFile).validate_python(data)


EITHER = """
id: PC-C-017
version: 1
kind: compliance
clauses: ["6.3"]
severity: high
title: {zh: 煤炭占比下降, en: Coal share falling}
subject: {fact: indicator, as: s, where: "name == 'coal_share_change'"}
check: "value < 0 or at_best == true"
explain:
  met: {zh: 下降, en: falling}
  not_met: {zh: 未下降, en: not falling}
"""


@pytest.mark.parametrize("evaluator", ["oracle", "durable"])
@pytest.mark.parametrize("value", [None, -1.0, 0.0])
@pytest.mark.parametrize("at_best", [None, True, False])
def test_a_branch_of_an_or_the_reported_fields_satisfy_decides_met(fake_knowledge, evaluator, value, at_best):
    """`a or b`: one verdict per subject whatever is left out - met when a reported branch holds
    (coal at its best, 0 %, its change unknown), not met when both are reported false, otherwise
    insufficient data. Before, a met branch with the other field unknown fired #missing too."""
    from engine.evaluators.durable import DurableEvaluator
    from engine.evaluators.oracle import OracleEvaluator
    rules, meta = compile_text(EITHER, fake_knowledge)
    ind = {"kind": "indicator", "id": "ind:coal_share_change", "name": "coal_share_change",
           **({} if value is None else {"value": value}), **({} if at_best is None else {"at_best": at_best})}
    engine = OracleEvaluator() if evaluator == "oracle" else DurableEvaluator()
    matches = engine.evaluate(ir.CompiledRuleset(key=f"either-{evaluator}", rules=rules), [dict(PARK), ind])
    statuses = [meta.engine_rules[m.rule] for m in matches]
    if value == -1.0 or at_best is True:
        assert statuses == ["met"]
    elif value is not None and at_best is not None:
        assert statuses == ["not_met"]
    else:
        assert statuses == ["insufficient_data"]


def _with_cases(*cases):
    explain = yaml.safe_load(COMPLIANCE)["explain"]
    return {"explain": {**explain, "cases": list(cases)}}


def test_a_case_of_a_verdict_picks_its_sentence_by_the_subject(fake_knowledge):
    """`explain.cases`: the first case whose `when` holds of the subject gives the sentence of
    its status, and a comparison on a field left out is false (the status's own sentence)."""
    zero = {"status": "met", "when": "value == 0", "zh": "零排放", "en": "zero"}
    best = {"status": "met", "when": "value <= 1", "zh": "远低于 {$max}", "en": "well within {$max}"}
    _, meta = compile_text(COMPLIANCE, fake_knowledge, **_with_cases(zero, best))
    subject = {"kind": "indicator", "id": "ind:co2_per_tce", "name": "co2_per_tce"}
    said = {v: meta.sentence("met", {**subject, "value": v}).en for v in (0, 0.5, 1.5)}
    assert said == {0: "zero", 0.5: "well within {$max}", 1.5: "{s.value:.2f} within {$max}"}
    assert meta.sentence("met", subject).en == "{s.value:.2f} within {$max}"      # value left out
    assert meta.sentence("not_met", {**subject, "value": 0}).en.startswith("{s.value:.2f} above")


@pytest.mark.parametrize("case,key,msg", [
    ({"status": "met", "when": "valu <= 1", "zh": "x", "en": "x"}, ("explain", "cases", 0, "when"), "valu"),
    ({"status": "met", "when": "value <= $max", "zh": "x", "en": "x"}, ("explain", "cases", 0, "when"),
     "not thresholds"),
    ({"status": "met", "when": "value <= 1", "zh": "{s.nope}", "en": "x"}, ("explain", "cases", 0, "zh"), "nope"),
    ({"status": "insufficient_data", "when": "value is not defined", "zh": "{gapp}", "en": "x"},
     ("explain", "cases", 0, "zh"), "gapp"),
])
def test_a_bad_case_is_a_located_compile_error(fake_knowledge, case, key, msg):
    with pytest.raises(RuleCompileError, match=msg) as err:
        compile_text(COMPLIANCE, fake_knowledge, **_with_cases(case))
    assert err.value.key == key


def test_shows_adds_subject_fields_to_the_evidence_not_to_what_the_verdict_needs(fake_knowledge):
    rules, meta = compile_text(COMPLIANCE, fake_knowledge, shows=["unit", "value"])
    plain_rules, plain = compile_text(COMPLIANCE, fake_knowledge)
    assert meta.evidence["s"] == ("value", "unit") and plain.evidence["s"] == ("value",)
    assert meta.requires == plain.requires and meta.shows == ("unit", "value")
    assert [r.model_dump() for r in rules] == [r.model_dump() for r in plain_rules]    # the same engine rules
    with pytest.raises(RuleCompileError) as exc:
        compile_text(COMPLIANCE, fake_knowledge, shows=["bindng"])
    assert exc.value.key == ("shows",) and "no field 'bindng'" in str(exc.value)
