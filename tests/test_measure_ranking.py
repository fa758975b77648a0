"""Measures ranked for action: legal obligations first, then by the size of what each addresses in
the park's own figures (one unit at a time), then by severity and number. Numbers hand-checked on
examples/coal_chemical_park.yaml (2024)."""
from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from engine.assessment import Assessor
from engine.errors import KnowledgeError
from engine.facts.loader import park_from_data
from engine.knowledge import load_knowledge
from engine.knowledge.loader import DEFAULT_DIRECTORY
from engine.knowledge.models import ADDRESSES
from engine.measure_ranking import QUANTITIES
from engine.rules.packs import RulesetRegistry

CHEM = "examples/coal_chemical_park.yaml"


@pytest.fixture(scope="module")
def assessor(durable):
    return Assessor(RulesetRegistry(), durable)


@pytest.fixture(scope="module")
def chem_data():
    with open(CHEM, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def chem(assessor, chem_data):
    result = assessor.assess(park_from_data(copy.deepcopy(chem_data)))
    return {f["rule"]: f for f in result["findings"] if f["kind"] == "measure"}


def test_quantities_are_the_closed_list_knowledge_validates():
    assert set(QUANTITIES) == set(ADDRESSES)


def test_the_legal_obligation_ranks_first_with_its_law(chem):
    first = min(chem.values(), key=lambda m: m["rank"])
    assert first["rule"] == "IN-M-001"
    assert first["legal_basis"]["source"] == "cp_audit_law" and first["legal_basis"]["verification"] == "V"
    assert "第二十七条" in first["legal_basis"]["zh"] and "art" in first["legal_basis"]["en"]
    assert "法定义务" in first["rank_reason"]["zh"] and "legal obligation" in first["rank_reason"]["en"]
    # the other measure on the same catalogue measure (audit of enterprises over their discharge standard)
    assert chem["PL-M-017"]["rank"] == 2 and chem["PL-M-017"]["legal_basis"]
    assert sum("legal_basis" in m for m in chem.values()) == 2


def test_enterprise_energy_is_their_reported_use_at_the_parks_own_co2_per_tce(chem):
    m = chem["IN-M-001"]
    # the four enterprises lacking their mandatory audit: 460 000 + 380 000 + 220 000 + 210 000 tce
    assert m["answers_subjects"]["enterprises"] == ["ent:JS-E05", "ent:JS-E07", "ent:JS-E08", "ent:JS-E09"]
    mag = m["magnitude"]
    assert mag["quantity"] == "enterprise_energy" and mag["native"] == {"value": 1270000.0, "unit": "tce"}
    # co2_per_tce 2024 = 19 704 934.22 tCO2 / 6 866 579.8 tce = 2.869687; x 1 270 000 = 3 644 502 tCO2
    assert mag["unit"] == "tCO2" and mag["value"] == pytest.approx(3644502.4, abs=1)
    assert "127 万tce" in mag["basis"]["zh"] and "2.87 tCO2/tce" in mag["basis"]["en"]
    assert mag["label"]["zh"] == "所涉企业综合能耗对应的 CO2"          # tCO2, not an energy use
    # each subject in words, for a portal without the park file
    assert m["subject_labels"]["ent:JS-E07"] == {"zh": "西沙电石有限公司", "en": "西沙电石有限公司"}


def test_subject_labels_name_indicators_and_targets(chem):
    labels = {k: v for m in chem.values() for k, v in m["subject_labels"].items()}
    subjects = {s for m in chem.values() for group in m["answers_subjects"].values() for s in group}
    assert subjects == set(labels)
    assert labels["co2_per_tce"] == {"zh": "单位能耗碳排放", "en": "CO2 per unit of energy consumption"}
    assert labels["task:K02"]["zh"] == "任务 K02（光伏制氢替代部分煤制氢）"
    # T1 has no title in the park file: it is named by the indicator it targets
    assert labels["target:T1"] == {"zh": "目标 T1（单位工业增加值综合能耗）",
                                   "en": "target T1 (Energy intensity of industrial value added)"}


def test_coal_measures_rank_by_the_co2_of_the_coal_they_address(chem):
    coal = chem["PC-M-003"]["magnitude"]
    # 7 900 000 t raw coal x 1.9778968 tCO2/t (the inventory's coal factor) = 15 625 384.72 tCO2
    assert coal["quantity"] == "coal_co2" and coal["value"] == pytest.approx(15625384.72, abs=0.01)
    assert "790 万t" in coal["basis"]["zh"] and "1.978 tCO2/t" in coal["basis"]["en"]
    # same coal for the hydrogen measure: level, then the more severe one (high before medium)
    assert chem["PC-M-016"]["magnitude"]["value"] == coal["value"]
    assert chem["PC-M-003"]["rank"] + 1 == chem["PC-M-016"]["rank"]
    assert "level with 1 other measure" in chem["PC-M-003"]["rank_reason"]["en"]
    # stop coal growth and electrify: all fuels burned, 15 625 384.72 (coal) + 1 940 040 (coke, 680 000 t x
    # 2.853) + 259 800 (gas) + 38 040 (fuel oil) + 99 072 (diesel) + 10 237.5 (gasoline) = 17 972 574.22 tCO2
    assert chem["PC-M-015"]["magnitude"]["value"] == pytest.approx(17972574.22, abs=0.01)
    assert chem["PC-M-015"]["rank"] < chem["PC-M-003"]["rank"]


def test_top_five_of_the_coal_chemical_park(chem):
    top = [m["rule"] for m in sorted(chem.values(), key=lambda m: m["rank"])[:5]]
    # two legal audit measures; then the park's total CO2 19 704 934 t (energy-carbon management), its
    # fossil energy 6 866 580 tce x (1 - 0.170 %) x 2.8697 = 19 671 429 t (local renewables), scope 1
    assert top == ["IN-M-001", "PL-M-017", "IM-M-004", "PC-M-001", "PC-M-015"]
    assert chem["PC-M-001"]["magnitude"]["value"] == pytest.approx(19671429.2, abs=1)


def test_water_is_ranked_in_its_own_unit_after_co2_and_before_measures_with_no_quantity(chem):
    water = chem["PC-M-004"]
    assert water["magnitude"]["value"] == 68800000.0 and water["magnitude"]["unit"] == "m3"   # 6880 万m3
    assert water["magnitude"]["path"] == "years[2].water.fresh_withdrawal"
    co2 = [m["rank"] for m in chem.values() if m.get("magnitude", {}).get("unit") == "tCO2"]
    none = [m["rank"] for m in chem.values() if "magnitude" not in m]
    assert max(co2) < water["rank"] < min(none)
    assert "m3" in water["rank_reason"]["en"] and "tCO2" in water["rank_reason"]["en"]
    assert "只与以 m3 计的措施比较" in water["rank_reason"]["zh"]


def test_a_paperwork_measure_has_no_magnitude_and_follows(chem):
    inventory = chem["PC-M-005"]
    assert "magnitude" not in inventory and "legal_basis" not in inventory
    assert inventory["rank"] > chem["PC-M-015"]["rank"]
    assert "no quantity" in inventory["rank_reason"]["en"].lower()
    target_gaps = chem["IM-M-001"]
    assert target_gaps["answers_subjects"]["targets"] == ["target:T1", "target:T2"]


def test_energy_stays_in_tce_when_the_parks_co2_per_tce_is_unknown(assessor, chem_data):
    data = copy.deepcopy(chem_data)
    del data["years"][-1]["energy"]["purchased_heat"]      # heat unknown: no energy total, no CO2 per tce
    for e in data["enterprises"]:
        if e["id"] == "JS-E05":
            del e["energy_use"]
    result = assessor.assess(park_from_data(data))
    ms = {f["rule"]: f for f in result["findings"] if f["kind"] == "measure"}
    audit = ms["IN-M-001"]["magnitude"]
    # JS-E05 unknown: 380 000 + 220 000 + 210 000 = 810 000 tce, a lower bound
    assert audit["unit"] == "tce" and audit["value"] == 810000.0 and audit["lower_bound"] is True
    assert ms["IN-M-001"]["rank"] == 1
    retrofit = ms["IN-M-006"]
    assert retrofit["magnitude"]["unit"] == "tce"
    # every non-legal tCO2 measure ranks before it: tce is compared only with tce
    co2 = [m["rank"] for m in ms.values() if m.get("magnitude", {}).get("unit") == "tCO2"]
    assert max(co2) < retrofit["rank"]
    assert "CO2 per tce is unknown" in retrofit["rank_reason"]["en"]
    assert "magnitude" not in ms.get("PC-M-001", {})      # fossil energy needs the energy total


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "measures.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_legal_basis_needs_a_known_source_and_addresses_a_listed_quantity(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "      source: cp_audit_law\n", "      source: no_such_law\n")
    _edit(folder, "addresses: coal_co2   # closing", "addresses: coal_effect   # closing")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    messages = "\n".join(info.value.lines())
    assert "unknown source id 'no_such_law'" in messages
    assert "coal_effect" in messages
