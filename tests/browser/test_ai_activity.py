"""What the AI is doing, seen live in a real Chromium: the "Com IA" list item and the header say the
AI's last intent and tools ("IA: 2ª via · consultou cliente, …") and follow each turn without a reload;
after a hand-off, the reason shows on the list item and in the header for the humans who pick it up."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from models import AISettings, SgpIntegration
from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_team, create_tenant, create_user
from tests.browser.conftest import Live, screenshot
from tests.browser.helpers import PASSWORD, login, tab
from tests.stubs import evolution as evo_stub
from tests.stubs import sgp as sgp_stub

pytestmark = pytest.mark.browser

MARIA = "5511987654321"  # the SGP stub's Maria Souza, contract 17402


def _setup(live: Live, db: Any, sgp: sgp_stub.SgpStub) -> tuple[str, str]:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="fibra", name="Provedor Fibra")
        tenant.business_hours = {"weekly": {str(d): [["00:00", "23:59"]] for d in range(1, 8)}}
        ana = create_user(session, tenant_id=tenant.id, email="ana@fibra.com.br", name="Ana Lima",
                          password=PASSWORD, role=Role.AGENT)  # fmt: skip
        session.flush()
        team = create_team(session, tenant_id=tenant.id, name="Retenção", member_ids=[ana.id])
        credentials = {"base_url": live.stub.url, "api_key": evo_stub.API_KEY, "instance": "isp01"}
        inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp",
                             credentials=credentials)  # fmt: skip
        session.flush()
        ai = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant.id))
        ai.burst_seconds = 0
        ai.handoff_rules = {"teams": {"retencao": team.id}}
        session.add(SgpIntegration(tenant_id=tenant.id, base_url=sgp.url, app_name=sgp_stub.APP,
                                   token=sgp_stub.TOKEN))  # fmt: skip
        return inbox.webhook_key, inbox.webhook_secret


def test_com_ia_shows_what_the_ai_does_and_the_handoff_reason_live(live: Live, db: Any, browser: Any) -> None:
    sgp = sgp_stub.SgpStub().start()
    try:
        key, secret = _setup(live, db, sgp)

        def customer(text: str) -> None:
            payload = live.stub.make_text_webhook(
                text, number=MARIA, push_name="Maria", timestamp=int(time.time())
            )
            response = live.stub.fire_webhook(f"{live.url}/webhooks/evolution/{key}", payload,
                                              headers={"X-NioChat-Secret": secret})  # fmt: skip
            assert response.status_code == 200

        context = browser.new_context(viewport={"width": 1360, "height": 800}, locale="pt-BR")
        page = login(context, live, "ana@fibra.com.br")
        tab(page, "bot")
        item = page.locator("a.conv-item", has_text="Maria")

        customer("oi")  # the list is open: the conversation and what the AI made of it arrive live
        item.locator(".conv-ai", has_text="IA: Saudação").wait_for(timeout=30000)
        customer("quero a segunda via")
        item.locator(".conv-ai", has_text="IA: 2ª via · consultou cliente").wait_for(timeout=30000)
        assert item.locator(".conv-ai").inner_text() == "IA: 2ª via · consultou cliente, buscou a 2ª via"

        item.click()
        header = page.locator("#chat-ai")
        header.wait_for()
        assert header.inner_text().startswith("IA: 2ª via · consultou cliente")
        screenshot(page, "ai-activity-desktop")

        customer("quero cancelar meu plano")  # the conversation is open: its header follows the hand-off
        reason = "Transferida pela IA: Pedido de cancelamento"
        page.locator("#chat-ai.chat-handoff", has_text=reason).wait_for(timeout=30000)
        assert "quero cancelar meu plano" in header.inner_text()
        page.wait_for_selector(".status-badge.status-pending")
        tab(page, "pending")
        handoff = item.locator(".conv-handoff")
        handoff.wait_for()
        assert handoff.inner_text() == "Motivo: Pedido de cancelamento — quero cancelar meu plano"
        screenshot(page, "ai-handoff-desktop")

        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        screenshot(page, "ai-handoff-phone")
        box = page.locator("#chat-ai").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        sgp.stop()
