"""Bad park input gets one located line per problem, never a traceback."""
import json

import pytest

from engine.errors import InputError
from engine.facts.loader import load_park, parse_park

GOOD = """\
profile:
  id: p1
  name: 示例园区
  level: provincial
  province: 江苏
  park_type: comprehensive
  has_management_body: true
  area: 12 km2
years:
  - year: 2024
    energy:
      purchased_electricity: 5000 万kWh
"""


def errors(text, file="park.yaml"):
    with pytest.raises(InputError) as exc:
        parse_park(text, file)
    return exc.value.lines()


def test_good_park_parses_with_units_converted():
    park = parse_park(GOOD, "park.yaml")
    assert park.latest.energy.purchased_electricity == pytest.approx(50000.0)  # MWh
    assert park.profile.area == 12.0


@pytest.mark.parametrize("old,new,expect", [
    ("purchased_electricity: 5000 万kWh", "purchased_electricity: 5000", "park.yaml:12:30: years[0].energy.purchased_electricity: a unit is required"),
    ("purchased_electricity: 5000 万kWh", "purchased_electricity: 5000 t", "unit 't' is not a electricity unit"),
    ("purchased_electricity: 5000 万kWh", "purchased_electricity: -5 MWh", "years[0].energy.purchased_electricity: must be >= 0"),
    ("purchased_electricity: 5000 万kWh", "purchased_elec: 5 MWh", "unknown field 'purchased_elec' (did you mean 'purchased_electricity'?)"),
    ("area: 12 km2", "area: 12 km2\n  sizes: 3", "profile.sizes: unknown field"),
    ("level: provincial", "level: county", "profile.level: 'county' is not one of"),
    ("province: 江苏", "province: Jiangsu", "unknown province 'Jiangsu'"),
])
def test_each_bad_input_names_its_line_and_path(old, new, expect):
    lines = errors(GOOD.replace(old, new))
    assert len(lines) == 1
    assert expect in lines[0]
    assert lines[0].startswith("park.yaml:")


def test_percentage_over_100():
    lines = errors(GOOD + "    air_quality_good_days: 130\n")
    assert lines == ["park.yaml:13:28: years[0].air_quality_good_days: a percentage must be 0-100 (got 130)"]


def test_malformed_yaml_and_json(tmp_path):
    assert errors("profile: [1,\n")[0].startswith("park.yaml:2:1: malformed YAML")
    bad = tmp_path / "p.json"
    bad.write_text('{"profile": {"id": 1,}}', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_park(bad)
    assert exc.value.lines()[0].startswith(f"{bad}:1:22: malformed JSON")


def test_json_errors_have_positions_too(tmp_path):
    import yaml
    data = yaml.safe_load(GOOD)
    data["years"][0]["energy"]["purchased_electricity"] = "-1 MWh"
    p = tmp_path / "p.json"
    p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_park(p)
    (line,) = exc.value.lines()
    assert "years[0].energy.purchased_electricity: must be >= 0" in line
    assert line.split(":")[1].isdigit()


def test_duplicate_keys_and_missing_file(tmp_path):
    assert "duplicate key 'level'" in errors(GOOD.replace("level: provincial", "level: provincial\n  level: national"))[0]
    with pytest.raises(InputError) as exc:
        load_park(tmp_path / "nope.yaml")
    assert "file not found" in exc.value.lines()[0]


def test_several_problems_are_all_reported():
    text = GOOD.replace("area: 12 km2", "area: -1 km2").replace("5000 万kWh", "5000")
    assert len(errors(text)) == 2


def test_green_electricity_cannot_exceed_purchased():
    text = GOOD + "      green_electricity: 6000 万kWh\n"
    assert "green_electricity exceeds purchased_electricity" in errors(text)[0]
