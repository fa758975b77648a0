"""A park's own emission factors (engine/facts/own_factors.py): which factor counts a data year,
and the V/C/U/D tag a park factor earns (docs/conventions.md, 4; expert review of the third example
park, item 2)."""
from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from engine.facts.loader import park_from_data
from engine.facts.models import FactorOverride, Management
from engine.facts.own_factors import grid_factor_for, own_factor_for, own_tag
from engine.indicators.compute import derive
from engine.sourcefile import load_document

HTZ = "examples/strong_hightech_park.yaml"      # Jiangsu, years 2021-2024


@pytest.fixture(scope="module")
def htz() -> dict:
    return load_document(HTZ).data


def _park(data: dict, factors: list[dict]):
    d = copy.deepcopy(data)
    d["management"]["factors"] = factors
    return park_from_data(d)


def _grid(value=0.5978, **kw) -> dict:
    return {"carrier": "grid_electricity", "value": value, "unit": "kgCO2/kWh", "source": "江苏省电网因子（示例）", **kw}


def test_a_dated_grid_factor_counts_its_year_and_the_others_take_their_own(htz, knowledge):
    park = _park(htz, [_grid(year=2022)])
    uses = {y: grid_factor_for(park, knowledge, y) for y in (2021, 2022, 2023, 2024)}
    assert uses[2022].own is not None and uses[2022].factor_year == 2022
    assert [(uses[y].own, uses[y].factor_year, uses[y].choice.value) for y in (2021, 2023, 2024)] == [
        (None, 2021, 0.6451), (None, 2023, 0.5827), (None, 2023, 0.5827)]


def test_a_dated_park_factor_newer_than_knowledge_counts_the_years_after_it(htz, knowledge):
    park = _park(htz, [_grid(0.55, year=2024)])
    assert grid_factor_for(park, knowledge, 2025).own.year == 2024        # newest vintage at or before 2025
    assert grid_factor_for(park, knowledge, 2025).fallback is not None
    assert grid_factor_for(park, knowledge, 2023).own is None             # knowledge/'s 2023 is that year's own


def test_an_undated_grid_factor_counts_every_year(htz, knowledge):
    park = _park(htz, [_grid()])
    assert all(grid_factor_for(park, knowledge, y).own is not None and grid_factor_for(park, knowledge, y).factor_year
               is None for y in (2021, 2024))


def test_a_dated_fuel_factor_counts_its_year_only(htz):
    park = _park(htz, [{"carrier": "purchased_heat", "value": 0.098, "unit": "tCO2/GJ", "year": 2023, "source": "核查报告"}])
    assert own_factor_for(park, "purchased_heat", 2023) is not None
    assert own_factor_for(park, "purchased_heat", 2024) is None


@pytest.mark.parametrize("factor, tag", [
    (_grid(year=2022), "C"),                            # = knowledge/'s Jiangsu 2022 0.5978 (C)
    (_grid(0.598, year=2022), "C"),                     # the same, rounded to three decimals
    (_grid(0.6, year=2022), "U"),                       # one significant figure matches no published factor
    (_grid(0.5617, year=2022), "U"),                    # East China grid 2022 (V), reached by the U province map
    (_grid(0.5366, year=2022), "V"),                    # national 2022 average (V)
    (_grid(year=2023), "U"),                            # not the 2023 value
    (_grid(), "U"),                                     # no year: no published vintage to match
    (_grid(verification="V"), "V"),                     # the park's stated tag when nothing matches
    (_grid(year=2022, verification="V"), "C"),          # a match wins over the stated tag
    ({"carrier": "natural_gas", "value": 21.65, "unit": "tCO2/万m3", "source": "指南缺省值"}, "C"),
    ({"carrier": "natural_gas", "value": 21.62, "unit": "tCO2/万m3", "source": "实测低位热值"}, "U"),
    ({"carrier": "purchased_heat", "value": 0.098, "unit": "tCO2/GJ", "source": "核查报告（示例）"}, "U"),
])
def test_the_tag_a_park_factor_earns(knowledge, factor, tag):
    got = own_tag(FactorOverride.model_validate(factor), knowledge, "江苏")
    assert got.verification == tag


def test_a_matched_factor_cites_the_knowledge_source_and_the_others_the_park(knowledge):
    matched = own_tag(FactorOverride.model_validate(_grid(year=2022)), knowledge, "江苏")
    assert matched.source == "repo_grid_2021_2022" and "江苏省 2022 年省级电网平均排放因子" in matched.matches[0]
    own = own_tag(FactorOverride.model_validate(_grid()), knowledge, "江苏")
    assert own.source.startswith("park emission-factor library: ")
    assert "未经核实（U）" in own.note(FactorOverride.model_validate(_grid()))


def test_the_indicators_carry_the_tag_and_a_u_factor_reaches_the_findings(htz, knowledge):
    park = _park(htz, [_grid()])
    ind = derive(park, knowledge)
    grid = ind.by_year[2024]["grid_factor"]
    assert [(f.id, f.verification) for f in grid.factors] == [("park.grid_electricity", "U")]
    assert grid.uses_unverified and ind.by_year[2024]["grid_factor_excess"].reference_vintage == 2023
    dated = derive(_park(htz, [_grid(year=2022)]), knowledge)
    assert [(f.id, f.verification) for f in dated.by_year[2022]["grid_factor"].factors] == [
        ("park.grid_electricity.2022", "C")]
    assert dated.by_year[2022]["grid_factor_excess"].value == pytest.approx(0.5978 - 0.5366)


@pytest.mark.parametrize("factors, words", [
    ([_grid(year=2022), _grid(0.59, year=2022)], "grid_electricity is given twice for 2022"),
    ([_grid(), _grid(0.59)], "grid_electricity is given twice without year"),
    ([_grid(year=2022), _grid(0.59)], "both with and without year"),
])
def test_one_factor_a_carrier_and_year(factors, words):
    with pytest.raises(ValidationError) as exc:
        Management.model_validate({"factors": factors})
    assert words in str(exc.value)


def test_factors_of_several_years_are_accepted():
    m = Management.model_validate({"factors": [_grid(year=2021), _grid(0.5978, year=2022)]})
    assert [f.year for f in m.factors] == [2021, 2022]
