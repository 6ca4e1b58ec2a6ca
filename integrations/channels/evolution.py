"""Evolution API v2 adapter: webhook authentication and parsing; the client lives in `evolution_client`.

Evolution does not sign webhooks. We register the webhook with a custom header `X-NioChat-Secret` holding
the inbox secret (`EvolutionClient.set_webhook`) and compare it in constant time. A `?secret=` query
parameter is refused: Evolution v2 sends custom headers, and a secret in the URL lands in every proxy's
and access log on the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from integrations.channels.base import (
    AuthError,
    ChannelCredentials,
    EvolutionCredentials,
    expect_credentials,
    parse_one_or_many,
    secrets_match,
)
from integrations.channels.events import Event
from integrations.channels.evolution_client import WEBHOOK_SECRET_HEADER, EvolutionClient
from integrations.channels.evolution_parse import parse_envelope, parse_message_record
from integrations.channels.normalize import header

__all__ = ["EvolutionAdapter", "EvolutionClient", "parse_message_record"]


class EvolutionAdapter:
    channel_type = "evolution"
    has_instances = True
    has_history = True

    def verify(
        self,
        headers: Mapping[str, str],
        raw_body: bytes,
        query: Mapping[str, str],
        creds: ChannelCredentials,
    ) -> None:
        evo = expect_credentials(creds, EvolutionCredentials)
        if "secret" in query and header(headers, WEBHOOK_SECRET_HEADER) is None:
            raise AuthError("secret in the URL refused: configure the X-NioChat-Secret header", 401)
        if not secrets_match(header(headers, WEBHOOK_SECRET_HEADER), evo.webhook_secret):
            raise AuthError("missing or wrong X-NioChat-Secret", 401)

    def handshake(self, query: Mapping[str, str], creds: ChannelCredentials) -> str | None:
        return None

    def parse(self, body: Any, headers: Mapping[str, str] | None = None) -> list[Event]:
        """One envelope per POST; a list of envelopes is accepted too."""
        return parse_one_or_many(body, parse_envelope, provider="Evolution", item="envelope")

    def client(
        self,
        creds: ChannelCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> EvolutionClient:
        return EvolutionClient(expect_credentials(creds, EvolutionCredentials), http=http, timeout=timeout)
