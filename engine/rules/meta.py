"""What findings need to know about a compiled DSL rule: `RuleMeta`, its bound thresholds and gap.

Plain frozen dataclasses, in a module of their own so that a process taking its compiled ruleset
from the cache (engine.rules.cache) unpickles them without importing the compiler, its grammar and
the rule-file models (issue #13). `engine.rules.compiler` builds them and re-exports them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from ..text import Text
from . import ir

__all__ = ["RuleMeta", "BoundThreshold", "Gap"]


@dataclass(frozen=True)
class BoundThreshold:
    """A `$name` of a rule, resolved to a knowledge benchmark."""

    name: str
    benchmark: str
    value: float | bool
    unit: str | None
    framework: str
    source: str
    verification: str
    title: Text
    slot: str | None = None      # the indicator, when bound as profile:<indicator>
    operator: str | None = None


@dataclass(frozen=True)
class Gap:
    """The field-vs-threshold comparison whose distance an explanation quantifies as {gap}."""

    alias: str
    field: str
    threshold: str


@dataclass(frozen=True)
class RuleMeta:
    """What findings need to know about a DSL rule."""

    id: str
    version: int
    kind: str
    pack: str
    pack_version: str
    file: str
    clauses: tuple[str, ...]
    severity: str
    title: Text
    explain: dict[str, Text]
    thresholds: dict[str, BoundThreshold]
    aliases: dict[str, str]
    evidence: dict[str, tuple[str, ...]]       # alias -> fields the rule read
    gap: Gap | None = None
    answers: tuple[str, ...] = ()
    measure: str | None = None
    subject: str | None = None
    applies_park_fields: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    rationale: Text | None = None
    engine_rules: dict[str, str] = field(default_factory=dict)   # engine rule id -> status
    scope: bool = False
    restates: tuple[str, ...] = ()      # problem: compliance rules whose not_met verdict it only restates
    data_completeness: bool = False     # compliance: checks that data are reported, counted apart from the rate
    # compliance: (status, condition on the subject, text) - a sentence used instead of
    # explain[status] when its condition holds of the subject, the first that holds (explain.cases)
    explain_cases: tuple[tuple[str, ir.Cond, Text], ...] = ()
    shows: tuple[str, ...] = ()         # compliance: subject fields in the evidence the verdict does not read
    legal_obligation: bool = False      # compliance: an unmet verdict is an obligation of law not fulfilled

    def sentence(self, status: str, subject: dict) -> Text:
        """The explanation of verdict `status` on `subject` (its engine fact): the first of
        `explain_cases` for the status whose condition holds of it, else the status's own."""
        for st, cond, text in self.explain_cases:
            if st == status and ir.holds(cond, subject):
                return text
        return self.explain[status]
