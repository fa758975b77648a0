"""Convert a park file between YAML, JSON, xlsx and a folder of CSVs.

The input is validated first (a file with problems is refused with all of them, and nothing is
written); the output carries the values as the input wrote them, units included, so the park it
describes - and its input digest - is the same.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["FORMATS", "quantities_as_text", "read_park_data", "write_park"]

FORMATS = ("xlsx", "yaml", "json", "csv")


def read_park_data(path: Path, merge: list[Path] = ()) -> tuple[Any, Any]:
    """(park data as written, validated Park) of a YAML, JSON, xlsx file or CSV folder.

    `merge`: CSV files (named after a sheet: `企业.csv`, `enterprises.csv`), CSV folders or
    workbooks whose sheets replace the same sheets of the park (e.g. the enterprise list exported
    from another system); the merged park is validated as a whole.

    Raises:
        InputError: unreadable or invalid, every problem located.
    """
    from ..facts.loader import load_park_document
    park, doc = load_park_document(path)
    if not merge:
        return doc.data, park
    from .grid import park_grids
    from .layout import sheet_by_title, workbook_layout
    from .reader import Grid, validate_grids
    extra = _sheets_of(merge)
    keys = {sheet_by_title(g.title, workbook_layout()).key for g in extra}
    base = [Grid(sheet.title("en"), rows, file=str(path)) for sheet, rows in park_grids(doc.data, "en")
            if sheet.key not in keys]
    park, doc = validate_grids(base + extra, str(path))
    return doc.data, park


def _sheets_of(paths: list[Path]) -> list:
    """The sheets of the files to merge, each naming a sheet of the layout."""
    from ..errors import InputError, Problem
    from . import SHEET_SUFFIXES
    from .csvio import read_csv_files, read_csv_folder
    from .layout import sheet_by_title, workbook_layout
    from .workbook import read_workbook
    grids, problems = [], []
    for p in map(Path, paths):
        if p.is_dir():
            found = read_csv_folder(p)
        elif p.suffix.lower() == ".csv":
            found = read_csv_files([p], str(p))
        elif p.suffix.lower() in SHEET_SUFFIXES:
            found = [g for g in read_workbook(p) if sheet_by_title(g.title, workbook_layout()) is not None]
            for g in found:
                g.file = str(p)
        else:
            problems.append(Problem("merge a CSV file, a folder of CSV files or an .xlsx workbook", file=str(p)))
            continue
        for g in found:
            if sheet_by_title(g.title, workbook_layout()) is None:
                problems.append(Problem(f"{g.title!r} names no sheet of a park workbook (name the file after the "
                                        "sheet, e.g. 企业.csv or enterprises.csv)", file=g.where()))
            else:
                grids.append(g)
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the files to merge", problems)
    return grids


def quantities_as_text(data: Any) -> Any:
    """`{value: 3.2, unit: 万t}` as `"3.2 万t"`, everywhere in `data` (how park files are written)."""
    if isinstance(data, dict):
        if set(data) == {"value", "unit"} and isinstance(data["value"], (int, float)) \
                and not isinstance(data["value"], bool) and isinstance(data["unit"], str):
            return f"{data['value']!r} {data['unit']}" if isinstance(data["value"], float) else \
                f"{data['value']} {data['unit']}"
        return {k: quantities_as_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [quantities_as_text(v) for v in data]
    return data


def write_park(data: dict, out: Path, fmt: str, lang: str = "zh") -> None:
    """Write park data as `fmt` to `out` (a folder for csv); the file appears whole or not at all."""
    out = Path(out)
    if fmt == "xlsx":
        from .workbook import write_workbook
        write_workbook(data, out, lang)
    elif fmt == "csv":
        from .csvio import write_csv_folder
        write_csv_folder(data, out, lang)
    else:
        _atomic_text(out, render_text(data, fmt))


def render_text(data: dict, fmt: str) -> str:
    data = quantities_as_text(data)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import yaml

    from ..sourcefile.yaml12 import Yaml12Dumper
    return yaml.dump(data, Dumper=Yaml12Dumper, allow_unicode=True, sort_keys=False, width=120)


def _atomic_text(out: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".greenpark-", suffix=out.suffix, dir=out.parent if str(out.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        from .workbook import readable
        readable(tmp)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
