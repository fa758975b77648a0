"""The YAML loader resolves plain scalars by the YAML 1.2 core schema (engine/sourcefile/yaml12.py),
as JSON and every JSON Schema validator read the same document."""
from __future__ import annotations

import math

import pytest

from engine.errors import InputError, MalformedInput
from engine.sourcefile import parse_document


@pytest.mark.parametrize("text, value", [
    # booleans: only true/false in three spellings
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False),
    ("yes", "yes"), ("No", "No"), ("on", "on"), ("OFF", "OFF"), ("y", "y"), ("n", "n"), ("tRue", "tRue"),
    # null
    ("~", None), ("null", None), ("Null", None), ("NULL", None), ("", None), ("nULL", "nULL"),
    # integers: decimal (leading zeros too), 0o octal, 0x hex; no 1.1 octal, binary, sexagesimal or `_`
    ("12", 12), ("-3", -3), ("+4", 4), ("010", 10), ("0o17", 15), ("0x1F", 31), ("0b101", "0b101"),
    ("1_000", "1_000"), ("1:30", "1:30"), ("190:20:30", "190:20:30"),
    # floats: exponent without a dot too (1.1 read `1e3` as text)
    ("1.5", 1.5), (".5", 0.5), ("1.", 1.0), ("1e3", 1000.0), ("-2.5E-3", -0.0025), ("+1.5", 1.5),
    (".inf", math.inf), ("-.Inf", -math.inf), ("+.INF", math.inf),
    # no timestamps
    ("2024-01-01", "2024-01-01"), ("2024-01-01 10:00:00", "2024-01-01 10:00:00"),
    # quoted is always text
    ("'true'", "true"), ('"12"', "12"),
])
def test_plain_scalars_resolve_by_the_core_schema(text, value):
    got = parse_document(f"x: {text}\n", "x.yaml").data["x"]
    assert got == value and type(got) is type(value)


def test_nan_is_a_float():
    assert math.isnan(parse_document("x: .nan\n", "x.yaml").data["x"])


@pytest.mark.parametrize("text, tag", [("!!timestamp 2024-01-01", "!!timestamp"), ("!!binary aGk=", "!!binary"),
                                       ("!!set {a, b}", "!!set"), ("!!omap [a: 1]", "!!omap"),
                                       ("!!bool yes", "!!bool"), ("!!int 1_000", "!!int")])
def test_tags_outside_the_core_schema_or_values_outside_a_tag_are_refused_with_their_line(text, tag):
    with pytest.raises(MalformedInput) as exc:
        parse_document(f"a: 1\nx: {text}\n", "f.yaml")
    [line] = exc.value.lines()
    assert line.startswith("f.yaml:2:4: malformed YAML") and tag in line


def test_explicit_core_tags_still_work():
    assert parse_document("a: !!str 12\nb: !!float 3\nc: !!int '7'\nd: !!bool 'false'\n", "f.yaml").data == \
        {"a": "12", "b": 3.0, "c": 7, "d": False}


@pytest.mark.parametrize("text", ["true: 1\nTrue: 2\n", "10: a\n0xA: b\n", "1: a\n1.0: b\n", "1: a\ntrue: b\n",
                                  "~: a\nnull: b\n"])
def test_keys_a_dict_would_merge_are_duplicates(text):
    with pytest.raises(InputError) as exc:
        parse_document(text, "f.yaml")
    assert exc.value.lines()[0].startswith("f.yaml:2:1:") and "duplicate key" in exc.value.lines()[0]


def test_yes_and_true_are_different_keys_now():
    assert parse_document("yes: 1\ntrue: 2\n", "f.yaml").data == {"yes": 1, True: 2}


def test_merge_keys_and_positions_are_unchanged():
    doc = parse_document("base: &b {unit: t, value: 1}\nx: {<<: *b, value: 2}\ny: [yes, on]\n", "f.yaml")
    assert doc.data == {"base": {"unit": "t", "value": 1}, "x": {"unit": "t", "value": 2}, "y": ["yes", "on"]}
    assert doc.positions[("y", 1)] == (3, 10)


def test_text_written_by_the_project_reads_back_as_text_in_yaml_1_2_and_1_1():
    # `greenpark convert --to yaml` (engine/intake/convert.py) writes with Yaml12Dumper: PyYAML's own
    # dumper writes `2E5` and `0o17` plain (text in 1.1), which YAML 1.2 reads as numbers
    import yaml

    from engine.intake.convert import render_text
    data = {"id": "2E5", "code": "0o17", "flag": "yes", "n": "12", "dot": "1.", "inf": ".inf", "hex": "0x1F",
            "count": 3, "share": 1.5, "known": True, "none": None, "name": "园区"}
    text = render_text(data, "yaml")
    assert parse_document(text, "x.yaml").data == data
    assert yaml.safe_load(text) == data
