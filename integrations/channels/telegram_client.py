"""Telegram Bot API client: send, files, chat actions, callback answers and webhook registration.

Every method is `POST {api}/bot<token>/<method>`; answers are `{"ok":true,"result":…}` or
`{"ok":false,"error_code","description","parameters":{"retry_after"}}`. The token is in the path, so no
error text here ever includes a URL. Bots cannot mark messages read: `mark_read` is a no-op.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import re
from collections.abc import Sequence
from typing import Any

import httpx

from integrations.channels.base import (
    DownloadedMedia,
    OutboundMessage,
    ProviderError,
    SendError,
    SendResult,
    TelegramCredentials,
)
from integrations.channels.events import ContentType, MediaRef
from integrations.channels.normalize import as_dict, opt_float, opt_int, opt_str
from integrations.channels.telegram_parse import message_key
from integrations.channels.transport import ErrorInfo, Transport

ALLOWED_UPDATES = ("message", "callback_query", "message_reaction")
CALLBACK_DATA_MAX_BYTES = 64
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_MEDIA_METHOD = {
    ContentType.IMAGE: ("sendPhoto", "photo"),
    ContentType.VIDEO: ("sendVideo", "video"),
    ContentType.AUDIO: ("sendAudio", "audio"),
    ContentType.DOCUMENT: ("sendDocument", "document"),
    ContentType.STICKER: ("sendSticker", "sticker"),
}
_REASONS = {
    "bot was blocked by the user": "O cliente bloqueou o bot no Telegram.",
    "chat not found": "Conversa do Telegram não encontrada.",
    "user is deactivated": "A conta do cliente no Telegram foi desativada.",
    "message is too long": "Mensagem longa demais para o Telegram (máximo 4096 caracteres).",
    "wrong file identifier": "Arquivo do Telegram inválido ou expirado.",
}


def describe_error(response: httpx.Response, body: Any) -> ErrorInfo:
    answer = as_dict(body)
    description = opt_str(answer.get("description")) or response.reason_phrase
    code = opt_int(answer.get("error_code")) or response.status_code
    retry_after = opt_float(as_dict(answer.get("parameters")).get("retry_after"))
    if code == 401:
        return ErrorInfo("Token do bot do Telegram inválido.", "401", False)
    if code == 429:
        return ErrorInfo(
            "Limite de envio do Telegram atingido; tentaremos de novo.", "429", True, retry_after
        )
    lowered = description.lower()
    reason = next((text for key, text in _REASONS.items() if key in lowered), f"Telegram: {description}")
    return ErrorInfo(reason, str(code), None, retry_after)


def chat_ref(to: str) -> int | str:
    """Numeric chat ids as numbers; `@channel` usernames stay strings."""
    return int(to) if re.fullmatch(r"-?\d+", to.strip()) else to.strip()


def message_number(provider_id: str) -> int | None:
    """`"<chat>:<message>"` → message; a bare number is accepted too."""
    return opt_int(provider_id.rpartition(":")[2])


def keyboard(msg: OutboundMessage) -> dict[str, Any] | None:
    """Buttons, or list rows (Telegram has no lists), as an inline keyboard: one button per row."""
    pairs = list(msg.buttons) or [(row.id, row.title) for section in msg.sections for row in section.rows]
    for button_id, _ in pairs:
        if not 1 <= len(button_id.encode()) <= CALLBACK_DATA_MAX_BYTES:
            raise SendError(
                f"Id de botão com {len(button_id.encode())} bytes; o Telegram aceita de 1 a 64.",
                retryable=False,
                code="callback_data_too_long",
            )
    if not pairs:
        return None
    return {"inline_keyboard": [[{"text": title, "callback_data": bid}] for bid, title in pairs]}


def build_send(msg: OutboundMessage) -> tuple[str, dict[str, Any], str | None]:
    """Method, JSON fields and, for byte uploads, the multipart field that carries the file."""
    fields: dict[str, Any] = {"chat_id": chat_ref(msg.to)}
    kind = msg.content_type
    if kind in (ContentType.TEXT, ContentType.TEMPLATE, ContentType.INTERACTIVE):
        if not msg.text:
            raise SendError("Mensagem sem texto para o Telegram.", retryable=False, code="empty_text")
        method, file_field = "sendMessage", None
        fields["text"] = msg.text
        markup = keyboard(msg) if kind == ContentType.INTERACTIVE else None
        if markup:
            fields["reply_markup"] = markup
    elif kind in _MEDIA_METHOD:
        method, file_field = _MEDIA_METHOD[kind]
        if kind == ContentType.AUDIO and msg.voice:
            method, file_field = "sendVoice", "voice"
        fields[file_field] = msg.media_url
        if msg.body_or_caption and kind != ContentType.STICKER:
            fields["caption"] = msg.body_or_caption
    else:
        raise SendError(
            f"O Telegram não envia mensagens do tipo {kind}.", retryable=False, code="unsupported"
        )
    reply = message_number(msg.reply_to_provider_id) if msg.reply_to_provider_id else None
    if reply is not None:
        fields["reply_parameters"] = {"message_id": reply, "allow_sending_without_reply": True}
    upload = file_field if file_field and msg.media_bytes is not None and not msg.media_url else None
    return method, fields, upload


class TelegramClient:
    """One bot."""

    def __init__(
        self,
        creds: TelegramCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        self.creds = creds
        self._t = Transport("Telegram", describe=describe_error, client=http, timeout=timeout)

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> TelegramClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, fields: dict[str, Any], *, error: type[ProviderError] = ProviderError) -> Any:
        """One Bot API method with a JSON body; returns `result`."""
        url = f"{self.creds.api_base_url.rstrip('/')}/bot{self.creds.bot_token}/{method}"
        return _result(self._t.request("POST", url, json=fields, error=error), error)

    def send(self, msg: OutboundMessage) -> SendResult:
        method, fields, upload = build_send(msg)
        if upload:
            url = f"{self.creds.api_base_url.rstrip('/')}/bot{self.creds.bot_token}/{method}"
            # multipart: scalars as text, objects (reply_parameters) as JSON strings
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items() if k != upload}
            files = {upload: (msg.filename or upload, msg.media_bytes or b"", msg.mime_type or _mime(msg))}
            answer = self._t.request("POST", url, data=form, files=files, error=SendError)
            result = _result(answer, SendError)
        else:
            result = self.call(method, fields, error=SendError)
        message = as_dict(result)
        chat_id = opt_int(as_dict(message.get("chat")).get("id"))
        number = opt_int(message.get("message_id"))
        if chat_id is None or number is None:
            raise SendError(
                "O Telegram não devolveu o id da mensagem.", code="invalid_response", maybe_sent=True
            )
        return SendResult(provider_message_id=message_key(chat_id, number), raw=message)

    def download_media(self, ref: MediaRef, provider_message_id: str) -> DownloadedMedia:
        """`getFile` for the path, then `GET {api}/file/bot<token>/<path>` (files up to 20 MB)."""
        if not ref.provider_media_id:
            raise ProviderError("Mensagem sem file_id.", code="no_media")
        info = as_dict(self.call("getFile", {"file_id": ref.provider_media_id}))
        path = opt_str(info.get("file_path"))
        if not path:
            raise ProviderError("O Telegram não devolveu o caminho do arquivo.", code="invalid_response")
        url = f"{self.creds.api_base_url.rstrip('/')}/file/bot{self.creds.bot_token}/{path}"
        content, served = self._t.download(url)
        mime = ref.mime_type or mimetypes.guess_type(path)[0] or served
        return DownloadedMedia(content, mime, ref.filename or posixpath.basename(path))

    def mark_read(self, chat_id: str, provider_message_ids: Sequence[str]) -> None:
        return None

    def send_typing(self, chat_id: str, *, last_inbound_id: str | None = None) -> None:
        self.call("sendChatAction", {"chat_id": chat_ref(chat_id), "action": "typing"})

    def answer_callback(self, callback_query_id: str, text: str | None = None) -> None:
        """Stop the button's loading spinner; `text` shows as a small toast."""
        fields: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            fields["text"] = text
        self.call("answerCallbackQuery", fields)

    def edit_text(self, provider_message_id: str, text: str) -> None:
        """`editMessageText` on one of our messages (`"<chat>:<message>"`); the inline keyboard goes."""
        chat, _, number = provider_message_id.rpartition(":")
        self.call("editMessageText", {"chat_id": chat_ref(chat), "message_id": int(number), "text": text})

    def set_webhook(self, url: str, secret: str | None = None) -> None:
        secret = secret or self.creds.secret_token
        if not _SECRET_TOKEN.fullmatch(secret or ""):
            raise ProviderError(
                "O secret_token do Telegram deve ter 1-256 caracteres A-Z, a-z, 0-9, _ ou -.",
                code="invalid_secret",
            )
        fields = {"url": url, "secret_token": secret, "allowed_updates": list(ALLOWED_UPDATES)}
        self.call("setWebhook", fields)


def _result(answer: Any, error: type[ProviderError]) -> Any:
    body = as_dict(answer)
    if body.get("ok") is not True:
        description = opt_str(body.get("description")) or "resposta sem ok"
        raise error(f"Telegram: {description}", code="invalid_response")
    return body.get("result")


def _mime(msg: OutboundMessage) -> str:
    return mimetypes.guess_type(msg.filename or "")[0] or "application/octet-stream"
