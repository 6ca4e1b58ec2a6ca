"""Engine and sessions. Every process builds one `Database` from settings and opens short sessions."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.orm import sessionmaker

from models.scoping import PLATFORM_KEY, TENANT_KEY, ScopedSession

# A connection back in the pool for less than this is not pinged on checkout (see `_ping_if_idle`).
PING_AFTER_IDLE_SECONDS = 2.0


def create_db_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 20,
    echo: bool = False,
    server_settings: dict[str, str] | None = None,
    **options: Any,
) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": 5, "application_name": "niochat"}
    if server_settings:
        connect_args["options"] = " ".join(f"-c {name}={value}" for name, value in server_settings.items())
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        echo=echo,
        connect_args=connect_args,
        **options,
    )
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _mark_used)
    return engine


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Survive PostgreSQL restarts without an error on the next request, as `pool_pre_ping` does, but
    ping only connections that sat idle: under load a ping per checkout was a quarter of a webhook's
    wall time. A restart during busy traffic fails the statements in flight; SQLAlchemy then
    invalidates the whole pool, so the next checkouts reconnect."""
    if time.monotonic() - record.info.get("checked_in_at", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()
    except Exception as error:  # the pool retries the checkout with a new connection
        raise exc.DisconnectionError(str(error)) from error


def _mark_used(dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _dispose_in_child(engine_ref: weakref.ref[Engine]) -> None:
    engine = engine_ref()
    if engine is not None:
        engine.dispose(close=False)


class Database:
    def __init__(self, url: str, **engine_options: int | bool) -> None:
        self.url = url
        self._engine_options = engine_options
        self.engine = self._create_engine()
        self._sessions = sessionmaker(bind=self.engine, class_=ScopedSession, expire_on_commit=False)
        self._statement_engine: Engine | None = None
        self._generic_plan_engine: Engine | None = None
        self._lock = threading.Lock()

    def _create_engine(self, **options: Any) -> Engine:
        engine = create_db_engine(self.url, **{**self._engine_options, **options})
        # RQ forks a process per job: the child must not reuse the parent's pooled connections.
        engine_ref = weakref.ref(engine)
        os.register_at_fork(after_in_child=lambda: _dispose_in_child(engine_ref))
        return engine

    @property
    def statement_engine(self) -> Engine:
        """Connections in autocommit, for single statements that are atomic by themselves: one round
        trip where BEGIN … COMMIT costs three. Its own pool (created on first use), so connections
        never switch modes on checkout."""
        if self._statement_engine is None:
            with self._lock:
                if self._statement_engine is None:
                    # Sized like the main pool: fewer connections than threads made the threads
                    # queue on the pool's lock and cost more CPU than PostgreSQL saved.
                    # Nothing to roll back on return in autocommit: skip the reset.
                    self._statement_engine = self._create_engine(
                        isolation_level="AUTOCOMMIT", pool_reset_on_return=None
                    )
        return self._statement_engine

    @property
    def generic_plan_engine(self) -> Engine:
        """Connections whose prepared statements always run their generic plan, for statements that
        look rows up by primary key whatever the parameters (the outbox relay's). PostgreSQL's default
        re-plans such a statement on every execution: its generic plan is costed for an array of ten
        ids, which looks dearer than a custom plan for one, and planning the relay's statement took
        three times as long as running it. A small pool of its own (created on first use): one relay
        thread per process, plus the worker's sweeper."""
        if self._generic_plan_engine is None:
            with self._lock:
                if self._generic_plan_engine is None:
                    self._generic_plan_engine = self._create_engine(
                        pool_size=2, max_overflow=2, server_settings={"plan_cache_mode": "force_generic_plan"}
                    )
        return self._generic_plan_engine

    def execute_statement(self, statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """One driver-level statement (psycopg `%s` placeholders, prepared) in autocommit; its rows.

        For hot paths only (webhook ingestion): it skips the ORM and SQLAlchemy's execution layer,
        and with them tenant scoping, so callers must scope the statement themselves."""
        conn = self.statement_engine.raw_connection()
        try:
            cursor = conn.driver_connection.execute(statement, params, prepare=True)  # type: ignore[union-attr]
            return cursor.fetchall()
        except psycopg.OperationalError:
            conn.invalidate()  # PostgreSQL restarted or the connection broke: never back into the pool
            raise
        finally:
            conn.close()

    def session(self, tenant_id: int | None = None, *, platform: bool = False) -> ScopedSession:
        """A session the caller closes; prefer the context managers below."""
        if tenant_id is not None and platform:
            raise ValueError("a session is either for one tenant or for the platform")
        session = self._sessions()
        if tenant_id is not None:
            session.info[TENANT_KEY] = int(tenant_id)
        session.info[PLATFORM_KEY] = platform
        return session

    @contextmanager
    def tenant_session(self, tenant_id: int) -> Iterator[ScopedSession]:
        """Commit on success, roll back on error. Only this tenant's rows can be read or written."""
        with self.session(tenant_id) as session, session.begin():
            yield session

    @contextmanager
    def platform_session(self) -> Iterator[ScopedSession]:
        """Sees every tenant: for the superadmin, relays and webhook-key lookups. Use sparingly."""
        with self.session(platform=True) as session, session.begin():
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        for engine in (self._statement_engine, self._generic_plan_engine):
            if engine is not None:
                engine.dispose()
