"""The credential fields each channel asks for in the back office, and which of them are secrets.

The names are those of `integrations.channels.credentials` (what `check_credentials` validates), so a
form built from here stores exactly what the CLI's `niochat inbox create --credential` stores. Secret
fields are write-only: the form shows whether one is set, never its value, and a blank one keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from models.enums import ChannelType


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: LazyString
    secret: bool = False
    required: bool = False
    help: LazyString | None = None
    placeholder: str = ""


CHANNEL_LABELS: dict[ChannelType, LazyString] = {
    ChannelType.EVOLUTION: _l("WhatsApp — Evolution API"),
    ChannelType.UAZAPI: _l("WhatsApp — Uazapi"),
    ChannelType.WHATSAPP_CLOUD: _l("WhatsApp — API oficial da Meta (Cloud API)"),
    ChannelType.TELEGRAM: _l("Telegram"),
}

CHANNEL_FIELDS: dict[ChannelType, tuple[CredentialField, ...]] = {
    ChannelType.EVOLUTION: (
        CredentialField(
            "base_url",
            _l("URL do servidor Evolution"),
            required=True,
            placeholder="https://evolution.seuprovedor.com.br",
        ),
        CredentialField(
            "api_key",
            _l("API key"),
            secret=True,
            required=True,
            help=_l("A chave global do servidor (cria a instância) ou o token da instância."),
        ),
        CredentialField(
            "instance",
            _l("Nome da instância"),
            required=True,
            help=_l("Sem espaços nem barras; é criada ao conectar, se ainda não existir."),
            placeholder="provedor01",
        ),
    ),
    ChannelType.UAZAPI: (
        CredentialField(
            "base_url",
            _l("URL do servidor Uazapi"),
            required=True,
            placeholder="https://seuprovedor.uazapi.com",
        ),
        CredentialField(
            "token",
            _l("Token da instância"),
            secret=True,
            required=True,
            help=_l("A Uazapi o envia em cada webhook: é com ele que conferimos a origem."),
        ),
        CredentialField(
            "admin_token", _l("Admin token"), secret=True, help=_l("Só para criar instâncias novas.")
        ),
        CredentialField("instance_name", _l("Nome da instância")),
    ),
    ChannelType.WHATSAPP_CLOUD: (
        CredentialField(
            "phone_number_id",
            _l("Phone number ID"),
            required=True,
            help=_l("O identificador do número no app da Meta (só dígitos), não o telefone."),
        ),
        CredentialField("access_token", _l("Token de acesso"), secret=True, required=True),
        CredentialField(
            "waba_id",
            _l("WhatsApp Business Account ID"),
            help=_l(
                "Opcional: o ID da conta do WhatsApp Business (só dígitos), para sincronizar os modelos."
            ),
        ),
        CredentialField(
            "app_secret",
            _l("App secret"),
            secret=True,
            required=True,
            help=_l("Confere a assinatura X-Hub-Signature-256 de cada webhook."),
        ),
        CredentialField(
            "graph_base_url",
            _l("URL da Graph API"),
            help=_l("Deixe em branco para https://graph.facebook.com/v21.0."),
        ),
    ),
    ChannelType.TELEGRAM: (
        CredentialField(
            "bot_token",
            _l("Token do bot"),
            secret=True,
            required=True,
            help=_l("O token que o @BotFather deu, no formato 123456789:ABC…"),
        ),
        CredentialField(
            "api_base_url", _l("URL da Bot API"), help=_l("Deixe em branco para https://api.telegram.org.")
        ),
    ),
}

# QR-code sessions and history recovery exist only on the unofficial WhatsApp servers.
QR_CHANNELS = frozenset({ChannelType.EVOLUTION, ChannelType.UAZAPI})


def fields_for(channel: ChannelType | str) -> tuple[CredentialField, ...]:
    return CHANNEL_FIELDS[ChannelType(channel)]


def secret_names(channel: ChannelType | str) -> frozenset[str]:
    """Secret credential names of a channel, plus the provider tokens `connect` stores on its own."""
    names = {f.name for f in fields_for(channel) if f.secret}
    return frozenset(names | {"instance_token", "webhook_secret", "verify_token", "secret_token"})
