"""Each rule's examples file (`<ID>_<slug>_test.yaml`): where it sits, how it loads, and its lint.

OPA's habit of tests beside policies: a rule file has its examples beside it, each case named
`fires_...` (expects an adverse outcome: problem, not_met, insufficient_data, recommended, and a
scope rule's out-of-scope not_applicable) or `silent_...` (expects none). A test file runs under
the benchmark profile it names (default: `default`); a rule must be active under it. Running the
cases through an evaluator needs findings, a layer above the rules: `engine.rule_tests`.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ..errors import Problem
from ..facts.loader import validation_problems
from ..sourcefile import load_document
from .dsl import RuleTestFile
from .packs import Ruleset, _rel, load_ruleset

__all__ = ["test_file_for", "load_tests", "lint_tests", "lint_profiles", "ADVERSE"]

ADVERSE = {"problem", "not_met", "insufficient_data", "recommended"}


def test_file_for(rule_file: Path) -> Path:
    """The examples file beside `rule_file`: `PL-C-001_x.yaml` -> `PL-C-001_x_test.yaml`."""
    return rule_file.with_name(rule_file.stem + "_test.yaml")


test_file_for.__test__ = False   # a helper named test_*, not a test


def load_tests(path: Path) -> tuple[RuleTestFile | None, list[Problem]]:
    """The examples file at `path`, or None and every problem, each naming file:line and field."""
    try:
        doc = load_document(path)
    except Exception as exc:
        return None, list(getattr(exc, "problems", [])) or [Problem(str(exc), file=_rel(path))]
    doc.file = _rel(path)
    try:
        return RuleTestFile.model_validate(doc.data), []
    except ValidationError as exc:
        return None, validation_problems(exc, doc, RuleTestFile)


def lint_tests(ruleset: Ruleset) -> list[Problem]:
    """Every rule has a test file naming it, with >= 1 fires_ and >= 1 silent_ case."""
    problems: list[Problem] = []
    for rule_id, (pack, file) in sorted(ruleset.files.items()):
        path = test_file_for(ruleset.root / pack / Path(file).name)
        if not path.exists():
            problems.append(Problem(f"rule {rule_id} has no examples: expected {path.name} beside it", file=file))
            continue
        tests, errs = load_tests(path)
        problems += errs
        if tests is None:
            continue
        if tests.rule != rule_id:
            problems.append(Problem(f"names rule {tests.rule!r}, but sits beside {rule_id}", file=_rel(path), line=1))
        if tests.profile not in ruleset.knowledge.profiles:
            problems.append(Problem(f"profile {tests.profile!r} does not exist", file=_rel(path), line=1))
        names = [c.name for c in tests.cases]
        if not any(n.startswith("fires_") for n in names) or not any(n.startswith("silent_") for n in names):
            problems.append(Problem(f"rule {rule_id}: needs at least one fires_ and one silent_ case", file=_rel(path)))
        scope = rule_id in ruleset.meta and ruleset.meta[rule_id].scope
        for c in tests.cases:
            adverse = {e.status for e in c.expect} & (ADVERSE | ({"not_applicable"} if scope else set()))
            if c.name.startswith("fires_") and not adverse:
                problems.append(Problem(f"case {c.name}: a fires_ case must expect an adverse status", file=_rel(path)))
            if c.name.startswith("silent_") and adverse:
                problems.append(Problem(f"case {c.name}: a silent_ case must not expect {sorted(adverse)}", file=_rel(path)))
    for pack in ruleset.packs:
        known = {Path(f).name for p, f in ruleset.files.values() if p == pack}
        for path in (ruleset.root / pack).glob("*_test.yaml"):
            if path.name.replace("_test.yaml", ".yaml") not in known:
                problems.append(Problem("test file without a rule beside it", file=_rel(path)))
    return problems


def lint_profiles(ruleset: Ruleset) -> list[Problem]:
    """The tree compiles under every profile, and each rule applies under at least one.

    Raises:
        RulePackError: the tree does not compile under some profile.
    """
    active: set[str] = set()
    for profile in ruleset.knowledge.profiles:
        rs = ruleset if profile == ruleset.profile else load_ruleset(ruleset.root, ruleset.knowledge, profile)
        active |= set(rs.meta)
    return [Problem(f"rule {rid} applies under no benchmark profile ({ruleset.inactive[rid][1].en})", file=file)
            for rid, (_, file) in sorted(ruleset.files.items()) if rid not in active]
