"""Several ruleset versions side by side; an assessment picks one; the result records versions
and a digest over packs + knowledge, so the same input and digest always give the same findings."""
from __future__ import annotations

import shutil

import pytest

from engine.assessment import Assessor
from engine.errors import RulePackError, RulesetNotFound
from engine.facts.loader import load_park
from engine.rules.packs import RulesetRegistry

PARK = "examples/coal_chemical_park.yaml"


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory, ruleset):
    """The working tree (1.0.0) and a 0.9.0 release beside it whose renewable benchmark differs."""
    old = tmp_path_factory.mktemp("releases") / "0.9.0"
    shutil.copytree(ruleset.root, old, ignore=shutil.ignore_patterns("releases"))
    shutil.copytree(ruleset.root.parent / "knowledge", old / "knowledge")   # the release's own snapshot
    manifest = old / "ruleset.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 0.9.0"), encoding="utf-8")
    rule = next(old.glob("pollution_carbon/PC-C-001_*[!t].yaml"))
    rule.write_text(rule.read_text(encoding="utf-8").replace("severity: high", "severity: low"), encoding="utf-8")
    return RulesetRegistry([ruleset.root, old])


def test_versions_listed_newest_first_and_default_is_newest(two_versions):
    assert two_versions.versions() == ["1.0.0", "0.9.0"]
    assert two_versions.get().version == "1.0.0"


def test_each_version_gives_its_own_findings_and_digest(two_versions, durable):
    assessor = Assessor(two_versions, durable)
    park = load_park(PARK)
    new, old = assessor.assess(park), assessor.assess(park, ruleset="0.9.0")
    assert new["ruleset"]["versions"]["ruleset"] == "1.0.0" and old["ruleset"]["versions"]["ruleset"] == "0.9.0"
    assert new["ruleset"]["digest"] != old["ruleset"]["digest"]
    sev = lambda r: next(f["severity"] for f in r["findings"] if f["rule"] == "PC-C-001")
    assert (sev(new), sev(old)) == ("high", "low")
    assert assessor.assess(park, ruleset="0.9.0") == old   # same input + digest -> same result


def test_unknown_version_and_duplicate_versions(two_versions, ruleset):
    with pytest.raises(RulesetNotFound):
        two_versions.get("2.0.0")
    with pytest.raises(RulePackError, match="appears twice"):
        RulesetRegistry([ruleset.root, ruleset.root])


def test_digest_covers_knowledge(tmp_path, ruleset):
    from engine.knowledge import load_knowledge
    from engine.rules.packs import load_ruleset
    kdir = tmp_path / "knowledge"
    shutil.copytree(ruleset.root.parent / "knowledge", kdir)
    bench = kdir / "benchmarks.yaml"
    text = bench.read_text(encoding="utf-8")
    assert "MIIT-EG2" in text
    other = load_ruleset(ruleset.root, load_knowledge(kdir))
    assert other.digest == ruleset.digest
    bench.write_text(text + "\n# a comment changes nothing\n", encoding="utf-8")
    assert load_ruleset(ruleset.root, load_knowledge(kdir)).digest == ruleset.digest
    changed = text.replace("    operator: \">=\"\n    value: 15\n", "    operator: \">=\"\n    value: 16\n", 1)
    assert changed != text
    bench.write_text(changed, encoding="utf-8")
    edited = load_ruleset(ruleset.root, load_knowledge(kdir))
    assert edited.digest != ruleset.digest
    assert edited.meta["PC-C-001"].thresholds["min"].value == 16
