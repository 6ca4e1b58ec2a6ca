"""back office: plan limits and branding per tenant

`tenants.max_agents` / `max_inboxes` (NULL = no limit) are checked where users and inboxes are created
(models/plan.py); `tenants.branding` holds the name shown, colour and logo URL.

Revision ID: c15a
Revises: c11a
Create Date: 2026-12-03 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c15a"
down_revision: str | None = "c13b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("max_agents", sa.Integer(), nullable=True))
    op.add_column("tenants", sa.Column("max_inboxes", sa.Integer(), nullable=True))
    op.add_column(
        "tenants",
        sa.Column(
            "branding",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("tenants", "branding")
    op.drop_column("tenants", "max_inboxes")
    op.drop_column("tenants", "max_agents")
