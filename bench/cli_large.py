"""A very large park through the CLI: wall time, peak RSS and result size (README "Performance").

    .venv/bin/python bench/cli_large.py                  # large_park(10000), 3 runs
    .venv/bin/python bench/cli_large.py --triggered      # every enterprise fails every rule
    .venv/bin/python bench/cli_large.py --scaling        # 1k, 2k, 5k, 10k: per-enterprise constants

Writes the park as JSON to a temporary folder, runs `greenpark assess PARK -f json` in a fresh
process per run with stdout to a file, and reports the median wall time, the largest peak RSS of
the runs (each child's own `ru_maxrss`, from `os.wait4`), the result's size and its number of
findings. `--scaling` runs each size once and fits peak RSS and the compact result's size to
`a + b * enterprises` (least squares): `b` is what one more enterprise costs.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from make_parks import large_park, triggered_park  # noqa: E402

SCALING = (1_000, 2_000, 5_000, 10_000)


def run_once(cli: Path, park: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one `greenpark assess PARK -f json > out`."""
    t0 = time.perf_counter()
    with out.open("wb") as fh:
        child = subprocess.Popen([str(cli), "assess", str(park), "-f", "json"], stdout=fh, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if child.returncode != 0:
        sys.exit(f"greenpark assess exited {child.returncode}")
    return wall, usage.ru_maxrss / 1024   # KiB on Linux


def measure(make, n: int, runs: int, tmp: Path) -> dict:
    park, out = tmp / f"park{n}.json", tmp / f"result{n}.json"
    park.write_text(json.dumps(make(n), ensure_ascii=False), encoding="utf-8")
    walls, peaks = zip(*(run_once(Path(sys.executable).with_name("greenpark"), park, out) for _ in range(runs)))
    result = json.loads(out.read_text(encoding="utf-8"))
    compact = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
    rows = len((result.get("verdicts") or {}).get("rows") or [])
    return {"n": n, "park_mb": park.stat().st_size / 1e6, "walls": walls, "peak": max(peaks),
            "written": out.stat().st_size, "compact": len(compact), "gzip": len(gzip.compress(compact, 6)),
            "format": result.get("format", 1), "findings": len(result["findings"]) + rows, "rows": rows,
            "by_status": result["summary"]["by_status"]}


def fit(xs, ys) -> tuple[float, float]:
    """(a, b) of ys ~ a + b * xs, least squares."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--triggered", action="store_true", help="triggered_park instead of large_park")
    ap.add_argument("--scaling", action="store_true", help=f"each of {SCALING} enterprises once, and the "
                    "per-enterprise constants")
    args = ap.parse_args()
    make = triggered_park if args.triggered else large_park
    with tempfile.TemporaryDirectory() as tmp:
        if args.scaling:
            found = [measure(make, n, 1, Path(tmp)) for n in SCALING]
            for m in found:
                print(f"{make.__name__}({m['n']}): wall {m['walls'][0]:.2f} s, peak RSS {m['peak']:.0f} MiB, "
                      f"result {m['compact'] / 1e6:.2f} MB compact ({m['gzip'] / 1e3:.0f} KB gzip)")
            ns = [m["n"] for m in found]
            a, b = fit(ns, [m["peak"] for m in found])
            c, d = fit(ns, [m["compact"] for m in found])
            print(f"peak RSS ~ {a:.0f} MiB + {b * 1024:.1f} KiB per enterprise; "
                  f"result ~ {c / 1e3:.0f} KB + {d:.0f} bytes per enterprise")
            return
        m = measure(make, args.enterprises, args.runs, Path(tmp))
        print(f"{make.__name__}({m['n']}): park {m['park_mb']:.1f} MB; "
              f"wall median {statistics.median(m['walls']):.2f} s (runs: {', '.join(f'{w:.2f}' for w in m['walls'])}); "
              f"peak RSS {m['peak']:.0f} MiB (target <= 200); result format {m['format']}: "
              f"{m['written'] / 1e6:.1f} MB JSON as written, {m['compact'] / 1e6:.2f} MB compact "
              f"(target <= 4 MB), {m['gzip'] / 1e3:.0f} KB gzip, {m['findings']:,} findings ({m['rows']:,} as "
              f"compact rows) {m['by_status']}")


if __name__ == "__main__":
    main()
