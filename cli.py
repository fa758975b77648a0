"""greenpark: assess green low-carbon industrial parks against 《绿色低碳工业园区建设管理指南》.

Thin commands, one call into `engine` each. Heavy imports (rich, durable-rules, fastapi) happen
inside commands to keep start-up fast. Exit codes: 0 ok, 1 `--fail-on` tripped or a rule test
failed, 2 bad input (file, facts, rule pack, ruleset version).
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])
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
        from engine.evaluators.oracle import OracleEvaluator
        return OracleEvaluator()
    from engine.evaluators.durable import DurableEvaluator
    return DurableEvaluator()


def _assess(path: Path, ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path],
            profile: str = "default", to_comply: bool = False) -> dict:
    from engine.assessment import Assessor
    from engine.errors import GreenparkError
    from engine.facts.loader import load_park_document, relocate
    doc = None
    try:
        park, doc = load_park_document(path)
        return Assessor(_registry(rules_dir), _evaluator(evaluator)).assess(park, ruleset=ruleset, profile=profile,
                                                                            to_comply=to_comply)
    except GreenparkError as exc:
        _fail(relocate(exc, doc) if doc is not None else exc)


def _console():
    from rich.console import Console
    return Console(soft_wrap=False)


RulesetOpt = Annotated[Optional[str], typer.Option("--ruleset", help="ruleset version (default: newest)")]
ProfileOpt = Annotated[str, typer.Option("--profile", help="benchmark profile: the frameworks measured "
                                          "against (knowledge/benchmarks.yaml profiles)")]
RulesDirOpt = Annotated[Optional[Path], typer.Option("--rules-dir", help="a rules tree (folder with ruleset.yaml) "
                                                     "instead of the repository's rules/ and its releases")]


def _registry(rules_dir: Optional[Path]):
    from engine.rules.cache import default_cache_dir
    from engine.rules.packs import RulesetRegistry
    return RulesetRegistry([rules_dir] if rules_dir else None, cache_dir=default_cache_dir())
EvalOpt = Annotated[EvaluatorName, typer.Option(help="rule engine: durable (production) or oracle")]


OnlyOpt = Annotated[Optional[str], typer.Option(
    "--only", help="list only these statuses and/or kinds, comma-separated: met, not_met, insufficient_data, "
                   "not_applicable, problem, recommended, compliance, measure (e.g. not_met,problem,measure); "
                   "the one option that also filters JSON")]
HideMetOpt = Annotated[bool, typer.Option("--hide-met", help="leave out met and not-applicable findings "
                                          "(table and markdown do this by default)")]
AllOpt = Annotated[bool, typer.Option("--all", help="table and markdown: every finding on its own row, "
                                      "restatements and met checks included, nothing folded or collapsed")]


@app.command()
def assess(
    paths: Annotated[list[Path], typer.Argument(help="park facts, YAML or JSON: files, folders (their *.yaml, "
                                                "*.yml and *.json, sorted) or - for standard input",
                                                show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="output format")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of tables and markdown")] = Lang.zh,
    ruleset: RulesetOpt = None,
    fail_on: Annotated[Optional[str], typer.Option(help="exit 1 if any finding has this status, e.g. not_met")] = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    only: OnlyOpt = None,
    hide_met: HideMetOpt = False,
    all_: AllOpt = False,
    to_comply: Annotated[bool, typer.Option("--to-comply", help="also solve, for each unmet threshold check, the "
                                            "smallest change of each input that makes it met (`to_comply`)")] = False,
) -> None:
    """Assess parks: diagnosed problems, recommended measures and compliance findings.

    Table and markdown list what needs action, by phase and area of the guide (--all: everything).

    JSON is the whole result unless --only is given.

    Several files, a folder or - : one view per park, a progress bar on a terminal, the worst exit code.
    """
    from engine.render.selection import ViewOptions
    statuses = ("met", "not_met", "insufficient_data", "not_applicable", "problem", "recommended")
    if fail_on is not None and fail_on not in statuses:
        typer.echo(f"error: --fail-on takes one of {', '.join(statuses)}", err=True)
        raise typer.Exit(2)
    try:
        view = ViewOptions.parse(only, hide_met=hide_met, everything=all_)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    if format is Format.json and hide_met and only is None:
        typer.echo("note: --hide-met shapes table and markdown only; JSON is the whole result (filter it with "
                   "--only)", err=True)
    from engine.render.park_stream import ParkStream
    from engine.render.progress import ParkProgress
    several = len(paths) > 1 or any(p.is_dir() for p in paths)
    inputs, worst = _park_inputs(paths)
    assessor = _assessor(ruleset, evaluator, rules_dir, profile)
    out = ParkStream(format.value, lang=lang.value, view=view, several=several)
    with ParkProgress(len(inputs)) as progress:
        for label, path in inputs:
            progress.show(label)
            result, errors = _assess_input(assessor, path, ruleset, profile, to_comply)
            with progress.paused():
                for line in errors:
                    typer.echo(f"error: {line}", err=True)
                out.write(label, result, errors)
            if errors:
                worst = 2
            elif fail_on and any(f["status"] == fail_on for f in result["findings"]):
                worst = max(worst, 1)
            progress.advance()
    out.close()
    if worst:
        raise typer.Exit(worst)


def _park_inputs(paths: list[Path]) -> tuple[list[tuple[str, Optional[Path]]], int]:
    """(label, path) of every park to assess, in order, and 2 if a folder holds no park file (said on
    stderr), else 0. A folder gives its *.yaml, *.yml and *.json sorted by name; `-` gives ("<stdin>", None)."""
    inputs: list[tuple[str, Optional[Path]]] = []
    worst = 0
    for p in paths:
        if str(p) == "-":
            inputs.append(("<stdin>", None))
        elif p.is_dir():
            found = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".yaml", ".yml", ".json"))
            if not found:
                typer.echo(f"error: {p}: no *.yaml, *.yml or *.json file in this folder", err=True)
                worst = 2
            inputs += [(str(q), q) for q in found]
        else:
            inputs.append((str(p), p))
    return inputs, worst


def _assessor(ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path], profile: str):
    """One assessor for every park of the run; a ruleset or profile that does not load ends the run (2)."""
    from engine.assessment import Assessor
    from engine.errors import GreenparkError
    try:
        registry = _registry(rules_dir)
        registry.get(ruleset, profile)
        return Assessor(registry, _evaluator(evaluator))
    except GreenparkError as exc:
        _fail(exc)


def _assess_input(assessor, path: Optional[Path], ruleset: Optional[str], profile: str,
                  to_comply: bool = False) -> tuple[Optional[dict], list[str]]:
    """Assess one park file (None: standard input); (result, []) or (None, error lines naming file:line)."""
    from engine.errors import GreenparkError
    from engine.facts.loader import load_park_document, relocate
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
    from engine.errors import InputError, Problem
    from engine.facts.loader import validation_problems
    from engine.facts.models import Park
    from engine.sourcefile import MAX_FILE_BYTES, parse_document
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
    path: Annotated[Path, typer.Argument(help="park facts, YAML or JSON")],
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
) -> None:
    """Explain one finding: clause, facts, numbers and their sources, and the engine trace.

    With --only or --all instead of an id, explain each matching finding in turn.
    """
    if (finding_id is None) == (only is None and not all_):
        typer.echo("error: give a finding id, or --only/--all to explain several (not both)", err=True)
        raise typer.Exit(2)
    chosen = None
    if finding_id is None:
        from engine.render.selection import ViewOptions
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
    from engine.render.explain import render_explanation
    rs = _registry(rules_dir).get(ruleset, profile)
    console = _console()
    for i, f in enumerate(chosen):
        if len(chosen) > 1:
            console.print(Rule(f"{i + 1}/{len(chosen)}  {f['id']}"))
        console.print(render_explanation(f, result, rs, lang.value))


@app.command()
def schema(rules: Annotated[bool, typer.Option("--rules", help="the rule-file schema instead")] = False) -> None:
    """Print the JSON Schema of park facts (or of rule files), for editors' autocompletion."""
    import json
    if rules:
        from pydantic import TypeAdapter
        from engine.rules.dsl import RuleFile
        doc = TypeAdapter(RuleFile).json_schema()
    else:
        from engine.facts.models import Park
        doc = Park.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def _ruleset(version: Optional[str], rules_dir: Optional[Path] = None):
    from engine.errors import GreenparkError
    try:
        return _registry(rules_dir).get(version)
    except GreenparkError as exc:
        _fail(exc)


@rules_app.command("list")
def rules_list(ruleset: RulesetOpt = None, lang: Annotated[Lang, typer.Option()] = Lang.zh,
               rules_dir: RulesDirOpt = None) -> None:
    """List the rules of a ruleset version with clause, kind and severity."""
    from rich.table import Table
    rs = _ruleset(ruleset, rules_dir)
    table = Table(title=f"{rs.name} {rs.version}  ({rs.digest[:12]})")
    for col in ("id", "v", "pack", "kind", "clauses", "severity", "title"):
        table.add_column(col)
    for meta in sorted(rs.meta.values(), key=lambda m: m.id):
        table.add_row(meta.id, str(meta.version), meta.pack, meta.kind, ", ".join(meta.clauses),
                      meta.severity, meta.title.get(lang.value))
    _console().print(table)


@rules_app.command("lint")
def rules_lint(ruleset: RulesetOpt = None, rules_dir: RulesDirOpt = None) -> None:
    """Compile every pack under every benchmark profile; each rule has examples beside it (fires_
    and silent_) and applies under at least one profile."""
    from engine.rules.testing import lint_tests, lint_profiles
    rs = _ruleset(ruleset, rules_dir)
    problems = lint_tests(rs) + lint_profiles(rs)
    for p in problems:
        typer.echo(f"error: {p}", err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo(f"ok: {rs.name} {rs.version}: {len(rs.meta)} rules in {len(rs.packs)} packs, "
               f"{len(rs.compiled.rules)} engine rules, digest {rs.digest[:12]}")


@rules_app.command("test")
def rules_test(
    ruleset: RulesetOpt = None,
    rule: Annotated[Optional[str], typer.Option(help="only this rule id")] = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
) -> None:
    """Run every rule's examples through the engine."""
    from engine.rules.testing import run_rule_tests
    rs = _ruleset(ruleset, rules_dir)
    results = run_rule_tests(rs, _evaluator(evaluator), only=rule)
    failed = [r for r in results if not r.ok]
    for r in failed:
        typer.echo(f"FAIL {r.rule} {r.case} ({r.file}): {r.message}", err=True)
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or not results:
        raise typer.Exit(1)


@rules_app.command("coverage")
def rules_coverage(
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of titles")] = Lang.zh,
    ruleset: RulesetOpt = None,
    rules_dir: RulesDirOpt = None,
) -> None:
    """Each clause of the guide with the rules that check it, their examples, or why none can."""
    from engine.rules.coverage import coverage, in_scope
    report = coverage(_ruleset(ruleset, rules_dir))
    if format is Format.json:
        import json
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table
    table = Table(title="clause coverage", show_lines=False)
    for col in ("clause", "normative", "rules", "tests", "title / reason"):
        table.add_column(col, overflow="fold")
    for c in report["clauses"]:
        style = "red" if c["normative"] and in_scope(c["id"]) and not c["rules"] and not c["reason"] else None
        note = c["title"][lang.value] + (f"\n[dim]{c['reason'][lang.value]}[/dim]" if c["reason"] else "")
        table.add_row(c["id"], "yes" if c["normative"] else "", ", ".join(c["rules"]), str(c["tests"] or ""),
                      note, style=style)
    _console().print(table)
    s = report["summary"]
    typer.echo(f"normative clauses (4-8): {s['normative_total']}, covered {s['covered']}, exempted {s['exempted']}"
               + (f", UNCOVERED {', '.join(s['uncovered'])}" if s["uncovered"] else ""))


@rules_app.command("golden")
def rules_golden(write: Annotated[bool, typer.Option("--write", help="rewrite tests/golden/")] = False) -> None:
    """Compare (or with --write, regenerate) the golden IR of every pack in tests/golden/."""
    from engine.rules.golden import check_golden, write_golden
    rs = _ruleset(None)
    if write:
        for path in write_golden(rs):
            typer.echo(f"wrote {path}")
        return
    diffs = check_golden(rs)
    for d in diffs:
        typer.echo(f"differs: {d}", err=True)
    if diffs:
        raise typer.Exit(1)
    typer.echo("golden IR up to date")


DbUrlOpt = Annotated[Optional[str], typer.Option("--db-url", help="SQLAlchemy URL of the decision log and keys "
                                                 "(default: $GREENPARK_DB_URL or sqlite:///greenpark.db)")]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="accept calls without an API key (local use only)")] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="assessment worker processes")] = 2,
    timeout: Annotated[float, typer.Option(min=0.1, help="seconds per assessment before its worker is replaced")] = 10.0,
    max_body: Annotated[int, typer.Option("--max-body", min=1024, help="largest request body in bytes (413 above)")] = 2 * 1024 * 1024,
    max_batch: Annotated[int, typer.Option("--max-batch", min=1, max=1000, help="most parks in one batch request")] = 50,
    max_result_bytes: Annotated[int, typer.Option("--max-result-bytes", min=65536,
                                                  help="most bytes of results one request may return (a batch: "
                                                       "all its parks together; 413 above, refused results are "
                                                       "not logged)")] = 32 * 1024 * 1024,
    key_cache: Annotated[float, typer.Option("--key-cache", min=0, help="seconds a key found live is trusted "
                                             "without a database look-up (a revoked key is refused within "
                                             "this time; 0: look up on every call)")] = 1.0,
    db_url: DbUrlOpt = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    access_log: Annotated[bool, typer.Option("--access-log", help="log every request")] = False,
) -> None:
    """Run the HTTP decision service (FastAPI under uvicorn); see README "HTTP API"."""
    from engine.service.config import Settings
    from engine.service.server import run
    run(Settings(db_url=db_url or "", auth=not no_auth, workers=workers, timeout=timeout, max_body_bytes=max_body,
                 max_batch=max_batch, max_result_bytes=max_result_bytes, key_cache_seconds=key_cache),
        host, port, log_level=log_level, access_log=access_log)


class ReportFormat(str, Enum):
    html = "html"
    pdf = "pdf"
    markdown = "markdown"


class Audience(str, Enum):
    regulator = "regulator"
    planner = "planner"


def _report_park(path: Path, ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path],
                 profile: str, to_comply: bool = False):
    """(result, park, knowledge) of one park file; bad input ends the run (2)."""
    from engine.assessment import Assessor
    from engine.errors import GreenparkError
    from engine.facts.loader import load_park_document, relocate
    doc = None
    try:
        park, doc = load_park_document(path)
        registry = _registry(rules_dir)
        result = Assessor(registry, _evaluator(evaluator)).assess(park, ruleset=ruleset, profile=profile,
                                                                  to_comply=to_comply)
        return result, park, registry.get(ruleset, profile).knowledge
    except GreenparkError as exc:
        _fail(relocate(exc, doc) if doc is not None else exc)


def _report_decision(decision_id: str, db_url: Optional[str], rules_dir: Optional[Path]):
    """(result, park or None, knowledge, decision) of a logged decision; an unknown id ends the run (2)."""
    import json
    from engine.errors import GreenparkError
    from engine.service.config import default_db_url
    from engine.service.db import make_engine
    from engine.service.decisions import DecisionLog
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
    result = json.loads(d.result)
    park = None
    try:                        # the input passed validation when it was decided; a later schema may refuse it
        from engine.facts.loader import parse_park
        park = parse_park(d.input.decode("utf-8"), f"decision {decision_id}", json_syntax=True)
    except (GreenparkError, UnicodeDecodeError):
        pass
    registry = _registry(rules_dir)
    from engine.minimal_change import ensure_to_comply
    result = ensure_to_comply(result, park, registry)       # the planner's brief always shows it
    try:
        knowledge = registry.get(d.ruleset_version, (result.get("ruleset") or {}).get("profile") or "default").knowledge
    except GreenparkError:      # that version is not loaded here: names and units from the newest
        knowledge = registry.get(None).knowledge
    return result, park, knowledge, {"decision_id": d.decision_id}


@app.command()
def report(
    path: Annotated[Optional[Path], typer.Argument(help="park facts, YAML or JSON (or use --decision / "
                                                        "--portfolio)", show_default=False)] = None,
    decision: Annotated[Optional[str], typer.Option("--decision", help="a decision_id from the decision log "
                                                    "(see --db-url) instead of a park file")] = None,
    portfolio: Annotated[Optional[Path], typer.Option("--portfolio", help="a folder of park files: assess each "
                                                      "(same profile) and compare them", file_okay=False)] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="html, pdf (headless chromium) or "
                                                 "markdown")] = ReportFormat.html,
    lang: Annotated[Lang, typer.Option(help="language of the report")] = Lang.zh,
    audience: Annotated[Audience, typer.Option(help="regulator: the MIIT evaluation report; planner: targets "
                                               "and measures first")] = Audience.regulator,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="write here instead of standard "
                                                   "output", dir_okay=False)] = None,
    ruleset: RulesetOpt = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    db_url: DbUrlOpt = None,
    chromium: Annotated[Optional[str], typer.Option("--chromium", help="the browser that prints PDF (default: "
                                                    "chromium on PATH)")] = None,
    previous: Annotated[Optional[str], typer.Option("--previous", help="the park's previous assessment (a park "
                                                    "file or a decision_id): adds the section \"since the last "
                                                    "assessment\"")] = None,
) -> None:
    """Write a report people read: a regulator's dossier, a planner's brief or a portfolio.

    The dossier has the structure of the MIIT third-party evaluation report, with charts."""
    from engine.errors import GreenparkError
    from engine.render.dossier import render_portfolio, render_report
    if sum(x is not None for x in (path, decision, portfolio)) != 1:
        typer.echo("error: give exactly one of PATH, --decision ID or --portfolio DIR", err=True)
        raise typer.Exit(2)
    if previous is not None and portfolio is not None:
        typer.echo("error: --previous compares one park's assessments; it does not apply to --portfolio", err=True)
        raise typer.Exit(2)
    try:
        browser = None
        if format is ReportFormat.pdf:
            from engine.render.dossier.browser import Chromium
            browser = Chromium(chromium)
        if portfolio is not None:
            files = sorted(q for q in portfolio.iterdir() if q.is_file() and q.suffix.lower() in (".yaml", ".yml", ".json"))
            if not files:
                typer.echo(f"error: {portfolio}: no *.yaml, *.yml or *.json park file in this folder", err=True)
                raise typer.Exit(2)
            assessed = [_report_park(f, ruleset, evaluator, rules_dir, profile) for f in files]
            data = render_portfolio([r for r, _, _ in assessed], fmt=format.value, lang=lang.value,
                                    knowledge=assessed[0][2], chromium=browser)
        else:
            if decision is not None:
                result, park, knowledge, meta = _report_decision(decision, db_url, rules_dir)
            else:
                (result, park, knowledge), meta = _report_park(path, ruleset, evaluator, rules_dir, profile,
                                                               audience is Audience.planner), None
            before = _result_of(previous, ruleset, evaluator, rules_dir, profile, db_url) if previous else None
            data = render_report(result, fmt=format.value, lang=lang.value, audience=audience.value,
                                 knowledge=knowledge, park=park, decision=meta, chromium=browser,
                                 previous=before and before[0], previous_park=before and before[1])
    except (GreenparkError, ValueError) as exc:
        _fail(exc)
    if output is not None:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _result_of(ref: str, ruleset: Optional[str], evaluator: EvaluatorName, rules_dir: Optional[Path], profile: str,
               db_url: Optional[str]):
    """(result, park or None, knowledge, label) of a park file (assessed now) or a logged decision id."""
    if Path(ref).exists() or not ref.startswith("d_"):
        if not Path(ref).is_file():
            typer.echo(f"error: {ref}: no such park file (or decision id: they start with d_)", err=True)
            raise typer.Exit(2)
        result, park, knowledge = _report_park(Path(ref), ruleset, evaluator, rules_dir, profile)
        return result, park, knowledge, Path(ref).name
    result, park, knowledge, _ = _report_decision(ref, db_url, rules_dir)
    return result, park, knowledge, ref


@app.command()
def diff(
    before: Annotated[str, typer.Argument(help="the earlier assessment: a park file (YAML/JSON) or a decision_id "
                                               "from the decision log", show_default=False)],
    after: Annotated[str, typer.Argument(help="the later one, the same way", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="table, markdown or json")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of table and markdown")] = Lang.zh,
    ruleset: RulesetOpt = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
    db_url: DbUrlOpt = None,
) -> None:
    """Compare two assessments of the same park: findings new, resolved, persisting, regressed, ...,
    with the indicator movement behind each (engine/cycles/diff.py lists the categories)."""
    import json
    from engine.cycles.diff import diff_results
    from engine.errors import GreenparkError
    sides = [_result_of(ref, ruleset, evaluator, rules_dir, profile, db_url) for ref in (before, after)]
    try:
        d = diff_results(sides[0][0], sides[1][0], labels=(sides[0][3], sides[1][3]))
    except GreenparkError as exc:
        _fail(exc)
    if format is Format.json:
        typer.echo(json.dumps(d, ensure_ascii=False, indent=2))
        return
    from engine.render.since_last import render_since_last, subject_names
    names = subject_names([s[0] for s in sides], [s[1] for s in sides], lang.value)
    if format is Format.markdown:
        typer.echo(render_since_last(d, fmt="markdown", lang=lang.value, knowledge=sides[1][2], names=names), nl=False)
        return
    from engine.render.diff_table import DiffView
    _console().print(DiffView(d, lang=lang.value, knowledge=sides[1][2], names=names))


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
) -> None:
    """Rule-change impact: re-assess each park's latest logged decision under ruleset version V and
    report per park the verdicts that appear, disappear or change, and a portfolio summary.
    Nothing is written to the decision log."""
    import json
    from engine.assessment import Assessor
    from engine.cycles.replay import latest_decisions, portfolio_report, replay_decisions
    from engine.errors import GreenparkError
    from engine.facts.loader import parse_park
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
    if format is Format.json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    elif format is Format.markdown:
        from engine.render.replay_report import replay_markdown
        typer.echo(replay_markdown(report, lang=lang.value, knowledge=knowledge), nl=False)
    else:
        from engine.render.replay_report import ReplayView
        _console().print(ReplayView(report, lang=lang.value, knowledge=knowledge))


def _decision_log(db_url: Optional[str]):
    """(DecisionLog, engine) of `--db-url`; a SQLite file that does not exist ends the run (2)."""
    from engine.service.config import default_db_url
    from engine.service.db import make_engine
    from engine.service.decisions import DecisionLog
    from sqlalchemy.engine import make_url
    url = make_url(db_url or default_db_url())
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        typer.echo(f"error: no decision log at {url.database} (--db-url, $GREENPARK_DB_URL)", err=True)
        raise typer.Exit(2)
    engine = make_engine(url.render_as_string(hide_password=False))
    return DecisionLog(engine), engine



@app.command()
def history(
    park_id: Annotated[str, typer.Argument(help="the park's profile.id", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="table, markdown or json")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of table and markdown")] = Lang.zh,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="the latest LIMIT decisions")] = 50,
    db_url: DbUrlOpt = None,
) -> None:
    """A park's history from the decision log: each cycle's date, data year, ruleset, summary and
    key indicators, and each finding's lifecycle (open, measure planned, implemented, verified
    closed, regression; engine/cycles/lifecycle.py)."""
    import json
    from engine.cycles.history import park_history
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
    if format is Format.json:
        typer.echo(json.dumps(h, ensure_ascii=False, indent=2))
    elif format is Format.markdown:
        from engine.render.history_view import history_markdown
        typer.echo(history_markdown(h, lang.value), nl=False)
    else:
        from engine.render.history_view import HistoryView
        _console().print(HistoryView(h, lang=lang.value))

def _load_park(path: Path):
    """The park of a file; bad input ends the run (2) with file:line:col problems."""
    from engine.errors import GreenparkError
    from engine.facts.loader import load_park_document, relocate
    doc = None
    try:
        park, doc = load_park_document(path)
        return park
    except GreenparkError as exc:
        _fail(relocate(exc, doc) if doc is not None else exc)


@app.command()
def whatif(
    path: Annotated[Path, typer.Argument(help="park facts, YAML or JSON")],
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
) -> None:
    """Simulate changes to a park: which findings flip and how the summary moves. Nothing is logged.

    --set changes a fact, --done marks a plan task done; both may repeat (--overrides first, then
    --set in order, then --done)."""
    import json
    from engine.cycles.whatif import run_whatif
    from engine.errors import GreenparkError
    from engine.facts.overrides import parse_assignment, read_changes
    from engine.sourcefile import load_document
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
    if format is Format.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    elif format is Format.markdown:
        from engine.render.whatif_view import whatif_markdown
        sys.stdout.write(whatif_markdown(result, lang=lang.value))
    else:
        from engine.render.whatif_view import whatif_renderable
        _console().print(whatif_renderable(result, lang=lang.value))


class Role(str, Enum):
    regulator = "regulator"
    planner = "planner"
    portal = "portal"


def _key_store(db_url: Optional[str]):
    from engine.service.config import default_db_url
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    return KeyStore(make_engine(db_url or default_db_url()))


@keys_app.command("create")
def keys_create(role: Annotated[Role, typer.Option(help="regulator (reads every decision), planner or portal")],
                name: Annotated[str, typer.Option(help="who the key is for")] = "",
                db_url: DbUrlOpt = None) -> None:
    """Create a key and print its token once (only its sha256 is stored)."""
    key_id, token = _key_store(db_url).create(role.value, name)
    typer.echo(f"key_id: {key_id}\nrole:   {role.value}\ntoken:  {token}")
    typer.echo("store the token now: it is not stored and cannot be shown again", err=True)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key id printed by `keys create`")],
                db_url: DbUrlOpt = None) -> None:
    """Revoke a key (its calls get 401 from then on)."""
    if not _key_store(db_url).revoke(key_id):
        typer.echo(f"error: no live key {key_id!r}", err=True)
        raise typer.Exit(2)
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def keys_list(db_url: DbUrlOpt = None) -> None:
    """List keys: id, role, name, created, revoked."""
    for k in _key_store(db_url).list():
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"
        typer.echo(f"{k.key_id}\t{k.role}\t{k.name}\t{k.created_at.isoformat(timespec='seconds')}\t{revoked}")


if __name__ == "__main__":
    app()
