"""Format 2's explanation templates: the sentence a rule's findings share, said once.

A rule's verdicts over 1,000 enterprises say one sentence 1,000 times with a name or a number
changed. For each rule, status and language with `MIN_GROUP` texts or more, `find_template` finds
the runs every sampled text shares (the template's fixed segments, in order; the runs come from
rapidfuzz's longest common subsequence, in C++: difflib's SequenceMatcher took 26 ms of CPU for
the 46 groups of a typical park, doubling what a request costs, rapidfuzz ~1 ms); `split` gives a
text's slots, what lies between them; `fill` puts the text back together, character for
character. A text that does not fit the template keeps its words as they are, and a template is
only used where it makes the result smaller. Nothing is interpreted: the slots are the text's own
characters, so `fill(template, split(template, text)) == text` always.

    >>> template = find_template(["企业 甲 未审核。", "企业 乙丙 未审核。", "企业 丁 未审核。"])
    >>> template
    ['企业 ', ' 未审核。']
    >>> split(template, "企业 戊 未审核。")
    ['戊']
    >>> fill(template, ['戊'])
    '企业 戊 未审核。'
"""
from __future__ import annotations

import re

__all__ = ["MIN_GROUP", "find_template", "split", "fill", "matcher"]

MIN_GROUP = 3      # texts of one rule, status and language before a template is looked for
_MIN_FIXED = 3     # a shared run shorter than this stays in a slot (a digit, a space, a comma)
_MAX_SLOTS = 6
_SAMPLES = 4       # texts compared with the first, spread over the group


def find_template(texts: list[str]) -> list[str] | None:
    """The fixed segments `[s0, s1, ..., sN]` (N slots between them) shared by the first text
    and up to `_SAMPLES` others; None when the texts share too little to be worth it."""
    ref = texts[0]
    step = max(1, (len(texts) - 1) // _SAMPLES)
    others = [t for t in texts[1::step][:_SAMPLES] if t != ref] or texts[1:2]
    if not others:
        return None
    from rapidfuzz.distance import Indel   # 5 ms to import: only where a result is compacted

    shared = [True] * len(ref)
    for other in others:
        keep = [False] * len(ref)
        for block in Indel.opcodes(ref, other).as_matching_blocks():
            keep[block.a:block.a + block.size] = [True] * block.size
        shared = [x and y for x, y in zip(shared, keep)]
    return _segments(ref, shared)


def _segments(ref: str, shared: list[bool]) -> list[str] | None:
    """The fixed runs of `ref` (shared and long enough, or at either end), slots between."""
    runs: list[tuple[bool, str]] = []
    i = 0
    while i < len(ref):
        j = i
        while j < len(ref) and shared[j] == shared[i]:
            j += 1
        fixed = shared[i] and (j - i >= _MIN_FIXED or i == 0 or j == len(ref))
        if runs and runs[-1][0] == fixed:
            runs[-1] = (fixed, runs[-1][1] + ref[i:j])
        else:
            runs.append((fixed, ref[i:j]))
        i = j
    segments = [""] if not runs or not runs[0][0] else []
    segments += [text for fixed, text in runs if fixed]
    if runs and not runs[-1][0]:
        segments.append("")
    if len(segments) - 1 > _MAX_SLOTS or sum(map(len, segments)) < _MIN_FIXED:
        return None
    return segments


_MATCHERS: dict[tuple[str, ...], re.Pattern] = {}


def matcher(template: list[str]) -> re.Pattern:
    """The regular expression a text fits `template` by (memoised)."""
    key = tuple(template)
    found = _MATCHERS.get(key)
    if found is None:
        if len(_MATCHERS) > 4096:
            _MATCHERS.clear()
        found = _MATCHERS[key] = re.compile("(.*?)".join(map(re.escape, template)), re.DOTALL)
    return found


def split(template: list[str], text: str) -> list[str] | None:
    """The slots of `text` in `template`, or None when it does not fit."""
    m = matcher(template).fullmatch(text)
    return list(m.groups()) if m else None


def fill(template: list[str], slots: list[str]) -> str:
    """The text `template` with `slots` between its segments."""
    if len(slots) != len(template) - 1:
        raise ValueError(f"a template of {len(template) - 1} slots given {len(slots)}")
    out = [template[0]]
    for slot, segment in zip(slots, template[1:]):
        out += (slot, segment)
    return "".join(out)
