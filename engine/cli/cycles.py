"""The PDCA loop across cycles: `diff`, `replay`, `history` and `whatif`."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app, Format, Lang, EvaluatorName, _fail, _evaluator, _console, RulesetOpt, ProfileOpt, RulesDirOpt, _registry, EvalOpt, DbUrlOpt, _decision_log, _load_park, _result_of
from .assess import _assessor
from .common import OutputOpt, atomic_output


@app.command()
def diff(
    before: Annotated[str, typer.Argument(help="the earlier assessment: a park file (YAML/JSON; - for standard "
                                               "input) or a decision_id from the decision log", show_default=False)],
    after: Annotated[str, typer.Argument(help="the later one, the same way", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="table, markdown or json")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of table and markdown")] = Lang.zh,
    ruleset: RulesetOpt = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    db_url: DbUrlOpt = None,
    output: OutputOpt = None,
) -> None:
    """Compare two assessments of the same park: findings new, resolved, persisting, regressed, ...,
    with the indicator movement behind each (engine/cycles/diff.py lists the categories)."""
    from ..cycles.diff import diff_results
    from ..errors import GreenparkError
    if before == after == "-":
        typer.echo("error: only one side of diff can be standard input (-)", err=True)
        raise typer.Exit(2)
    sides = [_result_of(ref, ruleset, evaluator, rules_dir, profile, db_url) for ref in (before, after)]
    try:
        d = diff_results(sides[0][0], sides[1][0], labels=(sides[0][3], sides[1][3]))
    except GreenparkError as exc:
        _fail(exc)
    with atomic_output(output) as target:
        if format is Format.json:
            from ..json_output import dump_text
            target.stream.write(dump_text(d, pretty=True) + "\n")
            return
        from ..render.since_last import render_since_last, subject_names
        names = subject_names([s[0] for s in sides], [s[1] for s in sides], lang.value)
        if format is Format.markdown:
            target.stream.write(render_since_last(d, fmt="markdown", lang=lang.value, knowledge=sides[1][2],
                                                  names=names))
            return
        from ..render.diff_table import DiffView
        _console(target.stream).print(DiffView(d, lang=lang.value, knowledge=sides[1][2], names=names))


@app.command()
def replay(
    ruleset: Annotated[str, typer.Option("--ruleset", help="the ruleset version to re-assess under (see "
                                         "`greenpark rules list`, --rules-dir)", show_default=False)],
    park: Annotated[Optional[list[str]], typer.Option("--park", help="only this park's latest decision "
                                                      "(repeat for several; default: every park in the log)")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, markdown or json")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of table and markdown")] = Lang.zh,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    db_url: DbUrlOpt = None,
    output: OutputOpt = None,
) -> None:
    """Rule-change impact: re-assess each park's latest logged decision under ruleset version V and
    report per park the verdicts that appear, disappear or change, and a portfolio summary.
    Nothing is written to the decision log."""
    from ..assessment import Assessor
    from ..cycles.replay import latest_decisions, portfolio_report, replay_decisions
    from ..errors import GreenparkError
    from ..facts.loader import parse_park
    log, engine = _decision_log(db_url)
    try:
        registry = _registry(rules_dir)
        try:
            knowledge = registry.get(ruleset).knowledge
        except GreenparkError as exc:
            _fail(exc)
        decisions = list(latest_decisions(log, park))
        missing = [p for p in dict.fromkeys(park or []) if p not in {d.park_id for d in decisions}]
        if missing:
            typer.echo(f"error: no decision of park {missing[0]!r} in the decision log {engine.url.render_as_string()}",
                       err=True)
            raise typer.Exit(2)
        assessor = Assessor(registry, _evaluator(evaluator))

        def assess(body: bytes, version: str, profile: Optional[str]) -> dict:
            facts = parse_park(body.decode("utf-8"), "decision input", json_syntax=True)
            return assessor.assess(facts, ruleset=version, profile=profile or "default")
        report = portfolio_report(ruleset, replay_decisions(decisions, ruleset, assess))
    finally:
        engine.dispose()
    with atomic_output(output) as target:
        if format is Format.json:
            from ..json_output import dump_text
            target.stream.write(dump_text(report, pretty=True) + "\n")
        elif format is Format.markdown:
            from ..render.replay_report import replay_markdown
            target.stream.write(replay_markdown(report, lang=lang.value, knowledge=knowledge))
        else:
            from ..render.replay_report import ReplayView
            _console(target.stream).print(ReplayView(report, lang=lang.value, knowledge=knowledge))


@app.command()
def history(
    park_id: Annotated[str, typer.Argument(help="the park's profile.id", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="table, markdown or json")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of table and markdown")] = Lang.zh,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="the latest LIMIT decisions")] = 50,
    db_url: DbUrlOpt = None,
    output: OutputOpt = None,
) -> None:
    """A park's history from the decision log: each cycle's date, data year, ruleset, summary and
    key indicators, and each finding's lifecycle (open, measure planned, implemented, verified
    closed, regression; engine/cycles/lifecycle.py)."""
    from ..cycles.history import park_history
    from sqlalchemy.exc import SQLAlchemyError
    log, engine = _decision_log(db_url)
    try:
        decisions = log.by_park(park_id, limit=limit)
    except SQLAlchemyError as exc:
        typer.echo(f"error: the decision log {engine.url.render_as_string()} cannot be read: "
                   f"{str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2)
    finally:
        engine.dispose()
    if not decisions:
        typer.echo(f"error: no decision of park {park_id!r} in the decision log {engine.url.render_as_string()}",
                   err=True)
        raise typer.Exit(2)
    h = park_history(park_id, decisions, _registry(None).get(None).knowledge)
    with atomic_output(output) as target:
        if format is Format.json:
            from ..json_output import dump_text
            target.stream.write(dump_text(h, pretty=True) + "\n")
        elif format is Format.markdown:
            from ..render.history_view import history_markdown
            target.stream.write(history_markdown(h, lang.value))
        else:
            from ..render.history_view import HistoryView
            _console(target.stream).print(HistoryView(h, lang=lang.value))


@app.command()
def whatif(
    path: Annotated[Path, typer.Argument(help="park facts, YAML or JSON (- for standard input)")],
    set_: Annotated[Optional[list[str]], typer.Option(
        "--set", help="PATH=VALUE: a fact to change, by its park-file path (years[2].energy.coal, "
                      "years[year=2024].energy.coal, enterprises[id=E01].green_factory); VALUE as in a park "
                      "file (\"18.2 GWh\"; a bare number is in the field's canonical unit; null: unknown)")] = None,
    done: Annotated[Optional[list[str]], typer.Option("--done", help="a plan task id to mark done")] = None,
    overrides: Annotated[Optional[Path], typer.Option(
        "--overrides", help="YAML/JSON file: a mapping PATH: VALUE, or {overrides: {...}, tasks_done: [...]}",
        dir_okay=False)] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="output format")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of table and markdown")] = Lang.zh,
    ruleset: RulesetOpt = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    output: OutputOpt = None,
) -> None:
    """Simulate changes to a park: which findings flip and how the summary moves. Nothing is logged.

    --set changes a fact, --done marks a plan task done; both may repeat (--overrides first, then
    --set in order, then --done)."""
    from ..cycles.whatif import run_whatif
    from ..errors import GreenparkError
    from ..facts.overrides import parse_assignment, read_changes
    from ..sourcefile import load_document
    try:
        changes: dict = {}
        tasks: list[str] = []
        if overrides is not None:
            changes, tasks = read_changes(load_document(overrides).data, source=str(overrides))
        changes.update(parse_assignment(s) for s in set_ or [])
        tasks += done or []
    except GreenparkError as exc:
        _fail(exc)
    if not changes and not tasks:
        typer.echo("error: nothing to simulate: give --set PATH=VALUE, --done TASK_ID or --overrides FILE", err=True)
        raise typer.Exit(2)
    park = _load_park(path)
    assessor = _assessor(ruleset, evaluator, rules_dir, profile)
    try:
        result = run_whatif(assessor, park, changes, tasks, ruleset=ruleset, profile=profile)
    except GreenparkError as exc:
        _fail(exc)
    with atomic_output(output) as target:
        if format is Format.json:
            from ..json_output import dump_text
            target.stream.write(dump_text(result, pretty=True) + "\n")
        elif format is Format.markdown:
            from ..render.whatif_view import whatif_markdown
            target.stream.write(whatif_markdown(result, lang=lang.value))
        else:
            from ..render.whatif_view import whatif_renderable
            _console(target.stream).print(whatif_renderable(result, lang=lang.value))
