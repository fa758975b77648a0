"""The worker pool on its own (no HTTP): results come back byte for byte whether they travel
through the shared result buffer or inline through the pipe (a result larger than the buffer, or
no buffer at all when /dev/shm is full); and closing the pool leaves nothing behind in /dev/shm.

The leak check names only the buffers this pool made (their names start with the pool's own
`buffer_prefix`), so another test run, another pool or any process creating or removing shared
memory at the same time cannot make it fail, and a buffer this pool leaves behind always does."""
from __future__ import annotations

import asyncio
import json
import os
import secrets
from multiprocessing import shared_memory

import pytest

from engine.assessment import Assessor
from engine.evaluators.durable import DurableEvaluator
from engine.service import pool as pool_module
from engine.service.buffer import PREFIX, ResultBuffer, named
from engine.service.pool import WorkerPool
from engine.service.worker import handle
from service_support import example_parks


class _Made:
    """Records the path of every result buffer made while it is installed (the pool's own)."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        create = pool_module.ResultBuffer.create

        def recording(size, prefix=PREFIX):
            buf = create(size, prefix)
            self.paths.append(buf.path)
            return buf
        monkeypatch.setattr(pool_module.ResultBuffer, "create", staticmethod(recording))


def _foreign(size: int = 4096) -> shared_memory.SharedMemory:
    """A segment in /dev/shm named like another pool's buffer, made by someone else."""
    return shared_memory.SharedMemory(name=f"{PREFIX}{os.getpid()}-foreign-{secrets.token_hex(4)}", create=True,
                                      size=size)


async def _results(pool: WorkerPool, bodies: list[bytes], during=None) -> list[tuple]:
    await pool.start()
    try:
        if during is not None:
            during()
        return list(await asyncio.gather(*(pool.submit(b, None) for b in bodies)))
    finally:
        await pool.close()


def _assert_nothing_left(pool: WorkerPool, made: list[str], workers: int) -> None:
    """The pool made a buffer per worker, each named with its own prefix, and none is left."""
    assert len(made) == workers and all(os.path.basename(p).startswith(pool.buffer_prefix) for p in made)
    assert not [p for p in made if os.path.exists(p)]
    assert named(pool.buffer_prefix) == []


def test_results_are_the_same_through_the_buffer_and_inline(monkeypatch):
    made = _Made(monkeypatch)
    bodies = [json.dumps(p, ensure_ascii=False).encode() for p in example_parks()]
    expected = [handle(Assessor(evaluator=DurableEvaluator()), b, None)[2] for b in bodies]
    buffered_pool, inline_pool = WorkerPool(1), WorkerPool(1, result_buffer_bytes=4096)   # every result > 4 KB
    buffered = asyncio.run(_results(buffered_pool, bodies))
    _assert_nothing_left(buffered_pool, made.paths, 1)
    inline = asyncio.run(_results(inline_pool, bodies))
    _assert_nothing_left(inline_pool, made.paths[1:], 1)
    assert all(len(e) > 4096 for e in expected)
    assert [r[0] for r in buffered + inline] == ["ok"] * (2 * len(bodies))
    assert [r[2] for r in buffered] == expected
    assert [r[2] for r in inline] == expected


def test_pools_name_their_buffers_apart():
    a, b = WorkerPool(1), WorkerPool(1)
    assert a.buffer_prefix != b.buffer_prefix
    assert a.buffer_prefix.startswith(f"{PREFIX}{os.getpid()}-") and "/" not in a.buffer_prefix
    for bad in ("psm_", f"{PREFIX}x/../y-"):        # a name every check would miss, or a path
        with pytest.raises(ValueError):
            ResultBuffer.create(4096, bad)
    buf = ResultBuffer.create(4096, a.buffer_prefix)
    try:
        assert named(a.buffer_prefix) == [buf.path] and named(b.buffer_prefix) == []
    finally:
        buf.close()
    assert named(a.buffer_prefix) == []


def test_shared_memory_of_others_does_not_count_as_a_leak(monkeypatch):
    """Another process creates a segment named like a pool's buffer while this pool runs and removes
    one it had made before: neither is this pool's, so the check passes, and the foreign segment is
    still there when it runs (the check did not merely miss it)."""
    made = _Made(monkeypatch)
    before, during = _foreign(), []
    try:
        def churn():
            during.append(_foreign())
            before.close()
            before.unlink()
        body = json.dumps(example_parks()[0], ensure_ascii=False).encode()
        pool = WorkerPool(2)
        got = asyncio.run(_results(pool, [body], during=churn))
        assert got[0][0] == "ok" and during
        assert os.path.exists(os.path.join("/dev/shm", during[0].name.lstrip("/")))
        _assert_nothing_left(pool, made.paths, 2)
    finally:
        for seg in during:
            seg.close()
            seg.unlink()


def test_a_worker_without_a_buffer_answers_through_the_pipe(monkeypatch):
    def full(size: int, prefix: str = PREFIX):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(pool_module.ResultBuffer, "create", staticmethod(full))
    body = json.dumps(example_parks()[0], ensure_ascii=False).encode()
    expected = handle(Assessor(evaluator=DurableEvaluator()), body, None)[2]
    [got] = asyncio.run(_results(WorkerPool(1), [body]))
    assert got[0] == "ok" and got[2] == expected
