"""Engine and sessions. Every process builds one `Database` from settings and opens short sessions."""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import sessionmaker

from models.scoping import PLATFORM_KEY, TENANT_KEY, ScopedSession


def create_db_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20, echo: bool = False) -> Engine:
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,  # survive PostgreSQL restarts without a 500 on the next request
        pool_recycle=1800,
        echo=echo,
        connect_args={"connect_timeout": 5, "application_name": "niochat"},
    )


def _dispose_in_child(engine_ref: weakref.ref[Engine]) -> None:
    engine = engine_ref()
    if engine is not None:
        engine.dispose(close=False)


class Database:
    def __init__(self, url: str, **engine_options: int | bool) -> None:
        self.url = url
        self.engine = create_db_engine(url, **engine_options)  # type: ignore[arg-type]
        self._sessions = sessionmaker(bind=self.engine, class_=ScopedSession, expire_on_commit=False)
        # RQ forks a process per job: the child must not reuse the parent's pooled connections.
        engine_ref = weakref.ref(self.engine)
        os.register_at_fork(after_in_child=lambda: _dispose_in_child(engine_ref))

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
