"""Evolution API v2 webhook payloads → normalized events."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.channels.events import (
    ConnectionUpdate,
    ContentType,
    DeliveryStatus,
    InboundMessage,
    Location,
    MessageDeleted,
    PayloadError,
    StatusUpdate,
)
from integrations.channels.evolution import EvolutionAdapter

ADAPTER = EvolutionAdapter()
TS = datetime(2024, 11, 21, 14, 40, tzinfo=UTC)  # 1732200000

TEXT_WEBHOOK: dict[str, Any] = {
    "event": "messages.upsert",
    "instance": "isp01",
    "data": {
        "key": {"remoteJid": "5511987654321@s.whatsapp.net", "fromMe": False, "id": "3EB0C5A1B2C3D4E5F6"},
        "pushName": "Maria",
        "status": "DELIVERY_ACK",
        "message": {"conversation": "Estou sem internet"},
        "contextInfo": None,
        "messageType": "conversation",
        "messageTimestamp": 1732200000,
        "instanceId": "7f0c...",
        "source": "android",
    },
    "destination": "https://bot/wh",
    "date_time": "2025-11-21T11:20:00.000Z",
    "sender": "5511999990000@s.whatsapp.net",
    "server_url": "http://evo:8080",
    "apikey": None,
}


def with_message(message: dict[str, Any], message_type: str = "x", **data: Any) -> dict[str, Any]:
    body = copy.deepcopy(TEXT_WEBHOOK)
    body["data"]["message"] = message
    body["data"]["messageType"] = message_type
    body["data"].update(data)
    return body


def only(body: Any) -> Any:
    events = ADAPTER.parse(body)
    assert len(events) == 1, events
    return events[0]


def test_conversation_text_parses_every_field() -> None:
    """The documented text message becomes one fully populated InboundMessage."""
    event = only(TEXT_WEBHOOK)
    assert event == InboundMessage(
        provider_message_id="3EB0C5A1B2C3D4E5F6",
        chat_id="5511987654321@s.whatsapp.net",
        timestamp=TS,
        content_type=ContentType.TEXT,
        from_me=False,
        phone="5511987654321",
        contact_name="Maria",
        text="Estou sem internet",
        raw=TEXT_WEBHOOK["data"],
    )


def test_extended_text_with_quote() -> None:
    """Text in extendedTextMessage.text; contextInfo.stanzaId is the quoted message."""
    message = {
        "extendedTextMessage": {"text": "Ainda sem sinal", "contextInfo": {"stanzaId": "3EB0ORIGINAL"}}
    }
    event = only(with_message(message, "extendedTextMessage"))
    assert (event.content_type, event.text, event.reply_to_provider_id) == (
        ContentType.TEXT,
        "Ainda sem sinal",
        "3EB0ORIGINAL",
    )


@pytest.mark.parametrize(
    "raw_ts",
    [
        1732200000,
        "1732200000",
        1732200000000,
        "1732200000000",
        {"low": 1732200000, "high": 0, "unsigned": True},
    ],
)
def test_timestamp_variants_become_the_same_utc_instant(raw_ts: Any) -> None:
    """Seconds, milliseconds, strings and protobuf Long objects all read as the same aware UTC time."""
    event = only(with_message({"conversation": "oi"}, "conversation", messageTimestamp=raw_ts))
    assert event.timestamp == TS
    assert event.timestamp.tzinfo is UTC


def test_image_with_caption_and_inline_base64() -> None:
    """Media keeps caption, mime, size, sha and the inline base64 sent with `base64: true`."""
    message = {
        "imageMessage": {
            "url": "https://mmg.whatsapp.net/x.enc",
            "mimetype": "image/jpeg",
            "caption": "meu roteador",
            "fileSha256": "abc=",
            "fileLength": "52341",
            "mediaKey": "k=",
            "directPath": "/v/x.enc",
        },
        "base64": "aGVsbG8=",
    }
    event = only(with_message(message, "imageMessage"))
    assert event.content_type == ContentType.IMAGE
    assert event.text == "meu roteador"
    assert event.media.mime_type == "image/jpeg"
    assert event.media.size == 52341
    assert event.media.sha256 == "abc="
    assert event.media.inline_base64 == "aGVsbG8="
    assert event.media.provider_media_id == "3EB0C5A1B2C3D4E5F6"
    assert event.media.url is None  # the encrypted WhatsApp URL is useless to us


def test_voice_note_ptt() -> None:
    """audioMessage with ptt:true is a voice note with its duration."""
    message = {"audioMessage": {"url": "u", "mimetype": "audio/ogg; codecs=opus", "seconds": 7, "ptt": True}}
    event = only(with_message(message, "audioMessage"))
    assert event.content_type == ContentType.AUDIO
    assert (event.media.voice, event.media.seconds, event.media.mime_type) == (
        True,
        7,
        "audio/ogg; codecs=opus",
    )


def test_document_with_caption_wrapper() -> None:
    """documentWithCaptionMessage wraps the document; filename and caption come through."""
    inner = {"documentMessage": {"mimetype": "application/pdf", "fileName": "boleto.pdf", "caption": "segue"}}
    event = only(
        with_message({"documentWithCaptionMessage": {"message": inner}}, "documentWithCaptionMessage")
    )
    assert (event.content_type, event.media.filename, event.text) == (
        ContentType.DOCUMENT,
        "boleto.pdf",
        "segue",
    )


@pytest.mark.parametrize(
    ("key", "kind"),
    [("videoMessage", ContentType.VIDEO), ("stickerMessage", ContentType.STICKER)],
)
def test_video_and_sticker(key: str, kind: ContentType) -> None:
    """Video and sticker messages map to their content types with a media ref."""
    event = only(with_message({key: {"mimetype": "video/mp4" if "video" in key else "image/webp"}}, key))
    assert event.content_type == kind
    assert event.media is not None


def test_ephemeral_wrapper_is_unwrapped() -> None:
    """Disappearing-message containers are opened to find the real content."""
    event = only(
        with_message({"ephemeralMessage": {"message": {"conversation": "some"}}}, "ephemeralMessage")
    )
    assert event.text == "some"


def test_location() -> None:
    """locationMessage → Location with name and address."""
    message = {
        "locationMessage": {
            "degreesLatitude": -23.5505,
            "degreesLongitude": -46.6333,
            "name": "Casa",
            "address": "Rua X, 10",
        }
    }
    event = only(with_message(message, "locationMessage"))
    assert event.content_type == ContentType.LOCATION
    assert event.location == Location(-23.5505, -46.6333, "Casa", "Rua X, 10")


def test_contact_card() -> None:
    """contactMessage vCard → name and WhatsApp digits."""
    vcard = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:João Técnico\n"
        "TEL;type=CELL;waid=5511912345678:+55 11 91234-5678\nEND:VCARD"
    )
    event = only(with_message({"contactMessage": {"displayName": "João", "vcard": vcard}}, "contactMessage"))
    assert event.content_type == ContentType.CONTACTS
    assert event.contacts[0]["name"] == "João"
    assert event.contacts[0]["phones"] == ["5511912345678"]


@pytest.mark.parametrize(
    ("message", "reply_id", "title"),
    [
        (
            {"buttonsResponseMessage": {"selectedButtonId": "csat_5", "selectedDisplayText": "Ótimo"}},
            "csat_5",
            "Ótimo",
        ),
        (
            {"templateButtonReplyMessage": {"selectedId": "pay", "selectedDisplayText": "Pagar"}},
            "pay",
            "Pagar",
        ),
        (
            {"listResponseMessage": {"title": "Financeiro", "singleSelectReply": {"selectedRowId": "fin"}}},
            "fin",
            "Financeiro",
        ),
        (
            {
                "interactiveResponseMessage": {
                    "body": {"text": "Suporte"},
                    "nativeFlowResponseMessage": {"name": "quick_reply", "paramsJson": '{"id":"sup"}'},
                }
            },
            "sup",
            "Suporte",
        ),
    ],
)
def test_button_and_list_replies(message: dict[str, Any], reply_id: str, title: str) -> None:
    """Every reply flavour gives interactive_reply_id and the tapped title as text."""
    event = only(with_message(message))
    assert (event.content_type, event.interactive_reply_id, event.text) == (
        ContentType.INTERACTIVE_REPLY,
        reply_id,
        title,
    )


@pytest.mark.parametrize(("emoji", "expected"), [("👍", "👍"), ("", "")])
def test_reaction_and_its_removal(emoji: str, expected: str) -> None:
    """reactionMessage → REACTION on the target id; an empty text removes it."""
    message = {
        "reactionMessage": {"key": {"remoteJid": "x", "fromMe": True, "id": "BAE5TARGET"}, "text": emoji}
    }
    event = only(with_message(message, "reactionMessage"))
    assert (event.content_type, event.reaction_emoji, event.reaction_to_provider_id) == (
        ContentType.REACTION,
        expected,
        "BAE5TARGET",
    )


def test_protocol_revoke_is_a_deletion() -> None:
    """protocolMessage REVOKE deletes the message named in its key, not the protocol message itself."""
    message = {
        "protocolMessage": {"key": {"remoteJid": "x", "fromMe": False, "id": "3EB0GONE"}, "type": "REVOKE"}
    }
    event = only(with_message(message, "protocolMessage"))
    assert event == MessageDeleted(
        provider_message_id="3EB0GONE",
        timestamp=TS,
        chat_id="5511987654321@s.whatsapp.net",
        raw=with_message(message, "protocolMessage")["data"],
    )


def test_other_protocol_messages_are_ignored() -> None:
    """Ephemeral-setting and similar protocol messages produce no event."""
    assert ADAPTER.parse(with_message({"protocolMessage": {"type": "EPHEMERAL_SETTING"}})) == []


def test_from_me_message() -> None:
    """Messages typed on the business phone are from_me and carry no contact name (pushName is ours)."""
    body = with_message({"conversation": "Bom dia!"}, "conversation")
    body["data"]["key"]["fromMe"] = True
    event = only(body)
    assert (event.from_me, event.contact_name) == (True, None)


def test_group_message() -> None:
    """Group JIDs are parsed with is_group=True and no phone."""
    body = copy.deepcopy(TEXT_WEBHOOK)
    body["data"]["key"].update(
        remoteJid="120363025246125486@g.us", participant="5511987654321@s.whatsapp.net"
    )
    event = only(body)
    assert (event.is_group, event.phone, event.chat_id) == (True, None, "120363025246125486@g.us")


def test_device_suffix_is_stripped_from_phone_and_chat() -> None:
    """`5511987654321:12@s.whatsapp.net` → phone 5511987654321."""
    body = copy.deepcopy(TEXT_WEBHOOK)
    body["data"]["key"]["remoteJid"] = "5511987654321:12@s.whatsapp.net"
    event = only(body)
    assert (event.phone, event.chat_id) == ("5511987654321", "5511987654321@s.whatsapp.net")


def test_lid_address_uses_sender_pn() -> None:
    """LID-addressed messages use the phone JID that rides along in senderPn."""
    body = copy.deepcopy(TEXT_WEBHOOK)
    body["data"]["key"].update(remoteJid="123456789012345@lid", senderPn="5511987654321@s.whatsapp.net")
    assert only(body).phone == "5511987654321"


def test_status_broadcast_is_ignored() -> None:
    """WhatsApp status stories are not conversations."""
    body = copy.deepcopy(TEXT_WEBHOOK)
    body["data"]["key"]["remoteJid"] = "status@broadcast"
    assert ADAPTER.parse(body) == []


def test_upper_case_event_name_and_send_message() -> None:
    """MESSAGES_UPSERT spelling and send.message (our own sends) are accepted."""
    body = copy.deepcopy(TEXT_WEBHOOK)
    body["event"] = "MESSAGES_UPSERT"
    assert only(body).text == "Estou sem internet"
    body["event"] = "send.message"
    assert only(body).provider_message_id == "3EB0C5A1B2C3D4E5F6"


def update_webhook(status: Any, from_me: bool = True) -> dict[str, Any]:
    data = {
        "keyId": "3EB0AAA",
        "remoteJid": "5511987654321@s.whatsapp.net",
        "fromMe": from_me,
        "status": status,
    }
    return {
        "event": "messages.update",
        "instance": "isp01",
        "data": data,
        "date_time": "2025-11-21T11:20:00.000Z",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SERVER_ACK", DeliveryStatus.SENT),
        ("DELIVERY_ACK", DeliveryStatus.DELIVERED),
        ("READ", DeliveryStatus.READ),
        ("PLAYED", DeliveryStatus.READ),
        ("ERROR", DeliveryStatus.FAILED),
        (3, DeliveryStatus.DELIVERED),
    ],
)
def test_status_updates(raw: Any, expected: DeliveryStatus) -> None:
    """messages.update statuses map onto our ordered DeliveryStatus."""
    event = only(update_webhook(raw))
    assert isinstance(event, StatusUpdate)
    assert (event.provider_message_id, event.status, event.chat_id) == (
        "3EB0AAA",
        expected,
        "5511987654321@s.whatsapp.net",
    )
    assert event.timestamp == datetime(2025, 11, 21, 11, 20, tzinfo=UTC)


def test_pending_and_receipts_of_inbound_messages_are_ignored() -> None:
    """PENDING carries no news; READ on a customer's message is our own read mark."""
    assert ADAPTER.parse(update_webhook("PENDING")) == []
    assert ADAPTER.parse(update_webhook("READ", from_me=False)) == []


def test_status_deleted_is_a_deletion() -> None:
    """messages.update DELETED → MessageDeleted."""
    event = only(update_webhook("DELETED", from_me=False))
    assert isinstance(event, MessageDeleted)
    assert event.provider_message_id == "3EB0AAA"


def test_connection_update() -> None:
    """connection.update → ConnectionUpdate with state and statusReason."""
    body = {
        "event": "connection.update",
        "instance": "isp01",
        "data": {
            "instance": "isp01",
            "wuid": "x",
            "profileName": "Provedor X",
            "state": "close",
            "statusReason": 401,
        },
        "date_time": "2025-11-21T11:20:00.000Z",
    }
    event = only(body)
    assert (type(event), event.state, event.reason) == (ConnectionUpdate, "close", "401")


def test_qrcode_updated_carries_qr_and_pair_code() -> None:
    """qrcode.updated → connecting, with the QR data URI and pairing code."""
    qr = {
        "instance": "isp01",
        "pairingCode": "WZYE-H1YY",
        "code": "2@x",
        "base64": "data:image/png;base64,iVBOR",
    }
    event = only({"event": "qrcode.updated", "instance": "isp01", "data": {"qrcode": qr}})
    assert (event.state, event.qr_code, event.pair_code) == (
        "connecting",
        "data:image/png;base64,iVBOR",
        "WZYE-H1YY",
    )


def test_unknown_event_is_ignored() -> None:
    """Valid but unused events (chats.update, presence.update) produce []."""
    assert ADAPTER.parse({"event": "chats.update", "instance": "isp01", "data": [{"id": "x"}]}) == []


@pytest.mark.parametrize(
    "body",
    [
        "not an object",
        {"instance": "isp01", "data": {}},
        {"event": "messages.upsert", "data": "oops"},
        {"event": "messages.upsert", "data": {"message": {"conversation": "x"}}},
        {"event": "messages.upsert", "data": {"key": {"remoteJid": "5511@s.whatsapp.net"}, "message": {}}},
        {
            "event": "messages.upsert",
            "data": {"key": {"remoteJid": "1@s.whatsapp.net", "id": "A"}, "message": []},
        },
        {"event": "messages.upsert", "data": {"key": "A", "message": {}}},
        {"event": "messages.update", "data": {"status": "READ"}},
        {"event": "connection.update", "data": {"instance": "isp01"}},
    ],
)
def test_malformed_bodies_raise_payload_error(body: Any) -> None:
    """Missing required fields or wrong types are PayloadError (the webhook answers 400)."""
    with pytest.raises(PayloadError):
        ADAPTER.parse(body)


def test_bad_timestamp_raises_payload_error() -> None:
    """A timestamp that is no time at all is rejected, not guessed."""
    with pytest.raises(PayloadError):
        ADAPTER.parse(with_message({"conversation": "x"}, messageTimestamp="ontem"))


def test_s3_media_url_and_missing_timestamp() -> None:
    """mediaUrl (S3) becomes the download URL; a zero timestamp falls back to the envelope's date_time."""
    message = {"imageMessage": {"mimetype": "image/jpeg"}, "mediaUrl": "https://s3.example/evo/img.jpg"}
    event = only(with_message(message, "imageMessage", messageTimestamp=0))
    assert event.media.url == "https://s3.example/evo/img.jpg"
    assert event.timestamp == datetime(2025, 11, 21, 11, 20, tzinfo=UTC)
