"""Uazapi adapter: webhook authentication and parsing; the client lives in `uazapi_client`.

Uazapi does not sign webhooks; every body carries the instance `token`, which we compare in constant
time with the inbox's token. A body we cannot read as JSON carries no token, so it is rejected as
unauthenticated rather than parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from integrations.channels import safe_json
from integrations.channels.base import (
    AuthError,
    ChannelCredentials,
    UazapiCredentials,
    expect_credentials,
    parse_one_or_many,
    secrets_match,
)
from integrations.channels.events import Event, PayloadError
from integrations.channels.normalize import opt_str
from integrations.channels.uazapi_client import UazapiClient
from integrations.channels.uazapi_parse import parse_body, parse_message_record

__all__ = ["UazapiAdapter", "UazapiClient", "parse_message_record"]


class UazapiAdapter:
    channel_type = "uazapi"
    has_instances = True
    has_history = True

    def verify(
        self,
        headers: Mapping[str, str],
        raw_body: bytes,
        query: Mapping[str, str],
        creds: ChannelCredentials,
    ) -> None:
        uaz = expect_credentials(creds, UazapiCredentials)
        try:  # bounded: this runs before authentication, on anyone's body
            body = safe_json.loads(raw_body or b"null")
        except PayloadError:
            body = None
        given = opt_str(body.get("token")) if isinstance(body, dict) else None
        if not secrets_match(given, uaz.token):
            raise AuthError("missing or wrong instance token in the webhook body", 401)

    def handshake(self, query: Mapping[str, str], creds: ChannelCredentials) -> str | None:
        return None

    def parse(self, body: Any, headers: Mapping[str, str] | None = None) -> list[Event]:
        return parse_one_or_many(body, parse_body, provider="Uazapi", item="webhook")

    def client(
        self,
        creds: ChannelCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> UazapiClient:
        return UazapiClient(expect_credentials(creds, UazapiCredentials), http=http, timeout=timeout)
