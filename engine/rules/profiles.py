"""Benchmark profiles: which frameworks an assessment measures against, resolved at compile time.

A profile (`knowledge/benchmarks.yaml`, `profiles:`) lists, per indicator, the benchmark(s) it
measures against, e.g. `default` = the guide + MIIT green park + the national zero-carbon core
indicator + the national 14th-FYP targets. Rules are compiled once per profile:

* `profile:<indicator>` binds the threshold to the profile's benchmark for that indicator - one
  check per indicator, each framework's number as data. No benchmark (or several the park facts
  cannot choose between): the rule is *inactive* under that profile, with the reason.
* a fixed benchmark id is admitted when the profile lists it for its indicator, or - for a
  benchmark of an indicator the profile does not list (a tier bound, a count) - when its
  framework is one the profile uses, or the guide itself. Otherwise the rule is inactive.

Nothing is dropped silently: `Ruleset.inactive` holds every rule left out and why, and the result
lists them. A measure stays while it answers at least one active rule.
"""
from __future__ import annotations

from ..text import Text

__all__ = ["RuleInactive", "resolve_benchmark", "profile_frameworks", "DEFAULT_PROFILE", "SLOT"]

DEFAULT_PROFILE = "default"
SLOT = "profile:"
_ALWAYS = {"guide"}


class RuleInactive(Exception):
    """The rule does not apply under this profile; `reason` says why (zh and en)."""

    def __init__(self, reason: Text):
        super().__init__(reason.en)
        self.reason = reason


def profile_frameworks(knowledge, name: str) -> set[str]:
    """Frameworks whose benchmarks the profile lists (plus the guide)."""
    listed = knowledge.profiles[name]
    return {knowledge.benchmarks[b].framework for ids in listed.values() for b in ids} | _ALWAYS


def resolve_benchmark(knowledge, profile: str, ref: str) -> str:
    """The benchmark id `ref` stands for under `profile`.

    Raises:
        RuleInactive: the profile provides no (single) benchmark for it, or does not admit it.
        KeyError: `ref` names an unknown indicator (a compile error of the rule).
    """
    listed = knowledge.profiles[profile]
    if ref.startswith(SLOT):
        indicator = ref[len(SLOT):]
        if indicator not in knowledge.indicators:
            raise KeyError(f"{ref}: no indicator {indicator!r} in knowledge/indicators.yaml")
        name = knowledge.indicators[indicator].name
        ids = listed.get(indicator, [])
        if not ids:
            raise RuleInactive(Text(
                zh=f"基准配置 {profile} 未对“{name.zh}”设定基准，本项不评价",
                en=f"profile {profile} sets no benchmark for {name.en}; not judged"))
        if len(ids) > 1:
            raise RuleInactive(Text(
                zh=f"基准配置 {profile} 对“{name.zh}”列出 {len(ids)} 个基准（{'、'.join(ids)}），"
                   "适用哪一个取决于园区数据未载明的条件，本项不评价",
                en=f"profile {profile} lists {len(ids)} benchmarks for {name.en} ({', '.join(ids)}); which "
                   "applies depends on conditions the park facts do not state; not judged"))
        return ids[0]
    bench = knowledge.benchmarks[ref]
    ids = listed.get(bench.indicator) if bench.indicator else None
    if ids is not None:
        if ref not in ids:
            raise RuleInactive(Text(zh=f"{ref} 不是基准配置 {profile} 对该指标采用的基准（{'、'.join(ids)}）",
                                    en=f"{ref} is not profile {profile}'s benchmark for {bench.indicator} "
                                       f"({', '.join(ids)})"))
    elif bench.framework not in profile_frameworks(knowledge, profile):
        fw = knowledge.frameworks[bench.framework].name
        raise RuleInactive(Text(zh=f"{ref} 属于《{fw.zh}》，基准配置 {profile} 不采用该框架",
                                en=f"{ref} belongs to {fw.en}, which profile {profile} does not use"))
    return ref
