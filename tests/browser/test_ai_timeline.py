"""The AI's work seen by an agent in a real Chromium: a customer asks for the bill, the attendant (the
real worker, the SGP stub) answers, its tool calls show on the timeline; asked for a person, it hands
off and the reason shows; "Assumir" takes it."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from models import AISettings, SgpIntegration
from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_tenant, create_user
from tests.browser.conftest import Live
from tests.browser.helpers import PASSWORD, login, tab
from tests.stubs import evolution as evo_stub
from tests.stubs import sgp as sgp_stub

pytestmark = pytest.mark.browser

MARIA = "5511987654321"  # the SGP stub's Maria Souza, contract 17402


def test_agent_sees_the_ai_tool_calls_and_its_handoff(live: Live, db: Any, browser: Any) -> None:
    sgp = sgp_stub.SgpStub().start()
    try:
        with db.platform_session() as session:
            tenant = create_tenant(session, slug="fibra", name="Provedor Fibra")
            tenant.business_hours = {"weekly": {str(d): [["00:00", "23:59"]] for d in range(1, 8)}}
            create_user(session, tenant_id=tenant.id, email="ana@fibra.com.br", name="Ana Lima",
                        password=PASSWORD, role=Role.AGENT)  # fmt: skip
            credentials = {"base_url": live.stub.url, "api_key": evo_stub.API_KEY, "instance": "isp01"}
            inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp",
                                 credentials=credentials)  # fmt: skip
            session.flush()
            ai = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant.id))
            ai.burst_seconds = 0
            session.add(SgpIntegration(tenant_id=tenant.id, base_url=sgp.url, app_name=sgp_stub.APP,
                                       token=sgp_stub.TOKEN))  # fmt: skip
            key, secret = inbox.webhook_key, inbox.webhook_secret

        def customer(text: str) -> None:
            payload = live.stub.make_text_webhook(
                text, number=MARIA, push_name="Maria", timestamp=int(time.time())
            )
            response = live.stub.fire_webhook(f"{live.url}/webhooks/evolution/{key}", payload,
                                              headers={"X-NioChat-Secret": secret})  # fmt: skip
            assert response.status_code == 200

        context = browser.new_context(viewport={"width": 1360, "height": 800}, locale="pt-BR")
        page = login(context, live, "ana@fibra.com.br")
        customer("quero a segunda via")
        live.wait(
            lambda: live.stub.requests_to("/message/sendMedia"), timeout=30, what="the PIX QR code sent"
        )
        tab(page, "bot")
        page.locator("a.conv-item", has_text="Maria").click()
        page.wait_for_selector(".sys-tool_call >> text=IA consultou a 2ª via — contrato 17402")
        page.wait_for_selector("text=Posso ajudar em mais alguma coisa?")

        customer("quero falar com um atendente")
        tab(page, "pending")
        page.locator("a.conv-item", has_text="Maria").click()
        page.wait_for_selector(".sys-handoff >> text=Cliente pediu um atendente", timeout=30000)
        page.click("#action-take")
        page.wait_for_selector(".status-badge.status-open")
    finally:
        sgp.stop()
