"""dashboard facts: one row per conversation, derived from events and messages, and the worker's cursor

`conversation_facts` holds every per-conversation number the dashboards aggregate (first response with and
without the AI's time, resolution, queue time, each in calendar and business seconds; hand-off, tools,
guardrails, sentiment counts). `facts_watermarks` is the incremental refresh's cursor per tenant.

Revision ID: c13a
Revises: c11a
Create Date: 2026-12-03 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c13a"
down_revision: str | None = "c11a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_facts",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("inbox_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=True),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("first_agent_id", sa.BigInteger(), nullable=True),
        sa.Column("label_ids", postgresql.ARRAY(sa.BigInteger()), server_default=sa.text("'{}'::bigint[]"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_dow", sa.SmallInteger(), nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), nullable=False),
        sa.Column("first_customer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ai_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_bot_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_human_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=16), nullable=True),
        sa.Column("frt_s", sa.Float(), nullable=True),
        sa.Column("frt_business_s", sa.Float(), nullable=True),
        sa.Column("frt_total_s", sa.Float(), nullable=True),
        sa.Column("frt_total_business_s", sa.Float(), nullable=True),
        sa.Column("ai_s", sa.Float(), nullable=True),
        sa.Column("first_bot_reply_s", sa.Float(), nullable=True),
        sa.Column("resolution_s", sa.Float(), nullable=True),
        sa.Column("resolution_business_s", sa.Float(), nullable=True),
        sa.Column("queue_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("queue_business_s", sa.Float(), server_default="0", nullable=False),
        sa.Column("customer_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("human_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("bot_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reopens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("transfers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("handled_by_ai", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("handoff", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("handoff_reason", sa.String(length=40), nullable=True),
        sa.Column("ai_closed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tools", postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'::varchar[]"), nullable=False),
        sa.Column("tool_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("guardrail_triggers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("positive_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("neutral_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("negative_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sentiment_avg", sa.Float(), nullable=True),
        sa.Column("negative_intent", sa.String(length=64), nullable=True),
        sa.Column("csat_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("csat_score", sa.SmallInteger(), nullable=True),
        sa.Column("csat_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("csat_themes", postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'::varchar[]"), nullable=False),
        sa.Column("csat_recovered", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], name=op.f("fk_conversation_facts_conversation_id_conversations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_conversation_facts_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_facts")),
    )  # fmt: skip
    op.create_index(
        "ix_conversation_facts_tenant_id_started_at", "conversation_facts", ["tenant_id", "started_at"]
    )
    op.create_index(
        "ix_conversation_facts_tenant_id_closed_at", "conversation_facts", ["tenant_id", "closed_at"]
    )
    op.create_index("ix_conversation_facts_contact_id", "conversation_facts", ["contact_id"])
    op.create_table(
        "facts_watermarks",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_facts_watermarks_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_facts_watermarks")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("facts_watermarks")
    op.drop_index("ix_conversation_facts_contact_id", table_name="conversation_facts")
    op.drop_index("ix_conversation_facts_tenant_id_closed_at", table_name="conversation_facts")
    op.drop_index("ix_conversation_facts_tenant_id_started_at", table_name="conversation_facts")
    op.drop_table("conversation_facts")
