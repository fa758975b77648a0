"""The rule-pack DSL, as pydantic models: the single source of the rule file schema.

A pack is a folder `rules/<pack>/` with `pack.yaml` and one file per rule,
`<ID>_<slug>.yaml`, beside its examples `<ID>_<slug>_test.yaml`. Three kinds of rule:

* **compliance** - a verdict on one `subject` fact: `met` / `not_met` / `insufficient_data` /
  `not_applicable`. `check` is what "met" means; the compiler derives the other verdicts.
* **problem** - a diagnosed problem: a single fact (`when`) or a join of facts (`all`). A problem
  that only restates a compliance rule's unmet verdict on the same subject names it in
  `restates: [RULE_ID]`; the result then folds the problem into that verdict (`folded_into`).
* **measure** - a recommended measure answering problem or compliance rules (`answers`):
  forward chaining problem -> measure.

Numbers in conditions come from knowledge, never from the rule: `thresholds: {min: MIIT-EG2}`
binds `$min` to that benchmark (value, unit, source and V/C/U/D tag) at compile time, and
`thresholds: {ref: "profile:water_reuse_rate"}` to the benchmark the assessment's profile sets for
that indicator - a check written once, each framework's number as data. A rule whose benchmark
the profile does not provide is not applied, and the result says so.

A compliance rule marked `scope: true` decides clause 1 applicability: it runs before every other
rule, and when the park is out of scope its verdict is `not_applicable` and nothing else is judged.
A compliance rule marked `data_completeness: true` checks only that data the guide's analysis needs
are reported or computable (5.2's status analysis, for one): the summary counts its verdicts apart
from the compliance rate, which measures what the guide asks of the park itself.
`greenpark schema --rules` prints the JSON Schema of these models for editors.
"""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from ..scalars import Bool, Int, whole
from ..text import Text
from .manifests import PackManifest, RulesetManifest       # the manifests, read by every process

__all__ = ["RuleFile", "ComplianceRule", "ProblemRule", "MeasureRule", "PatternSpec", "PackManifest",
           "RulesetManifest", "RuleTestFile", "TestCase", "Expectation", "Severity", "Status",
           "ComplianceExplain", "ExplainCase", "RULE_ID", "STATUSES", "Exemption", "ExemptionsFile"]

RULE_ID = r"^[A-Z]{2,4}(-[A-Z0-9]{1,12}){1,4}$"
Severity = Literal["critical", "high", "medium", "low", "info"]
Status = Literal["met", "not_met", "insufficient_data", "not_applicable", "problem", "recommended"]
STATUSES = ("met", "not_met", "insufficient_data", "not_applicable", "problem", "recommended")


class _Model(BaseModel):
    # strict: rule files are YAML 1.2 like park files, so `yes` or "2" is text, refused where a flag
    # or number belongs (engine.scalars words the message), never coerced
    # defer_build: validators are built on first use, not at import - a process that takes its
    # compiled ruleset from the cache (engine.rules.cache) unpickles these and validates none (issue #13)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class PatternSpec(_Model):
    """One fact to match: its kind, an alias, and a condition on its fields."""

    fact: str = Field(description="fact kind: park, indicator, enterprise, target, finding, ...")
    as_: str | None = Field(None, alias="as", pattern=r"^[a-z][a-z0-9_]{0,15}$",
                            description="alias used in joins and explanation templates")
    where: str | None = Field(None, description="condition on this fact's fields")


class _RuleBase(_Model):
    id: str = Field(pattern=RULE_ID, description="stable id, independent of the file name")
    version: Int = Field(ge=1, description="bump when the rule's meaning changes")
    clauses: list[str] = Field(min_length=1, description="guide clauses, e.g. 6.3 or 5.3a")
    severity: Severity
    title: Text
    rationale: Text | None = None
    thresholds: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")],
                     Annotated[str, Field(pattern=r"^(?:profile:[a-z][a-z0-9_]*|[A-Z][A-Za-z0-9.-]*)$")]] = Field(
        default_factory=dict, description="local name -> benchmark id in knowledge/benchmarks.yaml, or "
                                          "profile:<indicator> for the profile's benchmark of that indicator")
    disabled: Bool = False


class ExplainCase(_Model):
    """A sentence for one case of a verdict: used instead of the status's own when `when` holds of the
    subject (the first case that holds wins), e.g. a target met because it is achieved already
    rather than projected to be. A text choice only: the verdict is the check's."""

    status: Literal["met", "not_met", "not_applicable", "insufficient_data"]
    when: str = Field(description="condition over the subject's own fields (as in `applies`); a field "
                                  "left out makes a comparison on it false")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ComplianceExplain(_Model):
    met: Text
    not_met: Text | None = None
    insufficient_data: Text | None = None
    not_applicable: Text | None = None
    undefined: Text | None = Field(None, description="the indicator's base is zero, so it is undefined "
                                                     "(default: a generic sentence)")
    decided: Text | None = Field(None, description="not met by `decides` while the check's fields are unknown "
                                                   "(required with `decides`; may name {missing})")
    cases: list[ExplainCase] = Field(default_factory=list, description=(
        "sentences for cases of a verdict, each used instead of the status's own when its `when` holds "
        "of the subject; the first that holds wins"))


class ComplianceRule(_RuleBase):
    kind: Literal["compliance"]
    subject: PatternSpec = Field(description="the fact the verdict is about (alias: s)")
    applies: str | None = Field(None, description="and-chain over park.* and subject fields; "
                                                  "false -> not_applicable")
    requires: list[str] = Field(default_factory=list,
                                description="extra subject fields that must be reported")
    check: str = Field(description="what 'met' means, over the subject's fields")
    shows: list[str] = Field(default_factory=list, description=(
        "subject fields the finding's evidence shows though the verdict does not read them, reported or "
        "not (a target's `binding`, which the basic requirements read: engine/basic_requirements.yaml)"))
    scope: Bool = Field(False, description="a clause 1 scope rule: decided first; when its check fails the "
                                           "park is out of scope (verdict not_applicable, explained by "
                                           "explain.not_applicable) and no other rule runs")
    data_completeness: Bool = Field(False, description=(
        "the rule checks only that data the guide's analysis needs are reported or computable, and sets "
        "no requirement on the park itself: its verdicts are counted apart from the compliance rate "
        "(summary `data_checks`)"))
    legal_obligation: Bool = Field(False, description=(
        "an unmet verdict is an obligation of law not yet fulfilled (the enterprise's mandatory audit), "
        "not only a benchmark missed: the conclusion names it so; a measure with a `legal_basis` in "
        "knowledge/measures.yaml must answer the rule"))
    decides: str | None = Field(None, description=(
        "a condition over subject fields that, once they are reported and it holds, makes the verdict "
        "not_met while the check's own fields are still unknown: a verdict the known facts already decide "
        "(e.g. `upper < $full`: the highest value the reported facts allow is below the benchmark); "
        "only without subject `applies`"))
    explain: ComplianceExplain

    @model_validator(mode="after")
    def _decided_text(self):
        if (self.decides is None) != (self.explain.decided is None):
            raise ValueError("`decides` and explain.decided go together")
        return self

    @model_validator(mode="after")
    def _scope_texts(self):
        if self.scope and self.data_completeness:
            raise ValueError("a scope rule is not a data-completeness check")
        if self.scope and (self.explain.not_applicable is None or self.explain.not_met is not None):
            raise ValueError("a scope rule explains met (in scope) and not_applicable (out of scope), not not_met")
        if not self.scope and self.explain.not_met is None:
            raise ValueError("explain.not_met is required")
        return self


class ProblemRule(_RuleBase):
    kind: Literal["problem"]
    when: PatternSpec | None = Field(None, description="one fact")
    all: list[PatternSpec] | None = Field(None, min_length=2, description="a join of facts")
    restates: list[Annotated[str, Field(pattern=RULE_ID)]] = Field(
        default_factory=list,
        description="compliance rules whose not_met verdict this problem only restates: when both findings "
                    "exist on the same subject fact, the problem is folded into the verdict (`folded_into`)")
    explain: Text

    @model_validator(mode="after")
    def _one_shape(self):
        if (self.when is None) == (self.all is None):
            raise ValueError("a problem rule has exactly one of `when` (one fact) or `all` (a join)")
        return self


class MeasureRule(_RuleBase):
    kind: Literal["measure"]
    answers: list[Annotated[str, Field(pattern=RULE_ID)]] = Field(
        min_length=1, description="problem or compliance rules this measure answers")
    on: list[Literal["problem", "not_met", "not_applicable"]] = Field(
        default_factory=lambda: ["problem", "not_met"],
        description="statuses answered; not_applicable only for a scope rule's out-of-scope verdict")
    measure: str | None = Field(None, description="id in knowledge/measures.yaml")
    explain: Text


RuleFile = Annotated[Union[ComplianceRule, ProblemRule, MeasureRule], Field(discriminator="kind")]


class Exemption(_Model):
    clause: str
    reason: Text = Field(description="why no rule can check this clause from park facts")


class ExemptionsFile(_Model):
    exemptions: list[Exemption] = Field(default_factory=list)


class Expectation(_Model):
    status: Status
    count: Annotated[int, Strict(), Field(ge=1), BeforeValidator(whole)] | None = Field(
        None, description="how many findings with this status")
    explain_contains: str | None = Field(None, description="text the zh explanation must contain")
    explain_en_contains: str | None = None


class TestCase(_Model):
    name: str = Field(pattern=r"^(fires|silent)_[a-z0-9_]+$")
    facts: list[dict] = Field(min_length=1)
    expect: list[Expectation] = Field(default_factory=list)


class RuleTestFile(_Model):
    rule: str = Field(pattern=RULE_ID)
    profile: str = Field("default", description="benchmark profile the cases run under")
    cases: list[TestCase] = Field(min_length=2)
