"""Load knowledge/ whole or not at all.

    >>> kb = load_knowledge()            # the repository's knowledge/ folder   # doctest: +SKIP

Each file is read with positions (`engine.sourcefile`), validated against its model, then
cross-checked against the others: every `source` must be in sources.yaml, every clause id in
clauses.yaml, every indicator id in indicators.yaml, a benchmark's unit must be its indicator's,
a derivation with inputs must reproduce its value, and every published unit must convert. All
problems are gathered and raised as one `KnowledgeError`, each naming file:line:col and path.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputError, KnowledgeError, Problem
from ..facts.loader import validation_problems
from ..facts.models import PROVINCES
from .factors import CARRIER_DIMENSION, Factor, convert_published
from .knowledge import Knowledge
from .models import (CARRIERS, BenchmarksFile, ClausesFile, CoefficientsFile,
                                     EmissionFactorsFile, IndicatorsFile, IndustriesFile,
                                     MeasuresFile, SourcesFile)
from ..sourcefile import Document, load_document
from ..units import UnitError

__all__ = ["load_knowledge", "DEFAULT_DIRECTORY", "FILES"]

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "knowledge"

# attribute name -> (file name, root model)
FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "sources": ("sources.yaml", SourcesFile),
    "clauses": ("clauses.yaml", ClausesFile),
    "indicators": ("indicators.yaml", IndicatorsFile),
    "benchmarks": ("benchmarks.yaml", BenchmarksFile),
    "coefficients": ("coefficients.yaml", CoefficientsFile),
    "emission_factors": ("emission_factors.yaml", EmissionFactorsFile),
    "industries": ("industries.yaml", IndustriesFile),
    "measures": ("measures.yaml", MeasuresFile),
}

# a key holding ids of another file -> the registry the ids must be in
_REFERENCES = {"source": "sources", "parent": "clauses", "clauses": "clauses",
               "indicator": "indicators", "improves": "indicators", "framework": "frameworks"}

# list whose entries must have unique ids: (file, list key, id key)
_UNIQUE = [("sources", "sources", "id"), ("clauses", "clauses", "id"),
           ("indicators", "indicators", "id"), ("benchmarks", "frameworks", "id"),
           ("benchmarks", "benchmarks", "id"), ("measures", "measures", "id"),
           ("industries", "lists", "id"), ("emission_factors", "fuels", "carrier")]


def load_knowledge(directory: Path | str | None = None) -> Knowledge:
    """Read, validate and cross-check every file of a knowledge folder.

    Args:
        directory: the folder holding the knowledge files; default the repository's knowledge/.

    Returns:
        A `Knowledge`; nothing is cached, the caller keeps it.

    Raises:
        KnowledgeError: one or more problems, each located as file:line:col: path: message.
    """
    root = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    problems: list[Problem] = []
    docs: dict[str, Document] = {}
    files: dict[str, Any] = {}
    for name, (file_name, model) in FILES.items():
        doc, parsed = _load_file(root / file_name, model, problems)
        if doc is not None:
            docs[name] = doc
        if parsed is not None:
            files[name] = parsed
    problems += _Checker(docs, files, {(p.file, p.path) for p in problems}).problems()
    coefficients, fuels = _factors(docs, files, problems)
    if problems:
        raise KnowledgeError(f"{len(problems)} problem(s) in the knowledge files of {root}",
                             problems)
    return Knowledge(**files, coefficient_factors=coefficients, fuel_factors=fuels,
                     digest=_digest(files))


def _load_file(path: Path, model: type[BaseModel],
               problems: list[Problem]) -> tuple[Document | None, BaseModel | None]:
    """The parsed document (None if unreadable) and the validated model (None if invalid)."""
    try:
        doc = load_document(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None, None
    if not isinstance(doc.data, dict):
        problems.append(Problem("a knowledge file must be a mapping at the top level",
                                file=doc.file, line=1))
        return None, None
    try:
        return doc, model.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, doc, model))
        return doc, None


def _walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) of plain data, parents before children."""
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _walk(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk(v, path + (i,))


class _Checker:
    """Cross-file checks. References are checked in every parsed file (plain data walk); the
    other checks need a file that validated and skip one that did not."""

    def __init__(self, docs: dict[str, Document], files: dict[str, Any],
                 reported: set[tuple[str | None, str | None]]):
        self.docs, self.files, self.reported, self.out = docs, files, reported, []
        self.registries: dict[str, set[str]] = {
            registry: {e.id for e in getattr(files[_file_of(registry)], registry)}
            for registry in ("sources", "clauses", "indicators", "frameworks")
            if _file_of(registry) in files}

    def problems(self) -> list[Problem]:
        self._unique_ids()
        self._references()
        self._benchmarks()
        self._carriers()
        self._regions()
        self._derivations()
        return self.out

    def _add(self, file: str, path: tuple, message: str) -> None:
        problem = self.docs[file].problem(path, message)
        if (problem.file, problem.path) not in self.reported:  # one complaint per value
            self.out.append(problem)

    def _unique_ids(self) -> None:
        for file, list_key, id_key in _UNIQUE:
            if file not in self.files:
                continue
            seen: dict[str, int] = {}
            for i, entry in enumerate(self.docs[file].data[list_key]):
                key = entry[id_key]
                if key in seen:
                    self._add(file, (list_key, i, id_key), f"duplicate {id_key} {key!r} "
                              f"(first at {list_key}[{seen[key]}])")
                seen.setdefault(key, i)

    def _references(self) -> None:
        for file in self.docs:
            for path, value in _walk(self.docs[file].data):
                registry = _REFERENCES.get(path[-1]) if path and isinstance(path[-1], str) else None
                if registry is None or registry not in self.registries:
                    continue
                ids = value if isinstance(value, list) else [value]
                for i, ref in enumerate(ids):
                    if isinstance(ref, str) and ref not in self.registries[registry]:
                        at = path + (i,) if isinstance(value, list) else path
                        self._add(file, at, f"unknown {registry[:-1]} id {ref!r} "
                                  f"(not in {FILES[_file_of(registry)][0]})")

    def _benchmarks(self) -> None:
        if "benchmarks" not in self.files or "indicators" not in self.files:
            return
        units = {i.id: i.unit for i in self.files["indicators"].indicators}
        bench = self.files["benchmarks"]
        by_id = {b.id: b for b in bench.benchmarks}
        for i, b in enumerate(bench.benchmarks):
            if b.indicator in units and b.unit != units[b.indicator]:
                self._add("benchmarks", ("benchmarks", i, "unit"), f"unit {b.unit!r} differs from "
                          f"indicator {b.indicator}'s unit {units[b.indicator]!r}")
        for name, profile in bench.profiles.items():
            for indicator, ids in profile.items():
                if indicator not in units:
                    self._add("benchmarks", ("profiles", name, indicator),
                              f"unknown indicator id {indicator!r}")
                for j, bid in enumerate(ids):
                    if bid not in by_id:
                        self._add("benchmarks", ("profiles", name, indicator, j),
                                  f"unknown benchmark id {bid!r}")
                    elif by_id[bid].indicator != indicator:
                        self._add("benchmarks", ("profiles", name, indicator, j),
                                  f"benchmark {bid} measures {by_id[bid].indicator!r}, not {indicator!r}")

    def _carriers(self) -> None:
        for file, list_key, wanted in [("coefficients", "coefficients", set(CARRIERS)),
                                       ("emission_factors", "fuels", set(CARRIERS) - {"electricity"})]:
            if file in self.files:
                have = {e.carrier for e in getattr(self.files[file], list_key)}
                for missing in sorted(wanted - have):
                    self._add(file, (list_key,), f"no entry for carrier {missing!r}")

    def _regions(self) -> None:
        if "emission_factors" not in self.files:
            return
        ef = self.files["emission_factors"]
        pr = ef.province_region
        for p in sorted(set(PROVINCES) - set(pr.provinces)):
            self._add("emission_factors", ("province_region", "provinces"),
                      f"province {p} is not mapped")
        for p, info in pr.provinces.items():
            if p not in PROVINCES:
                self._add("emission_factors", ("province_region", "provinces", p),
                          f"unknown province {p!r}")
            if info.region not in pr.regions:
                self._add("emission_factors", ("province_region", "provinces", p, "region"),
                          f"unknown grid region {info.region!r}")
        for r in pr.regions:
            if r not in ef.grid.regional:
                self._add("emission_factors", ("province_region", "regions", r),
                          f"region {r} has no regional grid factors")
        for key in ("regional", "provincial"):
            known = pr.regions if key == "regional" else pr.provinces
            for name in getattr(ef.grid, key):
                if name not in known:
                    self._add("emission_factors", ("grid", key, name),
                              f"unknown {key[:-2]} {name!r}")

    def _derivations(self) -> None:
        for file in self.files:
            for path, value in _walk(self.docs[file].data):
                d = value.get("derivation") if isinstance(value, dict) else None
                if not isinstance(d, dict) or not d.get("inputs") or d.get("scale") is None:
                    continue
                key = "published" if "published" in value else "value"
                stated = float(str(value[key]).split()[0])
                computed = math.prod(x["value"] for x in d["inputs"]) * d["scale"]
                if not math.isclose(stated, computed, rel_tol=1e-9):
                    self._add(file, path + (key,), f"{stated!r} does not equal its derivation: "
                              f"product of inputs x scale = {computed!r}")


def _file_of(registry: str) -> str:
    return "benchmarks" if registry == "frameworks" else registry


def _factors(docs: dict[str, Document], files: dict[str, Any],
             problems: list[Problem]) -> tuple[dict[tuple[str, str | None], Factor], dict[str, Factor]]:
    """Coefficients (by carrier and option; the default option also under None) and fuel factors,
    converted to canonical units; bad units become problems."""
    out: list[dict] = []
    for file, list_key, numerator in [("coefficients", "coefficients", "energy_tce"),
                                      ("emission_factors", "fuels", "co2")]:
        table: dict[str, Factor] = {}
        out.append(table)
        for i, e in enumerate(getattr(files[file], list_key) if file in files else []):
            try:
                value, unit = convert_published(e.value, e.unit, numerator,
                                                CARRIER_DIMENSION[e.carrier])
            except UnitError as exc:
                problems.append(docs[file].problem((list_key, i, "published"), str(exc)))
                continue
            factor = Factor(carrier=e.carrier, value=value, unit=unit, published=e.published,
                            verification=e.verification, source=e.source,
                            derivation=e.derivation.formula if e.derivation else None,
                            option=getattr(e, "option", None),
                            option_name=getattr(e, "option_name", None))
            if list_key == "coefficients":
                table[(e.carrier, e.option)] = factor
                if e.option is None or e.default:
                    table[(e.carrier, None)] = factor
            else:
                table[e.carrier] = factor
    try:
        if "emission_factors" in files:
            convert_published(1.0, files["emission_factors"].grid.unit, "co2", "electricity")
    except UnitError as exc:
        problems.append(docs["emission_factors"].problem(("grid", "unit"), str(exc)))
    return out[0], out[1]


def _digest(files: dict[str, BaseModel]) -> str:
    data = {name: model.model_dump(mode="json") for name, model in files.items()}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
