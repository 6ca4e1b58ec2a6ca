"""Evolution API v2 (Baileys) payloads → normalized events.

`parse_message_record` reads one Baileys message record; it serves both the webhook (`messages.upsert`,
`send.message`) and history recovery (`/chat/findMessages` records), so a message recovered later is
byte-for-byte the event the webhook would have produced.
"""

from __future__ import annotations

import json
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
)

# Baileys wraps some messages in containers whose `.message` holds the real content.
_WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
)
# Keys that travel beside the content and are not content themselves.
_METADATA = {"messageContextInfo", "senderKeyDistributionMessage", "base64", "mediaUrl", "contextInfo"}
_MEDIA = {
    "imageMessage": ContentType.IMAGE,
    "videoMessage": ContentType.VIDEO,
    "ptvMessage": ContentType.VIDEO,
    "audioMessage": ContentType.AUDIO,
    "documentMessage": ContentType.DOCUMENT,
    "stickerMessage": ContentType.STICKER,
}
_STATUS = {
    "ERROR": DeliveryStatus.FAILED,
    "SERVER_ACK": DeliveryStatus.SENT,
    "DELIVERY_ACK": DeliveryStatus.DELIVERED,
    "READ": DeliveryStatus.READ,
    "PLAYED": DeliveryStatus.READ,
}
# Baileys' numeric WAMessageStatus, which older Evolution builds forward as is.
_NUMERIC_STATUS = {0: "ERROR", 1: "PENDING", 2: "SERVER_ACK", 3: "DELIVERY_ACK", 4: "READ", 5: "PLAYED"}
_REVOKE = {0, "0", "REVOKE"}


def event_name(envelope: dict[str, Any]) -> str:
    """`MESSAGES_UPSERT` (config spelling) and `messages.upsert` (wire spelling) are the same event."""
    name = require_str(envelope.get("event"), "event")
    return name.strip().lower().replace("_", ".")


def parse_envelope(envelope: dict[str, Any]) -> list[Event]:
    name = event_name(envelope)
    sent_at = opt_utc(envelope.get("date_time"), "date_time")
    handler = _HANDLERS.get(name)
    if handler is None:
        return []
    data = envelope.get("data")
    items = data if isinstance(data, list) else [data]
    events: list[Event] = []
    for item in items:
        events.extend(handler(require_dict(item, f"{name}.data"), sent_at))
    return events


def _on_upsert(data: dict[str, Any], sent_at: datetime | None) -> list[Event]:
    event = parse_message_record(data, fallback_time=sent_at)
    return [event] if event is not None else []


def _on_update(data: dict[str, Any], sent_at: datetime | None) -> list[Event]:
    key = opt_dict(data.get("key"), "key") or {}
    message_id = opt_str(data.get("keyId")) or opt_str(key.get("id"))
    if message_id is None:
        raise PayloadError("messages.update: keyId required")
    chat = opt_str(data.get("remoteJid")) or opt_str(key.get("remoteJid"))
    chat_id = normalize_jid(chat) if chat else None
    from_me = opt_bool(data.get("fromMe", key.get("fromMe")))
    update = opt_dict(data.get("update"), "update") or {}
    raw_status = data.get("status", update.get("status"))
    status = _NUMERIC_STATUS.get(raw_status, raw_status) if isinstance(raw_status, int) else raw_status
    status = str(status or "").upper()
    when = opt_utc(data.get("datetime") or data.get("date_time"), "datetime") or sent_at or now_utc()
    if status == "DELETED" or ("message" in update and update["message"] is None):
        return [MessageDeleted(provider_message_id=message_id, timestamp=when, chat_id=chat_id, raw=data)]
    mapped = _STATUS.get(status)
    if mapped is None or not from_me:
        # PENDING is no news; receipts on messages we received are our own read marks.
        return []
    return [
        StatusUpdate(provider_message_id=message_id, status=mapped, timestamp=when, chat_id=chat_id, raw=data)
    ]


def _on_delete(data: dict[str, Any], sent_at: datetime | None) -> list[Event]:
    key = opt_dict(data.get("key"), "key") or data
    message_id = opt_str(key.get("id")) or opt_str(data.get("keyId"))
    if message_id is None:
        raise PayloadError("messages.delete: id required")
    chat = opt_str(key.get("remoteJid"))
    return [
        MessageDeleted(
            provider_message_id=message_id,
            timestamp=sent_at or now_utc(),
            chat_id=normalize_jid(chat) if chat else None,
            raw=data,
        )
    ]


def _on_connection(data: dict[str, Any], sent_at: datetime | None) -> list[Event]:
    state = require_str(data.get("state"), "connection.update.state").lower()
    reason = opt_str(data.get("statusReason"))
    return [ConnectionUpdate(state=state, timestamp=sent_at or now_utc(), reason=reason, raw=data)]


def _on_qrcode(data: dict[str, Any], sent_at: datetime | None) -> list[Event]:
    qr = opt_dict(data.get("qrcode"), "qrcode") or data
    return [
        ConnectionUpdate(
            state="connecting",
            timestamp=sent_at or now_utc(),
            qr_code=as_data_uri(opt_str(qr.get("base64"))),
            pair_code=opt_str(qr.get("pairingCode")),
            raw=data,
        )
    ]


_HANDLERS = {
    "messages.upsert": _on_upsert,
    "send.message": _on_upsert,
    "messages.update": _on_update,
    "messages.delete": _on_delete,
    "connection.update": _on_connection,
    "qrcode.updated": _on_qrcode,
}


# --- one message record ---------------------------------------------------------------------------------


def parse_message_record(
    record: dict[str, Any], *, fallback_time: datetime | None = None
) -> InboundMessage | MessageDeleted | None:
    """A Baileys message record → InboundMessage (or MessageDeleted for a revoke; None for noise)."""
    key = require_dict(record.get("key"), "key")
    message_id = require_str(key.get("id"), "key.id")
    remote = require_str(key.get("remoteJid"), "key.remoteJid")
    if is_ignored_jid(remote):
        return None
    # LID addressing: the phone JID rides along in senderPn / remoteJidAlt.
    if remote.endswith("@lid"):
        remote = opt_str(key.get("senderPn")) or opt_str(key.get("remoteJidAlt")) or remote
    chat_id = normalize_jid(remote)
    group = is_group_jid(chat_id)
    from_me = opt_bool(key.get("fromMe"))
    timestamp = opt_utc(record.get("messageTimestamp"), "messageTimestamp") or fallback_time or now_utc()
    message = opt_dict(record.get("message"), "message")
    if message is None:
        return None  # stub records (group notices, undecryptable): nothing to show
    outer = message
    for _ in range(3):
        wrapper = next((w for w in _WRAPPERS if isinstance(message.get(w), dict)), None)
        if wrapper is None:
            break
        message = require_dict(message[wrapper].get("message"), wrapper)

    protocol = opt_dict(message.get("protocolMessage"), "protocolMessage")
    if protocol is not None:
        if protocol.get("type") in _REVOKE:
            target = opt_dict(protocol.get("key"), "protocolMessage.key") or {}
            target_id = require_str(target.get("id"), "protocolMessage.key.id")
            return MessageDeleted(
                provider_message_id=target_id, timestamp=timestamp, chat_id=chat_id, raw=record
            )
        return None  # edits, ephemeral settings, history-sync notices

    fields = _content(message, outer, message_id)
    if fields is None:
        return None
    context = fields.pop("context", None) or opt_dict(record.get("contextInfo"), "contextInfo") or {}
    return InboundMessage(
        provider_message_id=message_id,
        chat_id=chat_id,
        timestamp=timestamp,
        from_me=from_me,
        phone=None if group else phone_from_jid(chat_id),
        contact_name=None if from_me else opt_str(record.get("pushName")),
        reply_to_provider_id=opt_str(ci_get(context, "stanzaId")),
        is_group=group,
        raw=record,
        **fields,
    )


def _content(message: dict[str, Any], outer: dict[str, Any], message_id: str) -> dict[str, Any] | None:
    """The content-specific InboundMessage fields, plus `context` (the contextInfo of the content)."""
    if "conversation" in message and opt_str(message["conversation"]) is not None:
        return {"content_type": ContentType.TEXT, "text": opt_str(message["conversation"])}
    ext = opt_dict(message.get("extendedTextMessage"), "extendedTextMessage")
    if ext is not None:
        return {"content_type": ContentType.TEXT, "text": opt_str(ext.get("text")), "context": _ctx(ext)}
    for name, kind in _MEDIA.items():
        media = opt_dict(message.get(name), name)
        if media is not None:
            return {
                "content_type": kind,
                "text": opt_str(media.get("caption")),
                "media": _media_ref(media, outer, message_id),
                "context": _ctx(media),
            }
    for name in ("locationMessage", "liveLocationMessage"):
        loc = opt_dict(message.get(name), name)
        if loc is not None:
            return {"content_type": ContentType.LOCATION, "location": _location(loc), "context": _ctx(loc)}
    card = opt_dict(message.get("contactMessage"), "contactMessage")
    if card is not None:
        contacts = [parse_vcard(opt_str(card.get("vcard")) or "", opt_str(card.get("displayName")))]
        return {"content_type": ContentType.CONTACTS, "contacts": contacts, "context": _ctx(card)}
    cards = opt_dict(message.get("contactsArrayMessage"), "contactsArrayMessage")
    if cards is not None:
        contacts = [
            parse_vcard(opt_str(c.get("vcard")) or "", opt_str(c.get("displayName")))
            for c in opt_list(cards.get("contacts"), "contacts")
            if isinstance(c, dict)
        ]
        return {"content_type": ContentType.CONTACTS, "contacts": contacts, "context": _ctx(cards)}
    reply = _interactive_reply(message)
    if reply is not None:
        return reply
    reaction = opt_dict(message.get("reactionMessage"), "reactionMessage")
    if reaction is not None:
        target = opt_dict(reaction.get("key"), "reactionMessage.key") or {}
        return {
            "content_type": ContentType.REACTION,
            "reaction_emoji": opt_str(reaction.get("text")) or "",
            "reaction_to_provider_id": require_str(target.get("id"), "reactionMessage.key.id"),
        }
    if any(k not in _METADATA for k in message):
        return {"content_type": ContentType.UNSUPPORTED}
    return None


def _interactive_reply(message: dict[str, Any]) -> dict[str, Any] | None:
    """Button, template-button, list and native-flow replies: the id we sent back, the title as text."""
    kind = ContentType.INTERACTIVE_REPLY
    buttons = opt_dict(message.get("buttonsResponseMessage"), "buttonsResponseMessage")
    if buttons is not None:
        reply_id = opt_str(buttons.get("selectedButtonId"))
        text = opt_str(buttons.get("selectedDisplayText"))
        return {
            "content_type": kind,
            "interactive_reply_id": reply_id,
            "text": text,
            "context": _ctx(buttons),
        }
    template = opt_dict(message.get("templateButtonReplyMessage"), "templateButtonReplyMessage")
    if template is not None:
        reply_id = opt_str(template.get("selectedId"))
        text = opt_str(template.get("selectedDisplayText"))
        return {
            "content_type": kind,
            "interactive_reply_id": reply_id,
            "text": text,
            "context": _ctx(template),
        }
    listed = opt_dict(message.get("listResponseMessage"), "listResponseMessage")
    if listed is not None:
        single = opt_dict(listed.get("singleSelectReply"), "singleSelectReply") or {}
        reply_id = opt_str(single.get("selectedRowId"))
        text = opt_str(listed.get("title")) or opt_str(listed.get("description"))
        return {"content_type": kind, "interactive_reply_id": reply_id, "text": text, "context": _ctx(listed)}
    native = opt_dict(message.get("interactiveResponseMessage"), "interactiveResponseMessage")
    if native is not None:
        flow = opt_dict(native.get("nativeFlowResponseMessage"), "nativeFlowResponseMessage") or {}
        try:
            params = json.loads(flow.get("paramsJson") or "{}")
        except (TypeError, ValueError):
            params = {}
        reply_id = opt_str(params.get("id")) if isinstance(params, dict) else None
        body = opt_dict(native.get("body"), "body") or {}
        return {
            "content_type": kind,
            "interactive_reply_id": reply_id,
            "text": opt_str(body.get("text")),
            "context": _ctx(native),
        }
    return None


def _ctx(content: dict[str, Any]) -> dict[str, Any] | None:
    return opt_dict(content.get("contextInfo"), "contextInfo")


def _media_ref(media: dict[str, Any], outer: dict[str, Any], message_id: str) -> MediaRef:
    """Media URLs in Baileys records are encrypted: bytes come from inline base64, the S3 `mediaUrl`,
    or `getBase64FromMediaMessage` with the message id."""
    sha = media.get("fileSha256")
    return MediaRef(
        mime_type=opt_str(media.get("mimetype")),
        filename=opt_str(media.get("fileName")) or opt_str(media.get("title")),
        size=opt_int(media.get("fileLength")),
        sha256=sha if isinstance(sha, str) and sha else None,
        seconds=opt_int(media.get("seconds")),
        voice=opt_bool(media.get("ptt")),
        inline_base64=opt_str(outer.get("base64")),
        provider_media_id=message_id,
        url=opt_str(outer.get("mediaUrl")),
    )


def _location(loc: dict[str, Any]) -> Location:
    lat, lng = opt_float(loc.get("degreesLatitude")), opt_float(loc.get("degreesLongitude"))
    if lat is None or lng is None:
        raise PayloadError("locationMessage: degreesLatitude and degreesLongitude required")
    return Location(
        latitude=lat, longitude=lng, name=opt_str(loc.get("name")), address=opt_str(loc.get("address"))
    )
