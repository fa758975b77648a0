"""A result buffer shared by the server and one worker: a file in /dev/shm mapped by both.

    buf = ResultBuffer.create(4 << 20)         # server, before spawning the worker
    ResultBuffer.attach(buf.path).put(data)    # worker -> returns len(data)
    buf.take(n)                                # server -> bytes (a copy: the buffer is reused)

Only one task at a time runs on a worker, and the server copies the result out before it hands the
worker its next task, so the buffer needs no lock. The server unlinks the file once the worker has
mapped it (`unlink`), so nothing is left in /dev/shm even if the server is killed later.

Every name starts with a prefix its pool chose (`greenpark-result-<pid>-<token>-`, see
`WorkerPool.buffer_prefix`), so what one pool left behind can be told from the buffers of any other
pool or process on the machine (`named`).

The space is reserved when the buffer is made (`posix_fallocate`): a full /dev/shm (Docker gives
64 MB) then fails here, in the server, which runs that worker without a buffer, instead of as a
SIGBUS in the worker when it writes a result into a page tmpfs cannot supply.
"""
from __future__ import annotations

import mmap
import os
import tempfile

__all__ = ["ResultBuffer", "PREFIX", "named"]

_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None   # tmpfs where there is one
PREFIX = "greenpark-result-"                                 # every buffer's name starts so


def named(prefix: str) -> list[str]:
    """The paths of the buffers whose names start with `prefix` that exist now, sorted."""
    where = _DIR or tempfile.gettempdir()
    return sorted(os.path.join(where, n) for n in os.listdir(where) if n.startswith(prefix))


class ResultBuffer:
    def __init__(self, path: str, mapping: mmap.mmap):
        self.path, self._map = path, mapping

    @classmethod
    def create(cls, size: int, prefix: str = PREFIX) -> "ResultBuffer":
        """A new buffer of `size` bytes, reserved, its name starting with `prefix` (which must start
        with `PREFIX`); OSError (e.g. ENOSPC) if there is no room."""
        if not prefix.startswith(PREFIX) or "/" in prefix:
            raise ValueError(f"a result buffer's name starts with {PREFIX!r} and has no '/': {prefix!r}")
        fd, path = tempfile.mkstemp(prefix=prefix, dir=_DIR)
        try:
            os.posix_fallocate(fd, 0, size)
            return cls(path, mmap.mmap(fd, size))
        except OSError:
            os.unlink(path)
            raise
        finally:
            os.close(fd)

    @classmethod
    def attach(cls, path: str) -> "ResultBuffer":
        fd = os.open(path, os.O_RDWR)
        try:
            return cls(path, mmap.mmap(fd, 0))
        finally:
            os.close(fd)

    @property
    def size(self) -> int:
        return len(self._map)

    def fits(self, data: bytes) -> bool:
        return len(data) <= len(self._map)

    def put(self, data: bytes) -> int:
        self._map[:len(data)] = data
        return len(data)

    def take(self, n: int) -> bytes:
        return self._map[:n]

    def unlink(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def close(self) -> None:
        self.unlink()
        self._map.close()
