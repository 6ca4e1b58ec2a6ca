"""the waiting queue: sort keys and their indexes, and each tenant's first-response SLA

"Em espera" lists the longest wait first and can be sorted by priority; both orders page by keyset, so
each gets an index that starts with (tenant_id, status) and follows the order: a tenant's queue is an
index range, never a scan of every conversation. Priority is text (low/normal/high/urgent), which sorts
alphabetically, so `priority_rank` (0 = urgent … 3 = low) is a generated column that sorts.

`tenants.sla_first_response_minutes` is the target the inbox colours the waiting time against.

Revision ID: c10d
Revises: c10c
Create Date: 2026-12-03 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c10d"
down_revision: str | None = "c10c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRIORITY_RANK_SQL = "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"


def upgrade() -> None:
    op.add_column(
        "tenants",
        sa.Column("sla_first_response_minutes", sa.Integer(), server_default="15", nullable=False),
    )
    op.add_column(
        "conversations",
        sa.Column("priority_rank", sa.SmallInteger(), sa.Computed(PRIORITY_RANK_SQL, persisted=True)),
    )
    op.create_index(
        "ix_conversations_tenant_id_status_waiting_since_id",
        "conversations",
        ["tenant_id", "status", "waiting_since", "id"],
    )
    op.create_index(
        "ix_conversations_tenant_id_status_priority_rank",
        "conversations",
        ["tenant_id", "status", "priority_rank", "waiting_since", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_tenant_id_status_priority_rank", table_name="conversations")
    op.drop_index("ix_conversations_tenant_id_status_waiting_since_id", table_name="conversations")
    op.drop_column("conversations", "priority_rank")
    op.drop_column("tenants", "sla_first_response_minutes")
