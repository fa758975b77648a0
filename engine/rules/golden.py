"""Golden IR files: the compiled IR of each pack in tests/golden/<pack>.json, so a reviewer sees
any compiler change as a diff (ansible-rulebook's tests/asts habit). `make golden` rewrites them;
the test suite fails when they drift.

The golden files belong to a checkout (tests/ is not shipped in the wheel): in an installed
package these functions raise RulePackError saying so, rather than report every pack as differing."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import RulePackError
from .packs import REPO_ROOT, Ruleset

__all__ = ["golden_ir", "write_golden", "check_golden", "GOLDEN_DIR"]

GOLDEN_DIR = REPO_ROOT / "tests" / "golden"


def golden_ir(ruleset: Ruleset) -> dict[str, str]:
    """pack -> canonical JSON text of its engine rules (with the thresholds already resolved)."""
    out = {}
    for pack in ruleset.packs:
        rules = [r.model_dump(mode="json") for r in ruleset.compiled.rules
                 if ruleset.meta[r.source].pack == pack]
        out[pack] = json.dumps({"pack": pack, "version": ruleset.packs[pack], "rules": rules},
                               ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return out


def _require_checkout(directory: Path) -> None:
    """The default golden folder exists only in a source checkout; say so clearly elsewhere."""
    if directory == GOLDEN_DIR and not (REPO_ROOT / "tests").is_dir():
        raise RulePackError(f"golden IR files live in a source checkout's tests/golden/; this installation "
                            f"({REPO_ROOT}) has none: run `greenpark rules golden` in a clone of the repository")


def write_golden(ruleset: Ruleset, directory: Path = GOLDEN_DIR) -> list[Path]:
    _require_checkout(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for pack, text in golden_ir(ruleset).items():
        path = directory / f"{pack}.json"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def check_golden(ruleset: Ruleset, directory: Path = GOLDEN_DIR) -> list[str]:
    """Packs whose golden file is missing or differs."""
    _require_checkout(directory)
    diffs = []
    for pack, text in golden_ir(ruleset).items():
        path = directory / f"{pack}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            diffs.append(str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path))
    return diffs
