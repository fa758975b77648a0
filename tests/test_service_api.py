"""The HTTP service end to end: the real server (`greenpark serve` under uvicorn, in a
subprocess, on a free loopback port, with a temporary SQLite file and temporary keys).

Covers every endpoint and the 401/403/404/413/415/422 cases, 32 concurrent clients, batches that
are validated whole before any park is assessed, the per-request result budget
(`--max-result-bytes`), OPTIONS and `Allow`, a bounded schemathesis run against /openapi.json with
all its checks (no 5xx, no contract failure), and a decision read back after a restart.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from service_support import ROOT, example_parks, make_key, start_server

sys.path.insert(0, str(ROOT / "bench"))
from make_parks import random_park  # noqa: E402

MAX_BODY = 1_000_000
JSON = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"    # POST /v1/assessments alone
MAX_RESULT = 2_000_000          # --max-result-bytes: four typical results fit, a park of 60 years does not
SERVER_ARGS = ["--max-body", str(MAX_BODY), "--max-batch", "4", "--max-result-bytes", str(MAX_RESULT)]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service")
    db_url = f"sqlite:///{tmp / 'decisions.db'}"
    # the regulator key through the CLI command, the others straight into the store
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "keys", "create", "--role", "regulator",
                          "--name", "supervisor", "--db-url", db_url], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    fields = dict(line.split(":", 1) for line in out.stdout.strip().splitlines())
    keys = {"regulator": (fields["key_id"].strip(), fields["token"].strip())}
    for role in ("planner", "portal"):
        keys[role] = make_key(db_url, role, f"test {role}")
    keys["portal2"] = make_key(db_url, "portal", "another portal")
    keys["revoked"] = make_key(db_url, "portal", "to revoke")
    server = start_server(db_url, tmp, args=[*SERVER_ARGS, "--workers", "2"])
    state = {"db_url": db_url, "tmp": tmp, "keys": keys, "server": server}
    yield state
    state["server"].stop()          # the restart test replaces the server


def auth(env, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {env['keys'][who][1]}"}


@pytest.fixture(scope="module")
def client(env):
    with httpx.Client(base_url=env["server"].url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def parks():
    return example_parks()


def is_problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body) and body["status"] == status
    assert "Traceback" not in r.text
    return body


def test_operations_endpoints_need_no_key(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok" and ready["workers_ready"] == 2
    text = client.get("/metrics")
    assert text.headers["content-type"].startswith("text/plain")
    assert "# TYPE greenpark_http_requests_total counter" in text.text
    assert 'greenpark_workers{state="ready"} 2' in text.text
    doc = client.get("/openapi.json").json()
    assert "/v1/assessments" in doc["paths"] and "Park" in doc["components"]["schemas"]
    body = doc["paths"]["/v1/assessments"]["post"]["requestBody"]["content"]["application/json"]
    assert body["examples"]["typical"]["value"]["profile"]["id"]
    assert client.get("/docs").status_code == 200


def test_assess_and_read_back(env, client, parks):
    r = client.post("/v1/assessments", params={"lang": "en"}, json=parks[0], headers=auth(env, "portal"))
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["decision_id"].startswith("d_") and result["park_id"] == parks[0]["profile"]["id"]
    assert result["findings"] and result["ruleset"]["digest"] and r.headers["content-language"] == "en"
    assert r.headers["location"] == f"/v1/assessments/{result['decision_id']}"
    # stored exactly as returned
    again = client.get(f"/v1/assessments/{result['decision_id']}", headers=auth(env, "portal"))
    assert again.status_code == 200 and again.content == r.content
    # the regulator sees it; another portal does not (404, no leak), nor the planner
    assert client.get(r.headers["location"], headers=auth(env, "regulator")).content == r.content
    is_problem(client.get(r.headers["location"], headers=auth(env, "portal2")), 404)
    is_problem(client.get(r.headers["location"], headers=auth(env, "planner")), 404)
    # X-API-Key works as well as Bearer
    assert client.get(r.headers["location"], headers={"X-API-Key": env["keys"]["portal"][1]}).status_code == 200
    env["decision"] = (result["decision_id"], r.content)


def test_gzip_when_the_caller_accepts_it(env, client):
    decision_id, content = env["decision"]
    url = f"/v1/assessments/{decision_id}"
    plain = client.get(url, headers={**auth(env, "portal"), "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == content
    packed = client.get(url, headers={**auth(env, "portal"), "Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.headers["vary"] == "Accept-Encoding"
    assert packed.content == content                                   # httpx decodes it
    assert packed.num_bytes_downloaded < len(content) / 3
    refused = client.get(url, headers={**auth(env, "portal"), "Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_input_and_replay(env, client, parks):
    """A decision's input comes back byte for byte, and replaying it reproduces the result."""
    park = json.loads(json.dumps(parks[1]))
    park["profile"]["id"] = "replay-park"               # its own park: other tests count decisions per park
    body = json.dumps(park, ensure_ascii=False, indent=1).encode()
    r = client.post("/v1/assessments", content=body, headers={**auth(env, "portal"), "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    loc = r.headers["location"]
    got = client.get(loc + "/input", headers=auth(env, "portal"))
    assert got.status_code == 200 and got.content == body
    is_problem(client.get(loc + "/input", headers=auth(env, "portal2")), 404)
    for who in ("portal", "regulator"):
        rep = client.post(loc + "/replay", headers=auth(env, who))
        assert rep.status_code == 200, rep.text
        report = rep.json()
        assert report["reproduced"] is True and report["differences"] == []
        assert report["ruleset"]["version"] == r.json()["ruleset"]["versions"]["ruleset"]
        assert report["ruleset"]["digest_then"] == report["ruleset"]["digest_now"] == r.json()["ruleset"]["digest"]
        assert report["ruleset"]["profile"] == r.json()["ruleset"]["profile"]
    is_problem(client.post(loc + "/replay", headers=auth(env, "portal2")), 404)
    listed = client.get("/v1/assessments", params={"park_id": "replay-park"}, headers=auth(env, "regulator")).json()
    assert [d["decision_id"] for d in listed["items"]] == [r.json()["decision_id"]]   # replays are not logged

    # a record whose stored result is not what the engine gives (written straight into the log)
    from datetime import datetime, timezone

    from engine.service.db import make_engine
    from engine.service.decisions import Decision, DecisionLog
    stored = r.json()
    stored["findings"][0]["status"] = "tampered"
    engine = make_engine(env["db_url"])
    log = DecisionLog(engine)
    for decision_id, version in (("d_" + "e" * 32, stored["ruleset"]["versions"]["ruleset"]), ("d_" + "f" * 32, "0.0.1")):
        stored["decision_id"] = decision_id
        log.append(Decision(decision_id, datetime.now(timezone.utc), env["keys"]["portal"][0], "replay-tampered", body,
                            stored["input_digest"], version, stored["ruleset"]["versions"], stored["ruleset"]["digest"],
                            json.dumps(stored, ensure_ascii=False).encode()))
    engine.dispose()
    rep = client.post("/v1/assessments/d_" + "e" * 32 + "/replay", headers=auth(env, "portal")).json()
    # the status is named; an explanation said by its rule's sentence for the old status (a list of
    # slots) cannot be read under the new one, so it is named too, when it was one
    templated = [lang for lang, v in r.json()["findings"][0]["explanation"].items() if isinstance(v, list)]
    assert rep["reproduced"] is False
    assert rep["differences"] == [f"findings[0].explanation.{lang}" for lang in sorted(templated)] + \
        ["findings[0].status"]
    is_problem(client.post("/v1/assessments/d_" + "f" * 32 + "/replay", headers=auth(env, "portal")), 404)


def test_listing_newest_first_paginated_and_scoped(env, client, parks):
    park = parks[1]
    ids = []
    for who in ("planner", "planner", "portal"):
        r = client.post("/v1/assessments", json=park, headers=auth(env, who))
        assert r.status_code == 200, r.text
        ids.append(r.json()["decision_id"])
    pid = park["profile"]["id"]
    page1 = client.get("/v1/assessments", params={"park_id": pid, "limit": 1}, headers=auth(env, "planner")).json()
    assert page1["total"] == 2 and [d["decision_id"] for d in page1["items"]] == [ids[1]]
    assert page1["next_offset"] == 1
    page2 = client.get("/v1/assessments", params={"park_id": pid, "limit": 1, "offset": 1},
                       headers=auth(env, "planner")).json()
    assert [d["decision_id"] for d in page2["items"]] == [ids[0]] and page2["next_offset"] is None
    everything = client.get("/v1/assessments", params={"park_id": pid}, headers=auth(env, "regulator")).json()
    assert [d["decision_id"] for d in everything["items"]] == ids[::-1]
    item = everything["items"][0]
    assert item["key_id"] == env["keys"]["portal"][0] and len(item["input_digest"]) == 64
    assert client.get("/v1/assessments", params={"park_id": "no-such-park"},
                      headers=auth(env, "regulator")).json()["total"] == 0


def test_a_yaml_park_file_is_assessed_like_its_json_and_listed_with_its_figures(env, client, parks):
    """The example park file as written (YAML) gives the input digest of the same facts sent as
    JSON; a decision list row carries the result's figures without the result."""
    h = auth(env, "portal")
    text = (ROOT / "examples" / "typical_municipal_park.yaml").read_bytes()
    as_yaml = client.post("/v1/assessments", content=text, headers={**h, "Content-Type": "application/yaml"})
    assert as_yaml.status_code == 200, as_yaml.text
    park = next(p for p in parks if p["profile"]["id"] == as_yaml.json()["park_id"])
    as_json = client.post("/v1/assessments", json=park, headers=h).json()
    assert as_yaml.json()["input_digest"] == as_json["input_digest"]
    assert client.get(as_yaml.headers["location"] + "/input", headers=h).json() == park
    rows = client.get("/v1/assessments", params={"park_id": park["profile"]["id"], "limit": 2}, headers=h).json()
    result = as_json
    row = next(i for i in rows["items"] if i["decision_id"] == result["decision_id"])["summary"]
    s = result["summary"]
    assert row["compliance_rate"] == s["compliance_rate"] and row["decided"] == s["decided"]
    data = s["data_checks"]      # counted apart from the rate, and so from the row's counts
    assert (row["met"], row["not_met"], row["undecided"]) == (s["by_status"]["met"] - data["met"],
                                                             s["by_status"]["not_met"] - data["not_met"],
                                                             s["undecided"])
    from engine.result_format import expand
    assert row["problems"] == sum(1 for f in expand(result)["findings"] if f["kind"] == "problem"
                                  and not f.get("folded_into"))
    assert row["measures"] == s["by_kind"]["measure"] and row["profile"] == result["ruleset"]["profile"]
    assert row["conclusion"] == s["conclusion"] and row["data_quality"] == len(result["data_quality"])


def _count(env, client, park_id: str) -> int:
    return client.get("/v1/assessments", params={"park_id": park_id}, headers=auth(env, "regulator")).json()["total"]


def _renamed(park: dict, park_id: str) -> dict:
    park = json.loads(json.dumps(park))
    park["profile"]["id"] = park_id
    return park


def test_batch(env, client, parks):
    ok = [_renamed(parks[0], "batch-a"), _renamed(parks[2], "batch-b")]
    r = client.post("/v1/assessments/batch", json={"parks": ok}, headers=auth(env, "portal"))
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert [x["status"] for x in res] == [200, 200] and [x["index"] for x in res] == [0, 1]
    assert res[0]["result"]["park_id"] == "batch-a"
    stored = client.get(f"/v1/assessments/{res[1]['result']['decision_id']}", headers=auth(env, "portal")).json()
    assert stored == res[1]["result"]
    # one invalid park: the whole batch is refused, naming it, and nothing is assessed or logged
    bad = _renamed(parks[2], "batch-c")
    bad["years"][0]["energy"]["coal"] = "-5 t"
    body = is_problem(client.post("/v1/assessments/batch", json={"parks": [_renamed(parks[0], "batch-c"), bad]},
                                  headers=auth(env, "portal")), 422)
    assert "park(s) 1 of 2" in body["detail"] and "nothing was assessed" in body["detail"]
    assert [e["path"] for e in body["errors"]] == ["parks[1].years[0].energy.coal"]
    assert _count(env, client, "batch-c") == 0
    # an unknown profile: 404 for the batch, not one per park
    is_problem(client.post("/v1/assessments/batch", params={"profile": "no-such-profile"}, json={"parks": ok},
                           headers=auth(env, "portal")), 404)
    is_problem(client.post("/v1/assessments/batch", json={"parks": []}, headers=auth(env, "portal")), 422)
    is_problem(client.post("/v1/assessments/batch", json={"parks": [parks[0]] * 5}, headers=auth(env, "portal")), 422)
    is_problem(client.post("/v1/assessments/batch", json={"parks": [parks[0]]}, headers=auth(env, "planner")), 403)


def test_to_comply_on_request_replayed_and_in_the_planners_brief(env, client, parks):
    """`?to_comply=true` adds the minimal change to comply to the result (and the decision); a
    replay of that decision reproduces it; the planner's brief of a decision made without it
    still shows it (solved when rendered)."""
    park = parks[2]                                                  # typical_municipal_park
    r = client.post("/v1/assessments", params={"to_comply": "true"}, json=park, headers=auth(env, "portal"))
    assert r.status_code == 200, r.text
    with_it = r.json()
    alts = [a for f in with_it["findings"] for a in f.get("to_comply", []) if a["feasible"]]
    assert with_it["to_comply"] is True and len(alts) > 10
    replay = client.post(f"/v1/assessments/{with_it['decision_id']}/replay", headers=auth(env, "portal")).json()
    assert replay["reproduced"] is True, replay["differences"]
    plain = client.post("/v1/assessments", json=park, headers=auth(env, "portal")).json()
    assert "to_comply" not in plain and not any("to_comply" in f for f in plain["findings"])
    brief = client.get(f"/v1/assessments/{plain['decision_id']}/report",
                       params={"format": "markdown", "audience": "planner"}, headers=auth(env, "portal"))
    assert brief.status_code == 200, brief.text
    assert "达标所需的最小改变" in brief.text and alts[0]["text"]["zh"] in brief.text


def test_knowledge_endpoints(env, client):
    h = auth(env, "planner")
    rulesets = client.get("/v1/rulesets", headers=h).json()
    v = rulesets["default"]
    assert v in [rs["version"] for rs in rulesets["rulesets"]] and len(rulesets["rulesets"][0]["digest"]) == 64
    detail = client.get(f"/v1/rulesets/{v}", headers=h).json()
    assert detail["version"] == v and detail["rules"] and {"id", "clauses", "kind", "title"} <= set(detail["rules"][0])
    is_problem(client.get("/v1/rulesets/9.9.9", headers=h), 404)
    clauses = client.get("/v1/clauses", headers=h).json()
    assert clauses["ruleset"] == v and any(c["id"] == "6.3" for c in clauses["clauses"])
    measures = client.get("/v1/measures", params={"ruleset": v}, headers=h).json()
    assert all(m["id"].startswith("M-") for m in measures["measures"])
    is_problem(client.get("/v1/measures", params={"ruleset": "0.0.1"}, headers=h), 404)
    schema = client.get("/v1/schema/park", headers=h).json()
    assert schema["$schema"].startswith("https://json-schema.org/") and "profile" in schema["properties"]


def test_whatif_through_the_pool_is_not_logged(env, client, parks):
    """POST /v1/whatif runs its two assessments in the real worker pool; nothing is logged; a
    regulator may simulate (it makes no decision), and a bad override is 422 naming its path."""
    reg = auth(env, "regulator")
    before = client.get("/v1/assessments", headers=reg).json()["total"]
    park = next(p for p in parks if p["profile"]["id"] == "yuze-municipal-demo")
    r = client.post("/v1/whatif", json={"park": park, "overrides": {"years[2].energy.green_electricity": "280 GWh"}},
                    headers=reg)
    assert r.status_code == 200, r.text
    assert r.headers["x-greenpark-simulation"] == "true" and r.json()["simulation"] is True
    flip = next(e for e in r.json()["flips"] if e["id"] == "PC-C-001@ind:renewable_share")
    assert (flip["before"]["status"], flip["after"]["status"]) == ("not_met", "met")
    errors = is_problem(client.post("/v1/whatif", json={"park": park, "overrides": {"years[2].energy.coal": "-5 t"}},
                                    headers=auth(env, "portal")), 422)["errors"]
    assert errors == [{"path": "overrides.years[2].energy.coal", "message": "must be >= 0 (got '-5 t')"}]
    assert client.get("/v1/assessments", headers=reg).json()["total"] == before


def test_auth_errors(env, client, parks):
    is_problem(client.get("/v1/rulesets"), 401)
    is_problem(client.get("/v1/rulesets", headers={"Authorization": "Bearer nope"}), 401)
    r = client.post("/v1/assessments", json=parks[0])
    assert is_problem(r, 401) and r.headers["www-authenticate"].startswith("Bearer")
    # a regulator reads but does not decide
    is_problem(client.post("/v1/assessments", json=parks[0], headers=auth(env, "regulator")), 403)
    # revocation through the CLI takes effect within the key cache time (1 s by default)
    assert client.get("/v1/rulesets", headers=auth(env, "revoked")).status_code == 200
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "keys", "revoke", env["keys"]["revoked"][0],
                          "--db-url", env["db_url"]], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    revoked_at = time.monotonic()
    while client.get("/v1/rulesets", headers=auth(env, "revoked")).status_code == 200:
        assert time.monotonic() - revoked_at < 1.5, "a revoked key still works after the key cache time"
        time.sleep(0.05)
    is_problem(client.get("/v1/rulesets", headers=auth(env, "revoked")), 401)


def test_input_errors(env, client, parks):
    h = auth(env, "portal")
    bad = json.loads(json.dumps(parks[0]))
    bad["years"][0]["energy"]["coal"] = "-5 t"
    bad["profile"]["bogus"] = 1
    body = is_problem(client.post("/v1/assessments", json=bad, headers=h), 422)
    paths = {e["path"] for e in body["errors"]}
    assert {"years[0].energy.coal", "profile.bogus"} <= paths
    is_problem(client.post("/v1/assessments", content=b"{not json", headers=h), 400)
    is_problem(client.post("/v1/assessments", json=[1, 2], headers=h), 422)
    is_problem(client.post("/v1/assessments", content=b"", headers=h), 400)
    is_problem(client.post("/v1/assessments", content=b"[" * 100_000 + b"]" * 100_000, headers=h), 422)  # MAX_DEPTH
    is_problem(client.post("/v1/assessments", content=b'{"a": "\xff"}', headers=h), 400)
    nan = json.dumps(parks[0]).replace('"profile": {', '"profile": {"area_km2": NaN, ', 1)
    assert "NaN" in nan
    is_problem(client.post("/v1/assessments", content=nan.encode(), headers=h), 422)
    is_problem(client.post("/v1/assessments", params={"ruleset": "7.7.7"}, json=parks[0], headers=h), 404)
    is_problem(client.post("/v1/assessments", params={"lang": "fr"}, json=parks[0], headers=h), 422)
    is_problem(client.post("/v1/assessments", params={"profile": "no-such-profile"}, json=parks[0], headers=h), 404)
    is_problem(client.get("/v1/assessments", params={"limit": 0}, headers=h), 422)
    is_problem(client.get("/v1/assessments/d_missing", headers=h), 404)
    is_problem(client.get("/v1/nowhere", headers=h), 404)
    big = b'{"x": "' + b"a" * (MAX_BODY + 10) + b'"}'
    is_problem(client.post("/v1/assessments", content=big, headers=h), 413)

    def chunks():   # no Content-Length: the limit is enforced while streaming
        for _ in range(20):
            yield b"a" * 100_000
    is_problem(client.post("/v1/assessments", content=chunks(), headers=h), 413)


def test_32_concurrent_clients_get_their_own_results(env, parks):
    import random
    bodies = list(parks)
    rng = random.Random(7)
    while len(bodies) < 32:
        p = random_park(rng)
        p["profile"]["id"] = f"rand-{len(bodies)}"
        bodies.append(p)
    # what each park must give, one at a time
    with httpx.Client(base_url=env["server"].url, timeout=120, headers=auth(env, "portal")) as c:
        expected = {}
        for p in bodies:
            r = c.post("/v1/assessments", json=p)
            assert r.status_code == 200, r.text
            expected[p["profile"]["id"]] = r.json()["input_digest"]
    results: dict[int, httpx.Response] = {}
    barrier = threading.Barrier(32)

    def client_thread(i: int) -> None:
        with httpx.Client(base_url=env["server"].url, timeout=120, headers=auth(env, "portal")) as c:
            barrier.wait()
            results[i] = c.post("/v1/assessments", json=bodies[i])

    threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = set()
    for i, r in results.items():
        assert r.status_code == 200, r.text
        got = r.json()
        pid = bodies[i]["profile"]["id"]
        assert got["park_id"] == pid and got["input_digest"] == expected[pid]
        ids.add(got["decision_id"])
    assert len(ids) == 32


def test_a_batch_with_a_lone_surrogate_is_refused_whole(env, client, parks):
    """A lone surrogate (`\\ud800`: legal JSON, not UTF-8) used to answer 500 for the batch after its
    other parks had been assessed and logged; now the batch is refused as the single endpoint refuses
    that park, and nothing is logged."""
    good, bad = _renamed(parks[1], "surrogate-a"), _renamed(parks[0], "surrogate-b")
    bad["profile"]["name"] = "SURROGATE"
    h = {**auth(env, "portal"), "Content-Type": "application/json"}
    alone = is_problem(client.post("/v1/assessments", headers=h,
                                   content=json.dumps(bad).replace("SURROGATE", "\\ud800").encode()), 422)
    assert [e["path"] for e in alone["errors"]] == ["profile.name"]
    body = json.dumps({"parks": [good, bad]}).replace("SURROGATE", "\\ud800").encode()
    batch = is_problem(client.post("/v1/assessments/batch", content=body, headers=h), 422)
    assert batch["errors"] == [{"path": "parks[1].profile.name", "message": alone["errors"][0]["message"]}]
    assert _count(env, client, "surrogate-a") == 0 and _count(env, client, "surrogate-b") == 0


def test_a_body_that_is_not_json_is_415(env, client, parks):
    h = auth(env, "portal")
    body = json.dumps(_renamed(parks[0], "media-types")).encode()
    for declared in ("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"):
        r = client.post("/v1/assessments", content=body, headers={**h, "Content-Type": declared})
        assert is_problem(r, 415)["type"].endswith("/unsupported-media-type")
        assert r.headers["accept-post"] == ", ".join([JSON, *YAML_TYPES, XLSX])
    is_problem(client.post("/v1/assessments/batch", data={"parks": "[]"}, headers=h), 415)      # a form
    assert _count(env, client, "media-types") == 0
    r = client.post("/v1/assessments", content=body, headers={**h, "Content-Type": "application/json; charset=UTF-8"})
    assert r.status_code == 200, r.text


def test_options_and_405_name_every_method_of_the_path(env, client):
    r = client.options("/v1/assessments")
    assert r.status_code == 204 and r.headers["allow"] == "GET, OPTIONS, POST" and r.content == b""
    r = client.put("/v1/assessments", headers=auth(env, "portal"))
    assert is_problem(r, 405) and r.headers["allow"] == "GET, OPTIONS, POST"
    # the literal /v1/assessments/batch is not a decision id
    assert client.options("/v1/assessments/batch").headers["allow"] == "OPTIONS, POST"
    r = client.get("/v1/assessments/batch", headers=auth(env, "portal"))
    assert is_problem(r, 405) and r.headers["allow"] == "OPTIONS, POST"
    assert client.options("/v1/assessments/d_0/replay").headers["allow"] == "OPTIONS, POST"
    assert client.options("/healthz").headers["allow"] == "GET, OPTIONS"
    is_problem(client.options("/v1/nowhere"), 404)


def test_the_openapi_document_says_what_is_served(env, client):
    doc = client.get("/openapi.json").json()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            if op.get("parameters"):                  # FastAPI validates them: 422 problem+json
                assert "application/problem+json" in op["responses"]["422"]["content"], (method, path)
            if "requestBody" in op:
                takes_yaml = path in ("/v1/assessments", "/v1/assessments/batch", "/v1/whatif")
                assert list(op["requestBody"]["content"]) == [JSON, *(YAML_TYPES if takes_yaml else ()),
                                                              *((XLSX,) if path == "/v1/assessments" else ())], path
                assert "application/problem+json" in op["responses"]["415"]["content"], (method, path)
    assert list(doc["paths"]["/v1/schema/park"]["get"]["responses"]["200"]["content"]) == ["application/schema+json"]
    served = client.get("/v1/schema/park", headers=auth(env, "planner"))
    assert served.headers["content-type"] == "application/schema+json"
    # the schema says which provinces the service takes, so "" is invalid by the schema too
    province = doc["components"]["schemas"]["Park_Profile"]["properties"]["province"]
    assert province["enum"] == served.json()["$defs"]["Profile"]["properties"]["province"]["enum"]
    assert "江苏" in province["enum"] and "" not in province["enum"]


def _years_park(park_id: str, years: range) -> dict:
    """A park with nothing but its profile and `len(years)` empty years: a small body whose result
    grows by ~37 KB a year (the derived indicators)."""
    return {"profile": {"id": park_id, "name": "多年园区", "level": "other", "province": "江苏",
                        "park_type": "other", "has_management_body": False, "area": "1 km2"},
            "years": [{"year": y} for y in years]}


def test_a_request_returns_at_most_max_result_bytes(env, client):
    """A 2 MB batch used to return 57 MB (and log as much): results per request are bounded by
    --max-result-bytes; what is refused is never logged."""
    h = auth(env, "portal")
    v1 = {"format": 1}            # the sizes below are format 1's (format 2 is about half)
    # the facts alone show it (111 years: at least 2.2 MB): refused before the assessment
    body = is_problem(client.post("/v1/assessments", params=v1, json=_years_park("budget-a", range(1990, 2101)), headers=h), 413)
    assert body["type"].endswith("/result-too-large") and "not assessed" in body["detail"]
    assert f"{MAX_RESULT} bytes, max_result_bytes (greenpark serve --max-result-bytes)" in body["detail"]
    # the result shows it (60 years: 2.2 MB): refused before it is logged
    body = is_problem(client.post("/v1/assessments", params=v1, json=_years_park("budget-b", range(2000, 2060)), headers=h), 413)
    assert "not logged" in body["detail"]
    # four parks of 30 years would return 4.4 MB: the batch is refused before any park is assessed
    four = [_years_park(f"budget-c{i}", range(2000, 2030)) for i in range(4)]
    body = is_problem(client.post("/v1/assessments/batch", params=v1, json={"parks": four}, headers=h), 413)
    assert "nothing was assessed" in body["detail"] and [e["path"] for e in body["errors"]] == \
        [f"parks[{i}]" for i in range(4)]
    # three of 25 years pass the estimate (1.5 MB) but take 2.8 MB: the results that do not fit in
    # what is left of the budget are refused in their slots, unlogged; the response stays bounded
    three = [_years_park(f"budget-d{i}", range(2000, 2025)) for i in range(3)]
    r = client.post("/v1/assessments/batch", params=v1, json={"parks": three}, headers=h)
    assert r.status_code == 200 and len(r.content) < MAX_RESULT + 4096
    results = r.json()["results"]
    assert sorted(x["status"] for x in results) == [200, 200, 413]
    refused = next(x for x in results if x["status"] == 413)
    assert "left of the request's result budget" in refused["problem"]["detail"]
    for x in results:
        assert _count(env, client, f"budget-d{x['index']}") == (x["status"] == 200)
    for park_id in ("budget-a", "budget-b", *(f"budget-c{i}" for i in range(4))):
        assert _count(env, client, park_id) == 0


# The assessment routes refuse with 422 some facts that the JSON Schema allows, for what a schema
# cannot state: a plan task's targets must be ids of the plan's targets, the unit inside a quantity
# string must be one of its dimension's, the facts must agree with the knowledge. Their 422 says so
# in /openapi.json. For those two routes alone, a schema-valid body answered 422 (or 413, the result
# budget) is therefore not a failure of `positive_data_acceptance`; every other check, and that one
# on every other route, runs as schemathesis ships it.
# The coverage phase leaves out those two routes' bodies: it varies every field of the example park
# one at a time, some 5,000 requests that each validate a whole park in a worker (1-2 minutes here),
# and tests the facts validator, which tests/test_park_input.py covers directly. The two routes get
# the examples phase and 20 generated bodies each in the fuzzing phase, and the coverage phase still
# sends every undocumented method and OPTIONS to /v1/assessments (through its GET); OPTIONS and 405
# on /v1/assessments/batch are tested above. POST /v1/whatif holds a park in its body and is treated
# the same way (its overrides can name a field the park lacks, which a schema cannot state either).
SCHEMATHESIS_CONFIG = """
[[operations]]
include-path-regex = "^/v1/(assessments(/batch)?|whatif)$"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "422",
                                                     "429", "5xx"]
phases.coverage.enabled = false
"""


def test_schemathesis_finds_no_server_error_and_no_contract_failure(env, tmp_path):
    """`st run --checks all` over the examples, coverage and fuzzing phases (coverage also sends
    the methods a path does not serve, and OPTIONS), seeded, 20 fuzzed cases per operation."""
    pytest.importorskip("schemathesis")
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
                          env["server"].url + "/openapi.json", "--checks", "all",
                          "--phases", "examples,coverage,fuzzing", "--max-examples", "20", "--seed", "1",
                          "--no-shrink", "--workers", "2", "--request-timeout", "60", "--no-color",
                          "-H", f"Authorization: Bearer {env['keys']['portal'][1]}"],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stdout[-8000:] + out.stderr[-2000:]
    generated = re.search(r"(\d+) generated", out.stdout)
    assert generated and int(generated.group(1)) > 300, out.stdout[-2000:]


def test_zz_decision_survives_restart(env):
    """Runs last in this module: stop the server, start a new one on the same database."""
    decision_id, content = env["decision"]
    env["server"].stop()
    env["server"] = start_server(env["db_url"], env["tmp"], args=SERVER_ARGS)
    r = httpx.get(f"{env['server'].url}/v1/assessments/{decision_id}", headers=auth(env, "portal"), timeout=30)
    assert r.status_code == 200 and r.content == content

