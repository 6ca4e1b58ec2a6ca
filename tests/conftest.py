"""Test fixtures: real PostgreSQL and Redis, a fresh database per xdist worker (CTFd-style).

Servers: TEST_DATABASE_URL / TEST_REDIS_URL when set, else the embedded ones under instance/test-*,
started once by the controlling pytest process and stopped when it ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from niochat import embedded
from niochat.config import PROJECT_ROOT, Settings, load_settings, reset_settings

TEST_INSTANCE = Path(os.environ.get("TEST_INSTANCE_PATH", PROJECT_ROOT / "instance" / "test"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if not _is_controller(config):
        return
    started = []
    # One id per test run: concurrent runs on one machine share the embedded PostgreSQL but never a
    # database, and each gets its own Redis.
    os.environ.setdefault("NIOCHAT_TEST_RUN", uuid.uuid4().hex[:8])
    if not os.environ.get("TEST_DATABASE_URL"):
        was_running = embedded.postgres_running(TEST_INSTANCE / "postgres")
        os.environ["TEST_DATABASE_URL"] = embedded.ensure_postgres(TEST_INSTANCE / "postgres", "postgres")
        started += [] if was_running else ["postgres"]
    if not os.environ.get("TEST_REDIS_URL"):
        os.environ["TEST_REDIS_URL"] = embedded.ensure_redis(_run_redis_dir())
        started.append("redis")
    config.stash[_STARTED] = started


def pytest_unconfigure(config: pytest.Config) -> None:
    started = config.stash.get(_STARTED, [])
    if "redis" in started:
        embedded.stop_redis(_run_redis_dir())
        shutil.rmtree(_run_redis_dir(), ignore_errors=True)
    if "postgres" in started:
        embedded.stop_postgres(TEST_INSTANCE / "postgres")


_STARTED = pytest.StashKey[list[str]]()


def _run_redis_dir() -> Path:
    return TEST_INSTANCE / f"redis-{os.environ['NIOCHAT_TEST_RUN']}"


def _worker_number(config: pytest.Config) -> int:
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    return int(worker.removeprefix("gw") or 0)


def _with_database(url: str, name: str) -> str:
    return str(sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False))


def _with_redis_db(url: str, db: int) -> str:
    base, _, query = url.partition("?")
    params = [p for p in query.split("&") if p and not p.startswith("db=")]
    if base.startswith("unix://"):
        return f"{base}?{'&'.join([*params, f'db={db}'])}"
    # redis://host:port/N
    head = base.rstrip("/")
    if head.count("/") > 2:
        head = head.rsplit("/", 1)[0]
    return f"{head}/{db}" + (f"?{'&'.join(params)}" if params else "")


@pytest.fixture(scope="session")
def worker_number(pytestconfig: pytest.Config) -> int:
    return _worker_number(pytestconfig)


@pytest.fixture(scope="session")
def admin_database_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    )


@pytest.fixture(scope="session")
def database_url(admin_database_url: str, worker_number: int) -> Iterator[str]:
    """A fresh, migrated database for this test worker."""
    from niochat.migrate import upgrade

    name = f"niochat_test_{os.environ['NIOCHAT_TEST_RUN']}_{worker_number}"
    embedded.create_database(admin_database_url, name)
    url = _with_database(admin_database_url, name)
    upgrade(url)
    yield url
    embedded.drop_database(admin_database_url, name)


@pytest.fixture(scope="session")
def redis_url(worker_number: int) -> str:
    return _with_redis_db(os.environ["TEST_REDIS_URL"], 1 + worker_number % 15)


@pytest.fixture(scope="session")
def settings(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    instance = tmp_path_factory.mktemp("instance")
    env = {
        "NIOCHAT_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(instance),
        "PUBLIC_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
        # Ports nobody listens on, so a developer's running `make run` never answers for the tests.
        "WEB_PORT": str(free_port()),
        "DASHBOARDS_PORT": str(free_port()),
    }
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    reset_settings()
    yield load_settings()
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_settings()


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[object]:
    from models.db import Database

    database = Database(settings.database_url, pool_size=5, max_overflow=10)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that touches the database or Redis starts from empty tables and an empty Redis db."""
    yield
    if "db" in request.fixturenames:
        from models import Base

        database = request.getfixturevalue("db")
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with database.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    if "redis_url" in request.fixturenames:
        from jobs.queues import connect

        connect(request.getfixturevalue("redis_url")).flushdb()


@pytest.fixture()
def app(settings: Settings, db: object):  # type: ignore[no-untyped-def]
    from web import create_app

    application = create_app(settings)
    yield application
    application.extensions["niochat"].relay.close()
    application.extensions["niochat"].db.dispose()


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture()
def two_tenants(db):  # type: ignore[no-untyped-def]
    """Two tenants with one inbox, contact and conversation each: the raw material of isolation tests."""
    from models.enums import ChannelType
    from models.provisioning import create_inbox, create_tenant
    from tests.factories import make_conversation

    with db.platform_session() as session:
        a = create_tenant(session, slug="provedor-a", name="Provedor A")
        b = create_tenant(session, slug="provedor-b", name="Provedor B")
        ids = {}
        for tenant in (a, b):
            inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp")
            conv = make_conversation(session, tenant.id, inbox.id, phone=f"+55119876543{tenant.id:02d}")
            ids[tenant.slug] = {
                "tenant": tenant.id,
                "inbox": inbox.id,
                "conversation": conv.id,
                "contact": conv.contact_id,
            }
    return ids
