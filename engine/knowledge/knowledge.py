"""The loaded knowledge base: catalogues, benchmarks, factors, and their look-ups.

Build one with `engine.knowledge.load_knowledge()`; treat it as read-only (its models are frozen)
and keep it - nothing is cached globally. The rest of the engine codes against exactly this API.
"""
from __future__ import annotations

from typing import Literal

from .factors import Factor, GridChoice, convert_published
from .models import (Benchmark, BenchmarksFile, Clause, ClausesFile,
                                     CoefficientsFile, EmissionFactorsFile, Framework, Gwp,
                                     Indicator, IndicatorsFile, IndustriesFile, IndustryList,
                                     Measure, MeasuresFile, Member, Source, SourcesFile, Tag,
                                     TaggedValue)
from ..text import Text

__all__ = ["Knowledge"]

_WEAKNESS = {"V": 0, "C": 1, "D": 2, "U": 3}
GridSeries = Literal["average", "excl_market_nonfossil", "fossil_only"]


def _weaker(a: Tag, b: Tag) -> Tag:
    return a if _WEAKNESS[a] >= _WEAKNESS[b] else b


def _pick_year(series: dict[int, object], year: int) -> tuple[int, str, str]:
    """The published year to use for `year`, with a zh/en note when it is not `year` itself."""
    if year in series:
        return year, "", ""
    earlier = [y for y in series if y < year]
    if earlier:
        y = max(earlier)
        return (y, f"{year} 年因子未发布，采用不晚于该年的最新发布年份 {y}",
                f"no factor published for {year}; using the latest published year not after it, {y}")
    y = min(series)
    return (y, f"{year} 年及以前无发布因子，采用最早发布年份 {y}",
            f"no factor published for {year} or earlier; using the earliest published year, {y}")


def _basis(zh: str, en: str, notes: list[tuple[str, str]]) -> Text:
    notes = [n for n in notes if n[0]]
    if not notes:
        return Text(zh=zh, en=en)
    return Text(zh=zh + "（" + "；".join(n[0] for n in notes) + "）",
                en=en + " (" + "; ".join(n[1] for n in notes) + ")")


class Knowledge:
    """Everything in knowledge/, validated and cross-checked.

    Attributes:
        sources: source id -> `Source`.
        clauses: clause id -> `Clause` (every numbered clause and lettered item of the guide).
        eip_categories: EIP category id -> its title (`Text`), in the framework's order.
        indicators: indicator id -> `Indicator`.
        frameworks: framework id -> `Framework`.
        benchmarks: benchmark id -> `Benchmark`.
        profiles: profile name -> indicator id -> benchmark ids used by that profile.
        measures: measure id -> `Measure`.
        industry_lists: list id -> `IndustryList`.
        province_region: province (short name) -> its regional grid (华北 东北 华东 华中 西北 南方
            西南); the mapping is recalled (U), see emission_factors.yaml.
        gwp_ar5: the AR5 global-warming potentials.
        coefficient_standard: the standard the coefficients come from (GB/T 2589, 当量值).
        digest: sha256 (hex) of the canonical JSON of everything loaded.
    """

    def __init__(self, *, sources: SourcesFile, clauses: ClausesFile, indicators: IndicatorsFile,
                 benchmarks: BenchmarksFile, coefficients: CoefficientsFile,
                 emission_factors: EmissionFactorsFile, industries: IndustriesFile,
                 measures: MeasuresFile, coefficient_factors: dict[str, Factor],
                 fuel_factors: dict[str, Factor], digest: str):
        self.sources: dict[str, Source] = {s.id: s for s in sources.sources}
        self.clauses: dict[str, Clause] = {c.id: c for c in clauses.clauses}
        self.eip_categories: dict[str, Text] = {c.id: c.title for c in clauses.eip.categories}
        self.indicators: dict[str, Indicator] = {i.id: i for i in indicators.indicators}
        self.frameworks: dict[str, Framework] = {f.id: f for f in benchmarks.frameworks}
        self.benchmarks: dict[str, Benchmark] = {b.id: b for b in benchmarks.benchmarks}
        self.profiles: dict[str, dict[str, list[str]]] = {
            name: {ind: list(ids) for ind, ids in profile.items()}
            for name, profile in benchmarks.profiles.items()}
        self.measures: dict[str, Measure] = {m.id: m for m in measures.measures}
        self.industry_lists: dict[str, IndustryList] = {li.id: li for li in industries.lists}
        self.province_region: dict[str, str] = {
            p: info.region for p, info in emission_factors.province_region.provinces.items()}
        self.gwp_ar5: Gwp = emission_factors.gwp_ar5
        self.digest: str = digest
        self.coefficient_standard: str = coefficients.standard
        self._coefficients = dict(coefficient_factors)
        self._fuel_factors = dict(fuel_factors)
        self._grid = emission_factors.grid
        self._regions = emission_factors.province_region
        self._grid_scale, _ = convert_published(1.0, self._grid.unit, "co2", "electricity")

    def __repr__(self) -> str:
        return (f"Knowledge({len(self.clauses)} clauses, {len(self.indicators)} indicators, "
                f"{len(self.benchmarks)} benchmarks, {len(self.measures)} measures, "
                f"digest={self.digest[:12]})")

    def clause_ids(self) -> set[str]:
        """Every clause id of the guide known to the knowledge base."""
        return set(self.clauses)

    def coefficient(self, carrier: str, option: str | None = None) -> Factor:
        """Standard-coal coefficient (GB/T 2589, 当量值) of `carrier`, in tce per canonical unit.

        Args:
            carrier: energy carrier.
            option: where the standard leaves a choice (`coefficient_options`), the option id;
                None for the default.

        Raises:
            KeyError: unknown carrier or option.

        Example:
            >>> kb.coefficient("electricity").value   # doctest: +SKIP
            0.1229
        """
        try:
            return self._coefficients[(carrier, option)]
        except KeyError:
            if option is not None and (carrier, None) in self._coefficients:
                raise KeyError(f"no coefficient option {option!r} for {carrier} (options: "
                               f"{', '.join(self.coefficient_options(carrier))})") from None
            raise KeyError(f"no standard-coal coefficient for {carrier!r} (known: "
                           f"{', '.join(sorted({c for c, _ in self._coefficients}))})") from None

    def coefficient_options(self, carrier: str) -> list[str]:
        """Option ids of a carrier whose coefficient the standard leaves open (else [])."""
        return sorted(o for c, o in self._coefficients if c == carrier and o is not None)

    def emission_factor(self, carrier: str) -> Factor:
        """CO2 factor of a fuel or of purchased heat, in tCO2 per canonical unit.

        Raises:
            KeyError: unknown carrier, or `electricity` (use `grid_factor`).
        """
        if carrier == "electricity":
            raise KeyError("electricity has no fuel factor: use grid_factor(province, year)")
        try:
            return self._fuel_factors[carrier]
        except KeyError:
            raise KeyError(f"no emission factor for {carrier!r} "
                           f"(known: {', '.join(sorted(self._fuel_factors))})") from None

    def grid_factor(self, province: str | None, year: int) -> GridChoice:
        """The location-based grid factor for a park in `province` in `year`.

        Falls back provincial -> regional grid -> national, and from an unpublished year to the
        latest published year not after it (else the earliest); `basis` says which and why.

        Args:
            province: short Chinese name as in park facts (`江苏`, `内蒙古`), or None.
            year: the inventory year.

        Raises:
            ValueError: `province` is not one of the 31 known province-level divisions.

        Example:
            >>> kb.grid_factor("西藏", 2023).basis.en   # doctest: +SKIP
            'Southwest China regional grid average factor, 2023 (no provincial factor for Tibet; ...)'
        """
        if province is None:
            return self.national_grid_factor(year, reason=("未给出省份", "no province given"))
        info = self._regions.provinces.get(province)
        if info is None:
            raise ValueError(f"unknown province {province!r}; use the short Chinese name "
                             f"({', '.join(self._regions.provinces)})")
        series = self._grid.provincial.get(province)
        if series:
            y, note_zh, note_en = _pick_year(series, year)
            return self._choice(series[y], y, "provincial", None,
                                _basis(f"{info.full} {y} 年省级电网平均排放因子",
                                       f"{info.en} provincial grid average factor, {y}",
                                       [(note_zh, note_en)]))
        series = self._grid.regional.get(info.region)
        if series:
            y, note_zh, note_en = _pick_year(series, year)
            region_en, tag = self._regions.regions[info.region], self._regions.verification
            why = (f"{info.full}无省级因子，按所属区域电网{info.region}取值；省份与区域电网的对应关系"
                   f"标记为 {tag}",
                   f"no provincial factor for {info.en}; fell back to its regional grid "
                   f"{info.region} ({region_en}); the province-to-region mapping is tagged {tag}")
            return self._choice(series[y], y, "regional", info.region,
                                _basis(f"{info.region}区域电网 {y} 年平均排放因子",
                                       f"{region_en} regional grid average factor, {y}",
                                       [why, (note_zh, note_en)]), mapping_tag=tag)
        return self.national_grid_factor(year, reason=(
            f"{info.full}无省级及区域电网因子", f"no provincial or regional factor for {info.en}"))

    def national_grid_factor(self, year: int, series: GridSeries = "average", *,
                             reason: tuple[str, str] | None = None) -> GridChoice:
        """A national grid factor: the average, the residual (`excl_market_nonfossil`, for the
        market-based method) or `fossil_only`.

        Args:
            year: the inventory year (an unpublished year falls back as in `grid_factor`).
            series: which national series.
            reason: (zh, en) why the national level was chosen, added to `basis`.

        Raises:
            KeyError: no year publishes that series.
        """
        years = {y: getattr(n, series) for y, n in self._grid.national.items()
                 if getattr(n, series) is not None}
        if not years:
            raise KeyError(f"no national grid factor series {series!r}")
        y, note_zh, note_en = _pick_year(years, year)
        label = {"average": ("平均排放因子", "average factor"),
                 "excl_market_nonfossil": ("不含市场化交易非化石能源电量的平均排放因子",
                                           "average factor excluding market-traded non-fossil power"),
                 "fossil_only": ("化石能源电力排放因子", "fossil-only factor")}[series]
        notes = [reason or ("", ""), (note_zh, note_en)]
        return self._choice(years[y], y, "national", None,
                            _basis(f"全国电网 {y} 年{label[0]}", f"National grid {label[1]}, {y}",
                                   notes))

    def published_grid_factors(self, province: str | None, year: int) -> list[GridChoice]:
        """The location-based grid factors published for exactly `year` that speak for a park in
        `province`: its provincial factor, its regional grid's and the national average, those
        that exist, in that order (no fallback to another year). A park's own grid factor of that
        year is matched against these for its V/C/U/D tag.

        Example:
            >>> [g.value for g in kb.published_grid_factors("江苏", 2022)]   # doctest: +SKIP
            [0.5978, 0.5617, 0.5366]
        """
        out: list[GridChoice] = []
        info = self._regions.provinces.get(province) if province else None
        if info is not None:
            tv = self._grid.provincial.get(province, {}).get(year)
            if tv is not None:
                out.append(self._choice(tv, year, "provincial", None,
                                        Text(zh=f"{info.full} {year} 年省级电网平均排放因子",
                                             en=f"{info.en} provincial grid average factor, {year}")))
            tv = self._grid.regional.get(info.region, {}).get(year)
            if tv is not None:
                tag = self._regions.verification
                out.append(self._choice(tv, year, "regional", info.region,
                                        Text(zh=f"{info.region}区域电网 {year} 年平均排放因子",
                                             en=f"{self._regions.regions[info.region]} regional grid average "
                                                f"factor, {year}"), mapping_tag=tag))
        nat = self._grid.national.get(year)
        if nat is not None and nat.average is not None:
            out.append(self._choice(nat.average, year, "national", None,
                                    Text(zh=f"全国电网 {year} 年平均排放因子", en=f"National grid average factor, {year}")))
        return out

    def _choice(self, tv: TaggedValue, year: int, level: str, region: str | None, basis: Text, *,
                mapping_tag: Tag | None = None) -> GridChoice:
        """A `GridChoice`; a value reached through the province->region map is no stronger
        than the map."""
        tag = _weaker(tv.verification, mapping_tag) if mapping_tag else tv.verification
        return GridChoice(value=tv.value * self._grid_scale, factor_year=year, level=level,
                          region=region, verification=tag, source=tv.source, basis=basis)

    def in_list(self, list_id: str, industry_code: str) -> bool:
        """Whether a GB/T 4754 code falls under a member of an industry list (prefix match).

        A code coarser than a member's code (`C30` against `C3011`) does not match: the list
        cannot tell which class the enterprise is in.

        Raises:
            KeyError: unknown list id.

        Example:
            >>> kb.in_list("national_ets_sectors", "C3011")   # doctest: +SKIP
            True
        """
        return bool(self.members_matching(list_id, industry_code))

    def members_matching(self, list_id: str, industry_code: str) -> list[Member]:
        """The members of `list_id` whose codes are prefixes of `industry_code`."""
        try:
            lst = self.industry_lists[list_id]
        except KeyError:
            raise KeyError(f"no industry list {list_id!r} "
                           f"(known: {', '.join(sorted(self.industry_lists))})") from None
        code = industry_code.strip().upper()
        return [m for m in lst.members if any(code.startswith(c) for c in m.codes)]
