"""Benchmarks of issues #2 and #13; prints figures (tests stay deterministic, timing lives here).

    make bench            # or: .venv/bin/python bench/run.py [--quick]

Measures, for a typical park (~200 engine facts) and a large one (2,000 enterprises):
cold start (import + load + compile all packs, in a fresh process), the full assessment p50/p95
(derive -> facts -> durable-rules -> findings) and its stages, and three baselines for the
same rules and facts (scope session, then the rest):

* C engine, in place: the time inside durable-rules' C functions alone (assert, start/complete
  action, delete state ...), summed with perf_counter around each C call during a real
  assessment (`durable_bench.CallLog`). CPU caches are as our Python code between the calls
  leaves them.
* C engine, replay: the same C calls, with the same JSON texts and sid, re-issued back to back
  with nothing of ours between them (`durable_bench.Replay`; checked to give the same results).
  The least the engine needs; hot caches.
* wrapper-bare (the old "bare" figure): the rules and facts through durable's own Python wrapper
  (`Ruleset.do_actions`, a Closure per firing) with actions that only chain derived facts. It
  contains the wrapper's per-firing work, so full / wrapper-bare understates our overhead.

Ratios are full / C engine. Targets (issue #13): full <= 1.5 x C engine; (issue #2) cold start
<= 300 ms; RSS growth <= 5 MiB. Result size (issue #13): the typical park's and the example parks'
result as compact UTF-8 JSON and gzipped, format 1 and format 2 (target format 2 <= 100 KB,
gzip <= 20 KB). Rounds are interleaved, so machine noise hits all alike.
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
from engine.evaluators.durable_bench import CallLog, Replay, WrapperBaseline  # noqa: E402
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
    registry = assessor.registry
    rs = registry.get(profile="default")
    _, fs = assessor.prepare(park, rs)
    log = CallLog()
    recorded = Assessor(registry, DurableEvaluator(engine=log))   # same C calls, timed in place
    wrapper = WrapperBaseline()

    def bare_run() -> None:     # the same engine work as an assessment: scope rules, then the rest
        if rs.scope is not None:
            wrapper.evaluate(rs.scope, fs.facts)
        wrapper.evaluate(rs.compiled, fs.facts)

    for _ in range(3):  # warm: registration, caches
        assessor.assess(park)
        recorded.assess(park)
        bare_run()
    log.clear()
    recorded.assess(park)
    replay = Replay(log)
    replay.run(check=True)      # the replay does the engine's work again, result for result
    calls = len(replay.ops)
    rows: dict[str, list[float]] = {k: [] for k in
                                    ("full", "prepare", "engine", "findings", "c_in_place",
                                     "c_replay", "bare")}
    for _ in range(runs):  # interleaved, so machine noise hits all alike
        timings: dict = {}
        t0 = time.perf_counter()
        assessor.assess(park, timings=timings)
        rows["full"].append((time.perf_counter() - t0) * 1e3)
        for stage in ("prepare", "engine", "findings"):
            rows[stage].append(timings[stage] * 1e3)
        log.clear()
        recorded.assess(park)
        rows["c_in_place"].append(log.seconds * 1e3)
        rows["c_replay"].append(replay.seconds() * 1e3)
        rows["bare"] += time_it(bare_run, 1)
    log.clear()
    wrapper.close()
    out = {"name": name, "facts": len(fs.facts), "matches": timings["matches"], "calls": calls,
           "full_p95": pct(rows["full"], 0.95), "park": park}
    out.update({k: pct(v, 0.5) for k, v in rows.items()})
    return out


def prepare_parts(park: Park, assessor: Assessor, runs: int) -> str:
    """p50 of each part of the prepare stage, each timed on its own (back to back, warm caches)."""
    from engine.facts.builder import build_facts
    from engine.facts.consistency import check_park
    from engine.indicators.compute import derive
    from engine.quality import check_quality
    rs = assessor.registry.get(profile="default")
    ind = derive(park, rs.knowledge)
    totals = {y: v["energy_total_tce"].value for y, v in ind.by_year.items() if "energy_total_tce" in v}
    parts = {"derive indicators": lambda: derive(park, rs.knowledge),
             "build facts": lambda: build_facts(park, ind, rs.knowledge),
             "consistency + data quality": lambda: (check_park(park, rs.knowledge, ruleset=rs),
                                                    check_quality(park, rs.knowledge, assessor.quality,
                                                                  energy_totals=totals))}
    return ", ".join(f"{k} {pct(time_it(f, runs), 0.5):.2f} ms" for k, f in parts.items())


def result_sizes(assessor: Assessor, parks: list[tuple[str, Park]]) -> None:
    """Compact JSON bytes and gzip bytes of each park's result, format 1 and format 2."""
    import gzip
    import json

    from engine.result_format import compact

    def sizes(obj) -> tuple[int, int]:
        raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        return len(raw), len(gzip.compress(raw, 6))
    print("result size (compact UTF-8 JSON / gzip -6; target format 2 <= 100 KB / 20 KB):")
    for name, park in parks:
        r = assessor.assess(park)
        (a, ga), (b, gb) = sizes(r), sizes(compact(r, rules=assessor.rules_of(r)))     # as the CLI writes it
        print(f"  {name:<34} format 1 {a / 1e3:6.1f} KB / {ga / 1e3:5.1f} KB   format 2 {b / 1e3:6.1f} KB / "
              f"{gb / 1e3:5.1f} KB  ({b / a:.0%} / {gb / ga:.0%})")


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
    from engine.facts.loader import load_park
    result_sizes(assessor, [("typical (bench/make_parks.py)", typical)] +
                 [(p.name, load_park(p)) for p in sorted((ROOT / "examples").glob("*.yaml"))])
    rows = [measure("typical", typical, assessor, 50 if q else 500),
            measure("large (2,000 enterprises)", large, assessor, 5 if q else 30)]
    print(f"{'park':<27}{'facts':>6}{'fired':>6}{'full p50':>10}{'p95':>9}{'C in place':>11}"
          f"{'C replay':>10}{'full/C':>13}{'wrapper-bare':>13}{'full/bare':>10}")
    for r in rows:
        print(f"{r['name']:<27}{r['facts']:>6,}{r['matches']:>6,}{r['full']:>8.2f}ms{r['full_p95']:>7.2f}ms"
              f"{r['c_in_place']:>9.2f}ms{r['c_replay']:>8.2f}ms"
              f"{r['full'] / r['c_in_place']:>6.2f}x/{r['full'] / r['c_replay']:>4.2f}x"
              f"{r['bare']:>11.2f}ms{r['full'] / r['bare']:>9.2f}x")
    print("full/C: full p50 / C-engine p50, in place / replay. Stages of the full assessment (p50):")
    for r in rows:
        print(f"  {r['name']}: prepare {r['prepare']:.2f} ms, engine {r['engine']:.2f} ms "
              f"(adapter + C; {r['engine'] / r['c_in_place']:.2f}x C in place, {r['calls']:,} C calls), "
              f"findings {r['findings']:.2f} ms")
        runs = (50 if q else 200) if r["facts"] < 1000 else (5 if q else 20)
        print(f"    prepare, its parts timed apart: {prepare_parts(r['park'], assessor, runs)}")
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
