"""Uazapi (uazapiGO v2) webhook payloads → normalized events."""

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
from integrations.channels.uazapi import UazapiAdapter
from tests.stubs import uazapi_payloads as p

ADAPTER = UazapiAdapter()
TS = datetime(2026, 1, 19, 3, 1, 58, tzinfo=UTC)  # 1768791718000 ms

TEXT_WEBHOOK: dict[str, Any] = {
    "BaseUrl": "https://x.uazapi.com",
    "EventType": "messages",
    "instanceName": "isp01",
    "owner": "5511999990000",
    "token": "tok",
    "chat": {"wa_chatid": "5511987654321@s.whatsapp.net", "wa_name": "Maria"},
    "message": {
        "id": "5511999990000:3A7C0001",
        "messageid": "3A7C0001",
        "chatid": "5511987654321@s.whatsapp.net",
        "sender": "5511987654321@s.whatsapp.net",
        "senderName": "Maria",
        "fromMe": False,
        "isGroup": False,
        "wasSentByApi": False,
        "messageType": "Conversation",
        "type": "text",
        "text": "Oi",
        "content": "Oi",
        "messageTimestamp": 1768791718000,
        "mediaType": "",
        "buttonOrListid": "",
        "quoted": "",
        "source": "ios",
    },
}


def with_message(**fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(TEXT_WEBHOOK)
    body["message"].update(fields)
    return body


def only(body: Any) -> Any:
    events = ADAPTER.parse(body)
    assert len(events) == 1, events
    return events[0]


def test_text_message_parses_every_field() -> None:
    """The documented text message: messageid is the id, milliseconds become UTC."""
    assert only(TEXT_WEBHOOK) == InboundMessage(
        provider_message_id="3A7C0001",
        chat_id="5511987654321@s.whatsapp.net",
        timestamp=TS,
        content_type=ContentType.TEXT,
        phone="5511987654321",
        contact_name="Maria",
        text="Oi",
        raw=TEXT_WEBHOOK["message"],
    )


def test_text_only_in_content_and_seconds_timestamp() -> None:
    """Text found in `content` when `text` is empty; epoch seconds as a string are accepted."""
    event = only(with_message(text="", content="Sem internet", messageTimestamp="1768791718"))
    assert (event.text, event.timestamp) == ("Sem internet", TS)


def test_extended_text_object_with_quote() -> None:
    """ExtendedTextMessage: content is an object; `quoted` is the quoted message id."""
    body = with_message(
        messageType="ExtendedTextMessage",
        text="",
        content={"text": "segue o comprovante", "contextInfo": {"stanzaID": "3EB0QUOTED"}},
        quoted="",
    )
    event = only(body)
    assert (event.content_type, event.text, event.reply_to_provider_id) == (
        ContentType.TEXT,
        "segue o comprovante",
        "3EB0QUOTED",
    )
    assert only(with_message(quoted="3EB0TOP")).reply_to_provider_id == "3EB0TOP"


def test_voice_note() -> None:
    """AudioMessage with mediaType ptt is a voice note; content carries mime and seconds."""
    body = with_message(
        messageType="AudioMessage",
        type="media",
        mediaType="ptt",
        text="",
        content={
            "URL": "https://mmg.whatsapp.net/x.enc",
            "mimetype": "audio/ogg; codecs=opus",
            "seconds": 3,
            "PTT": True,
        },
    )
    event = only(body)
    assert event.content_type == ContentType.AUDIO
    assert (event.media.voice, event.media.seconds, event.media.mime_type) == (
        True,
        3,
        "audio/ogg; codecs=opus",
    )
    assert event.media.provider_media_id == "3A7C0001"
    assert event.media.url is None


def test_image_with_caption() -> None:
    """ImageMessage caption comes from `text` (or content.caption)."""
    body = with_message(
        messageType="ImageMessage",
        type="media",
        mediaType="image",
        text="",
        content={"URL": "u", "mimetype": "image/jpeg", "caption": "olha a luz", "fileLength": "1234"},
    )
    event = only(body)
    assert (event.content_type, event.text, event.media.size) == (ContentType.IMAGE, "olha a luz", 1234)


def test_document_record_from_the_stub_builder() -> None:
    """DocumentMessage keeps the file name."""
    event = only(p.webhook(p.media_record("document", file_name="contrato.pdf"), token="t", base_url="u"))
    assert (event.content_type, event.media.filename, event.media.mime_type) == (
        ContentType.DOCUMENT,
        "contrato.pdf",
        "application/pdf",
    )


def test_media_type_without_message_type() -> None:
    """A record with no messageType still reads as media through mediaType."""
    event = only(
        with_message(
            messageType="", type="media", mediaType="video", text="", content={"mimetype": "video/mp4"}
        )
    )
    assert event.content_type == ContentType.VIDEO


def test_location() -> None:
    """LocationMessage content → Location."""
    content = {"degreesLatitude": -23.55, "degreesLongitude": -46.63, "name": "Casa", "address": "Rua X"}
    event = only(with_message(messageType="LocationMessage", text="", content=content))
    assert event.location == Location(-23.55, -46.63, "Casa", "Rua X")


def test_contact_card() -> None:
    """ContactMessage vCard → name and digits."""
    vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Técnico\nTEL;type=CELL:+55 11 91234-5678\nEND:VCARD"
    event = only(
        with_message(
            messageType="ContactMessage", text="", content={"displayName": "Técnico", "vcard": vcard}
        )
    )
    assert event.contacts[0]["name"] == "Técnico"
    assert event.contacts[0]["phones"] == ["5511912345678"]


@pytest.mark.parametrize("message_type", ["ButtonsResponseMessage", "ListResponseMessage"])
def test_button_and_list_replies(message_type: str) -> None:
    """buttonOrListid is the reply id; the text is the tapped title."""
    event = only(with_message(messageType=message_type, text="Financeiro", content={}, buttonOrListid="fin"))
    assert (event.content_type, event.interactive_reply_id, event.text) == (
        ContentType.INTERACTIVE_REPLY,
        "fin",
        "Financeiro",
    )


def test_reaction() -> None:
    """ReactionMessage: text is the emoji, `reaction` the target id."""
    event = only(with_message(messageType="ReactionMessage", text="❤️", content={}, reaction="3EB0TARGET"))
    assert (event.content_type, event.reaction_emoji, event.reaction_to_provider_id) == (
        ContentType.REACTION,
        "❤️",
        "3EB0TARGET",
    )


def test_revoke_is_a_deletion() -> None:
    """ProtocolMessage REVOKE deletes the message in its key."""
    body = with_message(
        messageType="ProtocolMessage", text="", content={"type": 0, "key": {"ID": "3A7CGONE"}}
    )
    event = only(body)
    assert isinstance(event, MessageDeleted)
    assert event.provider_message_id == "3A7CGONE"


def test_from_me_and_group() -> None:
    """fromMe sets from_me without a contact name; isGroup sets is_group without a phone."""
    mine = only(with_message(fromMe=True, senderName="Provedor X"))
    assert (mine.from_me, mine.contact_name) == (True, None)
    group = only(with_message(chatid="120363025246125486@g.us", isGroup=True))
    assert (group.is_group, group.phone, group.chat_id) == (True, None, "120363025246125486@g.us")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Sent", DeliveryStatus.SENT),
        ("Delivered", DeliveryStatus.DELIVERED),
        ("Read", DeliveryStatus.READ),
        ("Played", DeliveryStatus.READ),
    ],
)
def test_receipts(kind: str, expected: DeliveryStatus) -> None:
    """messages_update receipts → one StatusUpdate per MessageID, Timestamp in seconds."""
    body = {
        "EventType": "messages_update",
        "type": "ReadReceipt",
        "state": kind,
        "event": {
            "MessageIDs": ["3EB0A", "3EB0B"],
            "Chat": "5511987654321@s.whatsapp.net",
            "IsFromMe": False,
            "Timestamp": 1785820620,
            "Type": kind,
        },
        "token": "tok",
        "owner": "5511999990000",
        "instanceName": "isp01",
    }
    events = ADAPTER.parse(body)
    assert [(e.provider_message_id, e.status) for e in events] == [("3EB0A", expected), ("3EB0B", expected)]
    assert all(isinstance(e, StatusUpdate) for e in events)
    assert events[0].timestamp == datetime.fromtimestamp(1785820620, UTC)
    assert events[0].chat_id == "5511987654321@s.whatsapp.net"


def test_self_receipts_are_ignored() -> None:
    """ReadSelf (we read on another device) is no delivery news."""
    body = {"EventType": "messages_update", "event": {"MessageIDs": ["x"], "Type": "ReadSelf"}, "token": "t"}
    assert ADAPTER.parse(body) == []


@pytest.mark.parametrize(
    ("status", "expected"), [("connected", "open"), ("connecting", "connecting"), ("disconnected", "close")]
)
def test_connection_states(status: str, expected: str) -> None:
    """Uazapi's connected/connecting/disconnected map to open/connecting/close."""
    body = {"EventType": "connection", "instance": {"name": "isp01", "status": status}, "token": "t"}
    assert only(body).state == expected


def test_connection_with_qr_code() -> None:
    """A connecting instance event carries its QR as a data URI."""
    body = {
        "EventType": "connection",
        "instance": {"status": "connecting", "qrcode": "iVBORw0"},
        "token": "t",
    }
    assert only(body).qr_code == "data:image/png;base64,iVBORw0"


def test_unknown_event_type_is_ignored() -> None:
    """presence, chats, history… produce []."""
    assert ADAPTER.parse({"EventType": "presence", "event": {}, "token": "t"}) == []


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"message": {}},
        {"EventType": "messages"},
        {"EventType": "messages", "message": {"chatid": "1@s.whatsapp.net"}},
        {"EventType": "messages", "message": {"messageid": "A"}},
        {"EventType": "messages", "message": {"messageid": "A", "chatid": "1@s.whatsapp.net", "content": 5}},
        {"EventType": "messages_update", "event": "x"},
    ],
)
def test_malformed_bodies_raise_payload_error(body: Any) -> None:
    """Missing ids, chat or wrong types are PayloadError."""
    with pytest.raises(PayloadError):
        ADAPTER.parse(body)
