"""A park as a folder of CSV files, one per sheet, named after the sheet (`企业.csv` or
`enterprises.csv`), laid out as the workbook's sheets. Written as UTF-8 with a byte-order mark
(Excel opens it with the Chinese intact); read as UTF-8, else GB18030 (what Excel on a Chinese
Windows saves as "CSV"). A folder may hold only some sheets (e.g. profile, years, enterprises)."""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import InputError, Problem
from .grid import park_grids
from .layout import sheet_by_title, workbook_layout
from .reader import Grid

__all__ = ["is_csv_folder", "read_csv_files", "read_csv_folder", "write_csv_folder"]


def is_csv_folder(path: Path) -> bool:
    return path.is_dir() and any(q.suffix.lower() == ".csv" for q in path.iterdir())


def write_csv_folder(data: dict | None, out: Path, lang: str = "zh") -> None:
    """One CSV per non-empty sheet into the folder `out` (created; written to a temporary folder first)."""
    out = Path(out)
    tmp = Path(tempfile.mkdtemp(prefix=".greenpark-", dir=out.parent if str(out.parent) else "."))
    try:
        for sheet, rows in park_grids(data, lang):
            with open(tmp / f"{sheet.title(lang)}.csv", "w", encoding="utf-8-sig", newline="") as f:
                csv.writer(f).writerows([["" if v is None else v for v in row] for row in rows])
        out.mkdir(parents=True, exist_ok=True)
        for q in out.iterdir():          # a sheet left from an earlier run (say, in the other language)
            if q.suffix.lower() == ".csv" and sheet_by_title(q.stem, workbook_layout()) is not None:
                q.unlink()
        for q in tmp.iterdir():
            os.replace(q, out / q.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_csv_folder(path: Path) -> list[Grid]:
    """The folder's CSV files as grids; together at most MAX_FILE_BYTES, like one park file."""
    return read_csv_files(sorted(p for p in Path(path).iterdir() if p.suffix.lower() == ".csv"), str(path))


def read_csv_files(files: list[Path], where: str) -> list[Grid]:
    """CSV files as grids, each named by its file name (`企业.csv` is the sheet 企业)."""
    from ..sourcefile import MAX_FILE_BYTES
    if sum(q.stat().st_size for q in files) > MAX_FILE_BYTES:
        raise InputError("input too large", [Problem(f"the CSV files are larger than {MAX_FILE_BYTES // 1_000_000} MB "
                                                     "together, the limit for an input file (MAX_FILE_BYTES)",
                                                     file=where)])
    grids = []
    for q in files:
        raw = q.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise InputError("cannot read CSV", [Problem(f"neither UTF-8 nor GBK text: {exc}", file=str(q))]) from exc
        rows = [list(row) for row in csv.reader(io.StringIO(text))]
        grids.append(Grid(q.stem, rows, None, suffix=".csv", file=str(q)))
    return grids
