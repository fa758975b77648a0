"""RFC 9457 problem details (`application/problem+json`) and the app's exception handlers.

Every error the service returns is one JSON object with `type`, `title`, `status`, `detail`,
`instance`, and for validation errors `errors: [{path, message}]`. No handler ever puts a
traceback in a response; unexpected exceptions are logged and answered with a bare 500.

A client that goes away before its request body has arrived is not a server error: it is logged
on one INFO line without a traceback and counted in /metrics with status 499 ("client closed
request", nginx's code; nothing is sent, there is no one to send it to).
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ..json_output import dump_bytes

__all__ = ["ProblemError", "ClientAborted", "problem_body", "problem_response", "install_handlers",
           "PROBLEM_BASE", "input_problem_errors", "CLIENT_CLOSED"]

log = logging.getLogger("greenpark.service")
PROBLEM_BASE = "https://greenpark.example/problems/"
MEDIA_TYPE = "application/problem+json"
_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 406: "Not acceptable", 413: "Content too large",
           415: "Unsupported media type", 422: "Unprocessable content", 499: "Client closed request",
           500: "Internal server error", 503: "Service unavailable"}
CLIENT_CLOSED = 499


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(self, status: int, kind: str, detail: str, *, title: str | None = None,
                 errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.title = title or _TITLES.get(status, "Error")
        self.errors, self.headers = errors, headers or {}


class ClientAborted(ClientDisconnect):
    """The client closed the connection while its request body was arriving; `detail` says how far
    it got."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def problem_body(status: int, kind: str, detail: str, instance: str, *, title: str | None = None,
                 errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The problem document as a dict."""
    body: dict[str, Any] = {"type": PROBLEM_BASE + kind, "title": title or _TITLES.get(status, "Error"),
                            "status": status, "detail": detail, "instance": instance}
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(exc: ProblemError, instance: str) -> Response:
    body = problem_body(exc.status, exc.kind, exc.detail, instance, title=exc.title, errors=exc.errors)
    return Response(dump_bytes(body), status_code=exc.status,
                    media_type=MEDIA_TYPE, headers=exc.headers)


def input_problem_errors(problems: list[dict[str, Any]]) -> list[dict[str, str]]:
    """`[{path, message}]` from worker-side `Problem`s (path '' means the whole document)."""
    return [{"path": p.get("path") or "", "message": p.get("message") or ""} for p in problems]


def _loc_path(loc: tuple) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")] or list(loc)
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def install_handlers(app: FastAPI) -> None:
    """Route every error through problem+json."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"path": _loc_path(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))}
                  for e in exc.errors()]
        return problem_response(ProblemError(422, "validation", f"{len(errors)} invalid parameter(s)",
                                             errors=errors), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        return problem_response(ProblemError(exc.status_code, kind, detail, headers=dict(exc.headers or {})),
                                request.url.path)

    @app.exception_handler(ClientDisconnect)
    async def _client_gone(request: Request, exc: ClientDisconnect) -> Response:
        log.info("client closed the connection during %s %s%s; counted as %d", request.method, request.url.path,
                 f" ({exc.detail})" if isinstance(exc, ClientAborted) else "", CLIENT_CLOSED)
        return problem_response(ProblemError(CLIENT_CLOSED, "client-closed", "the client closed the connection"),
                                request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(ProblemError(500, "internal", "an unexpected error occurred; it was logged"),
                                request.url.path)
