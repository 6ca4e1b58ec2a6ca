"""`niochat run`: everything in one terminal. Starts the embedded servers when no URLs are given,
migrates, seeds the demo on a first development run, starts web, workers and dashboards as children,
prints where to click, and on Ctrl-C stops every child, then the servers it started."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import click

from models.db import Database
from niochat.config import PROJECT_ROOT, Settings
from niochat.health import check_http, dashboards_url, web_url
from niochat.running import read_running, remove_run_file, write_run_file
from niochat.runtime import Stores, start_stores, stop_stores

log = logging.getLogger(__name__)


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    essential: bool = True  # when it dies, everything stops; the dev stubs are a convenience
    cwd: Path | None = None


def dev_stubs_child(settings: Settings) -> Child | None:
    """In development, the loopback provider stubs the demo inboxes point at (tests/stubs/dev.py),
    so sending from the demo works end to end. Never in production, nor when the tests package is not
    part of this checkout (an installed wheel)."""
    if settings.is_production:
        log.info("provider stubs not started: production")
        return None
    if not (PROJECT_ROOT / "tests" / "stubs" / "dev.py").is_file():
        log.info("provider stubs not started: tests/stubs is not in this installation")
        return None
    return Child("stubs", [sys.executable, "-m", "tests.stubs.dev"], essential=False, cwd=PROJECT_ROOT)


@dataclass
class Supervisor:
    settings: Settings
    stores: Stores
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def child_env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.stores.database_url, "REDIS_URL": self.stores.redis_url}

    def start_children(self) -> None:
        from niochat.cli.serve import dashboards_command

        me = [sys.executable, "-m", "niochat"]
        self.children = [
            Child("web", [*me, "web"]),
            Child("worker-live", [*me, "worker", "--group", "live"]),
            Child("worker-bulk", [*me, "worker", "--group", "bulk"]),
            Child("dashboards", dashboards_command(self.settings)),
        ]
        stubs = dev_stubs_child(self.settings)
        if stubs is not None:
            self.children.append(stubs)
        env = self.child_env()
        for child in self.children:
            # A session of their own: Ctrl-C reaches only us, and we stop them once, in order.
            child.process = subprocess.Popen(child.command, env=env, start_new_session=True, cwd=child.cwd)

    def wait_ready(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        targets = {
            "web": web_url(self.settings) + "/readyz",
            "dashboards": dashboards_url(self.settings) + "/_stcore/health",
        }
        pending = dict(targets)
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if check_http(name, url, timeout=1).healthy:
                    pending.pop(name)
            if self.dead_child():
                return False
            time.sleep(0.3)
        return not pending

    def dead_child(self) -> Child | None:
        for child in self.children:
            if child.essential and child.process is not None and child.process.poll() is not None:
                return child
        return None

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for child in self.children:
            if child.process and child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + 15
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", child.name)
                child.process.kill()
                child.process.wait()
        stop_stores(self.settings, self.stores)


def prepare(settings: Settings) -> Supervisor:
    """Servers up, schema current, demo in place: everything before the children start."""
    from niochat.migrate import upgrade

    stores = start_stores(settings)
    upgrade(stores.database_url)
    return Supervisor(settings, stores)


def seed_if_first_run(sup: Supervisor) -> list[str]:
    from niochat.cli.banner import demo_lines
    from niochat.demo import describe_demo, seed_demo

    if sup.settings.is_production:
        return []
    db = Database(sup.stores.database_url, pool_size=1, max_overflow=0)
    try:
        with db.platform_session() as session:
            if sup.settings.seed_demo:
                info = seed_demo(session, sup.settings.public_url)
            else:
                info = describe_demo(session, sup.settings.public_url)
        if info.created:
            _seed_demo_history(db)
    finally:
        db.dispose()
    return demo_lines(info)


def _seed_demo_history(db: Database) -> None:
    """Months of conversations for the dashboards on the demo's first run; a failure only logs."""
    import sqlalchemy as sa

    from models.tenant import Tenant
    from niochat.demo import DEMO_SLUG
    from niochat.demo_history import seed_first_run

    try:
        with db.platform_session() as session:
            tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
        if tenant_id is not None:
            started = time.monotonic()
            written = seed_first_run(db, tenant_id)
            log.info("demo history: %s conversations in %.1f s", written, time.monotonic() - started)
    except Exception:
        log.exception("demo history for the dashboards could not be loaded")


def run(settings: Settings) -> int:
    started_at = time.monotonic()
    busy = [port for port in (settings.web_port, settings.dashboards_port) if port_in_use(port)]
    running = read_running(settings)
    if busy and running is not None:
        click.echo(
            f"niochat: o NioChat já está rodando (processo {running['pid']}) em {running['public_url']}. "
            "Pare-o com Ctrl-C naquele terminal, ou defina WEB_PORT/DASHBOARDS_PORT para outro.",
            err=True,
        )
        return 1
    if busy:
        click.echo(
            f"niochat: porta(s) {', '.join(map(str, busy))} em uso — outro NioChat já está rodando? "
            "Pare-o ou defina WEB_PORT/DASHBOARDS_PORT.",
            err=True,
        )
        return 1
    sup = prepare(settings)
    demo = seed_if_first_run(sup)

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Explicitly, because a shell starting us in the background hands us SIGINT ignored.
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        sup.start_children()
        if not sup.wait_ready():
            dead = sup.dead_child()
            click.echo(
                f"niochat: {dead.name if dead else 'web/dashboards'} não iniciou; veja o log acima.", err=True
            )
            return 1
        write_run_file(settings)  # other terminals' `niochat status` and URLs find us
        banner(settings, demo, time.monotonic() - started_at)
        while True:
            dead = sup.dead_child()
            if dead is not None:
                code = dead.process.returncode if dead.process else None
                click.echo(f"niochat: {dead.name} parou (código {code}); encerrando.", err=True)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("\nEncerrando…")
        return 0
    finally:
        remove_run_file(settings)
        sup.stop()
        click.echo("NioChat parado.")


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def banner(settings: Settings, demo: list[str], seconds: float) -> None:
    lines = [
        "",
        f"NioChat pronto em {seconds:.1f} s",
        f"  Web:                     {settings.public_url}",
        f"  Dashboards:              {dashboards_url(settings)}",
        f"  Saúde:                   {web_url(settings)}/readyz",
        *demo,
        "  Ctrl-C encerra tudo.",
        "",
    ]
    click.echo("\n".join(lines))
