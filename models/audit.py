"""Audit log: who did what to which object, from where. Platform actions have no tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, IdMixin, utcnow

if TYPE_CHECKING:
    from models.user import User


class AuditLog(IdMixin, Base):
    __tablename__ = "audit_logs"
    __table_args__ = (sa.Index("ix_audit_logs_tenant_id_created_at", "tenant_id", "created_at"),)

    tenant_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("tenants.id", ondelete="CASCADE")
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(64))  # e.g. user.login, inbox.update, conversation.close
    target_type: Mapped[str | None] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)
    actor: Mapped[User | None] = relationship(viewonly=True)  # the back office's viewer and filters


@dataclass(frozen=True)
class Client:
    """Where an action came from. Kept apart from Flask's request so models stay usable by workers."""

    ip: str | None = None
    user_agent: str | None = None
    channel: str = "web"  # web | api | cli
    device: str | None = None  # a device the user signed in on before (verified signed cookie)


def record(
    session: Session,
    action: str,
    *,
    client: Client | None = None,
    tenant_id: int | None = None,
    actor_user_id: int | None = None,
    target_type: str | None = None,
    target_id: object = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row to the caller's transaction, so it commits (or not) with what it describes."""
    client = client or Client()
    row = AuditLog(
        tenant_id=tenant_id,
        actor_user_id=actor_user_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:64],
        ip=(client.ip or None) and client.ip[:45],
        user_agent=(client.user_agent or None) and client.user_agent[:300],
        data={"channel": client.channel, **(data or {})},
    )
    session.add(row)
    return row


class _UserLike(Protocol):
    id: int
    tenant_id: int | None


def record_user_event(
    session: Session, user: _UserLike, action: str, client: Client, **data: Any
) -> AuditLog:
    """An account event: the user is both the actor and the target (login, 2FA change, password…)."""
    return record(
        session,
        action,
        client=client,
        tenant_id=user.tenant_id,
        actor_user_id=user.id,
        target_type="user",
        target_id=user.id,
        data=data,
    )
