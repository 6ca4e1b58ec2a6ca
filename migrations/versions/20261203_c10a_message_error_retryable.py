"""messages.error_retryable: whether a failed send is one a retry can fix

The inbox offers "Tentar de novo" only where trying again can help (a timeout, a 5xx, a rate limit, the
provider unreachable), not for a closed 24-hour window, an invalid number or refused credentials. The
send job knows which it was when it gives up (`ProviderError.retryable`); the provider's error codes
alone do not say it, so the answer is stored with the failure.

Revision ID: c10a
Revises: c14a
Create Date: 2026-12-03 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c10a"
down_revision: str | None = "c14a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "messages",
        sa.Column("error_retryable", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("messages", "error_retryable")
