"""/api/v1/docs in a real headless Chromium: Swagger UI renders every operation under the page's CSP."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_swagger_ui_renders_the_document_without_csp_violations(app, contract) -> None:  # type: ignore[no-untyped-def]
    """Every documented operation appears as a block, and the browser reports no blocked script or style."""
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    problems: list[str] = []
    try:
        with sync_playwright() as pw:
            args = ["--no-sandbox", "--disable-gpu"]
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=args)
            page = browser.new_page()
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(f"http://127.0.0.1:{server.server_port}/api/v1/docs")
            page.wait_for_selector(".opblock", timeout=15000)
            blocks = page.locator(".opblock").count()
            title = page.locator(".info .title").inner_text()
            browser.close()
    finally:
        server.shutdown()
    assert blocks == len(contract.operations)
    assert "NioChat API" in title
    assert problems == [], problems
