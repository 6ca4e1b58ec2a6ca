"""the AI attendant: per-conversation memory, once-only SGP actions, run limits, tool-call events

`ai_conversation_states` is the attendant's memory of a conversation; `ai_actions` records a trust
unlock or a ticket BEFORE the SGP is called, so a killed worker never does it twice. `ai_settings`
gains the burst window and the per-run limits. `conversation_events.kind` accepts `tool_call`.

Revision ID: c11a
Revises: c10d
Create Date: 2026-12-03 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c11a"
down_revision: str | None = "c10d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_KINDS = (
    "created",
    "status_changed",
    "assigned",
    "unassigned",
    "transferred",
    "handoff",
    "closed",
    "reopened",
    "priority_changed",
    "label_added",
    "label_removed",
    "csat_sent",
    "csat_answered",
    "snoozed",
    "unsnoozed",
)  # fmt: skip  (the kinds as of c10c, which added the last two)


def _event_kind_check(kinds: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_conversation_events_event_kind"), "conversation_events", type_="check")
    listed = ", ".join(f"'{k}'" for k in kinds)
    op.create_check_constraint("event_kind", "conversation_events", f"kind IN ({listed})")


def upgrade() -> None:
    op.create_table(
        "ai_conversation_states",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("contract_id", sa.String(length=40), nullable=True),
        sa.Column("asked_document", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("not_understood", sa.Integer(), server_default="0", nullable=False),
        sa.Column("bot_turns", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_message_id", sa.BigInteger(), nullable=True),
        sa.Column("pending", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], name=op.f("fk_ai_conversation_states_conversation_id_conversations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_ai_conversation_states_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_ai_conversation_states")),
    )  # fmt: skip
    op.create_table(
        "ai_actions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], name=op.f("fk_ai_actions_conversation_id_conversations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_ai_actions_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_actions")),
        sa.UniqueConstraint("conversation_id", "action", "target", name=op.f("uq_ai_actions_conversation_id_action_target")),
    )  # fmt: skip
    op.add_column("ai_settings", sa.Column("burst_seconds", sa.Float(), server_default="4", nullable=False))
    op.add_column(
        "ai_settings", sa.Column("max_tool_calls", sa.Integer(), server_default="6", nullable=False)
    )
    op.add_column(
        "ai_settings", sa.Column("run_budget_seconds", sa.Integer(), server_default="45", nullable=False)
    )
    _event_kind_check((*EVENT_KINDS, "tool_call"))


def downgrade() -> None:
    op.execute("DELETE FROM conversation_events WHERE kind = 'tool_call'")
    _event_kind_check(EVENT_KINDS)
    op.drop_column("ai_settings", "run_budget_seconds")
    op.drop_column("ai_settings", "max_tool_calls")
    op.drop_column("ai_settings", "burst_seconds")
    op.drop_table("ai_actions")
    op.drop_table("ai_conversation_states")
