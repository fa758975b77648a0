"""Write park grids as a styled .xlsx workbook with data validation, and read a workbook back
into grids. openpyxl is imported here only, when a workbook is actually read or written."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError, InputTooLarge, Problem
from .grid import HEADER_ROWS, UNIT_SUFFIX, park_grids
from .instructions import instruction_lines
from .labels import BOOL_WORDS, choice_label
from .layout import Column, Sheet
from .reader import VALUE_COLUMN, Grid

__all__ = ["TABLE_ROWS", "YEAR_COLUMNS", "MAX_WORKBOOK_UNPACKED", "MAX_SHEET_ROWS", "MAX_WORKBOOK_CELLS",
           "read_workbook", "read_workbook_bytes", "write_workbook"]

TABLE_ROWS = 500        # rows of a table sheet that carry validation (beyond the data written)
YEAR_COLUMNS = 10       # year columns that carry validation

# Bounds on what reading a workbook may cost (docs/intake.md "Limits", with the measurements).
# openpyxl reads about 7 MB of unpacked XML a second (0.14 s and ~2 MB of memory per MB; ~6 µs
# per cell), and a zip of 1 MB can unpack to hundreds of MB. A park of 2,000 enterprises (the
# largest bench park) unpacks to 2.7 MB, 74,000 cells, 2,002 rows on its enterprise sheet; one of
# 10,000 enterprises to 12 MB, 274,000 cells, 10,002 rows.
MAX_WORKBOOK_UNPACKED = 50_000_000   # bytes an .xlsx (a zip of XML) may unpack to: 4x the 10,000-
                                     # enterprise park; refused before anything is unpacked
MAX_SHEET_ROWS = 100_000             # rows of one sheet: 10x the 10,000-enterprise park
MAX_WORKBOOK_CELLS = 1_000_000       # cells of the whole workbook: 3.7x the 10,000-enterprise park;
                                     # rows and cells are counted as read, and reading stops there


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
    MAX_WORKBOOK_UNPACKED (an .xlsx is a zip; a "zip bomb" is refused before it is opened); a
    sheet has at most MAX_SHEET_ROWS rows and the workbook MAX_WORKBOOK_CELLS cells, counted as
    they are read (a sheet that claims a million empty rows is stopped there). Over a bound:
    `InputTooLarge`. A formula whose value was never calculated (a workbook written by a program,
    not saved by a spreadsheet) is refused by cell rather than read as blank, which would mean
    "unknown".
    """
    where = str(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError as exc:
        raise InputError("file not found", [Problem("file not found", file=where)]) from exc
    except OSError as exc:
        raise InputError("cannot read workbook", [Problem(f"not an .xlsx workbook ({exc})", file=where)]) from exc
    return _read(path, where, size)


def read_workbook_bytes(content: bytes, name: str, max_unpacked: int | None = None) -> list[Grid]:
    """`read_workbook` of a workbook held in memory (an HTTP request body), named `name` in
    problems; `max_unpacked` (bytes) replaces MAX_WORKBOOK_UNPACKED (the service's setting).

    Example:
        >>> grids = read_workbook_bytes(Path("park.xlsx").read_bytes(), "body")     # doctest: +SKIP
    """
    from io import BytesIO
    return _read(BytesIO(content), name, len(content), max_unpacked)


def _mb(n: int, zh: bool = False) -> str:
    return f"{n / 1_000_000:,.1f} MB（{n:,} 字节）" if zh else f"{n / 1_000_000:,.1f} MB ({n:,} bytes)"


def _read(source: Any, where: str, size: int, max_unpacked: int | None = None) -> list[Grid]:
    """The grids of a workbook at a path or in a binary file object, `size` bytes, bounded as
    `read_workbook` says; every failure to read it is an `InputError` naming `where`."""
    from xml.etree.ElementTree import ParseError
    from zipfile import ZIP_DEFLATED, ZIP_STORED, BadZipFile, LargeZipFile, ZipFile
    from zlib import error as ZlibError

    from openpyxl import load_workbook

    from ..sourcefile import MAX_FILE_BYTES
    limit = MAX_WORKBOOK_UNPACKED if max_unpacked is None else max_unpacked
    try:
        if size > MAX_FILE_BYTES:
            raise InputError("file too large", [Problem(f"larger than {MAX_FILE_BYTES // 1_000_000} MB, the limit "
                                                        "for an input file (MAX_FILE_BYTES)", file=where)])
        with ZipFile(source) as z:
            # the sizes the zip declares: zipfile stops each part there (and fails its CRC check
            # if it would unpack to more), so a lying zip cannot unpack to more than this sum
            parts = z.infolist()
        unpacked = sum(i.file_size for i in parts)
        odd = next((i for i in parts if i.compress_type not in (ZIP_STORED, ZIP_DEFLATED)), None)
        if odd is not None:     # bzip2/lzma parts are unpacked without a bound per step: refused
            raise InputError("cannot read workbook", [Problem(
                f"not an .xlsx workbook (part {odd.filename!r} is compressed with zip method "
                f"{odd.compress_type}; a workbook's parts are deflated or stored)", file=where)])
        if unpacked > limit:
            setting = "MAX_WORKBOOK_UNPACKED" if max_unpacked is None else "max_workbook_unpacked_bytes"
            raise InputTooLarge("workbook too large", [Problem(
                f"工作簿解压后为 {_mb(unpacked, True)}，超过工作簿的上限 {_mb(limit, True)}（{setting}），未予读取；"
                f"一个有 10,000 家企业的园区解压后约 12 MB / the workbook unpacks to {_mb(unpacked)}, over the limit "
                f"of {_mb(limit)} for a workbook ({setting}); it was not read (a park of 10,000 enterprises "
                "unpacks to about 12 MB)", file=where)],
                what="unpacked", size=unpacked, limit=limit)
        grids, formulas = _grids(load_workbook(source, read_only=True, data_only=False), where)
        if formulas:                   # their values, as the spreadsheet last calculated them
            calculated, _ = _grids(load_workbook(source, read_only=True, data_only=True), where)
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


def _too_many(where: str, sheet: str, row: int, what: str, size: int, limit: int) -> InputTooLarge:
    if what == "rows":
        message = (f"工作表“{sheet}”超过每个工作表 {limit:,} 行的上限（MAX_SHEET_ROWS），读到第 {row:,} 行时停止；"
                   f"一个有 10,000 家企业的园区，企业表约 10,000 行 / sheet {sheet!r} has more than {limit:,} rows, "
                   f"the limit for a sheet (MAX_SHEET_ROWS): reading stopped at row {row:,} (a park of 10,000 "
                   "enterprises has about 10,000 rows on its enterprise sheet)")
    else:
        message = (f"工作簿超过 {limit:,} 个单元格的上限（MAX_WORKBOOK_CELLS），读到工作表“{sheet}”第 {row:,} 行时停止；"
                   f"一个有 10,000 家企业的园区约 274,000 个单元格，请删除多余的空行和空列 / the workbook has more "
                   f"than {limit:,} cells, the limit for a workbook (MAX_WORKBOOK_CELLS): reading stopped at row "
                   f"{row:,} of sheet {sheet!r} (a park of 10,000 enterprises has about 274,000 cells; delete "
                   "unused rows and columns)")
    return InputTooLarge("workbook too large", [Problem(message, file=f"{where}:{sheet}")],
                         what=what, size=size, limit=limit)


def _grids(wb, where: str = "") -> tuple[list[Grid], list[tuple[int, int, int]]]:
    """The sheets as grids (read-only mode, one pass), and where formulas are (grid, row, column);
    `InputTooLarge` (naming `where`, the sheet and the row) as soon as a sheet has more than
    MAX_SHEET_ROWS rows or the workbook more than MAX_WORKBOOK_CELLS cells."""
    grids, formulas = [], []
    cells = 0
    try:
        for g, ws in enumerate(wb.worksheets):
            rows, formats = [], []
            for r, row in enumerate(ws.iter_rows(), 1):
                cells += len(row)
                if r > MAX_SHEET_ROWS:
                    raise _too_many(where, ws.title, r, "rows", r, MAX_SHEET_ROWS)
                if cells > MAX_WORKBOOK_CELLS:
                    raise _too_many(where, ws.title, r, "cells", cells, MAX_WORKBOOK_CELLS)
                values = []
                for c, cell in enumerate(row, 1):
                    value = cell.value
                    if getattr(cell, "data_type", None) == "f":
                        formulas.append((g, r, c))
                    values.append(value)
                rows.append(values)
                formats.append([getattr(cell, "number_format", "") or "" for cell in row])
            grids.append(Grid(ws.title, rows, formats))
    finally:
        wb.close()
    return grids, formulas
