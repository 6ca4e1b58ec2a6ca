"""The reply box in a real Chromium against the real server, worker and Evolution stub (issue #10):
a private note never takes an attached file to the customer and note mode ends after each note; the
channel's length limit shows as a counter and a reply over it is refused before sending; "Tentar de
novo" appears only where a retry can help; and replies typed without network wait as "pendente", leave
once each when it returns, with the offline notice never covering the chat header and no console error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from models import Contact, Conversation, Message
from models.base import utcnow
from models.enums import ChannelType, ConversationStatus, DeliveryStatus, Direction, Role, SenderKind
from models.provisioning import create_inbox, create_tenant, create_user
from tests.browser.conftest import Live, screenshot
from tests.browser.helpers import PASSWORD, NetworkSwitch, login, png
from tests.stubs import evolution as evo_stub

pytestmark = pytest.mark.browser

CUSTOMER = "5511987654321"
VIEWPORT = {"width": 1360, "height": 800}


@dataclass
class Seeded:
    conversation_id: int
    retryable_id: int
    refused_id: int
    other_conversation_id: int


def _seed(db: Any, live: Live) -> Seeded:
    """An open conversation of Carla's on an Evolution inbox, with two failed replies: one the provider
    never answered (a retry can fix it), one for a number WhatsApp refused (it cannot)."""
    now = utcnow()
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="fibra", name="Fibra")
        carla = create_user(
            session,
            tenant_id=tenant.id,
            email="carla@fibra.com.br",
            name="Carla Dias",
            password=PASSWORD,
            role=Role.AGENT,
        )
        inbox = create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp Comercial",
            credentials={"base_url": live.stub.url, "api_key": evo_stub.API_KEY, "instance": "isp01"},
            ai_enabled=False,
        )
        contact = Contact(
            tenant_id=tenant.id, name="Maria Oliveira", phone_e164=f"+{CUSTOMER}", wa_id=CUSTOMER
        )
        session.add(contact)
        session.flush()
        conv = Conversation(
            tenant_id=tenant.id,
            inbox_id=inbox.id,
            contact_id=contact.id,
            status=ConversationStatus.OPEN,
            assignee_id=carla.id,
            last_inbound_at=now - timedelta(minutes=3),
            last_message_at=now - timedelta(minutes=1),
        )
        session.add(conv)
        session.flush()

        def add(minutes_ago: int, **fields: Any) -> Message:
            inbound = fields.pop("inbound", False)
            message = Message(
                tenant_id=tenant.id,
                conversation_id=conv.id,
                inbox_id=inbox.id,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                sender_kind=SenderKind.CONTACT if inbound else SenderKind.AGENT,
                sender_user_id=None if inbound else carla.id,
                created_at=now - timedelta(minutes=minutes_ago),
                **fields,
            )
            session.add(message)
            session.flush()
            return message

        add(3, inbound=True, text="Oi, estou sem internet")
        retryable = add(
            2,
            text="Já estou verificando.",
            status=DeliveryStatus.FAILED,
            error_code="timeout",
            error_text="Evolution não respondeu a tempo. (após 6 tentativas)",
            error_retryable=True,
        )
        refused = add(
            1,
            text="Número antigo?",
            status=DeliveryStatus.FAILED,
            error_code="number_not_on_whatsapp",
            error_text="O número não tem WhatsApp.",
        )
        other = Contact(tenant_id=tenant.id, name="João Pereira", phone_e164="+5511912340001")
        session.add(other)
        session.flush()
        second = Conversation(
            tenant_id=tenant.id,
            inbox_id=inbox.id,
            contact_id=other.id,
            status=ConversationStatus.OPEN,
            assignee_id=carla.id,
            last_inbound_at=now - timedelta(minutes=10),
            last_message_at=now - timedelta(minutes=10),
        )
        session.add(second)
        session.flush()
        return Seeded(int(conv.id), int(retryable.id), int(refused.id), int(second.id))


def _open(browser: Any, live: Live, seeded: Seeded) -> tuple[Any, Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="pt-BR", timezone_id="America/Sao_Paulo")
    network = NetworkSwitch(context)
    page = login(context, live, "carla@fibra.com.br")
    page.goto(f"{live.url}/#/c/{seeded.conversation_id}")
    page.wait_for_selector("#chat-name >> text=Maria Oliveira")
    page.wait_for_selector("#chat[data-joined]")
    return page, network


def _sent_texts(live: Live) -> list[str]:
    return [r.json.get("text") for r in live.stub.requests_to("/message/sendText")]


def _stored(db: Any, text: str) -> list[Message]:
    with db.platform_session() as session:
        return list(session.scalars(sa.select(Message).where(Message.text == text)))


def test_note_with_a_file_limits_and_retry(live: Live, db: Any, browser: Any) -> None:
    seeded = _seed(db, live)
    page, _network = _open(browser, live, seeded)
    box = page.locator("#composer-text")

    # Attach a file as for a reply, then switch to "Nota": the file is dropped (a note is only text),
    # and the note stays with the team: nothing reaches Evolution, nothing is stored with a file.
    page.set_input_files(
        "#composer-file-input", files=[{"name": "roteador.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.wait_for_selector("#composer-file >> text=roteador.png")
    page.click("#composer-note")
    page.wait_for_selector("#composer-file", state="hidden")
    box.fill("Cliente é VIP: não cobrar a visita")
    box.press("Enter")
    page.wait_for_selector(".msg-note:not(.msg-local) >> text=não cobrar a visita")
    [note] = _stored(db, "Cliente é VIP: não cobrar a visita")
    assert note.is_private and note.media_sha256 is None and note.status is None

    # Note mode ended with the note: the next message is a reply and goes to the customer.
    assert page.locator("#composer-note").get_attribute("aria-pressed") == "false"
    assert not page.locator("#composer").evaluate("f => f.classList.contains('note-mode')")
    box.fill("Vou agendar a visita técnica")
    box.press("Enter")
    live.wait(lambda: "Vou agendar a visita técnica" in _sent_texts(live), what="the reply at Evolution")
    assert live.stub.requests_to("/message/sendMedia") == []
    assert "Cliente é VIP: não cobrar a visita" not in _sent_texts(live)

    # The counter appears near WhatsApp's limit; over it, Enter refuses before any request.
    counter = page.locator("#composer-count")
    box.fill("a" * 3000)
    assert counter.is_hidden()
    box.fill("a" * 4000)
    assert counter.inner_text() == "4000/4096" and "over" not in (counter.get_attribute("class") or "")
    box.fill("a" * 4100)
    assert counter.inner_text() == "4100/4096" and "over" in (counter.get_attribute("class") or "")
    posts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/messages") and posts.append(r.url))
    box.press("Enter")
    page.wait_for_selector(".toast >> text=o máximo é 4096 caracteres")
    assert posts == [] and box.input_value() == "a" * 4100
    # With a file the caption limit (1024) applies.
    page.set_input_files(
        "#composer-file-input", files=[{"name": "foto.png", "mimeType": "image/png", "buffer": png()}]
    )
    box.fill("b" * 1100)
    assert counter.inner_text() == "1100/1024"
    page.click("#composer-file button")
    box.fill("")

    # "Tentar de novo" only where a retry can help; it sends the message again, once.
    retryable = page.locator(f"#msg-{seeded.retryable_id}")
    refused = page.locator(f"#msg-{seeded.refused_id}")
    retryable.locator(".tick-failed").click()
    refused.locator(".tick-failed").click()
    assert refused.locator(".msg-error").is_visible() and refused.locator(".msg-retry").count() == 0
    screenshot(page, "07-composer-retry")
    retryable.locator(".msg-retry").click()
    live.wait(lambda: "Já estou verificando." in _sent_texts(live), what="the retried reply at Evolution")
    page.wait_for_selector(
        f"#msg-{seeded.retryable_id} .tick-sent, #msg-{seeded.retryable_id} .tick-delivered"
    )
    assert _sent_texts(live).count("Já estou verificando.") == 1
    assert "Número antigo?" not in _sent_texts(live)
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_replies_typed_offline_leave_once_when_the_network_returns(live: Live, db: Any, browser: Any) -> None:
    seeded = _seed(db, live)
    page, network = _open(browser, live, seeded)
    box = page.locator("#composer-text")

    # The network drops: the notice shows without covering the chat header (its name and actions).
    page.context.set_offline(True)
    network.cut()
    page.wait_for_selector("#conn-status", state="visible")
    banner = page.locator("#conn-status").bounding_box()
    header = page.locator("#chat .chat-header-bar").bounding_box()
    assert banner and header and not _overlap(banner, header), (banner, header)
    assert page.locator("#action-close").is_visible()

    # Two replies typed offline wait in the thread as "pendente"; nothing is lost or failed.
    texts = ["Primeira resposta sem rede", "Segunda resposta sem rede"]
    for text in texts:
        box.fill(text)
        box.press("Enter")
    for text in texts:
        held = page.locator(".msg-local.msg-held", has_text=text)
        held.wait_for()
        assert "Pendente" in held.inner_text() and held.locator(".msg-retry").count() == 0
    assert not page.locator(".msg-failed.msg-local").count()
    screenshot(page, "08-offline-pending")
    # Another conversation asked for while offline cannot load (no error escapes to the console); it
    # opens by itself once the network is back.
    page.locator("a.conv-item", has_text="João Pereira").click()
    page.wait_for_timeout(500)

    # Back online: each reply goes out once, in the order typed, and the thread shows the server's copies.
    network.restore()
    page.context.set_offline(False)
    live.wait(lambda: all(t in _sent_texts(live) for t in texts), timeout=20, what="the held replies")
    page.wait_for_selector("#conn-status", state="hidden", timeout=15000)
    page.wait_for_selector("#chat-name >> text=João Pereira")
    page.locator("a.conv-item", has_text="Maria Oliveira").click()
    page.wait_for_selector("#chat-name >> text=Maria Oliveira")
    for text in texts:
        page.wait_for_selector(f".msg-out:not(.msg-local) >> text={text}")
    page.wait_for_timeout(1500)  # a duplicate send would show up by now
    sent = [t for t in _sent_texts(live) if t in texts]
    assert sent == texts, sent
    assert [len(_stored(db, t)) for t in texts] == [1, 1]
    assert not page.locator(".msg-local").count()
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
