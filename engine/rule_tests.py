"""Run each rule's examples (`<ID>_<slug>_test.yaml`, `engine.rules.example_files`) through an
evaluator: `greenpark rules test`, and the suite's tests/test_rule_examples.py.

A case gives engine facts and the findings *this rule* must produce (`expect`). The set of statuses
produced must equal the set expected, so a case that fires the wrong verdict fails even if the
right one is there too. A case is judged on its findings (`engine.findings`), so the runner sits
above them, outside `engine/rules/`; the lint of the examples files stays with the rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .facts.builder import FactSet
from .facts.catalogue import KINDS
from .findings import build_findings
from .indicators.compute import Indicators
from .rules.example_files import load_tests, test_file_for
from .rules.packs import Ruleset, _rel, load_ruleset, rule_files

__all__ = ["CaseResult", "run_rule_tests"]


@dataclass
class CaseResult:
    """The outcome of one case: `ok`, or the reason it failed in `message`."""

    rule: str
    case: str
    file: str
    ok: bool
    message: str = ""
    statuses: list[str] = field(default_factory=list)


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
            tests, errs = load_tests(path)
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
