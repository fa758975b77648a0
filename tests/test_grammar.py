"""The condition grammar: precedence, refusals with carets, no eval."""
import pytest

from engine.rules import grammar as g


def test_and_binds_within_parentheses_and_or_at_top():
    node = g.parse("a == 1 or (b == 2 and c < 3)")
    assert isinstance(node, g.Or)
    assert isinstance(node.items[1], g.And)
    assert node.items[1].items[1] == g.Cmp("<", g.Name(None, "c"), g.Literal(3))


def test_mixing_and_or_without_parentheses_is_refused_with_a_caret():
    with pytest.raises(g.ConditionSyntaxError) as exc:
        g.parse("a == 1 or b == 2 and c < 3")
    assert "parentheses" in str(exc.value)
    assert exc.value.column == 1


@pytest.mark.parametrize("text,column", [("a = 1", 3), ("value >= ", 10), ("(a == 1", 8), ("a == 1 b", 8)])
def test_syntax_errors_point_at_the_column(text, column):
    with pytest.raises(g.ConditionSyntaxError) as exc:
        g.parse(text)
    assert exc.value.column == column
    assert exc.value.text == text
    assert str(exc.value).splitlines()[-1] == "    " + " " * (column - 1) + "^"


def test_literals_thresholds_lists_and_defined():
    assert g.parse("x > $min") == g.Cmp(">", g.Name(None, "x"), g.Threshold("min"))
    assert g.parse("v > 1e-05").right == g.Literal(1e-05)
    assert g.parse("v == 3").right == g.Literal(3) and isinstance(g.parse("v == 3").right.value, int)
    assert g.parse("s == '化工'").right == g.Literal("化工")
    assert g.parse('s == "a\\"b"').right == g.Literal('a"b')
    assert g.parse("f == true").right == g.Literal(True)
    assert g.parse("code not in ['a', 'b']") == g.In(g.Name(None, "code"), (g.Literal("a"), g.Literal("b")), True)
    assert g.parse("value is not defined") == g.IsDefined(g.Name(None, "value"), True)
    assert g.parse("not value is defined") == g.Not(g.IsDefined(g.Name(None, "value"), False))
    assert g.parse("e.id == enterprise_id").left == g.Name("e", "id")


def test_python_is_not_evaluated():
    for text in ("__import__('os').system('x')", "open('f')", "value == 1; import os", "x == `ls`"):
        with pytest.raises(g.ConditionSyntaxError):
            g.parse(text)


def test_empty_condition_is_refused():
    with pytest.raises(g.ConditionSyntaxError):
        g.parse("   ")
