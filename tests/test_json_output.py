"""engine.json_output: orjson's bytes parse to exactly what json.dumps writes, and what orjson
refuses (non-str keys, integers beyond 64 bits, deep nesting, lone surrogates) is written by the
standard library instead - each case exercised, on both paths."""
from __future__ import annotations

import dataclasses
import datetime
import json
import math

import pytest

from engine import json_output
from engine.json_output import dump_bytes, dump_text

orjson = pytest.importorskip("orjson")


def _std(obj, *, pretty=False, sort_keys=False) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None, sort_keys=sort_keys).encode()


@pytest.fixture(params=["orjson", "stdlib"])
def path(request, monkeypatch):
    """Every case on the orjson path and on the fallback alone (as without orjson installed)."""
    if request.param == "stdlib":
        monkeypatch.setattr(json_output, "orjson", None)
    return request.param


SAMPLE = {"名称": "绿色园区", "escapes": "tab\t nl\n quote\" back\\ nul\x00 \x1f \u2028 \U0001F33F",
          "numbers": [0, -1, 2 ** 63 - 1, -(2 ** 63), 2 ** 64 - 1, 0.1, 1e16, 1e-7, -0.0, 1.5e300, 3.0],
          "nested": {"empty_list": [], "empty_dict": {}, "flags": [True, False, None]},
          "tuple": (1, "二")}


@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("sort_keys", [False, True])
def test_same_content_and_layout_as_json_dumps(path, pretty, sort_keys):
    out = dump_bytes(SAMPLE, pretty=pretty, sort_keys=sort_keys)
    assert json.loads(out) == json.loads(_std(SAMPLE, pretty=pretty, sort_keys=sort_keys))
    assert list(json.loads(out)) == list(json.loads(_std(SAMPLE, sort_keys=sort_keys)))   # key order
    text = out.decode("utf-8")
    assert "名称" in text and "\\u" not in text.replace("\\u0000", "").replace("\\u001f", "")
    assert ("\n  \"" in text) == pretty
    assert not text.endswith("\n")
    assert dump_text(SAMPLE, pretty=pretty, sort_keys=sort_keys) == text


def test_a_real_result_is_byte_for_byte_json_dumps():
    """A result indented: the same bytes as json.dumps(indent=2, ensure_ascii=False)."""
    from engine import Assessor, load_park
    result = Assessor().assess(load_park("examples/typical_municipal_park.yaml"))
    assert dump_bytes(result, pretty=True) == _std(result, pretty=True)
    assert json.loads(dump_bytes(result)) == json.loads(_std(result))


@pytest.mark.parametrize("obj", [
    {1: "int key", "a": 1},
    {True: "bool key", None: "none key", 2.5: "float key"},
    {"big": 2 ** 64, "small": -(2 ** 63) - 1, "huge": 10 ** 40},
    [1],
], ids=["int-key", "other-keys", "big-ints", "nesting"])
@pytest.mark.parametrize("pretty", [False, True])
def test_what_orjson_refuses_is_written_by_the_standard_library(path, obj, pretty):
    if isinstance(obj, list):           # deeper than orjson's 254 levels
        for _ in range(300):
            obj = [obj]
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(obj)
    out = dump_bytes(obj, pretty=pretty)
    assert json.loads(out) == json.loads(_std(obj, pretty=pretty))


def test_sorted_non_str_keys_as_json_dumps(path):
    """int keys sort as numbers (9 before 10), as json.dumps sorts them; mixed key types refuse
    to sort, as in json.dumps."""
    obj = {10: "ten", 9: "nine", 100: {"z": 1, "y": 2}}
    assert dump_bytes(obj, sort_keys=True) == json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(TypeError):
        dump_bytes({"b": 1, 2: "two"}, sort_keys=True)


def test_lone_surrogate_written_escaped(path):
    obj = {"text": "a\ud800b", "名": "中"}
    out = dump_bytes(obj)
    assert json.loads(out) == obj
    assert b"\\ud800" in out


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_null_on_both_paths(path, value):
    assert json.loads(dump_bytes({"x": value, "l": [value, 1.0]})) == {"x": None, "l": [None, 1.0]}
    # with an int key as well, so orjson hands the whole object to the standard library
    assert json.loads(dump_bytes({1: value, "l": [value]}, pretty=True)) == {"1": None, "l": [None]}


@dataclasses.dataclass
class _Point:
    x: int


@pytest.mark.parametrize("obj", [{"s": {1, 2}}, {"d": _Point(1)}, {"t": datetime.date(2024, 1, 1)}, {"o": object()}])
def test_what_json_cannot_encode_raises_type_error(path, obj):
    with pytest.raises(TypeError):
        json.dumps(obj)
    with pytest.raises(TypeError):
        dump_bytes(obj)


def test_a_cycle_raises_value_error(path):
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError):
        dump_bytes(loop)


def test_the_service_answers_plain_data_through_json_output(tmp_path):
    """Every route of the app defaults to JSONBytesResponse; its body is dump_bytes' (no request
    is made: the app's lifespan, with its worker pool, does not start)."""
    from fastapi.routing import APIRoute
    from starlette.responses import JSONResponse

    from engine.service.app import create_app
    from engine.service.config import Settings
    from engine.service.json_response import JSONBytesResponse
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'log.db'}", auth=False))
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert routes and all(r.response_class is JSONBytesResponse for r in routes)
    data = {"名称": "园区", "values": [1, 2.5, None], "big": 2 ** 64, 7: "int key"}
    response = JSONBytesResponse(data)
    assert response.body == dump_bytes(data)
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.body) == json.loads(JSONResponse(data).body)      # Starlette's json.dumps
