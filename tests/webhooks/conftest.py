"""Fixtures for webhook tests: one tenant with an inbox per provider, and a way to post as each provider."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import pytest

from models.enums import ChannelType
from models.provisioning import create_inbox, create_tenant

CLOUD_APP_SECRET = "cloud-app-secret"
UAZAPI_TOKEN = "uazapi-instance-token"


@dataclass
class ChannelInbox:
    id: int
    tenant_id: int
    key: str
    secret: str
    channel: ChannelType

    @property
    def path(self) -> str:
        slug = {"whatsapp_cloud": "whatsapp-cloud"}.get(self.channel.value, self.channel.value)
        return f"/webhooks/{slug}/{self.key}"

    def headers(self, raw: bytes) -> dict[str, str]:
        """The authentication each provider really sends."""
        if self.channel is ChannelType.EVOLUTION:
            return {"X-NioChat-Secret": self.secret}
        if self.channel is ChannelType.TELEGRAM:
            return {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        if self.channel is ChannelType.WHATSAPP_CLOUD:
            digest = hmac.new(CLOUD_APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
            return {"X-Hub-Signature-256": f"sha256={digest}"}
        return {}


@pytest.fixture()
def inboxes(db) -> dict[str, ChannelInbox]:  # type: ignore[no-untyped-def]
    creds = {
        ChannelType.EVOLUTION: {"base_url": "http://127.0.0.1:9", "api_key": "k", "instance": "isp01"},
        ChannelType.UAZAPI: {"base_url": "http://127.0.0.1:9", "token": UAZAPI_TOKEN},
        ChannelType.WHATSAPP_CLOUD: {"access_token": "t", "phone_number_id": "106540352242922",
                                     "app_secret": CLOUD_APP_SECRET},
        ChannelType.TELEGRAM: {"bot_token": "123:abc"},
    }  # fmt: skip
    out = {}
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name="ISP")
        for channel, data in creds.items():
            inbox = create_inbox(
                session, tenant_id=tenant.id, channel=channel, name=channel.value, credentials=data
            )
            out[channel.value] = ChannelInbox(
                inbox.id, tenant.id, inbox.webhook_key, inbox.webhook_secret, channel
            )
    return out


@pytest.fixture()
def post(client):  # type: ignore[no-untyped-def]
    """post(inbox, payload) → response, signed/authenticated as that provider."""

    def _post(
        inbox: ChannelInbox, payload: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
    ):  # type: ignore[no-untyped-def]
        body = raw if raw is not None else json.dumps(payload).encode()
        sent = {"Content-Type": "application/json", **inbox.headers(body), **(headers or {})}
        return client.post(inbox.path, data=body, headers=sent)

    return _post
