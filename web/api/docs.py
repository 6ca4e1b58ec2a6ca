"""The API's own description: `GET /api/v1/openapi.json` (from web/api/openapi.yaml) and a Swagger UI
page at `GET /api/v1/docs`.

The YAML is the contract, not a by-product: tests/api validates every response the test-suite receives
against it, so the document cannot drift from the code unnoticed. The page loads Swagger UI from
/static/vendor (npm, through package-lock.json; never a CDN) and starts it from a static script, so it
runs under a Content-Security-Policy without 'unsafe-inline' scripts — the header is set here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import Response, render_template, url_for
from flask.typing import ResponseReturnValue

from web.api import api_bp

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@lru_cache(maxsize=1)
def openapi_spec() -> dict[str, Any]:
    """Parsed once per process; the tests use the same function."""
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


@lru_cache(maxsize=1)
def _spec_json() -> str:
    return json.dumps(openapi_spec(), ensure_ascii=False)


@api_bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    response = Response(_spec_json(), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@api_bp.get("/docs")
def api_docs() -> ResponseReturnValue:
    html = render_template("api/docs.html", spec_url=url_for("api.openapi_json"))
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
