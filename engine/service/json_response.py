"""The service's JSON response class: bodies encoded by `engine.json_output` (orjson), so the HTTP
service writes JSON exactly as the CLI does.

`create_app` makes it the app's default response class: a route returning plain data (a dict, a
list) gets its body from this class instead of Starlette's `JSONResponse` (`json.dumps`, ~10x slower
on a result). A route returning a `Response` itself is untouched.

The bytes parse to what `JSONResponse` would write; non-finite floats come out as `null` where
`JSONResponse` raises (engine/json_output.py).
"""
from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from ..json_output import dump_bytes

__all__ = ["JSONBytesResponse"]


class JSONBytesResponse(JSONResponse):
    """`application/json`, compact UTF-8, keys in the data's own order.

    Example:
        >>> JSONBytesResponse({"名称": "园区", "n": 1}).body.decode()
        '{"名称":"园区","n":1}'
    """

    def render(self, content: Any) -> bytes:
        return dump_bytes(content)
