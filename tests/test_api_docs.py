"""The API as a portal developer meets it: /docs and /redoc work without the internet, the
OpenAPI document names every operation and types every result, and the typed schemas are true.

* `/docs` is rendered in Debian's headless chromium with every host but 127.0.0.1 unresolvable
  and every other connection sent to a closed proxy port; the screenshot (decoded here, no image
  library) must not be blank and must show Swagger UI's coloured operation rows, and the DOM
  after the scripts ran must list every operation id. A control page that loads Swagger UI from
  the CDN, as FastAPI's default page does, must *not* render under the same flags (the network
  really is cut). Like the dossier tests these are skipped where chromium is missing, except under
  CI (`CI` set), where tools/install-report-tools.sh installs it and a missing chromium fails.
* Every result of the example parks (under every benchmark profile, with `to_comply`) and of the
  expert scenarios validates against the `AssessmentResult` schema of /openapi.json with a
  standard JSON Schema validator; the corpus is checked to hold every kind of finding, folded
  findings, insufficient_data with `missing`, ranked measures and data-quality warnings.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import zlib

import pytest

from service_support import ROOT
from test_service_app import FakePool

from engine.service.app import create_app
from engine.service.config import Settings

OPERATIONS = {"assess", "assessBatch", "getDecision", "getDecisionInput", "replayDecision", "listDecisions",
              "getReport", "getPortfolio", "whatIf", "diffAssessments", "replayRuleChange", "getParkHistory",
              "listRulesets", "getRuleset", "listClauses", "listMeasures", "getParkSchema", "getHealth",
              "getReadiness", "getMetrics"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("the /docs browser test cannot run under CI: Debian's chromium is not installed "
                       "(tools/install-report-tools.sh installs it)")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                              "(apt-get install chromium)")
# no name resolves but 127.0.0.1, and any connection that would leave goes to a closed port
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9"]


@pytest.fixture(scope="module")
def doc() -> dict:
    return create_app(Settings(db_url="sqlite:///:memory:")).openapi()


def test_every_operation_has_a_stable_camel_case_id_and_a_declared_tag(doc):
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and set(ids) == OPERATIONS
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", i) for i in ids)
    declared = {t["name"] for t in doc["tags"]}
    assert all(len(op["tags"]) == 1 and op["tags"][0] in declared for ops in doc["paths"].values()
               for op in ops.values())
    assert doc["paths"]["/v1/assessments"]["post"]["operationId"] == "assess"
    assert doc["paths"]["/v1/assessments/{decision_id}"]["get"]["operationId"] == "getDecision"


def test_results_and_problems_are_typed_with_examples(doc):
    schemas = doc["components"]["schemas"]
    ok = doc["paths"]["/v1/assessments"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/AssessmentResult"}
    result = schemas["AssessmentResult"]["properties"]
    assert result["findings"]["items"] == {"$ref": "#/components/schemas/Finding"}
    assert result["summary"] == {"$ref": "#/components/schemas/Summary"}
    assert result["data_quality"]["items"] == {"$ref": "#/components/schemas/DataQualityWarning"}
    assert schemas["Finding"]["properties"]["evidence"] == {"$ref": "#/components/schemas/Evidence"}
    assert schemas["Summary"]["properties"]["compliance_rate"]["anyOf"] == [{"type": "number"}, {"type": "null"}]
    for name in ("Finding", "Evidence", "Summary", "DataQualityWarning", "Problem", "ResultSummary"):
        assert schemas[name]["examples"], name
    setting = schemas["DataQualityWarning"]["properties"]["setting"]["anyOf"]
    assert {"$ref": "#/components/schemas/Setting"} in setting and {"type": "null"} in setting
    for path, ops in doc["paths"].items():
        for op in ops.values():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")) and path != "/readyz":
                    assert response["content"] == {"application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"}}}, (path, status)
    rows = schemas["DecisionSummary"]["properties"]["summary"]["anyOf"]
    assert {"$ref": "#/components/schemas/ResultSummary"} in rows


def test_yaml_bodies_are_declared_on_the_park_routes(doc):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for path in ("/v1/assessments", "/v1/assessments/batch", "/v1/whatif"):
        content = doc["paths"][path]["post"]["requestBody"]["content"]
        assert list(content) == ["application/json", "application/yaml", "application/x-yaml", "text/yaml",
                                 *([xlsx] if path == "/v1/assessments" else [])]      # one park: a workbook too
        assert content["application/yaml"]["schema"] == content["application/json"]["schema"]


def _corpus() -> list[dict]:
    import yaml

    from engine.assessment import Assessor
    from engine.facts.loader import load_park, park_from_data
    from engine.rules.packs import RulesetRegistry
    assessor = Assessor()
    profiles = list(RulesetRegistry().get(None).knowledge.profiles)
    out = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        park = load_park(path)
        out += [assessor.assess(park, profile=p, to_comply=True) for p in profiles]
        out.append(assessor.assess(park))
    for path in sorted((ROOT / "tests" / "scenarios").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        park = park_from_data(doc["park"], file=str(path))
        profile = doc.get("profile")
        out.append(assessor.assess(park, **({"profile": profile} if profile and profile != "default" else {}),
                                   to_comply=True))
    return out


def test_every_real_result_conforms_to_the_typed_schema(doc):
    import jsonschema_rs
    schema = {"$ref": "#/components/schemas/AssessmentResult", "components": doc["components"]}
    validator = jsonschema_rs.validator_for(schema)
    results = _corpus()
    for r in results:
        logged = json.loads(json.dumps({"decision_id": "d_" + "0" * 32, **r}, ensure_ascii=False))
        errors = [f"{e.instance_path}: {e.message[:200]}" for e in validator.iter_errors(logged)]
        assert not errors, (r["park_id"], r["ruleset"]["profile"], errors[:5])
    findings = [f for r in results for f in r["findings"]]
    # the corpus holds every shape the schema promises
    assert {f["kind"] for f in findings} == {"compliance", "problem", "measure"}
    assert {"met", "not_met", "insufficient_data", "not_applicable", "problem", "recommended"} <= \
        {f["status"] for f in findings}
    assert any(f["status"] == "insufficient_data" and f.get("missing") for f in findings)
    assert any(f.get("folded_into") for f in findings) and any(f.get("to_comply") for f in findings)
    assert any(f.get("rank") and f.get("rank_reason") and f.get("magnitude") and f.get("legal_basis")
               for f in findings)
    assert any(r["summary"]["to_collect"] for r in results)
    assert any(w["setting"] is None for r in results for w in r["data_quality"])
    assert any(w["setting"] is not None for r in results for w in r["data_quality"])
    # and a schema that says something: a finding without its evidence is refused
    broken = json.loads(json.dumps({"decision_id": "d_x", **results[0]}))
    del broken["findings"][0]["evidence"]
    assert not validator.is_valid(broken)


# --- /docs and /redoc, offline ---------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app (a stand-in worker pool: the pages need no engine) under uvicorn in a thread."""
    import uvicorn
    db_url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'd.db'}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db_url=db_url, auth=False), pool=FakePool(db_url)),
                                           host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']""", html) + re.findall(r"url: '([^']+)'", html)


def test_the_pages_reference_only_their_own_origin(served):
    import httpx
    for page in ("/docs", "/redoc"):
        r = httpx.get(served + page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        urls = _urls(r.text)
        assert len(urls) >= 3 and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert "http" not in r.headers["content-security-policy"]
        for u in urls:
            asset = httpx.get(served + u)
            assert asset.status_code == 200, u
    bundle = httpx.get(served + "/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript") and len(bundle.content) > 500_000
    assert len(httpx.get(served + "/docs/assets/redoc.standalone.js").content) > 500_000


def _chromium(url: str, *args: str) -> subprocess.CompletedProcess:
    from engine.render.dossier.browser import FLAGS
    with tempfile.TemporaryDirectory(prefix="greenpark-docs-") as profile:
        return subprocess.run([CHROMIUM, *FLAGS, *OFFLINE, f"--user-data-dir={profile}", "--virtual-time-budget=15000",
                               *args, url], capture_output=True, timeout=90, env={**os.environ, "HOME": profile})


def _png_rows(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit RGB/RGBA PNG, unfiltered (RFC 2083)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body, pos = data[pos + 8:pos + 8 + n], pos + 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    assert depth == 8 and ctype in (2, 6) and not interlace, (depth, ctype, interlace)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), w * bpp
    prev, rows = bytearray(stride), []
    for y in range(h):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + (((line[i - bpp] if i >= bpp else 0) + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a, b, c = (line[i - bpp] if i >= bpp else 0), prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def _near(pixel: tuple, colour: tuple, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


@needs_chromium
def test_docs_render_offline_in_headless_chromium(served, tmp_path):
    dom = _chromium(served + "/docs", "--dump-dom")
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    html = dom.stdout.decode()
    assert html.count('class="opblock opblock-') == len(OPERATIONS)
    shown = set(re.findall(r'opblock-summary-operation-id">([A-Za-z]+)<', html))
    assert shown == OPERATIONS
    shot = tmp_path / "docs.png"
    run = _chromium(served + "/docs", "--window-size=1280,1000", f"--screenshot={shot}")
    assert run.returncode == 0 and shot.exists(), run.stderr.decode(errors="replace")[-2000:]
    w, h, bpp, rows = _png_rows(shot.read_bytes())
    assert (w, h) == (1280, 1000)
    pixels = [tuple(row[i:i + 3]) for row in rows[::4] for i in range(0, len(row), 4 * bpp)]
    background = max(set(pixels), key=pixels.count)
    drawn = sum(1 for p in pixels if p != background) / len(pixels)
    assert drawn > 0.05, f"the page is (nearly) blank: {drawn:.1%} drawn"
    # Swagger UI's method badges: POST #49cc90 and GET #61affe, i.e. the operation list is on screen
    assert sum(_near(p, (0x49, 0xCC, 0x90)) for p in pixels) > 50
    assert sum(_near(p, (0x61, 0xAF, 0xFE)) for p in pixels) > 50


@needs_chromium
def test_redoc_renders_offline(served):
    dom = _chromium(served + "/redoc", "--dump-dom")
    html = dom.stdout.decode()
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    for summary in ("Assess one park", "Decisions, newest first", "Simulate changes to a park (not logged)"):
        assert summary in html, summary


@needs_chromium
def test_the_network_really_is_cut(served, tmp_path):
    """Control: FastAPI's default page loads Swagger UI from a CDN; under the same flags it stays empty."""
    from fastapi.openapi.docs import get_swagger_ui_html
    page = tmp_path / "cdn.html"
    page.write_bytes(get_swagger_ui_html(openapi_url=served + "/openapi.json", title="cdn").body)
    dom = _chromium(page.as_uri(), "--dump-dom")
    assert dom.returncode == 0 and "opblock" not in dom.stdout.decode()
