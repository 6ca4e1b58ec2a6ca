"""Snooze, "Marcar como não lida" and availability in a real Chromium: Beatriz goes Ausente and Carlos's
transfer list says so at once (and the server refuses the transfer); Carlos snoozes his conversation for an
hour ("Adiadas"), the customer writes and it is back in Em atendimento; he marks it unread and it stays
bold with a badge, even after a reload, until he opens it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_team, create_tenant, create_user
from tests.browser.conftest import Live, screenshot
from tests.browser.helpers import PASSWORD, login, tab

pytestmark = pytest.mark.browser

CUSTOMER = "5511987654321"
assert PASSWORD  # the helpers' password, used by login()


@pytest.fixture()
def inbox(db: Any, live: Live) -> tuple[str, str]:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="provedor-fibra", name="Provedor Fibra")
        carlos = create_user(
            session, tenant_id=tenant.id, email="carlos@fibra.com.br", name="Carlos Souza",
            password=PASSWORD, role=Role.AGENT,
        )  # fmt: skip
        beatriz = create_user(
            session, tenant_id=tenant.id, email="beatriz@fibra.com.br", name="Beatriz Lima",
            password=PASSWORD, role=Role.AGENT,
        )  # fmt: skip
        create_team(session, tenant_id=tenant.id, name="Suporte", member_ids=[carlos.id, beatriz.id])
        credentials = {"base_url": live.stub.url, "api_key": "k", "instance": "isp01"}
        created = create_inbox(
            session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp Comercial",
            credentials=credentials, ai_enabled=False,
        )  # fmt: skip
        return created.webhook_key, created.webhook_secret


def _customer_says(live: Live, inbox: tuple[str, str], text: str) -> None:
    payload = live.stub.make_text_webhook(
        text, number=CUSTOMER, push_name="Maria Oliveira", timestamp=int(time.time())
    )
    response = live.stub.fire_webhook(
        f"{live.url}/webhooks/evolution/{inbox[0]}", payload, headers={"X-NioChat-Secret": inbox[1]}
    )
    assert response.status_code == 200, response.text


def test_snooze_mark_unread_and_availability(live: Live, inbox: tuple[str, str], browser: Any) -> None:
    _customer_says(live, inbox, "Oi, estou sem internet")
    options = {
        "viewport": {"width": 1360, "height": 800},
        "locale": "pt-BR",
        "timezone_id": "America/Sao_Paulo",
    }
    carlos = login(browser.new_context(**options), live, "carlos@fibra.com.br")
    beatriz = login(browser.new_context(**options), live, "beatriz@fibra.com.br")

    # Availability: Beatriz chooses Ausente; Carlos's transfer list marks her, and the server refuses.
    toggle = beatriz.locator("#availability-toggle")
    assert toggle.inner_text() == "Offline"
    toggle.click()
    beatriz.wait_for_selector("#availability-toggle[data-state=online]")
    toggle.click()
    beatriz.wait_for_selector("#availability-toggle[data-state=away] >> text=Ausente")

    tab(carlos, "pending")
    carlos.locator("a.conv-item", has_text="Maria Oliveira").click()
    carlos.click("#action-take")
    carlos.wait_for_selector(".status-badge.status-open")
    carlos.click("#action-transfer")
    carlos.check("input[name=kind][value=agent]")
    carlos.wait_for_selector("#transfer-agent option >> text=Beatriz Lima (ausente)", state="attached")
    carlos.select_option("#transfer-agent", label="Beatriz Lima (ausente)")
    carlos.fill("#transfer-reason", "Ela conhece o caso")
    carlos.click("#transfer-submit")
    carlos.wait_for_selector(".toast >> text=Beatriz Lima está ausente")
    carlos.click("#transfer-dialog [data-close]")

    # Snooze for an hour: out of Em atendimento, listed under Adiadas, with its time in the header.
    tab(carlos, "open")
    carlos.wait_for_selector("a.conv-item >> text=Maria Oliveira")
    carlos.click("#action-snooze")
    carlos.click("#snooze-dialog [data-preset=one_hour]")
    carlos.wait_for_selector("#snoozed-badge[title^='Adiada até'] >> text=Adiada")
    carlos.wait_for_selector("a.conv-item >> text=Maria Oliveira", state="detached")
    carlos.wait_for_selector("#tab-snoozed .tab-count >> text=1")  # the counts refresh just after
    screenshot(carlos, "snooze-01-snoozed")
    tab(carlos, "snoozed")
    carlos.wait_for_selector("a.conv-item >> text=Maria Oliveira")
    carlos.wait_for_selector(".sys-event >> text=Adiada por Carlos Souza")

    # The customer writes: back in Em atendimento, with Carlos, at once.
    tab(carlos, "open")
    _customer_says(live, inbox, "Voltou a cair agora")
    carlos.wait_for_selector("a.conv-item >> text=Maria Oliveira")
    carlos.wait_for_selector("#snoozed-badge", state="detached")
    carlos.wait_for_selector(".sys-event >> text=O cliente escreveu: conversa reativada")

    # Marcar como não lida: the conversation closes and its item is bold with a badge, after a reload too.
    carlos.wait_for_selector("a.conv-item:not(.unread) >> text=Maria Oliveira")
    carlos.click("#action-unread")
    carlos.wait_for_selector("#chat-empty", state="visible")
    unread = carlos.locator("a.conv-item.unread", has_text="Maria Oliveira")
    unread.wait_for()
    assert unread.locator(".unread-badge").inner_text() == "1"
    screenshot(carlos, "snooze-02-unread")
    carlos.reload()
    carlos.wait_for_selector("body.inbox-ready")
    tab(carlos, "open")
    carlos.locator("a.conv-item.unread", has_text="Maria Oliveira").wait_for()
    carlos.locator("a.conv-item", has_text="Maria Oliveira").click()
    carlos.wait_for_selector("#chat-name >> text=Maria Oliveira")
    carlos.wait_for_selector("a.conv-item:not(.unread) >> text=Maria Oliveira")

    refused = [e for e in carlos.errors if e.startswith("409 POST") and e.endswith("/transfer")]  # type: ignore[attr-defined]
    assert len(refused) == 1  # the transfer to Beatriz, refused on purpose
    for page in (carlos, beatriz):
        assert [e for e in page.errors if e not in refused] == [], page.errors  # type: ignore[attr-defined]
