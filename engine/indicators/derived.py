"""A derived value that explains itself: formula, inputs with their fact paths, factors with
their source and V/C/U/D tag, and - when it cannot be computed - why: the facts that are missing
(unknown is never zero), or a zero base that leaves a ratio undefined (0/0)."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Input", "FactorUse", "Derived", "VINTAGED"]

# indicators whose value is an emission factor of some year (or rests on one): they state its year
VINTAGED = frozenset({"grid_factor", "grid_factor_excess"})


@dataclass(frozen=True)
class Input:
    path: str
    value: float
    unit: str


@dataclass(frozen=True)
class FactorUse:
    id: str
    value: float
    unit: str
    verification: str
    source: str
    note: str | None = None


@dataclass
class Derived:
    """One indicator in one year.

    Exactly one of three holds: `value` is set; `missing` names the unreported facts it needs;
    or `undefined` says which reported base is zero (a share of nothing, a rate over 0 years).
    """

    name: str
    year: int
    unit: str
    formula: str
    value: float | None = None
    inputs: list[Input] = field(default_factory=list)
    factors: list[FactorUse] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    undefined: str | None = None
    previous: float | None = None
    # while `value` is unknown: the highest value the reported facts leave possible (a rule's
    # `decides` may settle a verdict on it, docs/conventions.md 2); set by the few indicators
    # that can bound themselves
    upper: float | None = None
    # an emission-factor indicator (grid_factor, grid_factor_excess): the year of the factor used
    # (None for a park factor without year) and, for the excess, of the national factor compared
    vintage: int | None = None
    reference_vintage: int | None = None

    @property
    def uses_unverified(self) -> bool:
        return any(f.verification == "U" for f in self.factors)

    def need(self, path: str, value: float | None, unit: str) -> float | None:
        """Record an input: its value, or `path` as missing when it is unknown (None)."""
        if value is None:
            if path not in self.missing:
                self.missing.append(path)
            return None
        self.inputs.append(Input(path, value, unit))
        return value

    def divide(self, numerator: float | None, denominator: float | None, base_path: str,
               scale: float = 1.0) -> None:
        """value = numerator / denominator x scale once both are known; a zero denominator
        leaves the value undefined, naming `base_path`."""
        if self.missing or numerator is None or denominator is None:
            return
        if denominator == 0:
            self.undefined = f"{base_path} = 0"
            return
        self.value = numerator / denominator * scale

    def to_json(self) -> dict:
        out = {"name": self.name, "year": self.year, "value": _round(self.value), "unit": self.unit,
               "formula": self.formula,
               "inputs": [{"path": i.path, "value": _round(i.value), "unit": i.unit} for i in self.inputs],
               "factors": [{"id": f.id, "value": f.value, "unit": f.unit, "verification": f.verification,
                            "source": f.source, **({"note": f.note} if f.note else {})} for f in self.factors]}
        if self.missing:
            out["missing"] = list(self.missing)
        if self.undefined:
            out["undefined"] = self.undefined
        if self.previous is not None:
            out["previous"] = _round(self.previous)
        if self.upper is not None and self.value is None:
            out["upper"] = _round(self.upper)
        if self.name in VINTAGED:
            out["factor_year"] = self.vintage
        if self.reference_vintage is not None:
            out["reference_year"] = self.reference_vintage
        return out


def _round(v: float | None) -> float | None:
    """Stable output: 10 significant digits hides float noise without hiding real differences."""
    return None if v is None else float(f"{v:.10g}")
