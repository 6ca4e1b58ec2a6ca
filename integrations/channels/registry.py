"""Channel type string → adapter. The only place that knows which providers exist.

`models.enums.ChannelType` values are the keys, so `get_adapter(inbox.channel_type)` works directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from integrations.channels.base import ChannelAdapter, ChannelClient, build_credentials
from integrations.channels.evolution import EvolutionAdapter
from integrations.channels.telegram import TelegramAdapter
from integrations.channels.uazapi import UazapiAdapter
from integrations.channels.whatsapp_cloud import WhatsAppCloudAdapter

ADAPTERS: Mapping[str, ChannelAdapter] = {
    "evolution": EvolutionAdapter(),
    "uazapi": UazapiAdapter(),
    "whatsapp_cloud": WhatsAppCloudAdapter(),
    "telegram": TelegramAdapter(),
}


class UnknownChannel(KeyError):
    pass


def channel_types() -> tuple[str, ...]:
    return tuple(ADAPTERS)


def get_adapter(channel_type: str) -> ChannelAdapter:
    try:
        return ADAPTERS[str(channel_type)]
    except KeyError:
        raise UnknownChannel(channel_type) from None


def client_for(
    channel_type: str,
    credentials: Mapping[str, Any],
    *,
    webhook_secret: str | None = None,
    http: httpx.Client | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> ChannelClient:
    """Stored credentials JSON (+ our webhook secret) → a ready client for that inbox."""
    creds = build_credentials(str(channel_type), credentials, webhook_secret=webhook_secret)
    return get_adapter(channel_type).client(creds, http=http, timeout=timeout)
