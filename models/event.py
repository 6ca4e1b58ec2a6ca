"""Conversation events: every transition with who, when and why. Audit trails and metrics (first response,
resolution, hand-off, transfers) are computed from these rows, never from mutable conversation fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, str_enum, utcnow
from models.enums import ActorKind, ConversationStatus, EventKind


class ConversationEvent(IdMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "conversation_events"
    __table_args__ = (
        sa.Index("ix_conversation_events_conversation_id_id", "conversation_id", "id"),
        sa.Index("ix_conversation_events_tenant_id_kind_created_at", "tenant_id", "kind", "created_at"),
    )

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    actor_kind: Mapped[ActorKind] = mapped_column(str_enum(ActorKind, "actor_kind"))
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    from_status: Mapped[ConversationStatus | None] = mapped_column(
        str_enum(ConversationStatus, "event_from_status")
    )
    to_status: Mapped[ConversationStatus | None] = mapped_column(
        str_enum(ConversationStatus, "event_to_status")
    )
    from_assignee_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    to_assignee_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    from_team_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    to_team_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)
