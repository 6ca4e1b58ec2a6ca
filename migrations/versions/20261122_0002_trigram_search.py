"""trigram indexes for the inbox search (where pg_trgm is available)

The inbox search is a substring match (ILIKE '%…%') on contacts.name and messages.text; a pg_trgm GIN
index answers it without scanning every message. PostgreSQL images and packages ship pg_trgm (contrib),
but the embedded server used by a fresh checkout (pgserver) does not, so the extension and indexes are
created only where the extension can be: search works everywhere, and is indexed in production.

The indexes are not in the models (they cannot be, where the extension is missing); migrations/env.py
keeps `alembic check` from reporting them (names starting with `ix_trgm_`). On a large existing messages
table, create the index by hand first with CREATE INDEX CONCURRENTLY (same name): this migration then
finds it and only records the revision.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00.000000
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")
INDEXES = {
    "ix_trgm_messages_text": ("messages", "text"),
    "ix_trgm_contacts_name": ("contacts", "name"),
}


def upgrade() -> None:
    bind = op.get_bind()
    available = bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar()
    if not available:
        log.info("pg_trgm not available: inbox search runs without trigram indexes")
        return
    try:
        with bind.begin_nested():  # a refused CREATE EXTENSION (no privilege) must not abort the migration
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        log.warning("could not create pg_trgm (%s): inbox search runs without trigram indexes", exc.orig)
        return
    for name, (table, column) in INDEXES.items():
        bind.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
