"""The compiled-ruleset cache gives exactly what compiling gives, never a stale result, validates
by stat where it can, and keeps one entry per checkout: compiles are counted, not timed.

Each test works on copies of the rules tree (with its knowledge snapshot) and of the engine's
sources (`cache._ENGINE`), so edits elsewhere in the repository while the suite runs change
nothing here; the process counts as started after them (`cache._STARTED_NS`).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from engine.rules import cache, packs
from engine.rules.packs import RulesetRegistry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def env(tmp_path, monkeypatch, ruleset):
    """(make_tree, store, compiles): a function copying the rules tree and knowledge to a new
    path, the cache folder, and the list of roots compiled so far."""
    engine = tmp_path / "engine_src"
    shutil.copytree(ROOT / "engine", engine, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.setattr(cache, "_ENGINE", engine)
    monkeypatch.setattr(cache, "_STARTED_NS", time.time_ns() + 10 ** 12)
    compiles: list[Path] = []
    real = packs.load_ruleset

    def counting(root, knowledge=None, profile=packs.DEFAULT_PROFILE):
        compiles.append(Path(root))
        return real(root, knowledge, profile)
    monkeypatch.setattr(packs, "load_ruleset", counting)

    def make_tree(name: str) -> Path:
        tree = tmp_path / name / "rules"
        shutil.copytree(ruleset.root, tree, ignore=shutil.ignore_patterns("releases", "__pycache__"))
        shutil.copytree(ROOT / "knowledge", tree / "knowledge", ignore=shutil.ignore_patterns("__pycache__"))
        return tree
    return make_tree, tmp_path / "cache", compiles


def _get(tree: Path, store: Path, profile: str | None = None):
    return RulesetRegistry([tree], cache_dir=store).get(profile=profile)


def test_two_checkouts_alternate_and_compile_once_each(env):
    make_tree, store, compiles = env
    a, b = make_tree("checkout_a"), make_tree("checkout_b")
    for _ in range(3):
        for tree in (a, b):
            rs = _get(tree, store)
            assert rs.root == tree
    assert compiles == [a, b]                     # then only hits
    assert len(list(store.glob("*.pickle"))) == 2
    assert _get(a, store).digest == _get(b, store).digest
    assert compiles == [a, b]


def test_a_hit_is_what_compiling_gives(env):
    make_tree, store, compiles = env
    tree = make_tree("t")
    first = _get(tree, store)
    hit = _get(tree, store)
    assert len(compiles) == 1 and hit is not first
    fresh = packs.load_ruleset(tree)
    for name in ("name", "version", "packs", "compiled", "meta", "digest", "root", "exemptions", "profile",
                 "inactive", "scope", "files"):
        assert getattr(hit, name) == getattr(fresh, name), name
    assert hit.compiled.model_dump_json() == fresh.compiled.model_dump_json()       # types too (1 vs 1.0)
    assert hit.knowledge.digest == fresh.knowledge.digest
    assert hit.frameworks() == fresh.frameworks() and hit.rules_by_id() == fresh.rules_by_id()
    assert repr(hit) == repr(fresh)                 # every field, value and type, knowledge included


def test_a_profile_has_an_entry_of_its_own(env):
    make_tree, store, compiles = env
    tree = make_tree("t")
    profiles = list(_get(tree, store).knowledge.profiles)[:2]
    for profile in profiles * 2:
        assert _get(tree, store, profile).profile == profile
    assert len(compiles) == len(set(profiles) | {packs.DEFAULT_PROFILE})     # the first _get: the default


def test_a_stat_hit_reads_no_source(env, monkeypatch):
    make_tree, store, compiles = env
    tree = make_tree("t")
    monkeypatch.setattr(cache, "RACY_NS", 0)          # the copies are trusted by stat at once
    _get(tree, store)
    hashed = cache.STATS["hashed"]
    _get(tree, store)
    assert cache.STATS["hashed"] == hashed and len(compiles) == 1


def test_files_just_written_are_hashed_not_trusted_by_stat(env):
    """Within RACY_NS of their last change a same-size edit could keep the stat (one timestamp
    tick): such files are hashed on every load until an entry records their stat."""
    make_tree, store, compiles = env
    tree = make_tree("t")
    _get(tree, store)
    hashed = cache.STATS["hashed"]
    _get(tree, store)
    assert cache.STATS["hashed"] > hashed and len(compiles) == 1


def test_any_source_change_misses(env):
    make_tree, store, compiles = env
    tree = make_tree("t")
    before = _get(tree, store)
    rule = next(tree.glob("pollution_carbon/PC-C-001_*[!t].yaml"))
    rule.write_text(rule.read_text(encoding="utf-8").replace("severity: high", "severity: low"), encoding="utf-8")
    after = _get(tree, store)
    assert after.digest != before.digest and after.meta["PC-C-001"].severity == "low"
    assert len(compiles) == 2
    assert len(list(store.glob("*.pickle"))) == 1        # the tree's entry replaced, not a second one


def test_an_edit_keeping_size_and_mtime_misses(env, monkeypatch):
    """ctime and inode are in the stat: `touch -d`, `cp -p` or rsync setting the old mtime back
    on changed bytes of the same size is still seen."""
    make_tree, store, compiles = env
    tree = make_tree("t")
    monkeypatch.setattr(cache, "RACY_NS", 0)
    _get(tree, store)
    rule = next(tree.glob("pollution_carbon/PC-C-001_*[!t].yaml"))
    st = rule.stat()
    text = rule.read_text(encoding="utf-8")
    assert "severity: high" in text
    rule.write_text(text.replace("severity: high", "severity: low "), encoding="utf-8")
    os.utime(rule, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert rule.stat().st_size == st.st_size and rule.stat().st_mtime_ns == st.st_mtime_ns
    assert _get(tree, store).meta["PC-C-001"].severity == "low"
    assert len(compiles) == 2


def test_a_touched_file_is_hashed_once_then_trusted_again(env, monkeypatch):
    make_tree, store, compiles = env
    tree = make_tree("t")
    monkeypatch.setattr(cache, "RACY_NS", 0)
    _get(tree, store)
    rule = next(tree.glob("pollution_carbon/PC-C-001_*[!t].yaml"))
    os.utime(rule)                                      # same bytes, new mtime
    hashed, refreshed = cache.STATS["hashed"], cache.STATS["refreshed"]
    _get(tree, store)
    assert cache.STATS["hashed"] == hashed + 1 and cache.STATS["refreshed"] == refreshed + 1
    _get(tree, store)
    assert cache.STATS["hashed"] == hashed + 1          # the entry recorded the new stat
    assert len(compiles) == 1


@pytest.mark.parametrize("change", ["add", "remove", "engine"])
def test_a_file_added_or_removed_misses(env, change):
    make_tree, store, compiles = env
    tree = make_tree("t")
    _get(tree, store)
    if change == "add":
        (tree / "improvement" / "IM-P-999_new_test.yaml").write_text("# examples of a rule to come\n", encoding="utf-8")
    elif change == "remove":
        next(tree.glob("pollution_carbon/*_test.yaml")).unlink()
    else:
        (cache._ENGINE / "extra_module.py").write_text("X = 1\n", encoding="utf-8")
    _get(tree, store)
    assert len(compiles) == 2


def test_a_source_changed_while_compiling_is_not_stored(env, monkeypatch):
    make_tree, store, compiles = env
    tree = make_tree("t")
    rule = next(tree.glob("pollution_carbon/PC-C-001_*[!t].yaml"))
    real = packs.load_ruleset

    def racing(root, knowledge=None, profile=packs.DEFAULT_PROFILE):
        result = real(root, knowledge, profile)
        rule.write_text(rule.read_text(encoding="utf-8") + "\n", encoding="utf-8")   # after it was read
        return result
    monkeypatch.setattr(packs, "load_ruleset", racing)
    _get(tree, store)
    assert not list(store.glob("*.pickle"))
    monkeypatch.setattr(packs, "load_ruleset", real)
    assert _get(tree, store).root == tree and len(list(store.glob("*.pickle"))) == 1


def test_engine_code_newer_than_the_process_is_neither_taken_nor_stored(env, monkeypatch):
    make_tree, store, compiles = env
    tree = make_tree("t")
    _get(tree, store)
    monkeypatch.setattr(cache, "_STARTED_NS", 0)        # as if the engine changed after this process loaded it
    _get(tree, store)
    _get(tree, store)
    assert len(compiles) == 3


def test_a_corrupt_entry_is_recompiled(env):
    make_tree, store, compiles = env
    tree = make_tree("t")
    digest = _get(tree, store).digest
    (entry,) = store.glob("*.pickle")
    for junk in (b"not a pickle", entry.read_bytes()[:-100], cache._FORMAT + b"\0" * 8):
        entry.write_bytes(junk)
        assert _get(tree, store).digest == digest
    assert len(compiles) == 4


def test_the_slot_names_everything_a_hit_depends_on(tmp_path, monkeypatch):
    """Path as given and resolved, knowledge folder, profile, engine folder and package name."""
    tree, knowledge = tmp_path / "rules", tmp_path / "knowledge"
    tree.mkdir()
    base = cache.slot_name(tree, knowledge, "default")
    others = {cache.slot_name(tmp_path / "other", knowledge, "default"),
              cache.slot_name(tree, tmp_path / "k2", "default"),
              cache.slot_name(tree, knowledge, "jiangsu"),
              cache.slot_name(Path(os.path.relpath(tree)), knowledge, "default")}
    monkeypatch.setattr(cache, "_PACKAGE", "greenpark.engine")
    others.add(cache.slot_name(tree, knowledge, "default"))
    monkeypatch.setattr(cache, "_ENGINE", tmp_path / "elsewhere")
    others.add(cache.slot_name(tree, knowledge, "default"))
    assert base not in others and len(others) == 6


def test_a_hit_runs_no_limit_check(env, monkeypatch):
    """The limits were checked when the entry was compiled (a tree that fails them never compiles)."""
    from engine.evaluators import durable_limits
    make_tree, store, compiles = env
    tree = make_tree("t")
    calls = []
    real = durable_limits.check_limits
    monkeypatch.setattr(durable_limits, "check_limits", lambda *a, **k: calls.append(1) or real(*a, **k))
    _get(tree, store)
    assert calls
    calls.clear()
    _get(tree, store)
    assert not calls and len(compiles) == 1


def test_the_entry_of_a_deleted_tree_goes_at_the_next_compile(env):
    make_tree, store, compiles = env
    gone, kept = make_tree("gone"), make_tree("kept")
    _get(gone, store)
    (entry,) = store.glob("*.pickle")
    shutil.rmtree(gone)
    _get(kept, store)
    assert not entry.exists() and len(list(store.glob("*.pickle"))) == 1


def test_no_cache_folder_compiles_every_time(env):
    make_tree, _, compiles = env
    tree = make_tree("t")
    _get(tree, None)
    _get(tree, None)
    assert len(compiles) == 2


FACTS = [{"id": "f1", "kind": "nothing_matches"}]


def _limit_checks(monkeypatch) -> list:
    """Calls of check_limits by the durable adapter, from now on."""
    from engine.evaluators import durable
    calls: list = []
    real = durable.check_limits
    monkeypatch.setattr(durable, "check_limits", lambda rs, *a, **k: calls.append(rs.key) or real(rs, *a, **k))
    return calls


def test_the_adapter_does_not_check_again_what_the_registry_checked(env, monkeypatch):
    """A compiled tree and a cache hit alike are vouched for (durable_limits.vouch): registering
    them runs no second check_limits (issue #13); the same rules in a new object are checked."""
    from engine.evaluators.durable import DurableEvaluator
    from engine.rules.ir import CompiledRuleset
    make_tree, store, compiles = env
    tree = make_tree("t")
    calls = _limit_checks(monkeypatch)
    for _ in range(2):                                  # compiled, then a hit
        rs = _get(tree, store)
        evaluator = DurableEvaluator()
        evaluator.evaluate(rs.compiled, FACTS)
        evaluator.evaluate(rs.scope, FACTS)
        assert calls == []
    assert len(compiles) == 1
    copy = CompiledRuleset(key=rs.compiled.key + "-copy", rules=list(rs.compiled.rules))
    DurableEvaluator().evaluate(copy, FACTS)
    assert calls == [copy.key]


def test_a_vouch_does_not_survive_a_change_a_copy_or_a_pickle(env, monkeypatch):
    """Nothing but the checked object itself, unchanged, skips the check: a rule added, dropped
    or replaced, a model copy, an unpickled copy (a cache entry is vouched for only by the
    registry that validated it) and a hand-built ruleset of the same rules are checked."""
    import pickle

    from engine.evaluators.durable_limits import vouch, vouched
    from engine.rules.ir import CompiledRuleset
    make_tree, store, _ = env
    rs = _get(make_tree("t"), store)
    compiled = rs.compiled
    assert vouched(compiled) and vouched(rs.scope)
    assert not vouched(pickle.loads(pickle.dumps(compiled)))
    assert not vouched(compiled.model_copy())
    assert not vouched(CompiledRuleset(key=compiled.key, rules=list(compiled.rules)))
    rules = compiled.rules
    first = rules[0]
    rules.append(first)
    assert not vouched(compiled)
    rules.pop()
    assert vouched(compiled)
    rules[0] = first.model_copy()
    assert not vouched(compiled)
    rules[0] = first
    assert vouched(compiled)
    other = CompiledRuleset(key="other", rules=list(rules))
    vouch(other)
    assert vouched(other) and vouched(compiled)
    del other
    import gc
    gc.collect()
    assert vouched(compiled)


def test_a_ruleset_failing_the_limits_is_refused_even_with_a_stale_vouch(monkeypatch):
    """A vouched ruleset whose rules are then changed past a limit is checked and refused."""
    from engine.errors import EvaluationError
    from engine.evaluators.durable import DurableEvaluator
    from engine.evaluators.durable_limits import MAX_PATTERNS, vouch
    from engine.rules.ir import CompiledRuleset
    from ir_builders import p, rule
    rs = CompiledRuleset(key="stale-vouch", rules=[rule("OK", p("e", "enterprise"))])
    vouch(rs)
    rs.rules.append(rule("WIDE", *[p(f"e{i}", "enterprise") for i in range(MAX_PATTERNS + 1)]))
    with pytest.raises(EvaluationError, match="exceeds the engine's limits"):
        DurableEvaluator().evaluate(rs, FACTS)


def test_a_hit_carries_the_evaluators_registration_of_its_own_rulesets(env):
    """`RulesetRegistry(prepare=DurableEvaluator().prepare)`: the compiled ruleset is stored with
    the durable adapter's registration of it; a later process registers from there without
    working it out again, and evaluates exactly as an adapter that worked it out itself."""
    from engine.evaluators import durable
    make_tree, store, compiles = env
    tree = make_tree("t")
    RulesetRegistry([tree], cache_dir=store, prepare=durable.DurableEvaluator().prepare).get()
    evaluator = durable.DurableEvaluator()
    hit = RulesetRegistry([tree], cache_dir=store, prepare=evaluator.prepare).get()
    assert len(compiles) == 1
    from engine.assessment import Assessor
    from engine.facts.loader import load_park
    _, facts = Assessor(evaluator=evaluator).prepare(load_park(ROOT / "examples" / "typical_municipal_park.yaml"), hit)
    example_facts = facts.facts
    regs = hit.prepared["durable"]
    assert set(regs) == {hit.compiled.key, hit.scope.key}
    assert regs[hit.compiled.key].source is hit.compiled and regs[hit.scope.key].source is hit.scope
    worked_out = []
    real = durable._registration
    try:
        durable._registration = lambda rs: worked_out.append(rs.key) or real(rs)
        matches = evaluator.evaluate(hit.compiled, example_facts)
    finally:
        durable._registration = real
    assert worked_out == []                              # registered from the cache entry
    assert matches == durable.DurableEvaluator().evaluate(hit.compiled, example_facts)
    assert matches                                       # the example park fires rules


def test_an_entry_stored_without_the_evaluators_registration_gains_it_once(env):
    """A process with no evaluator (`greenpark rules lint`) may store the entry first: the next
    process with one adds its registration and stores the entry again, once; later hits carry it."""
    from engine.evaluators.durable import DurableEvaluator
    make_tree, store, compiles = env
    tree = make_tree("t")
    assert _get(tree, store).prepared == {}
    completed = cache.STATS["completed"]
    first = RulesetRegistry([tree], cache_dir=store, prepare=DurableEvaluator().prepare).get()
    assert cache.STATS["completed"] == completed + 1 and set(first.prepared["durable"]) == {first.compiled.key,
                                                                                         first.scope.key}
    later = RulesetRegistry([tree], cache_dir=store, prepare=DurableEvaluator().prepare).get()
    assert cache.STATS["completed"] == completed + 1                # nothing more to add
    assert later.prepared["durable"][later.compiled.key].source is later.compiled
    assert len(compiles) == 1


def test_a_hit_carries_the_finding_graphs_and_builds_none(env, monkeypatch):
    """The finding graph of each compiled ruleset is built when the tree compiles and stored with
    it: a process taking the entry assesses without building one, and it is the graph building
    would give."""
    from engine.assessment import Assessor
    from engine.evaluators.oracle import OracleEvaluator
    from engine.facts.loader import load_park
    from engine.rules.finding_graph import FindingGraph
    make_tree, store, compiles = env
    tree = make_tree("t")
    fresh = _get(tree, store)
    hit = _get(tree, store)
    assert len(compiles) == 1 and hit.compiled is not fresh.compiled
    assert set(hit.graphs) == {hit.compiled.key, hit.scope.key}
    assert hit.graphs[hit.compiled.key] == FindingGraph.build(hit.compiled.rules)
    monkeypatch.setattr(FindingGraph, "build", classmethod(lambda cls, rules: pytest.fail("a graph was built")))
    assert FindingGraph.of(hit.compiled) is hit.graphs[hit.compiled.key]
    registry = RulesetRegistry([tree], cache_dir=store)
    result = Assessor(registry, OracleEvaluator()).assess(load_park(ROOT / "examples" / "coal_chemical_park.yaml"))
    assert result["findings"] and len(compiles) == 1
