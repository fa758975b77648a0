"""Change some facts of a park and get a fully re-validated park back (for what-if questions).

    >>> park2 = apply_overrides(park, {"years[year=2024].energy.green_electricity": "18.2 GWh",
    ...                                "enterprises[4].green_factory": True})     # doctest: +SKIP

A key is a park-file path, as findings name it in `evidence` and `missing`:

* `profile.area`, `years[2].energy.coal`, `enterprises[4].energy_use`, `plan.tasks[3].status` -
  field names joined by dots, list items by their 0-based index in the file;
* a list item may also be picked by its own key: `years[year=2024].energy.coal`,
  `enterprises[id=JS-E05].green_factory`, `plan.tasks[id=T-3].status`.

A list item is added by picking it by its key with the whole item as the value, its key set
alike (`enterprises[id=E99]: {id: E99, name: 新企业, ...}` where no enterprise is E99 yet:
appended), and removed by setting it to null (`enterprises[id=E03]: null`; by index, the index
of the park as it was before any change). Several items may be added and removed at once. A list
the park did not report (`enterprises` left out: unknown, not empty) is refused an item: one
enterprise added would read as the park's only one. It is set whole instead (`enterprises: [...]`,
`[]` for none), and `enterprises: null` makes a reported list unknown again.

A value is written as in a park file: a quantity with its unit (`"7000000 t"`, `"18.2 GWh"`,
`{value: 18.2, unit: GWh}`) goes through the same unit machinery as a park file
(`engine.units`); a **bare number on a quantity field is read in the field's canonical unit**
(t, MWh, m3, GJ, 万元, km2, MW, tce, tCO2 - the table in `engine.units`), where a park file
would refuse it; `null` (None) makes the value unknown and is refused on a required field; a
mapping or a list replaces the whole object or list. Setting (or clearing) an energy carrier
also takes it off that year's `energy.not_used`, since the new value replaces the "not used" mark.

The changed data is validated as a whole by the park model (`Park.model_validate`), exactly as a
park file is, so an override never yields an invalid park. Every complaint is an `InputError`
whose problems name the override's path: `overrides: years[2].energy.coal: must be >= 0 (got -5.0)`.
"""
from __future__ import annotations

import difflib
import re
import types
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, WithJsonSchema

from ..errors import InputError, Problem
from .loader import validation_problems
from .models import CARRIERS, Park
from ..sourcefile import Document, format_path

__all__ = ["apply_overrides", "task_done", "tasks_done_changes", "park_data", "describe_changes",
           "parse_assignment", "read_changes"]

SOURCE = "overrides"
_CARRIER_FIELDS = set(CARRIERS) | {"green_electricity"}


@dataclass(frozen=True)
class _Slot:
    """What a field holds: a model, a list of slots, a quantity (canonical unit) or a plain value."""

    kind: str                      # "model" | "list" | "quantity" | "scalar"
    nullable: bool = False
    model: type[BaseModel] | None = None
    item: "_Slot | None" = None
    unit: str | None = None


def _slot(annotation: Any, metadata: tuple = ()) -> _Slot:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _slot(args[0], tuple(args[1:]) + tuple(metadata))
    if origin in (Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        inner = _slot(kinds[0], metadata) if len(kinds) == 1 else _Slot("scalar")
        return _Slot(inner.kind, len(kinds) < len(args), inner.model, inner.item, inner.unit)
    if origin is list:
        return _Slot("list", item=_slot(args[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Slot("model", model=annotation)
    unit = next((m.json_schema["x-unit"] for m in metadata
                 if isinstance(m, WithJsonSchema) and m.json_schema and "anyOf" in m.json_schema), None)
    return _Slot("quantity" if unit else "scalar", unit=unit)


@cache
def _fields(model: type[BaseModel]) -> dict[str, _Slot]:
    return {name: _slot(f.annotation, tuple(f.metadata)) for name, f in model.model_fields.items()}


def park_data(park: Park) -> dict:
    """The park as park-file data that validates back to an equal park (quantities as
    `{value, unit}` in the canonical unit; values left out stay out)."""
    return _model_data(park)


def _model_data(model: BaseModel) -> dict:
    out = {}
    for name, slot in _fields(type(model)).items():
        value = getattr(model, name)
        if value is not None:
            out[name] = _value_data(value, slot)
    return out


def _value_data(value: Any, slot: _Slot) -> Any:
    if isinstance(value, BaseModel):
        return _model_data(value)
    if isinstance(value, list):
        return [_value_data(v, slot.item or _Slot("scalar")) for v in value]
    if slot.kind == "quantity":
        return {"value": value, "unit": slot.unit}
    if isinstance(value, Enum):
        return value.value
    return value


# ---- paths ----

_TOKEN = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)|\[(?P<index>\d+)\]|\[(?P<key>[A-Za-z_]+)=(?P<value>[^\]]+)\]"
                    r"|(?P<dot>\.)")


class _PathError(Exception):
    """A path that cannot be followed; `where` is the part of it that was reached."""

    def __init__(self, where: str, message: str):
        super().__init__(message)
        self.where, self.message = where, message


def _tokens(path: str) -> list[tuple]:
    """`years[year=2024].energy.coal` -> [("name","years"), ("key","year","2024"), ("name","energy"), ...]."""
    out, pos, want_name = [], 0, True
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None or (m["name"] is None) == want_name:      # a name exactly where one is due
            raise _PathError(path, f"cannot read the path at {path[pos:]!r} (write e.g. years[2].energy.coal, "
                                   "enterprises[id=E01].energy_use)")
        if m["name"]:
            out.append(("name", m["name"]))
            want_name = False
        elif m["index"] is not None:
            out.append(("index", int(m["index"])))
        elif m["key"]:
            out.append(("key", m["key"], m["value"].strip()))
        else:
            want_name = True
        pos = m.end()
    if not out or want_name or out[0][0] != "name":
        raise _PathError(path, "cannot read the path (write e.g. years[2].energy.coal)")
    return out


_NOTHING = object()


def _locate(data: dict, path: str, adding: Any = _NOTHING) -> tuple[tuple, _Slot, Any, Any]:
    """Follow `path` through `data` (park-file data) alongside the park model.

    Returns the resolved location (`("years", 2, "energy", "coal")`), the slot found there, and
    the container and key (or index) to assign to. With `adding` (the value to be set): a path
    that ends by picking a list item by its key that no item has, and a mapping with that key as
    the value, resolves to the list and its length (the item is to be appended). A list not
    reported (`enterprises` left out) has no items to pick or add to: it is set whole.

    Raises:
        _PathError: unreadable path, unknown field, no such item, or a step into a value that is
            not reported or has no fields.
    """
    slot, node, loc = _Slot("model", model=Park), data, ()
    parent: Any = None
    key: Any = None
    tokens = _tokens(path)
    for n, token in enumerate(tokens):
        here = format_path(loc)
        if token[0] == "name":
            if slot.kind == "list":
                raise _PathError(here, f"is a list: pick an item, e.g. {here}[0].{token[1]}")
            if slot.kind != "model":
                raise _PathError(here, f"is a single value: it has no field {token[1]!r}")
            fields = _fields(slot.model)
            if token[1] not in fields:
                hint = difflib.get_close_matches(token[1], list(fields), n=1)
                raise _PathError(format_path(loc + (token[1],)), f"unknown field {token[1]!r}" + (
                    f" (did you mean {hint[0]!r}?)" if hint else f" (known: {', '.join(sorted(fields))})"))
            if not isinstance(node, dict):
                raise _PathError(here, "is not reported (null): set it as a whole first")
            parent, key = node, token[1]
            node, slot, loc = node.get(token[1]), fields[token[1]], loc + (token[1],)
        else:
            if slot.kind != "list":
                raise _PathError(here, "is not a list: it has no items to pick")
            if not isinstance(node, list):         # a list not reported is unknown, not empty
                adds = token[0] == "key" and n == len(tokens) - 1 and isinstance(adding, dict)
                raise _PathError(here, "is not reported (unknown): " + (
                    "an item added to it would read as its only one" if adds else "it has no items to pick")
                    + f"; set the whole list instead ({here}: [...], or [] for none)")
            items = node
            if token[0] == "key" and n == len(tokens) - 1 and _new_item(items, token[1], token[2], adding):
                return loc + (len(items),), slot.item, items, len(items)
            index = token[1] if token[0] == "index" else _find(items, token[1], token[2], here)
            if index >= len(items):
                raise _PathError(format_path(loc + (index,)), f"no such item: {here} has {len(items)} "
                                 "item(s)" + (f" (indices 0-{len(items) - 1})" if items else ""))
            parent, key = items, index
            node, slot, loc = items[index], slot.item, loc + (index,)
    return loc, slot, parent, key


def _new_item(items: list, field: str, wanted: str, adding: Any) -> bool:
    """Whether picking `[field=wanted]` with the value `adding` adds an item: no item has that key,
    and the value is a whole item with it."""
    return isinstance(adding, dict) and str(adding.get(field)) == wanted and not any(
        isinstance(item, dict) and str(item.get(field)) == wanted for item in items)


def _find(items: list, field: str, wanted: str, here: str) -> int:
    """Index of the item whose `field` is `wanted` (compared as text)."""
    for i, item in enumerate(items):
        if isinstance(item, dict) and field in item and str(item[field]) == wanted:
            return i
    have = [str(item.get(field)) for item in items if isinstance(item, dict) and field in item]
    shown = ", ".join(have[:8]) + (", ..." if len(have) > 8 else "")
    raise _PathError(f"{here}[{field}={wanted}]", f"no item of {here} has {field} {wanted!r}"
                     + (f" ({field}: {shown})" if have else "")
                     + f"; to add one, give the whole item with {field}: {wanted}")


_REMOVED = object()        # a list item set to null: taken out once every change is applied


def _value(raw: Any, slot: _Slot, where: str, in_list: bool = False) -> Any:
    """A value as in a park file; a bare number on a quantity field is in its canonical unit; null
    on a list item removes it."""
    if raw is None and in_list:
        return _REMOVED
    if raw is None:
        if not slot.nullable:
            raise _PathError(where, "cannot be null (unknown): the field is required")
        return None
    if slot.kind == "quantity" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return f"{raw!r} {slot.unit}"      # repr round-trips a float exactly
    return raw


# ---- applying ----

def apply_overrides(park: Park, changes: dict[str, object], *, source: str = SOURCE) -> Park:
    """`park` with each path of `changes` set to its value, validated as a whole.

    Args:
        park: the park as assessed.
        changes: park-file path -> value as in a park file (see the module docstring); a bare
            number on a quantity field is in the field's canonical unit (t, MWh, m3, GJ, 万元,
            km2, MW, tce, tCO2); None makes an optional value unknown. Applied in order.
        source: the name problems are reported under (a file name, or "overrides").

    Raises:
        InputError: a path that cannot be followed, or a value the park model refuses; one
            problem per bad override, each naming its path.

    Example:
        >>> apply_overrides(park, {"years[2].energy.coal": "7000000 t"})     # doctest: +SKIP
    """
    if not isinstance(changes, dict):
        raise InputError("overrides must be a mapping",
                         [Problem("must be a mapping of park-file path -> value", file=source)])
    data = park_data(park)
    problems: list[Problem] = []
    applied: dict[tuple, str] = {}
    for path, raw in changes.items():
        try:
            if not isinstance(path, str):
                raise _PathError(str(path), "a path must be text, e.g. years[2].energy.coal")
            loc, slot, parent, key = _locate(data, path.strip(), raw)
            value = _value(raw, slot, path, in_list=isinstance(parent, list))
            if isinstance(parent, list) and key == len(parent):
                parent.append(value)
            elif isinstance(parent, list) and parent[key] is _REMOVED:
                raise _PathError(path.strip(), "is removed by another change of this what-if")
            else:
                parent[key] = value
        except _PathError as exc:
            problems.append(Problem(exc.message, file=source, path=exc.where or None))
            continue
        applied[loc] = path.strip()
        if len(loc) >= 2 and loc[-2] == "energy" and loc[-1] in _CARRIER_FIELDS and isinstance(parent, dict):
            if loc[-1] in parent.get("not_used", ()):
                parent["not_used"] = [c for c in parent["not_used"] if c != loc[-1]]
    if problems:
        raise InputError(f"{len(problems)} problem(s) in {source}", problems)
    _drop_removed(data)
    try:
        return Park.model_validate(data)
    except ValidationError as exc:
        problems = [_attribute(p, applied, source) for p in validation_problems(exc, Document(data, source), Park)]
        raise InputError(f"{len(problems)} problem(s) in {source}", problems) from None


def _drop_removed(node: Any) -> None:
    """Take the items set to null out of every list (after all changes, so that indices name the
    items of the park as it was)."""
    if isinstance(node, dict):
        for value in node.values():
            _drop_removed(value)
    elif isinstance(node, list):
        node[:] = [item for item in node if item is not _REMOVED]
        for item in node:
            _drop_removed(item)


def _attribute(problem: Problem, applied: dict[tuple, str], source: str) -> Problem:
    """Name the override a validation problem comes from: its own path when the problem is at or
    under it (the deepest such override), else the problem's place followed by the overrides
    beneath it."""
    where = problem.path or ""
    for place, path in sorted(applied.items(), key=lambda kv: -len(kv[0])):
        rest = _under(where, format_path(place))
        if rest is not None:
            return Problem(problem.message, file=source, path=path + rest)
    beneath = [path for place, path in applied.items() if _under(format_path(place), where) is not None]
    note = f" (after setting {', '.join(beneath)})" if beneath else ""
    return Problem(problem.message + note, file=source, path=problem.path)


def _under(path: str, prefix: str) -> str | None:
    """The rest of `path` below `prefix` (`""` when equal), or None when it is not below it."""
    if not prefix:
        return ("." + path if path and not path.startswith("[") else path)
    if path == prefix:
        return ""
    if path.startswith(prefix) and path[len(prefix)] in ".[":
        return path[len(prefix):]
    return None


def tasks_done_changes(park: Park, task_ids: list[str], *, source: str = SOURCE) -> dict[str, object]:
    """The overrides that mark each of `task_ids` done (status `done`; a reported progress -> 100).

    Raises:
        InputError: the park has no plan, or a task id is not in it (one problem per id).
    """
    tasks = (park.plan.tasks or []) if park.plan else []
    index = {t.id: i for i, t in enumerate(tasks)}
    problems, changes = [], {}
    for task_id in task_ids:
        i = index.get(task_id)
        if i is None:
            known = ", ".join(list(index)[:10]) + (", ..." if len(index) > 10 else "")
            problems.append(Problem(f"no plan task {task_id!r}" + (f" (tasks: {known})" if known else
                                                                   " (the park has no plan tasks)"),
                                    file=source, path="tasks_done"))
            continue
        changes[f"plan.tasks[{i}].status"] = "done"
        if tasks[i].progress is not None:
            changes[f"plan.tasks[{i}].progress"] = 100
    if problems:
        raise InputError(f"{len(problems)} problem(s) in {source}", problems)
    return changes


def task_done(park: Park, task_id: str) -> Park:
    """`park` with plan task `task_id` done (status `done`; its progress, if reported, 100 %).

    Raises:
        InputError: no plan task has that id.
    """
    return apply_overrides(park, tasks_done_changes(park, [task_id]))


def describe_changes(before: Park, after: Park, changes: dict[str, object]) -> list[dict]:
    """Each changed path with its value before and after, as `{"path", "at", "before", "after",
    "unit", "change"}` (`at`: the path with list items by index; a quantity's values in its
    canonical unit, None where unknown; a mapping or list as park-file data; `change`: "set", or
    "added" / "removed" for a list item, before resp. after None, `at` of a removed item its place
    before).

    Args:
        before: the park the changes were applied to.
        after: `apply_overrides(before, changes)` (paths that applied there resolve here).
        changes: the same changes (a path that does not resolve in `after` is left out).
    """
    old, new = park_data(before), park_data(after)
    out = []
    for path, raw in changes.items():
        path = str(path).strip()
        if raw is None and (removed := _resolve(old, path)) is not None and isinstance(removed[2], list):
            loc = removed[0]
            out.append({"path": path, "at": format_path(loc), "before": _get(old, loc), "after": None, "unit": None,
                        "change": "removed"})
            continue
        found = _resolve(new, path)
        if found is None:
            continue
        loc, slot = found[0], found[1]
        unit = slot.unit if slot.kind == "quantity" else None
        was = _resolve(old, path)                      # by key: an item added has no "before"
        out.append({"path": path, "at": format_path(loc),
                    "before": _plain(old, was[0], unit) if was is not None else None,
                    "after": _plain(new, loc, unit), "unit": unit,
                    "change": "added" if was is None and isinstance(found[2], list) else "set"})
    return out


def _resolve(data: dict, path: str) -> tuple | None:
    try:
        return _locate(data, path)
    except _PathError:
        return None


def _get(data: Any, loc: tuple) -> Any:
    for part in loc:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def _plain(data: dict, loc: tuple, unit: str | None) -> Any:
    """The value at `loc`: a quantity's canonical number (park_data writes {value, unit}), and an
    energy carrier listed in `not_used` as the reported 0 it stands for."""
    value = _get(data, loc)
    if unit and isinstance(value, dict) and set(value) == {"value", "unit"}:
        return value["value"]
    if value is None and len(loc) >= 2 and loc[-2] == "energy" and loc[-1] in _CARRIER_FIELDS \
            and loc[-1] in (_get(data, loc[:-1]) or {}).get("not_used", ()):
        return 0.0
    return value


# ---- reading overrides from a command line or a file ----

def parse_assignment(text: str, *, source: str = "--set") -> tuple[str, Any]:
    """`PATH=VALUE` -> (path, value); VALUE is read as YAML (`18.2 GWh` is text, `true` a flag,
    `null` unknown, `[coal, coke]` a list, `12.5` a number in the field's canonical unit).

    Raises:
        InputError: no `=`, an empty path, or a VALUE that is not YAML.
    """
    from ..sourcefile import parse_document
    depth, cut = 0, -1
    for i, ch in enumerate(text):                 # the first `=` outside [...]: years[year=2024].x=1
        depth += (ch == "[") - (ch == "]")
        if ch == "=" and depth == 0:
            cut = i
            break
    path, raw = (text[:cut].strip(), text[cut + 1:]) if cut >= 0 else ("", "")
    if not path:
        raise InputError("bad assignment", [Problem(f"expected PATH=VALUE (e.g. years[2].energy.coal=\"7000 t\"), "
                                                    f"got {text!r}", file=source)])
    try:
        return path, parse_document(raw, source, json_syntax=False).data
    except InputError as exc:
        why = exc.problems[0].message if exc.problems else str(exc)
        raise InputError("bad value", [Problem(f"cannot read the value {raw!r}: {why}", file=source,
                                               path=path)]) from None


def read_changes(data: Any, *, source: str) -> tuple[dict[str, object], list[str]]:
    """Overrides and task ids from parsed data: either a mapping of path -> value, or
    `{overrides: {path: value}, tasks_done: [task ids]}` (no park field has those names).

    Raises:
        InputError: any other shape.
    """
    if isinstance(data, dict) and data and set(data) <= {"overrides", "tasks_done"}:
        overrides, done = data.get("overrides") or {}, data.get("tasks_done") or []
    else:
        overrides, done = data, []
    problems = []
    if not isinstance(overrides, dict) or not all(isinstance(k, str) for k in overrides):
        problems.append(Problem("must be a mapping of park-file path -> value", file=source, path="overrides"))
    if not isinstance(done, list) or not all(isinstance(t, str) for t in done):
        problems.append(Problem("must be a list of plan task ids", file=source, path="tasks_done"))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in {source}", problems)
    return overrides, done
