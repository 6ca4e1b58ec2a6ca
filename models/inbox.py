"""An inbox is one connected number or bot: the door a customer's message comes in through."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin, str_enum
from models.crypto import EncryptedJSON, EncryptedText
from models.enums import ChannelType, SyncStatus


def new_webhook_key() -> str:
    """Unguessable: the URL names the inbox (and so the tenant) before any secret is checked."""
    return secrets.token_urlsafe(24)


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Inbox(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "inboxes"

    name: Mapped[str] = mapped_column(sa.String(120))
    channel_type: Mapped[ChannelType] = mapped_column(str_enum(ChannelType, "channel_type"))
    webhook_key: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_webhook_key)
    # Ours, not the provider's: the header value Evolution sends back, Telegram's secret_token,
    # Meta's verify token. Provider credentials (API keys, tokens, app secret) live in `credentials`.
    webhook_secret: Mapped[str] = mapped_column(EncryptedText, default=new_webhook_secret)
    credentials: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    phone_number: Mapped[str | None] = mapped_column(sa.String(32))
    ai_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    csat_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    default_team_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("teams.id", ondelete="SET NULL")
    )
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))

    connection_state: Mapped[str] = mapped_column(sa.String(32), default="unknown", server_default="unknown")
    connection_changed_at: Mapped[datetime | None]
    last_connected_at: Mapped[datetime | None]
    last_disconnected_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    last_status_at: Mapped[datetime | None]


class SyncRun(IdMixin, TimestampMixin, TenantScoped, Base):
    """One history-recovery run: resumable (cursor) and observable (progress) by the UI and the CLI."""

    __tablename__ = "sync_runs"
    __table_args__ = (sa.Index("ix_sync_runs_inbox_id_created_at", "inbox_id", "created_at"),)

    inbox_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("inboxes.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("contacts.id", ondelete="CASCADE")
    )
    status: Mapped[SyncStatus] = mapped_column(str_enum(SyncStatus, "sync_status"), default=SyncStatus.QUEUED)
    reason: Mapped[str | None] = mapped_column(sa.String(64))  # manual | reconnect
    since: Mapped[datetime | None]
    until: Mapped[datetime | None]
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    total: Mapped[int | None]
    processed: Mapped[int] = mapped_column(default=0, server_default="0")
    imported: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


WEBHOOK_PROVIDER_SLUG: dict[ChannelType, str] = {
    ChannelType.EVOLUTION: "evolution",
    ChannelType.UAZAPI: "uazapi",
    ChannelType.WHATSAPP_CLOUD: "whatsapp-cloud",
    ChannelType.TELEGRAM: "telegram",
}


def webhook_path(inbox: Inbox) -> str:
    return f"/webhooks/{WEBHOOK_PROVIDER_SLUG[ChannelType(inbox.channel_type)]}/{inbox.webhook_key}"
