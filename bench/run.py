"""Benchmarks of issue #2's targets; prints figures (tests stay deterministic, timing lives here).

    make bench            # or: .venv/bin/python bench/run.py [--quick]

Measures, for a typical park (~200 engine facts) and a large one (2,000 enterprises):
cold start (import + load + compile all packs, in a fresh process), full assessment p50/p95
(derive -> facts -> durable-rules -> findings), the bare durable-rules time for the same facts
and rules (register once; assert the facts in a fresh session with no-op actions that still
chain derived facts, then delete the session), their ratio, and RSS growth over 10,000
assessments. Targets: full <= 2x bare; cold start <= 300 ms; RSS growth <= 5 MiB.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engine.assessment import Assessor  # noqa: E402
from engine.evaluators.durable import DurableEvaluator  # noqa: E402
from engine.facts.models import Park  # noqa: E402
from engine.rules.packs import RulesetRegistry  # noqa: E402
from make_parks import large_park, typical_park  # noqa: E402

COLD = """
import sys, time; t0 = time.perf_counter()
from pathlib import Path
from engine.rules.packs import RulesetRegistry
t1 = time.perf_counter()
RulesetRegistry(cache_dir=Path(sys.argv[1]) if len(sys.argv) > 1 else None).get(profile="default")
t2 = time.perf_counter()
print(f"{(t1 - t0) * 1e3:.1f} {(t2 - t1) * 1e3:.1f}")
"""


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def cold_start(runs: int, cache_dir: str | None = None) -> tuple[float, float]:
    """Median (import ms, load+compile ms) over fresh processes; with `cache_dir`, from the cache."""
    imports, loads = [], []
    args = [sys.executable, "-c", COLD] + ([cache_dir] if cache_dir else [])
    if cache_dir:
        subprocess.run(args, cwd=ROOT, capture_output=True, check=True)  # fill the cache
    for _ in range(runs):
        out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
        a, b = map(float, out.stdout.split())
        imports.append(a)
        loads.append(b)
    return statistics.median(imports), statistics.median(loads)


def time_it(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def measure(name: str, park: Park, assessor: Assessor, runs: int) -> dict:
    rs = assessor.registry.get(profile="default")
    ind, fs = assessor.prepare(park, rs)
    evaluator: DurableEvaluator = assessor.evaluator
    def bare_run() -> None:     # the same engine work as an assessment: scope rules, then the rest
        if rs.scope is not None:
            evaluator.evaluate_bare(rs.scope, fs.facts)
        evaluator.evaluate_bare(rs.compiled, fs.facts)

    for _ in range(3):  # warm: registration, caches
        assessor.assess(park)
        bare_run()
    full, bare = [], []
    for _ in range(runs):  # interleaved, so machine noise hits both alike
        full += time_it(lambda: assessor.assess(park), 1)
        bare += time_it(bare_run, 1)
    timings: dict = {}
    assessor.assess(park, timings=timings)
    return {"name": name, "facts": len(fs.facts), "matches": timings["matches"], "full_p50": pct(full, 0.5),
            "full_p95": pct(full, 0.95), "bare_p50": pct(bare, 0.5), "bare_p95": pct(bare, 0.95)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = ap.parse_args()
    q = args.quick
    import tempfile
    imp, load = cold_start(3 if q else 7)
    with tempfile.TemporaryDirectory() as tmp:
        _, cached = cold_start(3 if q else 7, tmp)
    print(f"cold start: import {imp:.0f} ms; load + compile all packs {load:.0f} ms from source, "
          f"{cached:.0f} ms from the compiled-ruleset cache (target <= 300 ms)")
    registry = RulesetRegistry()
    rs = registry.get(profile="default")
    print(f"ruleset {rs.version}, profile default: {len(rs.meta)} active rules "
          f"(of {len(rs.files)}; {len(rs.inactive)} not applied), "
          f"{len(rs.compiled.rules) + (len(rs.scope.rules) if rs.scope else 0)} engine rules")
    assessor = Assessor(registry, DurableEvaluator())
    typical = Park.model_validate(typical_park(0))
    large = Park.model_validate(large_park(2000))
    rows = [measure("typical", typical, assessor, 50 if q else 500),
            measure("large (2,000 enterprises)", large, assessor, 5 if q else 30)]
    print(f"{'park':<28}{'facts':>7}{'fired':>7}{'full p50':>10}{'full p95':>10}{'bare p50':>10}{'bare p95':>10}{'ratio':>7}")
    for r in rows:
        print(f"{r['name']:<28}{r['facts']:>7}{r['matches']:>7}{r['full_p50']:>8.2f}ms{r['full_p95']:>8.2f}ms"
              f"{r['bare_p50']:>8.2f}ms{r['bare_p95']:>8.2f}ms{r['full_p50'] / r['bare_p50']:>6.2f}x")
    n = 1000 if q else 10_000
    for _ in range(200):
        assessor.assess(typical)
    gc.collect()
    before = rss_mib()
    t0 = time.perf_counter()
    for _ in range(n):
        assessor.assess(typical)
    gc.collect()
    print(f"RSS over {n:,} assessments of the typical park: {before:.1f} -> {rss_mib():.1f} MiB "
          f"(+{rss_mib() - before:.2f} MiB; target <= 5 MiB), {n / (time.perf_counter() - t0):.0f} assessments/s")


if __name__ == "__main__":
    main()
