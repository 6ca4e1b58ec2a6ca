"""Meta WhatsApp Cloud API adapter: signature check, GET handshake and parsing.

Meta signs the exact bytes it sends (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, body)>`),
so `verify` must get the raw body, before any JSON parsing. The GET handshake echoes `hub.challenge` only
when `hub.verify_token` is ours.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import httpx

from integrations.channels.base import (
    AuthError,
    ChannelCredentials,
    WhatsAppCloudCredentials,
    expect_credentials,
    secrets_match,
)
from integrations.channels.events import Event, PayloadError
from integrations.channels.normalize import header
from integrations.channels.whatsapp_cloud_client import WhatsAppCloudClient
from integrations.channels.whatsapp_cloud_parse import parse_body, parse_message, parse_status

__all__ = [
    "WhatsAppCloudAdapter",
    "WhatsAppCloudClient",
    "parse_message",
    "parse_status",
    "sign",
    "verify_subscription",
]

SIGNATURE_HEADER = "X-Hub-Signature-256"


def sign(app_secret: str, raw_body: bytes) -> str:
    """The header value Meta would send for `raw_body` (also used by the test stub)."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_subscription(query: Mapping[str, str], creds: WhatsAppCloudCredentials) -> str:
    """`hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` → the challenge to answer as plain text."""
    if query.get("hub.mode") != "subscribe" or not secrets_match(
        query.get("hub.verify_token"), creds.verify_token
    ):
        raise AuthError("wrong hub.verify_token", 403)
    challenge = query.get("hub.challenge")
    if not challenge:
        raise AuthError("missing hub.challenge", 403)
    return challenge


class WhatsAppCloudAdapter:
    channel_type = "whatsapp_cloud"
    has_instances = False
    has_history = False

    def verify(
        self,
        headers: Mapping[str, str],
        raw_body: bytes,
        query: Mapping[str, str],
        creds: ChannelCredentials,
    ) -> None:
        cloud = expect_credentials(creds, WhatsAppCloudCredentials)
        given = (header(headers, SIGNATURE_HEADER) or "").strip()
        if not cloud.app_secret or not secrets_match(given.lower(), sign(cloud.app_secret, raw_body)):
            raise AuthError("missing or wrong X-Hub-Signature-256", 401)

    def handshake(self, query: Mapping[str, str], creds: ChannelCredentials) -> str | None:
        return verify_subscription(query, expect_credentials(creds, WhatsAppCloudCredentials))

    def parse(self, body: Any, headers: Mapping[str, str] | None = None) -> list[Event]:
        if not isinstance(body, dict):
            raise PayloadError("Cloud API webhook body must be a JSON object")
        return parse_body(body)

    def client(
        self,
        creds: ChannelCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> WhatsAppCloudClient:
        return WhatsAppCloudClient(
            expect_credentials(creds, WhatsAppCloudCredentials), http=http, timeout=timeout
        )
