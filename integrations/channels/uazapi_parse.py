"""Uazapi (uazapiGO v2, whatsmeow) payloads → normalized events.

`parse_message_record` reads one Uazapi message object; webhooks (`EventType: messages`) and history
(`/message/find`) carry the same object, so recovery produces the events the webhook would have.
whatsmeow serialises protobuf names (`URL`, `PTT`, `stanzaID`), Baileys-style names appear too: reads go
through `ci_get`. The WhatsApp id is `messageid`; `id` is `owner:messageid`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.channels.events import (
    ConnectionUpdate,
    ContentType,
    DeliveryStatus,
    Event,
    InboundMessage,
    Location,
    MediaRef,
    MessageDeleted,
    PayloadError,
    StatusUpdate,
)
from integrations.channels.normalize import (
    as_data_uri,
    as_dict,
    ci_get,
    is_group_jid,
    is_ignored_jid,
    normalize_jid,
    now_utc,
    opt_bool,
    opt_dict,
    opt_float,
    opt_int,
    opt_list,
    opt_str,
    opt_utc,
    parse_vcard,
    phone_from_jid,
    require_dict,
    require_str,
    to_utc,
)

TRACK_SOURCE = "niochat"  # what we send as `track_source`, so only our own ids are trusted back
_RECEIPTS = {
    "sent": DeliveryStatus.SENT,
    "server": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "played": DeliveryStatus.READ,
}
_CONNECTION = {"connected": "open", "open": "open", "connecting": "connecting", "disconnected": "close"}
_MEDIA_TYPES = {
    "imagemessage": ContentType.IMAGE,
    "videomessage": ContentType.VIDEO,
    "ptvmessage": ContentType.VIDEO,
    "audiomessage": ContentType.AUDIO,
    "documentmessage": ContentType.DOCUMENT,
    "documentwithcaptionmessage": ContentType.DOCUMENT,
    "stickermessage": ContentType.STICKER,
}
_MEDIA_BY_MEDIATYPE = {
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "ptv": ContentType.VIDEO,
    "audio": ContentType.AUDIO,
    "myaudio": ContentType.AUDIO,
    "ptt": ContentType.AUDIO,
    "document": ContentType.DOCUMENT,
    "sticker": ContentType.STICKER,
}
_REPLIES = {
    "buttonsresponsemessage",
    "listresponsemessage",
    "templatebuttonreplymessage",
    "interactiveresponsemessage",
}
_TEXT_TYPES = {"conversation", "extendedtextmessage", ""}


def event_type(body: dict[str, Any]) -> str:
    name = body.get("EventType") or body.get("eventType") or body.get("event")
    return require_str(name, "EventType").strip().lower()


def parse_body(body: dict[str, Any]) -> list[Event]:
    kind = event_type(body)
    if kind == "messages":
        chat = opt_dict(body.get("chat"), "chat")
        event = parse_message_record(require_dict(body.get("message"), "message"), chat=chat)
        return [event] if event is not None else []
    if kind == "messages_update":
        return _receipts(body)
    if kind == "connection":
        return [_connection(body)]
    return []


def _receipts(body: dict[str, Any]) -> list[Event]:
    event = require_dict(body.get("event"), "event")
    kind = (opt_str(event.get("Type")) or opt_str(body.get("state")) or "").lower()
    status = _RECEIPTS.get(kind)
    if status is None:
        return []  # ReadSelf, Retry, edits…: no delivery news for us
    ids = opt_list(event.get("MessageIDs"), "MessageIDs")
    chat = opt_str(event.get("Chat"))
    when = opt_utc(event.get("Timestamp"), "Timestamp") or now_utc()
    return [
        StatusUpdate(
            provider_message_id=require_str(mid, "MessageIDs[]"),
            status=status,
            timestamp=when,
            chat_id=normalize_jid(chat) if chat else None,
            raw=body,
        )
        for mid in ids
    ]


def _connection(body: dict[str, Any]) -> ConnectionUpdate:
    instance = as_dict(body.get("instance"))
    raw_state = opt_str(instance.get("status")) or opt_str(body.get("status")) or "disconnected"
    state = _CONNECTION.get(raw_state.lower(), raw_state.lower())
    reason = opt_str(instance.get("lastDisconnectReason")) or opt_str(body.get("reason"))
    return ConnectionUpdate(
        state=state,
        timestamp=now_utc(),
        reason=reason,
        qr_code=as_data_uri(opt_str(instance.get("qrcode"))),
        pair_code=opt_str(instance.get("paircode")),
        raw=body,
    )


# --- one message record ---------------------------------------------------------------------------------


def parse_message_record(
    record: dict[str, Any], *, chat: dict[str, Any] | None = None
) -> InboundMessage | MessageDeleted | None:
    """A Uazapi message object → InboundMessage (MessageDeleted for a revoke, None for noise)."""
    message_id = opt_str(record.get("messageid")) or (opt_str(record.get("id")) or "").rpartition(":")[2]
    if not message_id:
        raise PayloadError("message.messageid required")
    address = opt_str(record.get("chatid")) or opt_str(as_dict(chat).get("wa_chatid"))
    address = require_str(address, "message.chatid")
    if is_ignored_jid(address):
        return None
    if address.endswith("@lid"):
        address = opt_str(record.get("sender_pn")) or opt_str(record.get("chat_pn")) or address
    chat_id = normalize_jid(address)
    group = opt_bool(record.get("isGroup")) or is_group_jid(chat_id)
    from_me = opt_bool(record.get("fromMe"))
    raw_ts = record.get("messageTimestamp")
    timestamp = to_utc(raw_ts, "messageTimestamp") if raw_ts not in (None, "", 0) else now_utc()
    content_raw = record.get("content")
    content = content_raw if isinstance(content_raw, dict) else {}
    if content_raw is not None and not isinstance(content_raw, dict | str):
        raise PayloadError("message.content: expected a string or an object")
    message_type = (opt_str(record.get("messageType")) or "").lower()

    if message_type == "protocolmessage":
        if opt_str(ci_get(content, "type")) in ("0", "REVOKE"):
            target = require_str(ci_get(as_dict(ci_get(content, "key")), "ID", "id"), "content.key.ID")
            return MessageDeleted(
                provider_message_id=target, timestamp=timestamp, chat_id=chat_id, raw=record
            )
        return None

    fields = _content(record, content, content_raw, message_type, message_id)
    context = as_dict(ci_get(content, "contextInfo"))
    quoted = opt_str(record.get("quoted")) or opt_str(ci_get(context, "stanzaID", "stanzaId"))
    sender_name = opt_str(record.get("senderName")) or opt_str(
        ci_get(as_dict(chat), "wa_contactName", "wa_name")
    )
    return InboundMessage(
        provider_message_id=message_id,
        chat_id=chat_id,
        timestamp=timestamp,
        from_me=from_me,
        phone=None if group else phone_from_jid(chat_id),
        contact_name=None if from_me else sender_name,
        reply_to_provider_id=quoted,
        is_group=group,
        raw=record,
        client_message_id=opt_str(record.get("track_id"))
        if record.get("track_source") == TRACK_SOURCE
        else None,
        **fields,
    )


def _content(
    record: dict[str, Any],
    content: dict[str, Any],
    content_raw: Any,
    message_type: str,
    message_id: str,
) -> dict[str, Any]:
    text = opt_str(record.get("text")) or (
        content_raw if isinstance(content_raw, str) and content_raw else None
    )
    media_type = (opt_str(record.get("mediaType")) or "").lower()
    kind = _MEDIA_TYPES.get(message_type)
    if kind is None and message_type not in _REPLIES and message_type not in _TEXT_TYPES - {""}:
        kind = _MEDIA_BY_MEDIATYPE.get(media_type)  # no messageType: trust mediaType
    if kind is not None:
        caption = text or opt_str(ci_get(content, "caption"))
        return {
            "content_type": kind,
            "text": caption,
            "media": _media_ref(record, content, media_type, message_id),
        }
    if message_type in _REPLIES or opt_str(record.get("buttonOrListid")):
        reply_id = opt_str(record.get("buttonOrListid")) or opt_str(
            ci_get(
                content, "selectedButtonID", "selectedID", "selectedRowID", "selectedButtonId", "selectedId"
            )
        )
        title = text or opt_str(ci_get(content, "selectedDisplayText", "title"))
        return {
            "content_type": ContentType.INTERACTIVE_REPLY,
            "interactive_reply_id": reply_id,
            "text": title,
        }
    if message_type == "reactionmessage":
        target = opt_str(record.get("reaction")) or opt_str(
            ci_get(as_dict(ci_get(content, "key")), "ID", "id")
        )
        return {
            "content_type": ContentType.REACTION,
            "reaction_emoji": text or opt_str(ci_get(content, "text")) or "",
            "reaction_to_provider_id": require_str(target, "message.reaction"),
        }
    if message_type in ("locationmessage", "livelocationmessage"):
        lat = opt_float(ci_get(content, "degreesLatitude", "latitude"))
        lng = opt_float(ci_get(content, "degreesLongitude", "longitude"))
        if lat is None or lng is None:
            raise PayloadError("location message without coordinates")
        name, address = opt_str(ci_get(content, "name")), opt_str(ci_get(content, "address"))
        return {"content_type": ContentType.LOCATION, "location": Location(lat, lng, name, address)}
    if message_type in ("contactmessage", "contactsarraymessage"):
        cards = opt_list(ci_get(content, "contacts"), "contacts") or [content]
        contacts = [
            parse_vcard(opt_str(ci_get(c, "vcard")) or "", opt_str(ci_get(c, "displayName")))
            for c in cards
            if isinstance(c, dict)
        ]
        return {"content_type": ContentType.CONTACTS, "contacts": contacts}
    if message_type in _TEXT_TYPES or text is not None or ci_get(content, "text"):
        return {"content_type": ContentType.TEXT, "text": text or opt_str(ci_get(content, "text"))}
    return {"content_type": ContentType.UNSUPPORTED}


def _media_ref(record: dict[str, Any], content: dict[str, Any], media_type: str, message_id: str) -> MediaRef:
    """`content.URL` is an encrypted WhatsApp URL: bytes come from `/message/download` (or `fileURL`,
    a plain link Uazapi fills once it has downloaded the file itself)."""
    sha = ci_get(content, "fileSHA256", "fileSha256")
    return MediaRef(
        mime_type=opt_str(ci_get(content, "mimetype", "mimeType")),
        filename=opt_str(ci_get(content, "fileName", "title")),
        size=opt_int(ci_get(content, "fileLength")),
        sha256=sha if isinstance(sha, str) else None,
        seconds=opt_int(ci_get(content, "seconds")),
        voice=media_type == "ptt" or opt_bool(ci_get(content, "PTT")),
        provider_media_id=message_id,
        url=opt_str(record.get("fileURL")),
    )


def history_time(record: dict[str, Any]) -> datetime | None:
    """Record time without a full parse, to stop paging once history is older than `since`."""
    try:
        return opt_utc(record.get("messageTimestamp"), "messageTimestamp")
    except PayloadError:
        return None
