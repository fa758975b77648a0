"""Results byte for byte, before and after a speed change (issue #13): no result may change.

    .venv/bin/python bench/result_check.py --save /tmp/before.jsonl    # on the old code
    .venv/bin/python bench/result_check.py --compare /tmp/before.jsonl # on the new code

Assesses every example park (examples/), every expert-scenario park (tests/scenarios/, under its
own profile), the bench parks (bench/make_parks.py: typical, large, triggered, 150 random ones),
each under the default profile and with every rule (profile None), with and without `to_comply`,
and writes each result as the engine writes JSON (`engine.json_output.dump_text`, format 1 and
format 2). `--compare` names every case whose text differs (exit 1) or is missing.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engine.assessment import Assessor  # noqa: E402
from engine.facts.loader import load_park, park_from_data  # noqa: E402
from engine.facts.models import Park  # noqa: E402
from engine.json_output import dump_text  # noqa: E402
from engine.result_format import compact  # noqa: E402
from engine.sourcefile import load_document  # noqa: E402
from make_parks import large_park, random_park, triggered_park, typical_park  # noqa: E402


def parks() -> list[tuple[str, Park, str]]:
    """(name, park, profile) of every park checked."""
    out = [(f"example {p.stem}", load_park(p), "default") for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for p in sorted((ROOT / "tests" / "scenarios").glob("[0-9]*.yaml")):
        data = load_document(p).data
        out.append((f"scenario {p.stem}", park_from_data(data["park"]), data.get("profile", "default")))
    out += [(f"typical {s}", Park.model_validate(typical_park(s)), "default") for s in range(3)]
    out += [("large 300", Park.model_validate(large_park(300)), "default"),
            ("large 2000", Park.model_validate(large_park(2000)), "default"),
            ("triggered 50", Park.model_validate(triggered_park(50)), "default")]
    return out + [(f"random {s}", Park.model_validate(random_park(random.Random(s))), "default")
                  for s in range(150)]


def results(assessor: Assessor):
    """(case name, JSON text) of every case, in a fixed order."""
    for name, park, profile in parks():
        for prof in dict.fromkeys([profile, None]):
            for to_comply in (False, True):
                r = assessor.assess(park, profile=prof, to_comply=to_comply)
                case = f"{name} | profile {prof} | to_comply {to_comply}"
                yield case, dump_text(r)
                yield case + " | format 2", dump_text(compact(r))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write every result here (JSON lines)")
    group.add_argument("--compare", type=Path, help="compare every result with this file")
    ap.add_argument("--oracle", action="store_true", help="the pure-Python evaluator, not durable")
    args = ap.parse_args()
    evaluator = None
    if args.oracle:
        from engine.evaluators.oracle import OracleEvaluator
        evaluator = OracleEvaluator()
    got = results(Assessor(evaluator=evaluator))
    if args.save:
        n = 0
        with args.save.open("w", encoding="utf-8") as fh:
            for case, text in got:
                fh.write(json.dumps({"case": case, "json": text}, ensure_ascii=False) + "\n")
                n += 1
        print(f"{n} results written to {args.save}")
        return 0
    want = {}
    with args.compare.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            want[row["case"]] = row["json"]
    bad = n = 0
    for case, text in got:
        n += 1
        if want.pop(case, None) != text:
            bad += 1
            print(f"DIFFERS: {case}")
    for case in want:
        bad += 1
        print(f"MISSING: {case}")
    print(f"{n} results compared: {n - bad} identical, {bad} differ or missing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
