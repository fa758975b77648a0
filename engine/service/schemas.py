"""Response models: they document the contract in /openapi.json (handlers send ready-made bytes)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .result_models import AssessmentResult, Bilingual

__all__ = ["Problem", "FieldError", "AssessmentResult", "ResultSummary", "DecisionSummary", "DecisionPage", "BatchItem",
           "BatchResponse", "RulesetSummary", "RulesetList", "RulesetDetail", "RuleInfo", "ClauseList",
           "MeasureList", "Health"]


class FieldError(BaseModel):
    """One bad field: its path in the body, what is wrong, and for a YAML or workbook body where it is."""

    path: str = Field(description="field path in the body, e.g. `years[2].energy.coal` ('' for the whole body)",
                      examples=["years[0].energy.coal"])
    message: str = Field(examples=["must be >= 0 (got '-5 t')"])
    line: int | None = Field(default=None, description="YAML bodies: the line (1-based) of the value")
    column: int | None = Field(default=None, description="YAML bodies: the column (1-based) of the value")
    cell: str | None = Field(default=None, description="workbook bodies: the sheet and cell of the value",
                             examples=["企业!F12"])


class Problem(BaseModel):
    """RFC 9457 problem details, served as `application/problem+json`: `type` names the kind of
    problem (`.../problems/validation`, `.../ruleset-not-found`, `.../result-too-large`, ...),
    `errors` lists every bad field of a 422 (and the parks of a batch's 413)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "https://greenpark.example/problems/validation", "title": "Unprocessable content", "status": 422,
        "detail": "1 problem(s) in park facts", "instance": "/v1/assessments",
        "errors": [{"path": "years[0].energy.coal", "message": "must be >= 0 (got '-5 t')"}]}]})
    type: str = Field(description="URI of the problem type", examples=["https://greenpark.example/problems/validation"])
    title: str = Field(examples=["Unprocessable content"])
    status: int = Field(description="the HTTP status", examples=[422])
    detail: str = Field(examples=["1 problem(s) in park facts"])
    instance: str = Field(description="the request path (a batch slot: `...#parks[i]`)", examples=["/v1/assessments"])
    errors: list[FieldError] | None = Field(default=None, description="validation problems: every bad field")


class DecisionRuleset(BaseModel):
    version: str
    versions: dict[str, str]
    digest: str


class ResultSummary(BaseModel):
    """What a decision list shows of the result (`engine/service/decisions.py` `list_summary`);
    null: the result does not carry it (unknown, not 0)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "profile": "default", "year": 2024, "in_scope": True, "compliance_rate": 44.1, "decided": 68, "met": 30,
        "not_met": 38, "undecided": 12, "problems": 35, "measures": 41, "data_quality": 0,
        "conclusion": {"zh": "园区属于指南适用范围；……", "en": "The park is within the guide's scope; ..."}}]})
    profile: str | None = Field(description="the benchmark profile")
    year: int | None = Field(description="the latest data year")
    in_scope: bool | None = Field(description="clause 1: the guide applies")
    compliance_rate: float | None = Field(description="met / decided x 100, the data-completeness checks left "
                                                      "out; null when none decided")
    decided: int | None
    met: int | None = Field(description="compliance verdicts met, the data-completeness checks left out")
    not_met: int | None = Field(description="compliance verdicts not met, the data-completeness checks left out")
    undecided: int | None = Field(description="compliance verdicts with insufficient data")
    problems: int | None = Field(description="problems diagnosed (not those folded into another finding)")
    measures: int | None
    data_quality: int | None = Field(description="data-quality warnings (null: logged before they existed)")
    conclusion: Bilingual | None = Field(description="the clause 7.2 conclusion")


class DecisionSummary(BaseModel):
    decision_id: str
    created_at: str
    key_id: str | None
    park_id: str
    input_digest: str
    ruleset: DecisionRuleset
    summary: ResultSummary | None = Field(description="the result in figures; null if it cannot be read")


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
