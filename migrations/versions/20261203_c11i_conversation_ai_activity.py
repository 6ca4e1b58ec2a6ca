"""conversations.ai_activity: what the AI did last (intent, tools, hand-off reason) for the inbox

Kept on the conversation row so the list, the API and the relay's Socket.IO events show it with no
further query (`models.ai_activity`).

Revision ID: c11i
Revises: c11a
Create Date: 2026-12-03 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c11i"
down_revision: str | None = "c11a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "conversations",
        sa.Column("ai_activity", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("conversations", "ai_activity")
