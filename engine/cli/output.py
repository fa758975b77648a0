"""`-o FILE` / `--output FILE`: a command's output written atomically.

The output goes to a temporary file beside FILE and replaces FILE only when the command has
produced all of it; an error or an interrupt on the way leaves FILE as it was (absent, or the
previous result) - never a half-written result. Without `-o` the output is standard output.
"""
from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Iterator, Optional

import typer

__all__ = ["OutputOpt", "atomic_output", "write_output"]

OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", dir_okay=False, help="write the output to this file instead of standard output "
    "(atomically: the file is replaced only when the whole output is ready)")]


class _Target:
    """The open stream of one output; `discard()` keeps FILE untouched even on a normal exit."""

    def __init__(self, stream: IO, binary: IO | None):
        self.stream, self.binary, self.discarded = stream, binary, False

    def discard(self) -> None:
        self.discarded = True


@contextmanager
def atomic_output(path: Optional[Path], *, binary: bool = False) -> Iterator[_Target]:
    """A text (or `binary`) stream for the output: standard output, or a temp file beside `path`
    renamed over it when the block ends normally (or with exit code 0 or 1: a `--fail-on` exit is
    a complete result). Any other exception removes the temp file and propagates."""
    if path is None:
        stream = sys.stdout.buffer if binary else sys.stdout
        yield _Target(stream, sys.stdout.buffer)
        stream.flush()
        return
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        typer.echo(f"error: cannot write {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2)
    fh = os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""}))
    target = _Target(fh, fh if binary else None)
    commit = False
    try:
        yield target
        commit = True
    except typer.Exit as exc:
        commit = exc.exit_code in (0, 1)
        raise
    finally:
        try:
            fh.close()
            if commit and not target.discarded:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)       # mkstemp makes 0600; a result file is an ordinary file
                os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def write_output(path: Optional[Path], data: str | bytes) -> None:
    """Write a finished output (text or bytes) to `path` atomically, or to standard output."""
    binary = isinstance(data, bytes)
    with atomic_output(path, binary=binary) as out:
        out.stream.write(data)
