"""The expert scenario suite (tests/scenarios): every verdict an expert insists on and every
hand-computed value holds, on both evaluators. The agreement is printed at the end of the run."""
from __future__ import annotations

import pytest

from engine.assessment import Assessor
from tests.scenarios.runner import AGREEMENT, SCENARIOS, run_scenario

PATHS = sorted(SCENARIOS.glob("[0-9]*.yaml"))


@pytest.fixture(scope="module")
def assessors(durable, oracle):
    return {"durable": Assessor(evaluator=durable), "oracle": Assessor(evaluator=oracle)}


def test_there_are_at_least_fifteen_scenarios():
    assert len(PATHS) >= 15


@pytest.mark.parametrize("engine", ["durable", "oracle"])
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_scenario_agrees_with_the_expert(path, engine, assessors):
    report = run_scenario(path, assessors[engine])
    tally = AGREEMENT.setdefault(engine, [0, 0])
    tally[0] += report.agreed
    tally[1] += report.checks
    assert report.checks > 0, "a scenario states what the expert expects"
    assert not report.failures, "\n".join(report.failures)
