"""Result formats 1 and 2: one writer (`compact`), one reader (`expand`), nothing else knows both.

Format 1 is the full record the engine builds and every renderer reads: each finding carries its
rule's title, version, pack, clauses, frameworks and benchmarks, its full evidence and its engine
`trace`; each derived indicator its formula and emission factors, every year again. Format 2
(docs/result.md, "Format 2") says each of those once:

* `rules`: per rule, what every finding of the rule shared (kind, version, pack, clauses, title,
  frameworks, benchmarks, catalogue measure);
* `verdicts`: met / not_applicable compliance verdicts as compact rows
  `[id, rule, subject, status, value, benchmark, explanation, facts(, extra)]`;
* `findings`: every other finding (not_met, insufficient_data, problem, measure) as a full record,
  less what `rules` holds, an indicator's formula and inputs (in `derived`) and a measure's
  answered findings' rule, status and severity (in those findings);
* `derived`: per indicator and year the numbers; the formula once in `formulas`, emission factors
  once in `factors`;
* `rules[rule]["explain"][status][lang]`: the sentence a rule's findings of one status share,
  as fixed segments; such a finding's (or row's) explanation in that language is then the list of
  what goes between them, e.g. an enterprise's name. Where the writer is given the rules the
  result was assessed with (`rules=`, as the CLI and the service do), the segments are the rule's
  own template's fixed text (`engine.rules.templates.literals`) and the slots its placeholders'
  words; otherwise (a stored result converted later) they are inferred from the texts
  (`engine.result_texts`). Either way a text becomes slots only where it fits the segments
  exactly, so filling them back gives it character for character;
* `sources`: {id: source} - a benchmark's source {id, title, url} once, the rules' benchmarks
  naming it by its id; `ghg_inventory` lines name their emission factor by its key in `factors`;
* `trace` only when asked for (`trace=True`).

`expand(compact(r, trace=True)) == r` for every result (tests/test_result_format.py); without the
trace, the same less `trace`. Consumers that read stored results (decision logs, history files,
replays) call `expand` and so read both formats; a result without `format` (before it existed) is
format 1.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .measure_ranking import SEVERITY_RANK
from .result_texts import MIN_GROUP, fill, find_template, split
from .rules.templates import literals

__all__ = ["FORMATS", "ROW_COLUMNS", "compact", "expand", "as_format", "format_of", "all_verdicts", "load_result"]

FORMATS = (1, 2)
ROW_COLUMNS = ("id", "rule", "subject", "status", "value", "benchmark", "explanation", "facts", "extra")
_PER_RULE = ("kind", "rule_version", "pack", "clauses", "title", "frameworks")
_RULE_KEY = {"kind": "kind", "rule_version": "version", "pack": "pack", "clauses": "clauses", "title": "title",
             "frameworks": "frameworks"}
_ROW_STATUSES = ("met", "not_applicable")
_KIND_ORDER = {"problem": 0, "compliance": 1, "measure": 2}
_FACT_KEYS = ("fact", "field", "value", "unit", "path")


def format_of(result: dict) -> int:
    """The format of a stored or fresh result (1 when it predates the key)."""
    fmt = result.get("format", 1)
    return fmt if isinstance(fmt, int) else 1


def as_format(result: dict, fmt: int, *, trace: bool = False, rules: Mapping[str, Any] | None = None) -> dict:
    """`result` (either format) in format `fmt`; format 2 keeps the trace only with `trace`.
    `rules`: the rule metadata of the ruleset the result was assessed with (`Ruleset.meta`), whose
    explanation templates format 2 then says each rule's shared sentence by (see the docstring).

    Raises:
        ValueError: an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown result format {fmt!r}: {', '.join(map(str, FORMATS))}")
    if fmt == 1:
        return expand(result)
    return result if format_of(result) == 2 else compact(result, trace=trace, rules=rules)


def load_result(data: bytes | str) -> dict:
    """A stored result (a decision log row, a history file): its JSON, as format 1.

    Raises:
        ValueError: not JSON.
    """
    import json
    return expand(json.loads(data))


def all_verdicts(result: dict) -> list[dict]:
    """Every finding of either format, full records (met / not_applicable rows expanded)."""
    return expand(result)["findings"]


# --------------------------------------------------------------------------- format 1 -> 2

def compact(result: dict, *, trace: bool = False, rules: Mapping[str, Any] | None = None) -> dict:
    """Format 1 -> format 2 (a new dict; `result` is not changed). Already format 2: as is.
    `rules`: as for `as_format`."""
    if format_of(result) == 2:
        return result
    findings = result.get("findings") or []
    derived, formulas, factors = _compact_derived(result.get("derived") or {})
    meta, rules = rules, _rules_table(findings)
    by_id = {f["id"]: f for f in findings}
    labels = _labels_table(findings)
    rows, full = [], []
    for f in findings:
        if f.get("kind") == "compliance" and f.get("status") in _ROW_STATUSES:
            rows.append(_row(f, rules, result, trace))
        else:
            full.append(_compact_finding(f, rules, result, by_id, trace, labels))
    _template_explanations(rules, full, rows, meta)
    sources = _source_table(rules)
    out: dict[str, Any] = {}
    for key, value in result.items():
        if key == "format":
            out["format"] = 2
        elif key == "derived":
            out["derived"] = derived
            out["formulas"] = formulas
            out["factors"] = factors
        elif key == "ghg_inventory":
            out["ghg_inventory"] = _compact_inventory(value, factors)
        elif key == "findings":
            if sources:
                out["sources"] = sources
            out["rules"] = rules
            out["labels"] = {s: _label_text(w) for s, w in labels.items()}
            out["verdicts"] = {"columns": list(ROW_COLUMNS), "rows": rows}
            out["findings"] = full
        else:
            out[key] = value
    if "format" not in result:
        out = {"format": 2, **out}
    if trace:
        out["trace"] = True
    return out


def _labels_table(findings: list[dict]) -> dict[str, dict]:
    """subject -> its words {zh, en}, from the measures' `subject_labels` (a subject named alike by
    every measure; one named otherwise somewhere stays in its measures)."""
    labels: dict[str, dict] = {}
    clash: set[str] = set()
    for f in findings:
        for subject, words in (f.get("subject_labels") or {}).items() if isinstance(f.get("subject_labels"), dict) else ():
            if labels.setdefault(subject, words) != words:
                clash.add(subject)
    for subject in clash:
        del labels[subject]
    return labels


def _label_text(words):
    """{zh: X, en: X} -> "X" (an enterprise's name is the same in both)."""
    if isinstance(words, dict) and set(words) == {"zh", "en"} and words["zh"] == words["en"] and \
            isinstance(words["zh"], str):
        return words["zh"]
    return words


def _rules_table(findings: list[dict]) -> dict[str, dict]:
    """rule id -> the per-rule fields of its first finding (a later finding that differs keeps its own)."""
    rules: dict[str, dict] = {}
    for f in findings:
        rid = f.get("rule")
        if rid is None or rid in rules:
            continue
        entry = {_RULE_KEY[k]: f[k] for k in _PER_RULE if k in f}
        ev = f.get("evidence") or {}
        if "benchmarks" in ev:
            entry["benchmarks"] = ev["benchmarks"]
        if "measure" in f:
            entry["measure"] = f["measure"]
        rules[rid] = entry
    return rules


def _strip_rule_fields(f: dict, rule: dict, out: dict) -> None:
    for k in _PER_RULE:
        if k in f and (_RULE_KEY[k] not in rule or rule[_RULE_KEY[k]] != f[k]):
            out[k] = f[k]
    if "measure" in f and rule.get("measure") != f["measure"]:
        out["measure"] = f["measure"]


def _subject(fid: str) -> str | None:
    return fid.split("@", 1)[1] if isinstance(fid, str) and "@" in fid else None


def _compact_facts(facts: list[dict], result: dict, subject: str | None) -> list:
    """Evidence facts as rows `[fact, field, value, unit, path]` (`fact` null: the finding's
    subject), plus the derived year when the formula and inputs are those of
    `derived[year][indicator]` (else the dict as it was)."""
    out: list = []
    year = str(result.get("year"))
    derived = result.get("derived") or {}
    for e in facts:
        keys = set(e)
        if keys == set(_FACT_KEYS) and e["fact"] is not None:
            out.append([None if e["fact"] == subject else e["fact"]] + [e[k] for k in _FACT_KEYS[1:]])
            continue
        if keys == {*_FACT_KEYS, "formula", "inputs"} and str(e["fact"]).startswith("ind:"):
            dv = derived.get(year, {}).get(e["fact"][4:])
            if dv is not None and dv.get("formula") == e["formula"] and dv.get("inputs") == e["inputs"]:
                out.append([None if e["fact"] == subject else e["fact"]] + [e[k] for k in _FACT_KEYS[1:]] + [year])
                continue
        out.append(e)
    return out


def _compact_evidence(ev: dict, rule: dict, result: dict, by_id: dict, subject: str | None) -> dict:
    out = dict(ev)
    if "benchmarks" in ev and rule.get("benchmarks") == ev["benchmarks"]:
        del out["benchmarks"]
    if "facts" in ev:
        out["facts"] = _compact_facts(ev["facts"], result, subject)
    if "answers" in ev:
        answers = []
        for a in ev["answers"]:
            f = by_id.get(a.get("finding"))
            same = f is not None and set(a) == {"finding", "rule", "status", "severity"} and \
                all(a[k] == f.get(k) for k in ("rule", "status", "severity"))
            answers.append(a["finding"] if same else a)
        out["answers"] = answers
    return out


def _compact_finding(f: dict, rules: dict, result: dict, by_id: dict, trace: bool, labels: dict) -> dict:
    rule = rules.get(f.get("rule"), {})
    out: dict = {}
    for k, v in f.items():
        if k in _PER_RULE or k == "measure":
            continue
        if k == "trace" and not trace:
            continue
        if k == "evidence" and isinstance(v, dict):
            v = _compact_evidence(v, rule, result, by_id, _subject(f.get("id")))
            if v.get("answers") == f.get("related") and v.get("answers"):
                v["answers"] = "related"         # every answered finding is in the result, in that order
        elif k == "subject_labels" and isinstance(v, dict) and all(labels.get(s) == w for s, w in v.items()):
            v = list(v)                          # the words are in `labels`
        out[k] = v
    _strip_rule_fields(f, rule, out)
    return out


def _row(f: dict, rules: dict, result: dict, trace: bool) -> list:
    rule = rules.get(f["rule"], {})
    fid = f["id"]
    subject = fid.split("@", 1)[1] if "@" in fid else None
    ev = f.get("evidence") or {}
    facts = ev.get("facts") or []
    benchmarks = rule.get("benchmarks") or []
    extra: dict = {}
    for k, v in f.items():
        if k in ("id", "rule", "status", "explanation", "evidence") or k in _PER_RULE or k == "measure":
            continue
        if (k == "severity" and v == "info") or (k == "related" and v == []) or (k == "unverified" and v is False):
            continue
        if k == "trace" and not trace:
            continue
        extra[k] = v
    if "severity" not in f:
        extra["severity"] = None
    if "related" not in f:
        extra["related"] = None
    if "unverified" not in f:
        extra["unverified"] = None
    _strip_rule_fields(f, rule, extra)
    rest = {k: v for k, v in ev.items() if k != "facts" and not (k == "benchmarks" and v == rule.get("benchmarks"))}
    if set(rest) - {"benchmarks"} or "benchmarks" in rest or "facts" not in ev or \
            ("benchmarks" in ev) != ("benchmarks" in rule):
        extra["evidence"] = {**rest, "_keys": list(ev)}
    row = [fid, f["rule"], subject, f["status"], facts[0].get("value") if facts else None,
           benchmarks[0].get("value") if benchmarks else None, f.get("explanation"),
           _compact_facts(facts, result, subject)]
    if extra:
        row.append(extra)
    return row


def _template_explanations(rules: dict, full: list[dict], rows: list[list], meta: Mapping[str, Any] | None) -> None:
    """Say each rule's shared sentence once per status and language, in `rules[rule]["explain"]`:
    the fixed text of the rule's template where `meta` gives it and the texts fit it, else
    segments inferred from the texts (`engine.result_texts`); a finding's text that fits becomes
    its slots. In place; each changed explanation is a new dict (the format 1 result is never
    changed)."""
    groups: dict[tuple[str, str, str], list] = {}
    for holder, key in [(f, "explanation") for f in full] + [(r, 6) for r in rows]:
        e = holder[key]
        if not (isinstance(e, dict) and set(e) <= {"zh", "en"}):
            continue
        rule, status = (holder["rule"], holder["status"]) if key == "explanation" else (holder[1], holder[3])
        if rule not in rules:
            continue
        for lang, text in e.items():
            if isinstance(text, str):
                groups.setdefault((rule, status, lang), []).append((holder, key))
    for (rule, status, lang), holders in groups.items():
        texts = [h[k][lang] for h, k in holders]
        template, slots = _own_template(meta, rule, status, lang, texts)
        if template is None:
            if len(holders) < MIN_GROUP or (template := find_template(texts)) is None:
                continue
            slots = [split(template, t) for t in texts]
        cost = _size(template) + sum(_size(x) if x is not None else _size(t) for x, t in zip(slots, texts))
        if cost >= sum(_size(t) for t in texts):
            continue
        rules[rule].setdefault("explain", {}).setdefault(status, {})[lang] = template
        for (holder, key), slot in zip(holders, slots):
            if slot is not None:
                holder[key] = {**holder[key], lang: slot}


def _own_template(meta: Mapping[str, Any] | None, rule: str, status: str, lang: str,
                  texts: list[str]) -> tuple[list[str] | None, list]:
    """The fixed text of the rule's own template for `status` in `lang` and each text's slots in it
    (None where a text does not fit), or (None, []) when there is no such template or no text
    fits it (a text the engine composed otherwise)."""
    m = meta.get(rule) if meta is not None and len(texts) > 1 else None
    text = (m.explain.get(status) if m is not None else None)
    template = getattr(text, lang, None) if text is not None else None
    if not template:
        return None, []
    segments = literals(template)
    slots = [split(segments, t) for t in texts]
    return (segments, slots) if any(s is not None for s in slots) else (None, [])


def _source_table(rules: dict) -> dict:
    """Move each benchmark source {id, title, url} of the rules table into one table by id, the
    benchmarks naming it by the id (in place, on new benchmark dicts). Only when every benchmark's
    source is such a dict and each id names one source (else nothing changes)."""
    table: dict[str, dict] = {}
    for entry in rules.values():
        for b in entry.get("benchmarks") or ():
            src = b.get("source") if isinstance(b, dict) else None
            if not (isinstance(src, dict) and isinstance(src.get("id"), str)) or \
                    table.setdefault(src["id"], src) != src or list(table[src["id"]]) != list(src):
                return {}
    for entry in rules.values():
        if entry.get("benchmarks"):
            entry["benchmarks"] = [{**b, "source": b["source"]["id"]} for b in entry["benchmarks"]]
    return table


def _compact_inventory(inventory, factors: dict):
    """The GHG inventory with each line's emission factor named by its key in `factors` where it is
    that factor, key for key (a line whose factor is not a dict: the inventory as it was)."""
    if not isinstance(inventory, list):
        return inventory
    key_of = {}
    for key, fac in factors.items():
        try:
            key_of[tuple(fac.items())] = key
        except (AttributeError, TypeError):    # not a dict, or a value that is a list or a dict
            continue
    out = []
    for year in inventory:
        year = dict(year)
        for part in ("scope1", "scope2_location", "scope2_market"):
            lines = []
            for line in year.get(part) or ():
                fac = line.get("factor") if isinstance(line, dict) else None
                if not isinstance(fac, dict):
                    return inventory
                try:
                    key = key_of.get(tuple(fac.items()))
                except TypeError:
                    key = None
                lines.append({**line, "factor": key} if key is not None else line)
            if part in year:
                year[part] = lines
        out.append(year)
    return out


def _expand_inventory(inventory, factors: dict):
    if not isinstance(inventory, list):
        return inventory
    out = []
    for year in inventory:
        year = dict(year)
        for part in ("scope1", "scope2_location", "scope2_market"):
            if isinstance(year.get(part), list):
                year[part] = [{**line, "factor": factors[line["factor"]]}
                              if isinstance(line, dict) and isinstance(line.get("factor"), str) else line
                              for line in year[part]]
        out.append(year)
    return out


def _size(x) -> int:
    """About the JSON size of a string or a list of strings (for choosing, not for reporting)."""
    if isinstance(x, str):
        return len(x.encode()) + 2
    return sum(len(s.encode()) + 3 for s in x) + 1


def _explanation(e, rule: dict, status: str):
    """A finding's explanation with any language given as its slots filled in from the rule's
    template (`_template_explanations`). Slots without a template that takes them (a record
    edited by hand: its status changed, say) stay slots, so the record still reads and a replay
    names the difference."""
    if not (isinstance(e, dict) and any(isinstance(v, list) for v in e.values())):
        return e
    templates = (rule.get("explain") or {}).get(status) or {}
    return {lang: fill(templates[lang], v)
            if isinstance(v, list) and len(templates.get(lang) or ()) == len(v) + 1 else v for lang, v in e.items()}


def _compact_derived(derived: dict) -> tuple[dict, dict, dict]:
    """Derived indicators less their name and year (the keys), formula (once per indicator in
    `formulas` when the same every year) and emission factors (once each in `factors`, keyed by
    the factor's id, or `id~2`, `id~3` ... for another version of it, e.g. another year's note)."""
    formulas: dict[str, str] = {}
    clash: set[str] = set()
    factors: dict[str, dict] = {}
    key_of: dict[str, str] = {}          # factor as JSON-ish key -> table key
    for values in derived.values():
        for name, dv in values.items():
            if "formula" in dv and formulas.setdefault(name, dv["formula"]) != dv["formula"]:
                clash.add(name)
    for name in clash:
        del formulas[name]

    def factor_ref(fac):
        if not (isinstance(fac, dict) and isinstance(fac.get("id"), str)):
            return fac
        sig = repr(sorted(fac.items()))
        key = key_of.get(sig)
        if key is None:
            key, n = fac["id"], 1
            while key in factors:
                n += 1
                key = f"{fac['id']}~{n}"
            factors[key] = fac
            key_of[sig] = key
        return key

    out: dict = {}
    for year, values in derived.items():
        out[year] = {}
        for name, dv in values.items():
            c: dict = {}
            for k, v in dv.items():
                if (k == "name" and v == name) or (k == "year" and str(v) == year and isinstance(v, int)) or \
                        (k == "formula" and name in formulas):
                    continue
                if k == "inputs" and isinstance(v, list) and all(isinstance(i, dict) and set(i) == {"path", "value", "unit"}
                                                                 for i in v):
                    v = [[i["path"], i["value"], i["unit"]] for i in v]
                elif k == "factors" and isinstance(v, list):
                    v = [factor_ref(x) for x in v]
                c[k] = v
            missing = [k for k in ("name", "year", "formula") if k not in dv]
            if missing:
                c["_absent"] = missing
            out[year][name] = c
    return out, formulas, factors


# --------------------------------------------------------------------------- format 2 -> 1

def expand(result: dict) -> dict:
    """Format 2 -> format 1, the full record every renderer reads (a new dict). Format 1: as is."""
    if format_of(result) != 2:
        return result
    rules = result.get("rules") or {}
    sources = result.get("sources") or {}
    if sources:
        rules = {rid: {**e, "benchmarks": [{**b, "source": sources[b["source"]]}
                                           if isinstance(b, dict) and isinstance(b.get("source"), str) else b
                                           for b in e["benchmarks"]]} if e.get("benchmarks") else e
                 for rid, e in rules.items()}
    derived = _expand_derived(result.get("derived") or {}, result.get("formulas") or {}, result.get("factors") or {})
    ctx = {**result, "derived": derived}
    full = [_expand_finding(f, rules, ctx) for f in result.get("findings") or []]
    verdicts = result.get("verdicts") or {}
    columns = verdicts.get("columns") or list(ROW_COLUMNS)
    rows = [_expand_row(dict(zip(columns, r)), rules, ctx) for r in verdicts.get("rows") or []]
    by_id = {f["id"]: f for f in full}
    by_id.update((f["id"], f) for f in rows)
    for f in full:
        ev = f.get("evidence")
        if isinstance(ev, dict) and "answers" in ev:
            ev["answers"] = [_answer(a, by_id) for a in ev["answers"]]
    findings = _merge(full, rows)
    out: dict[str, Any] = {}
    for key, value in result.items():
        if key == "format":
            out["format"] = 1
        elif key == "ghg_inventory":
            out[key] = _expand_inventory(value, result.get("factors") or {})
        elif key in ("formulas", "factors", "rules", "labels", "verdicts", "sources") or \
                (key == "trace" and value is True):
            continue
        elif key == "derived":
            out["derived"] = derived
        elif key == "findings":
            out["findings"] = findings
        else:
            out[key] = value
    return out


def _answer(a, by_id: dict) -> dict:
    if isinstance(a, dict):
        return a
    f = by_id.get(a, {})
    return {"finding": a, "rule": f.get("rule"), "status": f.get("status"), "severity": f.get("severity")}


def _expand_facts(facts: list, derived: dict, subject: str | None) -> list[dict]:
    out = []
    for e in facts:
        if isinstance(e, dict):
            out.append(e)
            continue
        entry = dict(zip(_FACT_KEYS, e[:5]))
        if entry["fact"] is None:
            entry["fact"] = subject
        if len(e) > 5:
            dv = derived.get(e[5], {}).get(str(entry["fact"])[4:], {})
            entry["formula"] = dv.get("formula")
            entry["inputs"] = dv.get("inputs")
        out.append(entry)
    return out


def _expand_evidence(ev: dict, rule: dict, ctx: dict, subject: str | None, keys: list | None = None) -> dict:
    out = dict(ev)
    if "facts" in ev:
        out["facts"] = _expand_facts(ev["facts"], ctx["derived"], subject)
    if "benchmarks" not in ev and "benchmarks" in rule and (keys is None or "benchmarks" in keys):
        out["benchmarks"] = rule["benchmarks"]
    order = keys or ["facts", "benchmarks", "gap", "answers"]
    return {k: out[k] for k in sorted(out, key=lambda k: order.index(k) if k in order else len(order))}


def _build(fid: str, rule_id: str, status: str, rule: dict, rest: dict) -> dict:
    """A format 1 finding in the key order `findings._base` gives."""
    f: dict = {"id": fid}
    f["kind"] = rest.pop("kind", rule.get("kind"))
    f["rule"] = rule_id
    f["rule_version"] = rest.pop("rule_version", rule.get("version"))
    f["pack"] = rest.pop("pack", rule.get("pack"))
    f["clauses"] = rest.pop("clauses", rule.get("clauses"))
    f["status"] = status
    f["severity"] = rest.pop("severity")
    f["title"] = rest.pop("title", rule.get("title"))
    f["frameworks"] = rest.pop("frameworks", rule.get("frameworks"))
    f["related"] = rest.pop("related")
    for k in ("kind", "rule_version", "pack", "clauses", "title", "frameworks"):
        if f[k] is None and _RULE_KEY[k] not in rule:
            del f[k]
    f.update(rest)
    return f


def _expand_finding(c: dict, rules: dict, ctx: dict) -> dict:
    rule = rules.get(c.get("rule"), {})
    rest = {k: v for k, v in c.items() if k not in ("id", "rule", "status")}
    if "explanation" in rest:
        rest["explanation"] = _explanation(rest["explanation"], rule, c["status"])
    if isinstance(rest.get("subject_labels"), list):
        labels = ctx.get("labels") or {}
        rest["subject_labels"] = {s: ({"zh": labels[s], "en": labels[s]} if isinstance(labels.get(s), str)
                                      else labels.get(s)) for s in rest["subject_labels"]}
    ev = rest.get("evidence")
    if isinstance(ev, dict) and ev.get("answers") == "related":
        rest["evidence"] = {**ev, "answers": list(rest.get("related") or [])}
    rest.setdefault("severity", None)
    rest.setdefault("related", [])
    if isinstance(rest.get("evidence"), dict):
        rest["evidence"] = _expand_evidence(rest["evidence"], rule, ctx, _subject(c["id"]))
    if "measure" in rule and "measure" not in rest:
        rest = _insert_after(rest, "evidence", "measure", rule["measure"])
    return _build(c["id"], c["rule"], c["status"], rule, rest)


def _insert_after(d: dict, after: str, key: str, value) -> dict:
    out = {}
    for k, v in d.items():
        out[k] = v
        if k == after:
            out[key] = value
    if key not in out:
        out[key] = value
    return out


def _expand_row(r: dict, rules: dict, ctx: dict) -> dict:
    rule = rules.get(r["rule"], {})
    extra = dict(r.get("extra") or {})
    ev_extra = dict(extra["evidence"]) if "evidence" in extra else None    # never change the input
    extra.pop("evidence", None)
    rest: dict = {"severity": extra.pop("severity", "info"), "related": extra.pop("related", [])}
    rest["explanation"] = _explanation(r.get("explanation"), rule, r["status"])
    if ev_extra is not None:
        keys = ev_extra.pop("_keys")
        ev = {**ev_extra}
        if "facts" in keys:
            ev["facts"] = r.get("facts") or []
        rest["evidence"] = _expand_evidence(ev, rule, ctx, _subject(r["id"]), keys)
    else:
        rest["evidence"] = _expand_evidence({"facts": r.get("facts") or []}, rule, ctx, _subject(r["id"]))
    unverified = extra.pop("unverified", False)
    for k in ("kind", "rule_version", "pack", "clauses", "title", "frameworks", "measure"):
        if k in extra:
            rest[k] = extra.pop(k)
    rest.update({k: v for k, v in extra.items() if k != "trace"})
    if unverified is not None:
        rest["unverified"] = unverified
    if "trace" in extra:
        rest["trace"] = extra["trace"]
    f = _build(r["id"], r["rule"], r["status"], rule, rest)
    for k in ("severity", "related"):
        if f.get(k) is None and k in f:
            del f[k]
    return f


def _merge(full: list[dict], rows: list[dict]) -> list[dict]:
    """The format 1 order: problems, compliance, by severity, rule and id; measures last, as ranked."""
    def key(f: dict):
        return (_KIND_ORDER.get(f.get("kind"), 1), -SEVERITY_RANK.get(f.get("severity"), 0), f.get("rule", ""),
                f.get("id", ""))
    measures = [f for f in full if f.get("kind") == "measure"]
    others = [f for f in full if f.get("kind") != "measure"]
    out: list[dict] = []
    i = j = 0
    while i < len(others) and j < len(rows):
        if key(rows[j]) < key(others[i]):
            out.append(rows[j])
            j += 1
        else:
            out.append(others[i])
            i += 1
    return out + others[i:] + rows[j:] + measures


def _expand_derived(derived: dict, formulas: dict, factors: dict) -> dict:
    out: dict = {}
    for year, values in derived.items():
        out[year] = {}
        for name, c in values.items():
            absent = set(c.get("_absent") or ())
            dv: dict = {}
            if "name" not in absent:
                dv["name"] = name
            if "year" not in absent:
                dv["year"] = int(year) if year.lstrip("-").isdigit() else year
            for k, v in c.items():
                if k == "_absent":
                    continue
                if k == "inputs" and isinstance(v, list):
                    v = [dict(zip(("path", "value", "unit"), i)) if isinstance(i, list) else i for i in v]
                elif k == "factors" and isinstance(v, list):
                    v = [factors[x] if isinstance(x, str) and x in factors else x for x in v]
                dv[k] = v
            if "formula" not in absent and "formula" not in dv and name in formulas:
                dv["formula"] = formulas[name]
            out[year][name] = dv
    return out
