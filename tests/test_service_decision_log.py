"""The decision log keeps result and input compressed (issue #13 item 4; zstd, or gzip for a
caller that takes gzip but not zstd): what is stored, what a caller that accepts the coding gets
(the stored bytes, compressed once), what any other caller gets (the JSON, or the other coding
from the middleware), and rows logged before compression or before zstd, which still read and list. The server is the real
one (`greenpark serve`, worker processes) on SQLite and on PostgreSQL (tests/pg_support.py; skipped
with the reason where PostgreSQL is not installed, a failure under CI).
"""
from __future__ import annotations

import gzip
import json
import os
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import select

from pg_support import missing, start_postgres
from service_support import example_parks, make_key, start_server

from engine.service.db import decisions, make_engine
from engine.service.compression import DecompressError, zstd
from engine.service.decisions import Decision, DecisionLog, codec_of, is_packed, list_summary, pack, unpack

_PG_WHY = missing()
if _PG_WHY and os.environ.get("CI"):
    raise RuntimeError(f"PostgreSQL tests cannot run under CI: {_PG_WHY}")


# --- the stored form on its own ------------------------------------------------------------------

def test_pack_is_zstd_or_gzip_at_level_1_without_timestamp_and_unpack_reads_every_form():
    body = json.dumps({"名称": "园区", "n": list(range(500))}, ensure_ascii=False).encode()
    stored = pack(body)
    assert codec_of(stored) == "zstd" and stored[:4] == b"\x28\xb5\x2f\xfd" and len(stored) < len(body) / 2
    assert stored == pack(body) == zstd.compress(body, 1)     # level 1, deterministic
    assert zstd.decompress(stored) == body == unpack(stored)
    old = pack(body, "gzip")                             # rows logged before zstd, and gzip callers' rows
    assert codec_of(old) == "gzip" and old[:2] == b"\x1f\x8b" and len(old) < len(body) / 2
    assert old[8] == 4 and old[4:8] == b"\0\0\0\0"             # XFL 4: the fastest level; mtime 0
    assert old == pack(body, "gzip") and gzip.decompress(old) == body == unpack(old)
    assert unpack(body) == body and not is_packed(body)  # a row logged before compression
    for text in (b"{}", b" {}", b"\n[]", b"\xef\xbb\xbf{}", b"\t\"x\"", b"(\xb5"):  # no JSON starts so
        assert not is_packed(text) and unpack(text) == text
    with pytest.raises(ValueError, match="unknown coding 'br'"):
        pack(body, "br")
    with pytest.raises(DecompressError):
        unpack(stored[:-3])                              # a damaged row says so


def test_a_decision_reads_as_json_whatever_its_row_holds():
    now = datetime.now(timezone.utc)
    old = Decision("d_1", now, None, "p", b'{"a":1}', "a" * 64, "1.0.0", {}, "b" * 64, b'{"r":1}')
    new = Decision("d_2", now, None, "p", pack(b'{"a":1}'), "a" * 64, "1.0.0", {}, "b" * 64, pack(b'{"r":1}'))
    mid = Decision("d_3", now, None, "p", pack(b'{"a":1}', "gzip"), "a" * 64, "1.0.0", {}, "b" * 64,
                   pack(b'{"r":1}', "gzip"))
    assert old.input == new.input == mid.input == b'{"a":1}'
    assert old.result == new.result == mid.result == b'{"r":1}'
    assert new.stored_result != new.result and mid.stored_result != new.stored_result


def test_the_worker_logs_packed_bytes_and_hands_a_caller_of_that_coding_exactly_those(tmp_path):
    from engine.assessment import Assessor
    from engine.evaluators.oracle import OracleEvaluator
    from engine.service.worker import handle, log_decision
    log = DecisionLog(make_engine(f"sqlite:///{tmp_path / 'd.db'}"))
    body = json.dumps(example_parks()[0], ensure_ascii=False).encode()
    assessor = Assessor(evaluator=OracleEvaluator())
    for i, encoding in enumerate(("gzip", "zstd", None)):
        decision_id = f"d_{i:032d}"
        outcome = handle(assessor, body, None, decision_id=decision_id)
        sent = log_decision(log, {"decision_id": decision_id, "key_id": None}, body, outcome, encoding=encoding)
        row = log.get(decision_id)
        assert codec_of(row.stored_result) == (encoding or "zstd") and codec_of(row.stored_input) == "zstd"
        assert row.result == outcome[2] and row.input == body       # decompressed: what the caller got
        if encoding:
            assert sent[1]["encoding"] == encoding and sent[2] == row.stored_result
        else:
            assert "encoding" not in sent[1] and sent[2] == outcome[2]
        assert len(row.stored_result) < len(outcome[2]) / 3


# --- through the server, on SQLite and PostgreSQL -----------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    pg = None
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp / 'decisions.db'}"
    else:
        if _PG_WHY:
            pytest.skip(_PG_WHY)
        pg = start_postgres()
        db_url = pg.url
    make_engine(db_url).dispose()
    key_id, token = make_key(db_url, "portal", "compression test")
    server = start_server(db_url, tmp, args=["--workers", "1"])
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
            yield c, db_url, key_id
    finally:
        server.stop()
        if pg is not None:
            pg.stop()


def _raw(client: httpx.Client, method: str, url: str, accept: str, **kwargs) -> httpx.Response:
    """The response with its body exactly as sent (not decoded by httpx) in `.raw_body`."""
    with client.stream(method, url, headers={"Accept-Encoding": accept}, **kwargs) as r:
        r.raw_body = b"".join(r.iter_raw())
    return r


def _row(db_url: str, decision_id: str) -> tuple[bytes, bytes]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            r = conn.execute(select(decisions.c.result, decisions.c.input)
                             .where(decisions.c.decision_id == decision_id)).one()
    finally:
        engine.dispose()
    return bytes(r.result), bytes(r.input)


def test_a_gzip_caller_gets_the_stored_bytes_compressed_once(served):
    client, db_url, key_id = served
    park = example_parks()[0]
    body = json.dumps(park, ensure_ascii=False).encode()
    r = _raw(client, "POST", "/v1/assessments", "gzip", content=body)
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["vary"] == "Accept-Encoding" and int(r.headers["content-length"]) == len(r.raw_body)
    text = gzip.decompress(r.raw_body)
    assert text.startswith(b'{"decision_id":"d_')                  # one layer of gzip, then JSON
    decision_id = json.loads(text)["decision_id"]
    stored_result, stored_input = _row(db_url, decision_id)
    assert r.raw_body == stored_result                               # the very bytes the log keeps
    assert codec_of(stored_input) == "zstd" and zstd.decompress(stored_input) == body
    # read back: the stored bytes to a gzip caller, the JSON to one without, zstd made for a zstd one
    again = _raw(client, "GET", f"/v1/assessments/{decision_id}", "gzip")
    assert again.headers["content-encoding"] == "gzip" and again.raw_body == stored_result
    plain = _raw(client, "GET", f"/v1/assessments/{decision_id}", "identity")
    assert "content-encoding" not in plain.headers and plain.raw_body == text
    assert _raw(client, "GET", f"/v1/assessments/{decision_id}", "gzip;q=0").raw_body == text
    other = _raw(client, "GET", f"/v1/assessments/{decision_id}", "zstd")
    assert other.headers["content-encoding"] == "zstd" and zstd.decompress(other.raw_body) == text
    same = _raw(client, "GET", f"/v1/assessments/{decision_id}", "gzip", params={"format": 2})
    assert same.raw_body == stored_result                            # already in that format: as stored
    fmt1 = client.get(f"/v1/assessments/{decision_id}", params={"format": 1})
    assert fmt1.status_code == 200 and fmt1.json().get("format", 1) == 1
    got = _raw(client, "GET", f"/v1/assessments/{decision_id}/input", "gzip")       # stored zstd
    assert got.headers["content-encoding"] == "gzip" and gzip.decompress(got.raw_body) == body
    got = _raw(client, "GET", f"/v1/assessments/{decision_id}/input", "zstd")
    assert got.headers["content-encoding"] == "zstd" and got.raw_body == stored_input
    assert _raw(client, "GET", f"/v1/assessments/{decision_id}/input", "identity").raw_body == body


def test_a_browser_gets_the_stored_zstd_bytes_compressed_once(served):
    client, db_url, key_id = served
    body = json.dumps(example_parks()[1], ensure_ascii=False).encode()
    browser = "gzip, deflate, br, zstd"                             # what Chrome and Firefox send
    r = _raw(client, "POST", "/v1/assessments", browser, content=body)
    assert r.status_code == 200 and r.headers["content-encoding"] == "zstd", r.headers
    assert r.headers["vary"] == "Accept-Encoding" and int(r.headers["content-length"]) == len(r.raw_body)
    text = zstd.decompress(r.raw_body)
    assert text.startswith(b'{"decision_id":"d_')
    decision_id = json.loads(text)["decision_id"]
    stored_result, _ = _row(db_url, decision_id)
    assert r.raw_body == stored_result
    assert _raw(client, "GET", f"/v1/assessments/{decision_id}", browser).raw_body == stored_result
    preferred = _raw(client, "GET", f"/v1/assessments/{decision_id}", "zstd;q=0.5, gzip")
    assert preferred.headers["content-encoding"] == "zstd"           # stored so and accepted: not recompressed
    only_gzip = _raw(client, "GET", f"/v1/assessments/{decision_id}", "gzip")
    assert only_gzip.headers["content-encoding"] == "gzip" and gzip.decompress(only_gzip.raw_body) == text
    # a caller that prefers gzip gets the result as the log keeps it for it: gzip
    g = _raw(client, "POST", "/v1/assessments", "zstd;q=0.5, gzip", content=body)
    assert g.headers["content-encoding"] == "gzip"
    assert _row(db_url, json.loads(gzip.decompress(g.raw_body))["decision_id"])[0] == g.raw_body
    # other responses, compressed by the middleware in the coding the caller prefers
    listed = _raw(client, "GET", "/v1/assessments", browser, params={"limit": 50})
    assert listed.headers["content-encoding"] == "zstd" and json.loads(zstd.decompress(listed.raw_body))["items"]


def test_a_caller_without_compression_gets_json_and_the_log_keeps_its_zstd(served):
    client, db_url, key_id = served
    park = example_parks()[1]
    r = _raw(client, "POST", "/v1/assessments", "identity", json=park)
    assert r.status_code == 200 and "content-encoding" not in r.headers
    assert r.raw_body.startswith(b'{"decision_id":"d_')
    stored_result, _ = _row(db_url, json.loads(r.raw_body)["decision_id"])
    assert codec_of(stored_result) == "zstd" and zstd.decompress(stored_result) == r.raw_body
    # a batch is one body: its results are JSON inside it, compressed (once) by the middleware
    batch = _raw(client, "POST", "/v1/assessments/batch", "gzip", json={"parks": [park]})
    items = json.loads(gzip.decompress(batch.raw_body))["results"]
    assert batch.headers["content-encoding"] == "gzip" and items[0]["status"] == 200
    stored_result, _ = _row(db_url, items[0]["result"]["decision_id"])
    assert json.loads(unpack(stored_result)) == items[0]["result"]


def test_a_row_logged_before_compression_still_reads_lists_and_replays(served):
    client, db_url, key_id = served
    park = example_parks()[0]
    fresh = client.post("/v1/assessments", json=park).json()
    old_id = "d_" + "0" * 31 + "1"
    result = {**fresh, "decision_id": old_id}
    text = json.dumps(result, ensure_ascii=False).encode()
    body = json.dumps(park, ensure_ascii=False).encode()
    engine = make_engine(db_url)
    try:                # as the previous version wrote it: JSON bytes, no summary row
        with engine.begin() as conn:
            conn.execute(decisions.insert(), {
                "decision_id": old_id, "created_at": datetime.now(timezone.utc), "key_id": key_id,
                "park_id": "old-row-park", "input": body, "input_digest": result["input_digest"],
                "ruleset_version": result["ruleset"]["versions"]["ruleset"],
                "ruleset_versions": json.dumps(result["ruleset"]["versions"]),
                "ruleset_digest": result["ruleset"]["digest"], "result": text})
    finally:
        engine.dispose()
    plain = _raw(client, "GET", f"/v1/assessments/{old_id}", "identity")
    assert plain.status_code == 200 and plain.raw_body == text
    zipped = _raw(client, "GET", f"/v1/assessments/{old_id}", "gzip")     # compressed for the transfer only
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped.raw_body) == text
    assert client.get(f"/v1/assessments/{old_id}/input").content == body
    listed = client.get("/v1/assessments", params={"park_id": "old-row-park"}).json()
    assert [d["decision_id"] for d in listed["items"]] == [old_id]
    assert listed["items"][0]["summary"] == list_summary(result)
    replay = client.post(f"/v1/assessments/{old_id}/replay")
    assert replay.status_code == 200 and replay.json()["reproduced"] is True, replay.text
    diff = client.get(f"/v1/assessments/{old_id}/diff/{fresh['decision_id']}")
    assert diff.status_code == 200, diff.text
    report = client.get(f"/v1/assessments/{old_id}/report", params={"format": "markdown"})
    assert report.status_code == 200 and park["profile"]["name"] in report.text
