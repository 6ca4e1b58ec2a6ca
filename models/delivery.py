"""Outbound delivery bookkeeping: the database side of sending one message (the HTTP side is
`jobs/outbound.py`).

A send is *claimed* before the HTTP call: a marker `{token, at, attempt}` in `Message.raw["sending"]`,
committed. A worker killed mid-call therefore leaves evidence, and the next run does not send blindly: a
claim younger than `CLAIM_TTL` means someone is sending right now (wait), an older one (or one released
as uncertain after a lost answer) means "maybe sent" and the job reconciles with the provider first.

Statuses only move forward from pending. The ways back are explicit: `replay_failed` (an operator decides
to send again) and `adopt_provider_id` (the provider proves a "maybe sent" message was sent).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import outbox_ops as topics
from models.base import utcnow
from models.contact import Contact
from models.conversation import Conversation
from models.enums import ChannelType, ContentType, DeliveryStatus, Direction
from models.inbox import Inbox
from models.message import Message
from models.outbound import window_open

CLAIM_TTL = timedelta(seconds=60)  # longer than any single provider call (5 s connect + 15 s read)
# An earlier message of the conversation still pending holds back the next one for at most this long,
# so that a message stuck by a bug never silences a conversation.
IN_LINE_FOR = timedelta(minutes=5)
MAYBE_SENT = "maybe_sent"
WINDOW_CLOSED = "window_closed"
WINDOW_REASON = (
    "Fora da janela de 24 horas do WhatsApp: o cliente não escreve há mais de 24 horas. "
    "Envie um modelo de mensagem (template) aprovado."
)


class Decision(StrEnum):
    SEND = "send"  # claimed: make the HTTP call
    RECONCILE = "reconcile"  # an earlier attempt may have reached the provider: look before sending
    BUSY = "busy"  # another worker holds a fresh claim
    SKIP = "skip"  # nothing to do (already sent, failed, not an outbound message)
    BEHIND = "behind"  # an earlier message of the conversation is on its way; its job sends this one next
    FAILED = "failed"  # refused before any call (window closed, no address, inbox disabled)


@dataclass(frozen=True)
class SendPlan:
    """Everything the job needs from the database, read under the row lock."""

    message_id: int
    tenant_id: int
    inbox_id: int
    conversation_id: int
    channel_type: str
    credentials: dict[str, Any] = field(repr=False)
    webhook_secret: str = field(repr=False)
    content_type: str
    text: str | None
    payload: dict[str, Any]
    media_sha256: str | None
    media_mime: str | None
    media_filename: str | None
    media_meta: dict[str, Any]
    reply_to_provider_id: str | None
    address: str | None
    token: str
    claimed_at: datetime
    tries: int


@dataclass(frozen=True)
class Claim:
    decision: Decision
    plan: SendPlan | None = None
    retry_in: float = 0.0
    outbox_ids: list[int] = field(default_factory=list)


def address_for(channel_type: str, contact: Contact) -> str | None:
    """What each adapter expects in `to`: WhatsApp digits (wa_id as WhatsApp last reported it, which may
    lack the 9th digit) or the Telegram chat id."""
    if channel_type == ChannelType.TELEGRAM:
        return str(contact.telegram_chat_id) if contact.telegram_chat_id is not None else None
    if contact.wa_id:
        return contact.wa_id
    return contact.phone_e164.lstrip("+") if contact.phone_e164 else None


def _locked(session: Session, message_id: int) -> Message | None:
    return session.scalar(sa.select(Message).where(Message.id == message_id).with_for_update(of=Message))


def _line(conversation_id: int, now: datetime) -> sa.Select[int]:
    """A conversation's messages still to go out, oldest first: the customer must read them in the order
    they were written (the bill before "Posso ajudar em mais alguma coisa?"), whichever worker sends."""
    return (
        sa.select(Message.id)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.OUTBOUND,
            Message.status == DeliveryStatus.PENDING,
            Message.is_private.is_(False),
            Message.created_at > now - IN_LINE_FOR,
        )
        .order_by(Message.id)
    )


def _earlier_in_line(session: Session, msg: Message, now: datetime) -> bool:
    return session.scalar(_line(msg.conversation_id, now).where(Message.id < msg.id).limit(1)) is not None


def next_in_line(session: Session, message_id: int, *, now: datetime | None = None) -> int | None:
    """After `message_id` went out (or failed for good), the conversation's next message that waited for
    it, if no job has claimed it yet. Its own job found it `BEHIND` and left it to this one."""
    conversation_id = session.scalar(sa.select(Message.conversation_id).where(Message.id == message_id))
    if conversation_id is None:
        return None
    after = _line(conversation_id, now or utcnow()).where(Message.id > message_id)
    rows = session.execute(after.add_columns(Message.raw).limit(1)).all()
    if not rows or (rows[0].raw or {}).get("sending"):
        return None
    return int(rows[0].id)


def _claim_time(marker: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(marker["at"]))


def claim(
    session: Session, message_id: int, *, replace_token: str | None = None, now: datetime | None = None
) -> Claim:
    """Decide, under the row lock, what the job may do. `replace_token` names a stale claim the caller
    has reconciled (the provider does not have the message): it may be replaced by a fresh one."""
    now = now or utcnow()
    msg = _locked(session, message_id)
    if msg is None or msg.direction != Direction.OUTBOUND or msg.is_private:
        return Claim(Decision.SKIP)
    if msg.status != DeliveryStatus.PENDING:
        return Claim(Decision.SKIP)
    if not (msg.raw or {}).get("sending") and _earlier_in_line(session, msg, now):
        return Claim(Decision.BEHIND)
    conv = session.get(Conversation, msg.conversation_id)
    inbox = session.get(Inbox, msg.inbox_id)
    if conv is None or inbox is None:
        return Claim(Decision.SKIP)
    raw = dict(msg.raw or {})
    marker = raw.get("sending")
    if marker and marker.get("token") != replace_token:
        age = now - _claim_time(marker)
        if not marker.get("released") and age < CLAIM_TTL:
            return Claim(Decision.BUSY, retry_in=(CLAIM_TTL - age).total_seconds())
        plan = _plan(msg, conv, inbox, str(marker["token"]), _claim_time(marker), int(raw.get("tries", 0)))
        return Claim(Decision.RECONCILE, plan)
    channel = str(inbox.channel_type)
    refusal = _refusal(msg, conv, inbox, channel)
    if refusal is not None:
        code, reason = refusal
        return Claim(Decision.FAILED, outbox_ids=_fail(session, msg, code, reason, now))
    tries = int(raw.get("tries", 0)) + 1
    token = uuid.uuid4().hex
    raw["sending"] = {"token": token, "at": now.isoformat(), "attempt": tries}
    raw["tries"] = tries
    msg.raw = raw
    msg.send_attempts += 1
    return Claim(Decision.SEND, _plan(msg, conv, inbox, token, now, tries))


def _refusal(msg: Message, conv: Conversation, inbox: Inbox, channel: str) -> tuple[str, str] | None:
    """Checks repeated at send time: minutes or hours may have passed since the message was composed."""
    if not inbox.is_active:
        return "inbox_inactive", "Caixa de entrada desativada: a mensagem não foi enviada."
    if msg.content_type != ContentType.TEMPLATE and not window_open(conv, channel):
        return WINDOW_CLOSED, WINDOW_REASON
    if address_for(channel, conv.contact) is None:
        return "no_address", "O contato não tem número de WhatsApp ou chat do Telegram para envio."
    return None


def _plan(
    msg: Message, conv: Conversation, inbox: Inbox, token: str, claimed_at: datetime, tries: int
) -> SendPlan:
    channel = str(inbox.channel_type)
    return SendPlan(
        message_id=msg.id,
        tenant_id=msg.tenant_id,
        inbox_id=msg.inbox_id,
        conversation_id=msg.conversation_id,
        channel_type=channel,
        credentials=dict(inbox.credentials or {}),
        webhook_secret=inbox.webhook_secret,
        content_type=str(msg.content_type),
        text=msg.text,
        payload=dict(msg.payload or {}),
        media_sha256=msg.media_sha256,
        media_mime=msg.media_mime,
        media_filename=msg.media_filename,
        media_meta=dict(msg.media_meta or {}),
        reply_to_provider_id=msg.reply_to_provider_id,
        address=address_for(channel, conv.contact),
        token=token,
        claimed_at=claimed_at,
        tries=tries,
    )


def _status_row(session: Session, msg: Message, status: DeliveryStatus) -> list[int]:
    row = topics.record(
        session,
        msg.tenant_id,
        topics.MESSAGE_STATUS,
        message_id=msg.id,
        conversation_id=msg.conversation_id,
        status=str(status),
    )
    session.flush()
    return [row.id]


def record_sent(
    session: Session, message_id: int, provider_id: str, *, now: datetime | None = None
) -> list[int]:
    """The provider accepted it. Also lifts a "maybe sent" failure: now we know. Returns outbox ids."""
    now = now or utcnow()
    msg = _locked(session, message_id)
    if msg is None:
        return []
    maybe = msg.status == DeliveryStatus.FAILED and msg.error_code == MAYBE_SENT
    if msg.status != DeliveryStatus.PENDING and not maybe:
        return []
    # Our own send may already be stored under this id (history recovery imported the echo while the
    # answer was lost): one message, ours.
    session.execute(
        sa.delete(Message)
        .where(
            Message.inbox_id == msg.inbox_id,
            Message.provider_message_id == provider_id,
            Message.id != msg.id,
            Message.direction == Direction.OUTBOUND,
        )
        .execution_options(synchronize_session=False)
    )
    raw = dict(msg.raw or {})
    raw.pop("sending", None)
    raw.pop("next_attempt_at", None)
    msg.raw = raw
    msg.provider_message_id = provider_id
    msg.status = DeliveryStatus.SENT
    msg.sent_at = msg.sent_at or now
    msg.error_code = msg.error_text = None
    msg.error_retryable = False
    msg.failed_at = None
    return _status_row(session, msg, DeliveryStatus.SENT)


def record_retry(
    session: Session, message_id: int, token: str, *, code: str | None, reason: str, delay: float
) -> bool:
    """The attempt failed and will be tried again in `delay` s; False when our claim is gone."""
    msg = _locked(session, message_id)
    if msg is None or msg.status != DeliveryStatus.PENDING:
        return False
    raw = dict(msg.raw or {})
    if (raw.get("sending") or {}).get("token") != token:
        return False
    now = utcnow()
    raw.pop("sending")
    raw["last_error"] = {"code": code, "reason": reason, "at": now.isoformat()}
    raw["next_attempt_at"] = (now + timedelta(seconds=delay)).isoformat()
    msg.raw = raw
    return True


def release_uncertain(
    session: Session, message_id: int, token: str, *, code: str | None, reason: str
) -> None:
    """The request left and the answer was lost: keep the claim (the message may be at the provider) but
    mark it released, so the next run reconciles at once instead of waiting for CLAIM_TTL."""
    msg = _locked(session, message_id)
    if msg is None or msg.status != DeliveryStatus.PENDING:
        return
    raw = dict(msg.raw or {})
    marker = dict(raw.get("sending") or {})
    if marker.get("token") != token:
        return
    marker["released"] = True
    raw["sending"] = marker
    raw["last_error"] = {"code": code, "reason": reason, "at": utcnow().isoformat()}
    msg.raw = raw


def record_failed(
    session: Session,
    message_id: int,
    *,
    code: str | None,
    reason: str,
    retryable: bool = False,
    now: datetime | None = None,
) -> list[int]:
    """Terminal: the agent sees `reason`. Only a pending message fails; returns outbox ids.
    `retryable` says a later try may succeed (the provider was down, slow or rate-limiting), so the
    inbox offers to send it again; a refusal (closed window, invalid number, bad credentials) is not."""
    msg = _locked(session, message_id)
    if msg is None or msg.status != DeliveryStatus.PENDING:
        return []
    return _fail(session, msg, code, reason, now or utcnow(), retryable=retryable)


def _fail(
    session: Session, msg: Message, code: str | None, reason: str, now: datetime, *, retryable: bool = False
) -> list[int]:
    raw = dict(msg.raw or {})
    raw.pop("sending", None)
    raw.pop("next_attempt_at", None)
    msg.raw = raw
    msg.status = DeliveryStatus.FAILED
    msg.error_code = code
    msg.error_text = reason
    msg.error_retryable = retryable
    msg.failed_at = now
    return _status_row(session, msg, DeliveryStatus.FAILED)


def fall_back_to_text(
    session: Session, message_id: int, token: str, *, code: str | None, reason: str
) -> bool:
    """The provider refused an interactive message that carries a `fallback_text` (the CSAT survey's
    emoji line): it becomes that text, still pending, to be sent again at once. False when our claim is
    gone or there is no fallback. What was refused stays in the payload (`fallback_from`)."""
    msg = _locked(session, message_id)
    if msg is None or msg.status != DeliveryStatus.PENDING or msg.content_type != ContentType.INTERACTIVE:
        return False
    raw = dict(msg.raw or {})
    payload = dict(msg.payload or {})
    fallback = payload.pop("fallback_text", None)
    if (raw.get("sending") or {}).get("token") != token or not fallback:
        return False
    for key in ("sections", "buttons", "list_button", "header", "footer"):
        payload.pop(key, None)
    payload["fallback_from"] = {"content_type": str(msg.content_type), "code": code, "reason": reason}
    raw.pop("sending")
    msg.raw = raw
    msg.payload = payload
    msg.content_type = ContentType.TEXT
    msg.text = str(fallback)
    return True


def adopt_provider_id(session: Session, inbox_id: int, client_message_id: str, provider_id: str) -> list[int]:
    """A status echoing our message id (Meta's biz_opaque_callback_data) for a message whose send answer
    was lost: the provider has it. Store its id so this and later statuses apply. Returns outbox ids."""
    try:
        message_id = int(client_message_id)
    except ValueError:
        return []
    msg = _locked(session, message_id)
    if msg is None or msg.inbox_id != inbox_id or msg.provider_message_id is not None:
        return []
    return record_sent(session, message_id, provider_id)
