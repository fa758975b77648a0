"""A result buffer shared by the server and one worker: a file in /dev/shm mapped by both.

    buf = ResultBuffer.create(4 << 20)         # server, before spawning the worker
    ResultBuffer.attach(buf.path).put(data)    # worker -> returns len(data)
    buf.take(n)                                # server -> bytes (a copy: the buffer is reused)

Only one task at a time runs on a worker, and the server copies the result out before it hands the
worker its next task, so the buffer needs no lock. The server unlinks the file once the worker has
mapped it (`unlink`), so nothing is left in /dev/shm even if the server is killed later.

The space is reserved when the buffer is made (`posix_fallocate`): a full /dev/shm (Docker gives
64 MB) then fails here, in the server, which runs that worker without a buffer, instead of as a
SIGBUS in the worker when it writes a result into a page tmpfs cannot supply.
"""
from __future__ import annotations

import mmap
import os
import tempfile

__all__ = ["ResultBuffer"]

_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None   # tmpfs where there is one


class ResultBuffer:
    def __init__(self, path: str, mapping: mmap.mmap):
        self.path, self._map = path, mapping

    @classmethod
    def create(cls, size: int) -> "ResultBuffer":
        """A new buffer of `size` bytes, reserved; OSError (e.g. ENOSPC) if there is no room."""
        fd, path = tempfile.mkstemp(prefix="greenpark-result-", dir=_DIR)
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
