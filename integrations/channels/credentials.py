"""Per-provider credentials: what one inbox needs to authenticate webhooks and call the provider.

Frozen and keyword-only so a credential is never half-built or mutated mid-request; secrets are kept out
of `repr` so they cannot leak into logs or tracebacks. `build_credentials` turns the decrypted JSON an
inbox stores (plus our own webhook secret) into the right class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

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
    waba_id: str | None = None  # the WhatsApp Business Account: only to list its message templates


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


class CredentialError(ValueError):
    """Credentials an inbox cannot work with. `problems` maps each field to a pt-BR sentence an operator
    can act on (the CLI and the back office show them; webhooks log them)."""

    def __init__(self, channel_type: str, problems: Mapping[str, str]) -> None:
        self.channel_type = channel_type
        self.problems = dict(problems)
        super().__init__(
            f"{channel_type} credentials: " + "; ".join(f"{k}: {v}" for k, v in self.problems.items())
        )

    @property
    def message_pt(self) -> str:
        return "Credenciais inválidas — " + "; ".join(f"{k}: {v}" for k, v in self.problems.items()) + "."


# What each channel cannot work without, beyond the secret we generate per inbox. Uazapi's `token` has a
# default only so that an old inbox still loads; a new one must have it (it authenticates the webhooks).
REQUIRED: dict[str, tuple[str, ...]] = {
    "evolution": ("base_url", "api_key", "instance"),
    "uazapi": ("base_url", "token"),
    "whatsapp_cloud": ("access_token", "phone_number_id", "app_secret"),
    "telegram": ("bot_token",),
}
# The stored fields a webhook needs to be authenticated at all: without them nothing can be accepted.
WEBHOOK_REQUIRED: dict[str, tuple[str, ...]] = {"uazapi": ("token",), "whatsapp_cloud": ("app_secret",)}
_URL_FIELDS = ("base_url", "graph_base_url", "api_base_url")
_FORMATS: dict[tuple[str, str], tuple[re.Pattern[str], str]] = {
    ("whatsapp_cloud", "phone_number_id"): (
        re.compile(r"\d{5,30}"),
        "deve ter só dígitos (o Phone number ID do app na Meta, não o número de telefone)",
    ),
    ("whatsapp_cloud", "waba_id"): (
        re.compile(r"\d{5,30}"),
        "deve ter só dígitos (o ID da conta do WhatsApp Business na Meta)",
    ),
    ("telegram", "bot_token"): (
        re.compile(r"\d+:[A-Za-z0-9_-]+"),
        "deve ter o formato 123456789:ABC… (o token que o @BotFather deu)",
    ),
    ("evolution", "instance"): (re.compile(r"[^/\s?#]+"), "é o nome da instância, sem espaços nem barras"),
}


def check_credentials(channel_type: str, data: Mapping[str, Any]) -> dict[str, str]:
    """What an operator typed → the credentials to store: trimmed strings, every required field present,
    every URL http(s), every id in its provider's format. Raises CredentialError naming each problem."""
    if channel_type not in CREDENTIAL_TYPES:
        raise ValueError(f"unknown channel type {channel_type!r}")
    known = {f.name for f in fields(CREDENTIAL_TYPES[channel_type])}
    cleaned: dict[str, str] = {}
    problems: dict[str, str] = {}
    for key, value in data.items():
        if key not in known:
            problems[key] = "campo desconhecido para este canal (use: " + ", ".join(sorted(known)) + ")"
            continue
        text = "" if value is None else str(value).strip()
        if text:
            cleaned[key] = text
    for name in REQUIRED[channel_type]:
        if name not in cleaned:
            problems[name] = "é obrigatório"
    for name in _URL_FIELDS:
        if name in cleaned and not _is_http_url(cleaned[name]):
            problems[name] = "deve ser uma URL http:// ou https:// completa"
    for (channel, name), (pattern, hint) in _FORMATS.items():
        if channel == channel_type and name in cleaned and not pattern.fullmatch(cleaned[name]):
            problems[name] = hint
    if problems:
        raise CredentialError(channel_type, problems)
    return cleaned


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def build_credentials(
    channel_type: str,
    data: Mapping[str, Any],
    *,
    webhook_secret: str | None = None,
    for_webhook: bool = False,
) -> ChannelCredentials:
    """Stored JSON → credentials. Unknown keys are ignored (old settings); a missing required one is a
    CredentialError. `for_webhook`: only what authenticating a webhook needs must be there, so that an
    inbox missing, say, its sending key still stores what customers write (sends then fail, readably)."""
    try:
        cls = CREDENTIAL_TYPES[channel_type]
    except KeyError:
        raise ValueError(f"unknown channel type {channel_type!r}") from None
    if not isinstance(data, Mapping):
        raise CredentialError(channel_type, {"credentials": "não são um objeto JSON"})
    known = {f.name: f for f in fields(cls)}
    values = {k: str(v) for k, v in data.items() if k in known and v is not None and str(v).strip()}
    secret_field = _WEBHOOK_SECRET_FIELD.get(channel_type)
    if webhook_secret is not None and secret_field and not values.get(secret_field):
        values[secret_field] = webhook_secret
    needed = WEBHOOK_REQUIRED.get(channel_type, ()) if for_webhook else REQUIRED[channel_type]
    missing = [name for name in needed if name not in values]
    if missing:
        raise CredentialError(channel_type, {name: "é obrigatório" for name in sorted(missing)})
    for name, f in known.items():  # what a webhook may do without: blank, so the dataclass still builds
        if name not in values and f.default is MISSING and f.default_factory is MISSING:
            values[name] = ""
    creds: ChannelCredentials = cls(**values)
    return creds
