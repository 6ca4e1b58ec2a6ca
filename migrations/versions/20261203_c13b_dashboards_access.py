"""dashboards: saved reports per user, and the read-only role the dashboards connect with

`saved_reports` keeps a user's named dashboard views (page + filter query string). The role (default
`niochat_dashboards`, DASHBOARDS_DATABASE_ROLE) logs in read-only and may SELECT every table but the
secret columns of `users` and the login throttles; see niochat/readonly_role.py and docs/dashboards.md.

Revision ID: c13b
Revises: c13a (c11a on main; dash-core's c13a merged before it)
Create Date: 2026-12-03 21:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from niochat.config import get_settings
from niochat.readonly_role import ensure_role, grant_read, revoke_read

revision: str = "c13b"
down_revision: str | None = "c13a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_reports",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("page", sa.String(length=40), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_saved_reports_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_reports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_reports")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "name", name=op.f("uq_saved_reports_tenant_id_user_id_name")
        ),
    )
    settings = get_settings()
    role = settings.dashboards_database_role
    conn = op.get_bind()
    if ensure_role(conn, role, settings.dashboards_database_password):
        grant_read(conn, role)


def downgrade() -> None:
    revoke_read(op.get_bind(), get_settings().dashboards_database_role)
    op.drop_table("saved_reports")
