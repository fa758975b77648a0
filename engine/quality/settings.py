"""The tolerances of the data-quality checks: named engineering settings, not standard values.

No standard says how large a year-on-year change is suspicious or how far a part may exceed its
whole through rounding; these are judgements about when a reviewer should look again, chosen so
that the usual slips of a statistical table (a share typed as a fraction, 万t read as t, a total
that does not add up) are caught and ordinary data is left alone. docs/data-quality.md gives the
reason for each default. Every warning names the setting it used and its value, so a result
states the tolerance it was read with.

Override them with a YAML (or JSON) file of `name: value` pairs - the Python API takes
`QualitySettings` or `load_settings(path)`; the CLI and the service read the file named by the
environment variable `GREENPARK_QUALITY_SETTINGS` (`settings_from_env`):

    yoy_jump_factor: 8          # only a change of more than 8x in a year is flagged
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..sourcefile import load_document

__all__ = ["QualitySettings", "load_settings", "settings_from_env", "ENV_VAR", "DEFAULTS"]

ENV_VAR = "GREENPARK_QUALITY_SETTINGS"


@dataclass(frozen=True)
class QualitySettings:
    """Tolerances of the data-quality checks (docs/data-quality.md).

    Args:
        yoy_jump_factor (float): a quantity that grows or shrinks by more than this factor from
            one data year to the next is flagged. Default 5.
        fraction_share_max (float): a percentage (0-100) above 0 and at most this is flagged as
            probably typed as a fraction (0.78 for 78 %). Default 1.
        part_whole_tolerance (float): a part may exceed its whole by this share of the whole
            (rounding in the tables) before it is flagged. Default 0.01 (1 %).
        reported_total_tolerance (float): the park's own energy total may differ from the sum of
            its carriers by this share before it is flagged. Default 0.1 (10 %).
    """

    yoy_jump_factor: float = 5.0
    fraction_share_max: float = 1.0
    part_whole_tolerance: float = 0.01
    reported_total_tolerance: float = 0.1

    def with_changes(self, changes: dict[str, Any], *, file: str | None = None,
                     where=None) -> "QualitySettings":
        """A copy with `changes` (name -> number) applied.

        Raises:
            InputError: an unknown name (with the nearest known one) or a value out of range;
                `where(name)` gives (line, column) for the problem when the changes come from a file.
        """
        problems, ok = [], {}
        for name, value in changes.items():
            line, col = where(name) if where else (None, None)
            spec = _LIMITS.get(name)
            if spec is None:
                hint = difflib.get_close_matches(str(name), list(_LIMITS), n=1)
                problems.append(Problem(f"unknown data-quality setting {name!r}" + (
                    f" (did you mean {hint[0]!r}?)" if hint else f" (known: {', '.join(_LIMITS)})"),
                    file=file, line=line, column=col, path=str(name)))
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not spec[0](value):
                problems.append(Problem(f"must be {spec[1]} (got {value!r})", file=file, line=line, column=col,
                                        path=str(name)))
            else:
                ok[name] = float(value)
        if problems:
            raise InputError(f"{len(problems)} problem(s) in data-quality settings", problems)
        return replace(self, **ok)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_LIMITS = {
    "yoy_jump_factor": (lambda v: v > 1, "a number above 1"),
    "fraction_share_max": (lambda v: 0 <= v < 100, "a number from 0 up to (not including) 100"),
    "part_whole_tolerance": (lambda v: 0 <= v < 1, "a share from 0 up to (not including) 1"),
    "reported_total_tolerance": (lambda v: 0 <= v < 1, "a share from 0 up to (not including) 1"),
}
DEFAULTS = QualitySettings()


def load_settings(path: str | Path) -> QualitySettings:
    """The defaults with the overrides of a settings file (`name: value` per line).

    Raises:
        InputError: unreadable or malformed file, not a mapping, unknown name or bad value, each
            naming the file and line.
    """
    doc = load_document(path)
    if doc.data is None:
        return DEFAULTS
    if not isinstance(doc.data, dict):
        raise InputError("bad data-quality settings", [Problem("the settings must be a mapping of name: value",
                                                               file=doc.file, line=1)])
    return DEFAULTS.with_changes(doc.data, file=doc.file, where=lambda name: doc.locate((name,)))


def settings_from_env() -> QualitySettings:
    """The settings named by `GREENPARK_QUALITY_SETTINGS` (a file path), else the defaults.

    Raises:
        InputError: as `load_settings`.
    """
    path = os.environ.get(ENV_VAR)
    return load_settings(path) if path else DEFAULTS
