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
            profile: str = "default") -> dict:
    from engine.assessment import Assessor
    from engine.errors import GreenparkError
    from engine.facts.loader import load_park_document, relocate
    doc = None
    try:
        park, doc = load_park_document(path)
        return Assessor(_registry(rules_dir), _evaluator(evaluator)).assess(park, ruleset=ruleset, profile=profile)
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


@app.command()
def assess(
    path: Annotated[Path, typer.Argument(help="park facts, YAML or JSON")],
    format: Annotated[Format, typer.Option("--format", "-f", help="output format")] = Format.table,
    lang: Annotated[Lang, typer.Option(help="language of tables and markdown")] = Lang.zh,
    ruleset: RulesetOpt = None,
    fail_on: Annotated[Optional[str], typer.Option(help="exit 1 if any finding has this status, e.g. not_met")] = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
) -> None:
    """Assess a park: diagnosed problems, recommended measures and compliance findings."""
    statuses = ("met", "not_met", "insufficient_data", "not_applicable", "problem", "recommended")
    if fail_on is not None and fail_on not in statuses:
        typer.echo(f"error: --fail-on takes one of {', '.join(statuses)}", err=True)
        raise typer.Exit(2)
    result = _assess(path, ruleset, evaluator, rules_dir, profile)
    if format is Format.json:
        from engine.render import render_json
        sys.stdout.write(render_json(result) + "\n")
    elif format is Format.markdown:
        from engine.render import render_markdown
        sys.stdout.write(render_markdown(result, lang=lang.value))
    else:
        from engine.render.table import AssessmentView
        _console().print(AssessmentView(result, lang=lang.value))
    if fail_on and any(f["status"] == fail_on for f in result["findings"]):
        raise typer.Exit(1)


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="park facts, YAML or JSON")],
    finding_id: Annotated[str, typer.Argument(help="finding id, as printed by assess")],
    lang: Annotated[Lang, typer.Option(help="language")] = Lang.zh,
    ruleset: RulesetOpt = None,
    evaluator: EvalOpt = EvaluatorName.durable,
    rules_dir: RulesDirOpt = None,
    profile: ProfileOpt = "default",
) -> None:
    """Explain one finding: clause, facts, numbers and their sources, and the engine trace."""
    result = _assess(path, ruleset, evaluator, rules_dir, profile)
    found = next((f for f in result["findings"] if f["id"] == finding_id), None)
    if found is None:
        close = [f["id"] for f in result["findings"] if finding_id.split("@")[0] in f["id"]][:5]
        typer.echo(f"error: no finding {finding_id!r}" + (f"; similar: {', '.join(close)}" if close else ""), err=True)
        raise typer.Exit(2)
    from engine.render.explain import render_explanation
    rs = _registry(rules_dir).get(ruleset, profile)
    _console().print(render_explanation(found, result, rs, lang.value))


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
