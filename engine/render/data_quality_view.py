"""The data-quality warnings of a result (`result["data_quality"]`, `engine.quality`) for people:
a short panel under the summary in the terminal, a section in Markdown, rows for the dossier.

Each warning shows where (the park-file path), what (the message) and what to check; a result
without warnings (or from before they existed) shows nothing. They are stated to leave every
verdict as it is.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["DataQualityPanel", "data_quality_markdown", "data_quality_rows", "TITLE", "NOTE"]

TITLE = {"zh": "数据质量提示", "en": "Data-quality warnings"}
NOTE = {"zh": "以下提示供核对数据，不改变任何判定结论。",
        "en": "These point at data to check; they do not change any verdict."}
_SEP = {"zh": "：", "en": ": "}


def data_quality_rows(result: dict, lang: str) -> list[dict]:
    """`{code, path, message, check}` in `lang` for each warning of `result` (none: [])."""
    lang = "zh" if lang == "zh" else "en"
    return [{"code": w.get("code", ""), "path": w.get("path", ""), "message": (w.get("message") or {}).get(lang, ""),
             "check": (w.get("check") or {}).get(lang, "")} for w in result.get("data_quality") or []]


class DataQualityPanel:
    """The warnings as a panel, one entry per warning; nothing when there are none.

    Example:
        >>> Console(width=100).print(DataQualityPanel(result, lang="en"))   # doctest: +SKIP

    Args:
        result (dict): an assessment result.
        lang (str): "zh" or "en". Default "zh".
    """

    def __init__(self, result: dict, *, lang: str = "zh"):
        self.rows, self.lang = data_quality_rows(result, lang), lang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            return
        lang = "zh" if self.lang == "zh" else "en"
        lines = [Text(NOTE[lang], style="dim")]
        for row in self.rows:
            lines.append(Text.assemble(("• ", "yellow"), (row["path"], "cyan"), "  ", row["message"]))
            lines.append(Text(f"  → {row['check']}", style="dim"))
        title = f"{TITLE[lang]}（{len(self.rows)}）" if lang == "zh" else f"{TITLE[lang]} ({len(self.rows)})"
        yield Panel(Text("\n").join(lines), title=title, border_style="yellow", expand=True)


def data_quality_markdown(result: dict, lang: str) -> list[str]:
    """Markdown lines of the section (a `##` heading, the note and one item per warning); [] when
    there are no warnings."""
    rows = data_quality_rows(result, lang)
    if not rows:
        return []
    lang = "zh" if lang == "zh" else "en"
    lines = ["", f"## {TITLE[lang]}", "", f"*{NOTE[lang]}*", ""]
    for row in rows:
        lines.append(f"- `{row['path']}`{_SEP[lang]}{_one_line(row['message'])}。" if lang == "zh" else
                     f"- `{row['path']}`: {_one_line(row['message'])}.")
        lines.append(f"  → {_one_line(row['check'])}{'。' if lang == 'zh' else '.'}")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


if __name__ == "__main__":  # pragma: no cover - demo on the example park
    from rich.console import Console

    from ..assessment import Assessor
    from ..facts.loader import load_park
    Console().print(DataQualityPanel(Assessor().assess(load_park("examples/coal_chemical_park.yaml"))))
