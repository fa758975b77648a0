"""Read-only documents for portals, rendered once at start-up: rulesets, clauses, measures and
the JSON Schema of park facts. Built in the server process from the same `RulesetRegistry` the
workers use (compiling rules is pure Python; durable-rules is not imported here)."""
from __future__ import annotations

from typing import Any

from ..errors import RulesetNotFound
from ..json_output import dump_bytes
from ..facts.models import Park
from ..rules.packs import Ruleset, RulesetRegistry

__all__ = ["Catalog", "park_schema"]


def _dump(obj: Any) -> bytes:
    return dump_bytes(obj)


def park_schema() -> dict:
    """JSON Schema (2020-12) of the park facts a POST /v1/assessments takes."""
    doc = Park.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return doc


def _summary(rs: Ruleset) -> dict:
    return {"version": rs.version, "name": rs.name, "digest": rs.digest,
            "knowledge_digest": rs.knowledge.digest, "packs": rs.packs, "rules": len(rs.meta),
            "engine_rules": len(rs.compiled.rules)}


def _rule(m: Any) -> dict:
    return {"id": m.id, "version": m.version, "pack": m.pack, "pack_version": m.pack_version, "kind": m.kind,
            "clauses": list(m.clauses), "severity": m.severity, "title": m.title.model_dump(),
            "answers": list(m.answers), "measure": m.measure}


class Catalog:
    """Every loaded ruleset version and its knowledge, as ready-to-send JSON bytes."""

    def __init__(self, registry: RulesetRegistry):
        self.registry = registry
        self.versions = registry.versions()
        self.default = self.versions[0]
        rulesets = [registry.get(v) for v in self.versions]
        self.rulesets = _dump({"default": self.default, "rulesets": [_summary(rs) for rs in rulesets]})
        self._detail: dict[str, bytes] = {}
        self._clauses: dict[str, bytes] = {}
        self._measures: dict[str, bytes] = {}
        for rs in rulesets:
            k = rs.knowledge
            self._detail[rs.version] = _dump({**_summary(rs), "rules": [_rule(m) for m in
                                                                         sorted(rs.meta.values(), key=lambda m: m.id)]})
            self._clauses[rs.version] = _dump({"ruleset": rs.version, "clauses": [
                c.model_dump(mode="json") for c in k.clauses.values()]})
            self._measures[rs.version] = _dump({"ruleset": rs.version, "measures": [
                m.model_dump(mode="json") for m in k.measures.values()]})
        self.park_schema = _dump(park_schema())

    def _pick(self, table: dict[str, bytes], version: str | None) -> bytes:
        v = version or self.default
        if v not in table:
            raise RulesetNotFound(f"ruleset version {v!r} is not available (available: {', '.join(self.versions)})")
        return table[v]

    def detail(self, version: str) -> bytes:
        return self._pick(self._detail, version)

    def clauses(self, version: str | None) -> bytes:
        return self._pick(self._clauses, version)

    def measures(self, version: str | None) -> bytes:
        return self._pick(self._measures, version)
