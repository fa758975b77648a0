"""A very large park through the CLI: wall time, peak RSS and result size (README "Performance").

    .venv/bin/python bench/cli_large.py                  # large_park(10000), 3 runs
    .venv/bin/python bench/cli_large.py --triggered      # every enterprise fails every rule

Writes the park as JSON to a temporary folder, runs `greenpark assess PARK -f json` in a fresh
process per run with stdout to a file, and reports the median wall time, the largest peak RSS of
the runs (`getrusage(RUSAGE_CHILDREN).ru_maxrss`), the result's size and its number of findings.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from make_parks import large_park, triggered_park  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--triggered", action="store_true", help="triggered_park instead of large_park")
    args = ap.parse_args()
    make = triggered_park if args.triggered else large_park
    cli = Path(sys.executable).with_name("greenpark")
    with tempfile.TemporaryDirectory() as tmp:
        park, out = Path(tmp) / "park.json", Path(tmp) / "result.json"
        park.write_text(json.dumps(make(args.enterprises), ensure_ascii=False), encoding="utf-8")
        walls = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            with out.open("wb") as fh:
                done = subprocess.run([str(cli), "assess", str(park), "-f", "json"], stdout=fh, cwd=ROOT)
            walls.append(time.perf_counter() - t0)
            if done.returncode != 0:
                sys.exit(f"greenpark assess exited {done.returncode}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024   # KiB on Linux
        result = json.loads(out.read_text(encoding="utf-8"))
        compact_bytes = len(json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode())
        rows = len((result.get("verdicts") or {}).get("rows") or [])
        print(f"{make.__name__}({args.enterprises}): park {park.stat().st_size / 1e6:.1f} MB; "
              f"wall median {statistics.median(walls):.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls)}); "
              f"peak RSS {peak:.0f} MiB (target <= 200); result format {result.get('format', 1)}: "
              f"{out.stat().st_size / 1e6:.1f} MB JSON as written, {compact_bytes / 1e6:.1f} MB compact "
              f"(target <= 4 MB), {len(result['findings']) + rows:,} findings ({rows:,} as compact rows) "
              f"{result['summary']['by_status']}")


if __name__ == "__main__":
    main()
