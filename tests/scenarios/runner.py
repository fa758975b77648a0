"""Expert scenarios: whole parks written as an expert would, each with the verdicts the expert
insists on and hand-computed values with the arithmetic written out (the habit of the DMN TCK and
of Drools test scenarios). `python -m tests.scenarios.runner` prints the agreement; the suite
(`tests/test_scenarios.py`) fails on any disagreement, on both evaluators.

A scenario file (`tests/scenarios/NN_slug.yaml`):

    scenario: out_of_scope_cluster
    title: {zh: ..., en: ...}
    situation: what the park is and why an expert looks at it
    profile: default                      # optional
    park: {...}                           # park facts, schema 2
    expect:
      only: [PL-C-000, PL-M-020]          # optional: no finding of any other rule
      verdicts:                           # each: the finding RULE@SUBJECT has this status
        - {clause: "1", topic: 适用范围, rule: PL-C-000, subject: park, status: not_applicable,
           why: "no dedicated management body, so outside clause 1"}
        - {clause: "6.8", topic: 含氟特种气体, rule: PC-C-031, subject: "ent:E03",
           status: insufficient_data, missing: ["enterprises[2].fluorinated_gas_use"],
           why: "..."}                    # missing (optional): paths the finding must name
      absent:                             # findings that must not appear (subject optional)
        - {rule: IM-M-001, why: "every target is on track: no corrective measure"}
      derived:                            # hand-computed, within ±0.5 % (0 exactly)
        - {name: energy_total_tce, year: 2024, value: 1234.5, arithmetic: "..."}
        - {name: renewable_share, year: 2024, missing: ["years[1].energy.green_electricity"]}
        - {name: grid_factor, year: 2022, value: 0.5978,  # optional: a factor it must rest on, and its tag
           factor: {id: park.grid_electricity.2022, verification: C}}
      data_quality:                       # warnings that must be raised (path optional)
        - {code: grid_factor_undated, path: "management.factors[0].year", why: "..."}
      data_quality_absent:                # warnings that must not be raised (path optional)
        - {code: grid_factor_year_missing, path: "years[year=2022].energy.purchased_electricity"}
      basic_requirements:                 # MIIT basic requirements (engine/basic_requirements.yaml)
        - {id: MIIT-B2b, verdict: met, counts: ["IM-C-001@target:T1"], leaves_out: ["IM-C-001@target:T2"],
           why: "..."}                    # counts / leaves_out (optional): the findings it rests on, or not;
                                          # collect (optional): paths it must name to collect
      conclusion_says: ["..."]            # words the Chinese conclusion must contain (conclusion_says_en:
      conclusion_not_says: ["..."]        # the English), or must not (conclusion_not_says_en)

A verdict may also name `says` / `says_en`: words its Chinese / English explanation must contain.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from engine.assessment import Assessor
from engine.facts.loader import park_from_data
from engine.sourcefile import load_document

__all__ = ["SCENARIOS", "Report", "run_scenario", "load_scenario", "AGREEMENT"]

SCENARIOS = Path(__file__).resolve().parent
TOLERANCE = 0.005
AGREEMENT: dict[str, list[int]] = {}   # evaluator -> [agreed, checked], filled by the test suite


@dataclass
class Report:
    name: str
    checks: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def agreed(self) -> int:
        return self.checks - len(self.failures)


def load_scenario(path: Path) -> dict:
    """A scenario file, read as every YAML file of the project is (YAML 1.2, engine.sourcefile)."""
    return load_document(path).data


def _close(got: float | None, want: float) -> bool:
    if got is None:
        return False
    if want == 0:
        return abs(got) < 1e-9
    return abs(got - want) <= TOLERANCE * abs(want)


def run_scenario(path: Path, assessor: Assessor) -> Report:
    """Assess the scenario's park and compare with every expectation it states."""
    sc = load_scenario(path)
    rep = Report(sc.get("scenario", path.stem))
    result = assessor.assess(park_from_data(sc["park"]), profile=sc.get("profile", "default"))
    by_id = {f["id"]: f for f in result["findings"]}
    expect = sc.get("expect", {})
    for v in expect.get("verdicts", []):
        rep.checks += 1
        fid = f"{v['rule']}@{v['subject']}" if v.get("subject") else v["rule"]
        got = by_id.get(fid)
        if got is None or got["status"] != v["status"]:
            seen = got["status"] if got else "no finding"
            rep.failures.append(f"{fid} (clause {v.get('clause')}, {v.get('topic')}): expected {v['status']}, "
                                f"got {seen} - expert: {v.get('why')}")
            continue
        if "missing" in v and not set(v["missing"]) <= set(got.get("missing") or []):
            rep.checks += 1
            rep.failures.append(f"{fid} (clause {v.get('clause')}, {v.get('topic')}): expected to name "
                                f"{v['missing']} to collect, names {got.get('missing')} - expert: {v.get('why')}")
        # what the explanation must say: the figures and qualifications an expert insists on reading
        for lang, key in (("zh", "says"), ("en", "says_en")):
            for text in v.get(key, []):
                rep.checks += 1
                if text not in got["explanation"][lang]:
                    rep.failures.append(f"{fid}: the {lang} explanation must say {text!r} - expert: {v.get('why')}; "
                                        f"it says {got['explanation'][lang]!r}")
    for w in expect.get("data_quality", []):
        rep.checks += 1
        if not any(q["code"] == w["code"] and w.get("path", q["path"]) == q["path"] for q in result["data_quality"]):
            rep.failures.append(f"data-quality {w['code']} {w.get('path', '')} not raised - expert: {w.get('why')}")
    for w in expect.get("data_quality_absent", []):
        rep.checks += 1
        hits = [q for q in result["data_quality"] if q["code"] == w["code"] and w.get("path", q["path"]) == q["path"]]
        if hits:
            rep.failures.append(f"data-quality {w['code']} must not be raised: {hits[0]['message']['en']} - expert: "
                                f"{w.get('why')}")
    for a in expect.get("absent", []):
        rep.checks += 1
        hits = [f["id"] for f in result["findings"] if f["rule"] == a["rule"]
                and (not a.get("subject") or f["id"] == f"{a['rule']}@{a['subject']}")
                and (not a.get("status") or f["status"] == a["status"])]
        if hits:
            rep.failures.append(f"{', '.join(hits)} must not appear - expert: {a.get('why')}")
    if expect.get("basic_requirements"):
        from engine.basic_requirements import conformity
        stored = {r["id"]: r for r in result["summary"]["basic_requirements"]}
        judged = {c.requirement["id"]: c.findings for c in conformity(result["findings"])}
        for b in expect["basic_requirements"]:
            rep.checks += 1
            verdict, mine = stored.get(b["id"], {}).get("verdict", "absent"), judged.get(b["id"], [])
            if verdict != b["verdict"]:
                rep.failures.append(f"basic requirement {b['id']}: expected {b['verdict']}, got {verdict} "
                                    f"({', '.join(f['id'] + ' ' + f['status'] for f in mine)}) - expert: {b.get('why')}")
            for fid in b.get("counts", []):
                rep.checks += 1
                if fid not in {f["id"] for f in mine}:
                    rep.failures.append(f"basic requirement {b['id']} must count {fid} - expert: {b.get('why')}")
            for path in b.get("collect", []):
                rep.checks += 1
                if path not in stored.get(b["id"], {}).get("collect", []):
                    rep.failures.append(f"basic requirement {b['id']} must name {path} to collect, names "
                                        f"{stored.get(b['id'], {}).get('collect')} - expert: {b.get('why')}")
            for fid in b.get("leaves_out", []):
                rep.checks += 1
                if fid in {f["id"] for f in mine}:
                    rep.failures.append(f"basic requirement {b['id']} must leave {fid} out - expert: {b.get('why')}")
    conclusion = result["summary"].get("conclusion") or {}
    for lang, key in (("zh", "conclusion_says"), ("en", "conclusion_says_en")):
        for text in expect.get(key, []):
            rep.checks += 1
            if text not in (conclusion.get(lang) or ""):
                rep.failures.append(f"the {lang} conclusion must say {text!r}; it says {conclusion.get(lang)!r}")
    for lang, key in (("zh", "conclusion_not_says"), ("en", "conclusion_not_says_en")):
        for text in expect.get(key, []):
            rep.checks += 1
            if text in (conclusion.get(lang) or ""):
                rep.failures.append(f"the {lang} conclusion must not say {text!r}; it says {conclusion.get(lang)!r}")
    if "only" in expect:
        rep.checks += 1
        extra = sorted({f["rule"] for f in result["findings"]} - set(expect["only"]))
        if extra:
            rep.failures.append(f"findings of rules beyond {expect['only']}: {extra}")
    for d in expect.get("derived", []):
        rep.checks += 1
        rec = result["derived"].get(str(d["year"]), {}).get(d["name"])
        if rec is None:
            rep.failures.append(f"derived {d['name']} ({d['year']}): not in the result")
        elif "missing" in d:
            missing = rec.get("missing", [])
            if rec.get("value") is not None or not set(d["missing"]) <= set(missing):
                rep.failures.append(f"derived {d['name']} ({d['year']}): expected unknown, missing "
                                    f"{d['missing']}; got value {rec.get('value')}, missing {missing}")
        elif "undefined" in d:
            if rec.get("value") is not None or not rec.get("undefined"):
                rep.failures.append(f"derived {d['name']} ({d['year']}): expected undefined; got {rec.get('value')}")
        elif not _close(rec.get("value"), d["value"]):
            rep.failures.append(f"derived {d['name']} ({d['year']}): hand-computed {d['value']} "
                                f"({d.get('arithmetic', '')}), engine {rec.get('value')}")
        if rec is not None and "factor" in d:
            want = d["factor"]
            factors = [result.get("factors", {}).get(x, x) if isinstance(x, str) else x for x in rec.get("factors", [])]
            if not any(f.get("id") == want["id"] and f.get("verification") == want.get("verification",
                                                                                     f.get("verification"))
                       for f in factors):
                rep.failures.append(f"derived {d['name']} ({d['year']}): expected factor {want}, got "
                                    f"{[(f.get('id'), f.get('verification')) for f in factors]}")
    return rep


def main() -> int:
    from engine.evaluators.oracle import OracleEvaluator
    assessors = {"durable": Assessor(), "oracle": Assessor(evaluator=OracleEvaluator())}
    failed = 0
    for name, assessor in assessors.items():
        total = agreed = 0
        for path in sorted(SCENARIOS.glob("[0-9]*.yaml")):
            rep = run_scenario(path, assessor)
            total += rep.checks
            agreed += rep.agreed
            mark = "ok " if not rep.failures else "DIFF"
            print(f"{name:8s} {mark} {path.stem:48s} {rep.agreed}/{rep.checks}")
            for f in rep.failures:
                print(f"           - {f}")
            failed += bool(rep.failures)
        print(f"{name}: {agreed}/{total} expectations agree ({agreed / total * 100 if total else 0:.1f} %)")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
