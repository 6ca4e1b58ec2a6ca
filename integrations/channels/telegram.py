"""Telegram Bot API adapter: secret-token check and update parsing; the client is in `telegram_client`.

setWebhook registers our `secret_token`; Telegram then sends it in `X-Telegram-Bot-Api-Secret-Token` on
every update. A wrong or missing token is answered 403, as Telegram's own docs suggest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from integrations.channels.base import (
    AuthError,
    ChannelCredentials,
    TelegramCredentials,
    expect_credentials,
    secrets_match,
)
from integrations.channels.events import Event, PayloadError
from integrations.channels.normalize import header, require_dict
from integrations.channels.telegram_client import TelegramClient
from integrations.channels.telegram_parse import message_key, parse_update

__all__ = ["SECRET_HEADER", "TelegramAdapter", "TelegramClient", "message_key", "parse_update"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)


class TelegramAdapter:
    channel_type = "telegram"
    has_instances = False
    has_history = False

    def verify(
        self,
        headers: Mapping[str, str],
        raw_body: bytes,
        query: Mapping[str, str],
        creds: ChannelCredentials,
    ) -> None:
        tg = expect_credentials(creds, TelegramCredentials)
        if not secrets_match(header(headers, SECRET_HEADER), tg.secret_token):
            raise AuthError("missing or wrong X-Telegram-Bot-Api-Secret-Token", 403)

    def handshake(self, query: Mapping[str, str], creds: ChannelCredentials) -> str | None:
        return None

    def parse(self, body: Any, headers: Mapping[str, str] | None = None) -> list[Event]:
        if isinstance(body, list):  # getUpdates-style batch
            return [e for item in body for e in parse_update(require_dict(item, "update"))]
        if not isinstance(body, dict):
            raise PayloadError("Telegram update must be a JSON object")
        return parse_update(body)

    def client(
        self,
        creds: ChannelCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TelegramClient:
        return TelegramClient(expect_credentials(creds, TelegramCredentials), http=http, timeout=timeout)
