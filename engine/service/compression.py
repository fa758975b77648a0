"""gzip for callers that accept it: an assessment result is ~280 KB of JSON and ~65 KB gzipped.

A pure ASGI middleware. Unlike Starlette's `GZipMiddleware`, it compresses in a worker thread
(zlib releases the GIL), so a large response does not hold up the event loop for the
milliseconds compression takes, and it uses level 1: 276 KB → 44 KB in ~1.5 ms, where level 6
gives 37 KB in ~5 ms (measured on a typical park's result).

Only whole bodies of at least `minimum_size` bytes that are not already encoded are compressed;
streamed bodies pass through as they are. An assessment's result and a logged decision read back
come already encoded: the worker compressed the result once for the decision log (decisions.py),
and a caller that accepts gzip gets those stored bytes with `Content-Encoding: gzip`, which this
middleware passes as they are. What remains for it: batches, lists, reports, problems and rows
logged before the log was compressed.
"""
from __future__ import annotations

import gzip
from typing import Any

from anyio import to_thread

__all__ = ["GzipMiddleware", "accepts_gzip"]


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding value allows gzip (`gzip`, `*`, not `gzip;q=0`).

    >>> accepts_gzip("br, gzip;q=0.8"), accepts_gzip("gzip;q=0"), accepts_gzip("identity")
    (True, False, False)
    """
    allowed = {}
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            key, _, value = p.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[name.strip()] = q
    q = allowed.get("gzip", allowed.get("*", 0.0))
    return q > 0


class GzipMiddleware:
    def __init__(self, app: Any, minimum_size: int = 1024, level: int = 1) -> None:
        self.app, self.minimum_size, self.level = app, minimum_size, level

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-encoding"), "")
        if not accepts_gzip(accept):
            await self.app(scope, receive, send)
            return
        start: dict | None = None

        async def _send(message: dict) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message                       # held until the body shows whether to compress
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            held, start = start, None
            body = message.get("body", b"")
            headers = [(k, v) for k, v in held.get("headers", [])]
            names = {k.lower() for k, _ in headers}
            if message.get("more_body") or len(body) < self.minimum_size or b"content-encoding" in names:
                await send(held)
                await send(message)
                return
            packed = await to_thread.run_sync(lambda: gzip.compress(body, self.level, mtime=0))
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(packed)).encode())]
            if b"vary" not in names:
                headers.append((b"vary", b"Accept-Encoding"))
            await send({**held, "headers": headers})
            await send({**message, "body": packed})

        await self.app(scope, receive, _send)
