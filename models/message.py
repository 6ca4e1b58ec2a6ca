"""Messages, in and out, and everything the pipeline learns about them later (status, transcription,
sentiment). The raw provider payload is kept so nothing a provider sent is ever lost to our parsing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin, str_enum
from models.enums import ContentType, DeliveryStatus, Direction, SenderKind


class Message(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "messages"
    __table_args__ = (
        # Idempotency of ingestion: a redelivered webhook hits this and is dropped (ON CONFLICT DO NOTHING).
        sa.UniqueConstraint("inbox_id", "provider_message_id"),
        # Idempotency of sending: one outbound row per client request key.
        sa.UniqueConstraint("conversation_id", "client_key"),
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        sa.Index("ix_messages_tenant_id_created_at", "tenant_id", "created_at"),
        sa.Index(
            "ix_messages_status_pending",
            "status",
            "created_at",
            postgresql_where=sa.text("direction = 'outbound' AND status IN ('pending', 'failed')"),
        ),
        sa.Index("ix_messages_media_sha256", "media_sha256"),
    )

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    inbox_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("inboxes.id", ondelete="CASCADE"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    sender_kind: Mapped[SenderKind] = mapped_column(str_enum(SenderKind, "sender_kind"))
    sender_user_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    content_type: Mapped[ContentType] = mapped_column(
        str_enum(ContentType, "content_type"), default=ContentType.TEXT
    )
    text: Mapped[str | None] = mapped_column(sa.Text)
    # Type-specific data: location, contact cards, buttons/list/template we sent, tapped reply id, reaction.
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    is_private: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # agents' note

    # Media: bytes are content-addressed in storage by sha256; these are the facts about them.
    media_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    media_mime: Mapped[str | None] = mapped_column(sa.String(128))
    media_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    media_filename: Mapped[str | None] = mapped_column(sa.String(255))
    media_meta: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    media_status: Mapped[str | None] = mapped_column(sa.String(16))  # pending | ready | failed

    provider_message_id: Mapped[str | None] = mapped_column(sa.String(255))
    provider_timestamp: Mapped[datetime | None]
    client_key: Mapped[str | None] = mapped_column(sa.String(64))
    reply_to_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("messages.id", ondelete="SET NULL")
    )
    reply_to_provider_id: Mapped[str | None] = mapped_column(sa.String(255))

    status: Mapped[DeliveryStatus | None] = mapped_column(str_enum(DeliveryStatus, "delivery_status"))
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(sa.String(64))
    error_text: Mapped[str | None] = mapped_column(sa.Text)
    # A retry can fix this failure (timeout, 5xx, rate limit): the inbox offers "Tentar de novo".
    error_retryable: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    send_attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    deleted_at: Mapped[datetime | None]  # deleted by the sender: marked, never erased
    edited_at: Mapped[datetime | None]
    raw: Mapped[dict[str, Any] | None]

    transcription: Mapped[str | None] = mapped_column(sa.Text)
    sentiment: Mapped[str | None] = mapped_column(sa.String(16))  # positive | neutral | negative
    sentiment_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 3))
    intent: Mapped[str | None] = mapped_column(sa.String(64))
