"""The sentences a view says, as plain text for the terminal tables and the Markdown report alike:
compliance rate with its coverage, counts by status, data to collect, rules not applied, what the
view leaves out, and what a measure answers and why it ranks where it does."""
from __future__ import annotations

from .labels import CATEGORY, KIND, STATUS, STATUS_MANY_EN, VIEW, VIEW_ONE_EN
from .selection import STATUSES, Selection, subjects_of, to_collect
from ..rules.numbers import format_quantity, plain_number
from ..summary import requirement_counts

__all__ = ["CATEGORY_GROUPS", "category_cells", "holds_anything", "compliance_line", "status_line", "collect_line", "inactive_line", "view_line", "status_count", "word", "measure_details",
           "number"]


CATEGORY_GROUPS = ("phase", "area")
_PHASE = {"do": {"zh": "6 实施", "en": "6 Do"}}   # the phase counts all of chapter 6, not only 6.1


def category_cells(c: dict, lang: str) -> list[str]:
    """The cells of one category of the summary: label, met, not met, undecided, rate with its
    coverage (`50.0% (4/4)`: decided of total), problems, measures."""
    label = (_PHASE.get(c["id"]) or CATEGORY.get(c["id"], {})).get(lang) or (c.get("label") or {}).get(lang) or c["id"]
    rate = c.get("rate")
    return [label, str(c.get("met", 0)), str(c.get("not_met", 0)), str(c.get("undecided", 0)),
            ("—" if rate is None else f"{rate:.1f}%") + f" ({c.get('decided', 0)}/{c.get('total', 0)})",
            str(c.get("problems", 0)), str(c.get("measures", 0))]


def holds_anything(c: dict) -> bool:
    """Whether a category of the summary counts any finding (empty ones are left out)."""
    return any(c.get(k) for k in ("total", "not_applicable", "problems", "measures"))


def compliance_line(summary: dict, lang: str) -> str | None:
    """`达标率 57.3%（已判定 89/109 项检查）`; None when no check applies."""
    decided, undecided = summary.get("decided", 0), summary.get("undecided", 0)
    if not decided + undecided:
        return None
    rate = summary.get("compliance_rate")
    cov = VIEW[lang]["coverage"].format(decided=decided, total=decided + undecided)
    value = "—" if rate is None else f"{rate}%"
    return f"{VIEW[lang]['rate']} {value}（{cov}）" if lang == "zh" else f"Compliance rate {value} ({cov})"


def status_line(summary: dict, lang: str) -> str:
    """Counts by status, the ones that need action first, each the figure the conclusion gives.
    Problems are counted as the conclusion counts them: a restatement folded into another finding
    (only problems fold, `summary.folded`) is named apart, `问题 21（另有 19 项为重述）`; compliance
    verdicts without the data-completeness checks, which follow as one count, `数据齐备检查 28（另计）`."""
    by = {**summary.get("by_status", {}), **requirement_counts(summary)}
    folded = summary.get("folded") or 0
    parts = [status_count(s, by[s], folded if s == "problem" else 0, lang) for s in STATUSES if by.get(s)]
    data = summary.get("data_checks") or {}
    n = sum(data.get(k, 0) for k in ("met", "not_met", "undecided", "not_applicable"))
    if n:
        parts.append(_counted("data_checks", n, lang))
    return "  ".join(parts)


def status_count(status: str, n: int, folded: int, lang: str) -> str:
    """`问题 3（另有 2 项为重述）` / `3 problems (2 more restate a verdict)`: `n` findings of a status,
    `folded` of them restatements folded into another finding and named apart."""
    return _count(status, n - folded, lang) + (_counted("restated_apart", folded, lang) if folded else "")


def collect_line(result: dict, lang: str, first: int = 5) -> str | None:
    """The first `first` paths to collect with how many checks each decides, and how many more."""
    items = to_collect(result)
    if not items:
        return None
    w = VIEW[lang]
    def decides(i: dict) -> int:     # the checks it would decide: findings, and basic requirements
        return len(i["findings"]) + len(i.get("requirements") or ())
    shown = [f"{i['path']}" + (f"（{_counted('n_checks', decides(i), lang)}）" if lang == "zh"
                                 else f" ({_counted('n_checks', decides(i), lang)})") for i in items[:first]]
    rest = len(items) - len(shown)
    if lang == "zh":
        return f"{w['to_collect']}（{w['n_items'].format(n=len(items))}）：" + "、".join(shown) + (
            f"；{w['more'].format(n=rest)}" if rest else "")
    return f"{w['to_collect']} ({len(items)}): " + ", ".join(shown) + (f"; {w['more'].format(n=rest)}" if rest else "")


def inactive_line(result: dict, lang: str) -> str | None:
    """The rules the profile does not apply, by id (their reasons are in the `--all` view)."""
    inactive = result.get("inactive") or []
    if not inactive:
        return None
    sep = "：" if lang == "zh" else ": "
    return _counted("inactive_note", len(inactive), lang) + sep + ", ".join(i["rule"] for i in inactive)


def view_line(sel: Selection, lang: str) -> str | None:
    """What the view leaves out or folds, and how to see everything; None for `--all`."""
    w, opts = VIEW[lang], sel.options
    parts = []
    if opts.only is not None:
        parts.append(f"{w['only']} " + ("、" if lang == "zh" else ", ").join(word(x, lang) for x in sorted(opts.only)))
    hidden = [status_count(s, sel.hidden[s], sel.hidden_folded[s], lang) for s in STATUSES if sel.hidden.get(s)]
    if sel.hidden_data:
        hidden.append(_counted("data_checks", sel.hidden_data, lang))
    if hidden:
        parts.append(f"{w['not_listed']}{' ' if lang == 'zh' else ': '}" + ("、" if lang == "zh" else ", ").join(hidden))
    if opts.grouped:
        if sel.folded_count:
            parts.append(_counted("folded_note", sel.folded_count, lang))
        parts.append(w["shared_rows"])
    if not parts:
        return None
    if lang == "zh":
        return f"{w['view']}：" + "；".join(parts) + (f"。{w['all_hint']}" if opts.grouped else "")
    return f"{w['view']}: " + "; ".join(parts) + (f". {w['all_hint']}" if opts.grouped else "")


def word(token: str, lang: str) -> str:
    """A status or kind of `--only` in words."""
    if token in STATUS[lang]:
        return STATUS[lang][token]
    return KIND[lang].get(token, token)


def _counted(key: str, n: int, lang: str) -> str:
    """`VIEW[lang][key]` for `n` things, in the singular for one in English."""
    text = VIEW_ONE_EN[key] if lang == "en" and n == 1 and key in VIEW_ONE_EN else VIEW[lang][key]
    return text.format(n=n)


def _count(status: str, n: int, lang: str) -> str:
    """`问题 3` / `3 problems`: `n` findings of a status."""
    if lang == "zh":
        return f"{STATUS[lang][status]} {n}"
    return f"{n} {STATUS_MANY_EN.get(status, STATUS[lang][status]) if n != 1 else STATUS[lang][status]}"


def measure_details(sel: Selection, m: dict, lang: str) -> list[tuple[str, str]]:
    """(label, text) pairs about a measure: why it ranks where it does (else its legal basis and
    magnitude, when the result gives them), the findings it answers (by rule, with a count and title)
    and the enterprises, targets, tasks and indicators concerned."""
    w = VIEW[lang]
    semi = "；" if lang == "zh" else "; "
    reason = m.get("rank_reason") if isinstance(m.get("rank_reason"), dict) else None
    out = [(w["rank_reason"], reason[lang])] if reason and reason.get(lang) else []
    if not out:  # the reason, when given, already names the legal basis and the magnitude
        if isinstance(m.get("legal_basis"), dict) and m["legal_basis"].get(lang):
            out.append((w["legal_basis"], m["legal_basis"][lang]))
        mag = m.get("magnitude")
        if isinstance(mag, dict) and isinstance(mag.get("value"), (int, float)):
            what = (mag.get("label") or {}).get(lang)
            basis = (mag.get("basis") or {}).get(lang)
            out.append((w["magnitude"], (f"{what} " if what else "") + format_quantity(mag["value"], mag.get("unit"), lang)
                        + (f" ({basis})" if basis else "")))
    answered = [f"{rule}{f' ×{n}' if n > 1 else ''}" + (f" {f['title'][lang]}" if f else "")
                for rule, n, f in sel.answered(m)]
    if answered:
        out.append((w["answers"], semi.join(answered)))
    names = m.get("subject_labels") if isinstance(m.get("subject_labels"), dict) else {}
    comma = "、" if lang == "zh" else ", "
    # a target's or task's name already says what it is (目标 T1（…）)
    subjects = [("" if names and k in ("targets", "tasks") else f"{w[k]} ")
                + comma.join(_subject_word(s, names, lang) for s in v) for k, v in subjects_of(m).items() if v]
    if subjects:
        out.append((w["subjects"], semi.join(subjects)))
    return out


def _subject_word(subject: str, names: dict, lang: str) -> str:
    """A subject in words when the result names it (`subject_labels`), else its bare id."""
    label = names.get(subject)
    if isinstance(label, dict) and label.get(lang):
        return label[lang]
    return subject.split(":", 1)[-1]


def number(v: float) -> str:
    """A plain number: thousands separators, four significant figures (engine.rules.numbers)."""
    return plain_number(v)
