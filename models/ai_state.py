"""What the AI attendant remembers between turns, and the actions it must never repeat.

`AIConversationState` is the attendant's memory of one conversation (which contract is identified,
whether the CPF was already asked, what it is waiting for the customer to confirm, how many turns it
did not understand, up to which message it has read). It lives in the database, not in a worker's
memory, so any worker can run the next turn and a killed worker loses nothing.

`AIAction` makes the SGP calls that change something (trust unlock, opening a ticket) happen at most
once per conversation and contract: the row is committed BEFORE the call, so a worker killed in the
middle of the call leaves a `started` row behind and the retry refuses to call again (an agent checks).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin, utcnow


class AIConversationState(TimestampMixin, TenantScoped, Base):
    tenant_index = False  # looked up by conversation only
    __tablename__ = "ai_conversation_states"

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    contract_id: Mapped[str | None] = mapped_column(sa.String(40))  # identified SGP contract
    asked_document: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    not_understood: Mapped[int] = mapped_column(default=0, server_default="0")
    bot_turns: Mapped[int] = mapped_column(default=0, server_default="0")
    last_message_id: Mapped[int | None] = mapped_column(sa.BigInteger)  # last inbound message read
    # What the attendant waits for: {"kind": "confirm_unlock" | "confirm_ticket" | "choose_contract" |
    # "confirm_contract" | "document", ...details}
    pending: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    # Engine-specific memory (e.g. the model engine's transcript of tool results: the facts it may cite).
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))


class AIAction(IdMixin, TenantScoped, Base):
    tenant_index = False  # looked up by conversation only
    __tablename__ = "ai_actions"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "action", "target"),)

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(sa.String(40))  # liberacao_confianca | abrir_chamado
    target: Mapped[str] = mapped_column(sa.String(80))  # the contract
    status: Mapped[str] = mapped_column(sa.String(16), default="started")  # started | done | failed
    result: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)
    finished_at: Mapped[datetime | None]
