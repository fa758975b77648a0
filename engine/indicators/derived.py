"""A derived value that explains itself: formula, inputs with their fact paths, factors with
their source and V/C/U/D tag, and - when it cannot be computed - the facts that are missing."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Input", "FactorUse", "Derived"]


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
    name: str
    year: int
    unit: str
    formula: str
    value: float | None = None
    inputs: list[Input] = field(default_factory=list)
    factors: list[FactorUse] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    previous: float | None = None

    @property
    def uses_unverified(self) -> bool:
        return any(f.verification == "U" for f in self.factors)

    def to_json(self) -> dict:
        out = {"name": self.name, "year": self.year, "value": _round(self.value), "unit": self.unit,
               "formula": self.formula,
               "inputs": [{"path": i.path, "value": _round(i.value), "unit": i.unit} for i in self.inputs],
               "factors": [{"id": f.id, "value": f.value, "unit": f.unit, "verification": f.verification,
                            "source": f.source, **({"note": f.note} if f.note else {})} for f in self.factors]}
        if self.missing:
            out["missing"] = list(self.missing)
        if self.previous is not None:
            out["previous"] = _round(self.previous)
        return out


def _round(v: float | None) -> float | None:
    """Stable output: 10 significant digits hides float noise without hiding real differences."""
    return None if v is None else float(f"{v:.10g}")
