"""Request bodies: JSON, or YAML where a route takes park facts, or an Excel workbook where a
route takes one park, read under the server's limit.

A body declared `application/yaml` (or `application/x-yaml`, `text/yaml`) is parsed with the
project's bounded YAML 1.2 loader (`engine.sourcefile.parse_document`: the CLI's reader, with its
limits on depth and aliases) and handed on as the equivalent JSON, so the workers, the decision
log (`GET /v1/assessments/{id}/input` is JSON) and the input digest are those of the same facts
sent as JSON. Its syntax errors answer 400 `malformed-yaml`, duplicate keys and the loader's
limits 422, each with the `line` and `column` in the body; validation errors of facts sent as
YAML carry the line and column of the value they name (`locate`).

A body declared `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` (`XLSX`, the
park workbook of `greenpark template` / `convert --to xlsx`) is read and validated by the CLI's
intake (`engine.intake.load_workbook_bytes`: its bounds on size, rows and cells, its wording;
the unpacked size bounded by the server's `max_workbook_unpacked_bytes`) and handed on as the park JSON it converts to (`greenpark convert --to json`, compact, like a
YAML body's), so the decision log and replays see JSON. A workbook that cannot be read, or whose
cells the intake refuses, answers 422 with every problem in `errors`, each with its field `path`
and, where it has one, its `cell` (`企业!F12`); facts the workers refuse later are located the
same way. A workbook over a bound on reading it (unpacked bytes, checked before anything is
unpacked; rows of a sheet or cells, counted as read) answers 413 `too-large`, as a body over the
server's `--max-body` does, naming the limit and the measured size.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from ..errors import InputError, InputTooLarge, MalformedInput
from .problems import ClientAborted, ProblemError

__all__ = ["JSON", "YAML_TYPES", "XLSX", "Body", "read_body", "require_media", "locate", "json_or_yaml_content"]

JSON = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WORKBOOK_NAME = "workbook"         # how problems name the body: `workbook:企业!F12`
_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


@dataclass
class Body:
    """A request body as JSON bytes; `document` is the parsed YAML (line and column of each path)
    or the read workbook (its cell) when it was one of those."""

    raw: bytes
    document: Any = None

    @property
    def is_yaml(self) -> bool:
        return self.document is not None and not self.is_workbook

    @property
    def is_workbook(self) -> bool:
        from ..intake.reader import SheetDocument
        return isinstance(self.document, SheetDocument)


def require_media(request: Request, *, yaml: bool, xlsx: bool = False) -> str:
    """The body's media type: JSON (also when none is declared), YAML where `yaml`, a workbook
    where `xlsx`; 415 otherwise."""
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
    accepted = (JSON, *(YAML_TYPES if yaml else ()), *((XLSX,) if xlsx else ()))
    if media == XLSX and xlsx:
        return media                # binary: a charset means nothing to it
    if media not in accepted or charset not in ("", "utf-8", "utf8"):
        what = f"JSON sent as {JSON}" + (f" or YAML sent as {YAML_TYPES[0]}" if yaml else "") + " (UTF-8)"
        if xlsx:
            what += f", or an Excel workbook sent as {XLSX}"
        raise ProblemError(415, "unsupported-media-type", f"the body must be {what}, not {declared!r}",
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


def _cell(file: str | None) -> str | None:
    """`企业!F12` of a problem's `workbook:企业!F12` (None: the problem names no cell)."""
    prefix = _WORKBOOK_NAME + ":"
    return file[len(prefix):] if file and file.startswith(prefix) and "!" in file else None


def _workbook_errors(problems: list) -> list[dict]:
    return [{"path": p.path or "", "message": p.message, **({"cell": _cell(p.file)} if _cell(p.file) else {})}
            for p in problems]


def _too_large(exc: InputTooLarge) -> ProblemError:
    """413 for a workbook over a bound on reading it, as for a body over --max-body."""
    if exc.what == "unpacked":
        detail = (f"工作簿解压后为 {exc.size} 字节，超过服务的上限 {exc.limit} 字节（max_workbook_unpacked_bytes，"
                  f"greenpark serve --max-workbook-unpacked），未予读取 / the workbook unpacks to {exc.size} bytes; "
                  f"the limit is {exc.limit} (max_workbook_unpacked_bytes, greenpark serve "
                  "--max-workbook-unpacked): it was not read")
    else:
        setting = "MAX_SHEET_ROWS" if exc.what == "rows" else "MAX_WORKBOOK_CELLS"
        zh = "工作表行数" if exc.what == "rows" else "单元格数"
        detail = (f"工作簿的{zh}超过上限 {exc.limit}（{setting}），读取已停止 / the workbook has more {exc.what} "
                  f"than the limit of {exc.limit} ({setting}): reading stopped")
    return ProblemError(413, "too-large", detail, errors=_workbook_errors(exc.problems))


def _from_workbook(raw: bytes, max_unpacked: int | None = None) -> Body:
    """Read and validate a workbook body (in a thread) into the park JSON it converts to; one
    that would unpack to more than `max_unpacked` bytes, or holds too many rows or cells, is 413."""
    from ..intake import load_workbook_bytes
    from ..intake.convert import quantities_as_text
    try:
        _, doc = load_workbook_bytes(raw, _WORKBOOK_NAME, max_unpacked)
    except InputTooLarge as exc:
        raise _too_large(exc) from None
    except InputError as exc:
        errors = _workbook_errors(exc.problems) or [{"path": "", "message": str(exc)}]
        unreadable = not any(e["path"] or "cell" in e for e in errors)
        detail = (f"请求体不是可读取的 .xlsx 工作簿 / the body cannot be read as an .xlsx workbook: {errors[0]['message']}"
                  if unreadable else
                  f"工作簿中有 {len(errors)} 处问题（见 errors：单元格与字段路径） / {len(errors)} problem(s) in the "
                  "workbook (see errors: cell and field path)")
        raise ProblemError(422, "malformed-workbook" if unreadable else "validation", detail, errors=errors) from None
    data = quantities_as_text(doc.data)
    try:
        return Body(json.dumps(data, ensure_ascii=False, allow_nan=False).encode(), doc)
    except UnicodeEncodeError:                   # a lone surrogate: let validation refuse it, as for JSON
        return Body(json.dumps(data, allow_nan=False).encode(), doc)


async def read_body(request: Request, limit: int, *, yaml: bool = False, xlsx: bool = False,
                    max_unpacked: int | None = None) -> Body:
    """The request body (JSON, YAML where `yaml`, an Excel workbook where `xlsx`; 415 for another
    media type), refusing more than `limit` bytes with 413 before reading it all, and a workbook
    that unpacks to more than `max_unpacked` bytes (default: the intake's MAX_WORKBOOK_UNPACKED)
    or holds too many rows or cells with 413 too; a client that hangs up meanwhile raises
    `ClientAborted`."""
    from anyio import to_thread
    media = require_media(request, yaml=yaml, xlsx=xlsx)
    raw = await _read_bytes(request, limit)
    if media == JSON:
        return Body(raw)
    if media == XLSX:
        return await to_thread.run_sync(_from_workbook, raw, max_unpacked)
    return await to_thread.run_sync(_from_yaml, raw)


def _path_tuple(path: str) -> tuple:
    return tuple(m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PATH_PART.finditer(path))


def locate(body: Body, errors: list[dict] | None) -> list[dict] | None:
    """`errors` with the line and column in a YAML body of the value each path names (or of its
    nearest parent in the body), or in a workbook body its cell."""
    if body.document is None or not errors:
        return errors
    if body.is_workbook:
        return [{**e, **({"cell": c} if (c := _cell(body.document.problem(_path_tuple(e.get("path") or ""), "").file))
                         else {})} for e in errors]
    out = []
    for e in errors:
        line, column = body.document.locate(_path_tuple(e.get("path") or ""))
        out.append({**e, **({"line": line, "column": column} if line else {})})
    return out


def json_or_yaml_content(schema: dict, examples: dict | None = None, *, workbook: bool = False) -> dict:
    """The `requestBody.content` of a route taking JSON or YAML: the same schema for each; with
    `workbook`, also the park workbook (`XLSX`, binary)."""
    json_body: dict = {"schema": schema, **({"examples": examples} if examples else {})}
    yaml_body = {"schema": schema}
    sheet = {XLSX: {"schema": {"type": "string", "format": "binary", "description": (
        "the park workbook of `greenpark template` / `greenpark convert --to xlsx`, read like "
        "`greenpark assess park.xlsx` and logged as the park JSON it converts to")}}}
    return {JSON: json_body, **{m: yaml_body for m in YAML_TYPES}, **(sheet if workbook else {})}
