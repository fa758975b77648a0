"""What the service's routers share: the language and decision-id parameters, the problem+json
responses a route documents, and the visibility rule of logged decisions."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import Path as PathParam, Request

from . import schemas
from .auth import Caller
from .decisions import Decision
from .problems import ProblemError

__all__ = ["Lang", "DecisionIdP", "problem_responses", "visible_decision"]


class Lang(str, Enum):
    zh = "zh"
    en = "en"


DecisionIdP = Annotated[str, PathParam(max_length=64, description="a decision_id",
                                       examples=["d_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b"])]


def problem_responses(*codes: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """Problem+json responses for `codes`; `described` gives some a description (`_413="..."`)."""
    out: dict[int | str, dict[str, Any]] = {}
    for c in codes:
        out[c] = {"model": schemas.Problem, "content": {"application/problem+json": {}}}
        if f"_{c}" in described:
            out[c]["description"] = described[f"_{c}"]
    return out


def visible_decision(request: Request, caller: Caller, decision_id: str) -> Decision:
    """The logged decision if this caller may see it (regulators: all; others: their own), else 404
    (so another caller's ids do not leak)."""
    d = request.app.state.log.get(decision_id)
    if d is None or not (caller.sees_all or d.key_id == caller.key_id):
        raise ProblemError(404, "decision-not-found", f"no decision {decision_id!r}")
    return d
