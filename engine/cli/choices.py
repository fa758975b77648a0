"""Choices the command line reads from data, lazily: the benchmark profiles (`--profile`) and the
ruleset versions (`--version`). Start-up matters, so nothing here reads YAML at import time; the
profiles are read only when a profile other than `default` is given or when the shell completes
`--profile` (typer's `callback` and `autocompletion`, public API: typer vendors its own click, so
a click.ParamType subclass would not be recognised as a type)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import typer

__all__ = ["check_profile", "complete_profile", "profile_names", "ruleset_versions", "version_callback"]

# engine/cli/choices.py -> the folder holding engine/, rules/ and knowledge/ (the checkout, or the
# installed `greenpark` package: the same layout, see setup.py)
_ROOT = Path(__file__).resolve().parents[2]
_DEFAULT = "default"          # knowledge/benchmarks.yaml must define it (engine/knowledge/models.py)


def _yaml(path: Path):
    from ..sourcefile import load_document       # deferred: only a non-default profile pays for it
    return load_document(path).data


@lru_cache(maxsize=None)
def profile_names(extra_knowledge: Optional[Path] = None) -> tuple[str, ...]:
    """The benchmark profiles of knowledge/benchmarks.yaml, of the knowledge snapshots of released
    rulesets (rules/releases/*/knowledge) and of `extra_knowledge` (a --rules-dir's snapshot), in
    the order they are defined; a file that does not read gives none (the run reports it later)."""
    files = [_ROOT / "knowledge" / "benchmarks.yaml"]
    files += sorted((_ROOT / "rules" / "releases").glob("*/knowledge/benchmarks.yaml"))
    if extra_knowledge is not None:
        files.append(extra_knowledge / "benchmarks.yaml")
    names: dict[str, None] = {}
    for path in files:
        try:
            data = _yaml(path)
        except Exception:  # noqa: BLE001 - unreadable or bad YAML: the knowledge loader reports it with lines
            continue
        if isinstance(data, dict) and isinstance(data.get("profiles"), dict):
            names.update(dict.fromkeys(str(k) for k in data["profiles"]))
    return tuple(names)


def _profile_choices(ctx: Optional[typer.Context]) -> tuple[str, ...]:
    rules_dir = ctx.params.get("rules_dir") if ctx is not None else None
    snapshot = Path(rules_dir) / "knowledge" if rules_dir else None
    return profile_names(snapshot if snapshot is not None and snapshot.is_dir() else None)


def check_profile(ctx: typer.Context, value: str) -> str:
    """`--profile` callback: a profile the data defines. `default` is accepted without reading
    anything (every knowledge base has it), so a plain run pays nothing; a wrong name is refused
    (exit 2) with the list of choices."""
    if value is None or value == _DEFAULT or ctx.resilient_parsing:
        return value
    choices = _profile_choices(ctx)
    if value not in choices:
        raise typer.BadParameter(f"unknown profile {value!r}; choose one of: {', '.join(choices)}")
    return value


def complete_profile(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of `--profile`: the profiles the data defines."""
    return [name for name in _profile_choices(ctx) if name.startswith(incomplete)]


def ruleset_versions() -> list[str]:
    """The ruleset versions this installation carries (rules/ruleset.yaml and rules/releases/*),
    newest first; read from the manifests without compiling anything."""
    versions = []
    for manifest in [_ROOT / "rules" / "ruleset.yaml", *sorted((_ROOT / "rules" / "releases").glob("*/ruleset.yaml"))]:
        try:
            data = _yaml(manifest)
        except Exception:  # noqa: BLE001 - `greenpark rules lint` reports a broken manifest
            continue
        if isinstance(data, dict) and data.get("version"):
            versions.append(str(data["version"]))

    def key(v: str):
        return tuple(int(p) if p.isdigit() else -1 for p in v.split("."))
    return sorted(dict.fromkeys(versions), key=key, reverse=True)


def package_version() -> str:
    """The installed distribution's version (pyproject.toml is the one source); 0+unknown when
    run from a checkout that was never installed."""
    from importlib import metadata
    try:
        return metadata.version("greenpark")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def version_callback(value: Optional[bool]) -> None:
    """`--version` / `-V`: `greenpark 0.2.0` and the ruleset versions, then exit 0."""
    if not value:
        return
    versions = ruleset_versions()
    typer.echo(f"greenpark {package_version()}")
    typer.echo(f"rulesets: {', '.join(versions) if versions else 'none found'}")
    raise typer.Exit(0)
