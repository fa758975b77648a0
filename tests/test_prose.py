"""Prose fit to publish: no rule-internal id, fact id, snake_case identifier, raw enum value or
unformatted number inside an explanation sentence, in either language.

Every example park (`examples/*.yaml`) is assessed under every benchmark profile, and every expert
scenario park (`tests/scenarios/*.yaml`, its `park` under its `profile`); every finding's
explanation is scanned, zh and en. The scanner itself is tested on bad strings below, so the scan
can fail.

What is flagged:

* a rule id (`IM-C-006`) or a finding id (`IN-C-001@ent:...`);
* a fact id (`task:K02`, `ind:energy_intensity`, `target:T1`, `ent:JS-E05`);
* a snake_case token (an indicator id, a field name, an enum such as `in_progress`);
* a closed value of the vocabulary (`none`, `decrease`, `environment`) - in Chinese any such
  ASCII word; in English only when snake_case, or quoted and different from its English label
  ('none' is "not started"; 'planned' is its own label), since "planned", "energy" or "none" are
  also English words there (the template check below covers English: every closed value and
  every id is printed through `:label`);
* an unformatted number: five or more digits in a row, a Chinese number of 10,000 or more not
  written with 万/亿, an English one of 1,000,000 or more not written with million/billion;
* the marker of a value that was expected but missing ("（未报告）"/"(not reported)"): a verdict
  printing it names something it did not know. Occurrences are listed; none is allowed today.

Park-file paths (`years[2].energy.coal`, `enterprises[11].cp_audit`) are allowed, and only where
the finding itself names them: in its `missing` list (the facts to collect, printed by
`{missing}` in insufficient_data texts) or as the zero base of an undefined indicator (printed
by `{undefined}`). They are not prose: a regulator must know exactly which field to report, and
the path is that field's address in the park file. Anywhere else a path is flagged like any other
snake_case token.

Not covered here: the note appended to a finding that rests on an unverified (U) number cites the
benchmark ids (`MIIT-EG2`) it rests on; it is written by `engine/findings.py`, not by a rule, and
the ids are those of the evidence table printed beside the finding.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from engine.facts.catalogue import KINDS
from engine.facts.vocabulary import VALUE_LABELS
from engine.rules.templates import (TemplateError, check_template, format_number, format_quantity,
                                    placeholders, render)

ROOT = Path(__file__).resolve().parent.parent

_RULE_ID = re.compile(r"\b[A-Z]{2,4}-[A-Z]-\d{3}\b")
_FACT_ID = re.compile(r"\b(?:ind|ent|target|task|finding|plan|park|infrastructure|platform|management|circular)"
                      r":[A-Za-z0-9_]")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PATH = re.compile(r"\b(?:years|enterprises|infrastructure|management|plan|profile|smart_platform|circular|accounting)"
                   r"(?:\[\d*\])?(?:\.[a-z0-9_]+(?:\[\d*\])?)+")
_LONG_DIGITS = re.compile(r"(?<![\d.,])\d{5,}")
_ZH_BIG = re.compile(r"(?<![\d.,])(?:\d{2,3}(?:,\d{3})+|\d(?:,\d{3}){2,})(?:\.\d+)?(?![\d,.])(?!\s*[万亿])")
_EN_BIG = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?(?![\d,.])")
_MARKERS = ("（未报告）", "(not reported)")
# a count its words do not agree with: "plant(s)", "1 are", "All 1 plants" (templates' `n:one|many`)
_COUNTED = re.compile(r"\w\(s\)|\b1 (?:are|have|were)\b|\bAll 1\b|\b(?<![.,])1 [a-z-]+s (?:are|have)\b")
_CLOSED = sorted({*VALUE_LABELS,
                  *(v for fields in KINDS.values() for spec in fields.values() for v in (spec.values or ())),
                  "met", "not_met", "insufficient_data", "not_applicable", "problem", "recommended"})
_ZH_WORD = re.compile(r"[A-Za-z_]+")
_EN_QUOTED = re.compile(r"""['"“‘]([a-z_]+)['"”’]""")


def scan(text: str, lang: str, allowed_paths=()) -> list[str]:
    """What is wrong with one explanation: a list of `kind: token` (empty when fit to publish).

    Args:
        allowed_paths: park-file paths the finding names (its `missing`, its zero base).
    """
    problems = [f"marker: {m}" for m in _MARKERS if m in text]
    for path in sorted(set(allowed_paths), key=len, reverse=True):
        text = text.replace(path, " ")
    problems += [f"rule id: {m}" for m in _RULE_ID.findall(text)]
    problems += [f"fact id: {m.group(0)}" for m in _FACT_ID.finditer(text)]
    problems += [f"path: {m}" for m in _PATH.findall(text)]
    problems += [f"snake_case: {m}" for m in _SNAKE.findall(text) if not _PATH.search(m)]
    if lang == "zh":
        problems += [f"enum: {w}" for w in _ZH_WORD.findall(text) if w in _CLOSED]
        problems += [f"number: {m}" for m in _ZH_BIG.findall(text)]
    else:
        problems += [f"enum: {w}" for w in _EN_QUOTED.findall(text)
                     if w in _CLOSED and VALUE_LABELS.get(w, {}).get("en") != w]
        problems += [f"number: {m}" for m in _EN_BIG.findall(text)]
    problems += [f"number: {m}" for m in _LONG_DIGITS.findall(text)]
    problems += [f"count: {m.group(0)}" for m in _COUNTED.finditer(text)]
    return sorted(set(problems))


# -- the scanner can fail ----------------------------------------------------------------------

@pytest.mark.parametrize("text, lang, expected", [
    ("关键指标检查 IM-C-006 未达标", "zh", "rule id: IM-C-006"),
    ("Key-indicator check PC-C-007 is not met", "en", "rule id: PC-C-007"),
    ("任务 task:K02 已延期", "zh", "fact id: task:K"),
    ("Target target:T1 is off track", "en", "fact id: target:T"),
    ("see ind:energy_intensity", "en", "fact id: ind:e"),
    ("目标指标 energy_intensity 未达标", "zh", "snake_case: energy_intensity"),
    ("Target on energy_intensity is missed", "en", "snake_case: energy_intensity"),
    ("审核状态为“none”", "zh", "enum: none"),
    ("目标方向 decrease", "zh", "enum: decrease"),
    ("status 'in_progress'", "en", "enum: in_progress"),
    ("its audit status is 'none'", "en", "enum: none"),
    ("缺少 environment 维度", "zh", "enum: environment"),
    ("煤炭消费量 7900000 t", "zh", "number: 7900000"),
    ("煤炭消费量 7,900,000 t", "zh", "number: 7,900,000"),
    ("coal use is 7,900,000 t", "en", "number: 7,900,000"),
    ("基准 （未报告）", "zh", "marker: （未报告）"),
    ("benchmark (not reported)", "en", "marker: (not reported)"),
    ("请补充 years[2].energy.coal", "zh", "path: years[2].energy.coal"),
    ("1 enterprise(s) are in the market", "en", "count: e(s)"),
    ("Of the seven systems, 1 are not built", "en", "count: 1 are"),
    ("All 1 central wastewater plants run within capacity", "en", "count: All 1"),
])
def test_scanner_flags_bad_prose(text, lang, expected):
    assert expected in " | ".join(scan(text, lang)), scan(text, lang)


@pytest.mark.parametrize("text, lang, allowed", [
    ("煤炭消费量 790 万t，单位能耗碳排放 2.54 tCO2/tce。", "zh", ()),
    ("CO2 emissions are 19.67 MtCO2, 2,959 yuan/m³, 60.8% of energy use.", "en", ()),
    ("无法计算可再生能源占比：请补充 years[2].energy.diesel、enterprises[11].cp_audit。", "zh",
     ("years[2].energy.diesel", "enterprises[11].cp_audit")),
    ("Targets of the plan: energy, carbon; 2024 data; clause 5.2 a).", "en", ()),
    ("单位地区生产总值能耗 12,345 万元/tce", "zh", ()),
])
def test_scanner_passes_good_prose(text, lang, allowed):
    assert scan(text, lang, allowed) == []


# -- every explanation of every example and scenario -------------------------------------------

def _parks():
    from engine.facts.loader import load_park, park_from_data
    from engine.knowledge import load_knowledge
    profiles = sorted(load_knowledge().profiles)
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        park = load_park(path)
        for profile in profiles:
            yield f"{path.stem} [{profile}]", park, profile
    for path in sorted((ROOT / "tests" / "scenarios").glob("[0-9]*.yaml")):
        sc = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield f"scenario {path.stem} [{sc.get('profile', 'default')}]", park_from_data(sc["park"]), \
            sc.get("profile", "default")


@pytest.fixture(scope="module")
def assessed() -> list[tuple[str, dict]]:
    from engine.assessment import Assessor
    from engine.evaluators.oracle import OracleEvaluator
    assessor = Assessor(evaluator=OracleEvaluator())
    return [(name, assessor.assess(park, profile=profile)) for name, park, profile in _parks()]


def _zero_bases(result: dict) -> set[str]:
    """Park-file paths an undefined indicator of the result names as its zero base."""
    out: set[str] = set()
    for values in result["derived"].values():
        for rec in values.values():
            out.update(_PATH.findall(rec.get("undefined") or ""))
    return out


def test_every_explanation_is_fit_to_publish(assessed):
    bad: dict[tuple, set[str]] = {}
    scanned = 0
    for name, result in assessed:
        zero = _zero_bases(result)
        for f in result["findings"]:
            allowed = {*f.get("missing", []), *zero}
            for lang in ("zh", "en"):
                scanned += 1
                problems = scan(f["explanation"][lang], lang, allowed)
                if problems:
                    key = (f["rule"], f["status"], lang)
                    bad.setdefault(key, set()).update(f"{p}  <- {name}: {f['explanation'][lang]}" for p in problems)
    assert scanned > 5000
    assert not bad, "\n".join(f"{k}: {sorted(v)[0]}" + (f" (+{len(v) - 1})" if len(v) > 1 else "")
                              for k, v in sorted(bad.items()))


def test_scan_covers_every_kind_of_finding(assessed):
    seen = {(f["kind"], f["status"]) for _, r in assessed for f in r["findings"]}
    assert {("compliance", s) for s in ("met", "not_met", "insufficient_data", "not_applicable")} <= seen
    assert ("problem", "problem") in seen and ("measure", "recommended") in seen


# -- every template: ids and closed values go through :label, units through :qty ---------------

_ID_FIELDS = {("indicator", "name"), ("target", "indicator"), ("finding", "rule"), ("finding", "severity")}


def _templates():
    from engine.rules.packs import RulesetRegistry
    from engine.rules.profiles import DEFAULT_PROFILE
    rs = RulesetRegistry().get(None, DEFAULT_PROFILE)
    for meta in rs.meta.values():
        for status, text in meta.explain.items():
            for lang in ("zh", "en"):
                yield meta, status, lang, text.get(lang)


def test_templates_print_ids_and_closed_values_as_words():
    bad = []
    for meta, status, lang, template in _templates():
        for ph in placeholders(template):
            if ph.name.startswith("$") or "." not in ph.name:
                continue
            alias, fld = ph.name.split(".", 1)
            kind = meta.aliases[alias]
            spec = KINDS[kind][fld]
            if fld == "id":
                bad.append(f"{meta.id} {status}.{lang}: {{{ph.name}}} prints a fact id")
            elif fld == "unit":
                bad.append(f"{meta.id} {status}.{lang}: {{{ph.name}}} prints a raw unit; write {{{alias}.value:qty}}")
            elif (spec.values or (kind, fld) in _ID_FIELDS) and ph.spec != "label":
                bad.append(f"{meta.id} {status}.{lang}: {{{ph.name}}} needs :label")
        literal = re.sub(r"\{[^{}]*\}", " ", template)
        for problem in scan(literal, lang):
            if not problem.startswith("marker"):
                bad.append(f"{meta.id} {status}.{lang}: literal text has {problem}")
    assert not bad, "\n".join(bad)


# -- numbers in prose --------------------------------------------------------------------------

@pytest.mark.parametrize("value, unit, lang, text", [
    (7_900_000, "t", "zh", "790 万t"),
    (7_900_000, "t", "en", "7.9 Mt"),                              # SI prefixes for tonnes in English
    (19_667_812, "tCO2", "zh", "1,967 万tCO2"),
    (19_667_812, "tCO2", "en", "19.67 MtCO2"),
    (12_345, "tce", "en", "12.35 ktce"),                           # kt from 10,000 t
    (8_765.4, "t", "en", "8,765 t"),
    (2_800_000, "MWh", "en", "2.8 TWh"),                           # and for watt-hours
    (34_567, "MWh", "en", "34.57 GWh"),
    (34_567, "MWh", "zh", "3.457 万MWh"),
    (120_000_000, "m3", "en", "120 million m³"),                   # words for the other units
    (10_450_000, "m3", "zh", "1,045 万m³"),
    (650_000, "GJ", "en", "650,000 GJ"),
    (2959.4, "元/m3", "zh", "2,959 元/m³"),
    (2959.4, "元/m3", "en", "2,959 yuan/m³"),
    (12.5, "km2", "zh", "12.5 km²"),
    (0.097656, "tce/万元", "en", "0.09766 tce per 10,000 yuan"),
    (10.24, "万元/tce", "en", "102,400 yuan/tce"),                  # 万元 in yuan
    (17.6, "亿元/km2", "en", "1.76 billion yuan/km²"),
    (123_456, "万元/tce", "zh", "123,456 万元/tce"),        # no 万万元
    (3_010_000, "万元", "zh", "301 亿元"),                   # 万元 moves up to 亿元
    (3_010_000, "万元", "en", "30.1 billion yuan"),
    (0.12, "亿t", "en", "12 Mt"),
    (12_345, "t/a", "en", "12.35 kt a year"),
    (60.834, "%", "zh", "60.8%"),
    (3.8, "pp", "zh", "3.8 个百分点"),
    (3.8, "pp", "en", "3.8 points"),
    (-2.859, "%/a", "zh", "-2.86%/年"),
    (-2.859, "%/a", "en", "-2.86% a year"),
    (99_996_000, "t", "zh", "1 亿t"),                        # rounding carries to the next scale
    (999_960, "t", "en", "1 Mt"),
    (9_999.6, "t", "zh", "1 万t"),
    (2, "persons", "zh", "2 人"),
    (99.96, "%", "zh", "99.96%"),                      # short of all of it: never "100.0%" (below 100 %)
    (99.994, "%", "en", "99.99%"),
    (99.9999999, "%", "zh", "100.0%"),                 # float noise of a full share is 100
    (0.17, "%", "zh", "0.17%"),                        # two figures below 1 %: not "0.2%"
])
def test_quantities(value, unit, lang, text):
    assert format_quantity(value, unit, lang) == text


def test_numbers_signs_and_benchmarks():
    assert format_number(19_667_812, "zh") == "1,967 万"
    assert format_number(-12.34567, "en") == "-12.35"
    assert format_number(0.0, "en", signed=True) == "0"
    assert format_quantity(16.333, "MW/a", "zh", signed=True) == "+16.33 MW/年"
    assert format_quantity(0.96, "pp/a", "en", signed=True) == "+0.96 points a year"
    assert format_quantity(15, "%", "zh", as_set=True) == "15%"       # a benchmark prints as set


def test_the_dossier_prints_a_value_as_the_explanation_does():
    """One implementation (engine.rules.numbers): the dossier's cells are the explanations' `qty`."""
    from engine.render.dossier import numfmt
    units = ["t", "tCO2", "tce", "MWh", "m3", "km2", "万元", "万元/tce", "亿元/km2", "tce/万元", "元/m3", "%",
             "%/a", "pp/a", "persons", "count", None]
    for value in (0, 0.0123456, 2.2812557, 60.834, 8_765.4, 12_345, 999_960, 7_900_000, 19_704_934.22, -3_010_000):
        for unit in units:
            for lang in ("zh", "en"):
                assert numfmt.quantity(value, unit, lang) == format_quantity(value, unit, lang), (value, unit, lang)
                assert numfmt.quantity(value, unit, lang, as_set=True) == \
                    format_quantity(value, unit, lang, as_set=True), (value, unit, lang)
    assert numfmt.gap(-3.84, "%", "zh") == format_quantity(3.84, "pp", "zh") == "3.8 个百分点"
    assert numfmt.gap(-3.84, "%", "en") == "3.8 points"
    assert numfmt.quantity(None, "t", "en") == numfmt.quantity(float("nan"), "t", "zh") == "—"


def test_the_documented_examples_hold():
    import doctest

    from engine.render.dossier import numfmt
    from engine.rules import numbers, templates
    for module in (numbers, templates, numfmt):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_qty_takes_the_unit_of_what_it_prints():
    labels = {"pv_capacity": {"zh": "光伏装机容量", "en": "Installed PV capacity", "unit": "MW"},
              "renewable_share": {"zh": "可再生能源占比", "en": "Renewable share", "unit": "%"}}
    target = {"kind": "target", "indicator": "pv_capacity", "target_value": 150, "rate_kind": "linear",
              "required_rate": 16.333}
    extras = {"labels": labels}
    assert render("{t.target_value:qty}，{t.required_rate:+qty}", {"t": target}, {}, extras, "zh") == \
        "150 MW，+16.33 MW/年"
    share = {"kind": "target", "indicator": "renewable_share", "target_value": 40, "latest_value": 31.25,
             "rate_kind": "linear", "required_rate": 1.5}
    assert render("{t.latest_value:qty} / {t.target_value:qty}, {t.required_rate:+qty}", {"t": share}, {}, extras,
                  "en") == "31.2% / 40%, +1.50 points a year"
    ind = {"kind": "indicator", "value": 82.44, "change": -0.8, "unit": "%"}
    extras = {"gap_of": ("s", "value"), "gap": 7.56, "threshold_units": {"min": "%"}}
    assert render("{s.value:qty}，基准 {$min:qty}，差 {gap:qty}，变化 {s.change:+qty}", {"s": ind}, {"min": 90},
                  extras, "zh") == "82.4%，基准 90%，差 7.6 个百分点，变化 -0.8 个百分点"
    park = {"kind": "park", "energy_total_tce": 6_866_580}
    assert render("{pk.energy_total_tce:qty}", {"pk": park}, {}, {}, "en") == "6.867 Mtce"


def test_label_of_a_rule_id_is_its_title():
    labels = {"PC-C-001": {"zh": "可再生能源使用比例达到基准", "en": "Renewable energy share meets the benchmark"}}
    out = render("关键指标检查“{f.rule:label}”未达标", {"f": {"rule": "PC-C-001"}}, {}, {"labels": labels}, "zh")
    assert out == "关键指标检查“可再生能源使用比例达到基准”未达标"


def test_missing_and_zero_bases_in_words():
    labels = {"energy_intensity": {"zh": "单位工业增加值综合能耗", "en": "Energy intensity", "unit": "tce/万元"},
              "energy_total_tce": {"zh": "综合能源消费量", "en": "Total energy consumption", "unit": "tce"},
              "solid_waste_utilisation": {"zh": "一般工业固体废物综合利用率", "en": "Solid-waste utilisation",
                                          "unit": "%"}}
    extras = {"labels": labels, "missing": ["years (a second year with energy_intensity reported)",
                                            "derived.energy_total_tce", "years[2].energy.coal", "indicator.at_best"]}
    assert render("请补充 {missing}。", {}, {}, extras, "zh") == \
        "请补充 第二个统计年度的单位工业增加值综合能耗数据、综合能源消费量的计算数据、years[2].energy.coal。"
    assert render("report {missing}", {}, {}, extras, "en") == ("report a second year of energy intensity data, "
                                                                "the inputs of total energy consumption, "
                                                                "years[2].energy.coal")
    extras = {"labels": labels,
              "undefined": "solid_waste_utilisation: years[2].solid_waste.general_generated = 0"}
    assert render("（{undefined}）", {}, {}, extras, "zh") == \
        "（一般工业固体废物综合利用率：years[2].solid_waste.general_generated = 0）"
    extras = {"labels": labels, "undefined": "enterprises subject to mandatory audit (none) = 0"}
    assert render("（{undefined}）", {}, {}, extras, "zh") == "（须强制性清洁生产审核的企业数 = 0）"


# -- the compile-time check knows the new specs ------------------------------------------------

def test_check_template_validates_num_and_qty():
    aliases = {"s": "indicator", "p": "plan", "t": "target", "pk": "park", "e": "enterprise"}
    for ok in ("{s.value:qty}", "{s.change:+qty}", "{t.target_value:qty}", "{t.required_rate:+qty}",
               "{pk.energy_total_tce:qty}", "{$min:qty}", "{gap:qty}", "{p.targets:num}", "{s.value:.1f}"):
        check_template(ok, aliases, {"min"}, True)
    for bad, why in (("{p.targets:qty}", "no unit"), ("{e.name:num}", "only a number"),
                     ("{s.name:qty}", "only a number"), ("{s.value:qtyy}", "bad format"),
                     ("{missing:num}", "only a number")):
        with pytest.raises(TemplateError, match=why):
            check_template(bad, aliases, {"min"}, True, extras=frozenset({"missing"}))


def test_a_count_agrees_with_its_words_and_a_bad_count_spec_is_a_compile_error():
    plants = "{p.wastewater_plants:n:plant has|plants have}"
    for n, words in ((1, "1 plant has"), (2, "2 plants have"), (0, "0 plants have")):
        assert render(plants, {"p": {"wastewater_plants": n}}, {}, {}, "en") == words
    check_template(plants, {"p": "infrastructure"}, set(), False)
    for spec, msg in (("n:plant", "write n:one|many"), ("n:a|b|c", "write n:one|many"), ("n:|plants", "write n:one|many")):
        with pytest.raises(TemplateError, match=msg):
            check_template("{p.wastewater_plants:" + spec + "}", {"p": "infrastructure"}, set(), False)
    with pytest.raises(TemplateError, match="only a number counts"):
        check_template("{p.exists:n:plan|plans}", {"p": "plan"}, set(), False)
