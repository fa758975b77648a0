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
