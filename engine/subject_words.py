"""A finding's subject in words: the enterprise, target, task, indicator or finding it is about,
never its engine id (`RULE@subject`). Shared by the reports (engine/render) and the park history
(engine/cycles/history.py), which says it in its JSON.

    >>> subject_label("IN-P-004@ent:QC-E03", "zh", {"ent:QC-E03": "华澄电子"}, None)
    '华澄电子'
    >>> subject_label("PL-C-013@plan", "en", {}, None), subject_label("IM-C-001@target:T2", "en", {}, None)
    ('', 'target T2')
"""
from __future__ import annotations

from typing import Any

__all__ = ["subject_label"]

_PARK_LEVEL = {"park", "plan", "management", "infrastructure", "circular", "smart_platform", "accounting"}
_KIND_WORD = {"zh": {"target": "目标", "task": "任务", "wwtp": "污水处理厂"},
              "en": {"target": "target", "task": "task", "wwtp": "wastewater plant"}}


def subject_label(finding_id: str, lang: str, names: dict[str, str], knowledge: Any) -> str:
    """What a finding is about, in words: an enterprise's name, a target or task, an indicator, the
    finding a diagnosis is about; "" for the park as a whole. Never an engine id.

    `names` maps fact ids (`ent:X`, `target:T1`) and finding ids to words."""
    _, _, subject = finding_id.partition("@")
    if not subject:
        return ""
    if subject in names:                       # an enterprise, a target, or the finding diagnosed
        return names[subject]
    first = subject.split("+")[0]              # a join names its first fact
    if first in names:
        return names[first]
    kind, _, key = first.partition(":")
    if not key:
        kind, key = "", kind
    if key in _PARK_LEVEL or kind in _PARK_LEVEL:
        return ""
    if kind in ("ind", "") and knowledge is not None and key in knowledge.indicators:
        return knowledge.indicators[key].name.get(lang)
    if kind in _KIND_WORD[lang]:
        return f"{_KIND_WORD[lang][kind]} {key}"
    return key
