"""The inbox in a real Chromium against a real server, worker and Evolution stub: an agent logs in with
2FA, a customer's WhatsApp message appears live, the agent takes it, replies (text and image, which
reach Evolution), transfers it to another team whose agent sees it arrive, and that agent closes it;
an agent of another tenant sees none of it."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from models import Label, QuickReply, User
from models.base import utcnow
from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_team, create_tenant, create_user
from models.twofactor import new_secret
from tests.browser.conftest import Live, publish_screenshot, screenshot
from tests.browser.helpers import PASSWORD, NetworkSwitch, login, png, provider_id, tab
from tests.stubs import evolution as evo_stub

pytestmark = pytest.mark.browser

CUSTOMER = "5511987654321"


@dataclass
class Scenario:
    tenant: int
    inbox_key: str
    inbox_secret: str
    other_key: str
    other_secret: str
    totp: pyotp.TOTP


@pytest.fixture()
def scenario(db: Any, live: Live) -> Scenario:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="provedor-fibra", name="Provedor Fibra")
        other = create_tenant(session, slug="outro", name="Outro Provedor")
        people = {}
        for email, name, tenant_id in [
            ("carlos@fibra.com.br", "Carlos Souza", tenant.id),
            ("beatriz@fibra.com.br", "Beatriz Lima", tenant.id),
            ("zeca@outro.com.br", "Zeca Outro", other.id),
        ]:
            people[email] = create_user(
                session, tenant_id=tenant_id, email=email, name=name, password=PASSWORD, role=Role.AGENT
            )
        secret = new_secret()
        carlos = session.get(User, people["carlos@fibra.com.br"].id)
        carlos.totp_secret, carlos.totp_enabled_at = secret, utcnow()
        create_team(session, tenant_id=tenant.id, name="Suporte Técnico", member_ids=[carlos.id])
        create_team(
            session, tenant_id=tenant.id, name="Financeiro", member_ids=[people["beatriz@fibra.com.br"].id]
        )
        credentials = {"base_url": live.stub.url, "api_key": evo_stub.API_KEY, "instance": "isp01"}
        inbox = create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp Comercial",
            credentials=credentials,
            ai_enabled=False,
        )
        other_inbox = create_inbox(
            session,
            tenant_id=other.id,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp",
            credentials=credentials,
            ai_enabled=False,
        )
        session.add_all(
            [
                Label(tenant_id=tenant.id, name="Sem internet", color="#dc2626"),
                Label(tenant_id=tenant.id, name="2ª via", color="#2563eb"),
                QuickReply(
                    tenant_id=tenant.id,
                    shortcut="ola",
                    title="Saudação",
                    content="Olá! Sou o Carlos, do Provedor Fibra. Já estou verificando sua conexão.",
                ),
            ]
        )
        session.flush()
        return Scenario(
            tenant.id,
            inbox.webhook_key,
            inbox.webhook_secret,
            other_inbox.webhook_key,
            other_inbox.webhook_secret,
            pyotp.TOTP(secret),
        )


def _customer_writes(live: Live, key: str, secret: str, payload: dict[str, Any]) -> None:
    response = live.stub.fire_webhook(
        f"{live.url}/webhooks/evolution/{key}", payload, headers={"X-NioChat-Secret": secret}
    )
    assert response.status_code == 200, response.text


def _text(live: Live, sc: Scenario, text: str, number: str = CUSTOMER, name: str = "Maria Oliveira") -> None:
    payload = live.stub.make_text_webhook(text, number=number, push_name=name, timestamp=int(time.time()))
    _customer_writes(live, sc.inbox_key, sc.inbox_secret, payload)


def test_inbox_end_to_end(live: Live, scenario: Scenario, browser: Any) -> None:
    started = time.monotonic()
    sc = scenario
    # Some earlier traffic, so the list looks like a working day.
    _text(
        live,
        sc,
        "Boa tarde, queria mudar meu plano para 600 mega",
        number="5511912340001",
        name="João Pereira",
    )
    _text(live, sc, "Meu boleto venceu ontem, como pego a 2ª via?", number="5521998760002", name="Ana Costa")
    _customer_writes(
        live,
        sc.other_key,
        sc.other_secret,
        live.stub.make_text_webhook(
            "Mensagem do outro provedor",
            number="5531955550003",
            push_name="Cliente B",
            timestamp=int(time.time()),
        ),
    )

    viewport = {"width": 1360, "height": 800}
    carlos_ctx = browser.new_context(viewport=viewport, locale="pt-BR", timezone_id="America/Sao_Paulo")
    beatriz_ctx = browser.new_context(viewport=viewport, locale="pt-BR", timezone_id="America/Sao_Paulo")
    zeca_ctx = browser.new_context(viewport=viewport, locale="pt-BR")

    network = NetworkSwitch(carlos_ctx)
    carlos = login(carlos_ctx, live, "carlos@fibra.com.br", sc.totp)
    beatriz = login(beatriz_ctx, live, "beatriz@fibra.com.br")
    zeca = login(zeca_ctx, live, "zeca@outro.com.br")
    for page in (carlos, beatriz):
        tab(page, "pending")

    # A new customer message appears in the open inbox, without reload.
    _text(live, sc, "Oi, estou sem internet desde cedo 😟")
    item = carlos.locator("a.conv-item", has_text="Maria Oliveira")
    item.wait_for()
    assert "sem internet" in item.inner_text()
    screenshot(carlos, "01-inbox-list")

    # Open, take ("Assumir"), reply with a quick reply, then an image.
    # Both agents look at the waiting conversation: one sees the other typing; when Carlos takes it, it
    # leaves Beatriz's sight (assigned to someone else) and her screen says so.
    beatriz.locator("a.conv-item", has_text="Maria Oliveira").click()
    beatriz.wait_for_selector("#chat-name >> text=Maria Oliveira")
    beatriz.wait_for_selector("#chat[data-joined]")
    item.click()
    carlos.wait_for_selector("#chat-name >> text=Maria Oliveira")
    carlos.locator("#composer-text").type("Vou ver")
    beatriz.wait_for_selector("#chat-typing >> text=Carlos Souza está digitando…")
    carlos.locator("#composer-text").fill("")
    carlos.click("#action-take")
    beatriz.wait_for_selector("#chat-empty", state="visible")
    carlos.wait_for_selector(".status-badge.status-open")
    carlos.wait_for_selector(".sys-event >> text=Carlos Souza assumiu a conversa")
    text_box = carlos.locator("#composer-text")
    text_box.click()
    text_box.type("/ol")
    carlos.wait_for_selector("#quick-replies .qr-item >> text=/ola")
    text_box.press("Enter")  # picks the quick reply
    assert "Provedor Fibra" in text_box.input_value()
    text_box.press("Enter")  # sends
    reply = "Olá! Sou o Carlos, do Provedor Fibra. Já estou verificando sua conexão."
    sent = live.wait(
        lambda: [r for r in live.stub.requests_to("/message/sendText") if r.json.get("text") == reply],
        what="sendText at Evolution",
    )
    assert sent[0].json["number"].startswith(CUSTOMER)
    carlos.wait_for_selector(".msg-out:not(.msg-local) .tick-sent, .msg-out:not(.msg-local) .tick-delivered")
    # The customer reads it: WhatsApp's read receipt turns the ticks blue.
    receipt = live.stub.make_status_webhook(provider_id(live, reply), "READ")
    _customer_writes(live, sc.inbox_key, sc.inbox_secret, receipt)
    carlos.wait_for_selector(".msg-out .tick-read")

    # A pasted screenshot becomes the attachment (here removed again), like a file chosen in the picker.
    carlos.locator("#composer-text").evaluate(
        """(box, b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], 'colado.png', {type: 'image/png'}));
            const paste = new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true});
            box.dispatchEvent(paste);
        }""",
        base64.b64encode(png()).decode(),
    )
    carlos.wait_for_selector("#composer-file >> text=colado.png")
    carlos.click("#composer-file button")
    carlos.wait_for_selector("#composer-file", state="hidden")
    carlos.set_input_files(
        "#composer-file-input", files=[{"name": "roteador.png", "mimeType": "image/png", "buffer": png()}]
    )
    carlos.wait_for_selector("#composer-file >> text=roteador.png")
    text_box.fill("Veja a luz do roteador")
    text_box.press("Enter")
    media = live.wait(lambda: live.stub.requests_to("/message/sendMedia"), what="sendMedia at Evolution")
    assert media[0].json["mediatype"] == "image"
    carlos.wait_for_selector(".msg-out .media-image img")

    # The customer answers; a note for colleagues; then the typing indicator between agents.
    # The network drops; the customer answers meanwhile; back online, the page catches up by itself.
    network.cut()
    carlos.wait_for_selector("#conn-status", state="visible")
    _text(live, sc, "Já reiniciei o roteador e continua sem sinal")
    time.sleep(0.5)
    assert not carlos.locator(".msg-in >> text=continua sem sinal").count()
    network.restore()
    carlos.wait_for_selector(".msg-in >> text=continua sem sinal", timeout=15000)
    carlos.wait_for_selector("#conn-status", state="hidden")
    carlos.click("#composer-note")
    text_box.fill("Cliente já reiniciou o roteador. Passar para o financeiro: fatura em atraso.")
    text_box.press("Enter")
    carlos.wait_for_selector(".msg-note:not(.msg-local) >> text=fatura em atraso")
    conversation_shot = screenshot(carlos, "02-conversation")

    # Transfer to Financeiro with a reason; Beatriz (Financeiro) sees it arrive in her list, live.
    carlos.click("#action-transfer")
    carlos.select_option("#transfer-team", label="Financeiro")
    carlos.fill("#transfer-reason", "Fatura em atraso")
    screenshot(carlos, "03-transfer-dialog")
    carlos.click("#transfer-submit")
    beatriz_item = beatriz.locator("a.conv-item", has_text="Maria Oliveira")
    beatriz_item.wait_for()
    carlos.wait_for_selector("#chat-empty", state="visible")  # no longer his: the chat closes

    beatriz_item.click()
    beatriz.wait_for_selector(
        ".sys-event >> text=Transferida para Financeiro por Carlos Souza — motivo: Fatura em atraso"
    )
    beatriz.wait_for_selector(".msg-note >> text=fatura em atraso")
    transferred_shot = screenshot(beatriz, "04-transferred")
    beatriz.click("#action-take")
    beatriz.wait_for_selector(".status-badge.status-open")
    beatriz.click("#action-close")
    beatriz.fill("#close-reason", "2ª via enviada")
    beatriz.click("#close-submit")
    beatriz.wait_for_selector(".status-badge.status-closed")
    beatriz.wait_for_selector(".sys-event >> text=Encerrada por Beatriz Lima — motivo: 2ª via enviada")
    screenshot(beatriz, "05-closed")

    # The other tenant's agent saw none of it: only their own conversation, anywhere.
    for status in ("bot", "pending", "open", "closed"):
        tab(zeca, status)
        names = zeca.locator("a.conv-item .conv-name").all_inner_texts()
        assert "Maria Oliveira" not in names and "João Pereira" not in names
    tab(zeca, "pending")
    assert zeca.locator("a.conv-item .conv-name").all_inner_texts() == ["Cliente B"]
    assert not zeca.locator(".msg").count()

    for page in (carlos, beatriz, zeca):
        assert page.errors == [], page.errors  # type: ignore[attr-defined]

    # Beatriz logs out in another tab: the inbox tab's socket is ended and the tab goes to the login page.
    other_tab = beatriz_ctx.new_page()
    other_tab.goto(f"{live.url}/account")
    other_tab.click("form[action='/logout'] button[type=submit]")
    other_tab.wait_for_url("**/login**")
    beatriz.wait_for_url("**/login**", timeout=10000)
    assert carlos.locator("#conn-status").is_hidden(), "another user's socket is not touched"
    publish_screenshot(conversation_shot, "inbox-conversation")
    publish_screenshot(transferred_shot, "inbox-transferred")
    elapsed = time.monotonic() - started
    assert elapsed < 90, f"browser scenario took {elapsed:.0f} s"
