"""`niochat inbox health|failed|replay|ack`: is every number working, and what failed to go out.

Dead letters are outbound messages that failed and nobody has acknowledged; `replay` sends them again
(an explicit decision: for "maybe sent" failures the customer may get it twice), `ack` files them away.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
import sqlalchemy as sa

from niochat.cli.context import load_context
from niochat.cli.inboxes import resolve
from niochat.cli.manage import inbox


def _ago(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = (datetime.now(value.tzinfo) - value).total_seconds()
    seconds = int(value)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"há {seconds // size} {unit}"
    return f"há {seconds} s"


@inbox.command("health")
@click.option("--tenant", "tenant_slug", default=None, help="Only this tenant's inboxes.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def inbox_health(tenant_slug: str | None, as_json: bool) -> None:
    """Per inbox: connection, last inbound and status, dead letters, waiting sends, unrelayed outbox."""
    from models import Inbox
    from models.health import ingestion_health
    from models.provisioning import ProvisioningError, get_tenant_by_slug

    ctx = load_context()
    db = ctx.database()
    try:
        with db.platform_session() as session:
            ids = None
            if tenant_slug:
                try:
                    tenant_id = get_tenant_by_slug(session, tenant_slug).id
                except ProvisioningError as exc:
                    raise click.ClickException(str(exc)) from exc
                ids = list(session.scalars(sa.select(Inbox.id).where(Inbox.tenant_id == tenant_id)))
            report = ingestion_health(session, ids)
    finally:
        db.dispose()
    if as_json:
        click.echo(json.dumps([h.as_dict() for h in report], ensure_ascii=False))
        return
    if not report:
        click.echo("Nenhuma caixa de entrada.")
    for h in report:
        flag = "OK   " if h.connection_state in ("open", "unknown") and not h.dead_letters else "ATENÇÃO"
        click.echo(f"{flag} #{h.inbox_id} {h.name} ({h.channel_type})")
        click.echo(f"      conexão: {h.connection_state} ({_ago(h.connection_changed_at)})")
        inbound, status = _ago(h.last_inbound_at), _ago(h.last_status_at)
        click.echo(f"      última mensagem recebida: {inbound}; último status: {status}")
        waiting = (
            f"{h.pending_outbound} (mais antiga {_ago(h.oldest_pending_seconds)})"
            if h.pending_outbound
            else "0"
        )
        click.echo(f"      falhas sem tratamento: {h.dead_letters}; aguardando envio: {waiting}")
        if h.unrelayed_outbox:
            click.echo(f"      eventos não publicados (tenant): {h.unrelayed_outbox}")
        if h.last_sync:
            s = h.last_sync
            click.echo(
                f"      última recuperação: {s['status']} ({s['processed']} lidas, {s['imported']} novas)"
            )


@inbox.command("failed")
@click.option("--inbox", "inbox_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
def inbox_failed(inbox_id: int, as_json: bool) -> None:
    """List an inbox's dead letters: failed outbound messages nobody has acknowledged."""
    from jobs.context import get_db
    from models.health import dead_letters

    target = resolve(inbox_id)
    with get_db().tenant_session(target.tenant_id) as session:
        rows = [
            {
                "id": m.id,
                "conversation_id": m.conversation_id,
                "failed_at": m.failed_at.isoformat() if m.failed_at else None,
                "error_code": m.error_code,
                "error": m.error_text,
                "text": (m.text or "")[:80],
            }
            for m in dead_letters(session, inbox_id)
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"#{row['id']} conversa {row['conversation_id']} [{row['error_code']}] {row['error']}")
    click.echo(f"{len(rows)} falha(s) sem tratamento.")


@inbox.command("replay")
@click.option("--inbox", "inbox_id", type=int, required=True)
@click.argument("message_ids", nargs=-1, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Every dead letter of the inbox.")
def inbox_replay(inbox_id: int, message_ids: tuple[int, ...], replay_all: bool) -> None:
    """Send failed messages again (they go back to pending and through the outbound job)."""
    from jobs.context import get_db
    from jobs.scheduling import relay_now
    from models.health import dead_letters, replay_failed

    target = resolve(inbox_id)
    with get_db().tenant_session(target.tenant_id) as session:
        ids = (
            [m.id for m in dead_letters(session, inbox_id, limit=10_000)] if replay_all else list(message_ids)
        )
        replayed, outbox_ids = replay_failed(session, ids)
    relay_now(outbox_ids)
    click.echo(f"{len(replayed)} mensagem(ns) de volta à fila de envio.")


@inbox.command("ack")
@click.option("--inbox", "inbox_id", type=int, required=True)
@click.argument("message_ids", nargs=-1, type=int, required=True)
def inbox_ack(inbox_id: int, message_ids: tuple[int, ...]) -> None:
    """Mark failures as handled (the customer was told another way); they stop counting."""
    from jobs.context import get_db
    from models.health import acknowledge_failed

    target = resolve(inbox_id)
    with get_db().tenant_session(target.tenant_id) as session:
        count = acknowledge_failed(session, list(message_ids))
    click.echo(f"{count} falha(s) marcada(s) como tratada(s).")
