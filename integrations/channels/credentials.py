"""Per-provider credentials: what one inbox needs to authenticate webhooks and call the provider.

Frozen and keyword-only so a credential is never half-built or mutated mid-request; secrets are kept out
of `repr` so they cannot leak into logs or tracebacks. `build_credentials` turns the decrypted JSON an
inbox stores (plus our own webhook secret) into the right class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

GRAPH_BASE_URL = "https://graph.facebook.com/v21.0"
TELEGRAM_BASE_URL = "https://api.telegram.org"


@dataclass(frozen=True, kw_only=True)
class EvolutionCredentials:
    """Evolution does not sign webhooks: we configure `X-NioChat-Secret: <webhook_secret>` on it."""

    base_url: str
    api_key: str = field(repr=False)  # global key or the instance token (`hash`)
    instance: str
    webhook_secret: str = field(default="", repr=False)


@dataclass(frozen=True, kw_only=True)
class UazapiCredentials:
    """Uazapi puts the instance `token` in every webhook body: that is what we compare."""

    base_url: str
    token: str = field(default="", repr=False)
    admin_token: str | None = field(default=None, repr=False)  # only to create instances
    instance_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class WhatsAppCloudCredentials:
    """Meta signs every webhook with the app secret; `verify_token` is ours, for the GET handshake."""

    access_token: str = field(repr=False)
    phone_number_id: str
    app_secret: str = field(repr=False)
    verify_token: str = field(default="", repr=False)
    graph_base_url: str = GRAPH_BASE_URL


@dataclass(frozen=True, kw_only=True)
class TelegramCredentials:
    """`secret_token` is ours: given to setWebhook, echoed in `X-Telegram-Bot-Api-Secret-Token`."""

    bot_token: str = field(repr=False)
    secret_token: str = field(default="", repr=False)
    api_base_url: str = TELEGRAM_BASE_URL


ChannelCredentials = EvolutionCredentials | UazapiCredentials | WhatsAppCloudCredentials | TelegramCredentials

CREDENTIAL_TYPES: dict[str, type[Any]] = {
    "evolution": EvolutionCredentials,
    "uazapi": UazapiCredentials,
    "whatsapp_cloud": WhatsAppCloudCredentials,
    "telegram": TelegramCredentials,
}

# Where our per-inbox webhook secret goes for each provider (Uazapi authenticates with its own token).
_WEBHOOK_SECRET_FIELD = {
    "evolution": "webhook_secret",
    "whatsapp_cloud": "verify_token",
    "telegram": "secret_token",
}


def build_credentials(
    channel_type: str, data: Mapping[str, Any], *, webhook_secret: str | None = None
) -> ChannelCredentials:
    """Stored JSON → credentials. Unknown keys are ignored (old settings); a missing required one is not."""
    try:
        cls = CREDENTIAL_TYPES[channel_type]
    except KeyError:
        raise ValueError(f"unknown channel type {channel_type!r}") from None
    known = {f.name: f for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in known and v is not None}
    secret_field = _WEBHOOK_SECRET_FIELD.get(channel_type)
    if webhook_secret is not None and secret_field and not values.get(secret_field):
        values[secret_field] = webhook_secret
    missing = [
        name
        for name, f in known.items()
        if name not in values and f.default is MISSING and f.default_factory is MISSING
    ]
    if missing:
        raise ValueError(f"{channel_type} credentials: missing {', '.join(sorted(missing))}")
    creds: ChannelCredentials = cls(**values)
    return creds
