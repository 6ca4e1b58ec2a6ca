"""The transactional outbox: side effects (Socket.IO emits, RQ jobs) are recorded as rows in the same
transaction as the change that causes them, then relayed. Redis down loses nothing; a relay retry
runs nothing twice because consumers key on the row id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, utcnow


class OutboxEvent(IdMixin, Base):
    """tenant_id is nullable and not `TenantScoped`: the relay reads every tenant's rows."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        sa.Index("ix_outbox_events_unrelayed", "id", postgresql_where=sa.text("relayed_at IS NULL")),
    )

    # Not indexed: every message writes a row and the relay rewrites it, while reads by tenant (the
    # health page) go through the small unrelayed index; only deleting a tenant scans the table.
    tenant_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("tenants.id", ondelete="CASCADE")
    )
    topic: Mapped[str] = mapped_column(sa.String(64))  # e.g. message.created, conversation.updated
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)
    relayed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)
