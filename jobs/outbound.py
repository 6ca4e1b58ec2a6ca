"""Sending: the job behind every outgoing message, plus Telegram callback answers, read marks and typing.

`send_message` is safe to run any number of times for one message: it claims the row first (see
`models.delivery`), so a re-run of a sent message does nothing, two workers never send it at once, and a
worker killed mid-call leaves a claim the next run reconciles instead of sending blindly.

When we cannot know whether a send reached the provider (the worker died, or the answer was lost), we
look where the provider lets us (Uazapi by our track_id, Evolution by content; `jobs.sending.find_sent`).
Meta and Telegram offer no lookup, and we prefer a message the agent must check over one the customer
receives twice: it fails with code `maybe_sent` and a reason saying so. On Meta a later status carrying
our id (biz_opaque_callback_data) lifts that failure (`jobs.statuses`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa

from integrations.channels.base import ChannelClient, ProviderError
from integrations.channels.credentials import CredentialError
from integrations.channels.registry import client_for
from jobs import queues
from jobs.context import get_db, get_storage
from jobs.scheduling import backoff, enqueue, relay_now
from jobs.sending import LookupUnsupported, Unsendable, build_outbound, find_sent
from models import delivery
from models.base import utcnow
from models.db import Database
from models.delivery import MAYBE_SENT, Claim, Decision, SendPlan
from models.enums import Direction
from models.inbox import Inbox
from models.message import Message

log = logging.getLogger(__name__)

SEND_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_TRIES = 6  # the first attempt and five retries: 2, 4, 8, 16, 32 s apart (or what the provider asks)
# Refusals a plain text would meet too: no fallback, the message fails with the reason.
NO_FALLBACK = frozenset({"number_not_on_whatsapp", "unauthorized", "instance_not_found", "credentials"})
MAYBE_SENT_REASON = (
    "O envio foi interrompido e o provedor não permite confirmar se a mensagem chegou ao cliente. "
    "Confira a conversa no celular antes de reenviar."
)


def _client(plan: SendPlan) -> ChannelClient:
    return client_for(
        plan.channel_type, plan.credentials, webhook_secret=plan.webhook_secret, timeout=SEND_TIMEOUT
    )


def _later(plan: SendPlan, delay: float, why: str) -> None:
    job_id = f"send-{plan.message_id}-{plan.tries}-{why}"
    enqueue(
        queues.OUTBOUND,
        "jobs.outbound.send_message",
        plan.tenant_id,
        plan.message_id,
        delay=delay,
        job_id=job_id,
    )


# What lets the conversation's next message go: this one is settled (sent, failed for good, or was).
_LINE_MOVES = {"sent", "failed", "skip"}


def send_message(tenant_id: int, message_id: int) -> str:
    """Send one pending message, then the messages of its conversation that waited behind it, in order
    (their own jobs found them `behind`). Returns what happened to the first (for logs and tests)."""
    db = get_db()
    outcome = _send_one(db, tenant_id, message_id)
    current, moved = message_id, outcome in _LINE_MOVES
    while moved:
        with db.tenant_session(tenant_id) as session:
            following = delivery.next_in_line(session, current)
        if following is None:
            break
        current = following
        moved = _send_one(db, tenant_id, current) in _LINE_MOVES
    return outcome


def _send_one(db: Database, tenant_id: int, message_id: int) -> str:
    with db.tenant_session(tenant_id) as session:
        claim = delivery.claim(session, message_id)
    return _dispatch(db, tenant_id, message_id, claim)


def _dispatch(db: Database, tenant_id: int, message_id: int, claim: Claim) -> str:
    relay_now(claim.outbox_ids)
    if claim.decision == Decision.BUSY:
        job_id = f"send-{message_id}-busy-{int(claim.retry_in)}"
        enqueue(
            queues.OUTBOUND,
            "jobs.outbound.send_message",
            tenant_id,
            message_id,
            delay=claim.retry_in + 1,
            job_id=job_id,
        )
        return "busy"
    if claim.plan is None:
        return str(claim.decision)
    if claim.decision == Decision.RECONCILE:
        return _reconcile(db, claim.plan)
    return _send(db, claim.plan)


def _send(db: Database, plan: SendPlan) -> str:
    try:
        outbound = build_outbound(plan, get_storage())
    except Unsendable as exc:
        return _fail(db, plan, "unsendable", str(exc))
    try:
        client = _client(plan)
    except CredentialError as exc:  # no retry fixes an inbox's settings: say which field, at once
        return _fail(db, plan, "credentials", f"{exc.message_pt} Corrija a caixa de entrada e reenvie.")
    try:
        result = client.send(outbound)
    except ProviderError as exc:
        return _provider_error(db, plan, exc)
    finally:
        client.close()
    with db.tenant_session(plan.tenant_id) as session:
        outbox_ids = delivery.record_sent(session, plan.message_id, result.provider_message_id)
    relay_now(outbox_ids)
    return "sent"


def _provider_error(db: Database, plan: SendPlan, exc: ProviderError) -> str:
    log.info("send of message %s failed (try %s): %r", plan.message_id, plan.tries, exc)
    if exc.maybe_sent:
        with db.tenant_session(plan.tenant_id) as session:
            delivery.release_uncertain(session, plan.message_id, plan.token, code=exc.code, reason=exc.reason)
        _later(plan, backoff(plan.tries, exc.retry_after), "check")
        return "uncertain"
    if not exc.retryable and plan.payload.get("fallback_text") and exc.code not in NO_FALLBACK:
        with db.tenant_session(plan.tenant_id) as session:
            fell_back = delivery.fall_back_to_text(
                session, plan.message_id, plan.token, code=exc.code, reason=exc.reason
            )
        if fell_back:  # the list or buttons were refused: the plain text goes out now
            return _send_one(db, plan.tenant_id, plan.message_id)
    if exc.retryable and plan.tries < MAX_TRIES:
        delay = backoff(plan.tries, exc.retry_after)
        with db.tenant_session(plan.tenant_id) as session:
            kept = delivery.record_retry(
                session, plan.message_id, plan.token, code=exc.code, reason=exc.reason, delay=delay
            )
        if kept:
            _later(plan, delay, "retry")
        return "retry"
    reason = exc.reason if not exc.retryable else f"{exc.reason} (após {plan.tries} tentativas)"
    return _fail(db, plan, exc.code, reason, retryable=exc.retryable)


def _fail(db: Database, plan: SendPlan, code: str | None, reason: str, *, retryable: bool = False) -> str:
    """`retryable`: the provider was unreachable, slow or busy, so the agent may try again later."""
    with db.tenant_session(plan.tenant_id) as session:
        outbox_ids = delivery.record_failed(
            session, plan.message_id, code=code, reason=reason, retryable=retryable
        )
    relay_now(outbox_ids)
    return "failed"


def _reconcile(db: Database, plan: SendPlan) -> str:
    """An earlier attempt may have reached the provider: look before sending again."""

    def known(ids: Iterable[str]) -> set[str]:
        with db.tenant_session(plan.tenant_id) as session:
            rows = session.scalars(
                sa.select(Message.provider_message_id).where(
                    Message.inbox_id == plan.inbox_id, Message.provider_message_id.in_(list(ids))
                )
            )
            return {r for r in rows if r}

    client = _client(plan)
    try:
        found = find_sent(client, plan, known)
    except LookupUnsupported:
        return _fail(db, plan, MAYBE_SENT, MAYBE_SENT_REASON)
    except ProviderError as exc:
        if exc.retryable and plan.tries < MAX_TRIES:
            _later(plan, backoff(plan.tries, exc.retry_after), "check")
            return "uncertain"
        return _fail(db, plan, MAYBE_SENT, f"{MAYBE_SENT_REASON} ({exc.reason})")
    finally:
        client.close()
    if found is not None:
        log.info("message %s was already at the provider as %s", plan.message_id, found)
        with db.tenant_session(plan.tenant_id) as session:
            outbox_ids = delivery.record_sent(session, plan.message_id, found)
        relay_now(outbox_ids)
        return "sent"
    if plan.tries >= MAX_TRIES:
        # The provider says it does not have the message: sending again later cannot double it.
        return _fail(
            db, plan, "gave_up", f"Não foi possível enviar após {plan.tries} tentativas.", retryable=True
        )
    with db.tenant_session(plan.tenant_id) as session:
        claim = delivery.claim(session, plan.message_id, replace_token=plan.token)
    return _dispatch(db, plan.tenant_id, plan.message_id, claim)


def requeue_stalled(*, older_than: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Re-enqueue pending messages nobody is working on: a claim past its TTL (the worker died mid-send)
    or no job at all (Redis lost it). Idempotent sends make a spare job harmless. Returns how many."""
    now = utcnow()
    with get_db().platform_session() as session:
        rows = session.execute(
            sa.select(Message.id, Message.tenant_id, Message.raw, Message.created_at)
            .where(
                Message.direction == Direction.OUTBOUND,
                Message.status == "pending",
                Message.is_private.is_(False),
            )
            .order_by(Message.created_at)
            .limit(limit)
        ).all()
    count = 0
    for message_id, tenant_id, raw, created_at in rows:
        if _stalled(raw or {}, created_at, now, older_than):
            bucket = int(now.timestamp() // 60)
            enqueue(
                queues.OUTBOUND,
                "jobs.outbound.send_message",
                tenant_id,
                message_id,
                job_id=f"send-{message_id}-stalled-{bucket}",
            )
            count += 1
    return count


def watch_stalled(stop: threading.Event, interval: float = 30.0) -> None:
    """The live worker's watch: every `interval` s, requeue stalled sends until `stop` is set."""
    while not stop.wait(interval):
        try:
            requeue_stalled()
        except Exception as exc:  # the database may be briefly away; the next round retries
            log.warning("stalled-send check failed: %s", exc)


def _stalled(raw: dict[str, object], created_at: datetime, now: datetime, older_than: timedelta) -> bool:
    marker = raw.get("sending")
    if isinstance(marker, dict):
        return (
            bool(marker.get("released"))
            or now - datetime.fromisoformat(str(marker["at"])) >= delivery.CLAIM_TTL
        )
    due = raw.get("next_attempt_at")
    since = datetime.fromisoformat(str(due)) if due else created_at
    return now - since >= older_than


# --- Telegram button answers (read marks and typing live in jobs.presence) -----------------------------


def inbox_client(tenant_id: int, inbox_id: int) -> ChannelClient | None:
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id)
        if inbox is None or not inbox.is_active:
            return None
        return client_for(
            str(inbox.channel_type),
            inbox.credentials,
            webhook_secret=inbox.webhook_secret,
            timeout=SEND_TIMEOUT,
        )


def answer_callback(tenant_id: int, inbox_id: int, callback_query_id: str) -> bool:
    """Stop the spinner on a Telegram button. Telegram forgets unanswered queries in seconds, so a
    retry later would be useless: one attempt, logged on failure."""
    client = inbox_client(tenant_id, inbox_id)
    if client is None or not hasattr(client, "answer_callback"):
        return False
    try:
        client.answer_callback(callback_query_id)
        return True
    except ProviderError as exc:
        log.warning("answerCallbackQuery failed for inbox %s: %s", inbox_id, exc.reason)
        return False
    finally:
        client.close()
