"""Helpers for the service tests: start the real server (uvicorn in a subprocess) on a free
loopback port, make keys, and stop it again. Not a test module (no `test_` prefix)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, so a killed pytest leaks no server."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _obey_file_modes() -> None:
    """In the child, when the tests run as root: give up the capabilities that let root ignore file
    permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), for this process and everything it
    starts, so that a file made read-only with chmod is read-only to the server as it would be to
    a service account. Without root the modes bind anyway and there is nothing to give up."""
    import ctypes
    _die_with_parent()
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running server process."""

    proc: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(db_url: str, tmp: Path, *, args: list[str] | None = None, test_hooks: bool = False,
                 wait: float = 60.0, log_level: str = "warning", obey_file_modes: bool = False) -> Server:
    """`greenpark serve` (or, with `test_hooks`, tests/service_testserver.py, the same app with the
    worker-crash hook enabled) on a free port; returns once /readyz answers 200. With
    `obey_file_modes` the server is subject to file permissions even when the tests run as root
    (`_obey_file_modes`)."""
    port = free_port()
    script = [str(ROOT / "tests" / "service_testserver.py")] if test_hooks else [str(ROOT / "cli.py"), "serve"]
    cmd = [sys.executable, *script, "--port", str(port), "--db-url", db_url, "--log-level", log_level, *(args or [])]
    log = tmp / f"server-{port}.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=_obey_file_modes if obey_file_modes else _die_with_parent)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return Server(proc, url, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server = Server(proc, url, log)
    server.stop()
    raise RuntimeError(f"server not ready in {wait} s:\n{server.output()}")


def make_key(db_url: str, role: str, name: str = "") -> tuple[str, str]:
    """(key_id, token) created directly in the key store."""
    from engine.service.db import make_engine
    from engine.service.keys import KeyStore
    engine = make_engine(db_url)
    try:
        return KeyStore(engine).create(role, name)
    finally:
        engine.dispose()


def example_parks() -> list[dict]:
    import yaml
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.yaml"))]
