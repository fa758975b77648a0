"""`assess`, `explain` and `schema`: a park's findings on the terminal, as JSON or Markdown."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app, Format, Lang, EvaluatorName, _fail, _evaluator, _assess, _console, RulesetOpt, ProfileOpt, RulesDirOpt, _registry, EvalOpt, OnlyOpt, HideMetOpt, AllOpt
from .common import FailOn, OutputOpt, atomic_output, write_output


@app.command()
def assess(
    paths: Annotated[list[Path], typer.Argument(help="park facts, YAML, JSON, an Excel workbook or a folder of "
                                                "CSV files (one park): files, folders (their *.yaml, *.yml, *.json "
                                                "and *.xlsx and their folders of CSV files, sorted) or - for "
                                                "standard input",
                                                show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="output format")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of tables and markdown")] = Lang.zh,
    ruleset: RulesetOpt = None,
    fail_on: Annotated[Optional[FailOn], typer.Option(help="exit 1 if any finding has this status, e.g. not_met")] = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    only: OnlyOpt = None,
    hide_met: HideMetOpt = False,
    all_: AllOpt = False,
    to_comply: Annotated[bool, typer.Option("--to-comply", help="also solve, for each unmet threshold check and "
                                            "plan-target verdict, the "
                                            "smallest change of each input that makes it met (`to_comply`)")] = False,
    output: OutputOpt = None,
    result_format: Annotated[int, typer.Option("--result-format", min=1, max=2, help="JSON result format: 2 "
                                               "(rules table, compact rows for met verdicts) or 1 (every finding "
                                               "in full; served for one more release)")] = 2,
    trace: Annotated[bool, typer.Option("--trace", help="JSON format 2: keep each finding's engine trace "
                                        "(format 1 always has it)")] = False,
) -> None:
    """Assess parks: diagnosed problems, recommended measures and compliance findings.

    Table and markdown list what needs action, by phase and area of the guide (--all: everything).

    JSON is the whole result (format 2, docs/result.md) unless --only is given.

    Several files, a folder or - : one view per park, a progress bar on a terminal, the worst exit code.
    """
    from ..render.selection import ViewOptions
    try:
        view = ViewOptions.parse(only, hide_met=hide_met, everything=all_)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    if format is Format.json and hide_met and only is None:
        typer.echo("note: --hide-met shapes table and markdown only; JSON is the whole result (filter it with "
                   "--only)", err=True)
    from ..render.park_stream import ParkStream
    from ..render.progress import ParkProgress
    several = len(paths) > 1 or any(p.is_dir() and not _is_csv_park(p) for p in paths)
    inputs, worst = _park_inputs(paths)
    assessor = _assessor(ruleset, evaluator, rules_dir, profile)
    with atomic_output(output) as target, ParkProgress(len(inputs)) as progress:
        out = ParkStream(format.value, lang=lang.value, view=view, several=several,
                         file=target.stream if output is not None else None, result_format=result_format,
                         trace=trace, rules_of=assessor.rules_of)
        assessed = 0
        for label, path in inputs:
            progress.show(label)
            result, errors = _assess_input(assessor, path, ruleset, profile, to_comply)
            failed = bool(result is not None and fail_on and any(f["status"] == fail_on.value
                                                                 for f in result["findings"]))
            if result is not None and format is Format.json:
                result = out.json_form(result)      # the full record is freed before it is encoded
            with progress.paused():
                for line in errors:
                    typer.echo(f"error: {line}", err=True)
                out.write(label, result, errors)
            assessed += result is not None
            if errors:
                worst = 2
            elif failed:
                worst = max(worst, 1)
            progress.advance()
        out.close()
        if not assessed and not several:    # the one input is bad: -o FILE keeps what it held
            target.discard()
    if worst:
        raise typer.Exit(worst)


_PARK_FILES = (".yaml", ".yml", ".json", ".xlsx")


def _park_files(folder: Path) -> list[Path]:
    return [q for q in folder.iterdir()
            if q.is_file() and q.suffix.lower() in _PARK_FILES and not q.name.startswith("~$")]


def _is_csv_park(p: Path) -> bool:
    """A folder of CSV files and no park file: one park, one CSV file per sheet (docs/intake.md).
    A folder holding park files too is a folder of parks, as before CSV folders were assessed."""
    from ..intake import is_sheet_input
    return p.is_dir() and is_sheet_input(p) and not _park_files(p)


def _park_inputs(paths: list[Path]) -> tuple[list[tuple[str, Optional[Path]]], int]:
    """(label, path) of every park to assess, in order, and 2 if a folder holds no park (said on
    stderr), else 0. A folder of CSV files is one park; another folder gives its *.yaml, *.yml,
    *.json and *.xlsx and its folders of CSV files, sorted by name; `-` gives ("<stdin>", None)."""
    inputs: list[tuple[str, Optional[Path]]] = []
    worst = 0
    for p in paths:
        if str(p) == "-":
            inputs.append(("<stdin>", None))
        elif p.is_dir() and not _is_csv_park(p):
            found = sorted(_park_files(p) + [q for q in p.iterdir() if _is_csv_park(q)])
            if not found:
                typer.echo(f"error: {p}: no *.yaml, *.yml, *.json or *.xlsx file, nor a folder of CSV files, "
                           f"in this folder", err=True)
                worst = 2
            inputs += [(str(q), q) for q in found]
        else:
            inputs.append((str(p), p))
    return inputs, worst


def _assessor(ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path], profile: str):
    """One assessor for every park of the run; a ruleset or profile that does not load ends the run (2)."""
    from ..assessment import Assessor
    from ..errors import GreenparkError
    try:
        engine = _evaluator(evaluator)
        registry = _registry(rules_dir, engine)
        registry.get(ruleset, profile)
        return Assessor(registry, engine)
    except GreenparkError as exc:
        _fail(exc)


def _assess_input(assessor, path: Optional[Path], ruleset: Optional[str], profile: str,
                  to_comply: bool = False) -> tuple[Optional[dict], list[str]]:
    """Assess one park file (None: standard input); (result, []) or (None, error lines naming file:line)."""
    from ..errors import GreenparkError
    from ..facts.loader import load_park_document, relocate
    doc = None
    try:
        park, doc = load_park_document(path) if path is not None else _stdin_park()
        return assessor.assess(park, ruleset=ruleset, profile=profile, to_comply=to_comply), []
    except GreenparkError as exc:
        if doc is not None and hasattr(exc, "problems"):
            exc = relocate(exc, doc)
        return None, exc.lines() if hasattr(exc, "lines") else [str(exc)]


def _stdin_park():
    """Park facts from standard input (JSON if it starts with `{`, else YAML), as a file would be read."""
    from pydantic import ValidationError
    from ..errors import InputError, Problem
    from ..facts.loader import validation_problems
    from ..facts.models import Park
    from ..sourcefile import MAX_FILE_BYTES, parse_document
    stream = getattr(sys.stdin, "buffer", None)
    raw = stream.read(MAX_FILE_BYTES + 1) if stream is not None else sys.stdin.read(MAX_FILE_BYTES + 1).encode()
    if len(raw) > MAX_FILE_BYTES:
        raise InputError("input too large", [Problem(f"larger than {MAX_FILE_BYTES // 1_000_000} MB, the limit for "
                                                     "an input file (MAX_FILE_BYTES)", file="<stdin>")])
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise InputError("cannot read input", [Problem(f"cannot read input: {exc}", file="<stdin>")]) from exc
    doc = parse_document(text, "<stdin>", json_syntax=text.lstrip().startswith("{"))
    if not isinstance(doc.data, dict):
        raise InputError("park facts must be a mapping",
                         [Problem("park facts must be a mapping at the top level", file=doc.file, line=1)])
    try:
        return Park.model_validate(doc.data), doc
    except ValidationError as exc:
        problems = validation_problems(exc, doc, Park)
        raise InputError(f"{len(problems)} problem(s) in park facts", problems) from None


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="park facts, YAML or JSON (- for standard input)")],
    finding_id: Annotated[Optional[str], typer.Argument(help="finding id, as printed by assess (or use --only)",
                                                        show_default=False)] = None,
    lang: Annotated[Lang, typer.Option(help="language")] = Lang.zh,
    ruleset: RulesetOpt = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    only: Annotated[Optional[str], typer.Option(
        "--only", help="instead of one id: explain every finding of these statuses and/or kinds, comma-separated "
                       "(e.g. not_met,measure); restatements are left out unless --all")] = None,
    all_: Annotated[bool, typer.Option("--all", help="instead of one id: explain every finding (with --only: "
                                       "every matching one), restatements included")] = False,
    output: OutputOpt = None,
) -> None:
    """Explain one finding: clause, facts, numbers and their sources, and the engine trace.

    With --only or --all instead of an id, explain each matching finding in turn.
    """
    if (finding_id is None) == (only is None and not all_):
        typer.echo("error: give a finding id, or --only/--all to explain several (not both)", err=True)
        raise typer.Exit(2)
    chosen = None
    if finding_id is None:
        from ..render.selection import ViewOptions
        try:
            view = ViewOptions.parse(only, everything=all_)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2)
    result = _assess(path, ruleset, evaluator, rules_dir, profile, to_comply=True)
    if finding_id is None:
        chosen = [f for f in result["findings"] if view.shows(f) and (all_ or not f.get("folded_into"))]
    else:
        found = next((f for f in result["findings"] if f["id"] == finding_id), None)
        if found is None:
            close = [f["id"] for f in result["findings"] if finding_id.split("@")[0] in f["id"]][:5]
            typer.echo(f"error: no finding {finding_id!r}" + (f"; similar: {', '.join(close)}" if close else ""), err=True)
            raise typer.Exit(2)
        chosen = [found]
    from rich.rule import Rule
    from ..render.explain import render_explanation
    rs = _registry(rules_dir).get(ruleset, profile)
    with atomic_output(output) as target:
        console = _console(target.stream if output is not None else None)
        for i, f in enumerate(chosen):
            if len(chosen) > 1:
                console.print(Rule(f"{i + 1}/{len(chosen)}  {f['id']}"))
            console.print(render_explanation(f, result, rs, lang.value))


@app.command()
def schema(rules: Annotated[bool, typer.Option("--rules", help="the rule-file schema instead")] = False,
           output: OutputOpt = None) -> None:
    """Print the JSON Schema of park facts (or of rule files), for editors' autocompletion."""
    from ..json_output import dump_text
    if rules:
        from pydantic import TypeAdapter
        from ..rules.dsl import RuleFile
        doc = TypeAdapter(RuleFile).json_schema()
    else:
        from ..facts.models import Park
        doc = Park.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    write_output(output, dump_text(doc, pretty=True) + "\n")
