"""Meta WhatsApp Cloud API webhook payloads → normalized events."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.channels.events import (
    ContentType,
    DeliveryStatus,
    InboundMessage,
    Location,
    MessageDeleted,
    PayloadError,
    StatusUpdate,
)
from integrations.channels.whatsapp_cloud import WhatsAppCloudAdapter
from tests.stubs import whatsapp_cloud_payloads as p

ADAPTER = WhatsAppCloudAdapter()
TS = datetime.fromtimestamp(1749416383, UTC)

TEXT_WEBHOOK: dict[str, Any] = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": "551130000000",
                            "phone_number_id": "106540352242922",
                        },
                        "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511987654321"}],
                        "messages": [
                            {
                                "from": "5511987654321",
                                "id": "wamid.HBgL001",
                                "timestamp": "1749416383",
                                "type": "text",
                                "text": {"body": "Sem internet"},
                            }
                        ],
                    },
                }
            ],
        }
    ],
}


def only(body: Any) -> Any:
    events = ADAPTER.parse(body)
    assert len(events) == 1, events
    return events[0]


def one(message: dict[str, Any]) -> Any:
    return only(p.envelope(messages=[message]))


def test_text_message_parses_every_field() -> None:
    """The documented text message, with the contact's profile name."""
    message = TEXT_WEBHOOK["entry"][0]["changes"][0]["value"]["messages"][0]
    assert only(TEXT_WEBHOOK) == InboundMessage(
        provider_message_id="wamid.HBgL001",
        chat_id="5511987654321",
        timestamp=TS,
        content_type=ContentType.TEXT,
        phone="5511987654321",
        contact_name="Maria",
        text="Sem internet",
        raw=message,
    )


def test_numeric_timestamp_and_quoted_context() -> None:
    """An int timestamp works too; context.id is the quoted message."""
    event = one(p.text("isso", timestamp=1749416383, context_id="wamid.ORIG"))
    assert (event.timestamp, event.reply_to_provider_id) == (TS, "wamid.ORIG")


def test_voice_note() -> None:
    """audio with voice:true → AUDIO voice note; the media id is the download handle."""
    event = one(p.media("audio", "1234567890", mime_type="audio/ogg; codecs=opus", voice=True))
    assert event.content_type == ContentType.AUDIO
    assert (event.media.voice, event.media.provider_media_id, event.media.mime_type) == (
        True,
        "1234567890",
        "audio/ogg; codecs=opus",
    )


@pytest.mark.parametrize(
    ("kind", "expected", "mime"),
    [
        ("image", ContentType.IMAGE, "image/jpeg"),
        ("video", ContentType.VIDEO, "video/mp4"),
        ("sticker", ContentType.STICKER, "image/webp"),
    ],
)
def test_media_with_caption(kind: str, expected: ContentType, mime: str) -> None:
    """Image, video, sticker with caption and sha256."""
    event = one(p.media(kind, "987", mime_type=mime, caption="legenda"))
    assert (event.content_type, event.text, event.media.mime_type) == (expected, "legenda", mime)
    assert event.media.sha256 == "7dbf4b31a3e2ddb3f0c6d4a1b2c3d4e5"


def test_document_filename() -> None:
    """document keeps filename and caption."""
    event = one(
        p.media("document", "55", mime_type="application/pdf", filename="boleto.pdf", caption="segue")
    )
    assert (event.content_type, event.media.filename, event.text) == (
        ContentType.DOCUMENT,
        "boleto.pdf",
        "segue",
    )


def test_location() -> None:
    """location → Location."""
    loc = {"latitude": -23.55, "longitude": "-46.63", "name": "Casa", "address": "Rua X"}
    assert one(p.message("location", loc)).location == Location(-23.55, -46.63, "Casa", "Rua X")


def test_contacts() -> None:
    """contacts → name and digits (wa_id preferred)."""
    card = {
        "name": {"formatted_name": "João Técnico", "first_name": "João"},
        "phones": [
            {"phone": "+55 11 91234-5678", "wa_id": "5511912345678", "type": "CELL"},
            {"phone": "+55 11 3000-0000"},
        ],
    }
    event = one(p.message("contacts", None) | {"contacts": [card]})
    assert event.contacts == [{"name": "João Técnico", "phones": ["5511912345678", "551130000000"]}]


def test_button_reply() -> None:
    """interactive button_reply → id and title; context.id is the message with the buttons."""
    event = one(p.button_reply("csat_5", "Ótimo", context_id="wamid.orig"))
    assert (event.content_type, event.interactive_reply_id, event.text, event.reply_to_provider_id) == (
        ContentType.INTERACTIVE_REPLY,
        "csat_5",
        "Ótimo",
        "wamid.orig",
    )


def test_list_reply() -> None:
    """interactive list_reply → row id and title."""
    event = one(p.list_reply("fin", "Financeiro", "boletos"))
    assert (event.interactive_reply_id, event.text) == ("fin", "Financeiro")


def test_template_quick_reply_button() -> None:
    """type button (template quick reply) → payload and text."""
    event = one(p.message("button", {"payload": "PAGAR", "text": "Pagar agora"}))
    assert (event.content_type, event.interactive_reply_id, event.text) == (
        ContentType.INTERACTIVE_REPLY,
        "PAGAR",
        "Pagar agora",
    )


def test_reaction_and_removal() -> None:
    """reaction → emoji on the target; no emoji means removed ("")."""
    added = one(p.reaction("wamid.T", "👍"))
    removed = one(p.reaction("wamid.T", None))
    assert (added.reaction_emoji, added.reaction_to_provider_id) == ("👍", "wamid.T")
    assert removed.reaction_emoji == ""


def test_unsupported_and_system() -> None:
    """Unknown message types are UNSUPPORTED; system messages keep their body."""
    assert one(p.message("unsupported", None)).content_type == ContentType.UNSUPPORTED
    system = one(p.message("system", {"body": "Maria changed her number", "type": "user_changed_number"}))
    assert (system.content_type, system.text) == (ContentType.SYSTEM, "Maria changed her number")


def test_batch_of_messages_and_statuses() -> None:
    """One POST can carry several messages and statuses; all come out in order."""
    body = p.envelope(messages=[p.text("a"), p.text("b")], statuses=[p.status("wamid.S", "sent")])
    events = ADAPTER.parse(body)
    assert [type(e).__name__ for e in events] == ["InboundMessage", "InboundMessage", "StatusUpdate"]
    assert [e.text for e in events[:2]] == ["a", "b"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [("sent", DeliveryStatus.SENT), ("delivered", DeliveryStatus.DELIVERED), ("read", DeliveryStatus.READ)],
)
def test_statuses(state: str, expected: DeliveryStatus) -> None:
    """statuses[] → StatusUpdate with recipient as chat."""
    status = p.status("wamid.S", state)
    event = only(p.envelope(statuses=[status]))
    assert event == StatusUpdate(
        provider_message_id="wamid.S", status=expected, timestamp=TS, chat_id="5511987654321", raw=status
    )


def test_failed_status_carries_code_and_readable_reason() -> None:
    """failed with 131047 → FAILED, code "131047", a Portuguese reason for the agent."""
    status = p.status("wamid.F", "failed", error_code=131047, error_title="Re-engagement message")
    event = only(p.envelope(statuses=[status]))
    assert (event.status, event.error_code) == (DeliveryStatus.FAILED, "131047")
    assert (
        event.error_text
        == "Mais de 24 horas desde a última mensagem do cliente: envie um modelo (template) aprovado."
    )


def test_failed_status_with_unknown_code_keeps_provider_text() -> None:
    """Unknown codes fall back to Meta's title and details."""
    event = only(p.envelope(statuses=[p.status("wamid.F", "failed", error_code=999, error_title="Weird")]))
    assert event.error_text.startswith("Weird — ")


def test_deleted_status_and_unknown_statuses() -> None:
    """status deleted → MessageDeleted; warning is ignored."""
    assert isinstance(only(p.envelope(statuses=[p.status("wamid.D", "deleted")])), MessageDeleted)
    assert ADAPTER.parse(p.envelope(statuses=[p.status("wamid.W", "warning")])) == []


def test_message_echoes_are_from_me() -> None:
    """smb_message_echoes (typed in the Business app) → from_me, chat is `to`."""
    echo = {
        "from": "551130000000",
        "to": "5511987654321",
        "id": "wamid.E",
        "timestamp": "1749416383",
        "type": "text",
        "text": {"body": "ok"},
    }
    body = p.envelope(field="smb_message_echoes")
    body["entry"][0]["changes"][0]["value"]["message_echoes"] = [echo]
    event = only(body)
    assert (event.from_me, event.chat_id, event.text) == (True, "5511987654321", "ok")


def test_other_fields_and_objects_are_ignored() -> None:
    """Template status updates and non-WhatsApp objects give []."""
    assert ADAPTER.parse(p.envelope(field="message_template_status_update")) == []
    assert ADAPTER.parse({"object": "page", "entry": []}) == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.pop("object"),
        lambda b: b.update(entry="x"),
        lambda b: b["entry"][0]["changes"][0].update(value=None),
        lambda b: b["entry"][0]["changes"][0]["value"]["messages"][0].pop("id"),
        lambda b: b["entry"][0]["changes"][0]["value"]["messages"][0].pop("timestamp"),
        lambda b: b["entry"][0]["changes"][0]["value"]["messages"][0].update(timestamp="ontem"),
        lambda b: b["entry"][0]["changes"][0]["value"].update(messages={"id": "x"}),
    ],
)
def test_malformed_bodies_raise_payload_error(mutate: Any) -> None:
    """Missing ids/timestamps, wrong types → PayloadError."""
    body = copy.deepcopy(TEXT_WEBHOOK)
    mutate(body)
    with pytest.raises(PayloadError):
        ADAPTER.parse(body)


def test_list_body_is_malformed() -> None:
    """Meta never sends a JSON list."""
    with pytest.raises(PayloadError):
        ADAPTER.parse([TEXT_WEBHOOK])


def test_status_carries_our_message_id_back() -> None:
    """biz_opaque_callback_data (our id, sent with the message) comes back as client_message_id."""
    event = only(p.envelope(statuses=[p.status("wamid.S", "delivered", callback_data="msg-42")]))
    assert (event.provider_message_id, event.client_message_id) == ("wamid.S", "msg-42")
