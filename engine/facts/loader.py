"""Load park facts from a file or a dict, with errors that point at the line.

    >>> park = load_park("examples/typical_municipal_park.yaml")   # doctest: +SKIP

Every pydantic error becomes one `Problem` naming file, line, column and field path, e.g.
`park.yaml:41:13: years[2].energy.coal: must be >= 0 (got -5.0)`.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputError, Problem
from .models import Park
from ..sourcefile import Document, load_document, parse_document

__all__ = ["load_park", "load_park_document", "parse_park", "park_from_data", "validation_problems", "relocate"]


def load_park(path: str | Path) -> Park:
    """Read and validate a park file (YAML, or JSON by suffix).

    Raises:
        InputError: unreadable, malformed or invalid; one problem per bad field.
    """
    return load_park_document(path)[0]


def load_park_document(path: str | Path) -> tuple[Park, Document]:
    """Like `load_park`, also returning the document, to locate later complaints (`relocate`).

    A workbook (.xlsx/.xlsm) or a folder of CSV files is read by `engine.intake` (sheet!cell)."""
    from ..intake import is_sheet_input
    if is_sheet_input(path):
        from ..intake import load_sheets_park
        return load_sheets_park(path)
    doc = load_document(path)
    return _validate(doc), doc


def relocate(exc: InputError, doc: Document) -> InputError:
    """Give problems that only know a field path the file, line and column from `doc`."""
    for i, p in enumerate(exc.problems):
        if p.file is None and p.path:
            path = tuple(int(x) if x.isdigit() else x for x in
                         p.path.replace("[", ".").replace("]", "").split("."))
            exc.problems[i] = doc.problem(path, p.message)
    return exc


def parse_park(text: str, file: str = "<input>", *, json_syntax: bool | None = None) -> Park:
    """Validate park facts given as YAML/JSON text."""
    return _validate(parse_document(text, file, json_syntax=json_syntax))


def park_from_data(data: Any, file: str = "<input>") -> Park:
    """Validate park facts already parsed into Python data (e.g. an HTTP body)."""
    return _validate(Document(data=data, file=file))


def _validate(doc: Document) -> Park:
    if not isinstance(doc.data, dict):
        raise InputError("park facts must be a mapping",
                         [Problem("park facts must be a mapping at the top level", file=doc.file, line=1)])
    try:
        return Park.model_validate(doc.data)
    except ValidationError as exc:
        problems = validation_problems(exc, doc, Park)
        raise InputError(f"{len(problems)} problem(s) in park facts", problems) from None


def validation_problems(exc: ValidationError, doc: Document, root: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into located, human-worded problems."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        loc = _without_tags(loc, doc.data)
        problems.append(doc.problem(loc, _wording(err, loc, root)))
    return problems


def _without_tags(loc: tuple, data: Any) -> tuple:
    """A tagged union puts the tag that chose the model (a rule's `kind: compliance`) into the
    error's path, where the file has no such key: `compliance.scope` is the file's `scope`."""
    out, here = [], data
    for part in loc:
        if isinstance(here, dict) and isinstance(part, str) and part not in here and part in here.values():
            continue
        out.append(part)
        if isinstance(here, dict):
            here = here.get(part)
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        else:
            here = None
    return tuple(out)


def _wording(err: dict, loc: tuple, root: type[BaseModel]) -> str:
    kind, given = err["type"], err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        known = _fields_at(root, loc[:-1])
        hint = difflib.get_close_matches(name, known, n=1)
        return f"unknown field {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else
                                             f" (known: {', '.join(sorted(known))})" if known else "")
    if kind == "missing":
        return "required field is missing"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be {'>=' if kind.endswith('equal') else '>'} {ctx.get('ge', ctx.get('gt'))} (got {given!r})"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        what = "a percentage must be 0-100" if bound == 100 else f"must be <= {bound}"
        return f"{what} (got {given!r})"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "enum":
        return f"{given!r} is not one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"{given!r} does not match the expected form {ctx.get('pattern')}"
    return f"{err['msg']} (got {given!r})" if given is not None and not isinstance(given, (dict, list)) else err["msg"]


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model found by walking `loc` from `model` (best effort)."""
    import typing
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = _model_in(field.annotation, typing)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation, typing) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg, typing)
        if found is not None:
            return found
    return None
