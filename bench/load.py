"""Load run of the HTTP service on loopback (issue 4's targets); prints figures, asserts nothing.

    .venv/bin/python bench/load.py [--quick] [--workers 2] [--levels 1,4,16,64] [--gzip | --zstd]

The server is `greenpark serve` started by this script (temporary SQLite decision log, auth on,
a portal key); the load comes from a *separate client process* (a minimal keep-alive HTTP/1.1
client on asyncio, so the client costs as little CPU as possible). The park is a typical one
(`make_parks.typical_park(0)`). The client accepts no compression unless `--gzip` or `--zstd`
(then it sends `Accept-Encoding: gzip`, as a portal's HTTP library does, or
`gzip, deflate, br, zstd`, as a browser does, and reads the compressed body).

* 1 client, paired: the client alternates one HTTP request with one in-process run of the very
  function a worker runs per request (`engine.service.worker.handle`: parse + validate + assess +
  JSON), so both see the same machine (this VM's speed drifts by a third within minutes). The
  in-process runs alternate too: as a library caller gets it (the collector as the library leaves
  it), and with garbage collection deferred until after the call, as the worker does it; the
  median of (request - the deferred run right after it) is what HTTP, IPC and the decision-log
  write cost on their own. (The 1-client req/s is requests over the time spent in them.)
* 4, 16 and 64 clients: p50 / p99 latency and throughput, against the measured in-process throughput
  of two processes assessing side by side (taken before and after the HTTP run, averaged).
* the 16-client target, in rounds: this VM's speed drifts by up to a fifth between the reference
  taken before the HTTP run and the one after it, so one before/after pair misjudges the share by
  as much. The target is judged on rounds instead: short HTTP slices at 16 clients, each between
  two short in-process runs of the same two processes (kept warm between rounds), each slice's
  throughput over the mean of the runs on either side of it; the median share counts.

Targets (issue #13): at 1 client p50 <= in-process + 3 ms; at 16 clients throughput >= 90 % of
what two cores give in process; p99 <= 2 x p50 at every level.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _body() -> bytes:
    from make_parks import typical_park
    return json.dumps(typical_park(0), ensure_ascii=False).encode()


def _assessor():
    from engine.assessment import Assessor
    from engine.evaluators.durable import DurableEvaluator
    from engine.service.worker import handle
    assessor = Assessor(evaluator=DurableEvaluator())
    for _ in range(5):
        handle(assessor, _body(), None)
    return assessor


# ---- client process ----------------------------------------------------------------------------
class _Conn:
    """One keep-alive connection sending the same prepared request."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes):
        self.reader, self.writer, self.request = reader, writer, request

    async def call(self) -> int:
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        await self.reader.readexactly(length)
        return int(head.split(b" ", 2)[1])


async def _connect(host: str, port: int, request: bytes) -> _Conn:
    return _Conn(*await asyncio.open_connection(host, port), request)


async def _client(host: str, port: int, request: bytes, n: int, lat: list[float], errors: list[int]) -> None:
    conn = await _connect(host, port, request)
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            status = await conn.call()
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        conn.writer.close()


async def _level(host: str, port: int, request: bytes, conc: int, per_client: int) -> dict:
    await asyncio.gather(*(_client(host, port, request, 2, [], []) for _ in range(conc)))   # warm up
    lat: list[float] = []
    errors: list[int] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(host, port, request, per_client, lat, errors) for _ in range(conc)))
    wall = time.perf_counter() - t0
    return {"clients": conc, "requests": len(lat), "errors": len(errors), "p50_ms": pct(lat, 0.5) * 1e3,
            "p99_ms": pct(lat, 0.99) * 1e3, "rps": len(lat) / wall}


async def _paired(host: str, port: int, request: bytes, n: int) -> dict:
    """One client, n rounds of: an HTTP request, then the same work in process - as a library caller
    gets it in even rounds, with garbage collection deferred as the worker does it in odd ones. Each
    in-process run follows an HTTP request, as each request follows an in-process run, so neither
    side runs on caches the other warmed (a run right after another run is faster)."""
    from engine.service.worker import handle
    assessor, body = _assessor(), _body()
    conn = await _connect(host, port, request)
    for _ in range(3):
        await conn.call()
    http, lib, deferred, over, errors = [], [], [], [], 0
    for i in range(n):
        t0 = time.perf_counter()
        errors += await conn.call() != 200
        http.append(time.perf_counter() - t0)
        if i % 2 == 0:
            t0 = time.perf_counter()
            handle(assessor, body, None)
            lib.append(time.perf_counter() - t0)
        else:
            keep: list = []
            gc.disable()
            t0 = time.perf_counter()
            handle(assessor, body, None, keep)
            deferred.append(time.perf_counter() - t0)
            over.append(http[-1] - deferred[-1])
            keep.clear()
            gc.collect(0)
            gc.enable()
    conn.writer.close()
    return {"clients": 1, "requests": n, "errors": errors, "p50_ms": pct(http, 0.5) * 1e3,
            "p99_ms": pct(http, 0.99) * 1e3, "rps": n / sum(http),
            "inproc_p50_ms": pct(lib, 0.5) * 1e3, "inproc_deferred_gc_p50_ms": pct(deferred, 0.5) * 1e3,
            "paired_over_ms": pct(over, 0.5) * 1e3}


def client_main(host: str, port: int, token: str, levels: list[int], total: int, accept: str = "") -> None:
    body = _body()
    accept = f"Accept-Encoding: {accept}\r\n" if accept else ""
    request = (f"POST /v1/assessments HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
               f"{accept}Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    try:                    # libuv's loop, as the server runs: the client's CPU shares the two cores
        import uvloop
        run = uvloop.run
    except ImportError:
        run = asyncio.run
    for conc in levels:
        if conc == 1:
            row = run(_paired(host, port, request, total))
        else:
            row = run(_level(host, port, request, conc, max(3, total // conc)))
        print(json.dumps(row), flush=True)


# ---- in-process two-core reference -------------------------------------------------------------
def inproc_worker() -> None:
    """Child of `TwoCores`: after a warm-up, for each line n on stdin, n runs of the worker's
    `handle`; prints their seconds. Ends at EOF."""
    from engine.service.worker import handle
    assessor, body = _assessor(), _body()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        n = int(line)
        t0 = time.perf_counter()
        for _ in range(n):
            handle(assessor, body, None)
        print(time.perf_counter() - t0, flush=True)


class TwoCores:
    """Two warm processes assessing side by side in process: the reference throughput."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.procs = [subprocess.Popen([sys.executable, __file__, "--inproc-worker"], env=env, text=True,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(2)]
        for p in self.procs:
            assert p.stdout.readline().strip() == "ready"

    def rate(self, n: int) -> float:
        """Assessments per second of the two together, n each, started at once."""
        for p in self.procs:
            p.stdin.write(f"{n}\n")
            p.stdin.flush()
        secs = [float(p.stdout.readline()) for p in self.procs]
        return 2 * n / max(secs)

    def close(self) -> None:
        for p in self.procs:
            p.stdin.close()
            p.wait()


# ---- orchestration ---------------------------------------------------------------------------
def _start_server(tmp: Path, workers: int) -> tuple[subprocess.Popen, int, str]:
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    db_url = f"sqlite:///{tmp / 'decisions.db'}"
    engine = make_engine(db_url)
    _, token = KeyStore(engine).create("portal", "load test")
    engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port), "--db-url", db_url,
                               "--workers", str(workers), "--log-level", "warning"], cwd=tmp, env=env,
                              start_new_session=True)
    import urllib.request
    for _ in range(600):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.1)
    return server, port, token


def _worker_ms(port: int) -> float:
    import urllib.request
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    got = dict(line.rsplit(" ", 1) for line in text.splitlines()
               if line.startswith("greenpark_assessment_duration_seconds_"))
    return 1e3 * float(got["greenpark_assessment_duration_seconds_sum"]) / \
        max(1.0, float(got["greenpark_assessment_duration_seconds_count"]))


def _cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of `pid` and of each process below it, by pid (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return out


def _accept(args: argparse.Namespace) -> str:
    return "gzip, deflate, br, zstd" if args.zstd else "gzip" if args.gzip else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    ap.add_argument("--workers", type=int, default=2, help="assessment worker processes of the server")
    ap.add_argument("--client", nargs=4, metavar=("HOST", "PORT", "TOKEN", "TOTAL"), help=argparse.SUPPRESS)
    ap.add_argument("--levels", default="1,4,16,64")
    ap.add_argument("--gzip", action="store_true", help="the client accepts gzip (Accept-Encoding: gzip)")
    ap.add_argument("--zstd", action="store_true",
                    help="the client accepts what a browser does (Accept-Encoding: gzip, deflate, br, zstd)")
    ap.add_argument("--inproc-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=11, help="rounds of the 16-client target (see the docstring)")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    if args.inproc_worker:
        inproc_worker()
        return
    if args.client:
        host, port, token, total = args.client
        client_main(host, int(port), token, levels, int(total), _accept(args))
        return

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    n_two = 15 if args.quick else 60
    many = [c for c in levels if c > 1]
    pair = TwoCores() if many else None
    two_before = pair.rate(n_two) if pair else 0.0
    tmp = Path(tempfile.mkdtemp(prefix="greenpark-load-"))
    server, port, token = _start_server(tmp, args.workers)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run_client(levels_arg: str, total: int) -> list[dict]:
        out = subprocess.run([sys.executable, __file__, "--client", "127.0.0.1", str(port), token, str(total),
                              "--levels", levels_arg, *(["--gzip"] if args.gzip else []),
                              *(["--zstd"] if args.zstd else [])],
                             env=env, capture_output=True, text=True, check=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]

    rounds: list[tuple[float, float]] = []       # (HTTP req/s, in-process reference around it)
    try:
        total = 60 if args.quick else 400
        cpu_before = _cpu_seconds(server.pid)
        client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = run_client(args.levels, total)
        cpu_after = _cpu_seconds(server.pid)
        client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_ms = _worker_ms(port)
        two_after = pair.rate(n_two) if pair else 0.0
        if 16 in levels:
            before = two_after
            for _ in range(2 if args.quick else args.rounds):
                got = run_client("16", 96)[0]["rps"]
                after = pair.rate(20)
                rounds.append((got, (before + after) / 2))
                before = after
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
        if pair:
            pair.close()
    two = (two_before + two_after) / 2

    print(f"HTTP on loopback: {args.workers} workers, separate client process, auth on, SQLite decision log, "
          f"typical park, client {'with Accept-Encoding: ' + _accept(args) if _accept(args) else 'without Accept-Encoding'}")
    print(f"{'clients':>8}{'requests':>10}{'errors':>8}{'p50':>11}{'p99':>11}{'p99/p50':>9}{'req/s':>9}")
    for r in rows:
        print(f"{r['clients']:>8}{r['requests']:>10}{r['errors']:>8}{r['p50_ms']:>9.1f}ms{r['p99_ms']:>9.1f}ms"
              f"{r['p99_ms'] / r['p50_ms']:>9.2f}{r['rps']:>9.1f}")
    print(f"time in the workers (parse + validate + assess + JSON, from /metrics), mean over the run: "
          f"{worker_ms:.1f} ms")
    served = sum(r["requests"] for r in rows)
    front = cpu_after.get(server.pid, 0.0) - cpu_before.get(server.pid, 0.0)
    below = sum(v - cpu_before.get(p, 0.0) for p, v in cpu_after.items() if p != server.pid)
    print(f"CPU per request over the run ({served} requests): server process (HTTP, auth, handover) "
          f"{1e3 * front / served:.1f} ms, its workers (assessment, JSON, decision log) {1e3 * below / served:.1f} ms")
    client = sum(getattr(client_after, f) - getattr(client_before, f) for f in ("ru_utime", "ru_stime"))
    print(f"CPU per request of the client process, on the same cores (reading the replies; the 1-client level "
          f"also runs the in-process pairs): {1e3 * client / served:.1f} ms")
    by = {r["clients"]: r for r in rows}
    if 1 in by:
        r = by[1]
        over = r["p50_ms"] - r["inproc_p50_ms"]
        print(f"1 client, paired with in-process runs of the worker's handle() in the client process: "
              f"in process p50 {r['inproc_p50_ms']:.1f} ms (library defaults), "
              f"{r['inproc_deferred_gc_p50_ms']:.1f} ms (garbage collection deferred, as the worker does)")
        print(f"target 1 client: p50 {r['p50_ms']:.1f} ms <= in-process {r['inproc_p50_ms']:.1f} + 3 ms: "
              f"{'met' if over <= 3 else 'NOT met'} ({over:+.1f} ms); HTTP + IPC + decision-log write over the "
              f"worker's own work (median of paired differences): {r['paired_over_ms']:+.1f} ms")
    if many:
        print(f"in process, two processes side by side: {two_before:.1f} assessments/s before the HTTP run, "
              f"{two_after:.1f} after (mean {two:.1f})")
    if 16 in by:
        print(f"16 clients in the run above: {by[16]['rps']:.1f} req/s, {by[16]['rps'] / two:.0%} of {two:.1f}")
    if rounds:
        shares = sorted(got / ref for got, ref in rounds)
        share = shares[len(shares) // 2]
        print(f"16 clients in {len(rounds)} rounds, each HTTP slice over the in-process runs on either side: "
              f"{', '.join(f'{got:.1f}/{ref:.1f}' for got, ref in rounds)} req/s; shares "
              f"{', '.join(f'{x:.0%}' for x in shares)}")
        print(f"target 16 clients: median share {share:.0%} >= 90 %: {'met' if share >= 0.9 else 'NOT met'}")
    tail = all(r["p99_ms"] <= 2 * r["p50_ms"] for r in rows)
    print(f"target p99 <= 2 x p50 at every level: {'met' if tail else 'NOT met'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
