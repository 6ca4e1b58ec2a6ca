"""Uazapi (uazapiGO v2) message objects and webhook bodies, shaped like real captures.

The same message object is the webhook's `message` and an item of `/message/find` → `messages`.
"""

from __future__ import annotations

import uuid
from typing import Any

CUSTOMER = "5511987654321"
OWNER = "5511999990000"
DEFAULT_TS_MS = 1768791718000


def new_message_id() -> str:
    return "3A7C" + uuid.uuid4().hex[:16].upper()


def message_record(
    *,
    message_type: str = "Conversation",
    kind: str = "text",
    text: str = "",
    content: Any = "",
    number: str = CUSTOMER,
    message_id: str | None = None,
    from_me: bool = False,
    sender_name: str = "Maria",
    timestamp_ms: int | str = DEFAULT_TS_MS,
    media_type: str = "",
    button_or_list_id: str = "",
    quoted: str = "",
    reaction: str = "",
    owner: str = OWNER,
    chatid: str | None = None,
    is_group: bool = False,
    sent_by_api: bool = False,
    track_id: str = "",
) -> dict[str, Any]:
    mid = message_id or new_message_id()
    chat = chatid or f"{number}@s.whatsapp.net"
    return {
        "id": f"{owner}:{mid}",
        "messageid": mid,
        "chatid": chat,
        "sender": f"{owner}@s.whatsapp.net" if from_me else f"{number}@s.whatsapp.net",
        "senderName": "" if from_me else sender_name,
        "fromMe": from_me,
        "isGroup": is_group,
        "wasSentByApi": sent_by_api,
        "messageType": message_type,
        "type": kind,
        "text": text,
        "content": content,
        "messageTimestamp": timestamp_ms,
        "mediaType": media_type,
        "buttonOrListid": button_or_list_id,
        "quoted": quoted,
        "reaction": reaction,
        "edited": "",
        "vote": "",
        "convertOptions": "",
        "fileURL": "",
        "source": "ios",
        "track_source": "niochat" if track_id else "",
        "track_id": track_id,
    }


def text_record(text: str, **kwargs: Any) -> dict[str, Any]:
    return message_record(message_type="Conversation", kind="text", text=text, content=text, **kwargs)


def extended_text_record(text: str, *, quoted: str = "", **kwargs: Any) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if quoted:
        content["contextInfo"] = {"stanzaID": quoted, "participant": f"{OWNER}@s.whatsapp.net"}
    return message_record(
        message_type="ExtendedTextMessage", kind="text", text=text, content=content, quoted=quoted, **kwargs
    )


_MEDIA = {
    "image": ("ImageMessage", "image", "image/jpeg"),
    "video": ("VideoMessage", "video", "video/mp4"),
    "ptt": ("AudioMessage", "ptt", "audio/ogg; codecs=opus"),
    "audio": ("AudioMessage", "audio", "audio/mpeg"),
    "document": ("DocumentMessage", "document", "application/pdf"),
    "sticker": ("StickerMessage", "sticker", "image/webp"),
}


def media_record(
    kind: str, *, caption: str = "", file_name: str = "", seconds: int = 3, **kwargs: Any
) -> dict[str, Any]:
    message_type, media_type, mime = _MEDIA[kind]
    content: dict[str, Any] = {
        "URL": "https://mmg.whatsapp.net/v/t62.7117-24/abc.enc?ccb=11-4",
        "mimetype": mime,
        "fileSHA256": "n4Hk5l2gWQ4i0dtf0+KxCvY7lC3y1z3m8o5qGqYkq0E=",
        "fileLength": 52341,
        "mediaKey": "2Vb3kXm3pJ0eQq6n1Jk5nF7yV1mW4k8Q5b6o9q2Zc0A=",
    }
    if caption:
        content["caption"] = caption
    if kind in ("ptt", "audio"):
        content["seconds"] = seconds
        content["PTT"] = kind == "ptt"
    if kind == "document":
        content["fileName"] = file_name or "boleto.pdf"
    return message_record(
        message_type=message_type,
        kind="media",
        text=caption,
        content=content,
        media_type=media_type,
        **kwargs,
    )


def webhook(
    record: dict[str, Any], *, token: str, base_url: str, instance_name: str = "isp01", owner: str = OWNER
) -> dict[str, Any]:
    number = record["chatid"].split("@")[0]
    return {
        "BaseUrl": base_url,
        "EventType": "messages",
        "instanceName": instance_name,
        "owner": owner,
        "token": token,
        "chatSource": "updated",
        "chat": {
            "id": "r" + uuid.uuid4().hex[:8],
            "wa_chatid": record["chatid"],
            "wa_name": record.get("senderName") or "Maria",
            "wa_contactName": "",
            "phone": f"+{number}",
            "wa_isGroup": record.get("isGroup", False),
            "wa_unreadCount": 1,
        },
        "message": record,
    }
