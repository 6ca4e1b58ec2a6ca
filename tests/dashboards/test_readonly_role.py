"""The dashboards' read-only PostgreSQL role: it reads tenant data, and every write through it fails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import exc


def test_readonly_connection_reads(readonly_db, worlds) -> None:  # type: ignore[no-untyped-def]
    """The role logs in and SELECTs conversations as the dashboards do."""
    with readonly_db.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT current_user")) == "niochat_dashboards"
        assert conn.scalar(sa.text("SELECT count(*) FROM conversations")) == 5


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE conversations SET subject = 'x'",
        "DELETE FROM conversations",
        "INSERT INTO labels (tenant_id, name, color) VALUES (1, 'x', '#000000')",
        "CREATE TABLE sneaky (id int)",
    ],
)
def test_readonly_connection_refuses_writes(readonly_db, worlds, statement) -> None:  # type: ignore[no-untyped-def]
    """Writes fail even with the session's read-only default switched off: the grants refuse them."""
    with readonly_db.engine.connect() as conn:
        with pytest.raises(exc.DBAPIError) as raised:
            conn.execute(sa.text(statement))
        assert "read-only" in str(raised.value) or "permission denied" in str(raised.value)
        conn.rollback()
        conn.execute(sa.text("SET SESSION default_transaction_read_only = off"))
        conn.commit()
        with pytest.raises(exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text(statement))


def test_readonly_role_cannot_read_secrets(readonly_db, worlds) -> None:  # type: ignore[no-untyped-def]
    """Password hashes, TOTP secrets and login throttles stay out of the dashboards' reach."""
    with readonly_db.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(name) FROM users")) == 4
        for statement in (
            "SELECT password_hash FROM users",
            "SELECT totp_secret FROM users",
            "SELECT * FROM login_throttles",
        ):
            with pytest.raises(exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text(statement))
            conn.rollback()


def test_role_created_concurrently_by_another_migration_is_not_an_error(database_url) -> None:  # type: ignore[no-untyped-def]
    """Two databases migrated at once (parallel test workers) both create the cluster-wide role: the
    second waits on the first's uncommitted row, gets a unique violation, and carries on."""
    import threading
    import uuid

    from niochat.readonly_role import ensure_role

    role = f"niochat_race_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(database_url)
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with engine.begin() as conn:
                outcome["result"] = ensure_role(conn, role, "")
        except Exception as error:
            outcome["result"] = error

    try:
        with engine.begin() as first:
            assert ensure_role(first, role, "") is True
            racer = threading.Thread(target=second)
            racer.start()
            racer.join(timeout=1.0)
            assert racer.is_alive(), "the second CREATE ROLE should wait for the first transaction"
        racer.join(timeout=10)
        assert outcome["result"] is True
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()
