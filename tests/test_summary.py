"""The result summary: the clause 7.2 conclusion, categories (PDCA phase, 6.x area, EIP), the merged
data to collect, frameworks. Counts hand-checked on the coal-chemical example and the out-of-scope
scenario."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine.assessment import Assessor
from engine.errors import KnowledgeError
from engine.facts.loader import load_park, park_from_data
from engine.knowledge import load_knowledge
from engine.knowledge.loader import DEFAULT_DIRECTORY
from engine.rules.packs import RulesetRegistry

CHEM = "examples/coal_chemical_park.yaml"
OUT_OF_SCOPE = "tests/scenarios/01_out_of_scope_cluster.yaml"


@pytest.fixture(scope="module")
def assessor(durable):
    return Assessor(RulesetRegistry(), durable)


@pytest.fixture(scope="module")
def chem(assessor):
    return assessor.assess(load_park(CHEM))


@pytest.fixture(scope="module")
def out_of_scope(assessor):
    with open(OUT_OF_SCOPE, encoding="utf-8") as fh:
        return assessor.assess(park_from_data(yaml.safe_load(fh)["park"]))


def _category(summary: dict, group: str, cid: str) -> dict:
    return next(c for c in summary["categories"] if c["group"] == group and c["id"] == cid)


def test_conclusion_of_the_coal_chemical_park(chem):
    s = chem["summary"]
    first = next(f for f in chem["findings"] if f.get("rank") == 1)
    # 50 met + 40 not met = 90 decided, 50 / 90 = 55.6 % (the 2023 major incident fails IM-C-004,
    # which looks at three years; the audit rate, at most 66.7 % whatever the two enterprises with
    # unknown triggers report, fails IN-C-002); 19 undecided; 51 problems of which the 16 7.4
    # diagnoses (11 IM-P-005 + 5 IM-P-006) restate a verdict: 35; 42 measures (IM-M-007 on the incident)
    assert (s["decided"], s["by_status"]["met"], s["undecided"], s["compliance_rate"]) == (90, 50, 19, 55.6)
    assert s["folded"] == 16
    assert s["conclusion"]["zh"] == (
        "园区属于指南适用范围；已判定的 90 项合规检查中 50 项达标（55.6%），40 项未达标，另有 19 项因数据不足"
        f"未能判定；诊断出 35 个问题，提出 42 项措施，首要措施为“{first['title']['zh']}”。")
    assert s["conclusion"]["en"] == (
        "The park is within the guide's scope; of the 90 compliance checks decided, 50 are met (55.6%) and 40 "
        "not met, and 19 more could not be decided for lack of data; 35 problems were diagnosed and 42 measures "
        f"proposed, the first being \"{first['title']['en']}\".")


def test_conclusion_of_a_park_outside_the_scope(out_of_scope):
    s = out_of_scope["summary"]
    assert s["conclusion"]["zh"] == ("园区没有专门管理机构，不属于指南的适用范围（第1章），未作其他评价；"
                                     "首要措施为“设立专门管理机构，使园区进入本指南的适用范围”。")
    assert s["conclusion"]["en"].startswith("The park has no dedicated management body and is outside the "
                                            "guide's scope (clause 1)")


def test_categories_of_a_park_outside_the_scope(out_of_scope):
    s = out_of_scope["summary"]
    assert [(c["group"], c["id"]) for c in s["categories"]] == (
        [("phase", p) for p in ("plan", "do", "check", "act")]
        + [("area", f"6.{i}") for i in range(2, 12)]
        + [("eip", e) for e in ("management", "environmental", "economic", "social")])
    # the scope verdict cites clause 1 only: no PDCA phase, no area; EIP management (the park body)
    # the measure PL-M-020 cites 1 and 6.11: area 6.11, EIP management
    nonzero = {(c["group"], c["id"]): {k: c[k] for k in ("not_applicable", "measures") if c[k]}
               for c in s["categories"] if c["not_applicable"] or c["measures"] or c["met"] or c["not_met"]}
    assert nonzero == {("area", "6.11"): {"measures": 1},
                       ("eip", "management"): {"not_applicable": 1, "measures": 1}}
    mgmt = _category(s, "eip", "management")
    assert mgmt["total"] == 0 and mgmt["rate"] is None and mgmt["label"]["zh"] == "园区管理"
    assert s["frameworks"] == [{"framework": "guide", "label": s["frameworks"][0]["label"], "met": 0, "not_met": 0,
                                "undecided": 0, "not_applicable": 1, "decided": 0, "total": 0, "rate": None,
                                "score": None, "score_note": s["frameworks"][0]["score_note"]}]
    assert s["to_collect"] == []


def test_categories_add_up_and_have_their_rate(chem):
    s = chem["summary"]
    for c in s["categories"]:
        assert c["decided"] == c["met"] + c["not_met"] and c["total"] == c["decided"] + c["undecided"]
        assert c["rate"] == (round(c["met"] / c["decided"] * 100, 1) if c["decided"] else None)
    # every compliance verdict but the clause 1 scope verdict (met) has a phase; every one an EIP category
    phases = [c for c in s["categories"] if c["group"] == "phase"]
    eip = [c for c in s["categories"] if c["group"] == "eip"]
    assert sum(c["met"] for c in phases) == s["by_status"]["met"] - 1
    assert sum(c["not_met"] for c in phases) == s["by_status"]["not_met"]
    assert sum(c["met"] + c["not_met"] + c["undecided"] + c["not_applicable"] for c in eip) == \
        s["by_kind"]["compliance"]
    assert sum(c["problems"] for c in eip) == s["by_kind"]["problem"] - s["folded"]
    assert sum(c["measures"] for c in eip) == s["by_kind"]["measure"]
    social = _category(s, "eip", "social")
    assert {k: social[k] for k in ("met", "not_met", "undecided", "problems", "measures", "total")} == \
        dict.fromkeys(("met", "not_met", "undecided", "problems", "measures", "total"), 0)


def test_a_check_on_an_indicator_takes_its_category_from_its_task_clause(chem):
    s = chem["summary"]
    # IN-C-002 (7.3, 6.6): phase check, area 6.6, environmental; IM-C-010 (7.3, 5.2a): economic
    by_id = {f["id"]: f for f in chem["findings"]}
    assert by_id["IN-C-002@ind:key_enterprise_audit_rate"]["status"] == "not_met"     # at most 66.7 %
    assert by_id["IN-C-001@ent:JS-E12"]["status"] == "insufficient_data"
    assert _category(s, "area", "6.6")["undecided"] >= 1
    # not met in area 6.6 (the first 6.x clause cited): the mandatory audits of JS-E05, E07, E08 and E09
    # (IN-C-001, 6.6), the park's audit rate (IN-C-002: 7.3, 6.6) and the energy-intensity decline
    # (IM-C-003: 7.3, 7.1, 6.6, 5.2c)
    six_six = [f for f in chem["findings"] if f["kind"] == "compliance" and f["status"] == "not_met"
               and next((c for c in f["clauses"] if c.startswith("6.") and c != "6.1"), None) == "6.6"]
    assert _category(s, "area", "6.6")["not_met"] == len(six_six) == 6   # IN-C-001 x 4 + IN-C-002 + IM-C-003


def test_data_to_collect_is_merged_most_needed_first(chem):
    todo = chem["summary"]["to_collect"]
    missing = {p for f in chem["findings"] if f["status"] == "insufficient_data" for p in f["missing"]}
    assert {t["path"] for t in todo} == missing and len(todo) == len(missing)
    counts = [len(t["findings"]) for t in todo]
    assert counts == sorted(counts, reverse=True)
    # two checks wait for the greenhouse-gas inventory flag; JS-E12 (enterprises[11]) reported no audit
    # trigger: its own audit verdict needs them, the park's audit rate no longer (not met at best)
    assert todo[0] == {"path": "management.ghg_inventory", "findings": ["PC-C-006@management", "PL-C-012@management"]}
    e12 = next(t for t in todo if t["path"].startswith("enterprises[11].cp_triggers."))
    assert e12["findings"] == ["IN-C-001@ent:JS-E12"]
    rate = next(f for f in chem["findings"] if f["id"] == "IN-C-002@ind:key_enterprise_audit_rate")
    assert rate["status"] == "not_met" and e12["path"] in rate["missing"]     # named, for the exact rate


def test_frameworks_have_no_score_and_say_why(chem):
    rows = {r["framework"]: r for r in chem["summary"]["frameworks"]}
    assert next(iter(rows)) == "guide"
    for r in rows.values():
        assert r["score"] is None and "weights" in r["score_note"]["en"] and "权重" in r["score_note"]["zh"]
        assert r["total"] == r["met"] + r["not_met"] + r["undecided"]
    # MIIT green-park benchmarks in the chemical park, counted by hand from the verdicts citing them
    miit = [f for f in chem["findings"] if f["kind"] == "compliance" and "miit_green_park_2016" in f["frameworks"]]
    assert rows["miit_green_park_2016"]["met"] == sum(f["status"] == "met" for f in miit)
    assert rows["miit_green_park_2016"]["label"]["zh"] == "绿色园区评价要求"


def test_every_clause_a_rule_may_cite_has_an_eip_category(tmp_path):
    kb = load_knowledge()
    assert list(kb.eip_categories) == ["management", "environmental", "economic", "social"]
    for c in kb.clauses.values():
        assert (c.eip_category is not None) == (c.phase in ("scope", "plan", "do", "check", "act")), c.id
    assert not any(c.eip_category == "social" for c in kb.clauses.values())
    folder = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, folder)
    path = folder / "clauses.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    eip_category: environmental   # energy structure - EIP energy and climate\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, ""), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    assert any("6.3" in line and "eip_category" in line for line in info.value.lines())
