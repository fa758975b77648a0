"""Park data <-> cell grids: the layout's sheets filled with a park's values, one list per row.

`park_grids(data, lang)` writes park data (as a YAML/JSON file holds it, units as written) into
grids; `engine.intake.template` styles them as a workbook and `engine.intake.csvio` as CSV files.
The reverse is `engine.intake.reader`. A quantity cell holds the number and its row's (or its
unit column's) unit; a value in another unit than its row's keeps its own as text (`31000 t`).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .labels import BOOL_WORDS, NONE_WORDS, choice_label, field_label
from .layout import Column, Sheet, value_of, workbook_layout

__all__ = ["HEADER_ROWS", "UNIT_SUFFIX", "cell_text", "park_grids", "split_quantity"]

UNIT_SUFFIX = ":unit"              # a table's unit column is headed `<field path>:unit`
HEADER_ROWS = {"record": 1, "columns": 1, "table": 2}
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)\s*$")
EMPTY_COLUMNS = 3                  # year columns in a blank template


def split_quantity(raw: Any) -> tuple[Any, str | None]:
    """(number, unit) of a quantity as a park file writes it (`"3.2 万t"` or {value, unit})."""
    if isinstance(raw, dict) and "value" in raw:
        return _tidy(raw["value"]), raw.get("unit")
    if isinstance(raw, str):
        m = _QUANTITY.match(raw)
        if m:
            return _tidy(float(m.group(1))), m.group(2)
    return raw, None


def _tidy(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return _exact(value)


def _exact(value: Any) -> Any:
    """A float as a cell keeps it: xlsx stores 16 significant digits, so the rare float that needs
    17 (machine-made data, never a statistics clerk's) is written as text, which reads back exactly."""
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        return repr(value)
    return value


def cell_text(column: Column, value: Any, lang: str) -> Any:
    """What a cell shows for a (non-quantity) value."""
    if value is None:
        return None
    if column.kind == "bool" and isinstance(value, bool):
        return BOOL_WORDS[lang][0 if value else 1]
    if column.kind == "choice" and isinstance(value, str):
        return choice_label(value, lang)
    if column.kind == "list" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return _exact(value)


def _headers(sheet: Sheet, lang: str) -> list[str]:
    if lang == "zh":
        return ["指标", "字段", "单位", "说明", "数值（每列一年）" if sheet.shape == "columns" else "数值"]
    return ["indicator", "field", "unit", "notes", "value (one column a year)" if sheet.shape == "columns" else "value"]


def note(column: Column, lang: str) -> str:
    """What the cell accepts, in words (the notes column and the instructions)."""
    zh = lang == "zh"
    parts = []
    if column.required:
        parts.append("必填" if zh else "required")
    if column.kind == "quantity":
        parts.append(("单位：" if zh else "units: ") + ", ".join(column.units))
    elif column.kind == "percent":
        parts.append(f"% ({column.minimum:g}–{column.maximum:g})")
    elif column.kind == "bool":
        parts.append("/".join(BOOL_WORDS[lang]))
    elif column.kind == "choice":
        parts.append(("可选：" if zh else "one of: ") + ", ".join(choice_label(c, lang) for c in column.choices))
    elif column.kind == "list":
        parts.append(("逗号分隔" if zh else "comma-separated")
                     + (": " + ", ".join(column.choices) if column.choices else ""))
    elif column.kind in ("integer", "number") and (column.minimum is not None or column.maximum is not None):
        low = "" if column.minimum is None else f"{column.minimum:g}"
        high = "" if column.maximum is None else f"{column.maximum:g}"
        parts.append(low if low == high else f"{low}–{high}")
    return ("；" if zh else "; ").join(parts)


def _record_rows(sheet: Sheet, data: Any, lang: str) -> list[list]:
    rows = [_headers(sheet, lang)]
    for column, base in [(c, ()) for c in sheet.root_columns] + [(c, sheet.path) for c in sheet.columns]:
        raw = value_of(data, base + column.path) if data is not None else None
        path = ".".join(base + column.path)
        if column.kind == "quantity":
            number, unit = split_quantity(raw)
            rows.append([column.label(lang), path, unit or column.units[0], note(column, lang), number])
        else:
            rows.append([column.label(lang), path, None, note(column, lang), cell_text(column, raw, lang)])
    return rows


def _columns_rows(sheet: Sheet, data: Any, lang: str) -> list[list]:
    items = (value_of(data, sheet.path) or []) if data is not None else []
    width = max(len(items), EMPTY_COLUMNS if data is None else 0)
    header = _headers(sheet, lang)
    rows = [header + [None] * (width - 1)]
    for column in sheet.columns:
        raws = [value_of(item, column.path) for item in items]
        if column.kind == "quantity":
            pairs = [split_quantity(r) for r in raws]
            units = Counter(u for n, u in pairs if u)
            unit = units.most_common(1)[0][0] if units else column.units[0]
            cells = [None if r is None else n if u == unit else (r if u is None else f"{n} {u}")
                     for r, (n, u) in zip(raws, pairs)]
        else:
            unit, cells = None, [cell_text(column, r, lang) for r in raws]
        cells += [None] * (width - len(cells))
        rows.append([column.label(lang), ".".join(column.path), unit, note(column, lang), *cells])
    return rows


def _table_rows(sheet: Sheet, data: Any, lang: str) -> list[list]:
    labels, paths = [], []
    for column in sheet.columns:
        labels.append(column.label(lang) + (" *" if column.required else ""))
        paths.append(column.dotted)
        if column.kind == "quantity":
            labels.append(field_label(("unit",), lang))
            paths.append(column.dotted + UNIT_SUFFIX)
    rows = [labels, paths]
    items = value_of(data, sheet.path) if data is not None else None
    if items == []:             # reported: none (left out it is unknown, and the sheet stays empty)
        rows.append([NONE_WORDS[lang]] + [None] * (len(paths) - 1))
    for item in items or []:
        row = []
        for column in sheet.columns:
            raw = value_of(item, column.path)
            if column.kind == "quantity":
                number, unit = split_quantity(raw)
                row += [number, unit]
            else:
                row.append(cell_text(column, raw, lang))
        rows.append(row)
    return rows


def park_grids(data: dict | None, lang: str = "zh", layout: tuple[Sheet, ...] | None = None
               ) -> list[tuple[Sheet, list[list]]]:
    """Every sheet of the layout with its rows; `data=None` gives the blank template."""
    layout = layout or workbook_layout()
    shaped = {"record": _record_rows, "columns": _columns_rows, "table": _table_rows}
    return [(sheet, shaped[sheet.shape](sheet, data, lang)) for sheet in layout]
