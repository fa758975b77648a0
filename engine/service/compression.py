"""Compression for callers that accept it, and the codecs the decision log stores its bodies in.

An assessment's result is ~317 KB of JSON; zstd level 1 makes it 62 KB in ~0.5 ms, gzip level 1
71 KB in ~1.6 ms (level 6: 59 KB in ~4.2 ms; measured on a typical park's result). `compress`
always gives the same bytes for the same input (no timestamp), so a stored body can be compared.

`CompressionMiddleware` is a pure ASGI middleware. Unlike Starlette's `GZipMiddleware`, it
compresses in a worker thread (zlib and zstd release the GIL), so a large response does not hold
up the event loop, it speaks zstd as well as gzip (the coding the caller prefers; zstd on a tie:
browsers send both), and it uses level 1. Only whole bodies of at least `minimum_size` bytes
that are not already encoded are compressed; streamed bodies pass through as they are. An
assessment's result and a logged decision read back come already encoded: the worker compressed
the result once for the decision log (decisions.py), and a caller that accepts that coding gets
the stored bytes with `Content-Encoding`, which this middleware passes as they are. What remains
for it: batches, lists, reports, problems, and stored bodies in a coding the caller does not take.

zstd is Python 3.14's `compression.zstd`; before 3.14 its backport (`backports.zstd`, the same
module), so the dependency goes when the floor reaches 3.14.
"""
from __future__ import annotations

import gzip
import zlib
from typing import Any

from anyio import to_thread

try:                                    # Python 3.14+
    from compression import zstd
except ImportError:                     # before: its backport, the same module
    from backports import zstd

__all__ = ["CompressionMiddleware", "CODINGS", "LEVEL", "accepts", "preferred_coding", "compress",
           "decompress", "coding_of", "DecompressError"]

CODINGS = ("zstd", "gzip")          # by preference on a tie
LEVEL = 1                           # both codings: the fastest level (ratios in the docstring)
_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}
# what decompressing damaged bytes raises
DecompressError = (OSError, EOFError, zlib.error, zstd.ZstdError)


def compress(data: bytes, coding: str) -> bytes:
    """`data` compressed with `coding` ("zstd" or "gzip") at `LEVEL`, without a timestamp.

    >>> decompress(compress(b"{}", "zstd")), compress(b"{}", "gzip") == compress(b"{}", "gzip")
    (b'{}', True)
    """
    if coding == "zstd":
        return zstd.compress(data, LEVEL)
    if coding == "gzip":
        return gzip.compress(data, LEVEL, mtime=0)
    raise ValueError(f"unknown coding {coding!r} (known: {', '.join(CODINGS)})")


def coding_of(data: bytes) -> str | None:
    """"zstd" or "gzip" by the bytes' magic number, None for anything else (JSON among it).

    >>> coding_of(compress(b"{}", "zstd")), coding_of(compress(b"{}", "gzip")), coding_of(b"{}")
    ('zstd', 'gzip', None)
    """
    return _MAGIC.get(data[:2]) or _MAGIC.get(data[:4])


def decompress(data: bytes) -> bytes:
    """Compressed bytes (`compress`, either coding) decompressed; anything else as it is.

    Raises:
        DecompressError: bytes that announce a coding but do not decompress.
    """
    coding = coding_of(data)
    if coding == "zstd":
        return zstd.decompress(data)
    return gzip.decompress(data) if coding == "gzip" else data


def _qualities(header: str) -> dict[str, float]:
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
    return allowed


def accepts(header: str, coding: str) -> bool:
    """Whether an Accept-Encoding value allows `coding` (named or `*`, not with q=0).

    >>> accepts("br, gzip;q=0.8", "gzip"), accepts("gzip;q=0", "gzip"), accepts("*", "zstd")
    (True, False, True)
    """
    allowed = _qualities(header)
    return allowed.get(coding, allowed.get("*", 0.0)) > 0


def preferred_coding(header: str) -> str | None:
    """The coding of `CODINGS` that an Accept-Encoding value prefers (highest q; zstd on a tie), or
    None when it allows neither.

    >>> preferred_coding("gzip, deflate, br, zstd"), preferred_coding("zstd;q=0.5, gzip"), preferred_coding("br")
    ('zstd', 'gzip', None)
    """
    allowed = _qualities(header)
    best = max(CODINGS, key=lambda c: allowed.get(c, allowed.get("*", 0.0)))
    return best if allowed.get(best, allowed.get("*", 0.0)) > 0 else None


class CompressionMiddleware:
    def __init__(self, app: Any, minimum_size: int = 1024) -> None:
        self.app, self.minimum_size = app, minimum_size

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-encoding"), "")
        coding = preferred_coding(accept)
        if coding is None:
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
            packed = await to_thread.run_sync(compress, body, coding)
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers += [(b"content-encoding", coding.encode()), (b"content-length", str(len(packed)).encode())]
            if b"vary" not in names:
                headers.append((b"vary", b"Accept-Encoding"))
            await send({**held, "headers": headers})
            await send({**message, "body": packed})

        await self.app(scope, receive, _send)
