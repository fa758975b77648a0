"""Sheets and columns of a park workbook, derived from the park model's JSON Schema.

Nothing here lists a park field: every block, column, unit list, choice list and range is read
from `Park.model_json_schema()`, so a field added to `engine/facts/models.py` appears in the
template and is read back without touching this package. The rules that turn the model into sheets:

* a field of the park holding a model (profile, infrastructure, plan ...) is a **record** sheet:
  one row per value, nested models flattened (`status_analysis.energy`); the park's own scalars
  (`schema_version`) are rows of the first record sheet;
* a list of models is a **table** sheet: one row per item (enterprises, plan targets, the
  wastewater plants of `infrastructure`) - except the yearly series, which statistics offices
  keep with the years across: a **columns** sheet, one row per indicator and one column per year;
* a quantity has a unit next to its value (a unit column in tables, the unit column of a
  record/columns sheet); a list of plain values (`not_used`, a task's `targets`) is one cell,
  comma-separated;
* a list of the park that may be left out (`enterprises`: not reported is unknown, not empty) is
  a `nullable` table: left blank it is not reported, and the one row `无` / `none` in its first
  column (`NONE_WORDS`) reports it empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from .labels import field_label, sheet_label

__all__ = ["COLUMNS_SHEETS", "Column", "Sheet", "workbook_layout"]

# Lists of models laid out with one column per item instead of one row (a presentation choice,
# not a list of fields): the yearly series.
COLUMNS_SHEETS = ("years",)

Kind = Literal["text", "number", "integer", "bool", "choice", "quantity", "percent", "list"]


@dataclass(frozen=True)
class Column:
    """One value of an item: its path inside the item, how it is written and what it accepts."""

    path: tuple[str, ...]
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()          # allowed values (choice, and the items of a list)
    units: tuple[str, ...] = ()            # quantity: accepted units, canonical first
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    optional_parent: tuple[str, ...] | None = None   # the nested model that is left out when all its cells are blank

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def label(self, lang: str) -> str:
        return field_label(self.path, lang, self.description)


@dataclass(frozen=True)
class Sheet:
    """One sheet: where its data sits in the park (`path`) and its shape."""

    key: str                               # "profile", "years", "plan.targets"
    path: tuple[str, ...]                  # ("plan", "targets")
    shape: Literal["record", "table", "columns"]
    columns: tuple[Column, ...]
    optional: bool = False                 # the block itself may be left out (plan)
    root_columns: tuple[Column, ...] = field(default=())   # the park's own scalars (first record sheet)
    nullable: bool = False                 # a table whose list may be unknown: blank = not reported

    def title(self, lang: str) -> str:
        return sheet_label(self.key, lang)


def _strip_null(prop: dict) -> tuple[dict, bool]:
    """The schema of a value that may be null, and whether it may be."""
    options = prop.get("anyOf")
    if options and any(o.get("type") == "null" for o in options):
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == 1:
            merged = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
            return {**rest[0], **merged}, True
    return prop, False


class _Schema:
    def __init__(self, model: type[BaseModel]):
        self.root = model.model_json_schema()
        self.defs = self.root.get("$defs", {})

    def deref(self, prop: dict) -> dict:
        ref = prop.get("$ref")
        if ref:
            return {**self.defs[ref.rsplit("/", 1)[-1]], **{k: v for k, v in prop.items() if k != "$ref"}}
        return prop

    def model_of(self, prop: dict) -> dict | None:
        """The object schema the property holds (a nested model), or None."""
        target = self.deref(prop)
        return target if target.get("type") == "object" and "properties" in target else None

    def list_model(self, prop: dict) -> dict | None:
        if prop.get("type") == "array":
            return self.model_of(prop.get("items", {}))
        return None

    def column(self, path: tuple[str, ...], prop: dict, required: bool,
               optional_parent: tuple[str, ...] | None) -> Column:
        prop, _ = _strip_null(prop)
        desc = prop.get("description", "")
        common = {"required": required, "description": desc, "optional_parent": optional_parent}
        unit = prop.get("x-unit")
        if unit == "%":
            return Column(path, "percent", minimum=prop.get("minimum", 0), maximum=prop.get("maximum", 100), **common)
        if unit is not None:
            units = next((tuple(o["properties"]["unit"]["enum"]) for o in prop.get("anyOf", [])
                          if o.get("type") == "object"), (unit,))
            return Column(path, "quantity", units=units, minimum=0, **common)
        target = self.deref(prop)
        if "enum" in target:
            return Column(path, "choice", choices=tuple(target["enum"]), **common)
        kind = target.get("type")
        if kind == "array":
            items = self.deref(target.get("items", {}))
            return Column(path, "list", choices=tuple(items.get("enum", ())), **common)
        if kind == "boolean":
            return Column(path, "bool", **common)
        if kind in ("integer", "number"):
            low = prop.get("minimum", prop.get("exclusiveMinimum"))
            return Column(path, "integer" if kind == "integer" else "number", minimum=low,
                          maximum=prop.get("maximum"), **common)
        return Column(path, "text", **common)

    def flatten(self, model: dict, prefix: tuple[str, ...] = (), optional_parent=None,
                lists: list | None = None, parent_required: bool = True) -> list[Column]:
        """Columns of the scalar leaves of `model`; lists of models go to `lists`."""
        columns = []
        required = set(model.get("required", ()))
        for name, prop in model.get("properties", {}).items():
            path = prefix + (name,)
            bare, nullable = _strip_null(prop)
            nested = self.model_of(bare)
            if nested is not None:
                parent = path if nullable else optional_parent
                columns += self.flatten(nested, path, parent, lists, parent_required and name in required and not nullable)
                continue
            items = self.list_model(bare)
            if items is not None:
                if lists is None:
                    raise ValueError(f"a list of models inside a list item ({'.'.join(path)}) has no sheet layout")
                lists.append((path, items, nullable))
                continue
            columns.append(self.column(path, prop, name in required and parent_required, optional_parent))
        return columns


@lru_cache(maxsize=8)
def workbook_layout(model: type[BaseModel] | None = None) -> tuple[Sheet, ...]:
    """The sheets of a workbook for `model` (default: the park model), in order."""
    if model is None:
        from ..facts.models import Park
        model = Park
    schema = _Schema(model)
    root = schema.root
    sheets: list[Sheet] = []
    root_columns = []
    required = set(root.get("required", ()))
    for name, prop in root["properties"].items():
        bare, nullable = _strip_null(prop)
        nested = schema.model_of(bare)
        items = schema.list_model(bare)
        if nested is not None:
            lists: list = []
            columns = schema.flatten(nested, lists=lists)
            sheets.append(Sheet(name, (name,), "record", tuple(columns), optional=nullable))
            for sub, item, nullable_list in lists:
                sheets.append(Sheet(".".join((name,) + sub), (name,) + sub, "table",
                                    tuple(schema.flatten(item, lists=None)), nullable=nullable_list))
        elif items is not None:
            shape = "columns" if name in COLUMNS_SHEETS else "table"
            sheets.append(Sheet(name, (name,), shape, tuple(schema.flatten(items, lists=None)),
                                nullable=nullable and shape == "table"))
        else:
            root_columns.append(schema.column((name,), prop, name in required, None))
    first = next(i for i, s in enumerate(sheets) if s.shape == "record")
    sheets[first] = Sheet(sheets[first].key, sheets[first].path, "record", sheets[first].columns,
                          sheets[first].optional, tuple(root_columns))
    return tuple(sheets)


def sheet_by_title(title: str, layout: tuple[Sheet, ...]) -> Sheet | None:
    """The sheet a workbook tab (or CSV file stem) names, in either language."""
    wanted = title.strip().lower()
    for sheet in layout:
        if wanted in (sheet.key.lower(), sheet.title("zh").lower(), sheet.title("en").lower()):
            return sheet
    return None


def value_of(data: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` in nested dicts, or None."""
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data
