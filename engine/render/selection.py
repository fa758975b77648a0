"""What a view of an assessment shows: the filter, restatements folded under what they restate,
findings of one rule sharing a row, and rows grouped by the guide's phases and areas.

Plain data for the terminal tables and the Markdown report (no rich here). The result itself is
never changed: a view only chooses and arranges its findings. It reads the result's optional parts
(`folded_into`, `rank_reason`, `answers_subjects`, `summary.to_collect`) with `.get()` and works out
what it can without them.

Example:
    >>> sel = Selection(result, ViewOptions.parse("not_met,problem,measure"))   # doctest: +SKIP
    >>> [g.category for g in sel.issue_groups()]                                 # doctest: +SKIP
    ['plan', '6.3', 'check']
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["ViewOptions", "Selection", "Entry", "CategoryGroup", "category_of", "filter_result",
           "to_collect", "subjects_of", "STATUSES", "KINDS", "QUIET", "CATEGORY_ORDER", "SUBJECTS"]

STATUSES = ("not_met", "problem", "insufficient_data", "recommended", "met", "not_applicable")
KINDS = ("problem", "compliance", "measure")
QUIET = frozenset({"met", "not_applicable"})          # hidden by default, collapsed per rule when shown
CATEGORY_ORDER = ("general", "plan", "do", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9", "6.10",
                  "6.11", "check", "act")
_SEVERITY = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
_PHASE = {"5": "plan", "6": "do", "7": "check", "8": "act"}
_STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
SUBJECTS = ("enterprises", "targets", "tasks", "indicators")


@dataclass(frozen=True)
class ViewOptions:
    """How much of a result a table or Markdown view shows.

    Args:
        only (frozenset[str] | None): statuses and/or kinds to list (`--only`); None: the default.
            Default None.
        hide_met (bool): `--hide-met` given: leave out met and not-applicable findings even when
            `only` names them (without `only` this is the default anyway). Default False.
        everything (bool): `--all`: every finding on its own row, nothing folded or collapsed.
            Default False.
    """

    only: frozenset | None = None
    hide_met: bool = False
    everything: bool = False

    @classmethod
    def parse(cls, only: str | None = None, *, hide_met: bool = False, everything: bool = False) -> ViewOptions:
        """Options from the command line's words.

        Raises:
            ValueError: an unknown status or kind in `only`, or `--all` together with `--hide-met`.
        """
        if everything and hide_met:
            raise ValueError("--all and --hide-met contradict each other (--all lists every finding)")
        if only is None:
            return cls(None, hide_met, everything)
        words = frozenset(w.strip() for w in only.split(",") if w.strip())
        unknown = sorted(words - set(STATUSES) - set(KINDS))
        if unknown or not words:
            raise ValueError(f"--only takes a comma list of statuses and kinds: {', '.join(STATUSES + KINDS[1:])}"
                             + (f" (got {', '.join(map(repr, unknown))})" if unknown else " (got nothing)"))
        return cls(words, hide_met, everything)

    def shows(self, f: dict) -> bool:
        """Whether finding `f` passes the filter (folding aside)."""
        if self.only is not None:
            picked = f["status"] in self.only or f["kind"] in self.only
            return picked and not (self.hide_met and f["status"] in QUIET)
        return self.everything or f["status"] not in QUIET

    @property
    def grouped(self) -> bool:
        """Fold restatements, share rows per rule and group rows by category (all but `--all`)."""
        return not self.everything


@dataclass
class Entry:
    """One line-up inside a category row: the findings of one rule with one status."""

    rule: str
    status: str
    kind: str
    findings: list[dict]
    folded: dict[str, list[dict]]          # finding id -> restatements shown under it

    @property
    def collapsed(self) -> bool:
        """Many met (or not applicable) findings of one rule: a count, not a line each."""
        return self.status in QUIET and len(self.findings) > 1

    @property
    def severity(self) -> str:
        return max((f["severity"] for f in self.findings), key=lambda s: _SEVERITY.get(s, 0))


@dataclass
class CategoryGroup:
    """A row of a grouped view: one phase or area of the guide and what it holds."""

    category: str
    entries: list[Entry] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(len(e.findings) for e in self.entries if e.status == status)


def category_of(clauses: list[str]) -> str:
    """The row a finding belongs in: its first 6.2-6.11 clause, else the phase of its first clause.

    Example:
        >>> category_of(["7.3", "6.3"]), category_of(["5.3m", "6.6"]), category_of(["8"])
        ('6.3', 'plan', 'act')
    """
    for c in clauses:
        m = re.match(r"6\.(\d+)", c)
        if m and 2 <= int(m.group(1)) <= 11:
            return f"6.{int(m.group(1))}"
    m = re.match(r"(\d+)", clauses[0]) if clauses else None
    return _PHASE.get(m.group(1), "general") if m else "general"


class Selection:
    """The findings a view shows and how they are arranged.

    Args:
        result (dict): an assessment result (`Assessor.assess`).
        options (ViewOptions): the filter; default `ViewOptions()` (hide met and not applicable).
    """

    def __init__(self, result: dict, options: ViewOptions | None = None):
        from ..result_format import expand
        result = expand(result)
        self.result, self.options = result, options or ViewOptions()
        self.by_id = {f["id"]: f for f in result["findings"]}
        picked = [f for f in result["findings"] if self.options.shows(f)]
        picked_ids = {f["id"] for f in picked}
        self.folded: dict[str, list[dict]] = {}
        self.shown: list[dict] = []
        for f in picked:
            parent = self._shown_parent(f, picked_ids) if self.options.grouped else None
            if parent is None:
                self.shown.append(f)
            else:
                self.folded.setdefault(parent, []).append(f)
        hidden = [f for f in result["findings"] if f["id"] not in picked_ids]
        # data-completeness checks are counted apart from the other verdicts, as the summary counts them
        data_rules = set(((result.get("summary") or {}).get("data_checks") or {}).get("rules") or ())
        self.hidden_data = sum(f["rule"] in data_rules for f in hidden)
        self.hidden = Counter(f["status"] for f in hidden if f["rule"] not in data_rules)
        # of those, restatements folded into another finding: the summary does not count them as
        # problems of their own (`summary.folded`), so neither does a line naming what is hidden
        self.hidden_folded = Counter(f["status"] for f in hidden if f.get("folded_into"))

    def _shown_parent(self, f: dict, picked: set[str]) -> str | None:
        """Where a restatement is listed: the furthest listed finding up its `folded_into` chain."""
        home, seen, target = None, {f["id"]}, f.get("folded_into")
        while target and target not in seen and target in self.by_id:
            if target in picked:
                home = target
            seen.add(target)
            target = self.by_id[target].get("folded_into")
        return home

    @property
    def folded_count(self) -> int:
        return sum(len(v) for v in self.folded.values())

    def flat(self, kind: str) -> list[dict]:
        """The listed findings of one kind, in the result's order (the `--all` tables)."""
        return [f for f in self.shown if f["kind"] == kind]

    def issue_groups(self) -> list[CategoryGroup]:
        """Problems and compliance findings by category, in the guide's order."""
        groups: dict[str, CategoryGroup] = {}
        entries: dict[tuple, Entry] = {}
        for f in self.shown:
            if f["kind"] == "measure":
                continue
            cat = category_of(f["clauses"])
            key = (cat, f["rule"], f["status"])
            if key not in entries:
                entries[key] = Entry(f["rule"], f["status"], f["kind"], [], {})
                groups.setdefault(cat, CategoryGroup(cat)).entries.append(entries[key])
            entries[key].findings.append(f)
            if f["id"] in self.folded:
                entries[key].folded[f["id"]] = self.folded[f["id"]]
        for g in groups.values():
            g.entries.sort(key=lambda e: (_STATUS_ORDER.get(e.status, 9), -_SEVERITY.get(e.severity, 0), e.rule))
        return [groups[c] for c in sorted(groups, key=_category_key)]

    def measure_groups(self) -> list[CategoryGroup]:
        """Measures by category; the category holding the best-ranked measure first."""
        groups: dict[str, CategoryGroup] = {}
        for f in sorted((f for f in self.shown if f["kind"] == "measure"), key=_rank):
            cat = category_of(f["clauses"])
            groups.setdefault(cat, CategoryGroup(cat)).entries.append(
                Entry(f["rule"], f["status"], f["kind"], [f], {f["id"]: self.folded.get(f["id"], [])}))
        return sorted(groups.values(), key=lambda g: _rank(g.entries[0].findings[0]))

    def measures_of(self, f: dict) -> list[dict]:
        """The measures answering finding `f`, best rank first."""
        return sorted((self.by_id[r] for r in f.get("related") or []
                       if r in self.by_id and self.by_id[r]["kind"] == "measure"), key=_rank)

    def answered(self, measure: dict) -> list[tuple[str, int, str | None]]:
        """(rule, how many, a finding of it or None) for what a measure answers, in its order."""
        count: Counter = Counter()
        first: dict[str, dict | None] = {}
        for fid in measure.get("related") or []:
            rule = fid.split("@", 1)[0]
            count[rule] += 1
            first.setdefault(rule, self.by_id.get(fid))
        return [(rule, n, first[rule]) for rule, n in count.items()]


def subjects_of(measure: dict) -> dict[str, list[str]]:
    """Enterprises, targets, tasks and indicators a measure answers: `answers_subjects` when the
    result has it, else read from the ids of the findings it answers (`RULE@ent:X+ind:y`)."""
    given = measure.get("answers_subjects")
    if isinstance(given, dict):
        return {k: list(given.get(k) or []) for k in SUBJECTS}
    out: dict[str, list[str]] = {k: [] for k in SUBJECTS}
    prefixes = {"ent:": "enterprises", "target:": "targets", "task:": "tasks", "ind:": "indicators"}
    for fid in measure.get("related") or []:
        for part in fid.rsplit("@", 1)[-1].split("+"):
            for prefix, key in prefixes.items():
                if part.startswith(prefix) and part not in out[key]:
                    out[key].append(part)
    return out


def to_collect(result: dict) -> list[dict]:
    """Park-file paths to collect, most-needed first: `summary.to_collect` when the result has it,
    else merged from the `missing` of its insufficient-data findings."""
    given = result["summary"].get("to_collect")
    if given is not None:
        return given
    merged: dict[str, list[str]] = {}
    for f in result["findings"]:
        if f["status"] == "insufficient_data":
            for path in f.get("missing") or []:
                merged.setdefault(path, []).append(f["id"])
    order = {p: i for i, p in enumerate(merged)}
    return [{"path": p, "findings": ids} for p, ids in sorted(merged.items(), key=lambda kv: (-len(kv[1]), order[kv[0]]))]


def filter_result(result: dict, only: frozenset) -> dict:
    """The result with only the findings of the given statuses/kinds, and `only` saying so (JSON
    `--only`); the summary still counts every finding."""
    from ..result_format import expand
    result = expand(result)
    opts = ViewOptions(frozenset(only))
    return {**result, "only": sorted(only), "findings": [f for f in result["findings"] if opts.shows(f)]}


def _rank(f: dict) -> tuple:
    r = f.get("rank")
    return (r if isinstance(r, int) else 10**9, f["id"])


def _category_key(cat: str) -> int:
    return CATEGORY_ORDER.index(cat) if cat in CATEGORY_ORDER else len(CATEGORY_ORDER)
