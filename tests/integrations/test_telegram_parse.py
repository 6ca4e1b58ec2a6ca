"""Telegram Bot API updates → normalized events."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.channels.events import (
    CallbackAnswerNeeded,
    ContentType,
    InboundMessage,
    Location,
    PayloadError,
)
from integrations.channels.telegram import TelegramAdapter

ADAPTER = TelegramAdapter()
TS = datetime.fromtimestamp(1441645532, UTC)

TEXT_UPDATE: dict[str, Any] = {
    "update_id": 10000,
    "message": {
        "message_id": 1365,
        "from": {"id": 111, "is_bot": False, "first_name": "Ana", "language_code": "pt-br"},
        "chat": {"id": 111, "type": "private"},
        "date": 1441645532,
        "text": "/start",
    },
}


def with_message(**fields: Any) -> dict[str, Any]:
    update = copy.deepcopy(TEXT_UPDATE)
    update["message"].pop("text")
    update["message"].update(fields)
    return update


def only(body: Any) -> Any:
    events = ADAPTER.parse(body)
    assert len(events) == 1, events
    return events[0]


def test_text_update_parses_every_field() -> None:
    """The documented update; the id is chat:message because Telegram numbers per chat."""
    assert only(TEXT_UPDATE) == InboundMessage(
        provider_message_id="111:1365",
        chat_id="111",
        timestamp=TS,
        content_type=ContentType.TEXT,
        telegram_chat_id=111,
        contact_name="Ana",
        text="/start",
        raw=TEXT_UPDATE,
    )


def test_reply_to_message() -> None:
    """reply_to_message becomes the quoted id in the same chat:message form."""
    update = with_message(text="isso", reply_to_message={"message_id": 1300, "chat": {"id": 111}, "date": 1})
    assert only(update).reply_to_provider_id == "111:1300"


def test_photo_takes_the_largest_size_and_caption() -> None:
    """photo is a list of sizes: the largest one is kept."""
    sizes = [
        {"file_id": "small", "file_unique_id": "a", "file_size": 1000, "width": 90, "height": 60},
        {"file_id": "large", "file_unique_id": "b", "file_size": 90000, "width": 1280, "height": 960},
    ]
    event = only(with_message(photo=sizes, caption="roteador"))
    assert (event.content_type, event.text, event.media.provider_media_id, event.media.mime_type) == (
        ContentType.IMAGE,
        "roteador",
        "large",
        "image/jpeg",
    )


def test_voice_note() -> None:
    """voice → AUDIO voice note with duration and mime."""
    voice = {
        "file_id": "v1",
        "file_unique_id": "u",
        "duration": 4,
        "mime_type": "audio/ogg",
        "file_size": 9000,
    }
    event = only(with_message(voice=voice))
    assert (event.content_type, event.media.voice, event.media.seconds, event.media.mime_type) == (
        ContentType.AUDIO,
        True,
        4,
        "audio/ogg",
    )


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("audio", ContentType.AUDIO),
        ("video", ContentType.VIDEO),
        ("video_note", ContentType.VIDEO),
        ("document", ContentType.DOCUMENT),
    ],
)
def test_other_media(key: str, expected: ContentType) -> None:
    """audio, video, video_note and document map with their file_id."""
    media = {
        "file_id": f"id-{key}",
        "file_unique_id": "u",
        "file_name": "x.pdf",
        "mime_type": "application/pdf",
    }
    event = only(with_message(**{key: media}, caption="c"))
    assert (event.content_type, event.media.provider_media_id, event.text) == (expected, f"id-{key}", "c")
    assert event.media.voice is False


def test_sticker_mime_by_kind() -> None:
    """Static, animated and video stickers get the right mime."""
    static = only(
        with_message(sticker={"file_id": "s", "file_unique_id": "u", "is_animated": False, "is_video": False})
    )
    animated = only(with_message(sticker={"file_id": "s", "file_unique_id": "u", "is_animated": True}))
    assert (static.content_type, static.media.mime_type) == (ContentType.STICKER, "image/webp")
    assert animated.media.mime_type == "application/x-tgsticker"


def test_location_and_venue() -> None:
    """location → Location; venue adds title and address."""
    plain = only(with_message(location={"latitude": -23.55, "longitude": -46.63}))
    venue = only(
        with_message(
            location={"latitude": -23.55, "longitude": -46.63},
            venue={
                "location": {"latitude": -23.55, "longitude": -46.63},
                "title": "Loja",
                "address": "Rua X",
            },
        )
    )
    assert plain.location == Location(-23.55, -46.63)
    assert venue.location == Location(-23.55, -46.63, "Loja", "Rua X")


def test_contact() -> None:
    """contact → name and digits."""
    event = only(
        with_message(contact={"phone_number": "+55 11 91234-5678", "first_name": "João", "last_name": "T"})
    )
    assert event.contacts == [{"name": "João T", "phones": ["5511912345678"]}]


def test_group_chat() -> None:
    """group/supergroup chats are is_group; the contact name is the sender."""
    update = copy.deepcopy(TEXT_UPDATE)
    update["message"]["chat"] = {"id": -1001234, "type": "supergroup", "title": "Clientes"}
    event = only(update)
    assert (event.is_group, event.chat_id, event.telegram_chat_id, event.contact_name) == (
        True,
        "-1001234",
        -1001234,
        "Ana",
    )


def test_callback_query_gives_reply_and_answer_needed() -> None:
    """A button press → INTERACTIVE_REPLY (data + button label) and CallbackAnswerNeeded."""
    update = {
        "update_id": 10001,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": {"id": 111, "is_bot": False, "first_name": "Ana"},
            "message": {
                "message_id": 1400,
                "chat": {"id": 111, "type": "private"},
                "date": 1441645600,
                "text": "Como foi?",
                "reply_markup": {"inline_keyboard": [[{"text": "😀 Ótimo", "callback_data": "csat:5"}]]},
            },
            "chat_instance": "-7001",
            "data": "csat:5",
        },
    }
    reply, answer = ADAPTER.parse(update)
    assert isinstance(reply, InboundMessage)
    assert (reply.content_type, reply.interactive_reply_id, reply.text) == (
        ContentType.INTERACTIVE_REPLY,
        "csat:5",
        "😀 Ótimo",
    )
    assert (reply.provider_message_id, reply.chat_id, reply.reply_to_provider_id) == (
        "cbq:4382bfdwdsb323b2d9",
        "111",
        "111:1400",
    )
    assert answer == CallbackAnswerNeeded(callback_query_id="4382bfdwdsb323b2d9", raw=update)


def test_message_reaction() -> None:
    """message_reaction → REACTION with the newest emoji on chat:message."""
    update = {
        "update_id": 10002,
        "message_reaction": {
            "chat": {"id": 111, "type": "private"},
            "message_id": 1500,
            "user": {"id": 111, "first_name": "Ana"},
            "date": 1441645700,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        },
    }
    event = only(update)
    assert (event.content_type, event.reaction_emoji, event.reaction_to_provider_id) == (
        ContentType.REACTION,
        "👍",
        "111:1500",
    )


def test_unknown_updates_are_ignored() -> None:
    """edited_message, my_chat_member… produce []."""
    assert ADAPTER.parse({"update_id": 1, "edited_message": TEXT_UPDATE["message"]}) == []
    assert ADAPTER.parse({"update_id": 2, "my_chat_member": {}}) == []


@pytest.mark.parametrize(
    "body",
    [
        "x",
        {"message": TEXT_UPDATE["message"]},
        {"update_id": 1, "message": "hi"},
        {"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "x"}},
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "text": "x"}},
        {"update_id": 1, "message": {"chat": {"id": 1}, "date": 1, "text": "x"}},
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "date": 1, "photo": [{"width": 1}]}},
        {"update_id": 1, "callback_query": {"from": {"id": 1}, "data": "x"}},
    ],
)
def test_malformed_updates_raise_payload_error(body: Any) -> None:
    """Missing update_id, chat, date, message_id, file_id or callback id → PayloadError."""
    with pytest.raises(PayloadError):
        ADAPTER.parse(body)
