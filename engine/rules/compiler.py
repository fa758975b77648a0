"""Compile one DSL rule into engine rules (IR) plus the metadata findings are built from.

A compliance rule with subject S (selector `where`), park applicability Ap, subject
applicability As, required fields R and check C becomes up to six engine rules, which between
them give exactly one verdict per subject fact:

    #na_park        park(Ap fields reported, not Ap)      & S
    #missing_park   park(some Ap field not reported)      & S          -> insufficient_data
    #missing        park(Ap) & S(some field of R not reported)         -> insufficient_data
    #na             park(Ap) & S(R reported, not As)                   -> not_applicable
    #met            park(Ap) & S(R reported, As, C)
    #not_met        park(Ap) & S(R reported, As, not C)

R is every field C and As read, plus `requires:`. Because R is reported in the last three,
`not C` is the exact complement of C there; the park pattern is joined only when Ap is given.
A field that C compares only inside an `or` (as the negation of `a and b` does) is not implied by
the comparison - one on an absent field is false, but another branch may hold - so a rule with
`decides` guards #met and #not_met with every compared field reported: with a field unknown,
exactly one of #decided (its fields reported and it holds -> not_met) and #missing fires.
A subject whose indicator has a zero base (`undefined` set: an indicator, a target on one) gets
`#undefined` -> not_applicable instead of insufficient_data. A scope rule's `#not_met` is the park's
out-of-scope verdict, `not_applicable`.

Thresholds are resolved under the profile being compiled (`engine.rules.profiles`); a rule the
profile gives no benchmark raises `RuleInactive`, which the loader records, not as an error.
"""
from __future__ import annotations

from ..facts.catalogue import KINDS
from . import grammar as g
from . import ir
from .conditions import ConditionError, Scope, compile_condition, split_conjuncts
from .dsl import ComplianceRule, MeasureRule, PatternSpec, ProblemRule
from .profiles import SLOT, RuleInactive, resolve_benchmark
from .meta import BoundThreshold, Gap, RuleMeta
from .templates import TemplateError, check_template
from ..text import Text

__all__ = ["RuleMeta", "BoundThreshold", "Gap", "compile_rule", "RuleCompileError", "RuleInactive"]


class RuleCompileError(ValueError):
    """Raised with the YAML key (`where`, `check`, ...) the problem is in."""

    def __init__(self, key: tuple, message: str):
        self.key = key
        super().__init__(message)


_GENERIC = {
    "insufficient_data": Text(zh="数据不足，无法判断：请补充 {missing}。",
                              en="Not enough data to judge: please report {missing}."),
    "not_applicable": Text(zh="本条不适用于该园区。", en="This requirement does not apply to the park."),
    "undefined": Text(zh="该指标的分母为零（{undefined}），比值无定义，本项不适用。",
                      en="The indicator's base is zero ({undefined}), so it is undefined; this check does not apply."),
}
_EXTRAS = {"insufficient_data": frozenset({"missing"}), "undefined": frozenset({"undefined"}),
           "decided": frozenset({"missing"})}
_PRIORITY = {"problem": 0, "compliance": 0, "measure": 10}
_STATUS_OF = {"problem": "problem", "measure": "recommended"}


def compile_rule(rule, *, pack: str, pack_version: str, file: str, knowledge, profile: str,
                 answers: tuple[str, ...] | None = None) -> tuple[list[ir.RuleIR], RuleMeta]:
    """Compile `rule` (a DSL model) against the knowledge base under benchmark `profile`.

    Args:
        answers: for a measure, the rules it answers that are active (default: all it names).

    Raises:
        RuleCompileError: naming the YAML key at fault.
        RuleInactive: the profile provides no benchmark the rule can use (not an error).
    """
    for i, clause in enumerate(rule.clauses):
        if clause not in knowledge.clauses:
            raise RuleCompileError(("clauses", i), f"clause {clause!r} does not exist in the guide's "
                                                   "catalogue (knowledge/clauses.yaml)")
    thresholds = _thresholds(rule, knowledge, profile)
    values = {name: t.value for name, t in thresholds.items()}
    if isinstance(rule, ComplianceRule):
        rules, meta_extra = _compliance(rule, values)
    elif isinstance(rule, ProblemRule):
        rules, meta_extra = _problem(rule, values)
    elif isinstance(rule, MeasureRule):
        rules, meta_extra = _measure(rule, knowledge, answers if answers is not None else tuple(rule.answers))
    else:  # pragma: no cover - the discriminated union admits nothing else
        raise TypeError(type(rule))
    _check_slot_operators(meta_extra.get("comparisons", []), thresholds, isinstance(rule, ProblemRule))
    unused = set(thresholds) - set(meta_extra.get("used", thresholds))
    if unused:
        raise RuleCompileError(("thresholds",), f"threshold(s) declared but not used: {', '.join(sorted(unused))}")
    explain = _explain_texts(rule)
    aliases = meta_extra["aliases"]
    gap = meta_extra.get("gap")
    for status, text in explain.items():
        for lang in ("zh", "en"):
            try:
                check_template(text.get(lang), aliases, set(thresholds), gap is not None,
                               extras=_EXTRAS.get(status, frozenset()))
            except TemplateError as exc:
                key = ("explain", status, lang) if isinstance(rule, ComplianceRule) else ("explain", lang)
                raise RuleCompileError(key, str(exc)) from None
    cases = _explain_cases(rule, meta_extra, thresholds)
    meta = RuleMeta(
        id=rule.id, version=rule.version, kind=rule.kind, pack=pack, pack_version=pack_version,
        file=file, clauses=tuple(rule.clauses), severity=rule.severity, title=rule.title,
        explain=explain, thresholds=thresholds, aliases=aliases, evidence=meta_extra["evidence"],
        gap=gap, answers=meta_extra.get("answers", ()), measure=getattr(rule, "measure", None),
        subject=meta_extra.get("subject"), applies_park_fields=meta_extra.get("park_fields", ()),
        requires=meta_extra.get("requires", ()), rationale=rule.rationale,
        engine_rules=meta_extra.get("statuses") or {r.id: _STATUS_OF[rule.kind] for r in rules},
        scope=bool(getattr(rule, "scope", False)),
        restates=tuple(getattr(rule, "restates", ())),
        data_completeness=bool(getattr(rule, "data_completeness", False)), explain_cases=cases,
        shows=tuple(getattr(rule, "shows", ())), legal_obligation=bool(getattr(rule, "legal_obligation", False)))
    return rules, meta


def _thresholds(rule, knowledge, profile: str) -> dict[str, BoundThreshold]:
    out = {}
    for name, ref in rule.thresholds.items():
        if not ref.startswith(SLOT) and ref not in knowledge.benchmarks:
            raise RuleCompileError(("thresholds", name), f"benchmark {ref!r} is not in knowledge/benchmarks.yaml")
        try:
            bench_id = resolve_benchmark(knowledge, profile, ref)
        except KeyError as exc:
            raise RuleCompileError(("thresholds", name), str(exc.args[0])) from None
        bench = knowledge.benchmarks[bench_id]
        if bench.value is None or isinstance(bench.value, (str, bool)):
            raise RuleCompileError(("thresholds", name), f"benchmark {bench_id!r} has no numeric value")
        if ref.startswith(SLOT) and bench.applies_if is not None:
            raise RuleCompileError(("thresholds", name), f"{ref} resolves to {bench_id} under profile {profile}, "
                                   "which applies only within a range; write that tier as its own rule")
        out[name] = BoundThreshold(name=name, benchmark=bench_id, value=bench.value, unit=bench.unit,
                                   framework=bench.framework, source=bench.source,
                                   verification=bench.verification, title=bench.name,
                                   slot=ref[len(SLOT):] if ref.startswith(SLOT) else None,
                                   operator=bench.operator)
    return out


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _comparisons(node: g.Node | None) -> list[tuple[str, str]]:
    """(operator as `field <op> $threshold`, threshold) of every threshold comparison in `node`."""
    match node:
        case None:
            return []
        case g.Cmp(left=g.Name(), op=op, right=g.Threshold(name=t)):
            return [(op, t)]
        case g.Cmp(left=g.Threshold(name=t), op=op, right=g.Name()):
            return [(_FLIP.get(op, op), t)]
        case g.And(items=items) | g.Or(items=items):
            return [c for i in items for c in _comparisons(i)]
        case g.Not(item=item):
            return _comparisons(item)
    return []


_SENSE = {">": 1, ">=": 1, "<": -1, "<=": -1, "==": 0, "!=": 0}


def _check_slot_operators(comparisons: list[tuple[str, str]], thresholds: dict[str, BoundThreshold],
                          adverse: bool) -> None:
    """A rule written for whatever benchmark the profile picks must compare in that benchmark's
    direction: a check (what 'met' means) the same way, a problem condition (the adverse side) the
    opposite way. A benchmark of `==` at the best value (100 %, 7 systems) may be checked with >=."""
    for op, name in comparisons:
        t = thresholds.get(name)
        if t is None or t.slot is None or _SENSE.get(t.operator, 0) == 0:
            continue
        want = -_SENSE[t.operator] if adverse else _SENSE[t.operator]
        if _SENSE.get(op, 0) != want:
            raise RuleCompileError(("check",) if not adverse else ("when",),
                                   f"${name} is {t.benchmark} ({t.slot} {t.operator} {t.value:g}) but the rule "
                                   f"compares `{op}`, the other way round")


def _explain_texts(rule) -> dict[str, Text]:
    if isinstance(rule, ComplianceRule):
        e = rule.explain
        out = {"met": e.met, "insufficient_data": e.insufficient_data or _GENERIC["insufficient_data"],
               "not_applicable": e.not_applicable or _GENERIC["not_applicable"]}
        if e.not_met is not None:
            out["not_met"] = e.not_met
        if "undefined" in KINDS[rule.subject.fact]:
            out["undefined"] = e.undefined or _GENERIC["undefined"]
        if e.decided is not None:
            out["decided"] = e.decided
        return out
    return {"problem" if isinstance(rule, ProblemRule) else "recommended": rule.explain}


def _explain_cases(rule, meta_extra: dict, thresholds: dict) -> tuple:
    """(status, condition, text) of each `explain.cases` entry: its condition compiled over the
    subject's own fields, its text checked as the status's own."""
    if not isinstance(rule, ComplianceRule):
        return ()
    kind = rule.subject.fact
    out = []
    for i, case in enumerate(rule.explain.cases):
        key = ("explain", "cases", i)
        if case.status == "not_met" and rule.explain.not_met is None:
            raise RuleCompileError(key + ("status",), "a case of not_met needs explain.not_met")
        ast = _parse(case.when, key + ("when",))
        if _comparisons(ast) or "$" in case.when:
            raise RuleCompileError(key + ("when",), "a case reads the subject's own fields, not thresholds")
        try:
            cond = compile_condition(ast, Scope(alias=meta_extra["subject"], kind=kind))
        except ConditionError as exc:
            raise RuleCompileError(key + ("when",), str(exc)) from None
        text = Text(zh=case.zh, en=case.en)
        for lang in ("zh", "en"):
            try:
                check_template(text.get(lang), meta_extra["aliases"], set(thresholds),
                               meta_extra.get("gap") is not None, extras=_EXTRAS.get(case.status, frozenset()))
            except TemplateError as exc:
                raise RuleCompileError(key + (lang,), str(exc)) from None
        out.append((case.status, cond, text))
    return tuple(out)


def _parse(text: str, key: tuple) -> g.Node:
    try:
        return g.parse(text)
    except g.ConditionSyntaxError as exc:
        raise RuleCompileError(key, str(exc)) from None


def _cond(text: str | None, scope: Scope, key: tuple) -> tuple[ir.Cond | None, g.Node | None]:
    """The compiled condition and its AST (parsed once; the AST also yields the gap)."""
    if text is None:
        return None, None
    node = _parse(text, key)
    try:
        return compile_condition(node, scope), node
    except ConditionError as exc:
        raise RuleCompileError(key, f"{exc}\n    {text}") from None


def _kind(spec: PatternSpec, key: tuple) -> str:
    if spec.fact not in KINDS:
        raise RuleCompileError(key + ("fact",), f"unknown fact kind {spec.fact!r} (kinds: {', '.join(KINDS)})")
    return spec.fact


def _and(*conds: ir.Cond | None) -> ir.Cond | None:
    items = []
    for c in conds:
        if c is None:
            continue
        items.extend(c.items if isinstance(c, ir.And) else [c])
    if not items:
        return None
    return items[0] if len(items) == 1 else ir.And(items=items)


def _emit(rule, status: str, severity: str | None = None) -> ir.Emit:
    return ir.Emit(rule=rule.id, status=status, severity=severity or rule.severity)


def _gap_of(node: g.Node | None, alias: str) -> Gap | None:
    """First `field <op> $threshold` (either side) in `node`, for {gap}."""
    match node:
        case None:
            return None
        case g.Cmp(left=g.Name(field=f), right=g.Threshold(name=t)) | g.Cmp(left=g.Threshold(name=t), right=g.Name(field=f)):
            return Gap(alias=alias, field=f, threshold=t)
        case g.And(items=items) | g.Or(items=items):
            return next((gp for gp in (_gap_of(i, alias) for i in items) if gp), None)
        case g.Not(item=item):
            return _gap_of(item, alias)
    return None


def _compliance(rule: ComplianceRule, thresholds: dict) -> tuple[list[ir.RuleIR], dict]:
    kind = _kind(rule.subject, ("subject",))
    alias = rule.subject.as_ or kind
    scope = Scope(alias=alias, kind=kind, thresholds=thresholds)
    selector, _ = _cond(rule.subject.where, scope, ("subject", "where"))
    check_ast = _parse(rule.check, ("check",))
    park_parts, subj_parts = [], []
    if rule.applies:
        applies_ast = _parse(rule.applies, ("applies",))
        for part in split_conjuncts(applies_ast):
            names = _names(part)
            on_park = {n.alias == "park" for n in names}
            if on_park == {True} and kind != "park":
                park_parts.append(part)
            elif True not in on_park or kind == "park":
                subj_parts.append(part)
            else:
                raise RuleCompileError(("applies",), "each `and` part of applies must be about park.* "
                                                     "or about the subject, not both")
    park_scope = Scope(alias="park", kind="park", thresholds=thresholds)
    try:
        check = compile_condition(check_ast, scope)
        not_check = compile_condition(check_ast, scope, negate=True)
        s_app = [compile_condition(p, scope) for p in subj_parts]
        s_not_app = ir.Or(items=[compile_condition(p, scope, negate=True) for p in subj_parts]) if subj_parts else None
        p_app = [compile_condition(p, park_scope) for p in park_parts]
        p_not_app = ir.Or(items=[compile_condition(p, park_scope, negate=True) for p in park_parts]) if park_parts else None
    except ConditionError as exc:
        raise RuleCompileError(("check",) if not rule.applies else ("applies",), str(exc)) from None
    for key in ("requires", "shows"):
        for r in getattr(rule, key):
            if r not in KINDS[kind]:
                raise RuleCompileError((key,), f"{kind} has no field {r!r}")
    a_fields = ir.cond_fields(_and(*s_app))
    c_fields: list[str] = []
    for f in ir.cond_fields(check) + list(rule.requires):
        if f not in a_fields and f not in c_fields:
            c_fields.append(f)
    requires = a_fields + c_fields
    compared = set(ir.cond_fields(check))
    defined = [ir.Defined(field=f) for f in c_fields if f not in compared]
    missing_parts: list[ir.Cond] = [ir.Undefined(field=f) for f in a_fields]
    if c_fields:
        c_missing = ir.Or(items=[ir.Undefined(field=f) for f in c_fields])
        missing_parts.append(_and(*s_app, c_missing) if s_app else c_missing)
    missing = None
    if missing_parts:
        missing = missing_parts[0] if len(missing_parts) == 1 else ir.Or(items=missing_parts)
    undefined = None
    if "undefined" in KINDS[kind]:   # an indicator (or a target on one) over a zero base: not missing data
        undefined = ir.Defined(field="undefined")
        missing = _and(ir.Undefined(field="undefined"), missing) if missing is not None else None
    park_fields = tuple(ir.cond_fields(_and(*p_app)))

    def subject(test) -> ir.Pattern:
        return ir.Pattern(alias=alias, kind=kind, test=_and(selector, test))

    def park(test) -> ir.Pattern:
        return ir.Pattern(alias="park", kind="park", test=test)

    applicable = [park(_and(*p_app))] if p_app else []
    rules: list[ir.RuleIR] = []
    statuses: dict[str, str] = {}

    def add(suffix: str, pats: list[ir.Pattern], status: str, emit: bool = False) -> None:
        rid = f"{rule.id}#{suffix}"
        statuses[rid] = status
        rules.append(ir.RuleIR(id=rid, source=rule.id, patterns=pats, emit=_emit(rule, status) if emit else None))

    if p_app:
        park_defined = _and(*[ir.Defined(field=f) for f in park_fields])
        add("na_park", [park(_and(park_defined, p_not_app)), subject(None)], "not_applicable")
        add("missing_park", [park(ir.Or(items=[ir.Undefined(field=f) for f in park_fields])), subject(None)],
            "insufficient_data")
    decided = _decides(rule, scope, bool(s_app))
    if missing is not None and decided is not None:     # some field unknown: decided, or not
        holds, fails = decided
        add("decided", applicable + [subject(_and(missing, holds))], "not_met", emit=True)
        missing = _and(missing, fails)
    elif missing is not None and _has_or(check) and not _has_ref(check):
        # `a or b`: a branch the reported fields satisfy decides met whatever the other's unknown
        # field (coal at 0 % is at its best, its change unknown); without this both fired and the
        # order of the matches chose the verdict
        missing = _and(missing, _unless(_and(*defined, check)))     # i.e. unless #met fires
    if missing is not None:
        add("missing", applicable + [subject(missing)], "insufficient_data")
    if undefined is not None:
        add("undefined", applicable + [subject(undefined)], "not_applicable")
    if s_not_app is not None:
        add("na", applicable + [subject(s_not_app)], "not_applicable")
    met_guard = not_met_guard = []
    if decided is not None:     # what unknown fields decide is `decides`' to say: met and not_met need them all
        cmp_fields = [f for f in c_fields if f in compared]
        met_guard, not_met_guard = _guards(check, cmp_fields), _guards(not_check, cmp_fields)
    add("met", applicable + [subject(_and(*defined, *met_guard, *s_app, check))], "met")
    add("not_met", applicable + [subject(_and(*defined, *not_met_guard, *s_app, not_check))],
        "not_applicable" if rule.scope else "not_met", emit=True)
    aliases = {alias: kind, **({"park": "park"} if p_app else {})}
    shown = tuple(requires) + tuple(f for f in rule.shows if f not in requires)
    evidence = {alias: shown, **({"park": park_fields} if p_app else {})}
    comparisons = _comparisons(check_ast)
    return rules, {"aliases": aliases, "evidence": evidence, "gap": _gap_of(check_ast, alias),
                   "used": scope.used_thresholds + park_scope.used_thresholds, "subject": alias,
                   "park_fields": park_fields, "requires": tuple(requires), "statuses": statuses,
                   "comparisons": comparisons}


_NEGATED = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}


def _unless(cond: ir.Cond) -> ir.Cond:
    """`cond` does not hold, a comparison on an absent field counting as not holding (as the engine
    reads it): the complement of `cond` over facts with fields left out."""
    match cond:
        case ir.And(items=items):
            return ir.Or(items=[_unless(c) for c in items])
        case ir.Or(items=items):
            return ir.And(items=[_unless(c) for c in items])
        case ir.Defined(field=f):
            return ir.Undefined(field=f)
        case ir.Undefined(field=f):
            return ir.Defined(field=f)
        case ir.Compare(op=op, field=f, right=right):
            return ir.Or(items=[ir.Compare(op=_NEGATED[op], field=f, right=right), ir.Undefined(field=f)])
    raise TypeError(f"not a condition: {cond!r}")


def _has_or(cond: ir.Cond) -> bool:
    return isinstance(cond, ir.Or) or (isinstance(cond, ir.And) and any(_has_or(c) for c in cond.items))


def _has_ref(cond: ir.Cond) -> bool:
    if isinstance(cond, (ir.And, ir.Or)):
        return any(_has_ref(c) for c in cond.items)
    return isinstance(cond, ir.Compare) and isinstance(cond.right, ir.Ref)


def _guards(cond: ir.Cond, fields: list[str]) -> list[ir.Cond]:
    """`Defined` tests for the `fields` that `cond` may hold without: a comparison on an absent field
    is false, so a field compared in a top-level conjunct needs none, but one compared only inside an
    `or` (a negated `and`: `exists != true or targets < 1`) does."""
    items = cond.items if isinstance(cond, ir.And) else [cond]
    implied = {c.field for c in items if isinstance(c, (ir.Compare, ir.Defined))}
    return [ir.Defined(field=f) for f in fields if f not in implied]


def _decides(rule: ComplianceRule, scope: Scope, has_applies: bool) -> tuple[ir.Cond, ir.Cond] | None:
    """(holds, fails) of the rule's `decides`: its fields reported and the condition true, and the
    exact complement (a field unknown, or the condition false); None without `decides`."""
    if rule.decides is None:
        return None
    if has_applies:
        raise RuleCompileError(("decides",), "`decides` is for rules without subject `applies` (an unknown "
                                             "applicability would leave the decision open)")
    ast = _parse(rule.decides, ("decides",))
    try:
        cond = compile_condition(ast, scope)
        negated = compile_condition(ast, scope, negate=True)
    except ConditionError as exc:
        raise RuleCompileError(("decides",), str(exc)) from None
    fields = ir.cond_fields(cond)
    holds = _and(*[ir.Defined(field=f) for f in fields], cond)
    fails = ir.Or(items=[*[ir.Undefined(field=f) for f in fields], _and(*[ir.Defined(field=f) for f in fields], negated)])
    return holds, fails


def _names(node: g.Node) -> list[g.Name]:
    match node:
        case g.Cmp(left=l, right=r):
            return [x for x in (l, r) if isinstance(x, g.Name)]
        case g.In(name=n) | g.IsDefined(name=n):
            return [n]
        case g.And(items=items) | g.Or(items=items):
            return [n for i in items for n in _names(i)]
        case g.Not(item=item):
            return _names(item)
    return []


def _problem(rule: ProblemRule, thresholds: dict) -> tuple[list[ir.RuleIR], dict]:
    specs = [rule.when] if rule.when is not None else list(rule.all)
    keyroot = ("when",) if rule.when is not None else ("all",)
    patterns, aliases, evidence, used, gap, comparisons = [], {}, {}, [], None, []
    for i, spec in enumerate(specs):
        key = keyroot if rule.when is not None else keyroot + (i,)
        kind = _kind(spec, key)
        alias = spec.as_ or kind
        if alias in aliases:
            raise RuleCompileError(key + ("as",), f"alias {alias!r} is used twice; give each pattern its own `as:`")
        scope = Scope(alias=alias, kind=kind, earlier=dict(aliases), thresholds=thresholds)
        test, node = _cond(spec.where, scope, key + ("where",))
        if test is not None and all(isinstance(c, ir.Undefined) for c in _leaves(test)):
            raise RuleCompileError(key + ("where",), "a pattern that only tests missing fields never "
                                                     "binds reliably; add a test on a reported field")
        patterns.append(ir.Pattern(alias=alias, kind=kind, test=test))
        aliases[alias] = kind
        evidence[alias] = tuple(ir.cond_fields(test))
        used += scope.used_thresholds
        comparisons += _comparisons(node)
        if gap is None:
            gap = _gap_of(node, alias)
    rules = [ir.RuleIR(id=rule.id, source=rule.id, patterns=patterns, emit=_emit(rule, "problem"),
                       priority=_PRIORITY["problem"])]
    return rules, {"aliases": aliases, "evidence": evidence, "gap": gap, "used": used,
                   "comparisons": comparisons}


def _leaves(c: ir.Cond) -> list[ir.Cond]:
    if isinstance(c, (ir.And, ir.Or)):
        return [leaf for item in c.items for leaf in _leaves(item)]
    return [c]


def _measure(rule: MeasureRule, knowledge, answers: tuple[str, ...]) -> tuple[list[ir.RuleIR], dict]:
    if rule.measure is not None and rule.measure not in knowledge.measures:
        raise RuleCompileError(("measure",), f"measure {rule.measure!r} is not in knowledge/measures.yaml")
    by_rule = [ir.Compare(op="eq", field="rule", right=ir.Const(value=a)) for a in answers]
    by_status = [ir.Compare(op="eq", field="status", right=ir.Const(value=s)) for s in rule.on]
    test = _and(by_rule[0] if len(by_rule) == 1 else ir.Or(items=by_rule),
                by_status[0] if len(by_status) == 1 else ir.Or(items=by_status))
    rules = [ir.RuleIR(id=rule.id, source=rule.id, patterns=[ir.Pattern(alias="finding", kind="finding", test=test)],
                       priority=_PRIORITY["measure"])]
    return rules, {"aliases": {"finding": "finding"}, "evidence": {"finding": ("rule", "status")}, "used": [],
                   "answers": answers}
