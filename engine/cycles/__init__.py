"""The PDCA loop across cycles (guide 4.2): assessments of the same park compared over time.

    diff.py       diff_results(before, after): findings new, resolved, persisting, regressed, ...,
                  with the indicator movement behind each
    replay.py     latest_decisions, replay_decisions, portfolio_report: stored decisions re-assessed
                  under another ruleset version, the findings that appear, disappear or change, per
                  park and over the portfolio
    lifecycle.py  lifecycle(cycles): each finding's state per cycle (open, measure_planned,
                  implemented, verified_closed, regression) from the verdicts and the plan tasks
                  that answer them
    history.py    park_history(park_id, decisions, knowledge): a park's logged decisions, oldest
                  first, with summaries, key indicators and the lifecycle of its findings
"""
from __future__ import annotations

from .diff import ParkMismatch, diff_results
from .history import park_history
from .lifecycle import lifecycle

__all__ = ["diff_results", "ParkMismatch", "lifecycle", "park_history"]
