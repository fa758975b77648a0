"""The data-quality checks, one function each; every one returns warnings (`warning`) and none
changes the park or a verdict.

* `shares_as_fractions` - a percentage field (0-100) holding a value in (0, fraction_share_max]
* `year_on_year_jumps`  - a quantity changing by more than yoy_jump_factor between data years
* `parts_over_wholes`   - a part larger than its whole (value added > output, utilised >
  generated, enterprises' energy > the park's, shares of leading industries > 100 %, ...)
* `energy_total_mismatch` - the park's own energy total far from the sum of its carriers
* `grid_factor_years`   - a data year counted with a grid factor of another year, or a park grid
  factor with no year (counting every year)
* `year_gaps`, `task_progress` - a missing year inside the series; a task done but not complete
"""
from __future__ import annotations

from typing import Any, Iterator

from ..facts.models import Park, YearData
from ..facts.own_factors import grid_factor_for, undated_grid_factor
from .fields import field_words, fmt_value, item_path, walk
from .settings import QualitySettings

__all__ = ["warning", "shares_as_fractions", "year_on_year_jumps", "parts_over_wholes",
           "energy_total_mismatch", "grid_factor_years", "year_gaps", "task_progress"]


def warning(code: str, path: str, value: Any, message: tuple[str, str], check: tuple[str, str],
            setting: tuple[str, float] | None = None) -> dict:
    """One warning in the result's shape (docs/result.md, "data_quality")."""
    return {"code": code, "path": path, "value": value,
            "message": {"zh": message[0], "en": message[1]}, "check": {"zh": check[0], "en": check[1]},
            "setting": {"name": setting[0], "value": setting[1]} if setting else None}


def _g(value: float) -> str:
    return f"{value:g}"


def shares_as_fractions(park: Park, s: QualitySettings) -> Iterator[dict]:
    """Percentages (every field the model gives the unit %) above 0 and at most fraction_share_max."""
    for path, value, _kind in walk(park, unit="%"):   # the enterprises hold none: not visited
        if 0 < value <= s.fraction_share_max:
            zh, en = field_words(path, "zh"), field_words(path, "en")
            pct = _g(round(value * 100, 6))
            yield warning(
                "share_as_fraction", path, value,
                (f"{zh}填报为 {_g(value)}%：该项以百分数（0–100）填报，{_g(value)} 像是按小数填写的比例"
                 f"（{_g(value)} 即 {pct}%）",
                 f"{en} is given as {_g(value)}%: the field takes a percentage (0-100), and {_g(value)} looks "
                 f"like a fraction typed for {pct}%"),
                (f"核对统计报表中的原值：若为 {pct}%，请填写 {pct}；若确为 {_g(value)}%，保留原值",
                 f"check the source table: if it says {pct}%, write {pct}; if it really is {_g(value)}%, "
                 "keep it"),
                ("fraction_share_max", s.fraction_share_max))


def _year_values(year: YearData) -> dict[str, tuple[float, str]]:
    return {path: (value, unit) for path, value, (unit, _m) in walk(year) if path != "year"}


def year_on_year_jumps(park: Park, s: QualitySettings) -> Iterator[dict]:
    """Every quantity and percentage of a data year against the data year before it."""
    years = park.sorted_years()
    values = [_year_values(y) for y in years]
    for (before, old), (after, new) in zip(zip(years, values), zip(years[1:], values[1:])):
        gap = after.year - before.year > 1
        for rel, (b, unit) in new.items():
            a = old.get(rel, (None, unit))[0]
            if not a or not b or (unit == "%" and min(a, b) <= s.fraction_share_max):
                continue                       # a zero starts or stops a use; a fraction is flagged already
            ratio = b / a
            if 1 / s.yoy_jump_factor <= ratio <= s.yoy_jump_factor:
                continue
            path = f"years[year={after.year}].{rel}"
            zh, en = field_words(rel, "zh"), field_words(rel, "en")
            span_zh = f"（{before.year}–{after.year} 年间缺少年份）" if gap else ""
            span_en = f" (with missing years between {before.year} and {after.year})" if gap else ""
            if ratio > 1:
                how_zh, how_en = f"是上一数据年的 {ratio:.3g} 倍", f"{ratio:.3g} times the year before"
            else:
                how_zh, how_en = f"降至上一数据年的 1/{1 / ratio:.3g}", f"1/{1 / ratio:.3g} of the year before"
            yield warning(
                "year_on_year_jump", path, b,
                (f"{zh}从 {before.year} 年的 {fmt_value(a, unit, 'zh')} 变为 {after.year} 年的 "
                 f"{fmt_value(b, unit, 'zh')}，{how_zh}{span_zh}",
                 f"{en} went from {fmt_value(a, unit, 'en')} in {before.year} to {fmt_value(b, unit, 'en')} in "
                 f"{after.year}, {how_en}{span_en}"),
                ("核对两年的计量单位（如 万t 与 t、万kWh 与 kWh）和统计口径（园区边界、纳入统计的企业范围）；"
                 "若变化属实（新建、关停、并入），请在现状分析中说明原因",
                 "check the unit of both years (万t against t, 万kWh against kWh) and the statistical boundary "
                 "(park area, enterprises counted); if the change is real (a new plant, a closure, a merger), say "
                 "why in the status analysis"),
                ("yoy_jump_factor", s.yoy_jump_factor))


# (part, whole) within one data year; the whole may be a sum, all of whose terms must be reported.
_YEAR_PAIRS: list[tuple[str, tuple[str, ...], str]] = [
    ("economy.industrial_value_added", ("economy.industrial_output",), "value_added"),
    ("economy.industrial_value_added", ("economy.gdp",), "value_added"),
    ("economy.green_industry_value_added", ("economy.gdp",), "value_added"),
    ("economy.high_tech_output", ("economy.industrial_output",), "output_part"),
    ("economy.two_high_output", ("economy.industrial_output",), "output_part"),
    ("economy.heavy_industry_output", ("economy.industrial_output",), "output_part"),
    ("economy.raw_material_output", ("economy.industrial_output",), "output_part"),
    ("solid_waste.general_utilised", ("solid_waste.general_generated",), "stored"),
    ("solid_waste.hazardous_managed", ("solid_waste.hazardous_generated",), "stored"),
    ("water.wastewater_discharged", ("water.fresh_withdrawal", "water.reclaimed_used"), "water"),
]
_CHECK = {
    "value_added": ("核对增加值与总产值、地区生产总值是否同一年份、同一统计范围、同为现价",
                    "check that value added, output and GDP are of the same year, boundary and price basis"),
    "output_part": ("核对分项产值与工业总产值的统计范围（规上或全部企业）和年份是否一致",
                    "check that the part and the industrial output cover the same enterprises (above-scale or "
                    "all) and the same year"),
    "stored": ("综合利用或处置量可含往年贮存量；若属此情况，请在说明中注明，否则核对两项数据",
               "utilisation or disposal may include waste stored in earlier years; if so, say it, otherwise check "
               "both figures"),
    "water": ("核对取水量、再生水利用量与废水排放量的统计范围；排放量通常不超过取用水量",
              "check the boundary of withdrawal, reclaimed water and discharge; discharge rarely exceeds the water "
              "taken in"),
    "area": ("核对面积单位（km²、公顷、m²）和口径（规划面积与已开发面积）",
             "check the area unit (km², ha, m²) and what each area is (planned or developed)"),
    "shares": ("核对各主导产业产值占比的分母是否都是园区工业总产值，合计不应超过 100%",
               "check that every leading industry's share is of the park's industrial output; together they "
               "cannot exceed 100%"),
    "enterprises_energy": ("核对企业与园区能耗的年份和折标口径（本工具按当量值，电力 0.1229 kgce/kWh；"
                           "企业按等价值折算会偏高），以及企业是否在园区统计边界内",
                           "check the year and the conversion basis of enterprise and park energy (greenpark "
                           "uses the calorific equivalent, 0.1229 kgce/kWh for electricity; an enterprise "
                           "figure at the equivalent value is higher), and that the enterprises are inside the park"),
    "enterprises_output": ("核对企业产值的年份、单位（万元/亿元）以及是否均为园区内企业",
                           "check the year and unit (万元/亿元) of the enterprises' output and that they are all "
                           "inside the park"),
}


def _get(model: Any, rel: str) -> float | None:
    for part in rel.split("."):
        model = getattr(model, part, None)
    return model


def _part_whole(code_key: str, part_path: str, part: float, part_words: tuple[str, str], whole: float,
                whole_words: tuple[str, str], unit: str, s: QualitySettings) -> dict | None:
    if part <= whole * (1 + s.part_whole_tolerance):
        return None
    return warning(
        "part_exceeds_whole", part_path, part,
        (f"{part_words[0]}（{fmt_value(part, unit, 'zh')}）大于{whole_words[0]}（{fmt_value(whole, unit, 'zh')}）",
         f"{part_words[1]} ({fmt_value(part, unit, 'en')}) exceeds {whole_words[1]} ({fmt_value(whole, unit, 'en')})"),
        _CHECK[code_key], ("part_whole_tolerance", s.part_whole_tolerance))


def parts_over_wholes(park: Park, s: QualitySettings, energy_totals: dict[int, float] | None = None
                      ) -> Iterator[dict]:
    """The pairs of `_YEAR_PAIRS` in every year, areas against the park's area, the leading
    industries' shares against 100 %, and the enterprises' energy and output against the park's
    in the latest year (the reported total, else the total of its carriers in `energy_totals`)."""
    units = {rel: unit for y in park.years for rel, (_v, unit) in _year_values(y).items()}
    for y in park.sorted_years():
        for part_rel, whole_rels, key in _YEAR_PAIRS:
            part, wholes = _get(y, part_rel), [_get(y, w) for w in whole_rels]
            if part is None or any(w is None for w in wholes):
                continue
            words = [field_words(w, lang) for w in whole_rels for lang in ("zh", "en")]
            whole_words = ("与".join(words[0::2]) + ("之和" if len(whole_rels) > 1 else ""), " plus ".join(words[1::2]))
            found = _part_whole(key, f"years[year={y.year}].{part_rel}", part,
                                (field_words(part_rel, "zh"), field_words(part_rel, "en")), sum(wholes),
                                whole_words, units.get(part_rel, ""), s)
            if found:
                yield found
        if y.developed_land is not None:
            found = _part_whole("area", f"years[year={y.year}].developed_land", y.developed_land,
                                ("已开发工业用地面积", "developed industrial land"), park.profile.area,
                                ("园区规划面积", "the planned park area"), "km2", s)
            if found:
                yield found
    p = park.profile
    if p.industrial_land_area is not None:
        found = _part_whole("area", "profile.industrial_land_area", p.industrial_land_area,
                            ("规划工业用地面积", "planned industrial land"), p.area, ("园区规划面积", "the planned park area"),
                            "km2", s)
        if found:
            yield found
    shares = [i.output_share for i in p.leading_industries if i.output_share is not None]
    if shares and sum(shares) > 100 * (1 + s.part_whole_tolerance):
        total = sum(shares)
        yield warning(
            "part_exceeds_whole", "profile.leading_industries", total,
            (f"{len(shares)} 个主导产业的产值占比合计 {fmt_value(total, '%', 'zh')}，超过 100%",
             f"the output shares of {len(shares)} leading industries add up to {fmt_value(total, '%', 'en')}, "
             "more than 100%"),
            _CHECK["shares"], ("part_whole_tolerance", s.part_whole_tolerance))
    yield from _enterprises_over_park(park, s, energy_totals or {})


def _enterprises_over_park(park: Park, s: QualitySettings, energy_totals: dict[int, float]) -> Iterator[dict]:
    latest = park.latest
    ents = park.enterprises or ()          # not reported: nothing to compare
    energy = [e.energy_use for e in ents if e.energy_use is not None]
    total = latest.energy.reported_total
    which = ("统计的综合能源消费量", "the park's own energy total")
    if total is None and energy_totals.get(latest.year) is not None:
        total, which = energy_totals[latest.year], ("按各能源品种合计的综合能源消费量",
                                                    "the park's energy total from its carriers")
    if energy and total is not None:
        found = _part_whole("enterprises_energy", "enterprises", sum(energy),
                            (f"{len(energy)} 家企业综合能源消费量合计", f"the energy use of {len(energy)} enterprises "
                             "together"), total, (f"园区 {latest.year} 年{which[0]}", f"{which[1]} in {latest.year}"),
                            "tce", s)
        if found:
            yield found
    output = [e.output for e in ents if e.output is not None]
    if output and latest.economy.industrial_output is not None:
        found = _part_whole("enterprises_output", "enterprises", sum(output),
                            (f"{len(output)} 家企业产值合计", f"the output of {len(output)} enterprises together"),
                            latest.economy.industrial_output, (f"园区 {latest.year} 年工业总产值",
                                                               f"the park's industrial output in {latest.year}"),
                            "万元", s)
        if found:
            yield found


def energy_total_mismatch(park: Park, s: QualitySettings, energy_totals: dict[int, float]) -> Iterator[dict]:
    """The park's own energy total against the total of its carriers (`energy_totals`, year -> tce)."""
    for y in park.sorted_years():
        reported, computed = y.energy.reported_total, energy_totals.get(y.year)
        if reported is None or not computed or abs(reported - computed) <= s.reported_total_tolerance * computed:
            continue
        share = (reported - computed) / computed * 100
        yield warning(
            "energy_total_mismatch", f"years[year={y.year}].energy.reported_total", reported,
            (f"{y.year} 年园区统计的综合能源消费量（{fmt_value(reported, 'tce', 'zh')}）与各能源品种折标合计"
             f"（{fmt_value(computed, 'tce', 'zh')}）相差 {share:+.3g}%",
             f"the park's own energy total for {y.year} ({fmt_value(reported, 'tce', 'en')}) differs from the "
             f"total of its carriers ({fmt_value(computed, 'tce', 'en')}) by {share:+.3g}%"),
            ("核对折标口径（本工具按当量值，电力 0.1229 kgce/kWh；按等价值统计的总量会明显偏高）以及是否漏报能源品种",
             "check the conversion basis (greenpark uses the calorific equivalent, 0.1229 kgce/kWh for "
             "electricity; a total at the equivalent value is clearly higher) and whether a carrier is left out"),
            ("reported_total_tolerance", s.reported_total_tolerance))


def grid_factor_years(park: Park, knowledge: Any) -> Iterator[dict]:
    """The grid factor that counts each data year's purchased electricity, where it is not the
    factor of that year: the one `engine.facts.own_factors` chooses (and the indicators use), so a
    note never names a factor that was not used.

    * a park grid factor without year counts every data year: one note says so;
    * a year counted with a factor of another year - knowledge/'s location-based factor, or the
      park's own factor of an earlier year - names that factor and its year;
    * for a market-based park, a year with no national residual factor of its own likewise.
    A year counted with the park's factor of that very year needs no note.
    """
    market = park.accounting.scope2 == "market_based"
    buying = [y for y in park.sorted_years() if y.energy.amount("purchased_electricity") != 0]
    undated = undated_grid_factor(park)
    if undated is not None and buying:
        i, own = undated
        years = [y.year for y in buying]
        span = (f"{years[0]} 年", str(years[0])) if len(years) == 1 else \
            (f"{years[0]}–{years[-1]} 年各年", f"every data year, {years[0]}-{years[-1]}")
        yield warning(
            "grid_factor_undated", f"management.factors[{i}].year", None,
            (f"园区电网排放因子 {_g(own.value)} {own.unit}（{own.source}）未注明年份，{span[0]}外购电力的排放均按该值计算；"
             "公布的电网因子逐年不同",
             f"the park's grid factor {_g(own.value)} {own.unit} ({own.source}) gives no year and counts the purchased "
             f"electricity of {span[1]}; published grid factors change from year to year"),
            ("注明该因子所属年份（year）：注明后只用于该年，其他年份按该年的电网平均因子计算；若确为园区各年适用的因子，"
             "在来源中说明",
             "give the factor's year (year): it then counts that year only, and the other years take the grid "
             "average factor of their own year; if it really holds for every year, say so in its source"))
    for y in buying:
        use = None if undated is not None else grid_factor_for(park, knowledge, y.year)
        if use is not None and use.factor_year != y.year:
            if use.own is not None:
                yield warning(
                    "grid_factor_year_missing", f"years[year={y.year}].energy.purchased_electricity", y.year,
                    (f"没有 {y.year} 年的电网平均因子，{y.year} 年外购电力的排放按园区 {use.factor_year} 年电网因子"
                     f"（{_g(use.own.value)} {use.own.unit}）计算",
                     f"there is no grid average factor for {y.year}; the {y.year} purchased electricity is counted "
                     f"with the park's {use.factor_year} grid factor ({_g(use.own.value)} {use.own.unit})"),
                    _check_published(y.year))
            else:
                yield _knowledge_year_missing(y.year, use.choice, "location")
        if market:
            try:
                choice = knowledge.national_grid_factor(y.year, "excl_market_nonfossil")
            except KeyError:
                continue
            if choice.factor_year != y.year:
                yield _knowledge_year_missing(y.year, choice, "market")


def _check_published(year: int) -> tuple[str, str]:
    return ((f"核对生态环境部等是否已发布 {year} 年因子：已发布则补入 knowledge/emission_factors.yaml"
             "（注明来源和 V/C/U/D 标记），未发布则在报告中说明所用年份"),
            (f"check whether the {year} factor has been published: if so, add it to "
             "knowledge/emission_factors.yaml with its source and V/C/U/D tag; if not, state the year used in "
             "the report"))


def _knowledge_year_missing(year: int, choice: Any, kind: str) -> dict:
    """A data year counted with a knowledge/ factor of another year (`kind` location or market)."""
    what = ("电网平均排放因子", "grid average factor") if kind == "location" else \
           ("全国不含市场化交易非化石能源电量的电网排放因子", "national residual grid factor")
    level = {"provincial": ("省级", "provincial"), "regional": (f"{choice.region}区域电网", "regional grid"),
             "national": ("全国", "national")}[choice.level]
    return warning(
        "grid_factor_year_missing", f"years[year={year}].energy.purchased_electricity", year,
        (f"知识库中没有 {year} 年的{what[0]}，{year} 年外购电力的排放按 {choice.factor_year} 年"
         f"{level[0]}因子计算",
         f"knowledge/ has no {what[1]} for {year}; the {year} purchased electricity is counted with "
         f"the {level[1]} factor of {choice.factor_year}"),
        _check_published(year))


def year_gaps(park: Park) -> Iterator[dict]:
    """A data year missing inside the series (trends and year-on-year changes then span it)."""
    years = [y.year for y in park.sorted_years()]
    for before, after in zip(years, years[1:]):
        if after - before > 1:
            missing = list(range(before + 1, after))
            zh = "、".join(map(str, missing))
            en = ", ".join(map(str, missing))
            yield warning(
                "year_missing", f"years[year={after}]", after,
                (f"数据年份 {before} 与 {after} 之间缺少 {zh} 年", f"the data years skip {en} between {before} and {after}"),
                (f"补充 {zh} 年数据；年均变化按实际年数计算，但缺年会掩盖其间的波动",
                 f"add the data of {en}; annual changes are taken over the actual span, but a gap hides what "
                 "happened in it"))


def task_progress(park: Park) -> Iterator[dict]:
    """A task reported done whose progress is below 100 %."""
    for i, t in enumerate((park.plan.tasks or []) if park.plan else []):
        if t.status.value == "done" and t.progress is not None and t.progress < 100:
            path = item_path("plan.tasks", i, t) + ".progress"
            yield warning(
                "task_done_incomplete", path, t.progress,
                (f"任务 {t.id} 状态为已完成，但进度为 {_g(t.progress)}%",
                 f"task {t.id} is reported done with progress {_g(t.progress)}%"),
                ("核对任务状态与进度：完成则进度为 100，否则状态应为进行中或延期",
                 "check status and progress: a done task is at 100; otherwise its status is in progress or delayed"))
