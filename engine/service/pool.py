"""A crash-contained pool of assessment worker processes, dispatched from asyncio.

Why not `concurrent.futures.ProcessPoolExecutor`: when one of its workers dies it marks the whole
pool broken and fails *every* pending future. Here each worker is a `multiprocessing.Process`
with its own `Pipe`; the event loop watches each pipe with `add_reader`, hands one task to one
idle worker, and arms a timer per task. A worker that exits (segfault, abort, SIGKILL: EOF on
its pipe) or overruns the timeout (killed) fails only its own task, with `WorkerCrashed` /
`WorkerTimeout`, and is replaced by a fresh process; every other task is untouched. Nothing here
blocks the event loop on engine work: the loop only moves bytes.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import multiprocessing
import os
import pickle
import secrets
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Callable

from .buffer import PREFIX, ResultBuffer
from .worker import worker_main

__all__ = ["WorkerPool", "WorkerCrashed", "WorkerTimeout", "PoolUnavailable"]

log = logging.getLogger("greenpark.service.pool")


class WorkerCrashed(Exception):
    """The worker running this task died."""


class WorkerTimeout(Exception):
    """The task overran the per-assessment timeout; its worker was killed."""


class PoolUnavailable(Exception):
    """The pool is closed or its queue is full."""


RESULT_BUFFER_BYTES = 4 << 20       # per worker, reserved in /dev/shm; larger results (a 2,000-enterprise
                                    # park gives 1.8 MB) go inline through the pipe


@dataclass(eq=False)
class _Worker:
    proc: Any
    conn: Connection
    buffer: ResultBuffer | None       # None: /dev/shm had no room; results go inline
    spawned_at: float
    ready: bool = False
    task_id: int | None = None
    future: asyncio.Future | None = None
    timer: asyncio.TimerHandle | None = None
    reserve: Callable[[int], int | None] | None = None    # the running task's budget (see submit)
    dead: bool = False


@dataclass
class PoolStats:
    """Counters for /metrics."""

    tasks: int = 0
    crashes: int = 0
    timeouts: int = 0
    restarts: int = 0
    busy_seconds: float = 0.0
    restart_reasons: dict[str, int] = field(default_factory=lambda: collections.Counter())


class WorkerPool:
    """`size` worker processes; `await submit(body, ruleset)` -> the worker's outcome tuple.

    Args:
        size: worker processes.
        timeout: seconds per task before the worker is killed and replaced.
        allow_test_crash: let tasks carry a crash request (tests only).
        max_queue: tasks allowed to wait for a worker before `PoolUnavailable`.
        rules_roots: rules trees for the workers' registry (default: the repository's).
        db_url: the decision log the workers write to (tasks that carry a decision need it).
        result_buffer_bytes: size of each worker's result buffer (tests shrink it to force the
            inline path).

    Every result buffer this pool makes is named `buffer_prefix` + a random suffix
    (`greenpark-result-<server pid>-<random token>-`), so what this pool left in /dev/shm can be
    told from what any other pool or process put there (`engine.service.buffer.named`).
    """

    def __init__(self, size: int = 2, timeout: float = 10.0, *, allow_test_crash: bool = False,
                 max_queue: int = 1024, rules_roots: list[str] | None = None, db_url: str | None = None,
                 result_buffer_bytes: int = RESULT_BUFFER_BYTES):
        self.size, self.timeout, self.max_queue = max(1, size), timeout, max_queue
        self.result_buffer_bytes = result_buffer_bytes
        self.buffer_prefix = f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}-"
        self.allow_test_crash, self.rules_roots, self.db_url = allow_test_crash, rules_roots, db_url
        self.stats = PoolStats()
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: set[_Worker] = set()
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._first_ready: asyncio.Event | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self, wait: float = 120.0) -> None:
        """Spawn the workers and wait until at least one is ready (all, if they come in time)."""
        self._loop = asyncio.get_running_loop()
        self._first_ready = asyncio.Event()
        for _ in range(self.size):
            self._spawn()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and self.ready_count < self.size:
            await asyncio.sleep(0.05)
        if self.ready_count == 0:
            raise RuntimeError("no assessment worker became ready")

    async def close(self) -> None:
        """Stop every worker; waiting and running tasks fail with `PoolUnavailable`."""
        self._closed = True
        for fut in self._waiters:
            if not fut.done():
                fut.set_exception(PoolUnavailable("the service is shutting down"))
        for w in list(self._workers):
            self._discard(w, PoolUnavailable("the service is shutting down"))
        procs = [w.proc for w in self._workers]
        self._workers.clear()
        for p in procs:
            await asyncio.to_thread(p.join, 5)

    @property
    def ready_count(self) -> int:
        return sum(1 for w in self._workers if w.ready and not w.dead)

    @property
    def busy_count(self) -> int:
        return sum(1 for w in self._workers if w.task_id is not None and not w.dead)

    @property
    def waiting(self) -> int:
        return sum(1 for f in self._waiters if not f.done())

    def pids(self) -> list[int]:
        return sorted(w.proc.pid for w in self._workers if not w.dead)

    # ---- submitting ------------------------------------------------------------------------
    async def submit(self, body: bytes, ruleset: str | None, crash: str | None = None,
                     profile: str | None = None, decision: dict | None = None, *, check: bool = False,
                     max_result: int | None = None, reserve: Callable[[int], int | None] | None = None,
                     to_comply: bool = False, result_format: int = 2, trace: bool = False,
                     encoding: str | None = None) -> tuple:
        """Run one assessment on an idle worker; with `decision` ({"decision_id", "key_id"}) the
        worker also commits the decision record before it answers "ok".

        `check`: only validate, answer `("checked", estimate)`; `max_result`: refuse a result
        larger than this many bytes (`too_large`); `reserve(n)`: called in the event loop before
        the worker logs an n-byte result, returns None to let it or the bytes left to refuse it
        (a batch's shared budget). See "Limits" in worker.py. `to_comply`: also solve the minimal
        change to comply (`Assessor.assess(..., to_comply=True)`). `result_format`: 2 (default) or
        1; `trace`: format 2 keeps each finding's engine trace (docs/result.md). `encoding` (with
        `decision`; "zstd" or "gzip"): the caller accepts that coding, so the "ok" outcome carries
        the result as logged, compressed so (`meta["encoding"]`), instead of its JSON.

        Raises:
            WorkerCrashed: its worker died (only this task fails).
            WorkerTimeout: it overran `timeout`; its worker was killed and replaced.
            PoolUnavailable: closing, or more than `max_queue` tasks waiting.
        """
        w = await self._acquire()
        task_id = next(self._ids)
        fut = self._loop.create_future()
        w.task_id, w.future, w.reserve = task_id, fut, reserve
        self.stats.tasks += 1
        started = time.perf_counter()
        limits = {"check": check, "max_result": max_result, "reserve": reserve is not None, "to_comply": to_comply,
                  "result_format": result_format, "trace": trace, "encoding": encoding}
        try:
            w.conn.send_bytes(pickle.dumps((task_id, body, ruleset, crash if self.allow_test_crash else None, profile,
                                            decision, limits), protocol=5))
        except (OSError, ValueError):
            self._on_death(w, "crash")
        else:
            w.timer = self._loop.call_later(self.timeout, self._on_timeout, w, task_id)
        try:
            # shield: a client that disconnects must not orphan the worker; the reader frees it
            return await asyncio.shield(fut)
        finally:
            self.stats.busy_seconds += time.perf_counter() - started

    async def _acquire(self) -> _Worker:
        if self._closed:
            raise PoolUnavailable("the service is shutting down")
        while self._idle:
            w = self._idle.pop()           # LIFO: the most recently used worker has warm caches
            if not w.dead:
                return w
        if self.waiting >= self.max_queue:
            raise PoolUnavailable("too many assessments waiting")
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())      # handed over just as the caller went away
            raise

    def _release(self, w: _Worker) -> None:
        """`w` is idle: give it to the first live waiter, or park it."""
        if w.dead or self._closed:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(w)
                return
        self._idle.append(w)

    # ---- worker events ---------------------------------------------------------------------
    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        try:
            buffer: ResultBuffer | None = ResultBuffer.create(self.result_buffer_bytes, self.buffer_prefix)
        except OSError as exc:
            log.warning("no result buffer for a new worker (%s); its results go through the pipe", exc)
            buffer = None
        proc = self._ctx.Process(target=worker_main,
                                 args=(child, self.allow_test_crash, self.rules_roots, buffer and buffer.path,
                                       self.db_url),
                                 name="greenpark-worker", daemon=True)
        proc.start()
        child.close()
        w = _Worker(proc=proc, conn=parent, buffer=buffer, spawned_at=time.monotonic())
        self._workers.add(w)
        self._loop.add_reader(parent.fileno(), self._on_readable, w)
        # uvloop makes a watched fd non-blocking; our framed recv/send of a whole message (a task
        # body or an inline result can be larger than a socket buffer) must block until complete
        os.set_blocking(parent.fileno(), True)

    def _on_readable(self, w: _Worker) -> None:
        try:
            msg = pickle.loads(w.conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            if not isinstance(exc, EOFError):
                log.warning("reading from worker %s failed: %r", w.proc.pid, exc)
            self._on_death(w, "crash")
            return
        if msg[0] == "ready":
            w.ready = True
            if w.buffer is not None:
                w.buffer.unlink()                   # the worker has mapped it; no name left behind
            log.info("assessment worker %s ready", w.proc.pid)
            self._release(w)
            return
        if msg[0] == "reserve":
            if msg[1] == w.task_id:                 # the worker waits for this answer before it logs
                left = w.reserve(msg[2]) if w.reserve is not None else None
                try:
                    w.conn.send_bytes(pickle.dumps(left))
                except (OSError, ValueError):
                    self._on_death(w, "crash")
            return
        if msg[0] != w.task_id:
            return                                  # a stale answer; cannot happen, but be safe
        if w.timer is not None:
            w.timer.cancel()
        fut, w.future, w.task_id, w.timer, w.reserve = w.future, None, None, None, None
        if msg[1] == "ok" and isinstance(msg[3], int) and w.buffer is not None:
            msg = (*msg[:3], w.buffer.take(msg[3]), *msg[4:])   # copied out before the worker is reused
        if fut is not None and not fut.done():
            fut.set_result(msg[1:])
        self._release(w)

    def _on_timeout(self, w: _Worker, task_id: int) -> None:
        if w.task_id == task_id and not w.dead:
            self._on_death(w, "timeout")

    def _on_death(self, w: _Worker, reason: str) -> None:
        """Fail `w`'s task alone, reap it and start a replacement."""
        if w.dead:
            return
        log.warning("assessment worker %s %s; replacing it", w.proc.pid,
                    "timed out and was killed" if reason == "timeout" else "died")
        exc: Exception = (WorkerTimeout(f"the assessment took longer than {self.timeout:g} s")
                          if reason == "timeout" else WorkerCrashed("the assessment worker died"))
        if reason == "timeout":
            self.stats.timeouts += 1
        elif w.task_id is not None:
            self.stats.crashes += 1
        died_early = not w.ready
        self._discard(w, exc)
        self._workers.discard(w)
        asyncio.ensure_future(asyncio.to_thread(w.proc.join, 5))
        if not self._closed:
            self.stats.restarts += 1
            self.stats.restart_reasons[reason] += 1
            # a worker that dies before it is ready (e.g. a broken ruleset) is retried slowly
            self._loop.call_later(1.0 if died_early else 0.0, self._respawn)

    def _respawn(self) -> None:
        if not self._closed and len(self._workers) < self.size:
            self._spawn()

    def _discard(self, w: _Worker, exc: Exception) -> None:
        w.dead = True
        try:
            self._loop.remove_reader(w.conn.fileno())
        except (OSError, ValueError):
            pass
        if w.timer is not None:
            w.timer.cancel()
        if w.proc.is_alive():
            w.proc.kill()
        w.conn.close()
        if w.buffer is not None:
            w.buffer.close()
        if w.future is not None and not w.future.done():
            w.future.set_exception(exc)
            w.future.exception()   # mark retrieved: the caller may have gone away
        w.future = w.task_id = w.timer = w.reserve = None
        try:
            self._idle.remove(w)
        except ValueError:
            pass
