"""`greenpark rules ...`: list, lint, test, coverage and golden IR of the rule packs."""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .common import rules_app, Format, Lang, EvaluatorName, _evaluator, _fail, _console, RulesetOpt, RulesDirOpt, EvalOpt, _ruleset


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
    from ..rules.example_files import lint_tests, lint_profiles
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
    from ..rule_tests import run_rule_tests
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
    from ..rules.coverage import coverage, in_scope
    report = coverage(_ruleset(ruleset, rules_dir))
    if format is Format.json:
        from ..json_output import dump_text
        sys.stdout.write(dump_text(report, pretty=True) + "\n")
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
    from ..errors import GreenparkError
    from ..rules.golden import check_golden, write_golden
    rs = _ruleset(None)
    try:
        if write:
            for path in write_golden(rs):
                typer.echo(f"wrote {path}")
            return
        diffs = check_golden(rs)
    except GreenparkError as exc:
        _fail(exc)
    for d in diffs:
        typer.echo(f"differs: {d}", err=True)
    if diffs:
        raise typer.Exit(1)
    typer.echo("golden IR up to date")
