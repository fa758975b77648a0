"""The per-request result budget (`greenpark serve --max-result-bytes`) in the worker, without HTTP:
the estimate it refuses on before assessing is a lower bound of the real result size (so it never
refuses a park whose result would fit), and a result over the limit is refused, not returned.
The budget over HTTP, for single parks and batches, is tested in tests/test_service_api.py."""
from __future__ import annotations

import json
import random
import sys

import pytest

from engine.assessment import Assessor
from engine.errors import InputError
from engine.evaluators.durable import DurableEvaluator
from engine.facts.loader import park_from_data
from engine.service.worker import estimate_result_bytes, handle
from service_support import ROOT, example_parks

sys.path.insert(0, str(ROOT / "bench"))
from make_parks import large_park, random_park, typical_park  # noqa: E402


@pytest.fixture(scope="module")
def assessor():
    return Assessor(evaluator=DurableEvaluator())


def _parks() -> list[dict]:
    rng = random.Random(5)
    parks = [*example_parks(), typical_park(), large_park(300, 1), *(random_park(rng) for _ in range(12))]
    minimal = {"profile": {"id": "few-facts", "name": "园区", "level": "other", "province": "江苏", "park_type": "other",
                           "has_management_body": False, "area": "1 km2"}}
    return [*parks, {**minimal, "years": [{"year": 2024}]}, {**minimal, "years": [{"year": y} for y in range(1990, 2101)]}]


def test_the_estimate_is_a_lower_bound_of_the_result(assessor):
    checked = 0
    for data in _parks():
        try:
            park = park_from_data(data)
        except InputError:
            continue                      # a generated park the validator refuses has no result
        size = len(json.dumps(assessor.assess(park), ensure_ascii=False).encode())
        assert estimate_result_bytes(park) <= size, data["profile"]["id"]
        checked += 1
    assert checked >= 12


def test_a_result_over_the_limit_is_refused_before_or_after_the_assessment(assessor):
    body = json.dumps(example_parks()[0], ensure_ascii=False).encode()
    ok = handle(assessor, body, None)
    size = len(ok[2])
    floor = estimate_result_bytes(park_from_data(example_parks()[0]))
    assert handle(assessor, body, None, max_result=size)[0] == "ok"
    assert handle(assessor, body, None, max_result=size - 1) == ("too_large", size, size - 1, "result")
    assert handle(assessor, body, None, max_result=floor - 1) == ("too_large", floor, floor - 1, "estimate")
    assert handle(assessor, body, None, check_only=True) == ("checked", floor)
    assert handle(assessor, body, None, "no-such-profile", check_only=True)[0] == "not_found"
