"""Request bodies: JSON, or YAML where a route takes park facts, read under the server's limit.

A body declared `application/yaml` (or `application/x-yaml`, `text/yaml`) is parsed with the
project's bounded YAML 1.2 loader (`engine.sourcefile.parse_document`: the CLI's reader, with its
limits on depth and aliases) and handed on as the equivalent JSON, so the workers, the decision
log (`GET /v1/assessments/{id}/input` is JSON) and the input digest are those of the same facts
sent as JSON. Its syntax errors answer 400 `malformed-yaml`, duplicate keys and the loader's
limits 422, each with the `line` and `column` in the body; validation errors of facts sent as
YAML carry the line and column of the value they name (`locate`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from ..errors import InputError, MalformedInput
from .problems import ClientAborted, ProblemError

__all__ = ["JSON", "YAML_TYPES", "Body", "read_body", "require_media", "locate", "json_or_yaml_content"]

JSON = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


@dataclass
class Body:
    """A request body as JSON bytes; `document` is the parsed YAML (for line/column) when it was YAML."""

    raw: bytes
    document: Any = None

    @property
    def is_yaml(self) -> bool:
        return self.document is not None


def require_media(request: Request, *, yaml: bool) -> str:
    """The body's media type: JSON (also when none is declared), or YAML where `yaml`; 415 otherwise."""
    declared = request.headers.get("content-type")
    if declared is None:
        return JSON
    media, _, params = declared.partition(";")
    media = media.strip().lower()
    charset = ""
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    accepted = (JSON, *YAML_TYPES) if yaml else (JSON,)
    if media not in accepted or charset not in ("", "utf-8", "utf8"):
        what = f"JSON sent as {JSON}" + (f" or YAML sent as {YAML_TYPES[0]}" if yaml else "")
        raise ProblemError(415, "unsupported-media-type", f"the body must be {what} (UTF-8), not {declared!r}",
                           headers={"Accept-Post": ", ".join(accepted)})
    return media


async def _read_bytes(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise ProblemError(413, "too-large", f"the body is {length} bytes; the limit is {limit}")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ProblemError(413, "too-large", f"the body exceeds the limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientAborted(f"after {size} of {length or 'an unstated number of'} bytes") from None
    return b"".join(chunks)


def _yaml_error(exc: InputError) -> ProblemError:
    errors = [{"path": p.path or "", "message": p.message,
               **({"line": p.line} if p.line else {}), **({"column": p.column} if p.column else {})}
              for p in exc.problems] or [{"path": "", "message": str(exc)}]
    if isinstance(exc, MalformedInput):
        return ProblemError(400, "malformed-yaml", f"the body is not valid YAML: {exc.problems[0] if exc.problems else exc}",
                            errors=errors)
    return ProblemError(422, "validation", str(exc), errors=errors)


def _from_yaml(raw: bytes) -> Body:
    """Parse a YAML body (in a thread: pure Python, linear in its size) into its JSON equivalent."""
    from ..sourcefile import parse_document
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(400, "malformed-yaml", f"the body is not UTF-8: {exc}") from None
    try:
        doc = parse_document(text, "<body>", json_syntax=False)
    except InputError as exc:
        raise _yaml_error(exc) from None
    try:
        data = json.dumps(doc.data, ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:       # .inf / .nan: not JSON numbers
        raise ProblemError(422, "validation", f"the YAML holds a value JSON cannot: {exc}",
                           errors=[{"path": "", "message": str(exc)}]) from None
    except UnicodeEncodeError:                   # a lone surrogate: let validation refuse it, as for JSON
        data = json.dumps(doc.data, allow_nan=False).encode()
    return Body(data, doc)


async def read_body(request: Request, limit: int, *, yaml: bool = False) -> Body:
    """The request body (JSON, or YAML where `yaml`; 415 for another media type), refusing more
    than `limit` bytes with 413 before reading it all; a client that hangs up meanwhile raises
    `ClientAborted`."""
    from anyio import to_thread
    media = require_media(request, yaml=yaml)
    raw = await _read_bytes(request, limit)
    if media == JSON:
        return Body(raw)
    return await to_thread.run_sync(_from_yaml, raw)


def _path_tuple(path: str) -> tuple:
    return tuple(m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PATH_PART.finditer(path))


def locate(body: Body, errors: list[dict] | None) -> list[dict] | None:
    """`errors` with the line and column in a YAML body of the value each path names (or of its
    nearest parent in the body)."""
    if not body.is_yaml or not errors:
        return errors
    out = []
    for e in errors:
        line, column = body.document.locate(_path_tuple(e.get("path") or ""))
        out.append({**e, **({"line": line, "column": column} if line else {})})
    return out


def json_or_yaml_content(schema: dict, examples: dict | None = None) -> dict:
    """The `requestBody.content` of a route taking JSON or YAML: the same schema for each."""
    json_body: dict = {"schema": schema, **({"examples": examples} if examples else {})}
    yaml_body = {"schema": schema}
    return {JSON: json_body, **{m: yaml_body for m in YAML_TYPES}}
