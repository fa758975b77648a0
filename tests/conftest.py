"""Shared fixtures: the real knowledge and ruleset (loaded once), and a fake knowledge for
compiler unit tests that must not depend on knowledge/ content."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import settings

from engine.text import Text

# Property tests explore, but the suite must give the same verdict on every run: derandomised.
settings.register_profile("greenpark", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("greenpark")


def _bench(value, verification="V", unit="%", operator=">="):
    return SimpleNamespace(value=value, unit=unit, framework="test_framework", source="test_source",
                           verification=verification, name=Text(zh="测试基准", en="test benchmark"),
                           indicator=None, operator=operator, applies_if=None)


@pytest.fixture(scope="session")
def fake_knowledge():
    clauses = {c: SimpleNamespace(title=Text(zh=f"条款{c}", en=f"clause {c}")) for c in
               ("5.2", "5.3b", "6.3", "6.6", "6.11", "7.3", "8")}
    return SimpleNamespace(
        clauses=clauses,
        benchmarks={"B-MIN": _bench(15.0, "U"), "B-LOW": _bench(200000.0, "V", "tce"),
                    "B-HIGH": _bench(1000000.0, "V", "tce"), "B-TIER": _bench(0.2, "V", "tCO2/tce"),
                    "B-TINY": _bench(1e-05, "C")},
        measures={"M-X": SimpleNamespace(title=Text(zh="措施", en="measure"), improves=["renewable_share"])},
        indicators={"x": SimpleNamespace(name=Text(zh="指标x", en="indicator x"))}, sources={}, digest="fake",
        profiles={"test": {"x": ["B-MIN"]}},
        frameworks={"test_framework": SimpleNamespace(name=Text(zh="测试框架", en="test framework"))})


@pytest.fixture(scope="session")
def knowledge():
    from engine.knowledge import load_knowledge
    return load_knowledge()


@pytest.fixture(scope="session")
def ruleset():
    from engine.rules.packs import RulesetRegistry
    return RulesetRegistry().get()


@pytest.fixture(scope="session")
def durable():
    from engine.evaluators.durable import DurableEvaluator
    return DurableEvaluator()


@pytest.fixture(scope="session")
def oracle():
    from engine.evaluators.oracle import OracleEvaluator
    return OracleEvaluator()


def pytest_terminal_summary(terminalreporter):
    """Print how many expert expectations the engine agrees with (tests/test_scenarios.py)."""
    from tests.scenarios.runner import AGREEMENT
    for engine, (agreed, total) in sorted(AGREEMENT.items()):
        terminalreporter.write_line(f"expert scenarios ({engine}): {agreed}/{total} expectations agree")
