"""Load run of the HTTP service on loopback (issue 4's targets); prints figures, asserts nothing.

    .venv/bin/python bench/load.py [--quick] [--workers 2]

Measures, for a typical park (`make_parks.typical_park(0)`):

* in process: validate + assess + JSON, the work one worker does per request, p50 (no HTTP);
* over HTTP: `greenpark serve` started by this script (temporary SQLite decision log, a portal
  key, default settings) and a *separate client process* (a minimal keep-alive HTTP/1.1 client on
  asyncio, so the client costs as little CPU as possible) at 1, 16 and 64 concurrent clients:
  p50 / p99 latency and throughput.

Targets: at 1 client p50 <= in-process + 3 ms; at 16 clients throughput >= 70 % of what two
cores give in process (2 / in-process p50); p99 <= 3 x p50 at every level.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
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


# ---- client process ----------------------------------------------------------------------------
async def _client(host: str, port: int, request: bytes, n: int, lat: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def _level(host: str, port: int, request: bytes, conc: int, per_client: int) -> dict:
    await asyncio.gather(*(_client(host, port, request, 2, [], []) for _ in range(conc)))   # warm up
    lat: list[float] = []
    errors: list[int] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(host, port, request, per_client, lat, errors) for _ in range(conc)))
    wall = time.perf_counter() - t0
    return {"clients": conc, "requests": len(lat), "errors": len(errors), "p50_ms": pct(lat, 0.5) * 1e3,
            "p99_ms": pct(lat, 0.99) * 1e3, "rps": len(lat) / wall}


def client_main(host: str, port: int, token: str, levels: list[int], total: int) -> None:
    from make_parks import typical_park
    body = json.dumps(typical_park(0), ensure_ascii=False).encode()
    request = (f"POST /v1/assessments HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    for conc in levels:
        per_client = max(3, total // conc) if conc > 1 else total
        print(json.dumps(asyncio.run(_level(host, port, request, conc, per_client))), flush=True)


# ---- orchestration ---------------------------------------------------------------------------
def in_process(runs: int) -> tuple[float, float]:
    """p50 (ms) of assess alone and of validate + assess + JSON (a worker's whole job)."""
    from engine.assessment import Assessor
    from engine.evaluators.durable import DurableEvaluator
    from engine.facts.loader import park_from_data
    from make_parks import typical_park
    data = typical_park(0)
    body = json.dumps(data).encode()
    assessor = Assessor(evaluator=DurableEvaluator())
    park = park_from_data(data)
    for _ in range(5):
        assessor.assess(park)
    bare, whole = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        assessor.assess(park)
        t1 = time.perf_counter()
        json.dumps(assessor.assess(park_from_data(json.loads(body))), ensure_ascii=False).encode()
        t2 = time.perf_counter()
        bare.append(t1 - t0)
        whole.append(t2 - t1)
    return pct(bare, 0.5) * 1e3, pct(whole, 0.5) * 1e3


def inproc_worker(n: int) -> None:
    """Child of `two_cores`: n whole assessments (validate + assess + JSON) after a warm-up; prints seconds."""
    from engine.assessment import Assessor
    from engine.evaluators.durable import DurableEvaluator
    from engine.facts.loader import park_from_data
    from make_parks import typical_park
    body = json.dumps(typical_park(0)).encode()
    assessor = Assessor(evaluator=DurableEvaluator())
    for _ in range(5):
        assessor.assess(park_from_data(json.loads(body)))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    t0 = time.perf_counter()
    for _ in range(n):
        json.dumps(assessor.assess(park_from_data(json.loads(body))), ensure_ascii=False).encode()
    print(time.perf_counter() - t0, flush=True)


def two_cores(n: int) -> float:
    """Measured in-process throughput of two processes assessing side by side (assessments/s)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, __file__, "--inproc-worker", str(n)], env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    secs = [float(p.stdout.readline()) for p in procs]
    for p in procs:
        p.wait()
    return 2 * n / max(secs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    ap.add_argument("--workers", type=int, default=2, help="assessment worker processes of the server")
    ap.add_argument("--client", nargs=4, metavar=("HOST", "PORT", "TOKEN", "TOTAL"), help=argparse.SUPPRESS)
    ap.add_argument("--levels", default="1,16,64")
    ap.add_argument("--inproc-worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    if args.inproc_worker:
        inproc_worker(args.inproc_worker)
        return
    if args.client:
        host, port, token, total = args.client
        client_main(host, int(port), token, levels, int(total))
        return

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    assess_ms, whole_ms = in_process(30 if args.quick else 200)
    two = two_cores(15 if args.quick else 60)
    print(f"in process (typical park): assess p50 {assess_ms:.2f} ms; validate + assess + JSON p50 "
          f"{whole_ms:.2f} ms (x2 cores = {2000 / whole_ms:.1f}/s); two processes side by side, measured: "
          f"{two:.1f} assessments/s")

    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    tmp = Path(tempfile.mkdtemp(prefix="greenpark-load-"))
    db_url = f"sqlite:///{tmp / 'decisions.db'}"
    engine = make_engine(db_url)
    _, token = KeyStore(engine).create("portal", "load test")
    engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port), "--db-url", db_url,
                               "--workers", str(args.workers), "--log-level", "warning"], cwd=tmp, env=env,
                              start_new_session=True)
    try:
        import urllib.request
        for _ in range(600):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        total = 60 if args.quick else 400
        out = subprocess.run([sys.executable, __file__, "--client", "127.0.0.1", str(port), token, str(total),
                              "--levels", args.levels], env=env, capture_output=True, text=True, check=True)
        rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        got = dict(line.rsplit(" ", 1) for line in metrics.splitlines()
                   if line.startswith("greenpark_assessment_duration_seconds_"))
        worker_ms = 1e3 * float(got["greenpark_assessment_duration_seconds_sum"]) / \
            max(1.0, float(got["greenpark_assessment_duration_seconds_count"]))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)

    print(f"HTTP on loopback, {args.workers} workers, separate client process, auth on, SQLite decision log:")
    print(f"{'clients':>8}{'requests':>10}{'errors':>8}{'p50':>11}{'p99':>11}{'p99/p50':>9}{'req/s':>9}")
    for r in rows:
        print(f"{r['clients']:>8}{r['requests']:>10}{r['errors']:>8}{r['p50_ms']:>9.1f}ms{r['p99_ms']:>9.1f}ms"
              f"{r['p99_ms'] / r['p50_ms']:>9.2f}{r['rps']:>9.1f}")
    print(f"time in the worker (validate + assess + JSON, from /metrics), mean over the run: {worker_ms:.1f} ms")
    by = {r["clients"]: r for r in rows}
    if 1 in by:
        over = by[1]["p50_ms"] - whole_ms
        print(f"target 1 client: p50 {by[1]['p50_ms']:.1f} ms <= in-process {whole_ms:.1f} + 3 ms: "
              f"{'met' if over <= 3 else 'NOT met'} (overhead {over:+.1f} ms)")
    if 16 in by:
        share = by[16]["rps"] / two
        print(f"target 16 clients: {by[16]['rps']:.1f} req/s >= 70 % of {two:.1f} (measured two-process): "
              f"{'met' if share >= 0.7 else 'NOT met'} ({share:.0%})")
    tail = all(r["p99_ms"] <= 3 * r["p50_ms"] for r in rows)
    print(f"target p99 <= 3 x p50 at every level: {'met' if tail else 'NOT met'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
