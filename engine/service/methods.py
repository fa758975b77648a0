"""`Allow` and `OPTIONS` from the whole route table: a pure ASGI middleware.

Starlette answers a method that no route serves with the methods of the *first* route whose path
matched, so `PUT /v1/assessments` said `Allow: POST` although GET is served there too, `OPTIONS`
got 405, and `GET /v1/assessments/batch` reached the `/v1/assessments/{decision_id}` route. Here
a request path is looked up in every route first:

* the routes that serve the path are those with a literal path equal to it if there is one (the
  literal `/v1/assessments/batch` shadows the template `/v1/assessments/{decision_id}`), else every
  template that matches it;
* their methods, plus OPTIONS, are the path's `Allow`;
* `OPTIONS` answers 204 with that `Allow` (no key needed: it reveals only what the OpenAPI
  document already says); another method they do not serve answers 405 problem+json with it;
* a path no route serves goes on to the router (404); so does every allowed method.

    app.add_middleware(MethodsMiddleware, app=fastapi_app)     # reads fastapi_app.routes lazily
"""
from __future__ import annotations

from typing import Any

from .problems import ProblemError, problem_response

__all__ = ["MethodsMiddleware", "allowed_methods"]


def _flat(routes: list[Any]) -> list[Any]:
    """The routes, with those of included routers in place (FastAPI keeps an `include_router`
    as one entry holding the router; the service's routers are included without a prefix)."""
    out: list[Any] = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        out += _flat(inner.routes) if inner is not None else [r]
    return out


def allowed_methods(routes: list[Any], path: str) -> tuple[set[str], Any] | None:
    """(methods, first serving route) for `path`, or None when no route serves it."""
    routes = _flat(routes)
    literal = [r for r in routes if getattr(r, "methods", None) and r.path == path and "{" not in r.path]
    serving = literal or [r for r in routes if getattr(r, "methods", None) and r.path_regex.match(path)]
    if not serving:
        return None
    return set().union(*(r.methods for r in serving)), serving[0]


class MethodsMiddleware:
    """Answer OPTIONS (204) and unserved methods (405) with the path's full `Allow`."""

    def __init__(self, asgi: Any, app: Any) -> None:
        self.asgi, self.app = asgi, app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.asgi(scope, receive, send)
            return
        found = allowed_methods(self.app.routes, scope["path"])
        if found is None or scope["method"] in found[0]:
            await self.asgi(scope, receive, send)
            return
        methods, route = found
        scope["route"] = route                      # for /metrics' route label
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(b"allow", allow.encode()), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        exc = ProblemError(405, "method-not-allowed", f"{scope['method']} is not served here; allowed: {allow}",
                           headers={"Allow": allow})
        await problem_response(exc, scope["path"])(scope, receive, send)
