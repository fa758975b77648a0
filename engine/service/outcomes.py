"""A worker's outcome as the problem it answers, and the per-request result budget: what the
assessment, batch, replay and what-if routes share."""
from __future__ import annotations

import logging

from .pool import WorkerTimeout
from .problems import ProblemError

__all__ = ["ResultBudget", "too_large", "outcome_error", "unavailable"]

log = logging.getLogger("greenpark.service")


class ResultBudget:
    """The bytes of results a request may still return; `take` is the worker pool's `reserve`."""

    def __init__(self, total: int):
        self.left = total

    def take(self, size: int) -> int | None:
        """Reserve `size` bytes: None if they fit, else the bytes that were left (nothing taken)."""
        if size > self.left:
            return self.left
        self.left -= size
        return None


def too_large(size: int, limit: int, why: str) -> ProblemError:
    """413 for a result over the request's budget (`Settings.max_result_bytes`)."""
    bound = "max_result_bytes (greenpark serve --max-result-bytes)"
    if why == "estimate":
        detail = (f"this park's result would take at least {size} bytes (from its years and enterprises); "
                  f"the limit of results per request is {limit} bytes, {bound}; it was not assessed")
    elif why == "left":
        detail = (f"this park's result takes {size} bytes, more than the {limit} bytes left of the "
                  f"request's result budget, {bound}; it was not logged: send it alone or in a smaller batch")
    else:
        detail = (f"this park's result takes {size} bytes; the limit of results per request is {limit} bytes, "
                  f"{bound}; it was not logged")
    return ProblemError(413, "result-too-large", detail)


def outcome_error(outcome: tuple) -> ProblemError:
    """The problem of a worker outcome other than ok."""
    kind = outcome[0]
    if kind == "bad_json":
        return ProblemError(400, "malformed-json", outcome[1])
    if kind == "input":
        errors = [{"path": p["path"], "message": p["message"]} for p in outcome[2]]
        return ProblemError(422, "validation", outcome[1], errors=errors)
    if kind == "not_found":
        return ProblemError(404, "ruleset-not-found", outcome[1])
    if kind == "log_failed":
        log.error("could not write a decision record: %s", outcome[1])
        return ProblemError(503, "decision-log-unavailable", "the decision could not be recorded; please retry",
                            headers={"Retry-After": "1"})
    if kind == "evaluation":
        return ProblemError(422, "evaluation-failed", f"the rule engine could not evaluate these facts: {outcome[1]}")
    if kind == "too_large":
        return too_large(*outcome[1:])
    return ProblemError(500, "internal", "the assessment failed unexpectedly; it was logged")


def unavailable(exc: Exception) -> ProblemError:
    """A lost or overrun worker, or a full pool: 503 with Retry-After."""
    return ProblemError(503, "timeout" if isinstance(exc, WorkerTimeout) else "worker-unavailable",
                        f"{exc}; the service replaced the worker - please retry", headers={"Retry-After": "1"})
