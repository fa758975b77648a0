"""`report`: the regulator's dossier or the planner's brief as HTML, PDF or Markdown."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app, Lang, EvaluatorName, _fail, RulesetOpt, ProfileOpt, RulesDirOpt, EvalOpt, DbUrlOpt, ReportFormat, Audience, _report_park, _report_decision, _result_of
from .common import _fetch_decision, _names_decision
from .common import OutputOpt, write_output, _decision_log

HISTORY_LIMIT = 50          # earlier decisions followed up, as `greenpark history` reads by default


@app.command()
def report(
    path: Annotated[Optional[Path], typer.Argument(help="park facts, YAML or JSON, - for standard input (or "
                                                        "use --decision / --portfolio)", show_default=False)] = None,
    decision: Annotated[Optional[str], typer.Option("--decision", help="a decision_id from the decision log "
                                                    "(see --db-url) instead of a park file")] = None,
    portfolio: Annotated[Optional[Path], typer.Option("--portfolio", help="a folder of park files: assess each "
                                                      "(same profile) and compare them", file_okay=False)] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="html, pdf (headless chromium) or "
                                                 "markdown")] = ReportFormat.html,
    lang: Annotated[Lang, typer.Option(help="language of the report")] = Lang.zh,
    audience: Annotated[Audience, typer.Option(help="regulator: the MIIT evaluation report; planner: targets "
                                               "and measures first")] = Audience.regulator,
    output: OutputOpt = None,
    ruleset: RulesetOpt = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    db_url: DbUrlOpt = None,
    chromium: Annotated[Optional[str], typer.Option("--chromium", help="the browser that prints PDF (default: "
                                                    "chromium on PATH)")] = None,
    previous: Annotated[Optional[str], typer.Option("--previous", help="the park's previous assessment (a park "
                                                    "file or a decision_id) of the same park, of data no later (a "
                                                    "decision: logged before): adds the section \"since the last "
                                                    "assessment\"")] = None,
    history: Annotated[bool, typer.Option("--history", help="follow up the park's earlier assessments in the "
                                          "decision log (see --db-url; of --decision: those logged before it, "
                                          "of a park file: all; the latest 50, as `greenpark history`): adds "
                                          "the section \"corrective actions across assessments\"")] = False,
) -> None:
    """Write a report people read: a regulator's dossier, a planner's brief or a portfolio.

    The dossier has the structure of the MIIT third-party evaluation report, with charts."""
    from ..errors import GreenparkError
    from ..render.dossier import render_portfolio, render_report
    if sum(x is not None for x in (path, decision, portfolio)) != 1:
        typer.echo("error: give exactly one of PATH, --decision ID or --portfolio DIR", err=True)
        raise typer.Exit(2)
    if portfolio is not None and (previous is not None or history):
        option = "--previous" if previous is not None else "--history"
        typer.echo(f"error: {option} follows one park's assessments; it does not apply to --portfolio", err=True)
        raise typer.Exit(2)
    try:
        browser = None
        if format is ReportFormat.pdf:
            from ..render.dossier.browser import Chromium
            browser = Chromium(chromium)
        if portfolio is not None:
            files = sorted(q for q in portfolio.iterdir() if q.is_file() and q.suffix.lower() in (".yaml", ".yml", ".json", ".xlsx")
                           and not q.name.startswith("~$"))  # ~$ = Excel's lock file of an open workbook
            if not files:
                typer.echo(f"error: {portfolio}: no *.yaml, *.yml, *.json or *.xlsx park file in this folder", err=True)
                raise typer.Exit(2)
            assessed = [_report_park(f, ruleset, evaluator, rules_dir, profile) for f in files]
            data = render_portfolio([r for r, _, _ in assessed], fmt=format.value, lang=lang.value,
                                    knowledge=assessed[0][2], chromium=browser)
        else:
            current = before_d = None
            if decision is not None and previous is not None and _names_decision(previous):
                # two logged decisions: checked as GET /v1/assessments/{id}/report?previous= checks them
                from ..service.decision_reading import previous_problem
                current, before_d = _fetch_decision(decision, db_url), _fetch_decision(previous, db_url)
                _refuse(previous_problem(current, before_d))
            if decision is not None:
                result, park, knowledge, meta = _report_decision(current or decision, db_url, rules_dir)
            else:
                (result, park, knowledge), meta = _report_park(path, ruleset, evaluator, rules_dir, profile,
                                                               audience is Audience.planner), None
            before = (_result_of(previous, ruleset, evaluator, rules_dir, profile, db_url, before_d)
                      if previous else None)
            if before is not None and before_d is None:     # a park file on either side
                from ..cycles.diff import previous_result_problem
                label = decision if decision is not None else ("<stdin>" if str(path) == "-" else path.name)
                _refuse(previous_result_problem(before[0], result, (before[3], label)))
            earlier = _earlier_cycles(result["park_id"], meta and meta["decision_id"], db_url) if history else None
            data = render_report(result, fmt=format.value, lang=lang.value, audience=audience.value,
                                 knowledge=knowledge, park=park, decision=meta, chromium=browser,
                                 previous=before and before[0], previous_park=before and before[1],
                                 history=earlier)
    except (GreenparkError, ValueError) as exc:
        _fail(exc)
    write_output(output, data)


def _earlier_cycles(park_id: str, decision_id: Optional[str], db_url: Optional[str]) -> list:
    """The park's assessments in the decision log before `decision_id` (all of them for a park
    file), oldest first, as lifecycle cycles; an unreadable log ends the run (2)."""
    from sqlalchemy.exc import SQLAlchemyError
    from ..cycles.history import decision_cycle
    log, engine = _decision_log(db_url)
    try:
        decisions = log.by_park(park_id, limit=HISTORY_LIMIT, before=decision_id)
    except SQLAlchemyError as exc:
        typer.echo(f"error: --history: the decision log {engine.url.render_as_string()} cannot be read: "
                   f"{str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2)
    finally:
        engine.dispose()
    return [decision_cycle(d) for d in decisions]


def _refuse(why) -> None:
    """End the run (2) with why the --previous assessment cannot stand as one (Chinese, then
    English), as the HTTP report words it; nothing when `why` is None."""
    if why is not None:
        typer.echo(f"error: --previous: {why.zh} / {why.en}", err=True)
        raise typer.Exit(2)
