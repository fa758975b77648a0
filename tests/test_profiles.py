"""Benchmark profiles choose the frameworks an assessment measures against; each finding names
its frameworks; rules are never silently re-pointed at another framework's number."""
from __future__ import annotations

import pytest

from engine.assessment import Assessor
from engine.errors import RulesetNotFound
from engine.facts.loader import load_park
from engine.rules import ir
from engine.rules.packs import RulesetRegistry

PARK = "examples/coal_chemical_park.yaml"


@pytest.fixture(scope="module")
def registry():
    return RulesetRegistry()


def test_default_profile_is_guide_miit_and_zero_carbon_core(registry):
    rs = registry.get(profile="default")
    assert set(rs.frameworks()) <= {"guide", "miit_green_park_2016", "national_zero_carbon_park_2025"}
    assert "PC-C-001" in rs.meta and "PC-C-003" in rs.meta        # MIIT-EG2; zero-carbon core tier
    assert "PC-C-002" not in rs.meta                               # JS-7 is Jiangsu's benchmark
    assert "JS-7" in rs.inactive["PC-C-002"]
    as_written = registry.get()
    assert set(rs.meta) | set(rs.inactive) == set(as_written.meta)
    assert rs.digest != as_written.digest and rs.compiled.key != as_written.compiled.key


def test_measures_answer_only_active_rules(registry):
    rs = registry.get(profile="default")
    for meta in rs.meta.values():
        if meta.kind == "measure":
            assert meta.answers and all(a in rs.meta for a in meta.answers)
    for rule in rs.compiled.rules:
        assert rule.source in rs.meta
        if rs.meta[rule.source].kind == "measure":
            rules = {c.right.value for c in _compares(rule.patterns[0].test) if c.field == "rule"}
            assert rules == set(rs.meta[rule.source].answers)


def _compares(c):
    if isinstance(c, ir.Compare):
        return [c]
    return [x for item in c.items for x in _compares(item)]


def test_another_profile_swaps_the_frameworks(registry):
    js = registry.get(profile="jiangsu_near_zero_carbon")
    assert "PC-C-002" in js.meta and "PC-C-001" not in js.meta
    assert "jiangsu_near_zero_carbon_park_2024" in js.frameworks()


def test_unknown_profile(registry):
    with pytest.raises(RulesetNotFound, match="profile 'nope'"):
        registry.get(profile="nope")


def test_result_names_profile_and_each_finding_its_frameworks(registry, durable):
    assessor = Assessor(registry, durable)
    park = load_park(PARK)
    r = assessor.assess(park)
    assert r["ruleset"]["profile"] == "default"
    for f in r["findings"]:
        assert set(f["frameworks"]) <= set(r["ruleset"]["frameworks"])
        assert {b["framework"] for b in f["evidence"].get("benchmarks", [])} == set(f["frameworks"])
    js = assessor.assess(park, profile="jiangsu_near_zero_carbon")
    assert js["ruleset"]["profile"] == "jiangsu_near_zero_carbon" and js["ruleset"]["digest"] != r["ruleset"]["digest"]
    assert any(f["rule"] == "PC-C-002" for f in js["findings"]) and not any(f["rule"] == "PC-C-002" for f in r["findings"])
    everything = assessor.assess(park, profile=None)
    assert len(everything["findings"]) > len(r["findings"])
