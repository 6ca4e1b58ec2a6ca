"""The worker, the dashboards and `niochat run` start and show they are connected."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from rq import Queue
from streamlit.testing.v1 import AppTest

from jobs.queues import DEFAULT, SYNC, connect
from jobs.relay import wait_relayed
from jobs.worker import run_worker
from models import Conversation, Tenant
from niochat.config import PROJECT_ROOT
from tests.conftest import free_port


def test_live_worker_runs_live_jobs_only(settings, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    """A burst live worker runs a default-queue job and leaves the bulk queue alone."""
    conn = connect(redis_url)
    live_job = Queue(DEFAULT, connection=conn).enqueue("operator.add", 2, 3)
    bulk_job = Queue(SYNC, connection=conn).enqueue("operator.mul", 2, 3)
    run_worker(redis_url, "live", burst=True)
    live_job.refresh()
    bulk_job.refresh()
    assert live_job.is_finished and live_job.return_value() == 5
    assert bulk_job.is_queued
    run_worker(redis_url, "bulk", burst=True)
    bulk_job.refresh()
    assert bulk_job.return_value() == 6


def test_dashboards_status_page_shows_connections(settings, db) -> None:  # type: ignore[no-untyped-def]
    """The Streamlit status page reports PostgreSQL and Redis as connected."""
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboards" / "pages" / "status.py"), default_timeout=30)
    at.run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values == {"PostgreSQL": "Conectado", "Redis": "Conectado"}
    assert not at.error


@pytest.mark.slow
def test_run_starts_everything_and_ctrl_c_stops_it(settings, db, database_url: str, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    """`niochat run` migrates, seeds the demo, starts every part, reports healthy, and stops on SIGINT."""
    web_port, dash_port = free_port(), free_port()
    env = {
        **os.environ,
        "NIOCHAT_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEB_PORT": str(web_port),
        "DASHBOARDS_PORT": str(dash_port),
        "PUBLIC_URL": f"http://127.0.0.1:{web_port}",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "niochat", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, cwd=PROJECT_ROOT,
    )  # fmt: skip
    output: list[str] = []
    try:
        deadline = time.monotonic() + 90
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(output)
        assert "NioChat pronto" in text, text
        assert "admin@demo.niochat.local" in text and "/webhooks/evolution/" in text
        assert httpx.get(f"http://127.0.0.1:{web_port}/readyz").status_code == 200
        # A second terminal knows neither port: it finds the running instance through its run file.
        second_terminal = {
            k: v for k, v in env.items() if k not in ("WEB_PORT", "DASHBOARDS_PORT", "PUBLIC_URL")
        }
        status = subprocess.run(
            [sys.executable, "-m", "niochat", "status", "--json"], env=second_terminal, capture_output=True,
            text=True, timeout=60, cwd=PROJECT_ROOT,
        )  # fmt: skip
        report = json.loads(status.stdout)
        assert status.returncode == 0, report
        assert {p["name"] for p in report["parts"] if p["healthy"]} == {
            "postgres", "redis", "web", "worker", "dashboards",
        }  # fmt: skip
        with db.platform_session() as session:
            assert session.scalar(sa.select(Tenant.name)) == "Provedor Demo"
            assert session.scalar(sa.select(sa.func.count()).select_from(Conversation)) >= 4
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rest, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rest, _ = proc.communicate()
    assert proc.returncode == 0, rest
    assert "NioChat parado" in rest
    assert not (Path(env["INSTANCE_PATH"]) / "run.json").exists()  # a stopped instance is not "running"
    for port in (web_port, dash_port):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_the_webhooks_service_command_stores_and_relays(db: Any) -> None:
    """The compose `webhooks` command (granian) serves the app: a delivery is stored and relayed, and
    SIGTERM stops it."""
    import yaml

    from models.enums import ChannelType
    from models.outbox import OutboxEvent
    from models.provisioning import create_inbox, create_tenant

    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name="ISP")
        credentials = {"base_url": "http://127.0.0.1:9", "api_key": "k", "instance": "v"}
        channel = ChannelType.EVOLUTION
        inbox = create_inbox(session, tenant_id=tenant.id, channel=channel, name="V", credentials=credentials)
        key, secret = inbox.webhook_key, inbox.webhook_secret
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = [str(part) for part in compose["services"]["webhooks"]["command"]]
    port = free_port()
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    env = {**os.environ, "WEB_ROLE": "webhooks", "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", *command], env=env, cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        body = {
            "event": "messages.upsert", "instance": "v",
            "data": {"key": {"remoteJid": "5511987654321@s.whatsapp.net", "fromMe": False, "id": "GRANIAN1"},
                     "pushName": "Maria", "message": {"conversation": "oi"}, "messageType": "conversation",
                     "messageTimestamp": int(time.time())},
        }  # fmt: skip
        url = f"http://127.0.0.1:{port}/webhooks/evolution/{key}"
        assert httpx.post(url, json=body, headers={"X-NioChat-Secret": "errado"}).status_code in (401, 403)
        answer = httpx.post(url, json=body, headers={"X-NioChat-Secret": secret}, timeout=10)
        assert answer.status_code == 200 and answer.json()["stored"] == 1, answer.text
        assert httpx.post(url, json=body, headers={"X-NioChat-Secret": secret}).json()["duplicates"] == 1
        # The server process's relay thread publishes after the answer.
        assert wait_relayed(db, timeout=10)
        with db.platform_session() as session:
            topics = session.scalars(sa.select(OutboxEvent.topic).order_by(OutboxEvent.id)).all()
            assert topics == ["conversation.created", "message.created"]  # stored once, not twice
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0


def test_worker_configures_mappers_before_forking_horses() -> None:
    """A worker configures the mappers itself, so no forked horse redoes that work or inherits its lock."""
    code = (
        "import models\n"
        "from jobs.worker import prepare_for_fork\n"
        "from models.base import Base\n"
        "assert Base.registry._new_mappers, 'nothing left to configure: the test would prove nothing'\n"
        "prepare_for_fork()\n"
        "assert not Base.registry._new_mappers\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_live_jobs_run_in_the_worker_and_bulk_jobs_in_a_horse(settings, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    """Live jobs share the worker's process (warm caches); bulk jobs get a forked horse each."""
    conn = connect(redis_url)
    live_job = Queue(DEFAULT, connection=conn).enqueue("os.getpid")
    bulk_job = Queue(SYNC, connection=conn).enqueue("os.getpid")
    run_worker(redis_url, "live", burst=True)
    run_worker(redis_url, "bulk", burst=True)
    live_job.refresh()
    bulk_job.refresh()
    assert live_job.return_value() == os.getpid()
    assert bulk_job.return_value() not in (None, os.getpid())
