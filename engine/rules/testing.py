"""Run each rule's examples (`<ID>_<slug>_test.yaml`) - OPA's habit of tests beside policies.

A case gives engine facts and the findings *this rule* must produce (`expect`). `fires_` cases
must expect an adverse outcome (problem, not_met, insufficient_data, recommended, and a scope
rule's out-of-scope not_applicable); `silent_` cases must not. The set of statuses produced must
equal the set expected, so a case that fires the wrong verdict fails even if the right one is there
too. A test file runs under the benchmark profile it names (default: `default`); a rule must be
active under it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..errors import Problem
from ..facts.builder import FactSet
from ..facts.catalogue import KINDS
from ..facts.loader import validation_problems
from ..findings import build_findings
from ..indicators.compute import Indicators
from .dsl import RuleTestFile
from .packs import Ruleset, _rel, load_ruleset, rule_files
from ..sourcefile import load_document

__all__ = ["CaseResult", "run_rule_tests", "lint_tests", "lint_profiles", "test_file_for", "ADVERSE"]

ADVERSE = {"problem", "not_met", "insufficient_data", "recommended"}


@dataclass
class CaseResult:
    rule: str
    case: str
    file: str
    ok: bool
    message: str = ""
    statuses: list[str] = field(default_factory=list)


def test_file_for(rule_file: Path) -> Path:
    return rule_file.with_name(rule_file.stem + "_test.yaml")


def _load_tests(path: Path) -> tuple[RuleTestFile | None, list[Problem]]:
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
        tests, errs = _load_tests(path)
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


def _normalise(facts: list[dict], knowledge) -> list[dict]:
    out, counter = [], {}
    for raw in facts:
        f = dict(raw)
        kind = f.get("kind")
        if kind not in KINDS:
            raise ValueError(f"unknown fact kind {kind!r} (kinds: {', '.join(KINDS)})")
        counter[kind] = counter.get(kind, 0) + 1
        if kind == "indicator" and "name" in f:
            f.setdefault("id", f"ind:{f['name']}")
            ind = knowledge.indicators.get(f["name"])
            f.setdefault("unit", ind.unit if ind else "-")
            f.setdefault("year", 2024)
            f.setdefault("uses_unverified", False)
        f.setdefault("id", kind if kind in ("park", "infrastructure", "platform", "management", "circular", "plan")
                     else f"{kind}:{counter[kind]}")
        specs = KINDS[kind]
        for name, value in f.items():
            if name == "kind":
                continue
            spec = specs.get(name)
            if spec is None:
                raise ValueError(f"{kind} has no field {name!r}")
            want = {"number": (int, float), "text": (str,), "bool": (bool,)}[spec.type]
            if not isinstance(value, want) or (spec.type == "number" and isinstance(value, bool)):
                raise ValueError(f"{kind}.{name} must be {spec.type}, got {value!r}")
        absent = [n for n, s in specs.items() if s.always and n not in f]
        if absent:
            raise ValueError(f"{kind} fact {f['id']!r} lacks always-present field(s): {', '.join(absent)}")
        out.append(f)
    return out


def run_rule_tests(ruleset: Ruleset, evaluator, only: str | None = None) -> list[CaseResult]:
    """Run every case of every rule (or of rule `only`) through `evaluator`, each test file under
    its profile (the tree of `ruleset` compiled again for a profile other than its own)."""
    results: list[CaseResult] = []
    empty = Indicators({0: {}}, [], 0)
    compiled = {ruleset.profile: ruleset}
    for pack in ruleset.packs:
        for rule_path in rule_files(ruleset.root / pack):
            path = test_file_for(rule_path)
            if not path.exists():
                continue
            tests, errs = _load_tests(path)
            if tests is None or tests.rule not in ruleset.files or (only and tests.rule != only):
                for e in errs:
                    results.append(CaseResult(rule="?", case="-", file=_rel(path), ok=False, message=str(e)))
                continue
            if tests.profile not in compiled:
                compiled[tests.profile] = load_ruleset(ruleset.root, ruleset.knowledge, tests.profile)
            rs = compiled[tests.profile]
            if tests.rule not in rs.meta:
                reason = rs.inactive.get(tests.rule, (None, None))[1]
                results.append(CaseResult(rule=tests.rule, case="-", file=_rel(path), ok=False,
                                          message=f"rule is inactive under profile {tests.profile}"
                                                  f"{': ' + reason.en if reason else ''}; name a profile where it "
                                                  "applies (profile: ...)"))
                continue
            for case in tests.cases:
                results.append(_run_case(rs, evaluator, tests.rule, case, _rel(path), empty))
    return results


def _run_case(ruleset, evaluator, rule_id, case, file, empty) -> CaseResult:
    res = CaseResult(rule=rule_id, case=case.name, file=file, ok=False)
    try:
        facts = _normalise(case.facts, ruleset.knowledge)
        matches = evaluator.evaluate(ruleset.scope, facts) if ruleset.scope else []
        matches += evaluator.evaluate(ruleset.compiled, facts)
        findings = build_findings(ruleset, matches, FactSet(facts=facts), empty)
    except Exception as exc:  # a broken case is a failed case, reported with its reason
        res.message = f"{type(exc).__name__}: {exc}"
        return res
    mine = [f for f in findings if f["rule"] == rule_id]
    res.statuses = sorted(f["status"] for f in mine)
    want = {e.status for e in case.expect}
    got = {f["status"] for f in mine}
    if want != got:
        res.message = f"expected statuses {sorted(want) or 'none'}, got {res.statuses or 'none'}"
        return res
    for e in case.expect:
        these = [f for f in mine if f["status"] == e.status]
        if e.count is not None and len(these) != e.count:
            res.message = f"expected {e.count} × {e.status}, got {len(these)}"
            return res
        for text, lang in ((e.explain_contains, "zh"), (e.explain_en_contains, "en")):
            if text and not any(text in f["explanation"][lang] for f in these):
                sample = these[0]["explanation"][lang] if these else ""
                res.message = f"{e.status}: explanation ({lang}) lacks {text!r}; got {sample!r}"
                return res
    res.ok = True
    return res
