"""Creating tenants, users and inboxes: the operations the CLI, the back office and the demo share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from integrations.channels.credentials import check_credentials
from models.ai import AISettings
from models.csat import CsatSettings
from models.enums import ChannelType, Role, TenantStatus
from models.inbox import Inbox
from models.passwords import hash_password
from models.plan import check_agent_seat, check_inbox_slot
from models.tenant import Tenant
from models.user import Team, TeamMember, User

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ProvisioningError(ValueError):
    """Input a person must fix; the message says what."""


def create_tenant(session: Session, *, slug: str, name: str, timezone: str = "America/Sao_Paulo") -> Tenant:
    """A tenant with the per-tenant settings rows every later feature expects to exist."""
    if not _SLUG.match(slug):
        raise ProvisioningError("slug: use letras minúsculas, números e hífen (ex.: provedor-x)")
    if session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise ProvisioningError(f"já existe um tenant com o slug {slug!r}")
    tenant = Tenant(slug=slug, name=name.strip(), timezone=timezone, status=TenantStatus.ACTIVE)
    session.add(tenant)
    session.flush()
    session.add_all([CsatSettings(tenant_id=tenant.id), AISettings(tenant_id=tenant.id)])
    return tenant


def get_tenant_by_slug(session: Session, slug: str) -> Tenant:
    tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise ProvisioningError(f"tenant {slug!r} não encontrado")
    return tenant


def create_user(
    session: Session,
    *,
    tenant_id: int | None,
    email: str,
    name: str,
    password: str,
    role: Role = Role.AGENT,
) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ProvisioningError(f"e-mail inválido: {email!r}")
    if role is not Role.SUPERADMIN and tenant_id is None:
        raise ProvisioningError("usuários que não são superadmin pertencem a um tenant")
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)) is not None:
        raise ProvisioningError(f"já existe um usuário com o e-mail {email}")
    if role is not Role.SUPERADMIN and tenant_id is not None:
        check_agent_seat(session, tenant_id)  # the plan's limit (PlanLimitError, a ValueError)
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise ProvisioningError(str(exc)) from exc
    user = User(
        tenant_id=None if role is Role.SUPERADMIN else tenant_id,
        email=email,
        name=name.strip(),
        password_hash=password_hash,
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def create_team(session: Session, *, tenant_id: int, name: str, member_ids: Sequence[int] = ()) -> Team:
    team = Team(tenant_id=tenant_id, name=name)
    session.add(team)
    session.flush()
    session.add_all(TeamMember(tenant_id=tenant_id, team_id=team.id, user_id=uid) for uid in member_ids)
    return team


def create_inbox(
    session: Session,
    *,
    tenant_id: int,
    channel: ChannelType,
    name: str,
    credentials: dict[str, Any] | None = None,
    phone_number: str | None = None,
    ai_enabled: bool = True,
    csat_enabled: bool = True,
) -> Inbox:
    """`credentials`, when given, must be complete and well formed for the channel (CredentialError names
    each bad field): an inbox saved without, say, Meta's app_secret could never accept a webhook.
    None creates an inbox to be configured later (tests, fixtures)."""
    if credentials is not None:
        credentials = check_credentials(channel.value, credentials)
    check_inbox_slot(session, tenant_id)  # the plan's limit (PlanLimitError, a ValueError)
    inbox = Inbox(
        tenant_id=tenant_id,
        channel_type=channel,
        name=name,
        credentials=credentials or {},
        phone_number=phone_number,
        ai_enabled=ai_enabled,
        csat_enabled=csat_enabled,
    )
    session.add(inbox)
    session.flush()
    return inbox


def webhook_instructions(inbox: Inbox, public_url: str) -> dict[str, Any]:
    """What an operator pastes into the provider's panel. Returned once, at creation, to the operator."""
    from models.inbox import webhook_path

    url = public_url.rstrip("/") + webhook_path(inbox)
    channel = ChannelType(inbox.channel_type)
    info: dict[str, Any] = {"inbox_id": inbox.id, "channel": channel.value, "webhook_url": url}
    if channel is ChannelType.EVOLUTION:
        info["webhook_headers"] = {"X-NioChat-Secret": inbox.webhook_secret}
    elif channel is ChannelType.UAZAPI:
        info["note"] = "Uazapi autentica pelo token da instância enviado no corpo do webhook"
    elif channel is ChannelType.WHATSAPP_CLOUD:
        info["verify_token"] = inbox.webhook_secret
        info["note"] = "Cole o verify_token no painel da Meta; as assinaturas são conferidas com o app_secret"
    elif channel is ChannelType.TELEGRAM:
        info["secret_token"] = inbox.webhook_secret
    return info
