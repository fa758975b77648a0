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
