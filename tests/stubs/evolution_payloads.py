"""Evolution API v2 message records and webhook envelopes, shaped like real captures.

A "record" is what Evolution puts in `messages.upsert` `data` and (with a db `id`) in `/chat/findMessages`.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

CUSTOMER = "5511987654321"
DEFAULT_TS = 1732200000


def new_message_id() -> str:
    return "3EB0" + uuid.uuid4().hex[:16].upper()


def record(
    message: dict[str, Any],
    message_type: str,
    *,
    number: str = CUSTOMER,
    message_id: str | None = None,
    from_me: bool = False,
    push_name: str | None = "Maria",
    timestamp: int | str | dict[str, Any] = DEFAULT_TS,
    status: str = "DELIVERY_ACK",
    jid: str | None = None,
    participant: str | None = None,
    instance_id: str = "7f0c2a8e-1d3b-4b4e-9a1f-3c2d1e0f9a8b",
) -> dict[str, Any]:
    key: dict[str, Any] = {
        "remoteJid": jid or f"{number}@s.whatsapp.net",
        "fromMe": from_me,
        "id": message_id or new_message_id(),
    }
    if participant:
        key["participant"] = participant
    return {
        "key": key,
        "pushName": push_name,
        "status": status,
        "message": message,
        "contextInfo": None,
        "messageType": message_type,
        "messageTimestamp": timestamp,
        "instanceId": instance_id,
        "source": "android",
    }


def text_message(
    text: str, *, extended: bool = False, quoted_id: str | None = None
) -> tuple[dict[str, Any], str]:
    if extended or quoted_id:
        ext: dict[str, Any] = {"text": text}
        if quoted_id:
            ext["contextInfo"] = {
                "stanzaId": quoted_id,
                "participant": "5511999990000@s.whatsapp.net",
                "quotedMessage": {"conversation": "mensagem original"},
            }
        return {
            "extendedTextMessage": ext,
            "messageContextInfo": {"deviceListMetadata": {}},
        }, "extendedTextMessage"
    return {"conversation": text, "messageContextInfo": {"deviceListMetadata": {}}}, "conversation"


_MEDIA_DEFAULTS = {
    "image": ("imageMessage", "image/jpeg"),
    "video": ("videoMessage", "video/mp4"),
    "audio": ("audioMessage", "audio/ogg; codecs=opus"),
    "document": ("documentMessage", "application/pdf"),
    "sticker": ("stickerMessage", "image/webp"),
}


def media_message(
    kind: str,
    *,
    caption: str | None = None,
    mimetype: str | None = None,
    content: bytes | None = None,
    file_name: str | None = None,
    ptt: bool = False,
    seconds: int | None = None,
) -> tuple[dict[str, Any], str]:
    """`content` given → the webhook has `base64: true` and carries the file beside the message."""
    message_type, default_mime = _MEDIA_DEFAULTS[kind]
    media: dict[str, Any] = {
        "url": "https://mmg.whatsapp.net/v/t62.7118-24/123_456.enc?ccb=11-4",
        "mimetype": mimetype or default_mime,
        "fileSha256": "n4Hk5l2gWQ4i0dtf0+KxCvY7lC3y1z3m8o5qGqYkq0E=",
        "fileLength": str(len(content)) if content is not None else "52341",
        "mediaKey": "2Vb3kXm3pJ0eQq6n1Jk5nF7yV1mW4k8Q5b6o9q2Zc0A=",
        "directPath": "/v/t62.7118-24/123_456.enc",
        "mediaKeyTimestamp": "1732199990",
    }
    if caption is not None:
        media["caption"] = caption
    if kind == "audio":
        media["ptt"] = ptt
        media["seconds"] = seconds if seconds is not None else 3
    if kind == "document":
        media["fileName"] = file_name or "boleto.pdf"
        media["title"] = file_name or "boleto.pdf"
    message: dict[str, Any] = {message_type: media}
    if content is not None:
        message["base64"] = base64.b64encode(content).decode()
    return message, message_type


def envelope(
    event: str,
    data: dict[str, Any],
    *,
    instance: str,
    server_url: str,
    destination: str = "http://niochat.test/webhooks/evolution/key",
    date_time: str = "2025-11-21T11:20:00.000Z",
    owner: str = "5511999990000",
) -> dict[str, Any]:
    return {
        "event": event,
        "instance": instance,
        "data": data,
        "destination": destination,
        "date_time": date_time,
        "sender": f"{owner}@s.whatsapp.net",
        "server_url": server_url,
        "apikey": None,
    }


_MEDIA_KEYS = {
    "image": "imageMessage",
    "video": "videoMessage",
    "document": "documentMessage",
    "audio": "audioMessage",
}


def epoch(value: Any) -> float:
    """Seconds from a record time (s, ms, Long) or a filter bound (ISO string)."""
    if isinstance(value, dict):
        return float(value.get("low", 0))
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        return number / 1000 if number > 10**11 else number
    return datetime.fromisoformat(str(value)).timestamp()


def sent_message(action: str, body: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The message record Evolution stores for a send call (None: unknown action or missing text)."""
    if action == "sendText":
        if not body.get("text"):
            return None, ""
        return {"extendedTextMessage": {"text": body["text"]}}, "extendedTextMessage"
    if action == "sendMedia":
        key = _MEDIA_KEYS.get(str(body.get("mediatype")), "documentMessage")
        media = {
            "url": "https://mmg.whatsapp.net/x.enc",
            "mimetype": body.get("mimetype"),
            "caption": body.get("caption"),
        }
        return {key: media}, key
    if action == "sendWhatsAppAudio":
        return {"audioMessage": {"url": "https://mmg.whatsapp.net/a.enc", "ptt": True}}, "audioMessage"
    if action == "sendSticker":
        return {"stickerMessage": {"url": "https://mmg.whatsapp.net/s.enc"}}, "stickerMessage"
    if action == "sendButtons":
        return {
            "buttonsMessage": {"contentText": body.get("description"), "buttons": body.get("buttons")}
        }, "buttonsMessage"
    if action == "sendList":
        return {
            "listMessage": {"description": body.get("description"), "sections": body.get("sections")}
        }, "listMessage"
    return None, ""
