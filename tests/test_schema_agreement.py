"""The CLI, the API and the JSON Schema agree on what a valid park is (issue 12, item 5): YAML is
read by the YAML 1.2 core schema (engine/sourcefile/yaml12.py), the park model is strict, and a
standard validator (jsonschema-rs, draft 2020-12) with the schema `greenpark schema` prints accepts
exactly what the loader accepts on the fields tested here."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from hypothesis import assume, given, settings, strategies as st
from typer.testing import CliRunner

from cli import app
from engine.errors import InputError, MalformedInput
from engine.facts.loader import parse_park, park_from_data
from engine.sourcefile import load_document, parse_document
from tests.scenarios.runner import SCENARIOS

EXAMPLES = sorted(Path("examples").glob("*.yaml"))
SCENARIO_PATHS = sorted(SCENARIOS.glob("[0-9]*.yaml"))
TEXT = Path("examples/typical_municipal_park.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def validator():
    out = CliRunner().invoke(app, ["schema"])
    assert out.exit_code == 0, out.output
    return jsonschema_rs.validator_for(json.loads(out.stdout))


def _errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("path", EXAMPLES + SCENARIO_PATHS, ids=lambda p: p.stem)
def test_every_example_and_scenario_park_is_valid_by_the_json_schema(path, validator):
    data = load_document(path).data
    park = data["park"] if "scenario" in data else data
    assert _errors(validator, park) == []
    park_from_data(park)                                           # and by the loader


# A field of the typical example: the line written there, and the one to put a value into.
FIELDS = {
    "has_management_body": ("has_management_body: true", "has_management_body: {}"),    # bool, required
    "binding": ("binding: true}", "binding: {}}}"),                                      # bool, default false
    "key_energy_user": ("    key_energy_user: true", "    key_energy_user: {}"),          # bool | None
    "green_staff": ("  green_staff: 2", "  green_staff: {}"),                             # count | None
    "established_year": ("  established_year: 2006", "  established_year: {}"),         # 1949-2100 | None
    "charging_points": ("charging_points: 320", "charging_points: {}"),                  # count | None
    "air_quality_good_days": ("    air_quality_good_days: 63.0", "    air_quality_good_days: {}"),  # 0-100 | None
    "load_rate": ("load_rate: 71,", "load_rate: {},"),                                   # 0-300 | None
    "baseline_value": ("baseline_value: 0.28,", "baseline_value: {},"),                  # any number
}


def _park_text(field: str, token: str) -> str:
    line, new = FIELDS[field]
    assert TEXT.count(line) >= 1
    return TEXT.replace(line, new.format(token), 1)


def _verdicts(validator, field: str, token: str) -> tuple[bool, bool] | None:
    """(the JSON Schema accepts, the loader accepts) the typical park with `token` in `field`; None
    when the token makes the text not YAML at all (nothing for a schema to judge)."""
    text = _park_text(field, token)
    try:
        data = parse_document(text, "park.yaml").data
    except MalformedInput:
        return None
    try:
        parse_park(text, "park.yaml")
        loader_ok = True
    except InputError:
        loader_ok = False
    return validator.is_valid(data), loader_ok


# YAML 1.1 forms and their YAML 1.2 readings: (field, token, accepted by both)
TABLE = [
    ("has_management_body", "yes", False), ("has_management_body", "no", False), ("has_management_body", "on", False),
    ("has_management_body", "Off", False), ("has_management_body", "y", False), ("has_management_body", "N", False),
    ("has_management_body", "'true'", False), ("has_management_body", "1", False), ("has_management_body", "0", False),
    ("has_management_body", "~", False), ("has_management_body", "true", True), ("has_management_body", "True", True),
    ("has_management_body", "FALSE", True),
    ("key_energy_user", "yes", False), ("key_energy_user", "null", True), ("key_energy_user", "", True),
    ("binding", "on", False), ("binding", "false", True),
    ("green_staff", "'2'", False), ("green_staff", "2.5", False), ("green_staff", "true", False),
    ("green_staff", "2.0", True), ("green_staff", "-1", False), ("green_staff", "1_000", False),
    ("established_year", "0o3726", True), ("established_year", "0x7D6", True), ("established_year", "1:30", False),
    ("established_year", "2024-01-01", False), ("established_year", "02006", True),
    ("charging_points", "0b101", False), ("charging_points", "1e3", True),
    ("air_quality_good_days", "'63'", False), ("air_quality_good_days", "1:30", False),
    ("air_quality_good_days", "1e1", True), ("air_quality_good_days", ".5", True), ("air_quality_good_days", "101", False),
    ("air_quality_good_days", ".inf", False), ("air_quality_good_days", ".nan", False),
    ("load_rate", "150", True), ("load_rate", "yes", False),
    ("baseline_value", "'0.28'", False), ("baseline_value", "true", False), ("baseline_value", "-1e-3", True),
]


@pytest.mark.parametrize("field, token, accepted", TABLE, ids=[f"{f}={t or 'empty'}" for f, t, _ in TABLE])
def test_schema_and_loader_agree_on_yaml_1_1_forms(field, token, accepted, validator):
    assert _verdicts(validator, field, token) == (accepted, accepted)


def test_yaml_1_1_only_forms_are_text_as_in_yaml_1_2():
    data = parse_document("a: yes\nb: off\nc: 1:30\nd: 010\ne: 0o17\nf: 0x1F\ng: 1_000\nh: 1e3\ni: 2024-01-01\n"
                          "j: TRUE\nk: y\n", "x.yaml").data
    assert data == {"a": "yes", "b": "off", "c": "1:30", "d": 10, "e": 15, "f": 31, "g": "1_000", "h": 1000.0,
                    "i": "2024-01-01", "j": True, "k": "y"}


def test_a_yes_flag_is_refused_with_file_line_path_and_what_to_write():
    with pytest.raises(InputError) as exc:
        parse_park(_park_text("has_management_body", "yes"), "park.yaml")
    [line] = exc.value.lines()
    assert line.startswith("park.yaml:18:24: profile.has_management_body: must be true or false")
    assert "'yes'" in line and "write true or false" in line


def test_a_tag_outside_the_core_schema_is_refused_with_its_line():
    with pytest.raises(InputError) as exc:
        parse_park(_park_text("established_year", "!!timestamp 2006-01-01"), "park.yaml")
    assert exc.value.lines()[0].startswith("park.yaml:21:") and "!!timestamp" in exc.value.lines()[0]


def test_the_api_reads_json_as_the_schema_does(validator):
    """JSON (the API's bodies) has no YAML 1.1 forms; the model refuses what the schema refuses."""
    base = load_document("examples/typical_municipal_park.yaml").data
    for value, ok in [("yes", False), ("true", False), (1, False), (True, True)]:
        data = json.loads(json.dumps({**base, "profile": {**base["profile"], "has_management_body": value}},
                                     ensure_ascii=False))
        try:
            park_from_data(data)
            loader_ok = True
        except InputError:
            loader_ok = False
        assert (validator.is_valid(data), loader_ok) == (ok, ok), value


TOKENS = ["yes", "no", "on", "off", "y", "n", "Y", "NO", "On", "true", "True", "TRUE", "false", "False", "tRue",
          "1:30", "190:20:30", "0o17", "0x1F", "017", "1_000", "0b101", "1e3", "1E3", ".5", "1.", "+12", "-3",
          "~", "null", "2024-01-01", "2006", "63", "71.5", "0x7D6", "0o3726", "''", "'12'", "'true'", '"yes"',
          "12 t", "2.0"]
_token = st.one_of(
    st.sampled_from(TOKENS),
    st.integers(min_value=-10, max_value=3000).map(str),
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(TOKENS).map(lambda t: f"'{t}'"))


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(sorted(FIELDS)), token=_token)
def test_what_the_schema_rejects_the_loader_rejects_and_the_other_way(field, token, validator):
    verdicts = _verdicts(validator, field, token)
    assume(verdicts is not None)
    schema_ok, loader_ok = verdicts
    assert schema_ok == loader_ok, (field, token, schema_ok, loader_ok)


def test_rule_and_knowledge_files_read_the_same_under_yaml_1_1_and_1_2():
    """No YAML file of the repository relies on a YAML 1.1-only form: each one's data is the same
    read by PyYAML (1.1) and by the loader (1.2)."""
    files = [p for d in ("rules", "knowledge", "examples", "tests/scenarios", "tests/cycles")
             for p in sorted(Path(d).rglob("*.y*ml"))]
    assert len(files) > 100
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert parse_document(text, str(path)).data == yaml.safe_load(text), path


def test_a_rule_file_flag_written_yes_is_refused_like_a_park_flag():
    """Rule files are as strict as park files: `disabled: yes` (the text "yes" in YAML 1.2) is
    refused, never read as true (tests/test_rule_files.py: the load error names file and line)."""
    from pydantic import TypeAdapter, ValidationError
    from engine.rules.dsl import ComplianceRule
    text = Path("rules/improvement/IM-C-001_target_achieved.yaml").read_text(encoding="utf-8")
    adapter = TypeAdapter(ComplianceRule)
    for word, flag in (("true", True), ("false", False)):
        assert adapter.validate_python(parse_document(text + f"disabled: {word}\n", "r.yaml").data).disabled is flag
    for word in ("yes", "no", "on", "'true'"):
        with pytest.raises(ValidationError, match="must be true or false, not the text"):
            adapter.validate_python(parse_document(text + f"disabled: {word}\n", "r.yaml").data)
