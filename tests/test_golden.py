"""The compiled IR of each pack matches its golden file (regenerate with `make golden` and
review the diff: it shows exactly what a rule or compiler change does to the engine rules)."""
from engine.rules.golden import check_golden, golden_ir


def test_golden_ir_is_up_to_date(ruleset):
    assert check_golden(ruleset) == [], "run `make golden` and review the diff"


def test_golden_ir_is_deterministic(ruleset):
    assert golden_ir(ruleset) == golden_ir(ruleset)
