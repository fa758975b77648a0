"""The dossier's section "整改闭环 / Corrective actions across assessments".

The guide's clause 8 asks the park to correct the problems an assessment finds and the next
assessment to check the correction. Given the park's earlier assessments, this section follows
every finding ever open across them and this one (`engine.cycles.lifecycle`): how many are in each
state now (closed after a regression came back, still open, a plan task answering it, the task
done but not yet verified, verified closed), and per finding the state it is in, the assessment in
which each state was reached, and what answers it — the plan tasks by their titles, and for a
finding not closed the measures this assessment recommends for it.

Words, not ids: a finding by its title and its subject as the problems section names them
(`findings.subject_label`), an assessment by its number and data year, a task by its title.
Without earlier assessments the section says so in one sentence.

Example:
    >>> section = corrective_actions(result, park, earlier_cycles, "zh", names, knowledge)  # doctest: +SKIP
    >>> [x["n"] for x in section["counts"]]                                                 # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any, Sequence

from ...cycles.lifecycle import STATE_LABELS, Cycle, lifecycle, tasks_of
from ...result_format import expand
from .findings import SEVERITY_ORDER, subject_label
from .words import SEVERITY

__all__ = ["corrective_actions", "TITLE", "STATE_ORDER"]

TITLE = {"zh": "整改闭环", "en": "Corrective actions across assessments"}
# most urgent first, as the table lists them
STATE_ORDER = ("regression", "open", "measure_planned", "implemented", "verified_closed")

_W = {
    "zh": {"finding": "检查发现", "state": "当前状态", "path": "历次状态（评估次序与数据年份）",
           "actions": "整改任务与建议措施", "count": "项数", "task": "规划任务", "measure": "本次建议措施",
           "no_task": "未列整改任务", "undecided": "（该次未判定，状态沿用）", "colon": "：", "lp": "（", "rp": "）",
           "semi": "；", "end": "。",
           "first": "本园区没有此前的评估记录，本次为首次评估，尚无以往发现的问题需要跟踪整改。",
           "nothing": "历次评估均未发现需要整改的问题。"},
    "en": {"finding": "Finding", "state": "State now", "path": "States reached (assessment, data year)",
           "actions": "Plan tasks and measures answering it", "count": "Findings", "task": "Plan tasks",
           "measure": "Measures recommended now", "no_task": "No plan task",
           "undecided": " (no verdict that time: state carried over)", "colon": ": ", "lp": " (", "rp": ")",
           "semi": "; ", "end": ". ",
           "first": "There is no earlier assessment of the park on record: this is its first, so there is no "
                    "earlier problem to follow up.",
           "nothing": "No assessment of the park has found a problem to correct."},
}


def _cycle_label(n: int, year: Any, lang: str, current: bool) -> str:
    if lang == "zh":
        return f"第{n}次（{year}年数据{'，本次' if current else ''}）"
    return f"no. {n} ({year} data{', this one' if current else ''})"


def _intro(labels: list[str], total: int, new: int, lang: str) -> str:
    if lang == "zh":
        return (f"本园区共有 {len(labels)} 次评估：{'、'.join(labels)}。历次发现的问题（未达标的合规判定和诊断出的问题）"
                f"共 {total} 项，其中 {new} 项为本次首次发现。依据第8条，规划任务回应某一问题即为“已列整改任务”，"
                "任务全部完成为“任务已完成，待验证”，后续评估判定达标（或问题不再出现）才为“已验证关闭”，"
                "关闭后再次出现为“关闭后复发”。")
    return (f"The park has {len(labels)} assessments: {', '.join(labels)}. {total} findings (unmet compliance "
            f"verdicts and problems diagnosed) have been raised across them, {new} of them for the first time in "
            "this one. Following clause 8, a finding is \"measure planned\" once a plan task answers it, "
            "\"implemented, not yet verified\" when its tasks are done, \"verified closed\" only when a later "
            "assessment finds it met (or the problem gone), and a \"regression\" when it comes back after closing.")


def _measures_for(result: dict, lang: str) -> dict[str, list[str]]:
    """finding id -> titles of this assessment's measures answering it, in rank order."""
    measures = [f for f in result.get("findings", []) if f.get("kind") == "measure" and not f.get("folded_into")]
    measures.sort(key=lambda f: (f.get("rank") is None, f.get("rank") or 0, f["id"]))
    out: dict[str, list[str]] = {}
    for m in measures:
        title = (m.get("title") or {}).get(lang, "") if isinstance(m.get("title"), dict) else str(m.get("title") or "")
        for a in (m.get("evidence") or {}).get("answers", []):
            titles = out.setdefault(a.get("finding", ""), [])
            if title and title not in titles:
                titles.append(title)
    return out


def corrective_actions(result: dict, park: Any, history: Sequence[Cycle], lang: str, names: dict[str, str],
                       knowledge: Any) -> dict:
    """The section's content in `lang`.

    Args:
        result: this assessment's result (format 1).
        park: its park facts, if at hand (the plan tasks of this assessment; without them the tasks
            of the assessment before carry over).
        history: the park's assessments before this one, oldest first (`Cycle`s: result and plan
            tasks; `engine.cycles.history.decision_cycle` of logged decisions).
        lang: "zh" or "en".
        names: words for fact and finding ids (an enterprise's name, a target's title), as the
            dossier builds them.
        knowledge: indicator names.

    Returns:
        `{"w", "intro", "counts": [{"state", "label", "n"}], "rows": [{"id", "state", "state_label",
        "finding", "title", "subject", "path": [{"state", "label", "cycle", "undecided"}],
        "path_text", "actions": [{"label", "items"}], "actions_text"}]}`; `rows` empty (and the intro one sentence) without history.
    """
    w = _W[lang]
    if not history:
        return {"w": w, "intro": w["first"], "counts": [], "rows": []}
    cycles = [Cycle(c.label, expand(c.result), c.tasks, c.names) for c in history]
    cycles.append(Cycle("this", result, tasks_of(park) if park is not None else None))
    labels = [_cycle_label(i, c.result.get("year"), lang, i == len(cycles)) for i, c in enumerate(cycles, 1)]
    lc = lifecycle(cycles)
    followed = [f for f in lc["findings"] if f["current"] is not None]
    if not followed:
        return {"w": w, "intro": w["nothing"], "counts": [], "rows": []}
    measures = _measures_for(result, lang)
    rows = []
    for f in sorted(followed, key=lambda f: (STATE_ORDER.index(f["current"]), SEVERITY_ORDER.get(f["severity"], 9),
                                             f["id"])):
        path, last, tasks = [], None, []
        for i, s in enumerate(f["states"]):
            tasks += [t for t in s["tasks"] if t not in tasks]
            if s["state"] is None or s["state"] == last:
                continue
            last = s["state"]
            path.append({"state": s["state"], "label": STATE_LABELS[s["state"]][lang], "cycle": labels[i],
                         "undecided": s["undecided"]})
        title = (f.get("title") or {}).get(lang, "") if isinstance(f.get("title"), dict) else str(f.get("title") or "")
        subject = subject_label(f["id"], lang, names, knowledge)
        actions = [{"label": w["task"], "items": [lc["tasks"].get(t) or t for t in tasks]}] if tasks else \
            [{"label": w["no_task"], "items": []}]
        if f["current"] != "verified_closed" and measures.get(f["id"]):
            actions.append({"label": w["measure"], "items": measures[f["id"]]})
        rows.append({"id": f["id"], "state": f["current"], "state_label": STATE_LABELS[f["current"]][lang],
                     "severity_label": SEVERITY[lang].get(f["severity"], ""),
                     "title": title, "subject": subject,
                     "finding": title + (f"{w['lp']}{subject}{w['rp']}" if subject else ""),
                     "path": path, "actions": actions, "actions_text": w["end"].join(
                         a["label"] + (w["colon"] + w["semi"].join(a["items"]) if a["items"] else "")
                         for a in actions),
                     "path_text": " → ".join(f"{p['cycle']}{w['colon']}{p['label']}"
                                             + (w["undecided"] if p["undecided"] else "") for p in path)})
    current = lc["counts"][-1]
    counts = [{"state": s, "label": STATE_LABELS[s][lang], "n": current[s]} for s in STATE_ORDER]
    new = sum(1 for f in followed if all(s["state"] is None for s in f["states"][:-1]))
    return {"w": w, "intro": _intro(labels, len(followed), new, lang), "counts": counts, "rows": rows}
