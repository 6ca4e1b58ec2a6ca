"""drop single-column tenant_id indexes where a composite index starts with tenant_id, and the outbox's

Every tenant-owned table had an index on tenant_id alone. Where another index (or unique constraint)
already starts with tenant_id it answers the same lookups, so the single-column one only cost every
insert and update, and on a young table, before statistics exist, the planner's cached plans chose it
for unique lookups and read every row of the tenant. `TenantScoped.tenant_index = False` marks these
models.

`outbox_events.tenant_id` loses its index too: every message writes an outbox row and the relay
rewrites it, while the only reads by tenant (the health page) go through the small index of
unrelayed rows; deleting a tenant, rare, scans the table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "contacts",
    "conversations",
    "messages",
    "conversation_events",
    "labels",
    "knowledge_entries",
    "quick_replies",
    "message_templates",
    "csat_surveys",
    "csat_responses",
    "teams",
)


def upgrade() -> None:
    for table in (*TABLES, "outbox_events"):
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)


def downgrade() -> None:
    for table in (*TABLES, "outbox_events"):
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
