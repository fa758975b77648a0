"""Headless chromium driven over the DevTools protocol on a pipe, for the dossier's browser tests.
Not a test module (no `test_` prefix).

Chromium reads protocol messages from fd 3 and writes to fd 4 (`--remote-debugging-pipe`), each a
JSON object ending in NUL. Nothing is downloaded: the machine's chromium (Debian's package), a
fresh empty profile, the flags that keep it off the network, pages from local files.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from engine.render.dossier.browser import FLAGS


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "Debian's chromium is not installed (apt-get install chromium; make test installs it as root)"
    if not Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists() and \
            "Noto Sans CJK" not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout:
        return "fonts-noto-cjk is not installed (apt-get install fonts-noto-cjk)"
    if not shutil.which("pdffonts"):
        return "poppler-utils (pdffonts) is not installed (apt-get install poppler-utils)"
    return None


class Browser:
    """One chromium process; `page()` opens a tab attached in flat mode."""

    def __init__(self) -> None:
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        self.tmp = tempfile.mkdtemp(prefix="greenpark-cdp-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:              # in the child: the pipe ends become fds 3 and 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)
            for fd in (3, 4):       # dup2 onto itself (a pipe end that already was fd 3) keeps close-on-exec
                os.set_inheritable(fd, True)
            os.setsid()
        self.proc = subprocess.Popen([exe, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self.tmp}/profile",
                                      "about:blank"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, close_fds=False, preexec_fn=wire,
                                     env={**os.environ, "HOME": self.tmp})
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (events that arrive meanwhile are dropped)."""
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self._buf:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"chromium closed the pipe during {method}")
                self._buf += chunk
            raw, self._buf = self._buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def page(self, url: str, *, width: int, media: str = "screen") -> "Page":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.layout(width, media)
        page.send("Page.enable")
        page.send("Page.navigate", {"url": url})
        page.eval("new Promise(r => document.readyState === 'complete' ? r() : addEventListener('load', () => r()))"
                  ".then(() => document.fonts.ready).then(() => true)")
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


class Page:
    """A tab: evaluate script, query fonts, take screenshots."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def layout(self, width: int, media: str) -> None:
        """A viewport `width` CSS px wide (A4's printable width is 688 px) with `media` emulated."""
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 1123, "deviceScaleFactor": 1,
                                                         "mobile": False})
        self.send("Emulation.setEmulatedMedia", {"media": media})

    def eval(self, expression: str) -> Any:
        out = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in out:
            raise RuntimeError(f"script failed: {out['exceptionDetails']}")
        return out["result"].get("value")

    def fonts_of(self, selector: str) -> list[dict]:
        """The platform fonts chromium used to draw the text of the first node matching `selector`
        (family, PostScript name, glyph count)."""
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return self.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]

    def screenshot(self, clip: dict | None = None) -> bytes:
        import base64
        params: dict[str, Any] = {"format": "png"}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
