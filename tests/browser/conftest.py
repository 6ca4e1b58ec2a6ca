"""A real NioChat for a real browser: the app served by werkzeug on a free port (Socket.IO over Redis, as
in production), a live RQ worker in a subprocess (so replies really leave through the outbound job), an
Evolution stub the inbox credentials point to, and headless Debian Chromium driven by Playwright.

Screenshots go to test-artifacts/screenshots/ (git-ignored); `publish_screenshot` also writes a small
palette PNG to docs/screenshots/ for the README (refresh them with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from niochat.config import PROJECT_ROOT
from tests.conftest import free_port
from tests.stubs import EvolutionStub

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOCS_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "browser tests need the playwright Python package (requirements.txt)"
    if reason:
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.skip(reason=reason))


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class Live:
    url: str
    app: Any
    stub: EvolutionStub
    worker_log: Path
    extras: dict[str, Any] = field(default_factory=dict)

    def wait(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        log_tail = self.worker_log.read_text(errors="replace")[-3000:] if self.worker_log.exists() else ""
        raise AssertionError(f"timed out waiting for {what}\n--- worker log ---\n{log_tail}")


def _serve(server: BaseWSGIServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


class _AfterShutdown(logging.Filter):
    """The Socket.IO server's Redis listener thread outlives the app (python-socketio cannot stop it);
    when the test session stops the embedded Redis it would log a reconnect error for a dead app."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Cannot receive from redis" not in record.getMessage()


@pytest.fixture()
def live(settings: Any, db: Any, redis_url: str) -> Iterator[Live]:
    from web import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(settings.model_copy(update={"public_url": url, "rate_limit_enabled": False}))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    server.block_on_close = False  # type: ignore[attr-defined]  # long-polls must not hold the shutdown
    thread = _serve(server)

    ARTIFACTS.mkdir(exist_ok=True)
    worker_log = ARTIFACTS / "browser-worker.log"
    env = {**os.environ, "PUBLIC_URL": url, "LOG_LEVEL": "WARNING"}
    with worker_log.open("w") as log_file:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import os; from jobs.worker import run_worker; run_worker(os.environ['REDIS_URL'])",
            ],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    stub = EvolutionStub(instance="isp01").start()
    try:
        yield Live(url=url, app=app, stub=stub, worker_log=worker_log)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        stub.stop()
        app.extensions["niochat"].relay.close()
        app.extensions["niochat"].db.dispose()
        logging.getLogger("socketio.server").addFilter(_AfterShutdown())


@pytest.fixture()
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def publish_screenshot(source: Path, name: str) -> Path:
    """A copy small enough to commit: 256-colour palette PNG (UI screenshots lose nothing visible).
    Written when missing or with UPDATE_SCREENSHOTS=1, so an ordinary test run (new clock times in every
    picture) does not leave committed files modified."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = DOCS_SCREENSHOTS / f"{name}.png"
    if target.exists() and os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return target
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with streamlit
        shutil.copyfile(source, target)
        return target
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target
