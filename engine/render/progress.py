"""A progress bar on stderr while several parks are assessed (`greenpark assess DIR`).

It shows only when there is more than one park and the stream is a terminal, so nothing of it
reaches a pipe, a file or a JSON consumer; output written inside `paused()` never mixes with it.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import IO, Iterator

__all__ = ["ParkProgress"]


class ParkProgress:
    """Context manager around a rich `Progress` of `total` parks.

    Example:
        >>> with ParkProgress(len(files)) as bar:            # doctest: +SKIP
        ...     for f in files:
        ...         bar.show(f); result = assess(f)
        ...         with bar.paused(): print_view(result)
        ...         bar.advance()

    Args:
        total (int): how many parks; the bar shows only for more than one.
        stream (IO | None): where the bar goes. Default None: `sys.stderr`.
    """

    def __init__(self, total: int, *, stream: IO | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.total, self.bar, self.task = total, None, None

    @property
    def active(self) -> bool:
        return self.bar is not None

    def __enter__(self) -> ParkProgress:
        isatty = getattr(self.stream, "isatty", None)
        if self.total > 1 and isatty is not None and isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(file=self.stream), transient=True,
                                redirect_stdout=False, redirect_stderr=False)
            self.task = self.bar.add_task("", total=self.total)
            self.bar.start()
        return self

    def show(self, label: str) -> None:
        """Name the park being assessed."""
        if self.bar is not None:
            self.bar.update(self.task, description=label)

    def advance(self) -> None:
        """One more park done."""
        if self.bar is not None:
            self.bar.advance(self.task)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Take the bar off the screen while something else is written."""
        if self.bar is None:
            yield
            return
        self.bar.stop()
        try:
            yield
        finally:
            self.bar.start()

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
