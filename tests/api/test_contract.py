"""The OpenAPI document: valid OpenAPI 3.1, in step with the routes, served as JSON, browsable offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.api.contract import API_PREFIX, Contract, ContractError
from web.api.docs import SPEC_PATH, openapi_spec

ROOT = Path(__file__).resolve().parents[2]


def _routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, path template in the document's spelling) of every /api/v1 and /media route."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith(API_PREFIX) or rule.rule.startswith("/media/")):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule).removeprefix(API_PREFIX)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def test_document_is_valid_openapi_31() -> None:
    """The YAML passes the OpenAPI 3.1 meta-schema (so Swagger UI and client generators accept it)."""
    spec = openapi_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_route_is_documented_and_every_documented_operation_exists(app) -> None:  # type: ignore[no-untyped-def]
    """No endpoint can be added or removed without the document following."""
    documented = {(op.method, op.template) for op in Contract(openapi_spec()).operations}
    assert _routes(app) == documented


def test_the_contract_rejects_drift(contract: Contract) -> None:
    """The checker is real: missing field, extra field, wrong type and undocumented status all fail."""
    good = {"items": [], "next_cursor": None, "counts": {"bot": 0, "pending": 0, "open": 0, "closed": 0}}
    contract.check("GET", "/api/v1/conversations", 200, "application/json", good)
    for bad in (
        {"items": [], "counts": good["counts"]},
        {**good, "surprise": 1},
        {**good, "next_cursor": 5},
    ):
        with pytest.raises(ContractError):
            contract.check("GET", "/api/v1/conversations", 200, "application/json", bad)
    with pytest.raises(ContractError, match="status not documented"):
        contract.check("GET", "/api/v1/conversations", 418, "application/json", good)
    with pytest.raises(ContractError, match="not documented"):
        contract.check("GET", "/api/v1/nothing-here", 200, "application/json", {})


def test_openapi_json_is_the_yaml_document(anonymous) -> None:  # type: ignore[no-untyped-def]
    """GET /api/v1/openapi.json needs no login and serves exactly the repository's YAML."""
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == openapi_spec()
    assert SPEC_PATH.suffix == ".yaml"


def test_docs_page_runs_from_vendored_files_without_inline_script(anonymous) -> None:  # type: ignore[no-untyped-def]
    """The Swagger UI page loads only /static files (no CDN), has no inline script and sends a strict CSP."""
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "http://" not in html and "https://" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert anonymous.get(asset, check=False).status_code == 200, asset
    vendor = ROOT / "web/static/vendor/swagger-ui"
    assert (vendor / "LICENSE").exists()
    package = (ROOT / "package.json").read_text()
    assert '"swagger-ui-dist": "5.35.0"' in package
