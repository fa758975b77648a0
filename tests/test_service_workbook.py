"""Excel workbooks over HTTP: `POST /v1/assessments` with `Content-Type:
application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` (engine/service/bodies.py),
read by the CLI's intake, against the real server (`greenpark serve`, one worker).

Each example park converted to a workbook (`greenpark convert --to xlsx`) gets the verdicts its
JSON gets, is logged as the park JSON it converts to (`convert --to json`) and replays; a body
that is no workbook, or a workbook with a bad cell, is 422 naming what and where.
"""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from service_support import ROOT, make_key, start_server

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLES = ("coal_chemical_park", "strong_hightech_park", "typical_municipal_park")


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A client of the real server with a portal's key (it may assess, batch and simulate)."""
    tmp = tmp_path_factory.mktemp("workbook")
    db_url = f"sqlite:///{tmp / 'log.db'}"
    _, token = make_key(db_url, "portal", "portal")
    server = start_server(db_url, tmp, args=["--workers", "1"])
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            yield client
    finally:
        server.stop()


def _workbook(tmp_path: Path, example: str) -> bytes:
    """The example park as the workbook `greenpark convert --to xlsx` writes."""
    from cli import app
    out = tmp_path / f"{example}.xlsx"
    r = CliRunner().invoke(app, ["convert", str(ROOT / "examples" / f"{example}.yaml"), "--to", "xlsx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


def _verdicts(result: dict) -> list[tuple]:
    return [(f["id"], f.get("status"), f.get("severity")) for f in result["findings"]]


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_workbook_gets_the_verdicts_of_its_json(api, tmp_path, example):
    from cli import app
    sheet = api.post("/v1/assessments", content=_workbook(tmp_path, example), headers={"Content-Type": XLSX})
    assert sheet.status_code == 200, sheet.text
    park = yaml.safe_load((ROOT / "examples" / f"{example}.yaml").read_text(encoding="utf-8"))
    plain = api.post("/v1/assessments", json=park)
    assert plain.status_code == 200, plain.text
    a, b = sheet.json(), plain.json()
    assert _verdicts(a) == _verdicts(b) and a["summary"] == b["summary"] and a["input_digest"] == b["input_digest"]
    # logged as the park JSON the workbook converts to, and replayed from it
    converted = CliRunner().invoke(app, ["convert", str(tmp_path / f"{example}.xlsx"), "--to", "json"])
    stored = api.get(f"/v1/assessments/{a['decision_id']}/input")
    assert stored.status_code == 200 and stored.headers["content-type"] == "application/json"
    assert stored.json() == json.loads(converted.stdout)
    replay = api.post(f"/v1/assessments/{a['decision_id']}/replay")
    assert replay.status_code == 200 and replay.json()["reproduced"] is True, replay.text


@pytest.mark.parametrize("body", [os.urandom(4096), b"PK\x03\x04" + os.urandom(2000), b""],
                         ids=["random", "zip-header", "empty"])
def test_a_corrupted_workbook_is_422(api, body):
    r = api.post("/v1/assessments", content=body, headers={"Content-Type": XLSX})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    problem = r.json()
    assert problem["type"].endswith("/malformed-workbook")
    assert "工作簿" in problem["detail"] and "cannot be read as an .xlsx workbook" in problem["detail"]
    assert "Traceback" not in r.text


def test_a_truncated_workbook_is_422(api, tmp_path):
    whole = _workbook(tmp_path, "typical_municipal_park")
    r = api.post("/v1/assessments", content=whole[: len(whole) // 2], headers={"Content-Type": XLSX})
    assert r.status_code == 422 and r.json()["type"].endswith("/malformed-workbook"), r.text


def test_a_bad_cell_is_422_naming_sheet_cell_and_field(api, tmp_path):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(_workbook(tmp_path, "typical_municipal_park")))
    ws = wb["企业"]
    column = next(c.column_letter for c in ws[2] if c.value == "key_energy_user")
    ws[f"{column}4"] = "可能"                                    # neither 是 nor 否
    ws["F5"] = "a lot"                                          # output: not a number
    buf = io.BytesIO()
    wb.save(buf)
    before = api.get("/v1/assessments").json()["total"]
    r = api.post("/v1/assessments", content=buf.getvalue(), headers={"Content-Type": XLSX})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    problem = r.json()
    assert problem["type"].endswith("/validation") and "2 problem(s) in the workbook" in problem["detail"]
    by_cell = {e["cell"]: e for e in problem["errors"]}
    assert by_cell[f"企业!{column}4"]["path"] == "enterprises[1].key_energy_user"
    assert "是" in by_cell[f"企业!{column}4"]["message"]
    assert by_cell["企业!F5"]["path"].startswith("enterprises[2].output")
    assert api.get("/v1/assessments").json()["total"] == before          # nothing logged


def test_the_body_limit_and_the_other_routes(api):
    r = api.post("/v1/assessments", content=os.urandom(2 * 1024 * 1024 + 1), headers={"Content-Type": XLSX})
    assert r.status_code == 413, r.text                       # --max-body, as for any body
    r = api.post("/v1/assessments", content=b"x", headers={"Content-Type": "application/vnd.ms-excel"})
    assert r.status_code == 415 and XLSX in r.headers["accept-post"]
    for path in ("/v1/assessments/batch", "/v1/whatif"):       # bodies that hold more than one park file
        r = api.post(path, content=b"x", headers={"Content-Type": XLSX})
        assert r.status_code == 415 and XLSX not in r.headers["accept-post"], (path, r.text)


def test_the_workbook_body_is_documented(api):
    doc = api.get("/openapi.json").json()
    content = doc["paths"]["/v1/assessments"]["post"]["requestBody"]["content"]
    assert content[XLSX]["schema"]["format"] == "binary" and "greenpark template" in content[XLSX]["schema"]["description"]
    assert XLSX not in doc["paths"]["/v1/assessments/batch"]["post"]["requestBody"]["content"]
    assert "cell" in doc["components"]["schemas"]["FieldError"]["properties"]


def test_errors_found_later_are_located_by_cell(tmp_path):
    """A problem the workers find (a path in the park JSON) is given the cell it came from."""
    from engine.intake import load_workbook_bytes
    from engine.service.bodies import Body, locate
    _, doc = load_workbook_bytes(_workbook(tmp_path, "typical_municipal_park"), "workbook")
    errors = locate(Body(b"{}", doc), [{"path": "enterprises[1].key_energy_user", "message": "m"},
                                       {"path": "", "message": "whole"}])
    assert errors[0]["cell"].startswith("企业!") and errors[0]["cell"].endswith("4")
    assert "cell" not in errors[1]


# --- what a workbook body may cost to read (in process: the workbook is read before any worker) --

def _local(tmp_path, **settings):
    """An in-process client of the app with a stand-in pool (200 for any park that reaches it)."""
    from fastapi.testclient import TestClient
    from test_service_app import FakePool

    from engine.service.app import create_app
    from engine.service.config import Settings
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    return TestClient(create_app(Settings(db_url=db_url, auth=False, **settings), pool=FakePool(db_url)),
                      raise_server_exceptions=False)


def _unpacked(book: bytes) -> int:
    import zipfile
    return sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(book)).infolist())


def test_a_zip_bomb_body_is_413_before_it_is_unpacked(tmp_path):
    from test_workbook_bounds import bomb
    body = bomb(_workbook(tmp_path, "typical_municipal_park"), 40_000_000)   # over 32 MiB, under 50 MB
    size, limit = _unpacked(body), 16 * 2 * 1024 * 1024
    assert len(body) < 2 * 1024 * 1024 and size > limit
    with _local(tmp_path) as client:
        r = client.post("/v1/assessments", content=body, headers={"Content-Type": XLSX})
        assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json", r.text
        problem = r.json()
        assert problem["type"].endswith("/too-large")                  # as a body over --max-body
        assert problem["detail"].startswith(f"工作簿解压后为 {size} 字节，超过服务的上限 {limit} 字节")
        assert f"the workbook unpacks to {size} bytes; the limit is {limit} (max_workbook_unpacked_bytes, " \
               "greenpark serve --max-workbook-unpacked)" in problem["detail"]
        assert client.get("/v1/assessments").json()["total"] == 0      # nothing logged


def test_the_unpacked_limit_setting_is_honoured(tmp_path):
    book = _workbook(tmp_path, "typical_municipal_park")
    size = _unpacked(book)
    with _local(tmp_path) as client:                                    # the default: 32 MiB
        assert client.post("/v1/assessments", content=book, headers={"Content-Type": XLSX}).status_code == 200
    with _local(tmp_path, max_workbook_unpacked_bytes=size) as client:
        assert client.post("/v1/assessments", content=book, headers={"Content-Type": XLSX}).status_code == 200
    with _local(tmp_path, max_workbook_unpacked_bytes=size - 1) as client:
        r = client.post("/v1/assessments", content=book, headers={"Content-Type": XLSX})
        assert r.status_code == 413 and r.json()["type"].endswith("/too-large"), r.text
        assert f"unpacks to {size} bytes; the limit is {size - 1}" in r.json()["detail"]
        assert r.json()["errors"][0]["message"].startswith("工作簿解压后为")
        # JSON and YAML bodies are not workbooks: the setting does not touch them
        assert client.post("/v1/assessments", content=b"{}").status_code == 200


def test_a_workbook_of_too_many_cells_is_413_naming_sheet_and_row(tmp_path):
    from test_workbook_bounds import with_sheet
    lying = with_sheet(_workbook(tmp_path, "typical_municipal_park"), "企业",
                       b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c>'
                       b'</row></sheetData>')
    with _local(tmp_path) as client:
        r = client.post("/v1/assessments", content=lying, headers={"Content-Type": XLSX})
        assert r.status_code == 413 and r.json()["type"].endswith("/too-large"), r.text
        problem = r.json()
        assert "单元格数超过上限 1000000（MAX_WORKBOOK_CELLS）" in problem["detail"]
        assert "the workbook has more cells than the limit of 1000000 (MAX_WORKBOOK_CELLS)" in problem["detail"]
        assert "of sheet '企业'" in problem["errors"][0]["message"] and "reading stopped at row" in \
            problem["errors"][0]["message"]


def test_the_default_unpacked_limit_follows_the_body_limit():
    from engine.intake.workbook import MAX_WORKBOOK_UNPACKED
    from engine.service.config import Settings
    assert Settings().workbook_unpacked_limit() == 16 * 2 * 1024 * 1024
    assert Settings(max_body_bytes=1024 * 1024).workbook_unpacked_limit() == 16 * 1024 * 1024
    assert Settings(max_body_bytes=10 * 1024 * 1024).workbook_unpacked_limit() == MAX_WORKBOOK_UNPACKED
    assert Settings(max_workbook_unpacked_bytes=123_456).workbook_unpacked_limit() == 123_456


def test_serve_takes_the_unpacked_limit(monkeypatch):
    from engine.cli import app
    from engine.service import server
    seen = {}
    monkeypatch.setattr(server, "run", lambda settings, *a, **k: seen.setdefault("settings", settings))
    r = CliRunner().invoke(app, ["serve", "--max-workbook-unpacked", "8000000"])
    assert r.exit_code == 0, r.output
    assert seen["settings"].workbook_unpacked_limit() == 8_000_000
    seen.clear()
    assert CliRunner().invoke(app, ["serve", "--max-body", "1048576"]).exit_code == 0
    assert seen["settings"].max_workbook_unpacked_bytes is None
    assert seen["settings"].workbook_unpacked_limit() == 16 * 1024 * 1024
    assert CliRunner().invoke(app, ["serve", "--max-workbook-unpacked", "100"]).exit_code == 2
