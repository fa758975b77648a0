"""The API's own documentation, served without the internet: `/docs` (Swagger UI), `/redoc`
(ReDoc) and `/openapi.json`.

Government intranets have no CDN, and FastAPI's pages load their scripts from one. The Swagger UI
and ReDoc bundles come from the `fastapi-offline` package (its `static/` folder: swagger-ui-bundle.js,
swagger-ui.css, redoc.standalone.js, favicon.png) and are served by this app under
`/docs/assets/`; the two pages reference only same-origin URLs, and their Content-Security-Policy
makes the browser refuse anything else (no fonts from Google, no validator badge).

`openapi_document` adds to FastAPI's document the park facts' JSON Schema (as `Park` and
`Park_*`) and files every error response under `application/problem+json` alone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

__all__ = ["install_docs", "openapi_document", "ASSETS", "CSP"]

ASSETS = "/docs/assets"
CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
JSON = "application/json"
PROBLEM = "application/problem+json"


def assets_dir() -> Path:
    """The folder of the Swagger UI and ReDoc bundles shipped by `fastapi-offline`."""
    import fastapi_offline
    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets (the app is made with `docs_url=None, redoc_url=None`)."""
    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")

    def _page(response: HTMLResponse) -> HTMLResponse:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _page(get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None, "displayOperationId": True, "tryItOutEnabled": False,
                                   "defaultModelsExpandDepth": 0}))

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _page(get_redoc_html(openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - ReDoc",
                                    redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
                                    redoc_favicon_url=f"{root}{ASSETS}/favicon.png", with_google_fonts=False))


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's OpenAPI document with the park schema in `components` and problem+json errors."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                      tags=app.openapi_tags)
    from ..facts.models import Park
    park = Park.model_json_schema(ref_template="#/components/schemas/Park_{model}")
    comps = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, sub in park.pop("$defs", {}).items():
        comps[f"Park_{name}"] = sub
    comps["Park"] = park
    # FastAPI files a response model under application/json; errors are only ever served as
    # application/problem+json, so the Problem schema belongs there alone
    for operations in doc["paths"].values():
        for op in operations.values():
            for response in op.get("responses", {}).values():
                content = response.get("content", {})
                if PROBLEM in content and JSON in content:
                    content[PROBLEM] = content.pop(JSON)
    app.openapi_schema = doc
    return doc
