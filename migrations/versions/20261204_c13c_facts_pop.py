"""dashboard facts: the POP of the contract the AI identified

`conversation_facts.pop` (NULL when no contract was identified) is filled by the facts refresh from the
newest tool-call event whose data names a POP, so the insights can find a spike of one intent at one POP
(an outage) instead of only per inbox. Tool-call events written before this revision carry no POP, so
there is nothing to backfill: existing rows stay NULL.

Revision ID: c13c
Revises: c12s
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c13c"
down_revision: str | None = "c12s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("conversation_facts", sa.Column("pop", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("conversation_facts", "pop")
