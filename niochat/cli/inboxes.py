"""`niochat inbox connect|status|logout|set-webhook|sync`: the provider side of an inbox.

The commands call the same functions the workers and the back office use (`jobs.instances`,
`jobs.sync`), in this process; `sync` runs in the foreground and draws its progress bar from the
SyncRun record, the same row the web inbox reads.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from click._termui_impl import ProgressBar

from niochat.cli.context import Context, load_context
from niochat.cli.manage import inbox


@dataclass(frozen=True)
class Target:
    ctx: Context
    tenant_id: int
    inbox_id: int
    name: str


def resolve(inbox_id: int) -> Target:
    """The inbox (any tenant: this is the operator's console) and a context the job code shares."""
    from models import Inbox

    ctx = load_context()
    os.environ.setdefault("DATABASE_URL", ctx.database_url)  # jobs.context reads these
    os.environ.setdefault("REDIS_URL", ctx.redis_url)
    db = ctx.database()
    try:
        with db.platform_session() as session:
            row = session.get(Inbox, inbox_id)
            if row is None:
                raise click.ClickException(f"caixa de entrada {inbox_id} não encontrada")
            return Target(ctx, row.tenant_id, row.id, row.name)
    finally:
        db.dispose()


def _instance_call(fn: Any, *args: Any) -> Any:
    from jobs.instances import InstanceError

    try:
        return fn(*args)
    except InstanceError as exc:
        raise click.ClickException(str(exc)) from exc


def _print_connection(conn: Any, as_json: bool, qr_file: Path | None = None) -> None:
    if as_json:
        click.echo(json.dumps(conn.as_dict(), ensure_ascii=False))
        return
    click.echo(f"Estado: {conn.state}")
    if conn.qr_code and qr_file is not None:
        qr_file.parent.mkdir(parents=True, exist_ok=True)
        qr_file.write_bytes(base64.b64decode(conn.qr_code.split(",", 1)[1]))
        click.echo(f"QR code salvo em {qr_file}: abra o WhatsApp > Aparelhos conectados > Conectar.")
    if conn.pair_code:
        click.echo(f"Código de pareamento: {conn.pair_code}")


@inbox.command("connect")
@click.option("--inbox", "inbox_id", type=int, required=True)
@click.option("--phone", default=None, help="Pair by code on this phone instead of scanning a QR code.")
@click.option("--qr-file", type=click.Path(path_type=Path), default=None, help="Where to save the QR PNG.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the QR code as a data URI).")
def inbox_connect(inbox_id: int, phone: str | None, qr_file: Path | None, as_json: bool) -> None:
    """Create/connect an Evolution or Uazapi instance and show its QR code or pair code."""
    from jobs import instances

    target = resolve(inbox_id)
    conn = _instance_call(instances.connect, target.tenant_id, inbox_id, phone)
    default = target.ctx.settings.instance_path / f"qr-inbox-{inbox_id}.png"
    _print_connection(conn, as_json, qr_file or default)


@inbox.command("status")
@click.option("--inbox", "inbox_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
def inbox_status(inbox_id: int, as_json: bool) -> None:
    """Ask the provider for the session state and store it on the inbox."""
    from jobs import instances

    target = resolve(inbox_id)
    _print_connection(_instance_call(instances.refresh_status, target.tenant_id, inbox_id), as_json)


@inbox.command("logout")
@click.option("--inbox", "inbox_id", type=int, required=True)
def inbox_logout(inbox_id: int) -> None:
    """Log the WhatsApp session out (a new QR code is needed to connect again)."""
    from jobs import instances

    target = resolve(inbox_id)
    _instance_call(instances.logout, target.tenant_id, inbox_id)
    click.echo(f"Sessão da caixa {target.name} desconectada.")


@inbox.command("set-webhook")
@click.option("--inbox", "inbox_id", type=int, required=True)
@click.option("--url", "public_url", default=None, help="Public base URL (default: PUBLIC_URL).")
def inbox_set_webhook(inbox_id: int, public_url: str | None) -> None:
    """Register our webhook URL (and secret) with the provider."""
    from jobs import instances

    target = resolve(inbox_id)
    url = _instance_call(instances.set_webhook, target.tenant_id, inbox_id, public_url)
    click.echo(f"Webhook configurado: {url}")


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use a data ISO, ex.: 2025-11-24T08:00", param_hint=name) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@inbox.command("sync")
@click.option("--inbox", "inbox_id", type=int, required=True)
@click.option("--contact", "phone", default=None, help="Only this contact's chat (phone number).")
@click.option("--since", default=None, help="ISO date/time (UTC when no offset is given).")
@click.option("--until", default=None, help="ISO date/time (UTC when no offset is given).")
@click.option("--background", is_flag=True, help="Queue it for the bulk worker and return at once.")
def inbox_sync(
    inbox_id: int, phone: str | None, since: str | None, until: str | None, background: bool
) -> None:
    """Recover message history from Evolution/Uazapi (no duplicates; resumable)."""
    from jobs import queues, sync
    from jobs.scheduling import enqueue

    target = resolve(inbox_id)
    try:
        run_id = sync.start_sync(
            target.tenant_id,
            inbox_id,
            phone=phone,
            since=_when(since, "--since"),
            until=_when(until, "--until"),
        )
    except sync.SyncError as exc:
        raise click.ClickException(str(exc)) from exc
    if background:
        enqueue(queues.SYNC, "jobs.sync.recover", target.tenant_id, run_id, job_id=f"sync-{run_id}-cli")
        click.echo(f"Recuperação {run_id} na fila; acompanhe com `niochat inbox health`.")
        return
    outcome: list[str] = []

    def work() -> None:
        while True:
            result = sync.recover(target.tenant_id, run_id, budget=None, reschedule=False)
            if result != "paused":
                outcome.append(result)
                return
            time.sleep(sync.retry_delay(target.tenant_id, run_id))

    thread = threading.Thread(target=work, name=f"sync-{run_id}", daemon=True)
    thread.start()
    shown = follow(target.tenant_id, run_id, thread)
    click.echo(
        f"Recuperação {run_id}: {shown['status']} — {shown['processed']} lidas, "
        f"{shown['imported']} novas" + (f"; erro: {shown['error']}" if shown.get("error") else "")
    )
    if shown["status"] != "done":
        raise SystemExit(1)


def follow(tenant_id: int, run_id: int, thread: threading.Thread, interval: float = 0.2) -> dict[str, Any]:
    """Draw the run's progress from its SyncRun row until the worker thread ends."""
    from jobs.context import get_db
    from models import SyncRun
    from models.history import progress

    def read() -> dict[str, Any]:
        with get_db().tenant_session(tenant_id) as session:
            run = session.get(SyncRun, run_id)
            assert run is not None
            return progress(run)

    shown = read()
    done = 0
    bar: ProgressBar[int] = click.progressbar(
        length=max(1, shown["total"] or 50),
        label=f"Recuperando histórico (execução {run_id})",
        show_pos=True,
        item_show_func=lambda _: f"{shown['imported']} novas",
    )
    with bar:
        while True:
            alive = thread.is_alive()
            shown = read()
            # Uazapi does not say how many there are: the bar stays a page ahead until the end.
            bar.length = max(shown["total"] or 0, shown["processed"] + (50 if alive else 0), 1)
            bar.update(shown["processed"] - done, current_item=run_id)
            done = shown["processed"]
            if not alive:
                break
            thread.join(interval)
    return shown
