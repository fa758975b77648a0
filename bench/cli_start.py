"""A CLI assessment as a whole process, against importing durable-rules alone (issue #13 item 3).

    .venv/bin/python bench/cli_start.py [--runs 11] [--importtime] [--no-floor]   # also part of `make bench`

Prints, as medians of fresh processes run interleaved (noise hits both alike), wall time and CPU time
(user + system: steadier than wall time on a busy machine):

* `greenpark assess examples/typical_municipal_park.yaml -f json` (stdout to /dev/null), with a
  warm compiled-ruleset cache, and `python -c "import durable.lang"`; their ratio. Target: <= 4x.
* Two checkouts of the rules tree (rules + knowledge copied to two paths) used alternately with
  one cache folder: the compiles of each fresh process (target: one per checkout, then none) and
  the `greenpark assess --rules-dir` wall time of the alternating runs.

* What the assessment's time is made of: fresh processes that import only Python itself, the
  libraries every assessment needs (typer, pydantic's BaseModel, PyYAML, durable's C engine, orjson),
  and those plus the park model (engine/facts/models.py): the floor below which no change to the
  rest of the engine can go; and, in one process per run, the CPU time of each stage of `assess`
  (imports of the engine, the compiled ruleset from the cache, reading and validating the park,
  assessing, writing JSON).

The processes run with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE is dropped from their
environment, as for an installed package, whose .pyc files pip writes) after one warm-up run each;
with it off every start compiles the engine's sources again (~0.3 s). `--importtime` adds the
modules that cost the most to import in one `assess` process (`python -X importtime`).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
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


LIBRARIES = "import typer, yaml, durable_rules_engine, orjson; from pydantic import BaseModel"
# the park model with its validator built: since issue #13 the models defer building it to the first
# validation, so importing them alone no longer pays for it
BUILD_PARK_MODEL = """from {pkg}.facts import models
models.Park.__pydantic_complete__ or models.Park.model_rebuild()"""
# each ends as `greenpark` does (engine.cli.main): gc.freeze, so shutdown does not walk the heap
FLOOR = {
    "python (interpreter, site)": "pass",
    "libraries: typer, pydantic, yaml, durable C, orjson": LIBRARIES + "; import gc; gc.freeze()",
    "  + the park model (engine.facts.models)": LIBRARIES + "; " + "; ".join(BUILD_PARK_MODEL.splitlines())
                                                + "; import gc; gc.freeze()",
}
# one `assess` run, stage by stage (CPU ms of each, as JSON on stdout)
STAGES = """
import json, sys, time
from pathlib import Path
marks = [("start", time.process_time())]
def mark(name): marks.append((name, time.process_time()))
import typer, yaml, durable_rules_engine, orjson
from pydantic import BaseModel
mark("libraries")
""" + BUILD_PARK_MODEL + """
mark("park model")
from {pkg}.cli import assess as _cmd
from {pkg}.cli.common import _registry, _evaluator, EvaluatorName
from {pkg}.assessment import Assessor
from {pkg}.facts.loader import load_park_document
from {pkg}.render.park_stream import ParkStream
evaluator = _evaluator(EvaluatorName.durable)
mark("engine imports")
registry = _registry(None, evaluator) if "evaluator" in _registry.__code__.co_varnames else _registry(None)
registry.get(None, "default")
mark("ruleset from cache")
park, _doc = load_park_document(Path(sys.argv[1]))
mark("park read + validated")
assessor = Assessor(registry, evaluator)
result = assessor.assess(park, ruleset=None, profile="default")
mark("assess")
out = ParkStream("json", file=open("/dev/null", "w"),      # as the command builds it
                 **({{"rules_of": assessor.rules_of}} if hasattr(assessor, "rules_of") else {{}}))
out.write("park", out.json_form(result), [])
mark("JSON out")
print(json.dumps({{b[0]: (b[1] - a[1]) * 1e3 for a, b in zip(marks, marks[1:])}}))
"""


def _package() -> str:
    """`greenpark.engine` when the installed script runs this checkout, else `engine`."""
    return "greenpark.engine" if _cli()[0].endswith("greenpark") else "engine"


def floor(runs: int, env: dict[str, str]) -> None:
    pkg = _package()
    durable = [sys.executable, "-c", "import durable.lang"]
    parts = {name: [sys.executable, "-c", code.format(pkg=pkg)] for name, code in FLOOR.items()}
    for args in [durable, *parts.values()]:
        _wall(args, env)
    wall: dict[str, list[float]] = {name: [] for name in ["durable", *parts]}
    cpu: dict[str, list[float]] = {name: [] for name in wall}
    for _ in range(runs):
        _wall(durable, env, cpu["durable"])
        for name, args in parts.items():
            wall[name].append(_wall(args, env, cpu[name]))
    ref = statistics.median(cpu["durable"])
    print(f"floor (fresh processes, median CPU ms; x = ratio to import durable.lang, {ref * 1e3:.0f} ms CPU):")
    for name in parts:
        c = statistics.median(cpu[name])
        print(f"  {name:52s} {c * 1e3:5.0f} ms CPU  {c / ref:4.1f}x   (wall {statistics.median(wall[name]) * 1e3:.0f} ms)")
    code = STAGES.format(pkg=pkg)
    stages: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], cwd=ROOT, env=env, capture_output=True,
                             text=True, check=True).stdout
        for name, ms in json.loads(out.splitlines()[-1]).items():
            stages.setdefault(name, []).append(ms)
    total = sum(statistics.median(v) for v in stages.values())
    print(f"one assess in stages (in one process, median CPU ms; after the interpreter's own start), "
          f"{total:.0f} ms in all:")
    for name, values in stages.items():
        print(f"  {name:52s} {statistics.median(values):5.0f} ms CPU  {statistics.median(values) / 1e3 / ref:4.1f}x")


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
    ap.add_argument("--no-floor", action="store_true", help="leave out the floor and the stages")
    args = ap.parse_args()
    env = _env()
    startup(args.runs, env)
    if not args.no_floor:
        floor(args.runs, env)
    checkouts(args.runs, env)
    if args.importtime:
        importtime(env)


if __name__ == "__main__":
    main()
