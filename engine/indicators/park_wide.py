"""Indicators of the park as a whole in its latest year: enterprise shares, the smart platform,
staff, shared wastewater plants (unknown while the plants are not reported, undefined when the
park reports none), and each key indicator's average annual change over the data series (clause
7.3, 'change characteristics').

Enterprise shares need every enterprise's flag: one enterprise of unknown status leaves the share
unknown (it names that enterprise's field), because counting it as "no" would be a guess. An
enterprise list not reported (`enterprises` left out) leaves every share, count and rate over it
unknown, naming `enterprises`; a list reported empty is a real zero base.
"""
from __future__ import annotations

from ..facts.models import Park
from .derived import Derived, Input
from .series import annual_rate

__all__ = ["park_wide", "changes"]


def _d(knowledge, name: str, year: int, formula: str) -> Derived:
    return Derived(name, year, knowledge.indicators[name].unit, formula)


def _enterprise_share(out, knowledge, park: Park, year: int, name: str, flag: str, formula: str,
                      hit=lambda e, v: bool(v), scale: float = 100.0, count: bool = False) -> None:
    d = _d(knowledge, name, year, formula)
    out[name] = d
    if park.enterprises is None:
        d.missing.append("enterprises")
        return
    values = [getattr(e, flag) for e in park.enterprises]
    d.missing += [f"enterprises[{i}].{flag}" for i, v in enumerate(values) if v is None]
    if d.missing:
        return
    hits = sum(hit(e, v) for e, v in zip(park.enterprises, values))
    d.inputs.append(Input(f"enterprises[].{flag}", float(hits), "enterprises"))
    if count:
        d.value = float(hits)
    else:
        d.divide(hits, len(values), "enterprises (none listed)", scale)


INCIDENT_WINDOW = 3     # years: MIIT-B2a, "近三年未发生重大污染事故" (knowledge/benchmarks.yaml, V)


def _incidents_window(park: Park, knowledge, out: dict[str, Derived], year: int) -> None:
    """major_env_incidents_3y: the incidents of the latest year and the two before it (from the
    year the park was established, if later). A year of the window not reported, or without its
    count, leaves the sum unknown, unless a reported year already had an incident: that decides
    "none in three years" whatever the others hold, and the value is then what was reported."""
    d = _d(knowledge, "major_env_incidents_3y", year, knowledge.indicators["major_env_incidents_3y"].formula)
    out["major_env_incidents_3y"] = d
    first = year - INCIDENT_WINDOW + 1
    if park.profile.established_year is not None:
        first = max(first, min(park.profile.established_year, year))
    entries = {y.year: (i, y) for i, y in enumerate(park.years)}
    total, unknown = 0.0, []
    for y in range(first, year + 1):
        i, entry = entries.get(y, (None, None))
        path = f"years[{i}].major_env_incidents" if entry is not None else f"years[year={y}].major_env_incidents"
        value = entry.major_env_incidents if entry is not None else None
        if value is None:
            unknown.append(path)
        else:
            total += value
            d.inputs.append(Input(path, float(value), "count"))
    if total > 0 or not unknown:
        d.value = total
    else:
        d.missing += unknown


def _audit_rate_upper(park: Park, subject: list) -> float | None:
    """The highest key-enterprise audit rate the reported facts leave possible: every subject
    enterprise whose audit status is unknown counted as audited, and every enterprise that may be
    subject (no trigger known to hold, some unknown) counted as subject and audited where its
    audit is completed or unknown, and as not subject where it is known not to be completed.
    None when no enterprise is or may be subject."""
    sure = {i for i, _ in subject}
    done = sum(e.cp_audit in ("completed", None) for _, e in subject)
    may = [e for i, e in enumerate(park.enterprises) if i not in sure
           and any(getattr(e.cp_triggers, t) is None for t in type(e.cp_triggers).model_fields)
           and e.cp_audit in ("completed", None)]
    total = len(subject) + len(may)
    return (done + len(may)) / total * 100 if total else None


def park_wide(park: Park, knowledge, out: dict[str, Derived], year: int) -> None:
    """Add the park-wide indicators of the latest year to `out`."""
    k = knowledge
    _incidents_window(park, k, out, year)
    d = _d(k, "data_years", year, "number of statistical years reported")
    d.value = float(len(park.years))
    out["data_years"] = d

    d = _d(k, "leading_industry_concentration", year, "largest leading industry's share of industrial output")
    out["leading_industry_concentration"] = d
    shares = [li.output_share for li in park.profile.leading_industries]
    d.missing += [f"profile.leading_industries[{i}].output_share" for i, s in enumerate(shares) if s is None]
    if not shares:
        d.missing.append("profile.leading_industries")
    if not d.missing:
        d.value = max(shares)

    d = _d(k, "key_enterprise_audit_rate", year, "enterprises subject to mandatory cleaner-production audit "
                                                 "(双超双有高耗能) with the audit completed ÷ enterprises subject × 100")
    out["key_enterprise_audit_rate"] = d
    subject = []
    if park.enterprises is None:
        d.missing.append("enterprises")
    for i, e in enumerate(park.enterprises or ()):
        trig = e.cp_triggers   # its flat bool fields, read directly (`model_dump` per enterprise is slow)
        flags = [getattr(trig, t) for t in type(trig).model_fields]
        if any(v is True for v in flags):
            subject.append((i, e))
        elif any(v is None for v in flags):   # no trigger known to hold, some unknown: may be subject
            d.missing += [f"enterprises[{i}].cp_triggers.{t}" for t, v in zip(type(trig).model_fields, flags)
                          if v is None]
    d.missing += [f"enterprises[{i}].cp_audit" for i, e in subject if e.cp_audit is None]
    if d.missing and park.enterprises is not None:   # the best the unknowns allow: subject enterprises
        d.upper = _audit_rate_upper(park, subject)     # with their audit done where that can be
    if not d.missing:
        done = sum(e.cp_audit == "completed" for _, e in subject)
        d.inputs += [Input("enterprises[] subject to mandatory audit", float(len(subject)), "enterprises"),
                     Input("enterprises[] of those with the audit completed", float(done), "enterprises")]
        d.divide(done, len(subject), "enterprises subject to mandatory audit (none)", 100)

    d = _d(k, "smart_platform_systems", year, "systems of the seven in clause 3.7 reported built")
    out["smart_platform_systems"] = d
    flags = park.smart_platform.model_dump()
    d.missing += [f"smart_platform.{n}" for n, v in flags.items() if v is None]
    if not d.missing:
        d.value = float(sum(bool(v) for v in flags.values()))

    _enterprise_share(out, k, park, year, "cp_audit_share", "cp_audit", "enterprises with a completed "
                      "cleaner-production audit ÷ enterprises listed × 100", hit=lambda e, v: v == "completed")
    _enterprise_share(out, k, park, year, "efficiency_benchmark_share", "efficiency_benchmark_met",
                      "enterprises at the sector efficiency benchmark ÷ enterprises listed × 100")
    _enterprise_share(out, k, park, year, "green_factory_share", "green_factory",
                      "green factories ÷ enterprises listed × 100")
    _enterprise_share(out, k, park, year, "green_factory_count", "green_factory",
                      "enterprises recognised as green factories", count=True)

    for name, value, path, formula in (
            ("green_staff", park.profile.green_staff, "profile.green_staff",
             "full-time staff of the green low-carbon body (reported)"),
            ("symbiosis_links", park.circular.symbiosis_links, "circular.symbiosis_links",
             "industrial-symbiosis links (reported)")):
        d = _d(k, name, year, formula)
        out[name] = d
        v = d.need(path, None if value is None else float(value), d.unit)
        d.value = v

    plants = park.infrastructure.wastewater_plants
    for name, num, den, formula, scale in (
            ("wwtp_electricity_intensity", "electricity_use", "treated",
             "Σ plant electricity (kWh) ÷ Σ wastewater treated (m3)", 1000.0),
            ("sludge_utilisation", "sludge_utilised", "sludge_generated",
             "Σ sludge utilised ÷ Σ sludge generated × 100", 100.0)):
        d = _d(k, name, year, formula)
        out[name] = d
        if plants is None:          # not reported: unknown, not "no plant"
            d.missing.append("infrastructure.wastewater_plants")
            continue
        if not plants:
            d.undefined = "infrastructure.wastewater_plants: none listed"
            continue
        nums = [d.need(f"infrastructure.wastewater_plants[{i}].{num}", getattr(p, num), "") for i, p in enumerate(plants)]
        dens = [d.need(f"infrastructure.wastewater_plants[{i}].{den}", getattr(p, den), "") for i, p in enumerate(plants)]
        if not d.missing:
            d.divide(sum(nums), sum(dens), f"infrastructure.wastewater_plants[].{den}", scale)


def changes(park: Park, knowledge, by_year: dict[int, dict[str, Derived]], year: int) -> None:
    """Average annual change over the data series of every indicator that has a `change_of`
    indicator, and value_added_growth: from the first year with a value to the latest year."""
    latest = by_year[year]
    specs = [(ind.id, ind.change_of) for ind in knowledge.indicators.values() if ind.change_of]
    specs.append(("value_added_growth", None))
    for name, base in specs:
        meta = knowledge.indicators[name]
        d = Derived(name, year, meta.unit, meta.formula)
        latest[name] = d
        if base is None:   # IVA growth: the series of reported industrial value added
            series = [(y.year, y.economy.industrial_value_added, f"years[{i}].economy.industrial_value_added")
                      for i, y in enumerate(park.years)]
            kind, unit = "compound", "万元"
        else:
            series = [(yr, vals[base].value, f"derived.{base} ({yr})") for yr, vals in by_year.items() if base in vals]
            kind, unit = knowledge.indicators[base].rate, knowledge.indicators[base].unit
        series.sort()
        last = next((s for s in series if s[0] == year), None)
        if last is None or last[1] is None:
            here = latest.get(base) if base else None
            if here is not None:
                d.missing += here.missing or [f"derived.{base} ({year}) (undefined: {here.undefined})"]
            else:
                d.missing.append(last[2] if last else f"years ({year})")
            continue
        first = next((s for s in series if s[1] is not None), None)
        if first is None or first[0] == year:
            d.missing.append(f"years (a second year with {base or 'economy.industrial_value_added'} reported)")
            continue
        d.inputs += [Input(first[2], first[1], unit), Input(last[2], last[1], unit)]
        if base is not None:    # the factors of both ends, so a U factor behind either is seen
            for end in (by_year[first[0]][base], by_year[year][base]):
                d.factors += [f for f in end.factors if f not in d.factors]
        rate = annual_rate(first[1], last[1], year - first[0], kind)
        if rate is None:
            d.undefined = f"{first[2]} = {first[1]:g} (a % change from zero is undefined)"
        else:
            d.value = rate
