"""The channel pages in a real Chromium: a tenant admin creates an Evolution inbox, connects it by the
stub's QR code (the page polls until the stub reports the scan) and changes the CSAT delay. The
screenshots illustrate docs/admin.md."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from models import Inbox
from models.csat import CsatSettings
from models.enums import Role
from models.provisioning import create_tenant, create_user
from tests.browser.conftest import Live, publish_screenshot, screenshot
from tests.browser.helpers import PASSWORD
from tests.channels.conftest import jobctx  # noqa: F401  (fixture: jobs read the test database)
from tests.stubs import evolution as evo_stub

pytestmark = pytest.mark.browser

OPTIONS = {"viewport": {"width": 1360, "height": 900}, "locale": "pt-BR", "timezone_id": "America/Sao_Paulo"}


def shot(page: Any, name: str) -> None:
    publish_screenshot(screenshot(page, name), name)


@pytest.fixture()
def tenant(db: Any, live: Live) -> int:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="provedor-fibra", name="Provedor Fibra")
        create_user(
            session, tenant_id=tenant.id, email="ana@fibra.com.br", name="Ana Admin",
            password=PASSWORD, role=Role.ADMIN,
        )  # fmt: skip
        return int(tenant.id)


def admin_page(browser: Any, live: Live) -> Any:
    page = browser.new_context(**OPTIONS).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and "Failed to load resource" not in msg.text  # the login page's favicon
            and errors.append(f"console: {page.url} {msg.text}")
        ),
    )
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(f"{live.url}/login?next=/admin/inboxes/")
    page.fill("input[name=email]", "ana@fibra.com.br")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live.url}/admin/inboxes/")
    return page


@pytest.mark.usefixtures("jobctx")
def test_create_an_evolution_inbox_and_connect_it_by_qr_code(
    live: Live, db: Any, tenant: int, browser: Any
) -> None:
    """Create → the webhook secret shown once → "Conectar com QR code" → the QR code on screen →
    three polls later the stub reports the scan and the page says Conectado, with no reload."""
    live.stub.connect_after_polls = 3
    page = admin_page(browser, live)
    page.click("a[href*='/admin/inboxes/new/']")
    page.check("input[name=channel_type][value=evolution]")
    page.wait_for_selector("fieldset[data-channel=telegram]", state="hidden")  # once the script ran
    page.fill("#name", "WhatsApp Loja Centro")
    page.fill("#cred-evolution-base_url", live.stub.url)
    page.fill("#cred-evolution-api_key", evo_stub.API_KEY)
    page.fill("#cred-evolution-instance", "loja-centro")
    shot(page, "admin-inbox-new")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("[data-connection]")
    with db.platform_session() as session:
        inbox = session.scalar(sa.select(Inbox).where(Inbox.name == "WhatsApp Loja Centro"))
        assert inbox.tenant_id == tenant
        secret = inbox.webhook_secret
    assert secret in page.inner_text(".hook-list")  # shown once, right after creation
    page.click("[data-connect-qr]")
    page.wait_for_selector("[data-qr-img][src^='data:image/png;base64,']", state="visible")
    assert page.inner_text("[data-conn-badge]") == "Aguardando leitura do QR code"
    shot(page, "admin-inbox-qr")
    page.wait_for_selector("[data-conn-badge].conn-open", timeout=20_000)  # no reload: the page polls
    assert page.inner_text("[data-conn-badge]") == "Conectado"
    assert page.is_hidden("[data-qr-box]")
    shot(page, "admin-inbox-connected")
    assert live.stub.instances["loja-centro"]["state"] == "open"
    page.reload()
    assert secret not in page.content()  # never again
    with db.platform_session() as session:
        assert session.get(Inbox, inbox.id).connection_state == "open"
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_change_the_csat_delay(live: Live, db: Any, tenant: int, browser: Any) -> None:
    """The admin sets the survey delay to 30 s; the preview follows the question as it is typed."""
    page = admin_page(browser, live)
    page.goto(f"{live.url}/admin/csat/")
    page.fill("#delay_seconds", "30")
    page.fill("#question", "De 1 a 5, como foi o atendimento?")
    preview = page.locator("[data-preview-style=buttons] [data-preview-channel=whatsapp_cloud]")
    assert "De 1 a 5, como foi o atendimento?" in preview.inner_text()
    assert "🤩 Excelente" in preview.inner_text()
    shot(page, "admin-csat")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector(".alert")
    with db.platform_session() as session:
        row = session.scalar(sa.select(CsatSettings).where(CsatSettings.tenant_id == tenant))
        assert row.delay_seconds == 30 and row.question == "De 1 a 5, como foi o atendimento?"
    assert page.input_value("#delay_seconds") == "30"
    page.goto(f"{live.url}/admin/ai/")
    shot(page, "admin-ai")
    page.goto(f"{live.url}/admin/sgp/")
    shot(page, "admin-sgp")
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_sync_message_templates_from_meta(live: Live, db: Any, tenant: int, browser: Any) -> None:
    """A Cloud API inbox with its WABA id: "Sincronizar com a Meta" fills the templates list from the
    stub's two pages and says how many; no script or CSP error on the page."""
    from models.enums import ChannelType
    from models.provisioning import create_inbox
    from tests.stubs import WhatsAppCloudStub
    from tests.stubs import whatsapp_cloud as cloud_stub

    with WhatsAppCloudStub() as meta:
        with db.platform_session() as session:
            create_inbox(
                session, tenant_id=tenant, channel=ChannelType.WHATSAPP_CLOUD, name="WhatsApp Oficial",
                credentials={
                    "graph_base_url": meta.graph_url, "access_token": cloud_stub.ACCESS_TOKEN,
                    "phone_number_id": cloud_stub.PHONE_NUMBER_ID, "app_secret": cloud_stub.APP_SECRET,
                    "waba_id": cloud_stub.WABA_ID,
                },
            )  # fmt: skip
        page = admin_page(browser, live)
        page.goto(f"{live.url}/admin/templates/")
        page.select_option("#sync-inbox", label="WhatsApp Oficial")
        page.click("form[data-template-sync] button[type=submit]")
        page.wait_for_selector(".alert")
        assert "7 modelos sincronizados" in page.inner_text(".alert")
        assert "pesquisa_satisfacao" in page.inner_text("table.model-list")
        assert len(meta.requests_to("/message_templates")) == 2
        shot(page, "admin-templates-sync")
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
