"""Conditions compile against the fact catalogue: names, types, thresholds, negation, joins."""
import pytest

from engine.rules import grammar as g
from engine.rules import ir
from engine.rules.conditions import ConditionError, Scope, compile_condition


def comp(text, kind="indicator", alias="s", negate=False, **kw):
    return compile_condition(g.parse(text), Scope(alias=alias, kind=kind, **kw), negate)


def test_comparison_against_threshold_is_resolved():
    c = comp("value >= $min", thresholds={"min": 15.0})
    assert c == ir.Compare(op="ge", field="value", right=ir.Const(value=15.0))


def test_negation_is_pushed_into_operators():
    c = comp("name == 'x' and value >= $min", negate=True, thresholds={"min": 15.0})
    assert c == ir.Or(items=[ir.Compare(op="ne", field="name", right=ir.Const(value="x")),
                             ir.Compare(op="lt", field="value", right=ir.Const(value=15.0))])
    assert comp("not (value is defined)") == ir.Undefined(field="value")
    assert comp("name not in ['a', 'b']") == ir.And(items=[
        ir.Compare(op="ne", field="name", right=ir.Const(value="a")),
        ir.Compare(op="ne", field="name", right=ir.Const(value="b"))])


def test_literal_on_the_left_is_flipped():
    assert comp("$min <= value", thresholds={"min": 2.0}) == ir.Compare(op="ge", field="value",
                                                                        right=ir.Const(value=2.0))


@pytest.mark.parametrize("text,msg", [
    ("valeu > 0", "no field 'valeu'"),
    ("value.__class__ == 0", "must test a field of s"),
    ("value > 'high'", "compared with text"),
    ("name > 'a'", "only == and != apply"),
    ("value > 3.5", "declare it under `thresholds:`"),
    ("value > $nope", "not declared"),
    ("value > previous", "two fields of one fact"),
])
def test_bad_conditions_are_refused(text, msg):
    with pytest.raises(ConditionError, match=msg):
        comp(text)


def test_closed_text_values_are_checked():
    with pytest.raises(ConditionError, match="never 'finished'"):
        comp("cp_audit == 'finished'", kind="enterprise", alias="e")
    assert comp("cp_audit == 'completed'", kind="enterprise", alias="e").field == "cp_audit"


def test_joins_are_equality_only():
    scope = dict(kind="target", alias="t", earlier={"i": "indicator"})
    assert comp("indicator == i.name", **scope) == ir.Compare(op="eq", field="indicator",
                                                              right=ir.Ref(alias="i", field="name"))
    with pytest.raises(ConditionError, match="must be '=='"):
        comp("indicator != i.name", **scope)
    with pytest.raises(ConditionError, match="unknown alias"):
        comp("indicator == x.name", **scope)
