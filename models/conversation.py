"""A conversation: one stretch of contact with a customer on one inbox, from first message to close."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TenantScoped, TimestampMixin, str_enum
from models.contact import Contact
from models.enums import ConversationStatus, Priority
from models.inbox import Inbox
from models.label import Label

PRIORITY_RANK_SQL = "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"


class Conversation(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "conversations"
    __table_args__ = (
        # At most one conversation not closed per contact and inbox: concurrent first messages race on
        # this index instead of opening two conversations.
        sa.Index(
            "uq_conversations_inbox_id_contact_id_active",
            "inbox_id",
            "contact_id",
            unique=True,
            postgresql_where=sa.text("status <> 'closed'"),
        ),
        # Inbox tabs: list by status, newest activity first.
        sa.Index(
            "ix_conversations_tenant_id_status_last_message_at", "tenant_id", "status", "last_message_at"
        ),
        # "Em espera" longest wait first, and the "Prioridade" sort (`models.conversation_list.Sort`).
        sa.Index(
            "ix_conversations_tenant_id_status_waiting_since_id", "tenant_id", "status", "waiting_since", "id"
        ),
        sa.Index(
            "ix_conversations_tenant_id_status_priority_rank",
            "tenant_id",
            "status",
            "priority_rank",
            "waiting_since",
            "id",
        ),
        sa.Index("ix_conversations_tenant_id_assignee_id_status", "tenant_id", "assignee_id", "status"),
        sa.Index("ix_conversations_tenant_id_team_id_status", "tenant_id", "team_id", "status"),
        sa.Index("ix_conversations_tenant_id_created_at", "tenant_id", "created_at"),
        sa.Index("ix_conversations_tenant_id_closed_at", "tenant_id", "closed_at"),
        sa.Index("ix_conversations_contact_id_created_at", "contact_id", "created_at"),
        # Due snoozes across tenants, for the safety-net sweep (`jobs.snooze`): few rows.
        sa.Index(
            "ix_conversations_snoozed_until",
            "snoozed_until",
            postgresql_where=sa.text("snoozed_until IS NOT NULL"),
        ),
    )

    inbox_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("inboxes.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("contacts.id", ondelete="CASCADE"))
    status: Mapped[ConversationStatus] = mapped_column(
        str_enum(ConversationStatus, "conversation_status"), default=ConversationStatus.PENDING
    )
    assignee_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    team_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("teams.id", ondelete="SET NULL"))
    priority: Mapped[Priority] = mapped_column(str_enum(Priority, "priority"), default=Priority.NORMAL)
    # 0 = urgent … 3 = low: the priority as a number that sorts, kept by PostgreSQL so no writer (the
    # ingest function included) can forget it, and ascending like the other keys of its index.
    priority_rank: Mapped[int] = mapped_column(
        sa.SmallInteger, sa.Computed(PRIORITY_RANK_SQL, persisted=True)
    )
    subject: Mapped[str | None] = mapped_column(sa.String(200))

    waiting_since: Mapped[datetime | None]  # since when the customer waits for a human answer
    first_reply_at: Mapped[datetime | None]  # first human (or bot) answer
    first_human_reply_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]  # opens Meta's 24-hour window
    last_outbound_at: Mapped[datetime | None]
    unread_count: Mapped[int] = mapped_column(default=0, server_default="0")
    handoff_reason: Mapped[str | None] = mapped_column(sa.String(200))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    close_reason: Mapped[str | None] = mapped_column(sa.String(500))
    close_kind: Mapped[str | None] = mapped_column(sa.String(16))  # `enums.CloseKind`; null = resolved
    resolved_by_ai: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # "Adiar até…": hidden from the active lists until then, in the same status and queue (`models.snooze`).
    snoozed_until: Mapped[datetime | None]
    # What the AI did last: intent, tools, hand-off reason (`models.ai_activity`); NULL if it never ran.
    ai_activity: Mapped[dict[str, Any] | None]

    inbox: Mapped[Inbox] = relationship(lazy="joined", innerjoin=True)
    contact: Mapped[Contact] = relationship(lazy="joined", innerjoin=True)
    # Written through ConversationLabel rows (they carry tenant_id), read through this.
    labels: Mapped[list[Label]] = relationship(
        secondary="conversation_labels", lazy="selectin", viewonly=True
    )


class ConversationLabel(TenantScoped, Base):
    __tablename__ = "conversation_labels"

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ConversationRead(TenantScoped, Base):
    """How far each user has read each conversation: unread badges per agent."""

    __tablename__ = "conversation_reads"

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_message_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    read_at: Mapped[datetime | None]
