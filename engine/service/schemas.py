"""Response models: they document the contract in /openapi.json (handlers send ready-made bytes)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Problem", "FieldError", "AssessmentResult", "DecisionSummary", "DecisionPage", "BatchItem",
           "BatchResponse", "RulesetSummary", "RulesetList", "RulesetDetail", "RuleInfo", "ClauseList",
           "MeasureList", "Health"]


class FieldError(BaseModel):
    path: str = Field(description="field path in the park facts, e.g. `years[2].energy.coal`", examples=["years[0].energy.coal"])
    message: str = Field(examples=["must be >= 0 (got '-5 t')"])


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field(examples=["https://greenpark.example/problems/validation"])
    title: str = Field(examples=["Unprocessable content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["1 problem(s) in park facts"])
    instance: str = Field(examples=["/v1/assessments"])
    errors: list[FieldError] | None = None


class RulesetRef(BaseModel):
    name: str
    versions: dict[str, str]
    digest: str
    knowledge_digest: str


class AssessmentResult(BaseModel):
    """The assessment result of `greenpark assess -f json`, plus the `decision_id` it was logged under."""

    model_config = ConfigDict(extra="allow")
    decision_id: str = Field(examples=["d_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b"])
    format: int
    park_id: str
    park_name: str
    ruleset: RulesetRef
    input_digest: str = Field(description="sha256 of the validated park facts")
    year: int | None
    scope: dict[str, Any] = Field(description="clause 1: in_scope, and the scope finding(s)")
    accounting: dict[str, Any] = Field(description="the accounting choices the result rests on, with sources")
    derived: dict[str, Any] = Field(description="year -> indicator -> value, formula, inputs, factors, missing")
    ghg_inventory: list[dict[str, Any]]
    summary: dict[str, Any]
    inactive: list[dict[str, Any]] = Field(description="rules the profile does not apply, with the reason")
    findings: list[dict[str, Any]]


class DecisionRuleset(BaseModel):
    version: str
    versions: dict[str, str]
    digest: str


class DecisionSummary(BaseModel):
    decision_id: str
    created_at: str
    key_id: str | None
    park_id: str
    input_digest: str
    ruleset: DecisionRuleset


class DecisionPage(BaseModel):
    items: list[DecisionSummary]
    total: int
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page, null on the last")


class ReplayRuleset(BaseModel):
    version: str = Field(description="the ruleset version the decision was made with, used again")
    profile: str | None = Field(description="the benchmark profile the decision was made with, used again")
    digest_then: str = Field(description="digest of that version's rules and knowledge when the decision was made")
    digest_now: str = Field(description="digest of that version on this server now")


class Replay(BaseModel):
    decision_id: str
    reproduced: bool = Field(description="the new result is identical to the stored one (apart from decision_id)")
    ruleset: ReplayRuleset
    differences: list[str] = Field(description="JSON paths where the results differ (at most 50), "
                                               "e.g. `findings[3].status`", examples=[[]])


class BatchItem(BaseModel):
    index: int
    status: int = Field(description="the HTTP status this park alone would have got")
    result: AssessmentResult | None = None
    problem: Problem | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]


class RulesetSummary(BaseModel):
    version: str
    name: str
    digest: str
    knowledge_digest: str
    packs: dict[str, str]
    rules: int
    engine_rules: int


class RulesetList(BaseModel):
    default: str
    rulesets: list[RulesetSummary]


class RuleInfo(BaseModel):
    id: str
    version: int
    pack: str
    pack_version: str
    kind: str
    clauses: list[str]
    severity: str
    title: dict[str, str]
    answers: list[str]
    measure: str | None


class RulesetDetail(RulesetSummary):
    rules: list[RuleInfo]  # type: ignore[assignment]


class ClauseList(BaseModel):
    ruleset: str
    clauses: list[dict[str, Any]]


class MeasureList(BaseModel):
    ruleset: str
    measures: list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    workers_ready: int | None = None
    database: str | None = None
