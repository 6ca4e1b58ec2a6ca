"""TelegramClient against the Bot API stub: sends, uploads, files, callbacks, webhook, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from integrations.channels.base import (
    ListRow,
    ListSection,
    OutboundMessage,
    ProviderError,
    SendError,
    TelegramCredentials,
)
from integrations.channels.events import ContentType, MediaRef
from integrations.channels.telegram import TelegramClient
from tests.integrations.shared import HTTP
from tests.stubs.telegram import BOT_TOKEN, TelegramStub


@pytest.fixture
def stub() -> Iterator[TelegramStub]:
    with TelegramStub() as server:
        yield server


def make_client(stub: TelegramStub, *, token: str = BOT_TOKEN, timeout: float = 2.0) -> TelegramClient:
    return TelegramClient(
        TelegramCredentials(bot_token=token, secret_token="tg_secret", api_base_url=stub.url),
        http=HTTP,
        timeout=timeout,
    )


@pytest.fixture
def client(stub: TelegramStub) -> Iterator[TelegramClient]:
    with make_client(stub) as tg:
        yield tg


def text(to: str = "111", reply_to: str | None = None) -> OutboundMessage:
    return OutboundMessage(
        message_id="m1", to=to, content_type=ContentType.TEXT, text="Olá", reply_to_provider_id=reply_to
    )


def test_send_text_exact_wire_body(stub: TelegramStub, client: TelegramClient) -> None:
    """sendMessage with a numeric chat_id and reply_parameters; id is chat:message."""
    result = client.send(text(reply_to="111:1365"))
    sent = stub.last_request
    assert sent.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert sent.json == {
        "chat_id": 111,
        "text": "Olá",
        "reply_parameters": {"message_id": 1365, "allow_sending_without_reply": True},
    }
    assert result.provider_message_id == f"111:{result.raw['message_id']}"


def test_send_buttons_as_inline_keyboard(stub: TelegramStub, client: TelegramClient) -> None:
    """Buttons become one callback button per row."""
    msg = OutboundMessage(
        message_id="b",
        to="111",
        content_type=ContentType.INTERACTIVE,
        text="Como foi?",
        buttons=[("csat:5", "😀 Ótimo"), ("csat:1", "😞 Ruim")],
    )
    client.send(msg)
    assert stub.last_request.json == {
        "chat_id": 111,
        "text": "Como foi?",
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "😀 Ótimo", "callback_data": "csat:5"}],
                [{"text": "😞 Ruim", "callback_data": "csat:1"}],
            ]
        },
    }


def test_send_list_flattens_rows_into_keyboard(stub: TelegramStub, client: TelegramClient) -> None:
    """Telegram has no lists: rows become buttons."""
    sections = [
        ListSection("A", [ListRow("sup", "Suporte")]),
        ListSection("B", [ListRow("fin", "Financeiro")]),
    ]
    client.send(
        OutboundMessage(
            message_id="l", to="111", content_type=ContentType.INTERACTIVE, text="Menu", sections=sections
        )
    )
    assert stub.last_request.json["reply_markup"]["inline_keyboard"] == [
        [{"text": "Suporte", "callback_data": "sup"}],
        [{"text": "Financeiro", "callback_data": "fin"}],
    ]


def test_callback_data_over_64_bytes_is_refused_locally(stub: TelegramStub, client: TelegramClient) -> None:
    """callback_data is 1-64 bytes: longer fails before any request."""
    msg = OutboundMessage(
        message_id="b", to="111", content_type=ContentType.INTERACTIVE, text="x", buttons=[("é" * 33, "x")]
    )
    with pytest.raises(SendError) as exc:
        client.send(msg)
    assert (exc.value.retryable, exc.value.code) == (False, "callback_data_too_long")
    assert stub.requests == []


def test_send_photo_by_url_and_voice_upload(stub: TelegramStub, client: TelegramClient) -> None:
    """URLs go as JSON; bytes as multipart with the file in its method's field."""
    photo = OutboundMessage(
        message_id="p",
        to="111",
        content_type=ContentType.IMAGE,
        media_url="https://cdn/x.jpg",
        caption="Olha",
    )
    client.send(photo)
    assert (stub.last_request.path, stub.last_request.json) == (
        f"/bot{BOT_TOKEN}/sendPhoto",
        {"chat_id": 111, "photo": "https://cdn/x.jpg", "caption": "Olha"},
    )
    voice = OutboundMessage(
        message_id="v",
        to="111",
        content_type=ContentType.AUDIO,
        media_bytes=b"OggS",
        voice=True,
        filename="voz.ogg",
        mime_type="audio/ogg",
        reply_to_provider_id="111:7",
    )
    result = client.send(voice)
    sent = stub.last_request
    assert sent.path == f"/bot{BOT_TOKEN}/sendVoice"
    assert sent.form == {
        "chat_id": "111",
        "reply_parameters": json.dumps({"message_id": 7, "allow_sending_without_reply": True}),
    }
    assert sent.files == {"voice": ("voz.ogg", b"OggS", "audio/ogg")}
    assert result.raw["voice"]["file_size"] == 4


def test_template_falls_back_to_text(stub: TelegramStub, client: TelegramClient) -> None:
    """Telegram has no templates: the rendered text goes out."""
    client.send(
        OutboundMessage(
            message_id="t", to="111", content_type=ContentType.TEMPLATE, template_name="csat", text="Avalie"
        )
    )
    assert stub.last_request.json == {"chat_id": 111, "text": "Avalie"}


def test_blocked_bot_is_not_retryable(stub: TelegramStub, client: TelegramClient) -> None:
    """403 "bot was blocked by the user" → final, readable."""
    stub.blocked_chats.add(111)
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.code, exc.value.reason) == (
        False,
        "403",
        "O cliente bloqueou o bot no Telegram.",
    )


def test_chat_not_found_is_not_retryable(stub: TelegramStub, client: TelegramClient) -> None:
    """400 "chat not found" → final, readable."""
    stub.unknown_chats.add(222)
    with pytest.raises(SendError) as exc:
        client.send(text(to="222"))
    assert (exc.value.retryable, exc.value.reason) == (False, "Conversa do Telegram não encontrada.")


def test_429_carries_retry_after(stub: TelegramStub, client: TelegramClient) -> None:
    """429 → retryable with parameters.retry_after."""
    stub.fail_next(1, status=429)
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.retry_after) == (True, 5.0)


def test_500_and_timeout_are_retryable(stub: TelegramStub) -> None:
    """5xx and a slow answer → retryable."""
    stub.fail_next(1, status=502)
    with make_client(stub, timeout=0.2) as tg:
        with pytest.raises(SendError) as exc:
            tg.send(text())
        assert exc.value.retryable is True
        stub.delay(1.0)
        with pytest.raises(SendError) as slow:
            tg.send(text())
    assert (slow.value.retryable, slow.value.code) == (True, "timeout")


def test_wrong_token_is_not_retryable_and_not_leaked(stub: TelegramStub) -> None:
    """401 → final; the token (part of the URL) never appears in the reason."""
    with make_client(stub, token="999:WRONGTOKEN") as tg, pytest.raises(SendError) as exc:
        tg.send(text())
    assert (exc.value.retryable, exc.value.reason) == (False, "Token do bot do Telegram inválido.")
    assert "WRONGTOKEN" not in repr(exc.value)


def test_download_media_via_get_file(stub: TelegramStub, client: TelegramClient) -> None:
    """getFile for the path, then /file/bot<token>/<path>."""
    stub.seed_file("AwACAgEAAxk", b"OggS-tg", "voice/file_7.oga")
    content, mime, filename = client.download_media(
        MediaRef(provider_media_id="AwACAgEAAxk", mime_type="audio/ogg"), "111:5"
    )
    assert (content, mime, filename) == (b"OggS-tg", "audio/ogg", "file_7.oga")
    get_file, download = stub.requests
    assert get_file.json == {"file_id": "AwACAgEAAxk"}
    assert download.path == f"/file/bot{BOT_TOKEN}/voice/file_7.oga"


def test_unknown_file_is_provider_error(stub: TelegramStub, client: TelegramClient) -> None:
    """An invalid file_id → non-retryable ProviderError."""
    with pytest.raises(ProviderError) as exc:
        client.download_media(MediaRef(provider_media_id="nope"), "111:5")
    assert exc.value.retryable is False


def test_answer_callback_typing_and_mark_read(stub: TelegramStub, client: TelegramClient) -> None:
    """answerCallbackQuery and sendChatAction go out; mark_read makes no request."""
    client.answer_callback("4382bfdwdsb323b2d9", "Obrigado!")
    assert stub.answered_callbacks == ["4382bfdwdsb323b2d9"]
    assert stub.last_request.json == {"callback_query_id": "4382bfdwdsb323b2d9", "text": "Obrigado!"}
    client.send_typing("111")
    assert stub.last_request.json == {"chat_id": 111, "action": "typing"}
    client.mark_read("111", ["111:1"])
    assert len(stub.requests) == 2


def test_set_webhook(stub: TelegramStub, client: TelegramClient) -> None:
    """setWebhook with our secret_token and the updates we parse; bad secrets refused locally."""
    client.set_webhook("https://app.test/webhooks/telegram/k1")
    assert stub.last_request.json == {
        "url": "https://app.test/webhooks/telegram/k1",
        "secret_token": "tg_secret",
        "allowed_updates": ["message", "callback_query", "message_reaction"],
    }
    with pytest.raises(ProviderError):
        client.set_webhook("https://app.test/x", secret="has spaces!")
