"""How a conversation reads in the browser: media as media, quotes, reactions, failed sends with their
reason, internal notes; a WhatsApp Cloud conversation outside the 24-hour window offers only a Meta
template, which really goes out through the Cloud API stub; labels and the emoji picker work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from integrations.storage import LocalMediaStorage
from models import Contact, Conversation, Label, Message, MessageTemplate
from models.base import utcnow
from models.enums import (
    ChannelType,
    ContentType,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Role,
    SenderKind,
)
from models.provisioning import create_inbox, create_tenant, create_user
from tests.browser.conftest import Live, screenshot
from tests.browser.helpers import PASSWORD, login, png
from tests.stubs import WhatsAppCloudStub
from tests.stubs import whatsapp_cloud as cloud_stub

pytestmark = pytest.mark.browser


@pytest.fixture()
def cloud() -> Any:
    stub = WhatsAppCloudStub().start()
    yield stub
    stub.stop()


def _seed(db: Any, live: Live, cloud: WhatsAppCloudStub) -> int:
    """A conversation whose customer last wrote 30 hours ago, with one message of each kind."""
    storage = LocalMediaStorage(live.app.extensions["niochat"].settings.instance_path / "media")
    image, audio, pdf = png(), b"OggS" + b"\x00" * 400, b"%PDF-1.4\n" + b"0" * 3000
    start = utcnow() - timedelta(hours=31)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="fibra", name="Fibra")
        admin = create_user(
            session,
            tenant_id=tenant.id,
            email="ana@fibra.com.br",
            name="Ana Admin",
            password=PASSWORD,
            role=Role.ADMIN,
        )
        inbox = create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.WHATSAPP_CLOUD,
            name="WhatsApp Oficial",
            credentials={
                "graph_base_url": cloud.graph_url,
                "access_token": cloud_stub.ACCESS_TOKEN,
                "phone_number_id": cloud_stub.PHONE_NUMBER_ID,
                "app_secret": cloud_stub.APP_SECRET,
            },
        )
        contact = Contact(
            tenant_id=tenant.id,
            name="Paulo Mendes",
            phone_e164="+5511955554444",
            wa_id="5511955554444",
            cpf_cnpj="52998224725",
        )
        session.add_all([contact, Label(tenant_id=tenant.id, name="VIP", color="#7c3aed")])
        session.flush()
        conv = Conversation(
            tenant_id=tenant.id,
            inbox_id=inbox.id,
            contact_id=contact.id,
            status=ConversationStatus.OPEN,
            assignee_id=admin.id,
            last_inbound_at=start + timedelta(minutes=5),
            last_message_at=start + timedelta(minutes=9),
        )
        session.add(conv)
        session.add(
            MessageTemplate(
                tenant_id=tenant.id,
                inbox_id=inbox.id,
                name="retomar_atendimento",
                body="Olá {{1}}, retomando seu atendimento sobre {{2}}.",
            )
        )
        session.flush()

        def add(minute: int, **fields: Any) -> Message:
            inbound = fields.pop("inbound", True)
            message = Message(
                tenant_id=tenant.id,
                conversation_id=conv.id,
                inbox_id=inbox.id,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                sender_kind=SenderKind.CONTACT if inbound else SenderKind.AGENT,
                sender_user_id=None if inbound else admin.id,
                created_at=start + timedelta(minutes=minute),
                **fields,
            )
            session.add(message)
            session.flush()
            return message

        def media(kind: ContentType, content: bytes, mime: str, name: str | None = None) -> dict[str, Any]:
            return {
                "content_type": kind,
                "media_sha256": storage.put(content),
                "media_mime": mime,
                "media_size": len(content),
                "media_filename": name,
                "media_status": "ready",
            }

        for i in range(1, 61):  # an older stretch of chat: more than the first page (50) holds
            add(i - 120, text=f"mensagem antiga {i:02d}", inbound=i % 2 == 1)
        question = add(1, text="Bom dia, a internet caiu de novo", provider_message_id="wamid.q1")
        add(2, text="Foto do roteador", **media(ContentType.IMAGE, image, "image/png"))
        add(3, **media(ContentType.AUDIO, audio, "audio/ogg"), transcription="A luz vermelha está piscando")
        add(4, **media(ContentType.DOCUMENT, pdf, "application/pdf", "fatura-outubro.pdf"))
        answer = add(
            5,
            inbound=False,
            text="Vou abrir um chamado técnico.",
            reply_to_id=question.id,
            status=DeliveryStatus.DELIVERED,
        )
        add(
            6,
            inbound=False,
            text="Seu técnico chega amanhã.",
            status=DeliveryStatus.FAILED,
            error_code="131047",
            error_text="Mais de 24 horas desde a última mensagem do cliente (131047).",
        )
        add(7, content_type=ContentType.REACTION, payload={"emoji": "👍"}, reply_to_id=answer.id)
        add(8, inbound=False, is_private=True, text="Cliente VIP: priorizar visita.")
        return int(conv.id)


def test_conversation_rendering_and_template(
    live: Live, db: Any, browser: Any, cloud: WhatsAppCloudStub
) -> None:
    conv_id = _seed(db, live, cloud)
    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="pt-BR")
    page = login(context, live, "ana@fibra.com.br")
    page.goto(f"{live.url}/#/c/{conv_id}")
    page.wait_for_selector("#chat-name >> text=Paulo Mendes")

    # Media as media: an image that loads, an audio player, a document link with its name and size.
    page.wait_for_function("() => document.querySelector('.media-image img')?.naturalWidth > 0")
    assert page.locator(".media-audio audio[controls]").count() == 1
    assert "A luz vermelha" in page.locator(".msg-transcription").inner_text()
    assert page.locator(".msg-transcription-label").inner_text() == "Transcrição"  # labelled under the audio
    doc = page.locator("a.media-doc")
    assert "fatura-outubro.pdf" in doc.inner_text() and "KB" in doc.inner_text()
    assert doc.get_attribute("download") == "fatura-outubro.pdf"
    # The quote, the reaction on the message it reacts to, ticks, the note.
    answer = page.locator(".msg-out", has_text="Vou abrir um chamado")
    assert "a internet caiu de novo" in answer.locator(".msg-quote").inner_text()
    assert answer.locator(".msg-reactions").inner_text() == "👍"
    assert answer.locator(".tick-delivered").count() == 1
    assert page.locator(".msg-note .note-label").inner_text().strip().upper() == "NOTA INTERNA"
    failed = page.locator(".msg-failed", has_text="Seu técnico")
    assert "131047" in failed.locator(".tick-failed").get_attribute("title")
    failed.locator(".tick-failed").click()
    assert failed.locator(".msg-error").is_visible()
    # Contact panel: formatted phone and CPF.
    panel = page.locator("#contact-panel")
    assert "+55 (11) 95555-4444" in panel.inner_text() and "529.982.247-25" in panel.inner_text()

    # Outside the 24-hour window: the banner, notes only in the box, and the template picker.
    page.wait_for_selector("#window-banner >> text=Fora da janela de 24 horas")
    assert page.locator("#composer").evaluate("f => f.classList.contains('note-mode')")
    page.click("#composer-emoji")
    page.click(".emoji-panel .emoji >> nth=0")
    assert page.locator("#composer-text").input_value() == "😀"
    page.locator("#composer-text").fill("")
    page.click("#window-template")
    page.click(".template-item >> text=retomar_atendimento")
    inputs = page.locator("#template-params input")
    inputs.nth(0).fill("Paulo")
    inputs.nth(1).fill("sua conexão")
    assert (
        page.locator("#template-preview").inner_text()
        == "Olá Paulo, retomando seu atendimento sobre sua conexão."
    )
    screenshot(page, "06-template-picker")
    page.click("#template-send")
    page.wait_for_selector(".msg-out:not(.msg-local) >> text=retomando seu atendimento")
    sent = live.wait(
        lambda: [b for b in cloud.sent if b.get("type") == "template"], what="template at the Cloud API"
    )
    assert sent[0]["template"]["name"] == "retomar_atendimento"

    # History: scrolling to the top loads the older page, and the message being read stays in place.
    assert not page.locator(".msg >> text=mensagem antiga 01").count()
    for _ in range(3):
        page.locator("#chat-scroll").evaluate("el => { el.scrollTop = 0; }")
        if page.locator(".msg >> text=mensagem antiga 01").count():
            break
        page.wait_for_timeout(300)
    page.wait_for_selector(".msg >> text=mensagem antiga 01")

    # Search finds it by the customer's name and by text; nonsense finds nothing.
    page.click("#tab-open")
    page.fill("#conv-search", "caiu de novo")
    page.wait_for_selector("a.conv-item >> text=Paulo Mendes")
    page.fill("#conv-search", "zzzz inexistente")
    page.wait_for_selector(".list-empty >> text=Nenhuma conversa encontrada.")
    page.fill("#conv-search", "")
    page.wait_for_selector("a.conv-item >> text=Paulo Mendes")

    # Labels: the editor saves, the header's conversation shows it in the list and the panel.
    page.click("#action-labels")
    page.check("#labels-options input[type=checkbox]")
    page.click("#labels-form button[type=submit]")
    page.wait_for_selector("#contact-panel .chip >> text=VIP")
    page.click(".media-image")
    page.wait_for_selector("#image-dialog[open]")
    page.keyboard.press("Escape")
    page.wait_for_selector("#image-dialog:not([open])", state="attached")
    screenshot(page, "07-media-and-ticks")
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
