"""Crash containment: a worker that dies or hangs mid-assessment costs its own request (503 with
Retry-After) and nothing else; the pool replaces it and the service stays healthy.

The server is the real app under uvicorn, started by tests/service_testserver.py with the
test-only crash hook (`X-Greenpark-Test-Crash`); `greenpark serve` never enables it.
"""
from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from service_support import example_parks, make_key, start_server


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crash")
    db_url = f"sqlite:///{tmp / 'decisions.db'}"
    _, token = make_key(db_url, "portal")
    server = start_server(db_url, tmp, test_hooks=True, args=["--workers", "2", "--timeout", "3"])
    yield {"server": server, "headers": {"Authorization": f"Bearer {token}"}, "parks": example_parks()}
    server.stop()


def _metric(text: str, name: str) -> float:
    m = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


async def _crash_among_others(env, mode: str) -> None:
    url, headers, parks = env["server"].url, env["headers"], env["parks"]
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as c:
        async def normal(i: int) -> httpx.Response:
            return await c.post("/v1/assessments", json=parks[i % len(parks)])

        crash = c.post("/v1/assessments", json=parks[0], headers={"X-Greenpark-Test-Crash": mode})
        results = await asyncio.gather(crash, *(normal(i) for i in range(8)))
        bad, others = results[0], results[1:]
        assert bad.status_code == 503, bad.text
        assert bad.headers["retry-after"] == "1"
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in bad.text
        assert [r.status_code for r in others] == [200] * 8        # nobody else was affected
        for i, r in enumerate(others):
            assert r.json()["park_id"] == parks[i % len(parks)]["profile"]["id"]
        # healthy afterwards: the next request succeeds and the pool is back to full strength
        nxt = await c.post("/v1/assessments", json=parks[1])
        assert nxt.status_code == 200, nxt.text
        for _ in range(100):
            ready = (await c.get("/readyz")).json()
            if ready["workers_ready"] == 2:
                break
            await asyncio.sleep(0.1)
        assert ready == {"status": "ok", "workers_ready": 2, "database": "ok"}


@pytest.mark.parametrize("mode", ["kill", "segv"])
def test_worker_dies_mid_assessment(env, mode):
    asyncio.run(_crash_among_others(env, mode))
    text = httpx.get(env["server"].url + "/metrics").text
    assert _metric(text, 'greenpark_worker_restarts_total{reason="crash"}') >= 1


def test_worker_hangs_past_the_timeout(env):
    asyncio.run(_crash_among_others(env, "hang"))
    text = httpx.get(env["server"].url + "/metrics").text
    assert _metric(text, 'greenpark_worker_restarts_total{reason="timeout"}') == 1


def test_worker_dying_mid_write_leaves_no_record(env):
    """Killed inside the decision-log transaction (row written, not committed): 503, no record,
    the log still takes writes, and the next decision is there whole."""
    url, headers, parks = env["server"].url, env["headers"], env["parks"]
    with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
        park = parks[2]
        before = c.get("/v1/assessments", params={"park_id": park["profile"]["id"]}).json()["total"]
        bad = c.post("/v1/assessments", json=park, headers={"X-Greenpark-Test-Crash": "kill-in-log"})
        assert bad.status_code == 503 and bad.headers["retry-after"] == "1"
        assert c.get("/v1/assessments", params={"park_id": park["profile"]["id"]}).json()["total"] == before
        ok = c.post("/v1/assessments", json=park)
        assert ok.status_code == 200, ok.text
        listed = c.get("/v1/assessments", params={"park_id": park["profile"]["id"]}).json()
        assert listed["total"] == before + 1 and listed["items"][0]["decision_id"] == ok.json()["decision_id"]
        assert c.get(ok.headers["location"]).content == ok.content


def test_crash_hook_is_off_in_serve(tmp_path):
    """`greenpark serve` ignores the header: the same request is simply assessed."""
    from engine.service.config import Settings
    assert Settings().allow_test_crash is False
    import inspect
    from engine.cli import serve
    assert "allow_test_crash" not in inspect.getsource(serve)
