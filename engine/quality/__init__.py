"""Data-quality warnings: what an expert reviewer of a park's statistical tables (统计报表) would
query before trusting a verdict - and nothing more. They never change a verdict.

    >>> warnings = check_quality(park, knowledge)            # doctest: +SKIP
    >>> warnings[0]["code"], warnings[0]["path"]             # doctest: +SKIP
    ('share_as_fraction', 'years[year=2024].air_quality_good_days')

Each warning is `{code, path, value, message: {zh, en}, check: {zh, en}, setting: {name, value} |
None}`: `path` is written as overrides read it (`years[year=2024].energy.coal`), `check` says what
to verify, and `setting` names the tolerance that raised it (docs/data-quality.md). `Assessor.assess`
puts the list under `result["data_quality"]`, apart from the findings.

The checks sit with validation (facts -> validation -> derived indicators -> rules): they read the
park facts and the knowledge base and import nothing above them. The one derived number they
compare with - the park's energy total from its carriers - is handed in by the caller
(`energy_totals`), which has computed it anyway.

    settings.py   the named tolerances, their defaults and how to override them
    fields.py     which fields are percentages and quantities (from the park model), paths, words
    checks.py     the checks
"""
from __future__ import annotations

from typing import Any

from ..facts.models import Park
from .checks import (energy_total_mismatch, grid_factor_years, parts_over_wholes, shares_as_fractions,
                     task_progress, year_gaps, year_on_year_jumps)
from .settings import DEFAULTS, ENV_VAR, QualitySettings, load_settings, settings_from_env

__all__ = ["check_quality", "QualitySettings", "load_settings", "settings_from_env", "DEFAULTS", "ENV_VAR",
           "CODES"]

CODES = ("share_as_fraction", "year_on_year_jump", "part_exceeds_whole", "energy_total_mismatch",
         "grid_factor_year_missing", "grid_factor_undated", "year_missing", "task_done_incomplete")


def check_quality(park: Park, knowledge: Any = None, settings: QualitySettings | None = None, *,
                  energy_totals: dict[int, float] | None = None) -> list[dict]:
    """Every data-quality warning for `park`, in a fixed order (by check, then by place in the file).

    Args:
        park: validated park facts.
        knowledge: the ruleset's `Knowledge`, for the grid-factor years; None skips that check.
        settings: the tolerances; default `DEFAULTS`.
        energy_totals: data year -> the park's energy total from its carriers (tce), where known;
            used to check the park's own total and, when it gives none, the enterprises' sum.

    Returns:
        A list of warnings (empty when there is nothing to query).
    """
    s = settings or DEFAULTS
    totals = energy_totals or {}
    out = [*shares_as_fractions(park, s), *year_on_year_jumps(park, s), *parts_over_wholes(park, s, totals),
           *energy_total_mismatch(park, s, totals), *year_gaps(park), *task_progress(park)]
    if knowledge is not None:
        out += grid_factor_years(park, knowledge)
    return out
