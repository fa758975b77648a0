"""Large valid parks assess on both evaluators: there is no fixed cap on derived findings.

2,000 enterprises that each fail every per-enterprise rule derive about 18,000 findings; the old
fixed cap (10,000 derived facts per evaluation) refused such a park with 422 "rules keep deriving
findings from findings", though the rules have no cycle. The limit now is the bound the acyclic
finding graph implies for the input (`engine.rules.finding_graph`). ~15 s on 2 cores.
"""
from __future__ import annotations

import sys
from pathlib import Path

from engine.assessment import Assessor
from engine.facts.models import Park
from engine.rules.finding_graph import FindingGraph
from engine.rules.packs import RulesetRegistry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from make_parks import triggered_park  # noqa: E402

_REGISTRY = RulesetRegistry()
OLD_CAP = 10_000


def _key(result: dict) -> list:
    return sorted((f["id"], f["status"], f["severity"], f["explanation"]["zh"], tuple(f["related"]))
                  for f in result["findings"])


def test_2000_enterprises_with_every_trigger_assess_on_both_evaluators(durable, oracle):
    park = Park.model_validate(triggered_park(2000))
    rs = _REGISTRY.get(profile="default")
    _, fs = Assessor(_REGISTRY, durable).prepare(park, rs)
    emits = {r.id for r in rs.compiled.rules if r.emit is not None}
    derived = sum(m.rule in emits for m in durable.evaluate(rs.compiled, fs.facts))
    assert OLD_CAP < derived <= FindingGraph.of(rs.compiled).bound(fs.facts)

    a = Assessor(_REGISTRY, durable).assess(park)
    b = Assessor(_REGISTRY, oracle).assess(park)
    assert _key(a) == _key(b)
    assert a["summary"] == b["summary"]
    not_met = [f for f in a["findings"] if f["rule"] == "IN-C-001" and f["status"] == "not_met"]
    assert len(not_met) == 2000   # one per enterprise: nothing dropped, nothing refused


def test_loose_facts_run_in_sessions_of_their_own_with_the_same_firings(durable, monkeypatch):
    """Enterprises are only ever matched one at a time, so they (and the findings they derive) may
    go to sessions of their own (`session_batches`): the C engine then holds ~SESSION_FACTS of
    them at once instead of all. The firings are the same as in one session."""
    from make_parks import large_park
    from engine.evaluators import durable as durable_module
    park = Park.model_validate(large_park(300))
    rs = _REGISTRY.get(profile="default")
    _, fs = Assessor(_REGISTRY, durable).prepare(park, rs)
    assert {"enterprise", "finding"} <= durable_module.loose_kinds(rs.compiled)
    assert "indicator" not in durable_module.loose_kinds(rs.compiled)
    whole = durable.evaluate(rs.compiled, fs.facts)
    monkeypatch.setattr(durable_module, "SESSION_FACTS", 40)
    batches = durable_module.session_batches(fs.facts, durable_module.loose_kinds(rs.compiled))
    assert len(batches) > 5 and sorted(map(len, batches))[0] > 0
    assert sorted(f["id"] for b in batches for f in b) == sorted(f["id"] for f in fs.facts)
    split = durable.evaluate(rs.compiled, fs.facts)
    key = lambda ms: sorted((m.rule, tuple(sorted(m.facts.items()))) for m in ms)  # noqa: E731
    assert key(split) == key(whole) and len(split) == len(whole)
    assert durable._runs == {}
