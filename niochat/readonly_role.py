"""The dashboards' read-only PostgreSQL role: created (and granted) by migration c13b, and the URL the
dashboards connect with. A role is cluster-wide, its grants are per database, so every migrated
database (each test worker's included) grants the same role again."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from niochat.config import Settings

log = logging.getLogger(__name__)

# Columns of `users` the role may read: names and roles for the agents table, never a password hash,
# a TOTP secret or recovery codes.
USER_COLUMNS = ("id", "tenant_id", "email", "name", "role", "is_active", "created_at", "last_login_at")


def readonly_database_url(settings: Settings, database_url: str) -> str:
    """DASHBOARDS_DATABASE_URL as given, else `database_url` logged in as the read-only role."""
    if settings.dashboards_database_url:
        return settings.dashboards_database_url
    url = make_url(database_url).set(
        username=settings.dashboards_database_role, password=settings.dashboards_database_password or None
    )
    return url.render_as_string(hide_password=False)


def ensure_role(conn: Connection, role: str, password: str) -> bool:
    """Create the login role (or set its password), read-only by default. False when this user may not
    create roles and none exists: an operator then creates it (docs/dashboards.md)."""
    exists = conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    can = conn.scalar(sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"))
    if not exists and not can:
        log.warning("role %s not created: %s may not create roles", role, "the migrating user")
        return False
    quoted_password = conn.scalar(sa.text("SELECT quote_literal(:p)"), {"p": password}) if password else None
    if not exists:
        try:
            conn.execute(sa.text("SAVEPOINT niochat_role"))
            conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(sa.text("RELEASE SAVEPOINT niochat_role"))
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            # Created meanwhile by a concurrent migration of another database (parallel test workers):
            # PostgreSQL answers a unique violation on pg_authid, or "already exists" when it saw the row.
            conn.execute(sa.text("ROLLBACK TO SAVEPOINT niochat_role"))
    if can:
        _retrying(conn, f'ALTER ROLE "{role}" SET default_transaction_read_only = on')
        if quoted_password:
            _retrying(conn, f'ALTER ROLE "{role}" PASSWORD {quoted_password}')
    return True


def _retrying(conn: Connection, statement: str) -> None:
    """Role rows are cluster-wide: databases migrated at once (parallel test workers) race on them and
    PostgreSQL answers "tuple concurrently updated"; the statement is idempotent, so try again."""
    import time

    for attempt in range(5):
        conn.execute(sa.text("SAVEPOINT niochat_role_alter"))
        try:
            conn.execute(sa.text(statement))
        except sa.exc.DBAPIError:
            conn.execute(sa.text("ROLLBACK TO SAVEPOINT niochat_role_alter"))
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
        else:
            conn.execute(sa.text("RELEASE SAVEPOINT niochat_role_alter"))
            return


def grant_read(conn: Connection, role: str) -> None:
    """SELECT on every table of this database (and on tables later migrations create), `users` only
    through its harmless columns; nothing else."""
    database = conn.scalar(sa.text("SELECT current_database()"))
    _retrying(conn, f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
    conn.execute(sa.text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
    conn.execute(sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    conn.execute(sa.text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "{role}"'))
    conn.execute(sa.text(f'REVOKE SELECT ON users FROM "{role}"'))  # noqa: S608  role name validated by settings
    conn.execute(sa.text(f'GRANT SELECT ({", ".join(USER_COLUMNS)}) ON users TO "{role}"'))
    conn.execute(sa.text(f'REVOKE SELECT ON login_throttles, alembic_version FROM "{role}"'))  # noqa: S608  role name validated by settings


def revoke_read(conn: Connection, role: str) -> None:
    """Undo `grant_read` in this database; the role itself stays (other databases may use it)."""
    exists = conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if not exists:
        return
    database = conn.scalar(sa.text("SELECT current_database()"))
    conn.execute(sa.text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM "{role}"'))  # noqa: S608  role name validated by settings
    conn.execute(sa.text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
    conn.execute(sa.text(f'REVOKE USAGE ON SCHEMA public FROM "{role}"'))
    conn.execute(sa.text(f'REVOKE CONNECT ON DATABASE "{database}" FROM "{role}"'))
