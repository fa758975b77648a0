"""No module of engine/ imports from a layer above its own - at module level, inside a function or
under TYPE_CHECKING alike - read with `ast` from the source, not by importing it.

The layers, bottom first. A module sits in the layer of the longest prefix below that names it
(a module, or a package and everything in it); a module no prefix names fails the test, so a new
module is placed on purpose. Imports within one layer are free (a layer may be one folder whose
modules call each other both ways).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # Shared by everything and importing nothing of the engine but each other: the error tree,
    # bilingual text, units, and bounded YAML 1.2 / JSON source files with positions.
    # engine.scalars: flags and numbers as YAML 1.2 writes them, for the models of every input file.
    # engine.json_output: the one JSON encoder of every output (orjson, the standard library where not).
    ("foundation", ("engine.errors", "engine.text", "engine.units", "engine.sourcefile", "engine.scalars",
                    "engine.json_output")),
    # The park model: what a park file may say (pydantic), its quantities and closed vocabularies,
    # the engine-fact kinds rules may use (catalogue), and consistency checks on a parsed park.
    ("park model", ("engine.facts", "engine.facts.models", "engine.facts.quantities",
                    "engine.facts.vocabulary", "engine.facts.catalogue", "engine.facts.consistency")),
    # Reading park files: facts.loader reads YAML/JSON, and a workbook or a CSV folder through
    # engine.intake, which validates with facts.loader's `validation_problems` - one layer, whose
    # modules call each other both ways (README: a workbook is read "like a YAML file"). Overrides
    # (what-if paths into a park file) and `greenpark convert` (intake.convert) read parks too.
    ("park files", ("engine.facts.loader", "engine.facts.overrides", "engine.intake")),
    # Data-quality warnings read park facts only (engine/quality/__init__.py: "import nothing
    # above them"); the one derived number they need is handed in.
    ("quality", ("engine.quality",)),
    # Derived indicators from park facts (README flow: validation -> derived indicators).
    ("indicators", ("engine.indicators",)),
    # Engine facts are built from the park and its indicators (README: "-> engine facts
    # engine/facts/builder.py"), so the builder sits above the indicators it reads.
    ("engine facts", ("engine.facts.builder",)),
    # Clauses, benchmarks, factors and measures, validated like park files.
    ("knowledge", ("engine.knowledge",)),
    # The rule language: YAML models, grammar, compiler, the engine-neutral IR, explanation
    # templates and number words, profiles, the finding graph, and the limits every engine shares.
    ("rule language", ("engine.rules",)),
    # Evaluators run the IR: the durable-rules adapter with its own limits, and the oracle.
    ("evaluators", ("engine.evaluators",)),
    # A rules tree loaded whole: packs.py compiles it and refuses what the production engine
    # cannot run (evaluators.durable_limits, "durable-rules limit: ..." naming the rule's file, so
    # `rules lint` catches it), hence above the evaluators; the compiled-ruleset cache, golden IR,
    # clause coverage and the lint of each rule's examples file work on a loaded tree.
    ("rule packs", ("engine.rules.packs", "engine.rules.cache", "engine.rules.golden",
                    "engine.rules.coverage", "engine.rules.example_files")),
    # One assessment: findings and their explanations, the summary, measure ranking, the minimal
    # change to comply (assessment and minimal_change call each other), and the solver behind it,
    # indicators.to_comply, which states its requirements in the rules' quantity words
    # (rules.templates) and serves minimal_change alone; target_bounds, the bound a plan target's
    # latest value must reach for its verdict (read from indicators.targets), for minimal_change;
    # and result_format, the one writer and reader of the result's formats 1 and 2, which
    # everything above reads results through, with result_texts, its explanation templates;
    # subject_words, a finding's subject in words, for the cycles and the renderers above;
    # basic_requirements, which MIIT basic requirements the verdicts conform to, for the summary's
    # conclusion and the dossier.
    ("assessment", ("engine.findings", "engine.summary", "engine.basic_requirements", "engine.measure_ranking", "engine.minimal_change",
                    "engine.target_bounds", "engine.assessment", "engine.indicators.to_comply",
                    "engine.result_format", "engine.result_texts", "engine.subject_words")),
    # Each rule's examples run through an evaluator and judged on their findings (issue 13 item 6).
    ("rule tests", ("engine.rule_tests",)),
    # Assessment cycles: diffs, history, replay, what-if - over results and overrides.
    ("cycles", ("engine.cycles",)),
    # Renderers: terminal, markdown, JSON, the dossier (HTML/PDF).
    ("render", ("engine.render",)),
    # The HTTP service.
    ("service", ("engine.service",)),
    # The command line, which may start the service (cli/serve.py) and open its decision log.
    ("cli", ("engine.cli",)),
    # `import engine`: the public API re-exported lazily (engine/__init__.py); this layer holds that
    # one module, not the modules below it.
    ("public API", ("engine",)),
]

RANK = {prefix: rank for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes}
NAME = [name for name, _ in LAYERS]


@dataclass(frozen=True)
class Import:
    module: str     # the importing module
    line: int
    target: str     # the imported engine module


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def engine_imports(source: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import of an engine module in `source`, wherever it stands (function bodies too)."""
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [Import(module, node.lineno, a.name) for a in node.names
                    if a.name == "engine" or a.name.startswith("engine.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base != "engine" and not base.startswith("engine."):
                continue
            for alias in node.names:   # `from . import ir` imports the module engine.rules.ir
                sub = f"{base}.{alias.name}"
                out.append(Import(module, node.lineno, sub if _is_module(sub) else base))
    return out


def layer_of(module: str) -> int | None:
    if module == "engine":
        return RANK["engine"]
    parts = module.split(".")
    for n in range(len(parts), 1, -1):
        rank = RANK.get(".".join(parts[:n]))
        if rank is not None:
            return rank
    return None


def engine_modules() -> list[Path]:
    return sorted(p for p in ENGINE.rglob("*.py") if "__pycache__" not in p.parts)


def upward_imports() -> list[str]:
    problems = []
    for path in engine_modules():
        module = module_name(path)
        for imp in engine_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            mine, theirs = layer_of(module), layer_of(imp.target)
            if mine is not None and theirs is not None and theirs > mine:
                problems.append(f"{path.relative_to(ROOT)}:{imp.line}: {module} ({NAME[mine]}) imports "
                                f"{imp.target} ({NAME[theirs]}), a layer above")
    return list(dict.fromkeys(problems))   # `from x import a, b` is one import


def test_every_engine_module_has_a_layer():
    unplaced = [module_name(p) for p in engine_modules() if layer_of(module_name(p)) is None]
    assert not unplaced, f"place these modules in LAYERS: {unplaced}"


def test_no_module_imports_from_a_layer_above_it():
    problems = upward_imports()
    assert not problems, "\n".join(problems)


def test_the_check_sees_imports_in_functions_relative_ones_and_modules_named_in_from_imports():
    source = ("from . import ir\nfrom ..findings import build_findings\n"
              "def f():\n    from ..evaluators.durable import DurableEvaluator\n    import engine.cli.common\n"
              "from .. import errors\nfrom pydantic import BaseModel\n")
    got = [(i.line, i.target) for i in engine_imports(source, "engine.rules.limits")]
    assert sorted(got) == [(1, "engine.rules.ir"), (2, "engine.findings"), (4, "engine.evaluators.durable"),
                           (5, "engine.cli.common"), (6, "engine.errors")]
    above = [i.target for i in engine_imports(source, "engine.rules.limits")
             if layer_of(i.target) > layer_of("engine.rules.limits")]
    assert sorted(above) == ["engine.cli.common", "engine.evaluators.durable", "engine.findings"]
    assert layer_of("engine.nowhere") is None and layer_of("engine") == len(LAYERS) - 1
    assert [i.target for i in engine_imports("from . import reader\n", "engine.intake", is_package=True)] == \
        ["engine.intake.reader"]


def test_durable_rules_is_imported_only_under_engine_evaluators():
    outside = []
    for path in engine_modules():
        if path.parent.name == "evaluators":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            outside += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names
                        if n.split(".")[0] in ("durable", "durable_rules_engine")]
    assert not outside, outside
