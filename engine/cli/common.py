"""Shared pieces of the command line: the typer apps, option types, and helpers that load parks, rulesets and the decision log (bad input ends the run with exit code 2)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .choices import check_profile, complete_profile, version_callback
from .output import OutputOpt, atomic_output, write_output  # noqa: F401 - for the command modules

app = typer.Typer(no_args_is_help=True, help="greenpark: assess green low-carbon industrial parks against 《绿色低碳工业园区建设管理指南》.")


@app.callback()
def _main(version: Annotated[Optional[bool], typer.Option(
        "--version", "-V", callback=version_callback, is_eager=True,
        help="print the version of greenpark and the ruleset versions it carries, and exit")] = None) -> None:
    # the options of `greenpark` itself (--version; typer adds --install-completion and --show-completion)
    pass


rules_app = typer.Typer(no_args_is_help=True, help="Inspect, lint and test the rule packs.")
app.add_typer(rules_app, name="rules")
keys_app = typer.Typer(no_args_is_help=True, help="Create, list and revoke API keys of the HTTP service.")
app.add_typer(keys_app, name="keys")


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class FailOn(str, Enum):
    """The finding statuses `--fail-on` can trip on."""
    met = "met"
    not_met = "not_met"
    insufficient_data = "insufficient_data"
    not_applicable = "not_applicable"
    problem = "problem"
    recommended = "recommended"


class EvaluatorName(str, Enum):
    durable = "durable"
    oracle = "oracle"


def _fail(exc: Exception) -> None:
    """Print a GreenparkError as one line per problem on stderr and exit 2."""
    lines = exc.lines() if hasattr(exc, "lines") else [str(exc)]
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(2)


def _evaluator(name: EvaluatorName):
    if name is EvaluatorName.oracle:
        from ..evaluators.oracle import OracleEvaluator
        return OracleEvaluator()
    from ..evaluators.durable import DurableEvaluator
    return DurableEvaluator()


def _assess(path: Path, ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path],
            profile: str = "default", to_comply: bool = False) -> dict:
    from ..assessment import Assessor
    from ..errors import GreenparkError
    from ..facts.loader import relocate
    doc = None
    try:
        park, doc = _park_document(path)
        engine = _evaluator(evaluator)
        return Assessor(_registry(rules_dir, engine), engine).assess(park, ruleset=ruleset, profile=profile,
                                                                     to_comply=to_comply)
    except GreenparkError as exc:
        _fail(relocate(exc, doc) if doc is not None else exc)


def _console(file=None):
    """A rich console on `file` (default standard output); to a file it writes plain text."""
    from rich.console import Console
    return Console(file=file, soft_wrap=False)


def _park_document(path: Path):
    """(park, document) of a park file, or of standard input when `path` is `-`."""
    from ..facts.loader import load_park_document
    if str(path) == "-":
        from .assess import _stdin_park
        return _stdin_park()
    return load_park_document(path)


RulesetOpt = Annotated[Optional[str], typer.Option("--ruleset", help="ruleset version (default: newest)")]
ProfileOpt = Annotated[str, typer.Option("--profile", metavar="PROFILE", callback=check_profile,
                                          autocompletion=complete_profile,
                                          help="benchmark profile: the frameworks measured against, one "
                                          "of the profiles in knowledge/benchmarks.yaml (the shell completes "
                                          "them; a wrong name lists them)")]
RulesDirOpt = Annotated[Optional[Path], typer.Option("--rules-dir", help="a rules tree (folder with ruleset.yaml) "
                                                     "instead of the repository's rules/ and its releases")]


def _registry(rules_dir: Optional[Path], evaluator=None):
    """The rulesets, through the user's cache; with the `evaluator` that will run them, its
    per-ruleset work (`prepare`) is cached with them."""
    from ..rules.cache import default_cache_dir
    from ..rules.packs import RulesetRegistry
    return RulesetRegistry([rules_dir] if rules_dir else None, cache_dir=default_cache_dir(),
                           prepare=getattr(evaluator, "prepare", None))
EvalOpt = Annotated[EvaluatorName, typer.Option(help="rule engine: durable (production) or oracle")]


OnlyOpt = Annotated[Optional[str], typer.Option(
    "--only", help="list only these statuses and/or kinds, comma-separated: met, not_met, insufficient_data, "
                   "not_applicable, problem, recommended, compliance, measure (e.g. not_met,problem,measure); "
                   "the one option that also filters JSON")]
HideMetOpt = Annotated[bool, typer.Option("--hide-met", help="leave out met and not-applicable findings "
                                          "(table and markdown do this by default)")]
AllOpt = Annotated[bool, typer.Option("--all", help="table and markdown: every finding on its own row, "
                                      "restatements and met checks included, nothing folded or collapsed")]


DbUrlOpt = Annotated[Optional[str], typer.Option("--db-url", help="SQLAlchemy URL of the decision log and keys "
                                                 "(default: $GREENPARK_DB_URL or sqlite:///greenpark.db)")]


class ReportFormat(str, Enum):
    html = "html"
    pdf = "pdf"
    markdown = "markdown"


class Audience(str, Enum):
    regulator = "regulator"
    planner = "planner"


class Role(str, Enum):
    regulator = "regulator"
    planner = "planner"
    portal = "portal"


def _ruleset(version: Optional[str], rules_dir: Optional[Path] = None):
    from ..errors import GreenparkError
    try:
        return _registry(rules_dir).get(version)
    except GreenparkError as exc:
        _fail(exc)


def _decision_log(db_url: Optional[str]):
    """(DecisionLog, engine) of `--db-url`; a SQLite file that does not exist ends the run (2)."""
    from ..service.config import default_db_url
    from ..service.db import make_engine
    from ..service.decisions import DecisionLog
    from sqlalchemy.engine import make_url
    url = make_url(db_url or default_db_url())
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        typer.echo(f"error: no decision log at {url.database} (--db-url, $GREENPARK_DB_URL)", err=True)
        raise typer.Exit(2)
    engine = make_engine(url.render_as_string(hide_password=False))
    return DecisionLog(engine), engine


def _load_park(path: Path):
    """The park of a file; bad input ends the run (2) with file:line:col problems."""
    from ..errors import GreenparkError
    from ..facts.loader import relocate
    doc = None
    try:
        park, doc = _park_document(path)
        return park
    except GreenparkError as exc:
        _fail(relocate(exc, doc) if doc is not None else exc)


def _report_park(path: Path, ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path],
                 profile: str, to_comply: bool = False):
    """(result, park, knowledge) of one park file; bad input ends the run (2)."""
    from ..assessment import Assessor
    from ..errors import GreenparkError
    from ..facts.loader import relocate
    doc = None
    try:
        park, doc = _park_document(path)
        engine = _evaluator(evaluator)
        registry = _registry(rules_dir, engine)
        result = Assessor(registry, engine).assess(park, ruleset=ruleset, profile=profile, to_comply=to_comply)
        return result, park, registry.get(ruleset, profile).knowledge
    except GreenparkError as exc:
        _fail(relocate(exc, doc) if doc is not None else exc)


def _fetch_decision(decision_id: str, db_url: Optional[str]):
    """The logged decision `decision_id` (a `Decision`); no log, or no such decision, ends the run (2)."""
    from ..service.config import default_db_url
    from ..service.db import make_engine
    from ..service.decisions import DecisionLog
    from sqlalchemy.engine import make_url
    url = make_url(db_url or default_db_url())
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():          # do not create an empty log just to find nothing in it
        typer.echo(f"error: no decision log at {url.database} (--db-url, $GREENPARK_DB_URL)", err=True)
        raise typer.Exit(2)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        d = DecisionLog(engine).get(decision_id)
    finally:
        engine.dispose()
    if d is None:
        typer.echo(f"error: no decision {decision_id!r} in the decision log {engine.url.render_as_string()}", err=True)
        raise typer.Exit(2)
    return d


def _report_decision(decision, db_url: Optional[str], rules_dir: Optional[Path]):
    """(result, park or None, knowledge, decision) of a logged decision (its id, or the `Decision`
    already read); an unknown id ends the run (2)."""
    d = _fetch_decision(decision, db_url) if isinstance(decision, str) else decision
    from ..service.decision_reading import decision_knowledge, decision_park, decision_result
    result, park = decision_result(d), decision_park(d)     # format 1 or 2 as logged -> format 1
    registry = _registry(rules_dir)
    from ..minimal_change import ensure_to_comply
    result = ensure_to_comply(result, park, registry)       # the planner's brief always shows it
    knowledge = decision_knowledge(registry, d, result)     # that version's, else the newest
    return result, park, knowledge, {"decision_id": d.decision_id}


def _names_decision(ref: str) -> bool:
    """Whether `ref` (of --previous, diff ...) names a logged decision rather than a park file:
    it starts with d_ and is no file's path."""
    return ref != "-" and ref.startswith("d_") and not Path(ref).exists()


def _result_of(ref: str, ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path], profile: str,
               db_url: Optional[str], decision=None):
    """(result, park or None, knowledge, label) of a park file (assessed now) or a logged decision id
    (`decision`: that decision, already read)."""
    if ref == "-":
        result, park, knowledge = _report_park(Path(ref), ruleset, evaluator, rules_dir, profile)
        return result, park, knowledge, "<stdin>"
    if not _names_decision(ref):
        if not Path(ref).is_file():
            typer.echo(f"error: {ref}: no such park file (or decision id: they start with d_)", err=True)
            raise typer.Exit(2)
        result, park, knowledge = _report_park(Path(ref), ruleset, evaluator, rules_dir, profile)
        return result, park, knowledge, Path(ref).name
    result, park, knowledge, _ = _report_decision(decision if decision is not None else ref, db_url, rules_dir)
    return result, park, knowledge, ref
