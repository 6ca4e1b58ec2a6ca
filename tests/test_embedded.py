"""The embedded PostgreSQL and Redis keep their data across restarts."""

from __future__ import annotations

import psycopg
import redis

from niochat import embedded


def test_postgres_restart_keeps_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A row committed before a stop is there after the next start."""
    data = tmp_path / "pg"
    url = embedded.ensure_postgres(data, "keep")
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (v text)")
            conn.execute("INSERT INTO t VALUES ('persistido')")
        embedded.stop_postgres(data)
        assert not embedded.postgres_running(data)
        url_again = embedded.ensure_postgres(data, "keep")
        assert embedded.postgres_running(data)
        with psycopg.connect(url_again.replace("postgresql+psycopg://", "postgresql://")) as conn:
            assert conn.execute("SELECT v FROM t").fetchall() == [("persistido",)]
    finally:
        embedded.stop_postgres(data)


def test_postgres_is_reused_when_already_running(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A second ensure finds the running server instead of starting another."""
    data = tmp_path / "pg"
    try:
        first = embedded.ensure_postgres(data, "a")
        pid = int((data / "postmaster.pid").read_text().split()[0])
        second = embedded.ensure_postgres(data, "a")
        assert first == second
        assert int((data / "postmaster.pid").read_text().split()[0]) == pid
    finally:
        embedded.stop_postgres(data)


def test_redis_restart_keeps_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A key written before a stop is there after the next start (append-only file)."""
    data = tmp_path / "redis"
    url = embedded.ensure_redis(data)
    try:
        redis.Redis.from_url(url).set("fila", "mensagem")
        embedded.stop_redis(data)
        assert embedded.redis_running_pid(data) is None
        url_again = embedded.ensure_redis(data)
        assert redis.Redis.from_url(url_again).get("fila") == b"mensagem"
    finally:
        embedded.stop_redis(data)


def test_long_paths_use_a_short_socket_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A deep checkout still gets a socket path the kernel accepts."""
    deep = tmp_path.joinpath(*["pasta-muito-longa"] * 8, "redis")
    url = embedded.ensure_redis(deep)
    try:
        assert len(url.split("?")[0].removeprefix("unix://")) <= 108
        assert redis.Redis.from_url(url).ping()
    finally:
        embedded.stop_redis(deep)
