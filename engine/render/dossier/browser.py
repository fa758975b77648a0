"""Headless chromium as a command: print a page to PDF, screenshot it, or dump its DOM.

The only module that starts a browser. It uses the machine's chromium (Debian's package
`chromium`; `make` and `.ci/run` install it) and downloads nothing: each run gets a new empty
profile (`--user-data-dir` in a temporary folder) and the flags that keep chromium off the
network, and the page is a local file.

Example:
    >>> pdf = Chromium().print_pdf("<!DOCTYPE html><p>绿色低碳</p>")      # doctest: +SKIP
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ...errors import RendererUnavailable

__all__ = ["Chromium", "find_chromium", "FLAGS"]

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars")
INSTALL_HINT = "install Debian's chromium (as root: apt-get install -y chromium), or pass its path"


def find_chromium(executable: str | None = None) -> str:
    """The chromium executable: `executable` if given (a path or a name on PATH), else the first
    of `CANDIDATES` on PATH.

    Raises:
        RendererUnavailable: none is installed.
    """
    for name in ([executable] if executable else CANDIDATES):
        found = shutil.which(name)
        if found:
            return found
    wanted = executable or " / ".join(CANDIDATES)
    raise RendererUnavailable(f"headless chromium is needed for this format, but {wanted} was not found: "
                              f"{INSTALL_HINT}")


class Chromium:
    """One chromium executable, run once per call with a fresh profile.

    Args:
        executable: path or name of the browser (default: found on PATH, `find_chromium`).
        timeout: seconds a run may take before it is killed (default 90).
    """

    def __init__(self, executable: str | None = None, *, timeout: float = 90.0):
        self.executable = find_chromium(executable)
        self.timeout = timeout

    def _run(self, html: str, args: list[str], out_name: str | None) -> tuple[bytes, bytes]:
        with tempfile.TemporaryDirectory(prefix="greenpark-chromium-") as tmp:
            page = Path(tmp) / "page.html"
            page.write_text(html, encoding="utf-8")
            out = Path(tmp) / out_name if out_name else None
            cmd = [self.executable, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
                   *[a.replace("{out}", str(out)) for a in args], page.as_uri()]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                    start_new_session=True, env={**os.environ, "HOME": tmp})
            try:
                stdout, stderr = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise RendererUnavailable(f"chromium did not finish within {self.timeout:g} s") from None
            finally:
                try:                                   # helpers chromium may leave behind
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if out is not None:
                if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
                    tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
                    raise RendererUnavailable(f"chromium failed (exit {proc.returncode}): " + " | ".join(tail))
                return out.read_bytes(), stderr
            if proc.returncode != 0:
                tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
                raise RendererUnavailable(f"chromium failed (exit {proc.returncode}): " + " | ".join(tail))
            return stdout, stderr

    def print_pdf(self, html: str) -> bytes:
        """The page printed to PDF as its own CSS `@page` says (A4), without browser headers."""
        data, _ = self._run(html, ["--no-pdf-header-footer", "--generate-pdf-document-outline",
                                   "--print-to-pdf={out}"], "page.pdf")
        return data

    def screenshot(self, html: str, *, width: int = 1240, height: int = 1754) -> bytes:
        """A PNG of the page's first `width` x `height` CSS pixels."""
        data, _ = self._run(html, [f"--window-size={width},{height}", "--screenshot={out}"], "shot.png")
        return data

    def dump_dom(self, html: str, *, width: int = 794, budget_ms: int = 3000) -> str:
        """The DOM after the page's scripts ran (`--virtual-time-budget` lets them finish)."""
        stdout, _ = self._run(html, [f"--window-size={width},1123", f"--virtual-time-budget={budget_ms}",
                                     "--dump-dom"], None)
        return stdout.decode("utf-8", errors="replace")
