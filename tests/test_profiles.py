"""Benchmark profiles choose the frameworks an assessment measures against: a check written once
per indicator takes the profile's benchmark for it; a rule the profile gives no benchmark is
listed with the reason, never dropped silently; each finding names its frameworks."""
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


def test_default_profile_measures_against_the_guide_miit_zero_carbon_and_national_targets(registry):
    rs = registry.get(profile="default")
    assert set(rs.frameworks()) <= {"guide", "miit_green_park_2016", "national_zero_carbon_park_2025",
                                    "industrial_green_14fyp", "eip_framework_v2"}
    assert "PC-C-001" in rs.meta and "PC-C-003" in rs.meta        # MIIT-EG2; zero-carbon core tier
    assert "PC-C-002" not in rs.meta                               # default sets no level for non-fossil
    title, reason = rs.inactive["PC-C-002"]
    assert "non-fossil" in reason.en.lower() and "非化石" in reason.zh
    every = set(rs.files)
    assert set(rs.meta) | set(rs.inactive) == every and not set(rs.meta) & set(rs.inactive)


def test_one_check_takes_each_profiles_benchmark(registry):
    """IN-C-003 is written once; MIIT gives 95 %, Jiangsu 96 %, zero-carbon 80 %, HJ 274 70 %."""
    seen = {}
    for profile, bench in [("default", "MIIT-RG6"), ("jiangsu_near_zero_carbon", "JS-13"),
                           ("zero_carbon", "ZC-G3"), ("eco_industrial_hj274", "HJ-S2")]:
        meta = registry.get(profile=profile).meta["IN-C-003"]
        assert meta.thresholds["min"].benchmark == bench
        seen[profile] = meta.thresholds["min"].value
    assert seen == {"default": 95, "jiangsu_near_zero_carbon": 96, "zero_carbon": 80, "eco_industrial_hj274": 70}


def test_key_checks_are_active_under_default(registry):
    rs = registry.get(profile="default")
    for rule in ("IN-C-003", "PC-C-005", "IM-C-002", "IM-C-003", "PC-C-009", "PC-C-010", "PC-C-017",
                 "PC-C-018", "PC-C-019", "PC-C-020", "IM-C-011", "IM-C-013", "IM-C-014", "IM-C-001", "IM-C-012"):
        assert rule in rs.meta, (rule, rs.inactive.get(rule))


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


def test_result_names_profile_inactive_rules_and_each_findings_frameworks(registry, durable):
    assessor = Assessor(registry, durable)
    park = load_park(PARK)
    r = assessor.assess(park)
    assert r["ruleset"]["profile"] == "default"
    for f in r["findings"]:
        assert set(f["frameworks"]) <= set(r["ruleset"]["frameworks"])
        assert {b["framework"] for b in f["evidence"].get("benchmarks", [])} == set(f["frameworks"])
    inactive = {i["rule"]: i for i in r["inactive"]}
    assert "PC-C-002" in inactive and inactive["PC-C-002"]["reason"]["zh"] and inactive["PC-C-002"]["title"]["en"]
    assert not inactive.keys() & {f["rule"] for f in r["findings"]}
    js = assessor.assess(park, profile="jiangsu_near_zero_carbon")
    assert js["ruleset"]["profile"] == "jiangsu_near_zero_carbon" and js["ruleset"]["digest"] != r["ruleset"]["digest"]
    assert any(f["rule"] == "PC-C-002" for f in js["findings"]) and not any(f["rule"] == "PC-C-002" for f in r["findings"])
    assert "PC-C-001" in {i["rule"] for i in js["inactive"]}
