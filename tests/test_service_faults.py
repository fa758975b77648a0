"""Faults from outside the server, on the real server (uvicorn in a subprocess, loopback):

* the decision log becomes read-only and then writable again: requests fail with 503 while it is
  read-only, /readyz says so, and every worker writes again once it is writable (issue 9, item 2);
* a client hangs up in the middle of its upload: one INFO line, no traceback, 499 in /metrics,
  not a 500 (item 6).

How the read-only database is made: `chmod 0444` on the SQLite file, as an operator's mistake or
a read-only mount would leave it. Root ignores file modes, so when the tests run as root the
server is started without the capabilities that let it (`service_support._obey_file_modes`:
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding set, inherited by the workers);
it then meets the mode exactly as a service account would. SQLite opens a file it may not write
read-only without complaint, and such a connection stays read-only after the mode is restored,
which is what kept half the requests failing before the log learnt to reconnect.
"""
from __future__ import annotations

import asyncio
import os
import re
import socket
import time

import httpx
import pytest

from service_support import example_parks, make_key, start_server


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    db = tmp / "decisions.db"
    _, token = make_key(f"sqlite:///{db}", "portal")
    # the workers connect to the log on their first write, so none has connected yet
    server = start_server(f"sqlite:///{db}", tmp, args=["--workers", "2"], log_level="info", obey_file_modes=True)
    yield {"server": server, "db": db, "headers": {"Authorization": f"Bearer {token}"}, "park": example_parks()[1]}
    os.chmod(db, 0o644)
    server.stop()


async def _four_at_once(env) -> list[httpx.Response]:
    """Four assessments at once, so that both workers take some."""
    async with httpx.AsyncClient(base_url=env["server"].url, headers=env["headers"], timeout=60) as c:
        return list(await asyncio.gather(*(c.post("/v1/assessments", json=env["park"]) for _ in range(4))))


def test_a_log_that_was_read_only_is_written_again_once_writable(env):
    url = env["server"].url
    os.chmod(env["db"], 0o444)
    try:
        ready = httpx.get(url + "/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "down"        # it tests a write
        failed = asyncio.run(_four_at_once(env))
        assert [r.status_code for r in failed] == [503] * 4
        assert all(r.json()["type"].endswith("/decision-log-unavailable") for r in failed)
    finally:
        os.chmod(env["db"], 0o644)
    deadline = time.monotonic() + 10       # the next probe, or the one after, sees the write access
    while (ready := httpx.get(url + "/readyz")).status_code != 200:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.2)
    assert ready.json() == {"status": "ok", "workers_ready": 2, "database": "ok"}
    for _ in range(3):          # both workers had connected read-only; each must have reconnected
        assert [r.status_code for r in asyncio.run(_four_at_once(env))] == [200] * 4
    listed = httpx.get(url + "/v1/assessments", headers=env["headers"]).json()
    assert listed["total"] == 12                                        # none of the refused ones


def _metric(url: str, status: int) -> int:
    text = httpx.get(url + "/metrics").text
    m = re.search(rf'^greenpark_http_requests_total\{{method="POST",route="/v1/assessments",status="{status}"\}} (\d+)$',
                  text, re.M)
    return int(m.group(1)) if m else 0


def test_a_client_that_hangs_up_mid_upload_is_a_499_not_a_server_error(env):
    server = env["server"]
    host, port = server.url.removeprefix("http://").split(":")
    head = (f"POST /v1/assessments HTTP/1.1\r\nHost: {host}\r\nAuthorization: {env['headers']['Authorization']}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n").encode()
    before = len(server.output())
    with socket.create_connection((host, int(port))) as s:
        s.sendall(head + b'{"profile": {' + b" " * 5000)       # 5 KB of the 100 KB announced, then gone
        time.sleep(0.2)
    deadline = time.monotonic() + 10
    while _metric(server.url, 499) < 1:
        assert time.monotonic() < deadline, httpx.get(server.url + "/metrics").text
        time.sleep(0.05)
    assert _metric(server.url, 500) == 0
    log = server.output()[before:]
    assert "INFO greenpark.service: client closed the connection during POST /v1/assessments (after 5" in log
    assert "Traceback" not in log and " ERROR " not in log, log
