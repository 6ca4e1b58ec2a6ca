"""Per-tenant AI agent settings and the knowledge base it answers from."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin
from models.crypto import EncryptedText


class AISettings(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "ai_settings"
    __table_args__ = (sa.UniqueConstraint("tenant_id"),)

    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # openai | azure | ollama | vllm | compatible | builtin (offline engine, no key needed)
    provider: Mapped[str] = mapped_column(sa.String(32), default="builtin", server_default="builtin")
    base_url: Mapped[str | None] = mapped_column(sa.String(500))
    api_key: Mapped[str | None] = mapped_column(EncryptedText)
    model: Mapped[str] = mapped_column(sa.String(120), default="gpt-4o-mini", server_default="gpt-4o-mini")
    transcription_model: Mapped[str | None] = mapped_column(sa.String(120))
    temperature: Mapped[float] = mapped_column(default=0.3, server_default="0.3")
    instructions: Mapped[str | None] = mapped_column(sa.Text)  # the tenant's extra instructions
    handoff_rules: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    max_bot_turns: Mapped[int] = mapped_column(default=12, server_default="12")
    transcribe_audio: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    analyse_sentiment: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # A burst ("oi" / "tudo bem?" / "preciso da fatura") is answered once, this long after its last message.
    burst_seconds: Mapped[float] = mapped_column(default=4.0, server_default="4")
    max_tool_calls: Mapped[int] = mapped_column(default=6, server_default="6")  # per run
    run_budget_seconds: Mapped[int] = mapped_column(default=45, server_default="45")  # per run


class KnowledgeEntry(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "knowledge_entries"
    __table_args__ = (sa.Index("ix_knowledge_entries_tenant_id_enabled", "tenant_id", "enabled"),)

    title: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)
    tags: Mapped[list[Any]] = mapped_column(default=list, server_default=sa.text("'[]'::jsonb"))
    source: Mapped[str] = mapped_column(sa.String(32), default="manual", server_default="manual")
    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
