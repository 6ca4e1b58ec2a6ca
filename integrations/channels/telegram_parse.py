"""Telegram Bot API updates → normalized events.

Telegram numbers messages per chat, and one bot serves every chat, so our provider message id is
`"<chat_id>:<message_id>"` (replies, reactions and send results use the same form). A button press is an
InboundMessage carrying the callback data, plus a CallbackAnswerNeeded so the client stops spinning.
"""

from __future__ import annotations

from typing import Any

from integrations.channels.events import (
    CallbackAnswerNeeded,
    ContentType,
    Event,
    InboundMessage,
    Location,
    MediaRef,
    PayloadError,
)
from integrations.channels.normalize import (
    as_dict,
    now_utc,
    only_digits,
    opt_float,
    opt_int,
    opt_list,
    opt_str,
    require_dict,
    to_utc,
)

_GROUP_TYPES = {"group", "supergroup", "channel"}


def message_key(chat_id: int | str, message_id: int | str) -> str:
    return f"{chat_id}:{message_id}"


def parse_update(update: dict[str, Any]) -> list[Event]:
    if opt_int(update.get("update_id")) is None:
        raise PayloadError("update_id required")
    if "message" in update:
        return [parse_message(require_dict(update["message"], "message"), raw=update)]
    if "channel_post" in update:
        return [parse_message(require_dict(update["channel_post"], "channel_post"), raw=update)]
    if "callback_query" in update:
        return _callback(require_dict(update["callback_query"], "callback_query"), update)
    if "message_reaction" in update:
        return [_reaction(require_dict(update["message_reaction"], "message_reaction"), update)]
    return []  # edited_message, my_chat_member, polls…: nothing to ingest


def _chat(message: dict[str, Any]) -> tuple[int, bool]:
    chat = require_dict(message.get("chat"), "message.chat")
    chat_id = opt_int(chat.get("id"))
    if chat_id is None and isinstance(chat.get("id"), str) and chat["id"].lstrip("-").isdigit():
        chat_id = int(chat["id"])
    if chat_id is None:
        raise PayloadError("message.chat.id required")
    if not -(2**63) <= chat_id < 2**63:  # stored as a bigint; Telegram's ids fit in 52 bits
        raise PayloadError("message.chat.id out of range")
    return chat_id, opt_str(chat.get("type")) in _GROUP_TYPES


def _name(user: dict[str, Any]) -> str | None:
    full = " ".join(p for p in (opt_str(user.get("first_name")), opt_str(user.get("last_name"))) if p)
    return full or opt_str(user.get("username"))


def parse_message(message: dict[str, Any], *, raw: dict[str, Any]) -> InboundMessage:
    chat_id, group = _chat(message)
    message_id = opt_int(message.get("message_id"))
    if message_id is None:
        raise PayloadError("message.message_id required")
    sender = as_dict(message.get("from"))
    reply = as_dict(message.get("reply_to_message"))
    reply_id = opt_int(reply.get("message_id"))
    return InboundMessage(
        provider_message_id=message_key(chat_id, message_id),
        chat_id=str(chat_id),
        timestamp=to_utc(message.get("date"), "message.date"),
        telegram_chat_id=chat_id,
        contact_name=_name(sender) or _name(as_dict(message.get("chat"))),
        reply_to_provider_id=message_key(chat_id, reply_id) if reply_id is not None else None,
        is_group=group,
        raw=raw,
        **_content(message),
    )


def _content(message: dict[str, Any]) -> dict[str, Any]:
    caption = opt_str(message.get("caption"))
    if opt_str(message.get("text")) is not None:
        return {"content_type": ContentType.TEXT, "text": opt_str(message.get("text"))}
    photos = [p for p in opt_list(message.get("photo"), "photo") if isinstance(p, dict)]
    if photos:
        largest = max(photos, key=lambda p: (opt_int(p.get("file_size")) or 0, opt_int(p.get("width")) or 0))
        return {"content_type": ContentType.IMAGE, "text": caption, "media": _ref(largest, "image/jpeg")}
    for key, kind, voice in (
        ("voice", ContentType.AUDIO, True),
        ("audio", ContentType.AUDIO, False),
        ("video", ContentType.VIDEO, False),
        ("video_note", ContentType.VIDEO, False),
        ("animation", ContentType.VIDEO, False),
        ("document", ContentType.DOCUMENT, False),
        ("sticker", ContentType.STICKER, False),
    ):
        media = message.get(key)
        if media is not None:
            media = require_dict(media, key)
            default_mime = _sticker_mime(media) if key == "sticker" else None
            return {"content_type": kind, "text": caption, "media": _ref(media, default_mime, voice)}
    venue = as_dict(message.get("venue"))
    location = as_dict(message.get("location")) or as_dict(venue.get("location"))
    if location:
        lat, lng = opt_float(location.get("latitude")), opt_float(location.get("longitude"))
        if lat is None or lng is None:
            raise PayloadError("location: latitude and longitude required")
        place = Location(lat, lng, opt_str(venue.get("title")), opt_str(venue.get("address")))
        return {"content_type": ContentType.LOCATION, "location": place}
    contact = as_dict(message.get("contact"))
    if contact:
        phone = only_digits(opt_str(contact.get("phone_number")) or "")
        card = {"name": _name(contact), "phones": [phone] if phone else []}
        if opt_str(contact.get("vcard")):
            card["vcard"] = contact["vcard"]
        return {"content_type": ContentType.CONTACTS, "contacts": [card]}
    return {"content_type": ContentType.UNSUPPORTED, "text": caption}


def _ref(media: dict[str, Any], default_mime: str | None, voice: bool = False) -> MediaRef:
    file_id = opt_str(media.get("file_id"))
    if not file_id:
        raise PayloadError("file_id required")
    return MediaRef(
        mime_type=opt_str(media.get("mime_type")) or default_mime,
        filename=opt_str(media.get("file_name")),
        size=opt_int(media.get("file_size")),
        seconds=opt_int(media.get("duration")),
        voice=voice,
        provider_media_id=file_id,
    )


def _sticker_mime(sticker: dict[str, Any]) -> str:
    if sticker.get("is_animated"):
        return "application/x-tgsticker"
    return "video/webm" if sticker.get("is_video") else "image/webp"


def _callback(query: dict[str, Any], update: dict[str, Any]) -> list[Event]:
    """The tapped button's callback data is the reply id; its label (from the keyboard) is the text."""
    query_id = opt_str(query.get("id"))
    if not query_id:
        raise PayloadError("callback_query.id required")
    sender = require_dict(query.get("from"), "callback_query.from")
    message = as_dict(query.get("message"))
    data = opt_str(query.get("data"))
    if message:
        chat_id, group = _chat(message)
    else:  # inline-mode message: only the user is known
        chat_id, group = opt_int(sender.get("id")) or 0, False
    origin = opt_int(message.get("message_id"))
    inbound = InboundMessage(
        provider_message_id=f"cbq:{query_id}",
        chat_id=str(chat_id),
        timestamp=now_utc(),
        content_type=ContentType.INTERACTIVE_REPLY,
        telegram_chat_id=chat_id,
        contact_name=_name(sender),
        text=_button_label(message, data) or data,
        interactive_reply_id=data,
        reply_to_provider_id=message_key(chat_id, origin) if origin is not None else None,
        is_group=group,
        raw=update,
    )
    return [inbound, CallbackAnswerNeeded(callback_query_id=query_id, raw=update)]


def _button_label(message: dict[str, Any], data: str | None) -> str | None:
    keyboard = as_dict(message.get("reply_markup")).get("inline_keyboard")
    for row in keyboard if isinstance(keyboard, list) else []:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, dict) and data is not None and button.get("callback_data") == data:
                return opt_str(button.get("text"))
    return None


def _reaction(reaction: dict[str, Any], update: dict[str, Any]) -> InboundMessage:
    """Reactions have no message id of their own: chat, target, user and time make one."""
    chat_id, group = _chat(reaction)
    target = opt_int(reaction.get("message_id"))
    if target is None:
        raise PayloadError("message_reaction.message_id required")
    emojis = [
        opt_str(r.get("emoji")) or ""
        for r in opt_list(reaction.get("new_reaction"), "new_reaction")
        if isinstance(r, dict) and r.get("type") == "emoji"
    ]
    user = as_dict(reaction.get("user"))
    when = to_utc(reaction.get("date"), "message_reaction.date")
    user_id = opt_int(user.get("id")) or 0
    return InboundMessage(
        provider_message_id=f"reaction:{chat_id}:{target}:{user_id}:{int(when.timestamp())}",
        chat_id=str(chat_id),
        timestamp=when,
        content_type=ContentType.REACTION,
        telegram_chat_id=chat_id,
        contact_name=_name(user),
        reaction_emoji=emojis[-1] if emojis else "",
        reaction_to_provider_id=message_key(chat_id, target),
        is_group=group,
        raw=update,
    )
