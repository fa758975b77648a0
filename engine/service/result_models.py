"""Typed models of the assessment result (docs/result.md) for /openapi.json.

They document what `POST /v1/assessments` and `GET /v1/assessments/{id}` return; they are not run
on the responses (a result is 200-400 KB of JSON the worker has already encoded, and the routes
send those bytes as they are). Every model is *true* of real results: a field is required only
where every result carries it, keys added by later versions of the contract (`data_quality`,
the summary's `categories`/`to_collect`/`frameworks`/`conclusion`) are optional because logged
decisions made before them lack them, and objects stay open (more keys may come). Checked by the
schemathesis run of tests/test_service_api.py (response conformance) and by
tests/test_api_docs.py, which validates every example park's and scenario's result against
these schemas.

Both result formats are described (docs/result.md): format 2 (the default) moves what every
finding of a rule shares into `rules`, met / not_applicable verdicts into the rows of `verdicts`,
formulas and emission factors into `formulas` / `factors`, and keeps the engine `trace` only on
request; so the per-rule fields of a finding, and a derived indicator's name, year and formula, are
optional here (format 1 has them all), and an evidence fact, an input or a factor may be a compact
row or reference instead of an object.

Bilingual texts are `Bilingual` ({zh, en}); numbers in a quantity's canonical unit.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Bilingual", "Evidence", "Finding", "Summary", "AssessmentResult", "DataQualityWarning",
           "ToComplyAlternative", "FIND_KINDS", "RuleEntry", "VerdictRows"]

FIND_KINDS = ("compliance", "problem", "measure")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Bilingual(_Open):
    """A text in Chinese (primary) and English."""

    zh: str
    en: str


class Explanation(_Open):
    """A finding's explanation: format 1 the text; format 2 a language may instead be the list of
    what goes between the segments of its rule's template (`rules[rule].explain[status][lang]`)."""

    zh: str | list[str]
    en: str | list[str]


class SourceRef(_Open):
    id: str
    title: str
    url: str | None


class Benchmark(_Open):
    id: str
    name: Bilingual
    value: float
    unit: str
    framework: str = Field(description="the framework the benchmark belongs to (knowledge/benchmarks.yaml)")
    verification: str = Field(description="V verified, C checked, U unverified, D derived")
    source: SourceRef | str = Field(description="format 2, in `rules`: the source's id in the result's `sources`")


class InputValue(_Open):
    path: str = Field(description="park-file path (or derived indicator and year) of an input")
    value: float
    unit: str


class EvidenceFact(_Open):
    fact: str = Field(description="the fact the rule matched, e.g. `ind:renewable_share`, `ent:E01`")
    field: str
    value: Any = Field(description="the value the rule read: number, text, boolean or null (unknown)")
    unit: str | None
    path: str | None = Field(description="park-file path or derived indicator it came from")
    formula: str | None = Field(default=None, description="derived indicators: how it is computed")
    inputs: list[InputValue] = Field(default_factory=list, description="derived indicators: the inputs used")


class AnsweredFinding(_Open):
    finding: str
    rule: str
    status: str
    severity: str


class Evidence(_Open):
    """What a finding rests on: the facts and benchmarks (compliance verdicts, problems), or the
    findings a measure answers."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "facts": [{"fact": "ind:renewable_share", "field": "value", "value": 8.4, "unit": "%",
                   "path": "derived.renewable_share"}],
        "benchmarks": [{"id": "PT-RENEW-SHARE", "name": {"zh": "可再生能源使用比例", "en": "renewable energy share"},
                        "value": 15.0, "unit": "%", "framework": "miit_green_park", "verification": "V",
                        "source": {"id": "miit_green_park_2016", "title": "绿色园区评价要求", "url": None}}],
        "gap": 6.6}]})
    facts: list[EvidenceFact | list[Any]] = Field(default_factory=list, description=(
        "format 2: a fact may be a row [fact, field, value, unit, path] or, for a derived indicator, "
        "[fact, field, value, unit, path, year] (formula and inputs in derived[year])"))
    benchmarks: list[Benchmark] = Field(default_factory=list, description="format 2: in `rules` when the rule's")
    gap: float | None = Field(default=None, description="how far the value is from the benchmark, in its unit")
    answers: list[AnsweredFinding | str] | Literal["related"] = Field(default_factory=list, description=(
        "measures: the findings answered (format 2: a finding id where that finding is in the result; "
        "`related` when they are the finding's `related`, in that order)"))


class TraceStep(_Open):
    engine_rule: str = Field(description="the durable-rules rule that fired, e.g. `PC-C-001#not_met`")
    facts: dict[str, str] = Field(description="binding -> fact id")


class MeasureRef(_Open):
    id: str
    title: Bilingual
    improves: list[str] = Field(description="indicators the catalogue measure improves")


class Magnitude(_Open):
    quantity: str = Field(description="what is measured, e.g. `coal_co2`, `fresh_water`")
    value: float
    unit: str
    label: Bilingual
    basis: Bilingual = Field(description="how it was computed from the park's facts")


class LegalBasis(Bilingual):
    source: str
    verification: str


class AnsweredSubjects(_Open):
    enterprises: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list)
    indicators: list[str] = Field(default_factory=list)


class ToComplyAlternative(_Open):
    """One input changed alone that turns a not_met threshold or plan-target verdict met (docs/result.md)."""

    kind: str = Field(description="`amount` (one fact) or `enterprises` (flags of some enterprises)")
    path: str = Field(description="the park-file path to change")
    fact: str
    label: Bilingual
    year: int
    current: float
    unit: str
    feasible: bool
    required: float | None = Field(description="null when not feasible")
    change: float | None = Field(description="required - current; null when not feasible")
    text: Bilingual
    reason: Bilingual | None = Field(default=None, description="why it is not feasible")
    bound: float | None = Field(default=None, description="plan-target verdicts (IM-C-001, IM-C-012) only: the "
                                                          "value the target's indicator must reach in the latest "
                                                          "year, in the indicator's unit")
    basis: Bilingual | None = Field(default=None, description="plan-target verdicts only: what `bound` is (the "
                                                              "planned path value, the target value, the value "
                                                              "from which the pace reaches the target)")
    exact: bool | None = Field(default=None, description="plan-target verdicts only: `bound` is the verdict's own "
                                                         "number (a value on it is met); false: the answer is taken "
                                                         "just past it")


class Finding(_Open):
    """A compliance verdict, a problem diagnosed or a measure recommended."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "PC-C-001@ind:renewable_share", "kind": "compliance", "rule": "PC-C-001", "rule_version": 3,
        "pack": "planning", "clauses": ["6.3"], "status": "not_met", "severity": "high",
        "title": {"zh": "可再生能源使用比例达到基准", "en": "The renewable energy share meets the benchmark"},
        "frameworks": ["miit_green_park"], "related": ["PC-M-001"],
        "explanation": {"zh": "可再生能源使用比例 8.4%，未达到基准 15%。",
                        "en": "The renewable energy share is 8.4%, short of the benchmark of 15%."},
        "evidence": {"facts": [{"fact": "ind:renewable_share", "field": "value", "value": 8.4, "unit": "%",
                                "path": "derived.renewable_share"}], "benchmarks": [], "gap": 6.6},
        "unverified": False,
        "trace": [{"engine_rule": "PC-C-001#not_met", "facts": {"s": "ind:renewable_share"}}]}]})
    id: str = Field(description="`RULE` or `RULE@subject`, stable across assessments")
    kind: Literal["compliance", "problem", "measure"] | None = Field(default=None, description="format 2: in `rules`")
    rule: str
    rule_version: int | None = Field(default=None, description="format 2: in `rules` (`version`)")
    pack: str | None = Field(default=None, description="format 2: in `rules`")
    clauses: list[str] = Field(default_factory=list, description="clauses of the guide the rule cites (format 2: "
                                                                 "in `rules`)")
    status: str = Field(description="compliance: met, not_met, insufficient_data, not_applicable; "
                                    "problem: problem; measure: recommended")
    severity: str = Field(description="high, medium, low or info")
    title: Bilingual | None = Field(default=None, description="format 2: in `rules`")
    frameworks: list[str] = Field(default_factory=list, description="format 2: in `rules`")
    related: list[str] = Field(description="ids of findings linked to this one (a measure and what it answers)")
    explanation: Explanation
    evidence: Evidence
    trace: list[TraceStep] = Field(default_factory=list, description="the engine rule that fired and its facts "
                                                                     "(format 2: only with `explain=full`)")
    unverified: bool | None = Field(default=None, description="a benchmark behind it is not verified (U)")
    missing: list[str] = Field(default_factory=list, description="insufficient_data: the park-file paths "
                                                                 "whose values would decide it")
    folded_into: str | None = Field(default=None, description="id of the finding this one only restates")
    measure: MeasureRef | None = Field(default=None, description="measures: the catalogue measure")
    rank: int | None = Field(default=None, description="measures: 1 = act first")
    rank_reason: Bilingual | None = None
    rank_score: list[int] = Field(default_factory=list, description="measures: [severity, count] (kept for "
                                                                    "compatibility)")
    legal_basis: LegalBasis | None = None
    magnitude: Magnitude | None = None
    answers_subjects: AnsweredSubjects | None = None
    subject_labels: dict[str, Bilingual] | list[str] = Field(default_factory=dict, description=(
        "subject -> its name (format 2: the subjects, named in the result's `labels`)"))
    to_comply: list[ToComplyAlternative] = Field(default_factory=list, description="with `to_comply=true`: "
                                                                                   "the minimal changes to comply")


class Category(_Open):
    group: str = Field(description="phase, area or eip")
    id: str
    label: Bilingual
    met: int
    not_met: int
    undecided: int
    not_applicable: int
    problems: int
    measures: int
    decided: int
    total: int
    rate: float | None = Field(description="met / decided x 100; null when none decided")


class FrameworkScore(_Open):
    framework: str
    label: Bilingual
    met: int
    not_met: int
    undecided: int
    decided: int
    total: int
    rate: float | None
    score: float | None = Field(description="always null: no framework's weights are held")
    score_note: Bilingual


class ToCollect(_Open):
    path: str = Field(description="a park-file path whose value is missing")
    findings: list[str] = Field(description="the insufficient_data findings it would decide")
    requirements: list[str] = Field(default_factory=list, description="the MIIT basic requirements undecided on it "
                                                                      "(summary.basic_requirements)")


class DataChecks(_Open):
    """The data-completeness checks (rules marked `data_completeness`: data reported or computable),
    counted apart from the compliance rate and from every category and framework row."""

    met: int
    not_met: int
    undecided: int
    not_applicable: int
    decided: int
    rules: list[str] = Field(default_factory=list, description="the rules whose verdicts these are")


class BasicRequirement(_Open):
    """One MIIT green-park basic requirement (engine/basic_requirements.yaml) as the assessment
    judged it."""

    id: str = Field(description="the MIIT-B* benchmark id")
    verdict: str = Field(description="not_met, undecided, met, no_problem (judged only by problem rules, none "
                                     "of which fired) or not_judged (no verdict of its rules)")
    collect: list[str] = Field(default_factory=list, description="park-file paths a fact it needs is unknown "
                                                                 "at (undecided)")


class Summary(_Open):
    """Counts over the findings, the clause 7.2 conclusion and what to collect."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "findings": 201, "by_kind": {"compliance": 110, "problem": 50, "measure": 41},
        "by_status": {"met": 51, "not_met": 38, "insufficient_data": 20, "not_applicable": 1, "problem": 50,
                      "recommended": 41},
        "by_severity": {"high": 30, "medium": 80, "low": 11, "info": 80},
        "compliance_rate": 44.1, "decided": 68, "undecided": 12, "folded": 15,
        "data_checks": {"met": 21, "not_met": 0, "undecided": 8, "not_applicable": 0, "decided": 21,
                        "rules": ["PL-C-001", "PL-C-002"]},
        "conclusion": {"zh": "园区属于指南适用范围；已判定的 68 项合规检查中 30 项达标（44.1%）……",
                       "en": "The park is within the guide's scope; of the 68 compliance checks decided, 30 are "
                             "met (44.1%) ..."},
        "categories": [], "frameworks": [],
        "to_collect": [{"path": "years[2].water.reused", "findings": ["EN-C-004@ind:water_reuse_rate"]}]}]})
    findings: int
    by_kind: dict[str, int]
    by_status: dict[str, int]
    by_severity: dict[str, int]
    compliance_rate: float | None = Field(description="met / decided x 100 over compliance verdicts, the "
                                                      "data-completeness checks left out; null when none is decided")
    decided: int
    undecided: int = Field(description="compliance verdicts with insufficient data")
    data_checks: DataChecks | None = Field(default=None, description="the data-completeness checks, counted apart "
                                                                     "(absent from results logged before)")
    folded: int | None = Field(default=None, description="findings that only restate another")
    conclusion: Bilingual | None = Field(default=None, description="the clause 7.2 conclusion")
    categories: list[Category] = Field(default_factory=list)
    to_collect: list[ToCollect] = Field(default_factory=list)
    frameworks: list[FrameworkScore] = Field(default_factory=list)
    basic_requirements: list[BasicRequirement] = Field(default_factory=list, description=(
        "each MIIT basic requirement's verdict, as the conclusion and the dossier give it (absent from "
        "results logged before)"))


class Setting(_Open):
    name: str
    value: float


class DataQualityWarning(_Open):
    """A data-quality warning, worked out before the rules run; never a verdict."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "code": "year_on_year_jump", "path": "years[year=2024].energy.coal", "value": 460000.0,
        "message": {"zh": "原煤从 2023 年的 4.9 万t 变为 2024 年的 46 万t，是上一数据年的 9.39 倍",
                    "en": "raw coal went from 49,000 t in 2023 to 460,000 t in 2024, 9.39 times the year before"},
        "check": {"zh": "核对两年的计量单位", "en": "check the unit of both years"},
        "setting": {"name": "yoy_jump_factor", "value": 5.0}}]})
    code: str = Field(description="share_as_fraction, year_on_year_jump, part_exceeds_whole, ... "
                                  "(docs/data-quality.md)")
    path: str
    value: Any = Field(description="the flagged number in the field's canonical unit")
    message: Bilingual
    check: Bilingual
    setting: Setting | None = Field(description="the tolerance that raised it, or null")


class RulesetUsed(_Open):
    name: str
    versions: dict[str, str] = Field(description="`ruleset` and each pack -> version")
    digest: str
    knowledge_digest: str
    profile: str | None = None
    frameworks: list[str] = Field(default_factory=list)


class Scope(_Open):
    in_scope: bool
    findings: list[str]


class InactiveRule(_Open):
    rule: str
    title: Bilingual
    reason: Bilingual


class Factor(_Open):
    id: str
    value: float
    unit: str
    source: str
    verification: str


class InventoryLine(_Open):
    carrier: str
    activity: float
    unit: str
    co2_t: float
    factor: Factor | str = Field(description="format 2: the factor's key in `factors` when it is that factor")


class GhgYear(_Open):
    year: int
    basis: str
    scope1: list[InventoryLine]
    scope2_location: list[InventoryLine]
    scope2_market: list[InventoryLine]
    scope1_t: float | None
    scope2_location_t: float | None
    scope2_market_t: float | None
    total_location_t: float | None
    total_market_t: float | None
    total_t: float | None


class DerivedIndicator(_Open):
    name: str | None = Field(default=None, description="format 2: the key")
    year: int | None = Field(default=None, description="format 2: the year's key")
    value: float | None = Field(description="null: unknown (`missing`) or undefined (`undefined`)")
    unit: str
    formula: str | None = Field(default=None, description="format 2: in `formulas`")
    inputs: list[InputValue | list[Any]] = Field(description="format 2: rows [path, value, unit]")
    factors: list[Factor | str] = Field(description="format 2: keys of `factors`")
    missing: list[str] = Field(default_factory=list)


class RuleEntry(_Open):
    """Format 2: what every finding of one rule shares."""

    kind: Literal["compliance", "problem", "measure"]
    version: int
    pack: str
    clauses: list[str]
    title: Bilingual
    frameworks: list[str]
    benchmarks: list[Benchmark] = Field(default_factory=list, description="the rule's benchmarks, as evidence")
    measure: MeasureRef | None = Field(default=None, description="measures: the catalogue measure")
    explain: dict[str, dict[str, list[str]]] | None = Field(default=None, description=(
        "status -> language -> the fixed segments of the sentence the rule's findings of that status share; "
        "a finding's explanation in that language is then the list of what goes between them"))


class VerdictRows(_Open):
    """Format 2: the met and not_applicable compliance verdicts, one row each."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "columns": ["id", "rule", "subject", "status", "value", "benchmark", "explanation", "facts", "extra"],
        "rows": [["PC-C-003@ind:water_reuse_rate", "PC-C-003", "ind:water_reuse_rate", "met", 92.0, 90.0,
                  {"zh": "工业用水重复利用率 92%，达到基准 90%。", "en": "Industrial water reuse is 92%, meeting 90%."},
                  [["ind:water_reuse_rate", "value", 92.0, "%", "derived.water_reuse_rate", "2024"]]]]}]})
    columns: list[str] = Field(description="id, rule, subject, status, value, benchmark, explanation, facts, extra")
    rows: list[list[Any]] = Field(description="value: the first evidence fact's value; benchmark: the rule's first "
                                              "benchmark's value; facts: evidence rows; extra (only when needed): "
                                              "any other key of the finding")


class AssessmentResult(_Open):
    """The assessment result of `greenpark assess -f json` (docs/result.md), plus the `decision_id`
    it was logged under."""

    decision_id: str = Field(examples=["d_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b"])
    format: int = Field(description="2 (default) or 1 (`format=1`)")
    park_id: str
    park_name: str
    ruleset: RulesetUsed
    input_digest: str = Field(description="sha256 of the validated park facts")
    year: int | None = Field(description="the latest data year")
    scope: Scope = Field(description="clause 1: in_scope, and the scope finding(s)")
    accounting: dict[str, Any] = Field(description="the accounting choices the result rests on, with sources")
    derived: dict[str, dict[str, DerivedIndicator]] = Field(description="year -> indicator -> value, formula, "
                                                                        "inputs, factors, missing")
    ghg_inventory: list[GhgYear]
    summary: Summary
    inactive: list[InactiveRule] = Field(description="rules the profile does not apply, with the reason")
    findings: list[Finding] = Field(description="format 2: every finding but met / not_applicable verdicts, in full; "
                                                "format 1: every finding")
    rules: dict[str, RuleEntry] | None = Field(default=None, description="format 2: rule id -> what its findings share")
    sources: dict[str, SourceRef] | None = Field(default=None, description="format 2: source id -> the source of "
                                                 "the rules' benchmarks")
    labels: dict[str, Bilingual | str] | None = Field(default=None, description=(
        "format 2: subject -> its words, for the measures' `subject_labels` (a string: the same in zh and en)"))
    verdicts: VerdictRows | None = Field(default=None, description="format 2: met / not_applicable verdicts")
    formulas: dict[str, str] | None = Field(default=None, description="format 2: indicator -> formula")
    factors: dict[str, Factor] | None = Field(default=None, description="format 2: factor key -> emission factor "
                                                                        "or coefficient")
    data_quality: list[DataQualityWarning] = Field(default_factory=list, description="data-quality warnings "
                                                   "(absent from decisions logged before issue 12)")
    to_comply: bool | None = Field(default=None, description="true when asked for with `to_comply=true`")
