"""A cache of compiled rulesets, so a process starts in milliseconds instead of recompiling.

The key is a sha256 over every byte the compiled result depends on: the rules tree (rule files,
manifests, exemptions), the knowledge files it compiles against, and the engine's own source
(a compiler change must invalidate old entries). A hit is therefore exactly what compiling
would give; a miss, an unreadable entry or any doubt means compiling again. Entries are written
atomically (temp file + rename) to the user's cache folder, never shared between users.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

__all__ = ["default_cache_dir", "source_key", "load", "store"]

_ENGINE = Path(__file__).resolve().parents[1]


def default_cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/greenpark` (default `~/.cache/greenpark`): the user's own folder, never the
    installed package's (site-packages may be read-only, and is shared). A relative
    $XDG_CACHE_HOME is ignored, as the XDG spec says; no home folder at all gives None: no cache
    (every start compiles), rather than a folder other users could write pickles into."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = Path.home() / ".cache"
        except RuntimeError:          # no $HOME and no passwd entry (some containers)
            return None
    return Path(base) / "greenpark"


def _files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    return sorted(p for pattern in patterns for p in folder.rglob(pattern) if p.is_file())


def source_key(rules_root: Path, knowledge_dir: Path, profile: str) -> str:
    """sha256 over the profile and the names and bytes of every file the compiled ruleset depends on."""
    h = hashlib.sha256()
    h.update(f"profile:{profile}\0".encode())
    for group, folder, patterns in (("rules", rules_root, ("*.yaml",)),
                                    ("knowledge", knowledge_dir, ("*.yaml",)),
                                    ("engine", _ENGINE, ("*.py",))):
        for path in _files(folder, patterns):
            if group == "rules" and "releases" in path.relative_to(folder).parts:
                continue
            h.update(f"{group}:{path.relative_to(folder)}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def load(cache_dir: Path, key: str):
    """The cached ruleset for `key`, or None."""
    path = cache_dir / f"{key}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own file, named by the hash of its sources
    except Exception:  # missing, truncated or from another Python: compile instead
        return None


def store(cache_dir: Path, key: str, ruleset) -> None:
    """Write `ruleset` for `key`; a failure to write only costs the next start a compile."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(ruleset, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_dir / f"{key}.pickle")
    except OSError:
        pass
