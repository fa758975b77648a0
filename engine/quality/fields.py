"""Which park fields are shares and which are quantities, read from the park model itself, and
the paths and words a warning names them with.

The kinds are what the park's JSON Schema says (`Park.model_json_schema()`), read from the
models' annotations it is made of: a field whose schema carries `x-unit: "%"` is a percentage
(0-100: shares, rates, load), any other `x-unit` is a quantity in that canonical unit. A field added to the model is therefore checked without a list
here to update.

Paths are written as `engine.facts.overrides` reads them: list items by their own key where they
have one (`years[year=2024].energy.coal`, `enterprises[id=E01].energy_use`,
`plan.tasks[id=T-3].progress`), else by index (`profile.leading_industries[0].output_share`).
"""
from __future__ import annotations

from enum import Enum
from functools import lru_cache
from types import UnionType
from typing import Annotated, Any, Iterator, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo

from ..facts.models import Park

__all__ = ["FieldKind", "field_kinds", "walk", "item_path", "fmt_value", "FIELD_WORDS"]

FieldKind = tuple[str, float | None]      # (canonical unit, maximum) - unit "%" for percentages


def _extra_unit(item: Any) -> str | None:
    """The `x-unit` an annotation item puts into the JSON Schema: a `Field(json_schema_extra=...)`
    or a `WithJsonSchema` dict."""
    extra = getattr(item, "json_schema_extra", None)
    if not isinstance(extra, dict):
        extra = getattr(item, "json_schema", None)      # WithJsonSchema
    return extra.get("x-unit") if isinstance(extra, dict) else None


def _leaf_kind(items: list) -> FieldKind | None:
    """The kind one JSON Schema node gets from these annotation items (see `_kind`)."""
    unit = next((u for u in map(_extra_unit, items) if u is not None), None)
    if unit is None:
        return None
    if any(isinstance(item, WithJsonSchema) for item in items):     # replaces the schema: its own maximum
        schema = next(item.json_schema for item in items if isinstance(item, WithJsonSchema))
        return unit, schema.get("maximum") if isinstance(schema, dict) else None
    maximum = None
    for item in items:
        for constraint in [item, *getattr(item, "metadata", ())]:
            if isinstance(constraint, annotated_types.Le):
                maximum = constraint.le
    return unit, maximum


def _flatten(tp: Any, items: list) -> tuple[Any, list]:
    """(the type inside any `Annotated[...]`, its annotation items with `items` first)."""
    while get_origin(tp) is Annotated:
        tp, *more = get_args(tp)
        items = [*items, *more]
    return tp, items


def _kind(field: FieldInfo) -> FieldKind | None:
    """What the JSON Schema of `field` says of its unit, as `_schema` used to read it from
    `Park.model_json_schema()`: the `x-unit` of the field's own node, else of the first member of
    its `anyOf` (an optional field) that has one, with the `maximum` of that node."""
    tp, items = _flatten(field.annotation, [field, *field.metadata])
    own = _leaf_kind(items)
    if own is not None or get_origin(tp) not in (Union, UnionType):
        return own
    for member in get_args(tp):
        kind = _leaf_kind(_flatten(member, [])[1])
        if kind is not None:
            return kind
    return None


def _model_ref(tp: Any) -> type | None:
    """The park model (or enum: a JSON Schema definition too) a field holds directly, as a list
    item or as a member of an optional: the `$ref`s of its JSON Schema."""
    tp = _flatten(tp, [])[0]
    if isinstance(tp, type) and issubclass(tp, (BaseModel, Enum)):
        return tp
    origin = get_origin(tp)
    if origin in (Union, UnionType, list):
        for arg in get_args(tp):
            ref = _model_ref(arg) if origin is list else _model_ref(_items_of(arg))
            if ref is not None:
                return ref
    return None


def _items_of(tp: Any) -> Any:
    """A list's item type (a union member `list[X] | None` holds X), else `tp` itself."""
    tp = _flatten(tp, [])[0]
    return get_args(tp)[0] if get_origin(tp) is list and get_args(tp) else tp


@lru_cache(maxsize=1)
def _schema() -> tuple[dict[str, dict[str, FieldKind]], dict[str, dict[str, str]]]:
    """Model name -> field -> kind, and model name -> field -> the model it holds, for `Park` and
    every model below it - read from the models' annotations, which is what their JSON Schema is
    made of (`Park.model_json_schema()` took ~25 ms of every assessment's start; issue #13;
    tests/test_data_quality.py checks both give the same)."""
    kinds: dict[str, dict[str, FieldKind]] = {}
    refs: dict[str, dict[str, str]] = {}
    todo: list[type] = [Park]
    while todo:
        cls = todo.pop()
        if cls.__name__ in kinds:
            continue
        if issubclass(cls, Enum):       # a definition without properties
            kinds[cls.__name__], refs[cls.__name__] = {}, {}
            continue
        fields = cls.model_fields
        kinds[cls.__name__] = {f: k for f, k in ((f, _kind(info)) for f, info in fields.items()) if k is not None}
        held = {f: _model_ref(info.annotation) for f, info in fields.items() if f not in kinds[cls.__name__]}
        refs[cls.__name__] = {f: ref.__name__ for f, ref in held.items() if ref is not None}
        todo.extend(ref for ref in held.values() if ref is not None)
    return kinds, refs


@lru_cache(maxsize=None)
def _schema_plan(unit: str | None = None) -> tuple[dict[str, dict[str, FieldKind]], dict[str, set[str]]]:
    """The kinds (of `unit` only, if given) and, per model, the fields holding a model with such
    a field somewhere below."""
    all_kinds, nested = _schema()
    kinds = {name: {f: k for f, k in ks.items() if unit is None or k[0] == unit} for name, ks in all_kinds.items()}
    holds = {name for name, k in kinds.items() if k}            # models with a unit field somewhere below
    while True:
        more = {name for name, refs in nested.items() if name not in holds and set(refs.values()) & holds}
        if not more:
            break
        holds |= more
    return kinds, {name: {f for f, ref in refs.items() if ref in holds} for name, refs in nested.items()}


def field_kinds() -> dict[str, dict[str, FieldKind]]:
    """Model class name -> field name -> (unit, maximum), for every field with a unit."""
    return _schema_plan()[0]


def item_path(parent: str, index: int, item: Any) -> str:
    """`years[year=2024]`, `enterprises[id=E01]`, else `profile.leading_industries[0]`."""
    for key in _item_keys(type(item)):
        value = getattr(item, key, None)
        if isinstance(value, (int, str)) and "]" not in str(value):
            return f"{parent}[{key}={value}]"
    return f"{parent}[{index}]"


@lru_cache(maxsize=None)
def _item_keys(cls: type) -> tuple[str, ...]:
    """Which of `year`, `id` an item of `cls` may have: for a model that allows no extra fields,
    its fields and class attributes (a missing attribute costs pydantic an exception)."""
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls.model_config.get("extra") == "allow":
        return ("year", "id")
    return tuple(k for k in ("year", "id") if k in cls.model_fields or hasattr(cls, k))


def walk(model: BaseModel, path: str = "", unit: str | None = None
         ) -> Iterator[tuple[str, float, FieldKind]]:
    """(path, value, kind) of every reported value with a unit (or with `unit` only) in `model`,
    depth first (only the fields that are, or hold, such values are visited)."""
    out: list[tuple[str, float, FieldKind]] = []
    _collect(model, path, out, unit)
    return iter(out)


_PLANS: dict[tuple[str | None, type], tuple[tuple[str, FieldKind | None], ...]] = {}


def _plan_of(unit: str | None, cls: type) -> tuple[tuple[str, FieldKind | None], ...]:
    """The fields of `cls` that walk visits, in model order, each with its kind (None: a field
    that only holds such values); worked out once per class (walk runs over every enterprise)."""
    plan = _PLANS.get((unit, cls))
    if plan is None:
        all_kinds, all_nested = _schema_plan(unit)
        kinds, nested = all_kinds.get(cls.__name__, {}), all_nested.get(cls.__name__, set())
        plan = _PLANS[unit, cls] = tuple((name, kinds.get(name)) for name in cls.model_fields
                                         if name in kinds or name in nested)
    return plan


def _collect(model: BaseModel, path: str, out: list, unit: str | None) -> None:
    for name, kind in _plan_of(unit, type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        here = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            _collect(value, here, out, unit)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _collect(item, item_path(here, i, item), out, unit)
        elif kind is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append((here, float(value), kind))


def _plain(x: float) -> str:
    """Four significant figures, never rounding inside the integer part, thousands separators."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{float(f'{x:.4g}'):,.4g}" if x else "0"


def fmt_value(value: float, unit: str | None, lang: str) -> str:
    """A number with its canonical unit for a sentence: at most four significant figures, thousands
    separators; Chinese groups large amounts in 万/亿 (`46 万t`, `89 亿元`), English in million and
    billion (`64.5 million m³`, `8.9 billion yuan`); "%" is joined (`78%`)."""
    if unit == "%":
        return f"{_plain(value)}%"
    words = {"m3": "m³", "km2": "km²"}.get(unit or "", unit or "")
    if unit == "万元":
        if lang == "zh":
            return f"{_plain(value / 1e4)} 亿元" if abs(value) >= 1e4 else f"{_plain(value)} 万元"
        value, words = value * 1e4, "yuan"
    scaled, prefix = value, ""
    steps = [(1e8, "亿"), (1e4, "万")] if lang == "zh" else [(1e9, "billion "), (1e6, "million ")]
    if unit != "km2":
        for size, word in steps:
            if abs(value) >= size:
                scaled, prefix = value / size, word
                break
    return f"{_plain(scaled)} {prefix}{words}".rstrip()


# Readable names of the fields warnings talk about, zh/en (the model's descriptions are partly
# English notes, not labels); a field without one is named by its path.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "air_quality_good_days": ("空气质量优良天数比例", "share of days with good air quality"),
    "waste_heat_recovery": ("余热资源回收利用率", "waste-heat recovery rate"),
    "output_share": ("主导产业产值占比", "leading industry's share of output"),
    "progress": ("任务进度", "task progress"),
    "load_rate": ("污水处理厂负荷率", "wastewater plant load rate"),
    "gdp": ("地区生产总值", "GDP"),
    "industrial_output": ("工业总产值", "industrial output"),
    "industrial_value_added": ("工业增加值", "industrial value added"),
    "high_tech_output": ("高新技术产业产值", "high-tech industry output"),
    "two_high_output": ("“两高”行业产值", "output of energy- and emission-intensive (两高) industries"),
    "heavy_industry_output": ("重工业产值", "heavy-industry output"),
    "raw_material_output": ("原材料工业产值", "raw-material industry output"),
    "green_industry_value_added": ("绿色低碳产业增加值", "green low-carbon industry value added"),
    "green_rd_expenditure": ("绿色低碳技术研发经费", "green low-carbon R&D expenditure"),
    "purchased_electricity": ("外购电力", "purchased electricity"),
    "green_electricity": ("绿色电力", "green electricity"),
    "onsite_renewable_generation": ("自发自用可再生能源电力", "self-consumed on-site renewable power"),
    "coal": ("原煤", "raw coal"), "coke": ("焦炭", "coke"), "natural_gas": ("天然气", "natural gas"),
    "fuel_oil": ("燃料油", "fuel oil"), "diesel": ("柴油", "diesel"), "gasoline": ("汽油", "gasoline"),
    "lpg": ("液化石油气", "LPG"), "purchased_heat": ("外购热力", "purchased heat"),
    "reported_total": ("园区统计的综合能源消费量", "the park's own energy total"),
    "fresh_withdrawal": ("新鲜水取水量", "fresh water withdrawal"),
    "reused": ("重复利用水量", "reused water"), "reclaimed_used": ("再生水利用量", "reclaimed water used"),
    "wastewater_discharged": ("废水排放量", "wastewater discharged"),
    "general_generated": ("一般工业固体废物产生量", "general industrial solid waste generated"),
    "general_utilised": ("一般工业固体废物综合利用量", "general industrial solid waste utilised"),
    "hazardous_generated": ("危险废物产生量", "hazardous waste generated"),
    "hazardous_managed": ("危险废物利用处置量", "hazardous waste utilised or disposed of"),
    "cod": ("化学需氧量排放量", "COD discharged"), "ammonia_nitrogen": ("氨氮排放量", "ammonia nitrogen discharged"),
    "so2": ("二氧化硫排放量", "SO2 emitted"), "nox": ("氮氧化物排放量", "NOx emitted"),
    "vocs": ("挥发性有机物排放量", "VOCs emitted"), "particulates": ("颗粒物排放量", "particulates emitted"),
    "developed_land": ("已开发工业用地面积", "developed industrial land"),
    "area": ("园区规划面积", "planned park area"), "industrial_land_area": ("规划工业用地面积", "planned industrial land"),
    "pv": ("光伏装机容量", "PV capacity"), "storage": ("新型储能容量", "new-type energy storage capacity"),
    "energy_use": ("企业综合能源消费量", "enterprise energy use"), "output": ("企业产值", "enterprise output"),
}


def field_words(path: str, lang: str) -> str:
    """The readable name of the field at the end of `path` (the path itself when none is known)."""
    words = FIELD_WORDS.get(path.rsplit(".", 1)[-1])
    return (words[0] if lang == "zh" else words[1]) if words else path
