"""CSAT: per-tenant survey settings, the survey sent after a close, and the customer's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin, str_enum
from models.enums import CsatStatus


class CsatSettings(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "csat_settings"
    __table_args__ = (sa.UniqueConstraint("tenant_id"),)

    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    delay_seconds: Mapped[int] = mapped_column(default=90, server_default="90")
    expiry_minutes: Mapped[int] = mapped_column(default=1440, server_default="1440")
    style: Mapped[str] = mapped_column(sa.String(16), default="buttons", server_default="buttons")  # or emoji
    question: Mapped[str] = mapped_column(
        sa.Text,
        default="Como você avalia o nosso atendimento?",
        server_default="Como você avalia o nosso atendimento?",
    )
    thanks_message: Mapped[str] = mapped_column(
        sa.Text, default="Obrigado pela sua avaliação!", server_default="Obrigado pela sua avaliação!"
    )
    template_name: Mapped[str | None] = mapped_column(sa.String(120))  # outside Meta's 24-hour window
    alert_threshold: Mapped[int] = mapped_column(default=2, server_default="2")  # score <= alerts
    reopen_on_bad: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    cooldown_hours: Mapped[int] = mapped_column(default=24, server_default="24")  # per contact


class CsatSurvey(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "csat_surveys"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id"),
        # Capture looks up the survey waiting for this contact.
        sa.Index("ix_csat_surveys_contact_id_status", "contact_id", "status"),
        sa.Index("ix_csat_surveys_status_scheduled_for", "status", "scheduled_for"),
        sa.Index("ix_csat_surveys_tenant_id_sent_at", "tenant_id", "sent_at"),
        # The status trigger (migration c12s) finds the survey of a message whose status moved.
        sa.Index("ix_csat_surveys_message_id", "message_id"),
        # The listing's keyset: newest first within the tenant.
        sa.Index("ix_csat_surveys_tenant_id_id", "tenant_id", "id"),
    )

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    contact_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("contacts.id", ondelete="CASCADE"))
    inbox_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("inboxes.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    team_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("teams.id", ondelete="SET NULL"))
    handled_by_ai: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[CsatStatus] = mapped_column(
        str_enum(CsatStatus, "csat_status"), default=CsatStatus.SCHEDULED
    )
    scheduled_for: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("messages.id", ondelete="SET NULL")
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(sa.Text)
    # Why it was skipped, cancelled or failed: a stable code (`models.csat_surveys.Reason`).
    reason: Mapped[str | None] = mapped_column(sa.String(64))
    # What went out: list, buttons, keyboard, emoji (text line) or template.
    form: Mapped[str | None] = mapped_column(sa.String(16))


class CsatResponse(IdMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "csat_responses"
    __table_args__ = (
        sa.UniqueConstraint("survey_id"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        sa.Index("ix_csat_responses_tenant_id_created_at", "tenant_id", "created_at"),
    )

    survey_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("csat_surveys.id", ondelete="CASCADE")
    )
    score: Mapped[int | None]
    raw_text: Mapped[str | None] = mapped_column(sa.Text)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    interpreted_by: Mapped[str | None] = mapped_column(sa.String(16))  # button | emoji | number | ai
    sentiment: Mapped[str | None] = mapped_column(sa.String(16))
    themes: Mapped[list[Any]] = mapped_column(default=list, server_default=sa.text("'[]'::jsonb"))
    message_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("messages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
