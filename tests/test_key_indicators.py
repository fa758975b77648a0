"""Clause 7.3 under the default profile: every key indicator of a park with complete data gets a
decided verdict citing 7.3 (on the indicator, or on its change where the default frameworks give
the level no number), every target a progress and a reachability verdict; quantitative verdicts
cite 7.3 and their 6.x area."""
from __future__ import annotations

import pytest

from bench.make_parks import typical_park
from engine.assessment import Assessor
from engine.facts.loader import park_from_data


@pytest.fixture(scope="module")
def result(durable):
    return Assessor(evaluator=durable).assess(park_from_data(typical_park(0)))


def test_every_key_indicator_gets_a_decided_7_3_verdict(result, knowledge):
    verdicts = {}
    for f in result["findings"]:
        subject = f["id"].split("@", 1)[-1]
        if f["kind"] == "compliance" and "7.3" in f["clauses"] and subject.startswith("ind:"):
            verdicts.setdefault(subject[4:], []).append(f)
    for ind in knowledge.indicators.values():
        if not ind.key or ind.change_of:
            continue
        change = next((c.id for c in knowledge.indicators.values() if c.change_of == ind.id), None)
        found = verdicts.get(ind.id, []) + verdicts.get(change, [])
        assert found, f"no 7.3 verdict for key indicator {ind.id}"
        # decided: met or not_met (a tier that does not apply to this park is not_applicable beside it)
        statuses = {f["status"] for f in found}
        assert statuses & {"met", "not_met"} and statuses <= {"met", "not_met", "not_applicable"}, \
            [(f["id"], f["status"]) for f in found]


def test_every_target_gets_progress_and_reachability(result):
    ids = {f["id"] for f in result["findings"]}
    targets = typical_park(0)["plan"]["targets"]
    for t in targets:
        assert f"IM-C-001@target:{t['id']}" in ids and f"IM-C-012@target:{t['id']}" in ids


def test_quantitative_verdicts_cite_7_3_and_their_6_x_area(ruleset):
    key = {i.id for i in ruleset.knowledge.indicators.values() if i.key}
    for meta in ruleset.meta.values():
        if meta.kind != "compliance" or not any(t.slot in key for t in meta.thresholds.values() if t.slot):
            continue
        assert "7.3" in meta.clauses, meta.id
        assert any(c.startswith("6.") for c in meta.clauses), f"{meta.id} cites no 6.x area: {meta.clauses}"
