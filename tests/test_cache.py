"""The compiled-ruleset cache gives exactly what compiling gives, and never a stale result."""
from __future__ import annotations

import shutil

from engine.rules import cache
from engine.rules.packs import RulesetRegistry


def test_hit_equals_compile(tmp_path, ruleset):
    first = RulesetRegistry(cache_dir=tmp_path).get()
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    second = RulesetRegistry(cache_dir=tmp_path).get()
    assert second.digest == first.digest == ruleset.digest
    assert second.compiled == ruleset.compiled
    assert RulesetRegistry(cache_dir=tmp_path).get(profile="default").digest == \
        RulesetRegistry().get(profile="default").digest


def test_any_source_change_misses(tmp_path, ruleset):
    tree = tmp_path / "rules"
    shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases"))
    store = tmp_path / "cache"
    before = RulesetRegistry([tree], cache_dir=store).get()
    rule = next(tree.glob("pollution_carbon/PC-C-001_*[!t].yaml"))
    rule.write_text(rule.read_text(encoding="utf-8").replace("severity: high", "severity: low"), encoding="utf-8")
    after = RulesetRegistry([tree], cache_dir=store).get()
    assert after.digest != before.digest and after.meta["PC-C-001"].severity == "low"
    assert len(list(store.glob("*.pickle"))) == 2


def test_a_corrupt_entry_is_recompiled(tmp_path, ruleset):
    RulesetRegistry(cache_dir=tmp_path).get()
    (entry,) = tmp_path.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert RulesetRegistry(cache_dir=tmp_path).get().digest == ruleset.digest
    assert cache.load(tmp_path, "no-such-key") is None
