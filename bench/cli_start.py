"""A CLI assessment as a whole process, against importing durable-rules alone (issue #13 item 3).

    .venv/bin/python bench/cli_start.py [--runs 11] [--importtime]      # also part of `make bench`

Prints, as medians of fresh processes run interleaved (noise hits both alike), wall time and CPU time
(user + system: steadier than wall time on a busy machine):

* `greenpark assess examples/typical_municipal_park.yaml -f json` (stdout to /dev/null), with a
  warm compiled-ruleset cache, and `python -c "import durable.lang"`; their ratio. Target: <= 4x.
* Two checkouts of the rules tree (rules + knowledge copied to two paths) used alternately with
  one cache folder: the compiles of each fresh process (target: one per checkout, then none) and
  the `greenpark assess --rules-dir` wall time of the alternating runs.

The processes run with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE is dropped from their
environment, as for an installed package, whose .pyc files pip writes) after one warm-up run each;
with it off every start compiles the engine's sources again (~0.3 s). `--importtime` adds the
modules that cost the most to import in one `assess` process (`python -X importtime`).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "typical_municipal_park.yaml"

COMPILES = """
import sys
from pathlib import Path
from engine.rules import packs
compiles, real = [], packs.load_ruleset
packs.load_ruleset = lambda *args, **kwargs: compiles.append(1) or real(*args, **kwargs)
packs.RulesetRegistry([Path(sys.argv[1])], cache_dir=Path(sys.argv[2])).get()
print(len(compiles))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def _cli() -> list[str]:
    """The installed `greenpark` when it runs this checkout's code, else this checkout's engine.cli."""
    script = Path(sys.executable).with_name("greenpark")
    spec = importlib.util.find_spec("greenpark")
    if script.exists() and spec is not None and spec.origin and Path(spec.origin).resolve().is_relative_to(ROOT):
        return [str(script)]
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'greenpark'; import engine.cli as cli; "
                                  "(getattr(cli, 'main', None) or cli.app)()"]     # app: before issue #13


def _wall(args: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Wall seconds of one process; its CPU seconds (user + system) appended to `cpu`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:.0f} ms (min {min(values) * 1e3:.0f}, max {max(values) * 1e3:.0f})"


def startup(runs: int, env: dict[str, str]) -> float:
    assess = _cli() + ["assess", str(EXAMPLE), "-f", "json"]
    durable = [sys.executable, "-c", "import durable.lang"]
    _wall(assess, env), _wall(durable, env)                 # warm: the cache entry, .pyc files
    a, d, a_cpu, d_cpu = [], [], [], []
    for _ in range(runs):
        d.append(_wall(durable, env, d_cpu))
        a.append(_wall(assess, env, a_cpu))
    ratio = statistics.median(a) / statistics.median(d)
    print(f"greenpark assess {EXAMPLE.name} -f json   {_median_ms(a)}   CPU {_median_ms(a_cpu)}")
    print(f'python -c "import durable.lang"             {_median_ms(d)}   CPU {_median_ms(d_cpu)}')
    print(f"ratio                                        {ratio:.1f}x wall, "
          f"{statistics.median(a_cpu) / statistics.median(d_cpu):.1f}x CPU   (target <= 4x)")
    return ratio


def checkouts(runs: int, env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trees = []
        for name in ("checkout_a", "checkout_b"):
            tree = Path(tmp) / name / "rules"
            shutil.copytree(ROOT / "rules", tree, ignore=shutil.ignore_patterns("releases", "__pycache__"))
            shutil.copytree(ROOT / "knowledge", tree / "knowledge", ignore=shutil.ignore_patterns("__pycache__"))
            trees.append(tree)
        store = Path(tmp) / "cache"
        compiles = []
        for _ in range(3):
            for tree in trees:
                out = subprocess.run([sys.executable, "-c", COMPILES, str(tree), str(store)], cwd=ROOT, env=env,
                                     capture_output=True, text=True, check=True)
                compiles.append(int(out.stdout.split()[-1]))
        print(f"two checkouts alternated, compiles per process  {' '.join(map(str, compiles))}"
              f"   (target: 1 1 then 0)")
        walls = []
        cli_env = {**env, "XDG_CACHE_HOME": str(store.parent / "xdg")}
        for tree in trees:
            _wall(_cli() + ["assess", str(EXAMPLE), "-f", "json", "--rules-dir", str(tree)], cli_env)
        for _ in range(max(1, runs // 2)):
            for tree in trees:
                walls.append(_wall(_cli() + ["assess", str(EXAMPLE), "-f", "json", "--rules-dir", str(tree)], cli_env))
        print(f"greenpark assess --rules-dir A / B alternated   {_median_ms(walls)}")


def importtime(env: dict[str, str], top: int = 15) -> None:
    args = [sys.executable, "-X", "importtime", "-c",
            "import sys; from engine.cli import main; sys.argv[0] = 'greenpark'; main()",
            "assess", str(EXAMPLE), "-f", "json"]
    err = subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, check=True).stderr
    rows = [(int(m[1]), int(m[2]), m[3]) for m in
            re.finditer(r"import time:\s+(\d+) \|\s+(\d+) \| ( *\S+)", err)]
    print(f"imports of one assess process: {sum(r[0] for r in rows) / 1e3:.0f} ms in all; "
          f"the {top} largest by own time (self / cumulative ms):")
    for own, cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"  {own / 1e3:6.1f} {cumulative / 1e3:7.1f}  {name.strip()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--importtime", action="store_true")
    args = ap.parse_args()
    env = _env()
    startup(args.runs, env)
    checkouts(args.runs, env)
    if args.importtime:
        importtime(env)


if __name__ == "__main__":
    main()
