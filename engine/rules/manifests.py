"""The manifests of a rules tree: `ruleset.yaml` (name, version, packs) and each pack's `pack.yaml`.

Apart from the rule-file models (`engine.rules.dsl`) because every process reads the manifests to
know the ruleset versions it serves, while the rule files are read only when a tree compiles: a
process that takes its compiled ruleset from the cache never imports the DSL (issue #13, CLI start).
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..text import Text

__all__ = ["PackManifest", "RulesetManifest"]


class _Manifest(BaseModel):
    # as the rule files (engine.rules.dsl): YAML 1.2, strict, validators built on first use
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class PackManifest(_Manifest):
    pack: Literal["planning", "industry", "pollution_carbon", "improvement"]
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: Text
    clauses: list[str] = Field(min_length=1, description="the guide sections this pack encodes")
    id_prefix: str = Field(pattern=r"^[A-Z]{2,4}$", description="every rule id starts with it")


class RulesetManifest(_Manifest):
    ruleset: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    packs: list[str] = Field(min_length=1)
    released: str | None = Field(None, description="date frozen; None while in development")
