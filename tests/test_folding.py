"""A finding that only restates another is folded into it (`folded_into`), never removed: 7.4
diagnoses into the verdict they diagnose, and problems whose rule `restates:` a compliance rule
into its not_met verdict on the same subject fact."""
from __future__ import annotations

import copy
import shutil

import pytest
import yaml

from engine.assessment import Assessor
from engine.errors import RulePackError
from engine.facts.loader import park_from_data
from engine.rules.packs import RulesetRegistry, load_ruleset

CHEM = "examples/coal_chemical_park.yaml"


@pytest.fixture(scope="module")
def assessor(durable):
    return Assessor(RulesetRegistry(), durable)


@pytest.fixture(scope="module")
def chem_data():
    with open(CHEM, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def audited(assessor, chem_data):
    """The chemical park with the audit triggers of JS-E12 and JS-E14 reported (none holds): the
    key-enterprise audit rate is decided, 3 of 5 subject enterprises audited = 60 %."""
    data = copy.deepcopy(chem_data)
    for e in data["enterprises"]:
        if e["id"] in ("JS-E12", "JS-E14"):
            e["cp_triggers"] = dict.fromkeys(("exceeds_discharge_standard", "exceeds_total_quota",
                                              "toxic_substances", "exceeds_energy_limit"), False)
    return assessor.assess(park_from_data(data))


def test_the_audit_rate_appears_once_with_its_restatements_folded_into_it(audited):
    by_id = {f["id"]: f for f in audited["findings"]}
    rate = by_id["IN-C-002@ind:key_enterprise_audit_rate"]
    assert rate["status"] == "not_met" and "60.0%" in rate["explanation"]["en"] and "folded_into" not in rate
    restating = sorted(f["id"] for f in audited["findings"] if f.get("folded_into") == rate["id"])
    assert restating == ["IM-P-005@IN-C-002@ind:key_enterprise_audit_rate",   # 7.4: diagnose why
                         "PL-P-006@ind:key_enterprise_audit_rate"]              # 5.3 i: restates IN-C-002
    # a measure answering a folded finding still lists it, and the link goes both ways
    assert by_id["PL-M-004"]["related"] == ["PL-P-006@ind:key_enterprise_audit_rate"]
    assert "PL-M-004" in by_id["PL-P-006@ind:key_enterprise_audit_rate"]["related"]


def test_every_diagnosis_is_folded_into_the_verdict_it_binds(audited):
    by_id = {f["id"]: f for f in audited["findings"]}
    diagnoses = [f for f in audited["findings"] if f["rule"] in ("IM-P-005", "IM-P-006")]
    assert diagnoses
    for f in diagnoses:
        target = f["id"].split("@", 1)[1]          # IM-P-005@<the finding it binds>
        assert f["folded_into"] == target and by_id[target]["status"] == "not_met"
    # nothing else folded: the remaining problems state something no verdict states
    others = {f["rule"] for f in audited["findings"] if "folded_into" in f} - {"IM-P-005", "IM-P-006"}
    assert others == {"PL-P-006"}


def test_folding_removes_nothing(assessor, chem_data, audited):
    assert audited["summary"]["findings"] == len(audited["findings"])
    assert audited["summary"]["by_kind"]["problem"] == sum(f["kind"] == "problem" for f in audited["findings"])
    assert all(f["kind"] == "problem" for f in audited["findings"] if "folded_into" in f)


def test_no_unmet_verdict_on_the_same_subject_no_fold(assessor, chem_data):
    result = assessor.assess(park_from_data(copy.deepcopy(chem_data)))
    by_id = {f["id"]: f for f in result["findings"]}
    # the audit rate unknown (two enterprises' triggers unknown) but at most 66.7 %: the verdict is
    # not met by what is known, while PL-P-006, which reads the rate itself, does not fire at all
    assert by_id["IN-C-002@ind:key_enterprise_audit_rate"]["status"] == "not_met"
    assert not any(f["rule"] == "PL-P-006" for f in result["findings"])
    assert "folded_into" not in by_id["PL-P-011@ind:green_industry_share"]   # its rule restates nothing


def _finding(fid, rule, kind, status, facts):
    return {"id": fid, "rule": rule, "kind": kind, "status": status, "trace": [{"facts": facts}]}


@pytest.mark.parametrize("status, subject, folded", [
    ("not_met", "ind:x", True),
    ("met", "ind:x", False),                  # only an unmet verdict is restated
    ("insufficient_data", "ind:x", False),
    ("not_met", "ind:y", False),              # another subject fact
])
def test_restates_folds_only_into_an_unmet_verdict_on_the_same_subject(status, subject, folded):
    from types import SimpleNamespace

    from engine.findings import _fold
    meta = {"C-1": SimpleNamespace(subject="s", aliases={"s": "indicator"}, restates=()),
            "P-1": SimpleNamespace(subject=None, aliases={"indicator": "indicator"}, restates=("C-1",))}
    findings = {"C-1@" + subject: _finding("C-1@" + subject, "C-1", "compliance", status, {"s": subject}),
                "P-1@ind:x": _finding("P-1@ind:x", "P-1", "problem", "problem", {"indicator": "ind:x"})}
    _fold(findings, SimpleNamespace(meta=meta), {})
    assert findings["P-1@ind:x"].get("folded_into") == ("C-1@ind:x" if folded else None)


def _tree(tmp_path, ruleset):
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    return tree


@pytest.mark.parametrize("target, message", [
    ("XX-C-999", "which is not a rule of this ruleset"),
    ("IN-P-009", "only a compliance verdict can be restated"),
    ("PC-C-006", "binds no management fact"),
])
def test_restates_is_checked_when_the_pack_loads(tmp_path, ruleset, target, message):
    tree = _tree(tmp_path, ruleset)
    rule = next(tree.glob("planning/PL-P-006_*[!t].yaml"))
    text = rule.read_text(encoding="utf-8")
    assert text.count("restates: [IN-C-002]") == 1
    rule.write_text(text.replace("restates: [IN-C-002]", f"restates: [{target}]"), encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_ruleset(tree)
    hits = [p for p in info.value.problems if message in p.message]
    assert hits and hits[0].file.endswith(rule.name) and hits[0].line == 6 and "PL-P-006" in hits[0].message


def test_restates_is_compiled_into_the_rule_metadata(ruleset):
    assert ruleset.meta["PL-P-006"].restates == ("IN-C-002",)
    assert ruleset.meta["PL-P-007"].restates == ("PC-C-013",)
    js = RulesetRegistry().get(profile="jiangsu_near_zero_carbon")
    assert js.meta["PL-P-004"].restates == ("PC-C-002",)
