"""Clauses a verdict cites (docs/conventions.md section 8): a rule whose rationale names a lettered
item of clause 5.2 or 5.3 cites that item's letter ("5.2c", "5.3h"), and a quantitative check of an
indicator whose rationale names clause 7.3 - or that compares a key indicator with a benchmark -
cites "7.3". Rule files are read as plain YAML (yaml.safe_load), independently of the engine."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

RULES = Path(__file__).resolve().parent.parent / "rules"
INDICATORS = Path(__file__).resolve().parent.parent / "knowledge" / "indicators.yaml"

# "5.2" / "5.3" (not 15.2, not 5.21), an optional 条 and 第, then one or more item letters.
_CLAUSE = re.compile(r"(?<![\d.])(5\.[23])(?!\d)\s*(?:条)?\s*(?:第)?\s*")
# one item letter a-n, alone (not the start of a word: "5.2 asks" names no item), in optional brackets
_LETTER = re.compile(r"[(（]?([a-n])(?![A-Za-z])\s*[)）]?")
_RANGE = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")                       # c-e, c)-e), c至e
_LIST = re.compile(r"\s*(?:、|,|，|;|；|and\b|or\b|及|和|或|与)\s*")   # c、d、e; c, d and e
_CLAUSE_7_3 = re.compile(r"(?<![\d.])7\.3(?!\d)")


def lettered_items(text: str) -> set[str]:
    """The lettered items of clauses 5.2 and 5.3 that `text` names, as clause ids ("5.3h").

    >>> sorted(lettered_items("第5.2条c、d、e项"))
    ['5.2c', '5.2d', '5.2e']
    """
    found: set[str] = set()
    for m in _CLAUSE.finditer(text):
        clause = m.group(1)
        first = _LETTER.match(text, m.end())
        if not first:
            continue
        prev, pos = first.group(1), first.end()
        found.add(clause + prev)
        while True:
            sep = _RANGE.match(text, pos)
            if sep:
                nxt = _LETTER.match(text, sep.end())
                if nxt and nxt.group(1) > prev:
                    found.update(clause + chr(c) for c in range(ord(prev), ord(nxt.group(1)) + 1))
                    prev, pos = nxt.group(1), nxt.end()
                    continue
            sep = _LIST.match(text, pos)
            if sep:
                nxt = _LETTER.match(text, sep.end())
                if nxt:
                    found.add(clause + nxt.group(1))
                    prev, pos = nxt.group(1), nxt.end()
                    continue
            break
    return found


def names_7_3(text: str) -> bool:
    return bool(_CLAUSE_7_3.search(text))


def _rule_docs() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(RULES.glob("*/*.yaml")):
        if path.name.endswith("_test.yaml") or path.name == "pack.yaml":
            continue
        with path.open(encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        out.append((f"{path.parent.name}/{path.name}", doc))
    return out


def _rationale(doc: dict) -> str:
    r = doc.get("rationale") or {}
    return "\n".join(str(r.get(lang, "")) for lang in ("zh", "en"))


def missing_letters(doc: dict) -> list[str]:
    """Lettered items the rule's rationale names but its `clauses` omit."""
    return sorted(lettered_items(_rationale(doc)) - set(doc.get("clauses", [])))


def _key_indicators() -> set[str]:
    with INDICATORS.open(encoding="utf-8") as fh:
        return {i["id"] for i in yaml.safe_load(fh)["indicators"] if i.get("key")}


def _subject_indicators(doc: dict) -> set[str]:
    where = (doc.get("subject") or {}).get("where") or ""
    return set(re.findall(r"'([a-z][a-z0-9_]*)'", where))


def missing_7_3(doc: dict, key_indicators: set[str]) -> bool:
    """A quantitative compliance check of an indicator that should cite 7.3 and does not: its
    rationale names 7.3 as its basis, or it compares a key indicator with a benchmark."""
    if doc.get("kind") != "compliance" or (doc.get("subject") or {}).get("fact") != "indicator":
        return False
    if "7.3" in doc.get("clauses", []):
        return False
    on_key = bool(doc.get("thresholds")) and bool(_subject_indicators(doc) & key_indicators)
    return names_7_3(_rationale(doc)) or on_key


@pytest.mark.parametrize("text,items", [
    ("第5.3条h项要求分析碳市场的影响", {"5.3h"}),
    ("第5.2条c、d、e项要求分析能源、资源和废物", {"5.2c", "5.2d", "5.2e"}),
    ("按第5.2条a）开展", {"5.2a"}),
    ("第5.3条a、i项", {"5.3a", "5.3i"}),
    ("第5.2条c至e项", {"5.2c", "5.2d", "5.2e"}),
    ("5.2 a) asks for the overall development", {"5.2a"}),
    ("Clause 5.3 h asks how the carbon market", {"5.3h"}),
    ("clauses 5.3 h and 6.11", {"5.3h"}),
    ("Clause 5.2 c, d and e ask", {"5.2c", "5.2d", "5.2e"}),
    ("see 5.2 c)-e)", {"5.2c", "5.2d", "5.2e"}),
    ("see 5.2 c-e.", {"5.2c", "5.2d", "5.2e"}),
    ("5.3 a) and i)", {"5.3a", "5.3i"}),
    ("5.3(k)", {"5.3k"}),
    ("Clause 5.2 asks for the status analysis", set()),
    ("clause 5.3 identifies problems; 6.3 and 5.6", set()),
    ("5.21 a and 15.2 b", set()),
    ("第5.5条和第6.3条", set()),
])
def test_the_extractor_reads_item_letters(text, items):
    assert lettered_items(text) == items


def test_names_7_3():
    assert names_7_3("第7.3条要求量化评价") and names_7_3("clause 7.3 for the change")
    assert not names_7_3("第7.31条") and not names_7_3("17.3") and not names_7_3("第7.4条")


def test_the_checks_can_fail():
    bad = {"id": "PL-C-999", "kind": "compliance", "clauses": ["5.2"],
           "rationale": {"zh": "第5.2条c、d项要求……", "en": "Clause 5.2 c and d ask ..."},
           "subject": {"fact": "indicator", "where": "name == 'water_reuse_rate'"},
           "thresholds": {"min": "profile:water_reuse_rate"}}
    assert missing_letters(bad) == ["5.2c", "5.2d"]
    assert missing_7_3(bad, {"water_reuse_rate"})
    good = {**bad, "clauses": ["7.3", "5.2c", "5.2d"]}
    assert missing_letters(good) == [] and not missing_7_3(good, {"water_reuse_rate"})
    assert missing_7_3({**good, "clauses": ["5.2c", "5.2d"], "rationale": {"zh": "第7.3条要求量化评估", "en": ""},
                        "thresholds": {}}, set())


def test_every_rule_cites_the_items_its_rationale_names():
    docs = _rule_docs()
    assert len(docs) >= 150, "the rule files were found"
    offenders = [f"{doc.get('id')} ({file}): clauses {doc.get('clauses')} omit {', '.join(missing)}"
                 for file, doc in docs if (missing := missing_letters(doc))]
    assert not offenders, "rationale names a lettered item the rule does not cite:\n" + "\n".join(offenders)


def test_quantitative_indicator_checks_cite_7_3():
    keys = _key_indicators()
    offenders = [f"{doc.get('id')} ({file}): clauses {doc.get('clauses')} omit 7.3"
                 for file, doc in _rule_docs() if missing_7_3(doc, keys)]
    assert not offenders, "quantitative indicator checks that must cite clause 7.3:\n" + "\n".join(offenders)
