"""QR-code sessions (Evolution, Uazapi) and webhook registration, for the CLI now and the back office later.

No Flask here: these are plain functions over the database and the provider clients. Every state the
provider reports is fed through `ingest` as a `ConnectionUpdate`, exactly like a `connection.update`
webhook, so there is one bookkeeping of connection state (timestamps, "reconnected" → gap recovery).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from integrations.channels.base import ChannelClient, InstanceManager, ProviderError, WebhookManager
from integrations.channels.credentials import CredentialError
from integrations.channels.events import ConnectionUpdate
from integrations.channels.registry import client_for
from jobs.context import get_db
from jobs.scheduling import relay_now
from models.base import utcnow
from models.inbox import Inbox, webhook_path
from models.ingest import InboxRef, ingest
from niochat.config import get_settings

CALL_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


class InstanceError(RuntimeError):
    """What the operator must know or fix, in Portuguese."""


@dataclass(frozen=True)
class Connection:
    inbox_id: int
    state: str
    qr_code: str | None = None  # data:image/png;base64,…
    pair_code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "inbox_id": self.inbox_id,
            "state": self.state,
            "qr_code": self.qr_code,
            "pair_code": self.pair_code,
        }


def _client(inbox: Inbox) -> ChannelClient:
    return client_for(
        str(inbox.channel_type), inbox.credentials, webhook_secret=inbox.webhook_secret, timeout=CALL_TIMEOUT
    )


def _load(tenant_id: int, inbox_id: int) -> tuple[InboxRef, Any]:
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id)
        if inbox is None:
            raise InstanceError(f"Caixa de entrada {inbox_id} não encontrada.")
        try:
            return InboxRef.of(inbox), _client(inbox)
        except CredentialError as exc:
            raise InstanceError(exc.message_pt) from exc


def _instance_client(tenant_id: int, inbox_id: int) -> tuple[InboxRef, Any]:
    ref, client = _load(tenant_id, inbox_id)
    if not isinstance(client, InstanceManager):
        client.close()
        raise InstanceError("Este canal não usa conexão por QR code (só Evolution e Uazapi).")
    return ref, client


def _record(ref: InboxRef, update: ConnectionUpdate) -> None:
    with get_db().tenant_session(ref.tenant_id) as session:
        report = ingest(session, ref, [update])
    relay_now(report.outbox_ids)


def _call(what: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except ProviderError as exc:
        raise InstanceError(f"{what}: {exc.reason}") from exc


def connect(tenant_id: int, inbox_id: int, phone: str | None = None) -> Connection:
    """Create or connect the instance: a QR code to scan, or with `phone` a pair code to type.

    A token the provider issues for a new instance is kept in the credentials (Uazapi needs it for
    every call and to authenticate its webhooks).
    """
    ref, client = _instance_client(tenant_id, inbox_id)
    try:
        result = _call("Falha ao conectar a instância", client.create_or_connect, phone)
    finally:
        client.close()
    now = utcnow()
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id, with_for_update=True)
        assert inbox is not None
        if result.token:
            key = "token" if ref.channel_type == "uazapi" else "instance_token"
            inbox.credentials = {**inbox.credentials, key: result.token}
        if result.state != "open":  # open needs no code; ingest clears any old one
            inbox.settings = {
                **inbox.settings,
                "qr_code": result.qr_code,
                "pair_code": result.pair_code,
                "qr_at": now.isoformat(),
            }
    _record(ref, ConnectionUpdate(state=result.state, timestamp=now, raw={"source": "connect"}))
    return Connection(inbox_id, result.state, result.qr_code, result.pair_code)


def refresh_status(tenant_id: int, inbox_id: int) -> Connection:
    """Ask the provider for the session state and store it (with its timestamp) on the inbox."""
    ref, client = _instance_client(tenant_id, inbox_id)
    try:
        state = _call("Falha ao consultar a instância", client.connection_state)
    finally:
        client.close()
    _record(ref, ConnectionUpdate(state=state, timestamp=utcnow(), raw={"source": "status"}))
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id)
        settings = inbox.settings if inbox is not None else {}
    return Connection(inbox_id, state, settings.get("qr_code"), settings.get("pair_code"))


def logout(tenant_id: int, inbox_id: int) -> Connection:
    ref, client = _instance_client(tenant_id, inbox_id)
    try:
        _call("Falha ao desconectar a instância", client.logout)
    finally:
        client.close()
    _record(ref, ConnectionUpdate(state="close", timestamp=utcnow(), raw={"source": "logout"}))
    return Connection(inbox_id, "close")


def webhook_url(inbox: Inbox, public_url: str | None = None) -> str:
    return (public_url or get_settings().public_url).rstrip("/") + webhook_path(inbox)


def set_webhook(tenant_id: int, inbox_id: int, public_url: str | None = None) -> str:
    """Point the provider's webhook at us, with our per-inbox secret (Evolution header, Telegram
    secret_token; Uazapi authenticates by its own token). Meta is configured in its app panel."""
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id)
        if inbox is None:
            raise InstanceError(f"Caixa de entrada {inbox_id} não encontrada.")
        url = webhook_url(inbox, public_url)
        secret = inbox.webhook_secret
        client = _client(inbox)
    manager = client if isinstance(client, WebhookManager) else None
    try:
        if manager is None:
            raise InstanceError(
                "A Meta não registra webhooks por API: no painel do app (WhatsApp > Configuração) informe "
                f"a URL {url} e o token de verificação desta caixa."
            )
        _call("Falha ao configurar o webhook", manager.set_webhook, url, secret)
    finally:
        client.close()
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id, with_for_update=True)
        if inbox is not None:
            inbox.settings = {**inbox.settings, "webhook_url": url, "webhook_set_at": utcnow().isoformat()}
    return url
