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
    parse_one_or_many,
    secrets_match,
)
from integrations.channels.events import Event
from integrations.channels.normalize import header
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
        return parse_one_or_many(body, parse_update, provider="Telegram", item="update")  # or a batch

    def client(
        self,
        creds: ChannelCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> TelegramClient:
        return TelegramClient(expect_credentials(creds, TelegramCredentials), http=http, timeout=timeout)
