"""One statistical year's indicators: energy (GB/T 2589 当量值), CO2 scope 1 + 2 and the resource,
pollution and economic ratios.

Unknown is never zero. The energy total needs every carrier (a value, `0`, or `not_used`); scope
1 needs every fuel; a share needs its numerator and its whole; a ratio over a reported zero is
undefined, not zero. Scope 2 is computed both location-based (all purchased electricity at the
grid factor of the data year) and market-based (green power deducted, the rest at the national
residual factor); the carbon indicators use the basis the park's `accounting` chooses.
"""
from __future__ import annotations

from ..facts.models import CARRIERS, FactorOverride, Park, YearData
from ..facts.own_factors import OVERRIDE_UNITS, grid_factor_for, own_factor_for, own_factor_id, own_tag
from .derived import Derived, FactorUse, Input

__all__ = ["YearCalculator", "FUELS", "CARRIER_UNIT"]

FUELS = ("coal", "coke", "natural_gas", "fuel_oil", "diesel", "gasoline", "lpg")
CARRIER_UNIT = {"coal": "t", "coke": "t", "natural_gas": "m3", "fuel_oil": "t", "diesel": "t",
                "gasoline": "t", "lpg": "t", "purchased_heat": "GJ", "purchased_electricity": "MWh",
                "onsite_renewable_generation": "MWh", "green_electricity": "MWh"}
_ELECTRIC = ("purchased_electricity", "onsite_renewable_generation")


def factor_use(fac, fid: str) -> FactorUse:
    note = getattr(fac, "derivation", None)
    if getattr(fac, "option_name", None) is not None:
        note = f"{fac.option_name.zh} / {fac.option_name.en}"
    return FactorUse(id=fid, value=fac.value, unit=fac.unit, verification=fac.verification,
                     source=fac.source, note=note)


class YearCalculator:
    """Computes one year's indicators; `p` is the fact-path prefix of the year (`years[2]`)."""

    def __init__(self, park: Park, y: YearData, idx: int, knowledge):
        self.park, self.y, self.k, self.p = park, y, knowledge, f"years[{idx}]"
        self.out: dict[str, Derived] = {}
        self.gas_option = park.accounting.natural_gas_coefficient

    # -- helpers -----------------------------------------------------------------------------

    def d(self, name: str, formula: str) -> Derived:
        unit = self.k.indicators[name].unit
        dv = Derived(name=name, year=self.y.year, unit=unit, formula=formula)
        self.out[name] = dv
        return dv

    def amount(self, dv: Derived, carrier: str) -> float | None:
        """A carrier's amount as an input of `dv` (0 when listed in not_used)."""
        e = self.y.energy
        value = e.amount(carrier)
        listed = value is not None and getattr(e, carrier) is None
        path = f"{self.p}.energy.not_used ({carrier})" if listed else f"{self.p}.energy.{carrier}"
        return dv.need(path, value, CARRIER_UNIT[carrier])

    def coefficient(self, carrier: str):
        if carrier in _ELECTRIC:
            return self.k.coefficient("electricity"), "coefficient.electricity"
        if carrier == "natural_gas":
            fac = self.k.coefficient("natural_gas", self.gas_option)
            return fac, f"coefficient.natural_gas.{fac.option}" if fac.option else "coefficient.natural_gas"
        return self.k.coefficient(carrier), f"coefficient.{carrier}"

    def tce(self, dv: Derived, carriers: tuple[str, ...]) -> float | None:
        """Σ amount x coefficient over `carriers`, the factors cited on `dv`; None if any is unknown."""
        total, known = 0.0, True
        for carrier in carriers:
            amount = self.amount(dv, carrier)
            fac, fid = self.coefficient(carrier)
            if all(f.id != fid for f in dv.factors):
                dv.factors.append(factor_use(fac, fid))
            if amount is None:
                known = False
            else:
                total += amount * fac.value
        return total if known else None

    def ratio(self, name: str, formula: str, num: tuple[str, float | None, str],
              den: tuple[str, float | None, str], scale: float = 1.0) -> Derived:
        dv = self.d(name, formula)
        a = dv.need(f"{self.p}.{num[0]}", num[1], num[2])
        b = dv.need(f"{self.p}.{den[0]}", den[1], den[2])
        dv.divide(a, b, f"{self.p}.{den[0]}", scale)
        return dv

    def over(self, name: str, formula: str, base: Derived, num: tuple[str, float | None, str] | None = None,
             den: tuple[str, float | None, str] | None = None, scale: float = 1.0) -> Derived:
        """A ratio with a derived indicator `base` as numerator (num None) or denominator (den None)."""
        dv = self.d(name, formula)
        dv.factors += [f for f in base.factors if f not in dv.factors]
        if base.value is None:
            dv.missing += [m for m in base.missing if m not in dv.missing]
            if base.undefined:
                dv.missing.append(f"derived.{base.name} (undefined: {base.undefined})")
        else:
            dv.inputs.append(Input(f"derived.{base.name} ({self.y.year})", base.value, base.unit))
        if num is None:
            b = dv.need(f"{self.p}.{den[0]}", den[1], den[2])
            dv.divide(base.value, b, f"{self.p}.{den[0]}", scale)
        else:
            a = dv.need(f"{self.p}.{num[0]}", num[1], num[2])
            dv.divide(a, base.value, f"derived.{base.name} ({self.y.year})", scale)
        return dv

    # -- energy ------------------------------------------------------------------------------

    def energy(self) -> None:
        total = self.d("energy_total_tce", "Σ every carrier's amount × its GB/T 2589 coefficient (当量值; "
                                           "electricity = purchased + on-site renewable)")
        total.value = self.tce(total, CARRIERS)
        ecoef, _ = self.coefficient("purchased_electricity")

        def share(name: str, formula: str, part: tuple[str, ...], green: bool = False) -> Derived:
            dv = self.d(name, formula)
            value = self.tce(dv, part)
            if green:
                g = self.amount(dv, "green_electricity")
                value = None if value is None or g is None else value + g * ecoef.value
            self._over_total(dv, value, total)
            return dv

        share("renewable_share", "(green electricity + on-site renewable) × 0.1229 tce/MWh ÷ energy total × 100 "
              "(当量值)", ("onsite_renewable_generation",), green=True)
        share("non_fossil_share", "non-fossil electricity (green power bought + on-site renewable, 当量值) ÷ "
              "energy total × 100", ("onsite_renewable_generation",), green=True)
        share("clean_energy_share", "(natural gas + LPG + purchased and on-site electricity), tce ÷ energy "
              "total × 100", ("natural_gas", "lpg", "purchased_electricity", "onsite_renewable_generation"))
        share("coal_share", "(raw coal + coke), tce ÷ energy total × 100", ("coal", "coke"))
        share("fuel_oil_share", "fuel oil, tce ÷ energy total × 100", ("fuel_oil",))
        dv = self.d("renewable_electricity_share", "(green + on-site renewable electricity) ÷ (purchased + "
                                                   "on-site) electricity × 100")
        g, o, b = (self.amount(dv, c) for c in ("green_electricity", "onsite_renewable_generation",
                                                "purchased_electricity"))
        if None not in (g, o, b):
            dv.divide(g + o, b + o, f"{self.p}.energy.purchased_electricity + onsite_renewable_generation", 100)
        ec = self.y.economy
        self.over("energy_intensity", "energy total (tce) ÷ industrial value added (万元)", total,
                  den=("economy.industrial_value_added", ec.industrial_value_added, "万元"))
        self.over("energy_productivity", "industrial value added (万元) ÷ energy total (tce)", total,
                  num=("economy.industrial_value_added", ec.industrial_value_added, "万元"))
        self.over("energy_intensity_gdp", "energy total (tce) ÷ GDP (万元)", total,
                  den=("economy.gdp", ec.gdp, "万元"))
        for name, carrier in (("coal_use", "coal"), ("natural_gas_use", "natural_gas")):
            dv = self.d(name, f"energy.{carrier} consumed in the year (unknown when not reported)")
            dv.value = self.amount(dv, carrier)

    def _over_total(self, dv: Derived, part: float | None, total: Derived) -> None:
        dv.factors += [f for f in total.factors if f not in dv.factors]
        if total.value is None:
            dv.missing += [m for m in total.missing if m not in dv.missing]
            return
        if part is not None:
            dv.inputs.append(Input(f"derived.energy_total_tce ({self.y.year})", total.value, "tce"))
        dv.divide(part, total.value, f"derived.energy_total_tce ({self.y.year})", 100)

    # -- carbon ------------------------------------------------------------------------------

    def carbon(self) -> dict:
        basis = self.park.accounting.scope2
        s1 = self.d("co2_scope1", "Σ fuel amount × CO2 emission factor (defaults unless the park's own factor "
                                  "library gives one)")
        inv: dict = {"year": self.y.year, "basis": basis, "scope1": [], "scope2": [], "scope2_market": []}
        co2 = 0.0
        for carrier in FUELS:
            amount = self.amount(s1, carrier)
            fac = self._emission_factor(carrier)
            s1.factors.append(fac)
            if amount is None:
                continue
            co2 += amount * fac.value
            if amount:
                inv["scope1"].append(_line(carrier, amount, fac))
        s1.value = None if s1.missing else co2

        loc = self.d("co2_scope2", "all purchased electricity × location-based grid factor of the data year + "
                                   "purchased heat × heat factor")
        grid, vintage = self._grid_use()
        self._grid_indicators(grid, vintage)
        heat_f = self._emission_factor("purchased_heat")
        elec = self.amount(loc, "purchased_electricity")
        heat = self.amount(loc, "purchased_heat")
        loc.factors += [grid, heat_f]
        inv["scope2"] = _lines((("grid_electricity", elec, grid), ("purchased_heat", heat, heat_f)))
        if not loc.missing:
            loc.value = elec * grid.value + heat * heat_f.value
        mkt = self.d("co2_scope2_market", "(purchased − green electricity) × national grid factor excluding "
                                          "market-traded non-fossil power + purchased heat × heat factor")
        resid = self._residual_factor()
        elec_m = self.amount(mkt, "purchased_electricity")
        green = self.amount(mkt, "green_electricity")
        heat_m = self.amount(mkt, "purchased_heat")
        mkt.factors += [resid, heat_f]
        residual = None if elec_m is None or green is None else elec_m - green
        inv["scope2_market"] = _lines((("residual_grid_electricity", residual, resid), ("purchased_heat", heat_m, heat_f)))
        if not mkt.missing:
            mkt.value = residual * resid.value + heat_m * heat_f.value
        s2 = loc if basis == "location_based" else mkt
        tot = self.d("co2_total", f"scope 1 + scope 2 ({'location' if basis == 'location_based' else 'market'}-"
                                  "based, as the park's accounting chooses)")
        tot.inputs = s1.inputs + s2.inputs
        tot.factors = s1.factors + s2.factors
        tot.missing = s1.missing + [m for m in s2.missing if m not in s1.missing]
        if not tot.missing:
            tot.value = s1.value + s2.value
        inv.update(scope1_t=s1.value, scope2_t=loc.value, scope2_market_t=mkt.value,
                   total_location_t=None if s1.value is None or loc.value is None else s1.value + loc.value,
                   total_market_t=None if s1.value is None or mkt.value is None else s1.value + mkt.value,
                   total_t=tot.value, missing=list(tot.missing))
        ec = self.y.economy
        self._co2_per_tce(tot)
        self.over("carbon_intensity", "CO2 (scope 1 + 2, t) ÷ industrial value added (万元)", tot,
                  den=("economy.industrial_value_added", ec.industrial_value_added, "万元"))
        self.over("carbon_intensity_gdp", "CO2 (scope 1 + 2, t) ÷ GDP (万元)", tot,
                  den=("economy.gdp", ec.gdp, "万元"))
        return inv

    def _co2_per_tce(self, tot: Derived) -> None:
        energy = self.out["energy_total_tce"]
        dv = self.d("co2_per_tce", "CO2 (scope 1 + 2, t) ÷ energy total (tce) — national zero-carbon park core "
                                   "indicator")
        dv.factors = tot.factors + [f for f in energy.factors if f not in tot.factors]
        dv.missing = tot.missing + [m for m in energy.missing if m not in tot.missing]
        if dv.missing:
            return
        dv.inputs = [Input(f"derived.co2_total ({self.y.year})", tot.value, "tCO2"),
                     Input(f"derived.energy_total_tce ({self.y.year})", energy.value, "tce")]
        dv.divide(tot.value, energy.value, f"derived.energy_total_tce ({self.y.year})")

    def _grid_indicators(self, fac: FactorUse, vintage: int | None) -> None:
        """The grid factor scope 2 used (5.3 c) and its excess over the national average factor of
        the same vintage: > 0 means the external power supply is more carbon-intensive than the
        national grid, a part of the park's carbon the park does not control. `vintage` is the
        factor's year (None for a park factor without year, compared with the data year's)."""
        gf = self.d("grid_factor", "grid emission factor used for location-based scope 2 in this year "
                                   "(provincial -> regional -> national, or the park's own factor)")
        gf.factors.append(fac)
        gf.value = fac.value
        gf.vintage = vintage
        ex = self.d("grid_factor_excess", "grid factor used − national average grid factor of the same vintage "
                                          "(MEE/NBS 电力二氧化碳排放因子; the data year's for a park factor without "
                                          "year)")
        nat = self.k.national_grid_factor(self.y.year if vintage is None else vintage)
        ex.factors += [fac, FactorUse(id=f"grid.national.{nat.factor_year}", value=nat.value, unit="tCO2/MWh",
                                      verification=nat.verification, source=nat.source,
                                      note=nat.basis.zh + " / " + nat.basis.en)]
        ex.value = fac.value - nat.value
        ex.vintage, ex.reference_vintage = vintage, nat.factor_year

    def _own_factor(self, own: FactorOverride, also: tuple[str, str] | None = None) -> FactorUse:
        """A park factor in tCO2 per canonical unit, with the tag its source earns."""
        tag = own_tag(own, self.k, self.park.profile.province)
        unit = "tCO2/MWh" if own.carrier == "grid_electricity" else f"tCO2/{CARRIER_UNIT[own.carrier]}"
        return FactorUse(id=own_factor_id(own), value=own.value * OVERRIDE_UNITS[own.unit], unit=unit,
                         verification=tag.verification, source=tag.source, note=tag.note(own, also))

    def _emission_factor(self, carrier: str) -> FactorUse:
        own = own_factor_for(self.park, carrier, self.y.year)
        if own is not None:
            return self._own_factor(own[1])
        return factor_use(self.k.emission_factor(carrier), f"emission_factor.{carrier}")

    def _grid_factor(self) -> FactorUse:
        return self._grid_use()[0]

    def _grid_use(self) -> tuple[FactorUse, int | None]:
        """The location-based grid factor of the data year and its vintage (None: a park factor
        without year, which counts every year)."""
        use = grid_factor_for(self.park, self.k, self.y.year)
        if use.own is not None:
            return self._own_factor(use.own, use.fallback), use.factor_year
        g = use.choice
        return FactorUse(id=f"grid.{g.level}.{g.region or self.park.profile.province}.{g.factor_year}",
                         value=g.value, unit="tCO2/MWh", verification=g.verification, source=g.source,
                         note=g.basis.zh + " / " + g.basis.en), g.factor_year

    def _residual_factor(self) -> FactorUse:
        g = self.k.national_grid_factor(self.y.year, "excl_market_nonfossil")
        return FactorUse(id=f"grid.national_residual.{g.factor_year}", value=g.value, unit="tCO2/MWh",
                         verification=g.verification, source=g.source, note=g.basis.zh + " / " + g.basis.en)

    # -- resources, pollution, economy --------------------------------------------------------

    def resources(self) -> None:
        w, s, ec, y = self.y.water, self.y.solid_waste, self.y.economy, self.y
        iva = ("economy.industrial_value_added", ec.industrial_value_added, "万元")
        dv = self.d("water_reuse_rate", "reused water ÷ (reused + fresh withdrawal) × 100")
        a = dv.need(f"{self.p}.water.reused", w.reused, "m3")
        b = dv.need(f"{self.p}.water.fresh_withdrawal", w.fresh_withdrawal, "m3")
        if a is not None and b is not None:
            dv.divide(a, a + b, f"{self.p}.water.reused + fresh_withdrawal", 100)
        dv = self.d("reclaimed_water_rate", "reclaimed water used ÷ (reclaimed water used + wastewater "
                                            "discharged) × 100")
        a = dv.need(f"{self.p}.water.reclaimed_used", w.reclaimed_used, "m3")
        b = dv.need(f"{self.p}.water.wastewater_discharged", w.wastewater_discharged, "m3")
        if a is not None and b is not None:
            dv.divide(a, a + b, f"{self.p}.water.reclaimed_used + wastewater_discharged", 100)
        self.ratio("water_productivity", "industrial value added (元) ÷ fresh water (m3)", iva,
                   ("water.fresh_withdrawal", w.fresh_withdrawal, "m3"), scale=1e4)
        self.ratio("water_intensity", "fresh water (m3) ÷ industrial value added (万元)",
                   ("water.fresh_withdrawal", w.fresh_withdrawal, "m3"), iva)
        self.ratio("wastewater_intensity", "wastewater discharged (m3) ÷ industrial value added (万元)",
                   ("water.wastewater_discharged", w.wastewater_discharged, "m3"), iva)
        self.ratio("solid_waste_utilisation", "general industrial solid waste utilised ÷ generated × 100",
                   ("solid_waste.general_utilised", s.general_utilised, "t"),
                   ("solid_waste.general_generated", s.general_generated, "t"), scale=100)
        self.ratio("hazardous_waste_managed", "hazardous waste disposed or utilised ÷ generated × 100",
                   ("solid_waste.hazardous_managed", s.hazardous_managed, "t"),
                   ("solid_waste.hazardous_generated", s.hazardous_generated, "t"), scale=100)
        # the land in use that year; the profile's planned industrial land is another quantity
        self.ratio("land_productivity", "industrial value added (亿元) ÷ developed industrial land in use (km2)",
                   iva, ("developed_land", y.developed_land, "km2"), scale=1e-4)
        out = ("economy.industrial_output", ec.industrial_output, "万元")
        for name, fld in (("high_tech_output_share", "high_tech_output"), ("two_high_output_share", "two_high_output"),
                          ("heavy_industry_share", "heavy_industry_output"), ("raw_material_share", "raw_material_output")):
            self.ratio(name, f"{fld} ÷ industrial output × 100", (f"economy.{fld}", getattr(ec, fld), "万元"),
                       out, scale=100)
        self.ratio("green_rd_intensity", "green R&D expenditure ÷ GDP (地区生产总值) × 100",
                   ("economy.green_rd_expenditure", ec.green_rd_expenditure, "万元"), ("economy.gdp", ec.gdp, "万元"),
                   scale=100)
        self.ratio("green_industry_share", "green low-carbon industry value added ÷ industrial value added × 100",
                   ("economy.green_industry_value_added", ec.green_industry_value_added, "万元"), iva, scale=100)
        self.ratio("value_added_per_employee", "industrial value added (万元) ÷ employees", iva,
                   ("economy.employees", ec.employees, "persons"))
        sw = y.surface_water
        dv = self.d("surface_water_compliance", "surface-water sections meeting their target ÷ sections "
                                                "monitored × 100")
        if sw is None:
            dv.missing.append(f"{self.p}.surface_water")
        else:
            dv.inputs += [Input(f"{self.p}.surface_water.sections_meeting_target", sw.sections_meeting_target,
                                "sections"), Input(f"{self.p}.surface_water.sections", sw.sections, "sections")]
            dv.divide(sw.sections_meeting_target, sw.sections, f"{self.p}.surface_water.sections", 100)
        reported = [("air_quality_good_days", "air_quality_good_days", y.air_quality_good_days, "%"),
                    ("waste_heat_recovery", "waste_heat_recovery", y.waste_heat_recovery, "%"),
                    ("major_env_incidents", "major_env_incidents", y.major_env_incidents, "count"),
                    ("pv_capacity", "capacity.pv", y.capacity.pv, "MW"),
                    ("storage_capacity", "capacity.storage", y.capacity.storage, "MWh")]
        reported += [(f"{p}_emissions", f"pollutants.{p}", getattr(y.pollutants, p), "t")
                     for p in ("nox", "vocs", "so2", "cod")]
        for name, path, value, unit in reported:
            dv = self.d(name, f"reported {path} in the year")
            dv.value = dv.need(f"{self.p}.{path}", value, unit)

    def run(self) -> dict:
        self.energy()
        inv = self.carbon()
        self.resources()
        return inv


def _lines(items) -> list[dict]:
    """Inventory lines of the activities that are known and not zero (a total needs them all)."""
    return [_line(c, amount, fac) for c, amount, fac in items if amount]


def _line(carrier: str, amount: float, fac: FactorUse) -> dict:
    return {"carrier": carrier, "activity": amount, "unit": CARRIER_UNIT.get(carrier, "MWh"),
            "factor": fac.__dict__, "co2_t": amount * fac.value}
