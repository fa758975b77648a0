"""The example parks load, say what they are meant to say, and the synthetic generators are valid."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bench.make_parks import count_facts, large_park, random_park, typical_park
from engine.facts.loader import load_park, park_from_data
from engine.facts.models import AuditStatus, Park

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NAMES = ["strong_hightech_park", "coal_chemical_park", "typical_municipal_park"]
MANDATORY = ("exceeds_discharge_standard", "exceeds_total_quota", "toxic_substances", "exceeds_energy_limit")


@pytest.fixture(scope="module", params=NAMES)
def example(request) -> Park:
    return load_park(EXAMPLES / f"{request.param}.yaml")


def _park(name: str) -> Park:
    return load_park(EXAMPLES / f"{name}.yaml")


def test_example_loads(example):
    assert example.profile.name.endswith("(示例)")
    assert len(example.years) >= 3
    assert example.plan is not None and example.plan.exists


def test_example_green_power_within_purchased(example):
    for y in example.years:
        e = y.energy
        if e.green_electricity is not None and e.purchased_electricity is not None:
            assert e.green_electricity <= e.purchased_electricity


def test_example_enterprise_energy_below_park_total(example):
    """Listed enterprises never use more than the park's own reported total."""
    latest = example.latest.energy.reported_total or example.sorted_years()[-2].energy.reported_total
    assert sum(e.energy_use or 0 for e in example.enterprises) < latest


def test_strong_park_has_all_seven_smart_systems():
    park = _park("strong_hightech_park")
    assert all(getattr(park.smart_platform, f) is True for f in type(park.smart_platform).model_fields)
    assert len(type(park.smart_platform).model_fields) == 7
    assert [y.year for y in park.sorted_years()] == [2021, 2022, 2023, 2024]


def test_strong_park_audits_done_where_triggered():
    park = _park("strong_hightech_park")
    for e in park.enterprises:
        if any(getattr(e.cp_triggers, t) for t in MANDATORY):
            assert e.cp_audit is AuditStatus.completed, e.id


def test_chemical_park_has_unaudited_mandatory_enterprises():
    park = _park("coal_chemical_park")
    offenders = [e.id for e in park.enterprises
                 if any(getattr(e.cp_triggers, t) for t in MANDATORY) and e.cp_audit is not AuditStatus.completed]
    assert len(offenders) >= 3


def test_chemical_park_has_deliberate_gaps():
    park = _park("coal_chemical_park")
    latest = park.latest
    assert park.profile.park_type == "chemical"
    assert latest.water.reused is None
    assert latest.solid_waste.general_utilised is None
    assert park.management.ghg_inventory is None
    assert sum(v is None for v in park.smart_platform.model_dump().values()) >= 3
    assert park.sorted_years()[0].economy.industrial_value_added is None


def test_chemical_park_is_coal_heavy():
    e = _park("coal_chemical_park").latest.energy
    assert e.coal > 5e6 and e.coke > 5e5                       # t
    assert (e.green_electricity + e.onsite_renewable_generation) < 0.05 * e.purchased_electricity


def test_example_ids_and_years_are_unique(example):
    assert len({e.id for e in example.enterprises}) == len(example.enterprises)
    assert len({y.year for y in example.years}) == len(example.years)


@pytest.mark.parametrize("seed", range(51))
def test_typical_park_validates(seed):
    data = typical_park(seed)
    park = Park.model_validate(data)
    assert len(park.years) == 3
    assert 60 <= len(park.enterprises) <= 80


@pytest.mark.parametrize("seed", range(51))
def test_random_park_validates(seed):
    data = random_park(random.Random(seed))
    park = Park.model_validate(data)
    assert 1 <= len(park.years) <= 4
    assert len(park.enterprises or ()) <= 30     # left out (not reported) in some


def test_generators_are_deterministic():
    assert typical_park(3) == typical_park(3)
    assert random_park(random.Random(7)) == random_park(random.Random(7))
    assert typical_park(3) != typical_park(4)


def test_random_park_varies():
    parks = [random_park(random.Random(s)) for s in range(200)]
    assert {len(p["years"]) for p in parks} == {1, 2, 3, 4}
    assert len({p["profile"]["province"] for p in parks}) > 15
    assert any(not p.get("enterprises") for p in parks)
    assert any(len(p.get("enterprises", [])) >= 25 for p in parks)
    text = "\n".join(yaml.safe_dump(p, allow_unicode=True) for p in parks)
    assert "1e-05" in text


def test_large_park_has_2000_enterprises():
    park = Park.model_validate(large_park())
    assert len(park.enterprises) == 2000
    assert len({e.id for e in park.enterprises}) == 2000


def test_typical_park_round_trips_through_yaml(tmp_path):
    data = typical_park(0)
    path = tmp_path / "typical.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_park(path) == park_from_data(data)
    counts = count_facts(data)
    assert counts["records"] > 100 and counts["values"] > 1000
