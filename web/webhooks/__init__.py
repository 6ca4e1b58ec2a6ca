"""Provider webhooks: authenticate, parse, ingest in one transaction, answer in milliseconds.

No outside HTTP call happens here: media, sends and AI replies are outbox rows relayed after commit.
Answers: 200 stored (or ignored), 400 malformed (reason logged, nothing stored), 401/403 wrong secret,
404 unknown inbox, 503 when the database is unreachable (so the provider retries later).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import defer

from assistant.csat.routing import verdict as csat_verdict
from integrations.channels import safe_json
from integrations.channels.base import AuthError, ChannelCredentials, build_credentials
from integrations.channels.credentials import CredentialError
from integrations.channels.events import PayloadError
from integrations.channels.registry import get_adapter
from models.inbox import WEBHOOK_PROVIDER_SLUG, Inbox
from models.ingest import InboxRef, ingest_delivery
from niochat import logging as nlog
from web.requests import error_body
from web.services import services
from web.webhooks.batching import IngestBatcher

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)
CHANNEL_BY_SLUG = {slug: channel for channel, slug in WEBHOOK_PROVIDER_SLUG.items()}
_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class WebhookInbox:
    ref: InboxRef
    credentials: ChannelCredentials | None  # None: stored credentials unusable (`problem` says why)
    active: bool
    problem: str | None = None

    @property
    def creds(self) -> ChannelCredentials:
        """For handlers past `_inbox_or_404`, which refuses an inbox without usable credentials."""
        if self.credentials is None:
            raise RuntimeError(f"inbox {self.ref.id} has no usable credentials")
        return self.credentials


class InboxCache:
    """Inbox lookups by webhook key, kept briefly: a busy number sends hundreds of webhooks a second,
    and each lookup would otherwise decrypt the credentials again. Changes apply within 30 s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, WebhookInbox | None]] = {}

    def get(self, key: str) -> WebhookInbox | None:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = _load_inbox(key)
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (now + _CACHE_SECONDS, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _load_inbox(key: str) -> WebhookInbox | None:
    with services().db.platform_session() as session:
        # The encrypted columns load inside the try below: one that cannot be decrypted is the inbox's
        # problem (a 403 naming it), not the request's.
        secret_columns = (defer(Inbox.credentials), defer(Inbox.webhook_secret))
        inbox = session.scalar(sa.select(Inbox).options(*secret_columns).where(Inbox.webhook_key == key))
        if inbox is None:
            return None
        ref = InboxRef.of(inbox)
        try:
            creds = build_credentials(
                str(inbox.channel_type),
                inbox.credentials,
                webhook_secret=inbox.webhook_secret,
                for_webhook=True,
            )
        except (
            Exception
        ) as exc:  # missing field, undecryptable or non-JSON value: the inbox's, not the request's
            problem = (
                str(exc)
                if isinstance(exc, CredentialError)
                else f"credentials unreadable: {type(exc).__name__}"
            )
            return WebhookInbox(ref=ref, credentials=None, active=inbox.is_active, problem=problem)
        return WebhookInbox(ref=ref, credentials=creds, active=inbox.is_active)


def _inbox_or_404(provider: str, key: str) -> WebhookInbox:
    channel = CHANNEL_BY_SLUG.get(provider)
    if channel is None:
        abort(404)
    found = inbox_cache().get(key)
    if found is None or found.ref.channel_type != channel or not found.active:
        log.info("webhook for unknown inbox (%s)", provider)
        abort(404)
    nlog.bind(tenant_id=found.ref.tenant_id)
    if found.credentials is None:
        # 403, not 500: no request can succeed until an operator fixes the inbox, and Meta keeps
        # redelivering until then (Evolution and Telegram need no stored field to authenticate).
        log.warning("webhook refused, inbox %s credentials unusable: %s", found.ref.id, found.problem)
        abort(
            error_body(
                403,
                "inbox_misconfigured",
                "As credenciais desta caixa de entrada estão incompletas; corrija-as para receber mensagens.",
            )
        )
    return found


def inbox_cache() -> InboxCache:
    return services().shared("inbox_cache", lambda _svc: InboxCache())


def batcher() -> IngestBatcher:
    return services().shared("ingest_batcher", lambda svc: IngestBatcher(svc.db))


MAX_PROVIDER_ID = 255  # messages.provider_message_id


def _check_limits(events: list[Any]) -> None:
    """Ids are our idempotency key and cannot be shortened: one longer than any provider sends is
    malformed."""
    for event in events:
        provider_id = getattr(event, "provider_message_id", None)
        if provider_id is not None and len(provider_id) > MAX_PROVIDER_ID:
            raise PayloadError(f"message id longer than {MAX_PROVIDER_ID} characters")


@bp.get("/<provider>/<key>")
def handshake(provider: str, key: str) -> Response | tuple[Response, int] | tuple[str, int, dict[str, str]]:
    """Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
    found = _inbox_or_404(provider, key)
    adapter = get_adapter(found.ref.channel_type)
    try:
        challenge = adapter.handshake(request.args, found.creds)
    except AuthError as exc:
        log.warning("webhook handshake refused: %s", exc.reason)
        return error_body(exc.status_code, "forbidden", "Token de verificação inválido."), exc.status_code
    if challenge is None:
        abort(405)
    return challenge, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.post("/<provider>/<key>")
def receive(provider: str, key: str) -> tuple[Response, int] | Response:
    found = _inbox_or_404(provider, key)
    adapter = get_adapter(found.ref.channel_type)
    raw = request.get_data(cache=False)
    # Adapters look headers up case-insensitively, as werkzeug's headers do (no copy per delivery).
    headers = cast(Mapping[str, str], request.headers)
    try:
        adapter.verify(headers, raw, request.args, found.creds)
    except AuthError as exc:
        log.warning("webhook refused (%s): %s", provider, exc.reason)
        code = "unauthorized" if exc.status_code == 401 else "forbidden"
        return error_body(
            exc.status_code, code, "Assinatura ou segredo do webhook inválido."
        ), exc.status_code
    try:
        body = safe_json.loads(raw)  # repaired strings, bounded depth: what PostgreSQL can store
        events = adapter.parse(body, headers)
        _check_limits(events)
    except (ValueError, PayloadError) as exc:  # JSONDecodeError is a ValueError
        reason = str(exc)[:300]
        log.warning("webhook rejected as malformed (%s): %s", provider, reason, extra={"reason": reason})
        return error_body(400, "bad_request", "Corpo do webhook inválido.", reason=reason), 400
    if not events:
        return jsonify(ok=True, stored=0, duplicates=0, ignored=True), 200
    svc = services()
    try:
        report = ingest_delivery(svc.db, found.ref, events, store=batcher().store, reader=csat_verdict)
    except (OperationalError, psycopg.OperationalError, TimeoutError) as exc:
        log.error("webhook not stored, database unavailable: %s", getattr(exc, "orig", exc))
        return error_body(503, "unavailable", "Banco de dados indisponível; tente novamente."), 503
    svc.relay.submit(report.outbox_ids)
    return jsonify(ok=True, stored=len(report.created_messages), duplicates=report.duplicates), 200
