"""Pydantic models of the files in knowledge/: one root model per file.

Every model forbids unknown keys and is frozen. Each value that came from a document carries a
verification tag (`Tag`) and a `source` id from sources.yaml; a derived value (tag D) must carry a
`derivation`. Checks that need another file (does this source exist? this clause? this
indicator?) run in `engine.knowledge.loader`, which reports them with file and line.

    V  seen in a retrieved public source        C  corroborated by secondary material only
    U  recalled, not found in a retrieved source D  derived arithmetically (formula given)
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StrictBool, model_validator

from ..facts.quantities import IndustryCode
from ..scalars import Bool, Float, whole
from ..text import Text

__all__ = ["Tag", "Phase", "Operator", "Direction", "Carrier", "CARRIERS", "SECTION_PHASE", "EipCategory",
           "EIP_CATEGORIES", "EipScheme", "EipCategoryEntry", "Addresses", "ADDRESSES", "LegalBasis",
           "parent_clause", "Derivation", "DerivationInput", "Source", "SourcesFile", "Clause",
           "ClausesFile", "Indicator", "IndicatorsFile", "Framework", "AppliesIf", "Benchmark",
           "BenchmarksFile", "Quantity", "Coefficient", "CoefficientsFile", "TaggedValue",
           "NationalYear", "Grid", "ProvinceInfo", "ProvinceRegion", "CalcInputs", "FuelFactor",
           "Gwp", "EmissionFactorsFile", "Member", "IndustryList", "IndustriesFile", "Measure",
           "MeasuresFile"]

Tag = Literal["V", "C", "U", "D"]
Phase = Literal["scope", "references", "terms", "general", "plan", "do", "check", "act"]
Operator = Literal[">=", "<=", ">", "<", "==", "present", "boolean"]
Direction = Literal["higher_better", "lower_better", "neutral"]
Carrier = Literal["coal", "coke", "natural_gas", "fuel_oil", "diesel", "gasoline", "lpg",
                  "purchased_heat", "electricity"]
CARRIERS: tuple[str, ...] = get_args(Carrier)

SECTION_PHASE = {"1": "scope", "2": "references", "3": "terms", "4": "general", "5": "plan",
                 "6": "do", "7": "check", "8": "act"}
EipCategory = Literal["management", "environmental", "economic", "social"]
EIP_CATEGORIES: tuple[str, ...] = get_args(EipCategory)
_CITED_PHASES = ("scope", "plan", "do", "check", "act")
# what a catalogue measure addresses in the park's own figures (engine.measure_ranking computes each)
Addresses = Literal["coal_co2", "fuel_co2", "grid_electricity_co2", "co2_total", "fossil_energy",
                    "enterprise_energy", "fresh_water", "wastewater", "solid_waste_unutilised"]
ADDRESSES: tuple[str, ...] = get_args(Addresses)

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
ClauseId = Annotated[str, Field(pattern=r"^[1-8](?:\.\d{1,2}){0,2}[a-n]?$")]
DoClauseId = Annotated[str, Field(pattern=r"^6\.(?:[2-9]|1[01])$",
                                  description="a clause of 6.2-6.11 (the guide's tasks)")]
BenchmarkId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(?:[-.][A-Za-z0-9]+)*$")]
Year = Annotated[int, Strict(), Field(ge=1990, le=2100), BeforeValidator(whole)]   # constraints first: in the schema
NonEmpty = Annotated[str, Field(min_length=1)]


def _flag_or_number(value):
    """A benchmark's value: a number, or true/false for a `boolean`/`present` check; never text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        raise ValueError(f"must be a number or true/false, not the text {value!r} (write it without quotes)")
    raise ValueError(f"must be a number or true/false (got {value!r})")


FlagOrNumber = Annotated[StrictBool | float | None, BeforeValidator(_flag_or_number)]


def parent_clause(clause_id: str) -> str | None:
    """The clause a clause id sits in: `5.2a` -> `5.2`, `4.1.1` -> `4.1`, `3` -> None."""
    if clause_id[-1].isalpha():
        return clause_id[:-1]
    head, _, _ = clause_id.rpartition(".")
    return head or None


class _Model(BaseModel):
    # strict: knowledge files are YAML 1.2 like park files, so `yes` or "12" is text, refused where a
    # flag or number belongs (engine.scalars words the message), never coerced
    # defer_build: validators are built on first use, not at import - a process that takes its
    # compiled ruleset from the cache (engine.rules.cache) unpickles these and validates none (issue #13)
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True, defer_build=True)


class DerivationInput(_Model):
    """One published number a derived value is computed from."""

    name: NonEmpty
    value: Float
    unit: NonEmpty
    verification: Tag
    source: Id


class Derivation(_Model):
    """How a D value was computed.

    With `inputs` and `scale`, the loader checks `value == product(inputs) * scale`; `scale` is
    only a unit-conversion constant (e.g. 1e-9 for kJ -> TJ), never a domain number.
    """

    formula: NonEmpty
    inputs: list[DerivationInput] = Field(default_factory=list)
    scale: Float | None = None


class _Tagged(_Model):
    verification: Tag
    source: Id
    derivation: Derivation | None = None

    @model_validator(mode="after")
    def _derived_needs_derivation(self):
        if self.verification == "D" and self.derivation is None:
            raise ValueError("a derived (D) value needs a `derivation` giving its formula")
        if self.derivation is not None and self.verification != "D":
            raise ValueError("only a derived value (verification D) takes a `derivation`")
        return self


# -- sources.yaml -------------------------------------------------------------------------------

class Source(_Model):
    id: Id
    title: NonEmpty
    url: str | None = None
    note: str | None = None


class SourcesFile(_Model):
    sources: list[Source] = Field(min_length=1)


# -- clauses.yaml -------------------------------------------------------------------------------

class Clause(_Model):
    """One numbered clause (or lettered item) of the guide.

    `eip_category` places the clause in the four categories of the International Framework for
    Eco-Industrial Parks (park management, environmental, social, economic), so a result can be
    summarised the way an EIP assessment is. Every clause a rule may cite (sections 1 and 5-8)
    has one; references, terms and general provisions (sections 2-4) have none.
    """

    id: ClauseId
    parent: ClauseId | None
    title: Text
    phase: Phase
    normative: Bool
    normative_note: str | None = None
    eip_category: EipCategory | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.parent != parent_clause(self.id):
            raise ValueError(f"parent of {self.id} must be {parent_clause(self.id)!r}")
        expected = SECTION_PHASE[self.id.split(".")[0].rstrip("abcdefghijklmn")]
        if self.phase != expected:
            raise ValueError(f"clause {self.id} is in section {self.id[0]}: phase must be {expected!r}")
        if not self.normative and not self.normative_note:
            raise ValueError("a non-normative clause needs a `normative_note` saying why")
        if self.phase in _CITED_PHASES and self.eip_category is None:
            raise ValueError(f"clause {self.id} ({self.phase}) needs an `eip_category` "
                             f"({', '.join(EIP_CATEGORIES)})")
        if self.phase not in _CITED_PHASES and self.eip_category is not None:
            raise ValueError(f"clause {self.id} ({self.phase}) takes no `eip_category`")
        return self


class EipCategoryEntry(_Model):
    id: EipCategory
    title: Text


class EipScheme(_Tagged):
    """The four EIP categories, with the source that names them."""

    categories: list[EipCategoryEntry]

    @model_validator(mode="after")
    def _all_four(self):
        if [c.id for c in self.categories] != list(EIP_CATEGORIES):
            raise ValueError(f"categories must be, in order: {', '.join(EIP_CATEGORIES)}")
        return self


class ClausesFile(_Model):
    document: Text
    source: Id
    eip: EipScheme
    clauses: list[Clause] = Field(min_length=1)


# -- indicators.yaml ----------------------------------------------------------------------------

class Indicator(_Model):
    """An indicator the engine derives.

    `rate` says how its change over years is measured: `compound` (a % a year) for intensities,
    productivities and other ratios, `linear` (its own unit a year) for shares (percentage points),
    capacities, counts and tonnages. `key` marks the key indicators clause 7.3 evaluates; `best`
    is the best value it can take (0 % coal, 100 % managed), at which "keep improving" is met.
    `change_of` names the indicator whose average annual change this one is.
    """

    id: Id
    name: Text
    unit: NonEmpty
    direction: Direction
    rate: Literal["compound", "linear"]
    dimension: Literal["carbon", "energy", "resource", "environment", "industry", "management"]
    formula: NonEmpty
    clauses: list[ClauseId] = Field(min_length=1)
    key: Bool = False
    best: Float | None = None
    change_of: Id | None = None


class IndicatorsFile(_Model):
    indicators: list[Indicator] = Field(min_length=1)


# -- benchmarks.yaml ----------------------------------------------------------------------------

class Framework(_Model):
    id: Id
    name: Text
    issuer: str | None = None
    doc_no: str | None = None
    source: Id
    note: str | None = None


class AppliesIf(_Model):
    """Machine-readable applicability: `ge <= indicator < lt` (either bound may be absent)."""

    indicator: Id
    ge: Float | None = None
    lt: Float | None = None

    @model_validator(mode="after")
    def _a_bound(self):
        if self.ge is None and self.lt is None:
            raise ValueError("applies_if needs `ge`, `lt` or both")
        return self


class Benchmark(_Tagged):
    """A threshold from a framework: `indicator <operator> value`."""

    id: BenchmarkId
    framework: Id
    indicator: Id | None
    name: Text
    operator: Operator
    value: FlagOrNumber
    unit: str | None = None
    name_verification: Tag | None = None
    group: str | None = None
    mandatory: Bool | None = None
    selection: str | None = None
    note: str | None = None
    applies: str | None = None
    applies_if: AppliesIf | None = None

    @model_validator(mode="after")
    def _value_fits_operator(self):
        if self.operator in ("present", "boolean"):
            if self.value is not None and not isinstance(self.value, bool):
                raise ValueError(f"operator {self.operator!r} takes value true, false or null")
        elif self.value is None or isinstance(self.value, bool):
            raise ValueError(f"operator {self.operator!r} needs a numeric value")
        return self


class BenchmarksFile(_Model):
    frameworks: list[Framework] = Field(min_length=1)
    benchmarks: list[Benchmark] = Field(min_length=1)
    profiles: dict[Id, dict[Id, list[BenchmarkId]]]

    @model_validator(mode="after")
    def _default_profile(self):
        if "default" not in self.profiles:
            raise ValueError("profiles: a `default` profile is required")
        return self


# -- coefficients.yaml --------------------------------------------------------------------------

class Quantity(_Model):
    value: Float
    unit: NonEmpty


class _Published(_Tagged):
    """A per-carrier factor written exactly as published: `"<number> <unit>"`."""

    carrier: Carrier
    name: Text
    published: Annotated[str, Field(pattern=r"^\d+(?:\.\d+)?(?:[eE][+-]?\d+)? +\S+$",
                                    examples=["0.7143 kgce/kg", "21.65 tCO2/1e4Nm3"])]
    note: str | None = None

    @property
    def value(self) -> float:
        """The published number."""
        return float(self.published.split()[0])

    @property
    def unit(self) -> str:
        """The published unit."""
        return self.published.split()[1]


class Coefficient(_Published):
    """A GB/T 2589 standard-coal coefficient (当量值).

    Where the standard leaves a choice (natural gas: 气田 or 油田 heating value), a carrier has
    several entries, each with an `option` id and exactly one marked `default`; a park picks one
    in `accounting`, and the result states which.
    """

    lhv: Quantity | None = None
    option: Id | None = None
    option_name: Text | None = None
    default: Bool = False


class CoefficientsFile(_Model):
    standard: NonEmpty
    coefficients: list[Coefficient] = Field(min_length=1)

    @model_validator(mode="after")
    def _options(self):
        by_carrier: dict[str, list[Coefficient]] = {}
        for c in self.coefficients:
            by_carrier.setdefault(c.carrier, []).append(c)
        for carrier, entries in by_carrier.items():
            if len(entries) == 1:
                if entries[0].option is not None:
                    raise ValueError(f"{carrier}: a carrier with one coefficient takes no option")
                continue
            options = [e.option for e in entries]
            if None in options or len(set(options)) != len(options):
                raise ValueError(f"{carrier}: each of its {len(entries)} coefficients needs its own option id")
            if sum(e.default for e in entries) != 1:
                raise ValueError(f"{carrier}: exactly one option must be the default")
            if any(e.option_name is None for e in entries):
                raise ValueError(f"{carrier}: each option needs an option_name")
        return self


# -- emission_factors.yaml ----------------------------------------------------------------------

class TaggedValue(_Tagged):
    value: Float = Field(gt=0)
    note: str | None = None


class NationalYear(_Model):
    average: TaggedValue
    excl_market_nonfossil: TaggedValue | None = None
    fossil_only: TaggedValue | None = None
    announcement: str | None = None


class Grid(_Model):
    unit: NonEmpty
    note: str | None = None
    national: dict[Year, NationalYear] = Field(min_length=1)
    regional: dict[NonEmpty, dict[Year, TaggedValue]]
    provincial: dict[NonEmpty, dict[Year, TaggedValue]]


class ProvinceInfo(_Model):
    region: NonEmpty
    en: NonEmpty
    full: NonEmpty


class ProvinceRegion(_Model):
    verification: Tag
    source: Id
    note: str | None = None
    regions: dict[NonEmpty, NonEmpty] = Field(description="region (zh) -> English name")
    provinces: dict[NonEmpty, ProvinceInfo]


class CalcInputs(_Model):
    """Published inputs of an enterprise-guideline factor: NCV x carbon content x oxidation x 44/12."""

    ncv: Quantity
    carbon_content: Quantity
    oxidation: Float = Field(gt=0, le=1)


class FuelFactor(_Published):
    """A fuel's (or purchased heat's) CO2 factor."""

    inputs: CalcInputs | None = None

    @model_validator(mode="after")
    def _not_electricity(self):
        if self.carrier == "electricity":
            raise ValueError("electricity has no fuel factor: its emissions use the grid factor")
        return self


class Gwp(_Tagged):
    co2: Float = Field(gt=0)
    ch4: Float = Field(gt=0)
    n2o: Float = Field(gt=0)
    note: str | None = None


class EmissionFactorsFile(_Model):
    grid: Grid
    province_region: ProvinceRegion
    fuels: list[FuelFactor] = Field(min_length=1)
    gwp_ar5: Gwp


# -- industries.yaml ----------------------------------------------------------------------------

class Member(_Model):
    name_zh: NonEmpty
    name_en: str | None = None
    codes: list[IndustryCode]
    code_verification: Tag
    since: Year | None = None
    note: str | None = None


class IndustryList(_Model):
    id: Id
    name: Text
    doc_no: str | None = None
    verification: Tag
    source: Id
    note: str | None = None
    members: list[Member] = Field(min_length=1)


class IndustriesFile(_Model):
    lists: list[IndustryList] = Field(min_length=1)


# -- measures.yaml ------------------------------------------------------------------------------

_DIGIT = re.compile(r"\d")


class LegalBasis(_Tagged):
    """The law that makes a measure an obligation, as its source states it."""

    zh: NonEmpty = Field(description="the citation, e.g. 《…法》第二十七条")
    en: NonEmpty
    note: str | None = Field(None, description="what the articles require, as the source states it")


class Measure(_Model):
    """One concrete action of clauses 6.2-6.11.

    `legal_basis`: the law that obliges it (only where a source in sources.yaml states it); a
    measure with one ranks first. `addresses`: the quantity of the park's own figures it acts on
    (`engine.measure_ranking`), by whose size measures are ranked; none for a measure no such
    quantity measures (plans, inventories, systems).
    """

    id: Annotated[str, Field(pattern=r"^M-[A-Z0-9]+(?:-[A-Z0-9]+)*$")]
    title: Text
    clauses: list[DoClauseId] = Field(min_length=1)
    improves: list[Id] = Field(default_factory=list)
    typical_effect: str | None = None
    source: Id | None = None
    verification: Tag | None = None
    note: str | None = None
    legal_basis: LegalBasis | None = None
    addresses: Addresses | None = None

    @model_validator(mode="after")
    def _numbers_are_sourced(self):
        if self.typical_effect and _DIGIT.search(self.typical_effect) \
                and (self.source is None or self.verification is None):
            raise ValueError("a typical_effect with a number needs `source` and `verification`")
        if self.verification is not None and self.source is None:
            raise ValueError("a verification tag needs the `source` it refers to")
        return self


class MeasuresFile(_Model):
    measures: list[Measure] = Field(min_length=40)
