"""The condition language of rule packs: a small grammar parsed into a typed AST. No `eval`.

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | "(" condition ")" | test
    test       := name "is" ["not"] "defined"
               |  name ["not"] "in" "[" literal ("," literal)* "]"
               |  operand ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
    operand    := name | literal | "$" ident          ($x: a threshold declared by the rule)
    name       := ident ["." ident]                    (field, or alias.field)
    literal    := number | 'text' | "text" | true | false

`and` binds tighter than `or`, and mixing the two without parentheses is refused: a reviewer
should never have to remember precedence to read a rule (ansible-rulebook's `a or b and c`
parsed as `(a or b) and c`).

Example:
    >>> parse("value >= $min and name == 'renewable_share'")
    And(items=(Cmp(op='>=', left=Name(alias=None, field='value'), right=Threshold(name='min')), ...
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

__all__ = ["parse", "ConditionSyntaxError", "Name", "Literal", "Threshold", "Cmp", "In",
           "IsDefined", "And", "Or", "Not", "Node", "Operand"]


class ConditionSyntaxError(ValueError):
    """A condition that does not parse; `column` is 1-based."""

    def __init__(self, message: str, text: str, column: int):
        self.text, self.column, self.reason = text, column, message
        super().__init__(f"{message}\n    {text}\n    {' ' * (column - 1)}^")


@dataclass(frozen=True)
class Name:
    alias: str | None
    field: str


@dataclass(frozen=True)
class Literal:
    value: bool | int | float | str


@dataclass(frozen=True)
class Threshold:
    name: str


Operand = Union[Name, Literal, Threshold]


@dataclass(frozen=True)
class Cmp:
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True)
class In:
    name: Name
    values: tuple[Literal, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsDefined:
    name: Name
    negated: bool = False


@dataclass(frozen=True)
class And:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    item: "Node"


Node = Union[Cmp, In, IsDefined, And, Or, Not]

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],.$])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "is", "defined", "true", "false"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    col: int


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ConditionSyntaxError(f"unexpected character {text[pos]!r}", text, pos + 1)
        kind = m.lastgroup
        if kind != "ws":
            tok = m.group()
            if kind == "ident" and tok in _KEYWORDS:
                kind = tok
            out.append(_Tok(kind, tok, pos + 1))
        pos = m.end()
    out.append(_Tok("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text, self.toks, self.i = text, _tokens(text), 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self, *kinds: str) -> _Tok:
        tok = self.peek()
        if tok.kind not in kinds and tok.text not in kinds:
            want = " or ".join(repr(k) for k in kinds)
            got = "end of condition" if tok.kind == "end" else repr(tok.text)
            raise ConditionSyntaxError(f"expected {want}, found {got}", self.text, tok.col)
        self.i += 1
        return tok

    def at(self, *kinds: str) -> bool:
        tok = self.peek()
        return tok.kind in kinds or tok.text in kinds

    # condition := or_expr, refusing unparenthesised and/or mixtures
    def condition(self) -> Node:
        first_col = self.peek().col
        items = [self.and_expr()]
        while self.at("or"):
            self.take("or")
            items.append(self.and_expr())
        if len(items) == 1:
            return items[0]
        for item in items:
            if isinstance(item, And) and not getattr(item, "_paren", False):
                raise ConditionSyntaxError("mixing 'and' and 'or' needs parentheses, "
                                           "e.g. (a and b) or c", self.text, first_col)
        return Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while self.at("and"):
            self.take("and")
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        if self.at("not"):
            self.take("not")
            return Not(self.unary())
        if self.at("("):
            self.take("(")
            node = self.condition()
            self.take(")")
            if isinstance(node, And):
                object.__setattr__(node, "_paren", True)
            return node
        return self.test()

    def test(self) -> Node:
        start = self.peek()
        left = self.operand()
        if self.at("is"):
            self.take("is")
            negated = bool(self.at("not") and self.take("not"))
            self.take("defined")
            return IsDefined(self._name(left, start), negated)
        if self.at("not", "in"):
            negated = bool(self.at("not") and self.take("not"))
            self.take("in")
            self.take("[")
            values = [self.literal()]
            while self.at(","):
                self.take(",")
                values.append(self.literal())
            self.take("]")
            return In(self._name(left, start), tuple(values), negated)
        op = self.take("op")
        return Cmp(op.text, left, self.operand())

    def _name(self, operand: Operand, tok: _Tok) -> Name:
        if not isinstance(operand, Name):
            raise ConditionSyntaxError("expected a field name here", self.text, tok.col)
        return operand

    def operand(self) -> Operand:
        if self.at("$"):
            self.take("$")
            return Threshold(self.take("ident").text)
        if self.at("ident"):
            first = self.take("ident").text
            if self.at("."):
                self.take(".")
                return Name(first, self.take("ident").text)
            return Name(None, first)
        return self.literal()

    def literal(self) -> Literal:
        tok = self.take("num", "str", "true", "false")
        if tok.kind == "num":
            is_float = any(c in tok.text for c in ".eE")
            return Literal(float(tok.text) if is_float else int(tok.text))
        if tok.kind == "str":
            body = tok.text[1:-1]
            return Literal(re.sub(r"\\(.)", r"\1", body))
        return Literal(tok.kind == "true")


def parse(text: str) -> Node:
    """Parse one condition into its AST.

    Raises:
        ConditionSyntaxError: with the column of the offending token.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConditionSyntaxError("empty condition", str(text), 1)
    p = _Parser(text)
    node = p.condition()
    p.take("end")
    return node
