"""The dashboards in a real Chromium: Streamlit started on a free port over a seeded tenant, opened
with the inbox's one-use token, every page visited through the sidebar; screenshots for
docs/dashboards.md."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from niochat.config import PROJECT_ROOT
from tests.browser.conftest import publish_screenshot, screenshot
from tests.conftest import free_port
from tests.dashboards.conftest import token_for

pytestmark = pytest.mark.browser

PAGES = [
    ("Visão geral", "visao-geral"),
    ("Atendentes", "atendentes"),
    ("CSAT", "csat"),
    ("Sentimento", "sentimento"),
    ("IA", "ia"),
    ("Exportar", "exportar"),
]


@pytest.fixture()
def history(db, settings) -> Any:  # type: ignore[no-untyped-def]
    """The demo tenant (as `make run` seeds it) with two months of history, its facts, a supervisor."""
    import sqlalchemy as sa

    from models.enums import Role
    from models.facts_refresh import backfill
    from models.provisioning import create_user
    from models.tenant import Tenant
    from niochat.demo import DEMO_SLUG, seed_demo
    from niochat.demo_history import seed_history
    from tests.dashboards.conftest import PASSWORD, Person

    with db.platform_session() as session:
        seed_demo(session, settings.public_url)
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
        user = create_user(session, tenant_id=tenant_id, email="gestora@demo.dev", name="Gestora Demo",
                           password=PASSWORD, role=Role.SUPERVISOR)  # fmt: skip
        person = Person(user.id, user.email, tenant_id)
    with db.tenant_session(tenant_id) as session:
        seed_history(session, tenant_id, days=60, conversations=600)
    with db.tenant_session(tenant_id) as session:
        backfill(session, tenant_id)
    return person


@pytest.fixture()
def streamlit_url(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from niochat.cli.serve import dashboards_command

    port = free_port()
    log = PROJECT_ROOT / "test-artifacts" / "dashboards.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            dashboards_command(settings, port),
            env={**os.environ},
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError("streamlit did not start:\n" + log.read_text()[-3000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_every_page_renders_in_chromium(browser, db, settings, history, streamlit_url) -> None:  # type: ignore[no-untyped-def]
    """The token opens the overview with its cards; each page shows its title and no exception."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="pt-BR")
    page.set_default_timeout(120_000)  # a loaded machine: screenshots of plotly pages take long
    page.goto(f"{streamlit_url}/?token={token_for(db, settings, history)}")
    page.get_by_role("heading", name="Visão geral").wait_for(timeout=90_000)
    page.get_by_text("Conversas", exact=True).first.wait_for(timeout=60_000)
    assert "token=" not in page.url
    for title, slug in PAGES:
        if slug != "visao-geral":
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
            heading = "Exportar dados" if slug == "exportar" else title
            page.get_by_role("heading", name=heading).wait_for(timeout=90_000)
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=120_000)  # the run ended
        if page.locator(".js-plotly-plot").count():
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=120_000)
        page.wait_for_timeout(6000)  # plotly and the data grid paint after the script run ends
        shot = screenshot(page, f"dashboards-{slug}")
        errors = page.get_by_test_id("stException")
        assert errors.count() == 0, f"{title}: {errors.first.inner_text()[:2000]}"
        publish_screenshot(shot, f"dashboards-{slug}")
    page.close()


def test_direct_visit_shows_the_login_form(browser, history, streamlit_url) -> None:  # type: ignore[no-untyped-def]
    """Without a token: the login form, and no tenant data."""
    page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="pt-BR")
    page.goto(streamlit_url)
    page.get_by_role("button", name="Entrar").wait_for(timeout=90_000)
    publish_screenshot(screenshot(page, "dashboards-login"), "dashboards-login")
    page.close()
