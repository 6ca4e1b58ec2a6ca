"""A bad CSAT rating in a real Chromium: Carlos (agent) and Sara (supervisor) have the inbox open; the
customer of a closed conversation answers its survey "péssimo"; the real worker captures it, and Sara's
page shows the alert live (toast and badge) while Carlos's shows none. Sara opens it from the badge: the
timeline says the score and the alert, the contact panel lists the rating."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from models import Conversation
from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_tenant, create_user
from tests.browser.conftest import Live, screenshot
from tests.browser.helpers import PASSWORD, login
from tests.csat.conftest import closed_with_survey

pytestmark = pytest.mark.browser

CUSTOMER = "5511987654321"


@pytest.fixture()
def inbox(db: Any, live: Live) -> tuple[int, str, str]:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="provedor-fibra", name="Provedor Fibra")
        for email, name, role in (("carlos@fibra.com.br", "Carlos Souza", Role.AGENT),
                                  ("sara@fibra.com.br", "Sara Mendes", Role.SUPERVISOR)):  # fmt: skip
            create_user(session, tenant_id=tenant.id, email=email, name=name, password=PASSWORD, role=role)
        created = create_inbox(
            session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp Suporte",
            credentials={"base_url": live.stub.url, "api_key": "k", "instance": "isp01"}, ai_enabled=False,
        )  # fmt: skip
        return tenant.id, created.webhook_key, created.webhook_secret


def _customer_says(live: Live, inbox: tuple[int, str, str], text: str) -> None:
    payload = live.stub.make_text_webhook(
        text, number=CUSTOMER, push_name="Maria Oliveira", timestamp=int(time.time())
    )
    response = live.stub.fire_webhook(
        f"{live.url}/webhooks/evolution/{inbox[1]}", payload, headers={"X-NioChat-Secret": inbox[2]}
    )
    assert response.status_code == 200, response.text


def test_bad_rating_alerts_the_supervisor_live(
    db: Any, live: Live, inbox: tuple[int, str, str], browser: Any
) -> None:
    tenant_id = inbox[0]
    _customer_says(live, inbox, "Oi, estou sem internet")
    with db.tenant_session(tenant_id) as session:
        conversation_id = int(session.scalar(sa.select(Conversation.id)))
    closed_with_survey(db, tenant_id, conversation_id)
    options = {
        "viewport": {"width": 1360, "height": 800},
        "locale": "pt-BR",
        "timezone_id": "America/Sao_Paulo",
    }
    carlos = login(browser.new_context(**options), live, "carlos@fibra.com.br")
    sara = login(browser.new_context(**options), live, "sara@fibra.com.br")
    assert sara.locator("#csat-alerts").is_hidden()

    _customer_says(live, inbox, "péssimo, ninguém resolve nada")
    sara.wait_for_selector("#csat-alerts:not([hidden]) >> #csat-alerts-count >> text=1", timeout=20000)
    sara.wait_for_selector(".toast >> text=Avaliação 1 de 5 de Maria Oliveira")
    screenshot(sara, "csat-alert")
    assert carlos.locator("#csat-alerts").count() == 0
    assert carlos.locator(".toast", has_text="Avaliação 1 de 5").count() == 0

    sara.click("#csat-alerts")
    sara.wait_for_selector(f"#chat[data-joined='{conversation_id}']")
    sara.wait_for_selector(".sys-event >> text=Cliente avaliou o atendimento: 1 de 5")
    sara.wait_for_selector(".sys-csat_alert")
    sara.wait_for_selector("#contact-csat >> text=1 de 5")
    assert sara.locator("#csat-alerts").is_hidden()
    with db.tenant_session(tenant_id) as session:
        assert [str(s) for s in session.scalars(sa.select(Conversation.status))] == ["closed"]
