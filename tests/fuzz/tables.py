"""What a refused request must not have changed: row counts of the tables a request can write."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

WRITTEN = (
    "messages",
    "contacts",
    "conversations",
    "outbox_events",
    "conversation_events",
    "conversation_labels",
    "contact_labels",
    "labels",
    "teams",
    "team_members",
    "users",
    "inboxes",
)


def row_counts(db: Any) -> dict[str, int]:
    """One query, as the owner (no row-level security), so every tenant's rows are counted."""
    # Table names are our constants above, never input.
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in WRITTEN)  # noqa: S608
    with db.engine.connect() as conn:
        return {name: int(count) for name, count in conn.execute(sa.text(query))}


def has_bad_text(value: str | None) -> bool:
    """NUL or a lone surrogate: PostgreSQL refuses the first, UTF-8 cannot encode the second."""
    return value is not None and ("\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value))
