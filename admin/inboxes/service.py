"""Creating and editing an inbox from the back office: credentials in, secrets never out.

Plain functions over a tenant session (no Flask request), so the views stay thin and the rules are
tested without a browser. Credentials go through `check_credentials`, like `niochat inbox create`, and
through `models.provisioning.create_inbox`, like the CLI and the demo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from admin.inboxes.fields import fields_for, secret_names
from integrations.channels.credentials import CredentialError, check_credentials
from models.enums import ChannelType
from models.inbox import Inbox, new_webhook_secret, webhook_path
from models.plan import PlanLimitError, check_inbox_slot
from models.provisioning import create_inbox
from models.user import Team

MASK = "••••••••"
FORM = "form"  # a problem of the whole form, not of one field
NAME_MAX = 120
# A stored key the form does not own that stops being valid when the instance it belongs to changes.
_INSTANCE_BOUND = {"instance_token": ("base_url", "instance")}


class InboxFormError(ValueError):
    """What the operator must fix, per field (pt-BR); nothing was stored."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


@dataclass(frozen=True)
class Change:
    """Before/after of what an edit changed, secrets masked: what the audit log records."""

    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.before != self.after


def masked(channel: ChannelType | str, credentials: Mapping[str, Any]) -> dict[str, Any]:
    """Credentials fit for a log or a page: every secret replaced by a mask, the rest as stored."""
    secret = secret_names(channel)
    return {k: (MASK if k in secret and v else v) for k, v in sorted(credentials.items())}


def credential_rows(inbox: Inbox) -> list[dict[str, Any]]:
    """The edit form's rows: a non-secret's value, and for a secret only whether one is stored."""
    stored = inbox.credentials or {}
    rows = []
    for spec in fields_for(inbox.channel_type):
        rows.append(
            {
                "name": spec.name,
                "label": spec.label,
                "secret": spec.secret,
                "required": spec.required,
                "help": spec.help,
                "placeholder": spec.placeholder,
                "value": "" if spec.secret else str(stored.get(spec.name) or ""),
                "is_set": bool(stored.get(spec.name)),
            }
        )
    return rows


def merge_credentials(
    channel: ChannelType | str, stored: Mapping[str, Any], submitted: Mapping[str, Any]
) -> dict[str, Any]:
    """Form values → the credentials to store. A blank secret keeps the stored one (write-only fields);
    a blank non-secret clears it. Keys the form does not own (a token `connect` stored) are kept unless
    the instance they belong to changed. Raises CredentialError naming each bad field."""
    channel = ChannelType(channel)
    specs = fields_for(channel)
    data: dict[str, str] = {}
    for spec in specs:
        value = submitted.get(spec.name)
        text = "" if value is None else str(value).strip()
        if spec.secret and not text:
            text = str(stored.get(spec.name) or "")
        if text:
            data[spec.name] = text
    cleaned = check_credentials(channel.value, data)
    owned = {spec.name for spec in specs}
    kept = {k: v for k, v in stored.items() if k not in owned}
    for key, bound_to in _INSTANCE_BOUND.items():
        if key in kept and any(stored.get(b) != cleaned.get(b) for b in bound_to):
            del kept[key]
    return {**kept, **cleaned}


def _problems(exc: CredentialError) -> dict[str, str]:
    """The provider check's sentences ("é obrigatório", "deve ser uma URL…") as field errors."""
    return {name: text[:1].upper() + text[1:] + "." for name, text in exc.problems.items()}


def _clean_name(name: Any) -> str:
    text = str(name or "").strip()
    if not text:
        raise InboxFormError({"name": _("Informe um nome para a caixa de entrada.")})
    if len(text) > NAME_MAX:
        raise InboxFormError({"name": _("Use no máximo %(n)d caracteres.", n=NAME_MAX)})
    return text


def _team_id(session: Session, value: Any) -> int | None:
    """A team of this tenant (the session is tenant-scoped: another tenant's id is simply not found)."""
    if value in (None, "", "__None"):
        return None
    try:
        team = session.get(Team, int(value))
    except (TypeError, ValueError):
        team = None
    if team is None:
        raise InboxFormError({"default_team_id": _("Equipe não encontrada.")})
    return team.id


def snapshot(inbox: Inbox) -> dict[str, Any]:
    """An inbox as the audit log records it (secrets masked, our webhook secret left out)."""
    return {
        "name": inbox.name,
        "channel_type": str(inbox.channel_type),
        "credentials": masked(inbox.channel_type, inbox.credentials or {}),
        "phone_number": inbox.phone_number,
        "ai_enabled": inbox.ai_enabled,
        "csat_enabled": inbox.csat_enabled,
        "is_active": inbox.is_active,
        "default_team_id": inbox.default_team_id,
    }


def create(
    session: Session,
    tenant_id: int,
    *,
    channel: ChannelType | str,
    name: Any,
    submitted: Mapping[str, Any],
    ai_enabled: bool = True,
    csat_enabled: bool = True,
    default_team_id: Any = None,
) -> Inbox:
    """A new inbox of the tenant, credentials validated for its channel; InboxFormError otherwise."""
    try:
        channel = ChannelType(channel)
    except ValueError:
        raise InboxFormError({"channel_type": _("Escolha um canal da lista.")}) from None
    clean_name = _clean_name(name)
    team_id = _team_id(session, default_team_id)
    try:
        credentials = merge_credentials(channel, {}, submitted)
    except CredentialError as exc:
        raise InboxFormError(_problems(exc)) from exc
    try:
        inbox = create_inbox(
            session,
            tenant_id=tenant_id,
            channel=channel,
            name=clean_name,
            credentials=credentials,
            ai_enabled=ai_enabled,
            csat_enabled=csat_enabled,
        )
    except PlanLimitError as exc:
        raise InboxFormError({FORM: str(exc)}) from exc
    inbox.default_team_id = team_id
    session.flush()
    return inbox


def update(
    session: Session,
    inbox: Inbox,
    *,
    name: Any,
    submitted: Mapping[str, Any],
    ai_enabled: bool,
    csat_enabled: bool,
    is_active: bool,
    default_team_id: Any = None,
) -> Change:
    """Edit an inbox; the channel never changes (its webhook URL and history belong to it)."""
    before = snapshot(inbox)
    clean_name = _clean_name(name)
    team_id = _team_id(session, default_team_id)
    try:
        credentials = merge_credentials(inbox.channel_type, inbox.credentials or {}, submitted)
    except CredentialError as exc:
        raise InboxFormError(_problems(exc)) from exc
    if is_active and not inbox.is_active:  # brought back: it takes a slot of the plan again
        try:
            check_inbox_slot(session, inbox.tenant_id)
        except PlanLimitError as exc:
            raise InboxFormError({FORM: str(exc)}) from exc
    inbox.name = clean_name
    if credentials != (inbox.credentials or {}):
        inbox.credentials = credentials
    inbox.ai_enabled, inbox.csat_enabled, inbox.is_active = ai_enabled, csat_enabled, is_active
    inbox.default_team_id = team_id
    session.flush()
    return Change(before, snapshot(inbox))


def rotate_webhook_secret(session: Session, inbox: Inbox) -> str:
    """A new secret for our webhook (the old one stops working at once); shown to the operator once."""
    inbox.webhook_secret = new_webhook_secret()
    session.flush()
    return inbox.webhook_secret


def webhook_setup(inbox: Inbox, public_url: str, *, secret: str | None = None) -> dict[str, Any]:
    """What to paste into the provider's panel. Our secret appears only when `secret` is given — right
    after creation or rotation; otherwise the page says where it goes and that it is kept."""
    channel = ChannelType(inbox.channel_type)
    url = public_url.rstrip("/") + webhook_path(inbox)
    info: dict[str, Any] = {"url": url, "headers": {}, "fields": {}, "secret_shown": secret is not None}
    shown = secret if secret is not None else MASK
    if channel is ChannelType.EVOLUTION:
        info["headers"] = {"X-NioChat-Secret": shown}
        info["how"] = _(
            "Na Evolution, o botão “Configurar webhook” registra a URL e o cabeçalho sozinho. "
            "Para configurar à mão, use a URL e o cabeçalho abaixo, eventos MESSAGES_UPSERT, "
            "MESSAGES_UPDATE, CONNECTION_UPDATE e QRCODE_UPDATED, com base64 ligado."
        )
    elif channel is ChannelType.UAZAPI:
        info["how"] = _(
            "A Uazapi autentica pelo token da instância, enviado no corpo de cada webhook: "
            "“Configurar webhook” registra a URL com os eventos messages, messages_update e connection."
        )
    elif channel is ChannelType.WHATSAPP_CLOUD:
        info["fields"] = {_("Token de verificação"): shown}
        info["how"] = _(
            "No app da Meta (WhatsApp > Configuração > Webhook), informe a URL de retorno e o token de "
            "verificação abaixo e assine o campo “messages”. As assinaturas são conferidas com o app secret."
        )
    else:
        info["fields"] = {"secret_token": shown}
        info["how"] = _(
            "“Configurar webhook” chama o setWebhook do Telegram com a URL e o secret_token desta caixa."
        )
    return info
