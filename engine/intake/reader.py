"""Workbook or CSV grids -> park data, every value remembering its `sheet!cell`.

The reader finds columns by the field paths written in the sheets (column B of record and
year sheets, row 2 of tables), so moved rows and columns still read. It collects every problem
- a path it does not know, a number that is text, a flag that is neither 是 nor 否, a quantity
without unit - and then validates the park with the same model and wording as a YAML file;
each problem names `file:sheet!cell` and the field path, and all of them are reported at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, Problem
from ..sourcefile import Document, format_path
from .grid import UNIT_SUFFIX
from .labels import BOOL_WORDS, CHOICE_WORDS, FIELD_WORDS, NONE_WORDS, SHEET_WORDS
from .layout import Column, Sheet, sheet_by_title, workbook_layout

__all__ = ["VALUE_COLUMN", "Grid", "SheetDocument", "read_grids"]

VALUE_COLUMN = 5                    # E: the first value column of record and year sheets
_TRUE = {"是", "true", "yes", "y", "有", "√", "✓", "1"}
_FALSE = {"否", "false", "no", "n", "无", "×", "0"}
_SEP = re.compile(r"[,，、;；\s]+")
_IGNORED = {w.lower() for w in SHEET_WORDS["instructions"]} | {"_lists"}
_NONE = {w.lower() for w in NONE_WORDS.values()}


@dataclass
class Grid:
    """One sheet's cells: rows of values, and the number format of each cell where known."""

    title: str
    rows: list[list[Any]]
    formats: list[list[str]] | None = None
    suffix: str = ""                # ".csv" for a CSV file: `file` is then the CSV file itself
    file: str | None = None         # where the grid came from (set by read_grids when not given)

    def fmt(self, r: int, c: int) -> str:
        try:
            return self.formats[r - 1][c - 1] if self.formats else ""
        except IndexError:
            return ""

    def cell(self, r: int, c: int) -> Any:
        try:
            value = self.rows[r - 1][c - 1]
        except IndexError:
            return None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def name(self, r: int, c: int) -> str:
        return f"{self.title}{self.suffix}!{_letter(c)}{r}"

    def where(self, r: int | None = None, c: int | None = None) -> str:
        """`park.xlsx:企业!F12`, or `folder/企业.csv!F12` for a CSV file (r, c None: the sheet)."""
        sheet = self.file if self.suffix else f"{self.file}:{self.title}"
        return sheet if r is None else f"{sheet}!{_letter(c)}{r}"


def _letter(c: int) -> str:
    out = ""
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class SheetDocument(Document):
    """Park data read from sheets: a field path is located as `file:sheet!cell`."""

    cells: dict[tuple, str] = field(default_factory=dict)

    def problem(self, path, message: str) -> Problem:
        p = tuple(path)
        while p and p not in self.cells:
            p = p[:-1]
        return Problem(message, file=self.cells.get(p) or self.file, path=format_path(path) or None)


class _Reader:
    def __init__(self, file: str, layout: tuple[Sheet, ...]):
        self.doc = SheetDocument(data={}, file=file)
        self.problems: list[Problem] = []
        self.layout = layout

    def complain(self, grid: Grid, r: int, c: int, path: tuple, message: str) -> None:
        self.problems.append(Problem(message, file=grid.where(r, c),
                                     path=format_path(path) or None))

    def put(self, path: tuple, value: Any) -> None:
        """Set the park data at `path` (keys only: a sheet's path, or a record's field)."""
        _nest(self.doc.data, path, value)

    def convert(self, grid: Grid, r: int, c: int, column: Column, path: tuple, unit: Any) -> Any:
        """The value of one cell for `column`, or None (blank, or a problem was recorded)."""
        raw = grid.cell(r, c)
        if raw is None:
            return None
        kind = column.kind
        if kind == "quantity":
            if isinstance(raw, str) and not _is_number(raw):
                return raw                        # "31000 t": its own unit; the model reads it
            number = _number(raw)
            if number is None:
                self.complain(grid, r, c, path, f"must be a number, not {raw!r}")
                return None
            if unit is None:
                self.complain(grid, r, c, path, f"no unit for {raw!r}: write one of {', '.join(column.units)} "
                                                f"in the unit cell")
                return None
            return f"{number!r} {str(unit).strip()}"     # repr: the float reads back exactly
        if kind in ("number", "integer", "percent"):
            if kind == "percent" and isinstance(raw, str) and raw.endswith(("%", "％")):
                raw = raw[:-1]                    # "78%" typed as text is 78
            number = _number(raw)
            if number is None:
                self.complain(grid, r, c, path, f"must be a number, not {raw!r}")
                return None
            if kind == "percent" and "%" in grid.fmt(r, c) and not isinstance(raw, str):
                number = round(number * 100, 10)   # a cell formatted 78% holds 0.78
            return number
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
            self.complain(grid, r, c, path, f"must be {' or '.join(BOOL_WORDS['zh'])} "
                                            f"({' or '.join(BOOL_WORDS['en'])}), not {raw!r}")
            return None
        if kind == "choice":
            value = _choice(column, str(raw))
            if value is None:
                self.complain(grid, r, c, path, f"{raw!r} is not one of "
                              f"{', '.join(_words(column))}")
            return value
        if kind == "list":
            items = [p for p in _SEP.split(str(raw)) if p]
            if column.choices:
                mapped = [_choice(column, p) for p in items]
                bad = [p for p, m in zip(items, mapped) if m is None]
                if bad:
                    self.complain(grid, r, c, path, f"{bad[0]!r} is not one of {', '.join(column.choices)}")
                    return None
                return mapped
            return items
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw) if not isinstance(raw, str) else raw

    # -- shapes --------------------------------------------------------------------------------
    def header_row(self, grid: Grid, sheet: Sheet) -> int:
        """2 when row 2 holds field paths (the workbook's own layout), else 1 (paths or labels in row 1)."""
        paths = {c.dotted for c in sheet.columns} | {c.dotted + UNIT_SUFFIX for c in sheet.columns}
        if len(grid.rows) > 1 and any(str(v).strip() in paths for v in grid.rows[1] if v is not None):
            return 2
        return 1

    def record(self, grid: Grid, sheet: Sheet) -> None:
        by_path = {".".join(sheet.path + c.path): (c, sheet.path + c.path) for c in sheet.columns}
        by_path |= {c.dotted: (c, c.path) for c in sheet.root_columns}
        for r, found in self.field_rows(grid, sheet, by_path):
            column, path = found
            self.doc.cells[path] = grid.where(r, VALUE_COLUMN)
            value = self.convert(grid, r, VALUE_COLUMN, column, path, grid.cell(r, 3))
            if value is not None:
                self.put(path, value)

    def field_rows(self, grid: Grid, sheet: Sheet, by_path: dict) -> list[tuple[int, tuple[Column, tuple]]]:
        """(row, (column, path)) of each row naming a field in column B; a field named twice is a problem."""
        rows, first = [], {}
        for r in range(2, len(grid.rows) + 1):
            found = self.row_field(grid, sheet, r, by_path)
            if found is None:
                continue
            key = ".".join(found[1])
            if key in first:
                self.complain(grid, r, 2, sheet.path, f"field {key!r} appears twice (first in row {first[key]})")
                continue
            first[key] = r
            rows.append((r, found))
        return rows

    def row_field(self, grid: Grid, sheet: Sheet, r: int, by_path: dict):
        key = grid.cell(r, 2)
        if key is None:
            if any(grid.cell(r, c) is not None for c in range(VALUE_COLUMN, len(grid.rows[r - 1]) + 1)):
                self.complain(grid, r, 2, sheet.path, "a value without a field path in column B")
            return None
        key = str(key)
        found = by_path.get(key) or by_path.get(".".join(sheet.path + (key,)))
        if found is None:
            self.complain(grid, r, 2, sheet.path, f"unknown field {key!r} on this sheet")
        return found

    def columns(self, grid: Grid, sheet: Sheet) -> None:
        rows = self.field_rows(grid, sheet, {c.dotted: (c, c.path) for c in sheet.columns})
        width = max((len(row) for row in grid.rows), default=0)
        used = [c for c in range(VALUE_COLUMN, width + 1) if any(grid.cell(r, c) is not None for r, _ in rows)]
        items = []
        for i, c in enumerate(used):
            base = sheet.path + (i,)
            self.doc.cells[base] = grid.where(1, c)
            item = {}
            for r, (column, path) in rows:
                self.doc.cells[base + path] = grid.where(r, c)
                value = self.convert(grid, r, c, column, base + path, grid.cell(r, 3))
                if column is sheet.columns[0]:
                    self.doc.cells[base] = grid.where(r, c)     # a year's own problems: at its year
                if value is not None:
                    _nest(item, path, value)
            items.append(item)
        if items:
            self.put(sheet.path, items)

    def table(self, grid: Grid, sheet: Sheet) -> None:
        header = self.header_row(grid, sheet)
        by_path = {c.dotted: c for c in sheet.columns}
        by_label = {_bare(c.label(lang)): c for lang in ("en", "zh") for c in sheet.columns}
        by_label |= {_bare(re.split(r"[（(]", c.label(lang))[0]): c for lang in ("en", "zh") for c in sheet.columns
                     if _bare(re.split(r"[（(]", c.label(lang))[0]) not in by_label}   # 行业代码 for 行业代码（GB/T 4754）
        unit_words = {_bare(w) for w in FIELD_WORDS["unit"]}
        roles: dict[int, tuple[Column, str]] = {}
        previous = None
        for c in range(1, len(grid.rows[header - 1]) + 1):
            key = grid.cell(header, c)
            if key is None:
                previous = None
                continue
            key = str(key)
            unit = key.endswith(UNIT_SUFFIX)
            column = by_path.get(key[:-len(UNIT_SUFFIX)] if unit else key)
            if column is None and header == 1:            # a sheet headed by labels, e.g. a pasted export
                column = by_label.get(_bare(key))
                if column is None and _bare(key) in unit_words and previous is not None:
                    column, unit = previous, True
            if column is None or (unit and column.kind != "quantity"):
                where = "row 2 holds the field paths" if header == 2 else "the first row names the columns"
                self.complain(grid, header, c, sheet.path, f"unknown column {key!r} ({where}: "
                                                           f"{', '.join(by_path)})")
                previous = None
                continue
            roles[c] = (column, "unit" if unit else "value")
            previous = column if column.kind == "quantity" and not unit else None
        taken: dict[tuple, int] = {}
        for c, (column, role) in list(roles.items()):
            if (column.dotted, role) in taken:
                self.complain(grid, header, c, sheet.path, f"column {column.dotted!r} appears twice (first in "
                                                           f"{grid.name(header, taken[column.dotted, role])})")
                del roles[c]
            else:
                taken[column.dotted, role] = c
        unit_col = {col.dotted: c for c, (col, role) in roles.items() if role == "unit"}
        items, nothing = [], []
        for r in range(header + 1, len(grid.rows) + 1):
            if _says_none(grid, r):
                nothing.append(r)
                continue
            if all(grid.cell(r, c) is None for c, (_, role) in roles.items() if role == "value"):
                continue
            base = sheet.path + (len(items),)
            self.doc.cells[base] = grid.where(r, 1)
            item = {}
            for c, (column, role) in roles.items():
                if role != "value":
                    continue
                self.doc.cells[base + column.path] = grid.where(r, c)
                unit = grid.cell(r, unit_col[column.dotted]) if column.dotted in unit_col else None
                value = self.convert(grid, r, c, column, base + column.path, unit)
                if value is not None:
                    _nest(item, column.path, value)
            items.append(item)
        for r in nothing if items else ():
            self.complain(grid, r, 1, sheet.path, f"{grid.cell(r, 1)!r} says the table has no rows, but "
                                                  f"{len(items)} row(s) hold items: remove the one or the other")
        if items or nothing:
            self.put(sheet.path, items)     # rows, or "none" said in words; an empty sheet is not reported


def _says_none(grid: Grid, r: int) -> bool:
    """Whether row `r` holds nothing but 无 / none in column A: the table has no items."""
    first = grid.cell(r, 1)
    row = grid.rows[r - 1] if r <= len(grid.rows) else []
    return isinstance(first, str) and first.lower() in _NONE and all(grid.cell(r, c) is None
                                                                      for c in range(2, len(row) + 1))


def _nest(item: dict, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        item = item.setdefault(part, {})
    item[path[-1]] = value


def _bare(label: str) -> str:
    """A header label compared loosely: no required-mark, case or spaces."""
    return re.sub(r"[\s*＊]+", "", label).lower()


def _is_number(text: str) -> bool:
    return _number(text) is not None


def _number(raw: Any) -> float | int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return raw
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        number = float(text)
    except ValueError:
        return None
    if number.is_integer() and re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return number


def _words(column: Column) -> list[str]:
    return [f"{CHOICE_WORDS[c][0]} ({c})" if c in CHOICE_WORDS else c for c in column.choices]


def _choice(column: Column, raw: str) -> str | None:
    wanted = raw.strip().lower()
    for value in column.choices:
        words = CHOICE_WORDS.get(value, ())
        if wanted == value.lower() or wanted in (w.lower() for w in words):
            return value
    return None


def read_grids(grids: list[Grid], file: str, layout: tuple[Sheet, ...] | None = None
               ) -> tuple[SheetDocument, list[Problem]]:
    """Park data from the grids, with the cell of every path and the problems found on the way."""
    layout = layout or workbook_layout()
    reader = _Reader(file, layout)
    seen: dict[str, str] = {}
    order = {s.key: i for i, s in enumerate(layout)}
    grids = sorted(grids, key=lambda g: order.get(getattr(sheet_by_title(g.title, layout), "key", None), -1))
    for grid in grids:
        grid.file = grid.file or file
        if grid.title.strip().lower() in _IGNORED:
            continue
        sheet = sheet_by_title(grid.title, layout)
        if sheet is None:
            reader.problems.append(Problem(
                f"sheet {grid.title!r} is not part of a park workbook (sheets: "
                f"{', '.join(s.title('zh') for s in layout)}; or their English names)", file=grid.where()))
            continue
        if sheet.key in seen:
            reader.problems.append(Problem(f"sheet {grid.title!r} repeats sheet {seen[sheet.key]!r}",
                                           file=grid.where()))
            continue
        seen[sheet.key] = grid.title
        reader.doc.cells.setdefault(sheet.path, grid.where(1, 1))
        if not grid.rows:
            continue
        getattr(reader, sheet.shape)(grid, sheet)
        if sheet.shape == "record" and not sheet.optional and len(sheet.path) == 1:
            reader.doc.data.setdefault(sheet.key, {})     # its required fields are then missing, by cell
    return reader.doc, reader.problems


def validate_grids(grids: list[Grid], file: str):
    """(Park, document) from the grids; every problem at once as one `InputError`."""
    from pydantic import ValidationError

    from ..facts.loader import validation_problems
    from ..facts.models import Park
    doc, problems = read_grids(grids, file)
    try:
        park = Park.model_validate(doc.data)
    except ValidationError as exc:
        bad = {p.path for p in problems}
        problems += [p for p in validation_problems(exc, doc, Park) if p.path not in bad]
        park = None
    if problems:
        raise InputError(f"{len(problems)} problem(s) in park facts", problems)
    return park, doc
