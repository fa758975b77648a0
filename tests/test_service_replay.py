"""Comparing a replayed result with the stored one (engine/service/replay.py)."""
from __future__ import annotations

import json

from hypothesis import given, strategies as st

from engine.service.replay import MAX_DIFFERENCES, compare, differences

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
                    max_leaves=20)


@given(JSON, JSON)
def test_no_differences_exactly_when_the_json_is_the_same(a, b):
    same = json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert (differences(a, b) == []) is same
    assert differences(a, a) == []


def test_paths_name_where_results_differ():
    then = {"findings": [{"id": "A", "status": "met"}, {"id": "B"}], "year": 2024, "summary": {"n": 1}}
    now = {"findings": [{"id": "A", "status": "not_met"}], "year": 2024.0, "summary": {"n": 1, "m": 2}}
    assert differences(then, now) == ["findings[0].status", "findings[1]", "summary.m", "year"]
    assert differences(True, 1) == ["$"]
    assert len(differences(list(range(200)), list(range(1, 201)))) == MAX_DIFFERENCES


def test_compare_ignores_the_decision_id_only():
    result = {"ruleset": {"versions": {"ruleset": "1.0.0"}, "profile": "default", "digest": "abc"}, "findings": []}
    stored = {"decision_id": "d_1", **result}
    report = compare("d_1", stored, json.dumps(result).encode())
    assert report == {"decision_id": "d_1", "reproduced": True, "differences": [],
                      "ruleset": {"version": "1.0.0", "profile": "default", "digest_then": "abc", "digest_now": "abc"}}
    changed = {**result, "ruleset": {**result["ruleset"], "digest": "xyz"}}
    report = compare("d_1", stored, json.dumps(changed).encode())
    assert report["reproduced"] is False and report["differences"] == ["ruleset.digest"]
    assert report["ruleset"]["digest_now"] == "xyz"
