"""Each assessed park's view written to stdout as soon as it is ready (`greenpark assess`).

Table and Markdown: one view per park, named by its file when there are several inputs. JSON: the
result itself for one input; for several inputs (several paths or a folder) a JSON array, written
element by element, of `{"file", "result"}` or, for input that could not be assessed,
`{"file", "errors"}` (the same lines as on stderr). With `--only`, each result keeps only those
findings and says so in `"only"`. JSON is written in result format 2 (docs/result.md) unless
format 1 is asked for, with the engine trace only when asked for.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, Any

from .json_out import render_json
from .selection import ViewOptions, filter_result

__all__ = ["ParkStream"]


class ParkStream:
    """Writes park after park in one format.

    Example:
        >>> out = ParkStream("json", several=True)                   # doctest: +SKIP
        >>> out.write("a.yaml", result, []); out.write("b.yaml", None, ["b.yaml:3:1: ..."]); out.close()

    Args:
        format (str): "table", "markdown" or "json".
        lang (str): "zh" or "en". Default "zh".
        view (ViewOptions | None): what table and Markdown list; its `only` also filters JSON. Default None.
        several (bool): several inputs: name each park's file; JSON as an array. Default False.
        file (IO | None): where to write. Default None: `sys.stdout`.
        result_format (int): the JSON result format, 1 or 2. Default 2.
        trace (bool): format 2 JSON keeps each finding's engine trace. Default False.
    """

    def __init__(self, format: str, *, lang: str = "zh", view: ViewOptions | None = None, several: bool = False,
                 file: IO | None = None, result_format: int = 2, trace: bool = False,
                 rules_of: Callable[[dict], Any] | None = None):
        self.format, self.lang, self.view, self.several = format, lang, view or ViewOptions(), several
        self.result_format, self.trace, self.rules_of = result_format, trace, rules_of
        self.file = file
        self.count = 0

    @property
    def out(self) -> IO:
        return self.file if self.file is not None else sys.stdout

    def write(self, label: str, result: dict | None, errors: list[str]) -> None:
        """One park: its result, or (None, the error lines) when it could not be assessed."""
        if self.format == "json":
            self._json(label, result, errors)
        elif result is None:
            return
        elif self.format == "markdown":
            from .markdown import render_markdown
            self.out.write(("\n" if self.count else "") + render_markdown(
                result, lang=self.lang, view=self.view, source=label if self.several else None))
        else:
            from rich.console import Console

            from .table import AssessmentView
            Console(file=self.file, soft_wrap=False).print(
                AssessmentView(result, lang=self.lang, view=self.view, source=label if self.several else None))
        self.count += 1
        self.out.flush()

    def json_form(self, result: dict) -> dict:
        """What `write` puts out as JSON for `result`: `--only` applied, in the result format asked
        for. A caller may call it first and drop the full record before writing (a large park's
        format 1 record is several times its format 2 JSON)."""
        from ..result_format import as_format
        if self.view.only is not None and "only" not in result:
            result = filter_result(result, self.view.only)
        return as_format(result, self.result_format, trace=self.trace,
                         rules=self.rules_of(result) if self.rules_of is not None else None)

    def _json(self, label: str, result: dict | None, errors: list[str]) -> None:
        if result is not None:
            result = self.json_form(result)
        if not self.several:
            if result is not None:
                self.out.write(render_json(result) + "\n")
            return
        entry = {"file": label, "result": result} if result is not None else {"file": label, "errors": errors}
        body = "\n".join("  " + line for line in render_json(entry).splitlines())
        self.out.write(("[\n" if not self.count else ",\n") + body)

    def close(self) -> None:
        """End the JSON array of several inputs."""
        if self.format == "json" and self.several:
            self.out.write("\n]\n" if self.count else "[]\n")
            self.out.flush()
