"""The worker pool on its own (no HTTP): results come back byte for byte whether they travel
through the shared result buffer or inline through the pipe (a result larger than the buffer, or
no buffer at all when /dev/shm is full); and closing the pool leaves nothing behind in /dev/shm."""
from __future__ import annotations

import asyncio
import glob
import json

from engine.assessment import Assessor
from engine.evaluators.durable import DurableEvaluator
from engine.service import pool as pool_module
from engine.service.pool import WorkerPool
from engine.service.worker import handle
from service_support import example_parks


def _leftovers() -> set[str]:
    return set(glob.glob("/dev/shm/greenpark-result-*")) | set(glob.glob("/tmp/greenpark-result-*"))


async def _results(pool: WorkerPool, bodies: list[bytes]) -> list[tuple]:
    await pool.start()
    try:
        return list(await asyncio.gather(*(pool.submit(b, None) for b in bodies)))
    finally:
        await pool.close()


def test_results_are_the_same_through_the_buffer_and_inline():
    before = _leftovers()
    bodies = [json.dumps(p, ensure_ascii=False).encode() for p in example_parks()]
    expected = [handle(Assessor(evaluator=DurableEvaluator()), b, None)[2] for b in bodies]
    buffered = asyncio.run(_results(WorkerPool(1), bodies))
    inline = asyncio.run(_results(WorkerPool(1, result_buffer_bytes=4096), bodies))   # every result > 4 KB
    assert all(len(e) > 4096 for e in expected)
    assert [r[0] for r in buffered + inline] == ["ok"] * (2 * len(bodies))
    assert [r[2] for r in buffered] == expected
    assert [r[2] for r in inline] == expected
    assert _leftovers() <= before


def test_a_worker_without_a_buffer_answers_through_the_pipe(monkeypatch):
    def full(size: int):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(pool_module.ResultBuffer, "create", staticmethod(full))
    body = json.dumps(example_parks()[0], ensure_ascii=False).encode()
    expected = handle(Assessor(evaluator=DurableEvaluator()), body, None)[2]
    [got] = asyncio.run(_results(WorkerPool(1), [body]))
    assert got[0] == "ok" and got[2] == expected
