"""`niochat ai simulate`: a customer writes to the demo WhatsApp inbox of a running `make run`.

Unlike `ai try`, this is the real path: the message is POSTed to the running web process's Evolution
webhook as the provider would, the worker's attendant answers through the SGP stub, and the replies go
out to the Evolution stub; the command prints them as they are stored.
"""

from __future__ import annotations

import json
import time
import uuid

import click
import httpx
import sqlalchemy as sa

from models.conversation import Conversation
from models.enums import ChannelType, SenderKind
from models.inbox import Inbox
from models.message import Message
from niochat.cli.ai import _tenant_id, ai
from niochat.cli.context import load_context

SECRET_HEADER = "X-NioChat-Secret"  # noqa: S105 (a header name)


@ai.command("simulate")
@click.argument("message")
@click.option("--tenant", "tenant_slug", default="demo", show_default=True)
@click.option("--phone", default="5511987654321", show_default=True, help="The customer's WhatsApp number.")
@click.option("--name", default="Maria Souza", show_default=True)
@click.option("--wait", default=20.0, show_default=True, help="Seconds to wait for the answers.")
def ai_simulate(message: str, tenant_slug: str, phone: str, name: str, wait: float) -> None:
    """A customer message to the tenant's Evolution inbox of the running web; prints the AI's replies."""
    ctx = load_context(start=False)
    db = ctx.database()
    tenant_id = _tenant_id(db, tenant_slug)
    with db.tenant_session(tenant_id) as session:
        inbox = session.scalar(
            sa.select(Inbox).where(Inbox.channel_type == ChannelType.EVOLUTION, Inbox.is_active.is_(True))
        )
        if inbox is None:
            raise click.ClickException("o tenant não tem caixa Evolution ativa")
        key, secret, inbox_id = inbox.webhook_key, inbox.webhook_secret, inbox.id
    payload = {
        "event": "messages.upsert",
        "instance": "demo",
        "data": {
            "key": {
                "remoteJid": f"{phone}@s.whatsapp.net",
                "fromMe": False,
                "id": "SIM" + uuid.uuid4().hex[:16],
            },
            "pushName": name,
            "message": {"conversation": message},
            "messageType": "conversation",
            "messageTimestamp": int(time.time()),
        },
    }
    url = f"http://{ctx.settings.web_host}:{ctx.settings.web_port}/webhooks/evolution/{key}"
    started = time.time()
    try:
        response = httpx.post(url, content=json.dumps(payload), headers={SECRET_HEADER: secret,
                              "Content-Type": "application/json"}, timeout=10)  # fmt: skip
    except httpx.HTTPError as exc:
        raise click.ClickException(
            f"o web não respondeu em {url} — `make run` está rodando? ({exc})"
        ) from exc
    if response.status_code != 200:
        raise click.ClickException(f"webhook recusado: HTTP {response.status_code}")
    click.echo(f"cliente> {message}")
    _print_replies(db, tenant_id, inbox_id, phone, started, wait)


def _print_replies(db: object, tenant_id: int, inbox_id: int, phone: str, since: float, wait: float) -> None:
    seen: set[int] = set()
    deadline = time.time() + wait
    quiet_after = None
    while time.time() < deadline:
        with db.tenant_session(tenant_id) as session:  # type: ignore[attr-defined]
            rows = session.execute(
                sa.select(Message.id, Message.text, Message.content_type, Conversation.status)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(
                    Message.inbox_id == inbox_id,
                    Message.sender_kind == SenderKind.BOT,
                    Message.created_at >= sa.func.to_timestamp(since),
                    Conversation.contact.has(phone_e164=f"+{phone}"),
                )
                .order_by(Message.id)
            ).all()
        for row in rows:
            if row.id not in seen:
                seen.add(row.id)
                click.echo(click.style("IA> ", fg="green") + (row.text or f"[{row.content_type}]"))
                quiet_after = time.time() + 3
        if quiet_after is not None and time.time() > quiet_after:
            return
        time.sleep(0.3)
    if not seen:
        click.echo("(nenhuma resposta ainda — o worker está rodando?)")
