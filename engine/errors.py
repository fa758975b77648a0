"""Every error greenpark raises, under one root.

    GreenparkError
    ├── InputError              bad park facts: malformed YAML/JSON, wrong unit, out-of-range value,
    │   │                       unknown field, duplicate key, input over a size or nesting limit
    │   │                       (one `Problem` per location)
    │   ├── MalformedInput      the text is not YAML/JSON at all (a syntax error, not UTF-8); the
    │   │                       service answers 400 for it and 422 for the other InputErrors
    │   └── InputTooLarge       a workbook over a bound on what it costs to read (unpacked bytes,
    │                           rows of a sheet, cells): the service answers 413, like a body
    │                           over its size limit
    ├── KnowledgeError          a knowledge/ file is malformed or cites an unknown source
    ├── RulePackError           a rule pack fails to load: DSL, grammar, clause, threshold, limit
    ├── RulesetNotFound         an assessment asked for a ruleset version that is not loaded
    ├── EvaluationError         the rule engine failed while evaluating (durable-rules error
    │                           translated at the adapter boundary, original chained)
    └── RendererUnavailable     a report format needs a tool this machine lacks or that failed:
                                headless chromium or the CJK font for PDF (the CLI exits 2, the
                                service answers 503)

Errors that come from files carry a list of `Problem`s, each naming the file, the line and column
where known, and the field path, so the CLI can print one line per problem and exit 2.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "GreenparkError",
    "InputError",
    "MalformedInput",
    "InputTooLarge",
    "KnowledgeError",
    "RulePackError",
    "RulesetNotFound",
    "EvaluationError",
    "RendererUnavailable",
    "Problem",
]


@dataclass(frozen=True)
class Problem:
    """One located complaint: `file:line:col: path: message`."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        path = f"{self.path}: " if self.path else ""
        return f"{where}{path}{self.message}"


class GreenparkError(Exception):
    """Root of every greenpark error."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems: list[Problem] = list(problems or [])
        super().__init__(message)

    def lines(self) -> list[str]:
        """One line per problem (or the message alone), ready to print."""
        if not self.problems:
            return [str(self)]
        return [str(p) for p in self.problems]


class InputError(GreenparkError):
    """Park facts that cannot be accepted."""


class MalformedInput(InputError):
    """Text that does not parse as YAML/JSON (or is not UTF-8): a syntax error, located."""


class InputTooLarge(InputError):
    """Input over a bound on what it may cost to read, refused before (or while) it is read.

    Attributes:
        what: what was measured: "unpacked" (bytes a workbook unpacks to), "rows" (of one sheet)
            or "cells" (of the whole workbook).
        size: the measured size (for rows and cells: how many were read when reading stopped).
        limit: the bound it is over.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None, *, what: str = "",
                 size: int = 0, limit: int = 0):
        super().__init__(message, problems)
        self.what, self.size, self.limit = what, size, limit


class KnowledgeError(GreenparkError):
    """A knowledge file that cannot be loaded."""


class RulePackError(GreenparkError):
    """A rule pack that cannot be compiled; the pack is rejected as a whole."""


class RulesetNotFound(GreenparkError):
    """The requested ruleset version is not loaded."""


class EvaluationError(GreenparkError):
    """The rule engine failed during an evaluation."""


class RendererUnavailable(GreenparkError):
    """A report cannot be rendered here: chromium or the CJK font is missing, or chromium failed."""
