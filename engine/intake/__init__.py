"""Park facts from spreadsheets: an Excel template generated from the park model, a reader that
names `sheet!cell` in every problem, CSV folders, and conversion between YAML, JSON and xlsx.

    load_sheets_park(path) -> (Park, SheetDocument)     # .xlsx/.xlsm file or a folder of CSVs
    load_workbook_bytes(content, name) -> (Park, SheetDocument)   # a workbook in memory (HTTP body)
    write_park(data, out, fmt, lang)                     # park data -> xlsx / csv / yaml / json

openpyxl is imported only when a workbook is read or written. See docs/intake.md.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["SHEET_SUFFIXES", "is_sheet_input", "load_sheets_park", "load_workbook_bytes"]

SHEET_SUFFIXES = (".xlsx", ".xlsm")


def is_sheet_input(path) -> bool:
    """True for a workbook or a folder of CSV files."""
    p = Path(path)
    if p.suffix.lower() in SHEET_SUFFIXES + (".csv",):
        return True
    if not p.is_dir():      # a park file: the CSV reader is not imported (issue #13, CLI start)
        return False
    from .csvio import is_csv_folder
    return is_csv_folder(p)


def load_sheets_park(path):
    """(Park, SheetDocument) from a workbook or CSV folder; InputError with every problem located."""
    from .reader import validate_grids
    p = Path(path)
    if p.suffix.lower() == ".csv":
        from ..errors import InputError, Problem
        raise InputError("a CSV file is one sheet", [Problem(
            "a CSV file holds one sheet of a park; give the folder that holds the park's CSV files "
            "(profile.csv / 园区概况.csv, years.csv / 年度数据.csv, ...)", file=str(path))])
    if p.is_dir():
        from .csvio import read_csv_folder
        grids = read_csv_folder(p)
    else:
        from .workbook import read_workbook
        grids = read_workbook(p)
    return validate_grids(grids, str(path))


def load_workbook_bytes(content: bytes, name: str, max_unpacked: int | None = None):
    """(Park, SheetDocument) from a workbook held in memory, read and validated as a workbook file
    named `name` (problems name `name:sheet!cell`); InputError with every problem located, its
    subclass InputTooLarge over a bound on reading (`max_unpacked` bytes unpacked, default
    MAX_WORKBOOK_UNPACKED; rows of a sheet; cells)."""
    from .reader import validate_grids
    from .workbook import read_workbook_bytes
    return validate_grids(read_workbook_bytes(content, name, max_unpacked), name)
