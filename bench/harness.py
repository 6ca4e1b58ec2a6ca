"""What the benchmarks share: the embedded instance, the servers under test, the harness's database
statements, and the report's place in docs/benchmarks.md."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench.loadgen import Result
from niochat import embedded

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "bench" / ".instance"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(server: str, app: str, port: int, threads: int, workers: int) -> list[str]:
    """The command line of the webhooks service as compose runs it (granian), or of gunicorn gthread,
    which the web process runs and the webhooks service ran before."""
    if server == "gunicorn":
        return [
            sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", str(workers),
            "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            "--backlog", "2048", app,
        ]  # fmt: skip
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", str(workers),
        "--blocking-threads", str(threads), "--host", "127.0.0.1", "--port", str(port), "--http", "1",
        "--no-ws", "--log-level", "warning", "--backlog", "2048", app,
    ]  # fmt: skip


def start_server(
    app: str, port: int, env: dict[str, str], threads: int, workers: int, server: str = "gunicorn"
) -> subprocess.Popen[bytes]:
    command = server_command(server, app, port, threads, workers)
    proc = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{app} did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def connect(database_url: str) -> Iterator[sa.Connection]:
    """One autocommit connection for the harness's own statements, its engine disposed afterwards."""
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def analyze(database_url: str) -> None:
    """Statistics, as autovacuum gathers them within seconds of tables filling: the sustained rate is
    measured, not the first seconds of a brand-new database (the same for both systems)."""
    with connect(database_url) as conn:
        conn.execute(sa.text("ANALYZE"))


def fresh_database(admin_url: str, name: str) -> str:
    embedded.drop_database(admin_url, name)
    embedded.create_database(admin_url, name)
    return str(sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def stolen_text(*results: Result) -> str:
    """The hypervisor's share of the machine's CPU during each phase (loadgen's docstring), as text."""
    return " / ".join("n/a" if r.stolen is None else f"{r.stolen * 100:.0f} %" for r in results)


def save(report: str, key: str, title: str) -> None:
    """Replace the block `key` of docs/benchmarks.md with the report (or append it under `title`)."""
    doc = ROOT / "docs" / "benchmarks.md"
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{report}\n{end}"
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += f"\n## {title}\n\n{block}\n"
    doc.write_text(text)
