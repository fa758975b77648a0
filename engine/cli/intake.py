"""`template` and `convert`: park facts in spreadsheets (Excel/CSV), generated from the park model."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .common import Lang, _fail, app


class TemplateFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"


class ConvertFormat(str, Enum):
    xlsx = "xlsx"
    yaml = "yaml"
    json = "json"
    csv = "csv"


@app.command()
def template(
    format: Annotated[TemplateFormat, typer.Option("--format", "-f", help="xlsx workbook, or csv (a folder, "
                                                   "one file per sheet)")] = TemplateFormat.xlsx,
    lang: Annotated[Lang, typer.Option(help="language of sheet names, labels and instructions")] = Lang.zh,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (csv: folder; default: "
                                                   "park-template.xlsx / park-template/)")] = None,
) -> None:
    """Write a blank park workbook generated from the park model.

    One sheet per block, unit cells, drop-down lists, ranges and an instructions sheet.
    """
    from ..intake.convert import write_park
    out = output or Path("park-template" + (".xlsx" if format is TemplateFormat.xlsx else ""))
    try:
        write_park(None, out, format.value, lang.value)
    except OSError as exc:
        _cannot_write(out, exc)
    typer.echo(f"wrote {out}", err=True)


def _cannot_write(out: Path, exc: OSError) -> None:
    typer.echo(f"error: {out}: cannot write: {exc.strerror or exc}", err=True)
    raise typer.Exit(2)


@app.command()
def convert(
    path: Annotated[Path, typer.Argument(help="park facts: YAML, JSON, .xlsx, or a folder of CSV files")],
    to: Annotated[ConvertFormat, typer.Option("--to", help="output format")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (csv: a folder); "
                                                   "default: yaml/json to standard output, xlsx next to the input")] = None,
    lang: Annotated[Lang, typer.Option(help="language of a workbook's sheets and labels")] = Lang.zh,
    merge: Annotated[list[Path] | None, typer.Option(
        "--with", help="a CSV file named after a sheet (企业.csv, enterprises.csv), a CSV folder or a workbook "
                       "whose sheets replace the park's (repeatable)", show_default=False)] = None,
) -> None:
    """Convert park facts between YAML, JSON, xlsx and CSV. The input is validated first: with
    problems, all are listed (sheet!cell or file:line) and nothing is written (exit 2).

    --with 企业.csv: the CSV's enterprises replace the park's (headed by field paths or labels).
    """
    from ..errors import GreenparkError
    from ..intake.convert import read_park_data, render_text, write_park
    out = output
    try:
        data, _ = read_park_data(path, merge or [])
        if output is None and to in (ConvertFormat.yaml, ConvertFormat.json):
            sys.stdout.write(render_text(data, to.value))
            return
        out = output or path.with_suffix("" if to is ConvertFormat.csv else f".{to.value}")
        if out.resolve() == path.resolve():
            typer.echo(f"error: {out}: would overwrite the input; give -o", err=True)
            raise typer.Exit(2)
        write_park(data, out, to.value, lang.value)
    except GreenparkError as exc:
        _fail(exc)
    except OSError as exc:
        _cannot_write(out, exc)
    typer.echo(f"wrote {out}", err=True)
