"""Park facts -> derived indicators and the GHG inventory (clause 6.11 asks for one).

Energy is converted to tonnes of standard coal with GB/T 2589 coefficients (当量值, electricity at
0.1229 kgce/kWh); CO2 is scope 1 (fuel combustion, default factors) plus scope 2 (purchased grid
electricity other than green power, with the province's grid factor for the year, falling back to
region and then national average; and purchased heat). A park's own factor library
(`management.factors`) overrides defaults and is cited as such.

Carriers a park leaves out of a year are taken as not used (0). Purchased electricity is the one
carrier every park has, so without it the year's energy total is reported missing.
"""
from __future__ import annotations

from engine.facts.models import Park, YearData
from engine.indicators.derived import Derived, FactorUse, Input

__all__ = ["derive", "Indicators", "FUELS"]

FUELS = ("coal", "coke", "natural_gas", "fuel_oil", "diesel", "gasoline", "lpg")
_CARRIER_UNIT = {"coal": "t", "coke": "t", "natural_gas": "m3", "fuel_oil": "t", "diesel": "t",
                 "gasoline": "t", "lpg": "t", "purchased_heat": "GJ", "electricity": "MWh"}
_OVERRIDE_UNITS = {"tCO2/t": 1.0, "tCO2/万m3": 1e-4, "tCO2/m3": 1.0, "tCO2/GJ": 1.0, "kgCO2/kWh": 1.0,
                   "tCO2/MWh": 1.0}


class Indicators:
    """Derived indicators of every year, the latest year's by name, and the GHG inventory."""

    def __init__(self, by_year: dict[int, dict[str, Derived]], inventory: list[dict], latest_year: int):
        self.by_year, self.inventory, self.latest_year = by_year, inventory, latest_year

    @property
    def latest(self) -> dict[str, Derived]:
        return self.by_year[self.latest_year]

    def get(self, name: str) -> Derived:
        return self.latest[name]


def _factor(fac, fid: str) -> FactorUse:
    return FactorUse(id=fid, value=fac.value, unit=fac.unit, verification=fac.verification,
                     source=fac.source, note=getattr(fac, "derivation", None))


class _Year:
    """Computes one year's indicators; `p` is the fact path prefix of the year."""

    def __init__(self, park: Park, y: YearData, idx: int, knowledge, prev: "_Year | None"):
        self.park, self.y, self.k, self.p, self.prev = park, y, knowledge, f"years[{idx}]", prev
        self.out: dict[str, Derived] = {}
        self.overrides = {f.carrier: f for f in park.management.factors}

    def d(self, name: str, formula: str) -> Derived:
        unit = self.k.indicators[name].unit if name in self.k.indicators else ""
        dv = Derived(name=name, year=self.y.year, unit=unit, formula=formula)
        self.out[name] = dv
        return dv

    def need(self, dv: Derived, path: str, value, unit: str) -> float | None:
        if value is None:
            dv.missing.append(f"{self.p}.{path}")
            return None
        dv.inputs.append(Input(f"{self.p}.{path}", value, unit))
        return value

    def ratio(self, name: str, formula: str, num: tuple[str, float | None, str],
              den: tuple[str, float | None, str], scale: float = 1.0) -> Derived:
        dv = self.d(name, formula)
        a = self.need(dv, *num)
        b = self.need(dv, *den)
        if a is not None and b is not None and b > 0:
            dv.value = a / b * scale
        elif b == 0 and not dv.missing:
            dv.missing.append(f"{self.p}.{den[0]} (zero)")
        return dv

    def energy(self) -> None:
        e, k = self.y.energy, self.k
        total = self.d("energy_total_tce", "Σ carrier amount × GB/T 2589 coefficient (当量值; electricity = "
                                           "purchased + on-site renewable)")
        elec = None
        if self.need(total, "energy.purchased_electricity", e.purchased_electricity, "MWh") is not None:
            elec = e.purchased_electricity + (e.onsite_renewable_generation or 0.0)
            if e.onsite_renewable_generation:
                total.inputs.append(Input(f"{self.p}.energy.onsite_renewable_generation",
                                          e.onsite_renewable_generation, "MWh"))
        tce = 0.0
        for carrier in FUELS + ("purchased_heat",):
            amount = getattr(e, carrier)
            if amount:
                coef = k.coefficient(carrier)
                total.inputs.append(Input(f"{self.p}.energy.{carrier}", amount, _CARRIER_UNIT[carrier]))
                total.factors.append(_factor(coef, f"coefficient.{carrier}"))
                tce += amount * coef.value
        ecoef = k.coefficient("electricity")
        total.factors.append(_factor(ecoef, "coefficient.electricity"))
        if elec is not None:
            total.value = tce + elec * ecoef.value
        renewable_mwh = None
        if e.green_electricity is not None or e.onsite_renewable_generation is not None:
            renewable_mwh = (e.green_electricity or 0.0) + (e.onsite_renewable_generation or 0.0)
        for name, formula in (("renewable_share", "(green electricity + on-site renewable) × 0.1229 tce/MWh ÷ "
                                                  "energy total × 100 (当量值 basis)"),
                              ("non_fossil_share", "non-fossil energy (green electricity + on-site renewable, "
                                                   "当量值) ÷ energy total × 100")):
            dv = self.d(name, formula)
            dv.factors.append(_factor(ecoef, "coefficient.electricity"))
            if renewable_mwh is None:
                dv.missing += [f"{self.p}.energy.green_electricity", f"{self.p}.energy.onsite_renewable_generation"]
            if total.value is None:
                dv.missing += total.missing
            if not dv.missing and total.value:
                dv.inputs.append(Input(f"{self.p}.energy (renewable electricity)", renewable_mwh, "MWh"))
                dv.value = renewable_mwh * ecoef.value / total.value * 100
        dv = self.d("renewable_electricity_share", "(green + on-site renewable electricity) ÷ (purchased + "
                                                   "on-site) electricity × 100")
        if renewable_mwh is None or elec is None:
            dv.missing += [f"{self.p}.energy.purchased_electricity"] if elec is None else []
            dv.missing += [] if renewable_mwh is not None else [f"{self.p}.energy.green_electricity"]
        elif elec > 0:
            dv.value = renewable_mwh / elec * 100
        dv = self.d("clean_energy_share", "(renewable electricity + natural gas), tce ÷ energy total × 100")
        if renewable_mwh is None or total.value is None:
            dv.missing += total.missing or [f"{self.p}.energy.green_electricity"]
        elif total.value > 0:
            gas = (e.natural_gas or 0.0) * k.coefficient("natural_gas").value
            dv.value = (renewable_mwh * ecoef.value + gas) / total.value * 100
        iva = self.y.economy.industrial_value_added
        self.ratio("energy_intensity", "energy total (tce) ÷ industrial value added (万元)",
                   ("energy (total)", total.value, "tce"), ("economy.industrial_value_added", iva, "万元"))
        self.ratio("energy_productivity", "industrial value added (万元) ÷ energy total (tce)",
                   ("economy.industrial_value_added", iva, "万元"), ("energy (total)", total.value, "tce"))

    def carbon(self) -> dict:
        e, k, total = self.y.energy, self.k, self.out["energy_total_tce"]
        s1 = self.d("co2_scope1", "Σ fuel amount × CO2 emission factor (defaults unless the park's own "
                                  "factor library gives one)")
        s2 = self.d("co2_scope2", "(purchased − green electricity) × grid factor of province/year + "
                                  "purchased heat × heat factor")
        inv = {"year": self.y.year, "scope1": [], "scope2": [], "method": "scope 1 fuel combustion + scope 2 "
               "purchased electricity (location-based factor on non-green electricity) and heat"}
        co2 = 0.0
        for carrier in FUELS:
            amount = getattr(e, carrier)
            if not amount:
                continue
            fac = self._emission_factor(carrier)
            s1.inputs.append(Input(f"{self.p}.energy.{carrier}", amount, _CARRIER_UNIT[carrier]))
            s1.factors.append(fac)
            co2 += amount * fac.value
            inv["scope1"].append({"carrier": carrier, "activity": amount, "unit": _CARRIER_UNIT[carrier],
                                  "factor": fac.__dict__, "co2_t": amount * fac.value})
        s1.value = co2
        if e.purchased_electricity is None:
            s2.missing.append(f"{self.p}.energy.purchased_electricity")
        else:
            grid_mwh = e.purchased_electricity - (e.green_electricity or 0.0)
            fac = self._grid_factor()
            s2.inputs.append(Input(f"{self.p}.energy.purchased_electricity", e.purchased_electricity, "MWh"))
            if e.green_electricity:
                s2.inputs.append(Input(f"{self.p}.energy.green_electricity", e.green_electricity, "MWh"))
            s2.factors.append(fac)
            self._grid_indicators(fac)
            value = grid_mwh * fac.value
            inv["scope2"].append({"carrier": "grid_electricity", "activity": grid_mwh, "unit": "MWh",
                                  "factor": fac.__dict__, "co2_t": value})
            if e.purchased_heat:
                hf = self._emission_factor("purchased_heat")
                s2.inputs.append(Input(f"{self.p}.energy.purchased_heat", e.purchased_heat, "GJ"))
                s2.factors.append(hf)
                value += e.purchased_heat * hf.value
                inv["scope2"].append({"carrier": "purchased_heat", "activity": e.purchased_heat, "unit": "GJ",
                                      "factor": hf.__dict__, "co2_t": e.purchased_heat * hf.value})
            s2.value = value
        tot = self.d("co2_total", "scope 1 + scope 2 CO2")
        tot.inputs = s1.inputs + s2.inputs
        tot.factors = s1.factors + s2.factors
        tot.missing = s1.missing + s2.missing
        if s2.value is not None:
            tot.value = s1.value + s2.value
        inv["total_t"] = tot.value
        inv["scope1_t"], inv["scope2_t"] = s1.value, s2.value
        per = self.ratio("co2_per_tce", "CO2 (scope 1 + 2, t) ÷ energy total (tce) — national zero-carbon "
                         "park core indicator", ("co2 (total)", tot.value, "tCO2"), ("energy (total)", total.value, "tce"))
        per.factors = tot.factors + total.factors
        ci = self.ratio("carbon_intensity", "CO2 (scope 1 + 2, t) ÷ industrial value added (万元)",
                        ("co2 (total)", tot.value, "tCO2"),
                        ("economy.industrial_value_added", self.y.economy.industrial_value_added, "万元"))
        ci.factors = list(tot.factors)
        return inv

    def _grid_indicators(self, fac: FactorUse) -> None:
        """The grid factor scope 2 used (5.3c) and its excess over the national average factor
        of the same factor year: > 0 means the external power supply is more carbon-intensive
        than the national grid, a part of the park's carbon the park does not control."""
        gf = self.d("grid_factor", "grid emission factor used for scope 2 in this year (provincial -> "
                                   "regional -> national, or the park's own factor)")
        gf.factors.append(fac)
        gf.value = fac.value
        ex = self.d("grid_factor_excess", "grid factor used − national average grid factor of the same "
                                          "factor year (MEE/NBS 电力二氧化碳排放因子)")
        year = self.y.year
        if fac.id.startswith("grid."):
            try:
                year = int(fac.id.rsplit(".", 1)[1])
            except ValueError:
                pass
        nat = self.k.national_grid_factor(year)
        ex.factors += [fac, FactorUse(id=f"grid.national.{nat.factor_year}", value=nat.value, unit="tCO2/MWh",
                                      verification=nat.verification, source=nat.source,
                                      note=nat.basis.zh + " / " + nat.basis.en)]
        ex.value = fac.value - nat.value

    def _emission_factor(self, carrier: str) -> FactorUse:
        own = self.overrides.get(carrier)
        if own is not None and own.unit in _OVERRIDE_UNITS:
            return FactorUse(id=f"park.{carrier}", value=own.value * _OVERRIDE_UNITS[own.unit],
                             unit=f"tCO2/{_CARRIER_UNIT[carrier]}", verification="V",
                             source=f"park emission-factor library: {own.source}")
        return _factor(self.k.emission_factor(carrier), f"emission_factor.{carrier}")

    def _grid_factor(self) -> FactorUse:
        own = self.overrides.get("grid_electricity")
        if own is not None and own.unit in _OVERRIDE_UNITS:
            return FactorUse(id="park.grid_electricity", value=own.value, unit="tCO2/MWh", verification="V",
                             source=f"park emission-factor library: {own.source}")
        g = self.k.grid_factor(self.park.profile.province, self.y.year)
        return FactorUse(id=f"grid.{g.level}.{g.region or self.park.profile.province}.{g.factor_year}",
                         value=g.value, unit="tCO2/MWh", verification=g.verification, source=g.source,
                         note=g.basis.zh + " / " + g.basis.en)

    def resources(self) -> None:
        w, s, ec, y = self.y.water, self.y.solid_waste, self.y.economy, self.y
        iva = ec.industrial_value_added
        dv = self.d("water_reuse_rate", "reused water ÷ (reused + fresh withdrawal) × 100")
        a = self.need(dv, "water.reused", w.reused, "m3")
        b = self.need(dv, "water.fresh_withdrawal", w.fresh_withdrawal, "m3")
        if a is not None and b is not None and a + b > 0:
            dv.value = a / (a + b) * 100
        dv = self.d("reclaimed_water_rate", "reclaimed water used ÷ (fresh withdrawal + reclaimed) × 100")
        a = self.need(dv, "water.reclaimed_used", w.reclaimed_used, "m3")
        b = self.need(dv, "water.fresh_withdrawal", w.fresh_withdrawal, "m3")
        if a is not None and b is not None and a + b > 0:
            dv.value = a / (a + b) * 100
        self.ratio("water_productivity", "industrial value added (元) ÷ fresh water (m3)",
                   ("economy.industrial_value_added", iva, "万元"), ("water.fresh_withdrawal", w.fresh_withdrawal, "m3"),
                   scale=1e4)
        self.ratio("water_intensity", "fresh water (m3) ÷ industrial value added (万元)",
                   ("water.fresh_withdrawal", w.fresh_withdrawal, "m3"), ("economy.industrial_value_added", iva, "万元"))
        self.ratio("solid_waste_utilisation", "general industrial solid waste utilised ÷ generated × 100",
                   ("solid_waste.general_utilised", s.general_utilised, "t"),
                   ("solid_waste.general_generated", s.general_generated, "t"), scale=100)
        self.ratio("hazardous_waste_managed", "hazardous waste disposed or utilised ÷ generated × 100",
                   ("solid_waste.hazardous_managed", s.hazardous_managed, "t"),
                   ("solid_waste.hazardous_generated", s.hazardous_generated, "t"), scale=100)
        land_path, land = ("developed_land", y.developed_land)
        if land is None and self.park.profile.industrial_land_area is not None:
            land_path, land = ("(profile.industrial_land_area)", self.park.profile.industrial_land_area)
        self.ratio("land_productivity", "industrial value added (亿元) ÷ developed industrial land (km2)",
                   ("economy.industrial_value_added", iva, "万元"), (land_path, land, "km2"), scale=1e-4)
        out = ec.industrial_output
        for name, fld in (("high_tech_output_share", "high_tech_output"), ("two_high_output_share", "two_high_output"),
                          ("heavy_industry_share", "heavy_industry_output"), ("raw_material_share", "raw_material_output")):
            self.ratio(name, f"{fld} ÷ industrial output × 100", (f"economy.{fld}", getattr(ec, fld), "万元"),
                       ("economy.industrial_output", out, "万元"), scale=100)
        self.ratio("green_rd_intensity", "green R&D expenditure ÷ industrial value added × 100",
                   ("economy.green_rd_expenditure", ec.green_rd_expenditure, "万元"),
                   ("economy.industrial_value_added", iva, "万元"), scale=100)
        for name, fld in (("air_quality_good_days", "air_quality_good_days"), ("waste_heat_recovery", "waste_heat_recovery")):
            dv = self.d(name, f"reported {fld}")
            dv.value = self.need(dv, fld, getattr(y, fld), "%")
        self.ratio("wastewater_intensity", "wastewater discharged (m3) ÷ industrial value added (万元)",
                   ("water.wastewater_discharged", w.wastewater_discharged, "m3"),
                   ("economy.industrial_value_added", iva, "万元"))
        self.ratio("green_industry_share", "green low-carbon industry value added ÷ industrial value added × 100",
                   ("economy.green_industry_value_added", ec.green_industry_value_added, "万元"),
                   ("economy.industrial_value_added", iva, "万元"), scale=100)
        self.ratio("value_added_per_employee", "industrial value added (万元) ÷ employees",
                   ("economy.industrial_value_added", iva, "万元"), ("economy.employees", ec.employees, "persons"))
        pol = y.pollutants
        for name, fld in (("nox_emissions", "nox"), ("vocs_emissions", "vocs"), ("so2_emissions", "so2"),
                          ("cod_emissions", "cod")):
            dv = self.d(name, f"reported pollutants.{fld} emitted in the year")
            dv.value = self.need(dv, f"pollutants.{fld}", getattr(pol, fld), "t")
        e = y.energy
        for name, fld, unit in (("coal_use", "coal", "t"), ("natural_gas_use", "natural_gas", "m3")):
            dv = self.d(name, f"energy.{fld} consumed in the year (a carrier left out counts as 0, as in "
                              "the energy total)")
            amount = getattr(e, fld) or 0.0
            dv.inputs.append(Input(f"{self.p}.energy.{fld}", amount, unit))
            dv.value = amount
        dv = self.d("major_env_incidents", "reported major environmental incidents in the year")
        dv.value = self.need(dv, "major_env_incidents", y.major_env_incidents, "count")

    def trends(self) -> None:
        for name, base in (("carbon_intensity_change", "carbon_intensity"), ("energy_intensity_change", "energy_intensity")):
            dv = self.d(name, f"({base} this year ÷ {base} the year before − 1) × 100")
            cur = self.out[base]
            before = self.prev.out.get(base) if self.prev else None
            if before is None:
                dv.missing.append("years (a previous year)")
            elif cur.value is None or before.value is None:
                dv.missing += cur.missing + before.missing
            elif before.value > 0:
                dv.value = (cur.value / before.value - 1) * 100
                dv.inputs += [Input(f"{self.p} {base}", cur.value, cur.unit),
                              Input(f"{self.prev.p} {base}", before.value, before.unit)]
        for name, dv in self.out.items():
            if self.prev and name in self.prev.out:
                dv.previous = self.prev.out[name].value

    def run(self) -> dict:
        self.energy()
        inv = self.carbon()
        self.resources()
        self.trends()
        return inv


def _park_wide(park: Park, knowledge, latest: dict[str, Derived], year: int) -> None:
    ys = park.sorted_years()
    d = Derived("data_years", year, "a", "number of statistical years reported", value=float(len(ys)))
    latest["data_years"] = d
    first, last = ys[0], ys[-1]
    d = Derived("value_added_growth", year, "%/a", "(IVA last ÷ IVA first)^(1/years) − 1, × 100")
    a, b = first.economy.industrial_value_added, last.economy.industrial_value_added
    if len(ys) < 2:
        d.missing.append("years (at least two)")
    elif a is None or b is None or a <= 0:
        d.missing.append("years[].economy.industrial_value_added")
    else:
        d.value = ((b / a) ** (1 / (last.year - first.year)) - 1) * 100
    latest["value_added_growth"] = d
    d = Derived("leading_industry_concentration", year, "%", "largest leading-industry share of output")
    shares = [li.output_share for li in park.profile.leading_industries if li.output_share is not None]
    if shares:
        d.value = max(shares)
    else:
        d.missing.append("profile.leading_industries[].output_share")
    latest["leading_industry_concentration"] = d
    d = Derived("key_enterprise_audit_rate", year, "%", "enterprises with a mandatory-audit trigger and a "
                "completed audit ÷ enterprises with a trigger × 100")
    required = [e for e in park.enterprises if any(v is True for v in e.cp_triggers.model_dump().values())]
    if required:
        d.value = sum(e.cp_audit == "completed" for e in required) / len(required) * 100
    else:
        d.missing.append("enterprises[].cp_triggers (no enterprise with a trigger)")
    latest["key_enterprise_audit_rate"] = d
    d = Derived("smart_platform_systems", year, "systems", "systems of the seven in clause 3.7 reported built")
    flags = park.smart_platform.model_dump()
    unknown = [f"smart_platform.{k}" for k, v in flags.items() if v is None]
    if unknown:
        d.missing += unknown
    else:
        d.value = float(sum(bool(v) for v in flags.values()))
    latest["smart_platform_systems"] = d
    for name, flag, formula in (
            ("cp_audit_share", "cp_audit", "enterprises with a completed cleaner-production audit ÷ enterprises "
                                           "reporting an audit status × 100"),
            ("efficiency_benchmark_share", "efficiency_benchmark_met", "enterprises at the sector efficiency "
                                                                       "benchmark ÷ enterprises assessed × 100"),
            ("green_factory_share", "green_factory", "green factories ÷ enterprises reporting the flag × 100")):
        d = Derived(name, year, "%", formula)
        reported = [e for e in park.enterprises if getattr(e, flag) is not None]
        if reported:
            hit = sum((e.cp_audit == "completed") if flag == "cp_audit" else bool(getattr(e, flag))
                      for e in reported)
            d.value = hit / len(reported) * 100
        else:
            d.missing.append(f"enterprises[].{flag}")
        latest[name] = d
    d = Derived("green_staff", year, "persons", "full-time staff of the green low-carbon body (reported)")
    if park.profile.green_staff is None:
        d.missing.append("profile.green_staff")
    else:
        d.value = float(park.profile.green_staff)
    latest["green_staff"] = d


def derive(park: Park, knowledge) -> Indicators:
    """Every derived indicator of every reported year, plus the per-year GHG inventory.

    Example:
        >>> ind = derive(load_park("examples/coal_chemical_park.yaml"), load_knowledge())  # doctest: +SKIP
        >>> ind.get("co2_per_tce").value                                                  # doctest: +SKIP
        2.41
    """
    index = {id(y): i for i, y in enumerate(park.years)}
    by_year, inventory, prev = {}, [], None
    for y in park.sorted_years():
        calc = _Year(park, y, index[id(y)], knowledge, prev)
        inventory.append(calc.run())
        by_year[y.year] = calc.out
        prev = calc
    latest_year = park.latest.year
    _park_wide(park, knowledge, by_year[latest_year], latest_year)
    for dv in by_year[latest_year].values():
        if dv.name in knowledge.indicators and not dv.unit:
            dv.unit = knowledge.indicators[dv.name].unit
    return Indicators(by_year, inventory, latest_year)
