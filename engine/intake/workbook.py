"""Write park grids as a styled .xlsx workbook with data validation, and read a workbook back
into grids. openpyxl is imported here only, when a workbook is actually read or written."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .grid import HEADER_ROWS, UNIT_SUFFIX, park_grids
from .instructions import instruction_lines
from .labels import BOOL_WORDS, choice_label
from .layout import Column, Sheet
from .reader import VALUE_COLUMN, Grid

__all__ = ["TABLE_ROWS", "YEAR_COLUMNS", "read_workbook", "read_workbook_bytes", "write_workbook"]

TABLE_ROWS = 500        # rows of a table sheet that carry validation (beyond the data written)
YEAR_COLUMNS = 10       # year columns that carry validation
# An .xlsx is a zip of XML; what it may unpack to, in bytes (a setting against "zip bombs": a
# 20 MB park workbook unpacks to well under this).
MAX_WORKBOOK_UNPACKED = 200_000_000


def write_workbook(data: dict | None, out: Path, lang: str = "zh", layout=None) -> None:
    """The park `data` (None: a blank template) as a workbook at `out`, written atomically
    (`layout`: another model's, for tests; default the park model's)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    wb = Workbook()
    info = wb.active
    info.title = "填表说明" if lang == "zh" else "instructions"
    for line in instruction_lines(lang):
        info.append([line])
    info.column_dimensions["A"].width = 110
    info["A1"].font = Font(bold=True, size=14)
    lists = wb.create_sheet("_lists")
    lists.sheet_state = "hidden"
    lister = _Lists(lists)
    head = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    path_font = Font(color="808080", size=9)
    for sheet, rows in park_grids(data, lang, layout):
        ws = wb.create_sheet(sheet.title(lang)[:31])
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font, cell.fill = head, fill
        if sheet.shape == "table":
            for cell in ws[2]:
                cell.font = path_font
            ws.freeze_panes = "B3"
            for cell in ws[1]:
                ws.column_dimensions[cell.column_letter].width = max(10, min(28, len(str(cell.value or "")) * 2))
        else:
            for r in range(2, ws.max_row + 1):
                ws.cell(r, 2).font = path_font
                ws.cell(r, 4).alignment = Alignment(wrap_text=False)
            ws.freeze_panes = "E2"
            for letter, width in zip("ABCD", (34, 30, 9, 30)):
                ws.column_dimensions[letter].width = width
        _validate(ws, sheet, rows, lang, lister)
    _save(wb, out)


def _save(wb, out: Path) -> None:
    out = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=".greenpark-", suffix=out.suffix, dir=out.parent or ".")
    os.close(fd)
    try:
        wb.save(tmp)
        readable(tmp)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise


def readable(path) -> None:
    """Give a file made by mkstemp (mode 0600) the mode a plain `open` would (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


class _Lists:
    """Choice lists on the hidden `_lists` sheet (no 255-character limit of inline lists)."""

    def __init__(self, ws):
        self.ws, self.known = ws, {}

    def ref(self, values: tuple[str, ...]) -> str:
        if values not in self.known:
            col = len(self.known) + 1
            for r, v in enumerate(values, 1):
                self.ws.cell(r, col, v)
            letter = self.ws.cell(1, col).column_letter
            self.known[values] = f"'_lists'!${letter}$1:${letter}${len(values)}"
        return self.known[values]


def _rule(column: Column, lang: str, lister: _Lists, role: str = "value"):
    from openpyxl.worksheet.datavalidation import DataValidation
    zh = lang == "zh"
    if role == "unit":
        return DataValidation(type="list", formula1=lister.ref(column.units), allow_blank=True,
                              error=("单位应为：" if zh else "unit: ") + ", ".join(column.units))
    if column.kind == "bool":
        return DataValidation(type="list", formula1=lister.ref(BOOL_WORDS[lang]), allow_blank=True)
    if column.kind == "choice":
        words = tuple(choice_label(c, lang) for c in column.choices)
        return DataValidation(type="list", formula1=lister.ref(words), allow_blank=True)
    if column.kind in ("percent", "number", "integer", "quantity") and column.minimum is not None:
        kind = "whole" if column.kind == "integer" else "decimal"
        if column.maximum is not None:
            rule = DataValidation(type=kind, operator="between", formula1=f"{column.minimum:g}",
                                  formula2=f"{column.maximum:g}", allow_blank=True)
        else:
            rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{column.minimum:g}",
                                  allow_blank=True)
        if column.kind == "quantity":
            rule.errorStyle = "warning"      # a value in another unit is written as text: "31000 t"
        rule.error = ("应在范围内：" if zh else "within: ") + (f"{column.minimum:g}–{column.maximum:g}"
                                                             if column.maximum is not None else f"≥ {column.minimum:g}")
        return rule
    return None


def _validate(ws, sheet: Sheet, rows: list[list], lang: str, lister: _Lists) -> None:
    from openpyxl.utils import get_column_letter
    rules: dict[Any, Any] = {}

    def add(key, column, role, ref):
        if key not in rules:
            rules[key] = _rule(column, lang, lister, role)
            if rules[key] is not None:
                rules[key].showErrorMessage = True
                ws.add_data_validation(rules[key])
        if rules[key] is not None:
            rules[key].add(ref)

    if sheet.shape == "table":
        last = max(len(rows), HEADER_ROWS["table"] + TABLE_ROWS)
        for c, path in enumerate(rows[1], 1):
            unit = path.endswith(UNIT_SUFFIX)
            column = next(col for col in sheet.columns if col.dotted == (path[:-len(UNIT_SUFFIX)] if unit else path))
            letter = get_column_letter(c)
            key = ("unit", column.units) if unit else (column.kind, column.choices, column.minimum, column.maximum)
            add(key, column, "unit" if unit else "value", f"{letter}3:{letter}{last}")
            if column.kind in ("text", "list") and not unit:
                for r in range(3, last + 1):      # text, so that Excel keeps id 001 and code 2614 as typed
                    ws.cell(r, c).number_format = "@"
        return
    columns = [(c, c.path) for c in sheet.root_columns] + [(c, sheet.path + c.path) for c in sheet.columns]
    if sheet.shape == "columns":
        columns = [(c, c.path) for c in sheet.columns]
    width = max(len(rows[0]) - VALUE_COLUMN + 1, YEAR_COLUMNS if sheet.shape == "columns" else 1)
    end = get_column_letter(VALUE_COLUMN + width - 1)
    start = get_column_letter(VALUE_COLUMN)
    for r, (column, _) in enumerate(columns, 2):
        add((column.kind, column.choices, column.minimum, column.maximum), column, "value", f"{start}{r}:{end}{r}")
        if column.kind == "quantity":
            add(("unit", column.units), column, "unit", f"C{r}")
        if column.kind in ("text", "list"):
            for c in range(VALUE_COLUMN, VALUE_COLUMN + width):
                ws.cell(r, c).number_format = "@"


def read_workbook(path: Path) -> list[Grid]:
    """Every sheet of the workbook as a grid (values as Excel last calculated them).

    Bounded like a YAML file: the file is at most MAX_FILE_BYTES and unpacks to at most
    MAX_WORKBOOK_UNPACKED (an .xlsx is a zip; a "zip bomb" is refused before it is opened).
    A formula whose value was never calculated (a workbook written by a program, not saved by a
    spreadsheet) is refused by cell rather than read as blank, which would mean "unknown".
    """
    where = str(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError as exc:
        raise InputError("file not found", [Problem("file not found", file=where)]) from exc
    except OSError as exc:
        raise InputError("cannot read workbook", [Problem(f"not an .xlsx workbook ({exc})", file=where)]) from exc
    return _read(path, where, size)


def read_workbook_bytes(content: bytes, name: str) -> list[Grid]:
    """`read_workbook` of a workbook held in memory (an HTTP request body), named `name` in problems.

    Example:
        >>> grids = read_workbook_bytes(Path("park.xlsx").read_bytes(), "body")     # doctest: +SKIP
    """
    from io import BytesIO
    return _read(BytesIO(content), name, len(content))


def _read(source: Any, where: str, size: int) -> list[Grid]:
    """The grids of a workbook at a path or in a binary file object, `size` bytes, bounded as
    `read_workbook` says; every failure to read it is an `InputError` naming `where`."""
    from xml.etree.ElementTree import ParseError
    from zipfile import BadZipFile, LargeZipFile, ZipFile
    from zlib import error as ZlibError

    from openpyxl import load_workbook

    from ..sourcefile import MAX_FILE_BYTES
    try:
        if size > MAX_FILE_BYTES:
            raise InputError("file too large", [Problem(f"larger than {MAX_FILE_BYTES // 1_000_000} MB, the limit "
                                                        "for an input file (MAX_FILE_BYTES)", file=where)])
        with ZipFile(source) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > MAX_WORKBOOK_UNPACKED:
            raise InputError("workbook too large", [Problem(
                f"unpacks to more than {MAX_WORKBOOK_UNPACKED // 1_000_000} MB, the limit for a workbook "
                "(MAX_WORKBOOK_UNPACKED)", file=where)])
        grids, formulas = _grids(load_workbook(source, read_only=True, data_only=False))
        if formulas:                   # their values, as the spreadsheet last calculated them
            calculated, _ = _grids(load_workbook(source, read_only=True, data_only=True))
    except InputError:
        raise
    except FileNotFoundError as exc:
        raise InputError("file not found", [Problem("file not found", file=where)]) from exc
    except (BadZipFile, LargeZipFile, ZlibError, EOFError, ParseError, OSError, KeyError, ValueError, TypeError,
            IndexError, AttributeError) as exc:    # a damaged zip, or parts that are not a workbook's XML
        raise InputError("cannot read workbook", [Problem(f"not an .xlsx workbook ({exc})", file=where)]) from exc
    problems = []
    for g, r, c in formulas:
        value = calculated[g].cell(r, c)
        grids[g].rows[r - 1][c - 1] = value
        if value is None:
            problems.append(Problem("a formula without a calculated value: open the workbook in a spreadsheet "
                                    "and save it, or write the value", file=f"{where}:{grids[g].name(r, c)}"))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the workbook", problems)
    return grids


def _grids(wb) -> tuple[list[Grid], list[tuple[int, int, int]]]:
    """The sheets as grids (read-only mode, one pass), and where formulas are (grid, row, column)."""
    grids, formulas = [], []
    for g, ws in enumerate(wb.worksheets):
        rows, formats = [], []
        for r, row in enumerate(ws.iter_rows(), 1):
            values = []
            for c, cell in enumerate(row, 1):
                value = cell.value
                if getattr(cell, "data_type", None) == "f":
                    formulas.append((g, r, c))
                values.append(value)
            rows.append(values)
            formats.append([getattr(cell, "number_format", "") or "" for cell in row])
        grids.append(Grid(ws.title, rows, formats))
    wb.close()
    return grids, formulas
