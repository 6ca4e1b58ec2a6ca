"""Plan limits of a tenant: how many agents (active people with an inbox) and inboxes it may have.

Checked where such rows are created or brought back (models.provisioning, the back office), in the
caller's transaction; the tenant row is locked so two creations at once cannot both take the last seat.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.enums import Role
from models.inbox import Inbox
from models.tenant import Tenant
from models.user import User

SEAT_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT)


class PlanLimitError(ValueError):
    """The tenant's plan has no room left; the message (pt-BR) says which limit."""


def active_agents(session: Session, tenant_id: int, *, excluding: int | None = None) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(User)
        .where(User.tenant_id == tenant_id, User.is_active.is_(True), User.role.in_(SEAT_ROLES))
    )
    if excluding is not None:
        query = query.where(User.id != excluding)
    return int(session.scalar(query) or 0)


def active_inboxes(session: Session, tenant_id: int) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(Inbox)
        .where(Inbox.tenant_id == tenant_id, Inbox.is_active.is_(True))
    )
    return int(session.scalar(query) or 0)


def _locked_tenant(session: Session, tenant_id: int) -> Tenant | None:
    return session.scalar(sa.select(Tenant).where(Tenant.id == tenant_id).with_for_update())


def check_agent_seat(session: Session, tenant_id: int, *, user_id: int | None = None) -> None:
    """Raise unless one more active agent fits (`user_id`: the user being created or reactivated,
    not counted against themselves)."""
    tenant = _locked_tenant(session, tenant_id)
    if tenant is None or tenant.max_agents is None:
        return
    if active_agents(session, tenant_id, excluding=user_id) >= tenant.max_agents:
        raise PlanLimitError(
            f"O plano desta empresa permite {tenant.max_agents} usuários ativos; desative alguém ou "
            "peça um plano maior."
        )


def check_inbox_slot(session: Session, tenant_id: int) -> None:
    """Raise unless one more active inbox fits."""
    tenant = _locked_tenant(session, tenant_id)
    if tenant is None or tenant.max_inboxes is None:
        return
    if active_inboxes(session, tenant_id) >= tenant.max_inboxes:
        raise PlanLimitError(
            f"O plano desta empresa permite {tenant.max_inboxes} caixas de entrada; desative uma ou "
            "peça um plano maior."
        )
