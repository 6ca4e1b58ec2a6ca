"""Snooze ("Adiar até…"): set a conversation aside until a time, then back in its queue.

A snoozed conversation keeps its status, assignee and team: only `snoozed_until` changes, so waking it
puts it back exactly where it was (Em espera for its team, or Em atendimento with the same agent) and
the lists, permissions and rooms need no special state. It wakes at `until` (`jobs.snooze.wake`,
scheduled through the outbox, and a sweep in the live worker as a safety net) or as soon as the customer
writes (`ingest_messages`, migration c10c, clears the column in the statement that stores the message).
Like `models.lifecycle`, these functions take a locked row, write an event and an outbox row; the
caller checks permissions.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import outbox_ops as topics
from models.base import utcnow
from models.conversation import Conversation
from models.enums import ConversationStatus, EventKind
from models.lifecycle import SYSTEM, Actor, TransitionError, _changed, _event

SNOOZABLE = (ConversationStatus.PENDING, ConversationStatus.OPEN)  # the human queues; the AI never waits
MIN_AHEAD = timedelta(seconds=1)  # "until" must be in the future (tests snooze for a second or two)
MAX_AHEAD = timedelta(days=366)
EARLY = timedelta(seconds=1)  # a scheduler tick early is on time; later ones are the sweep's


PRESETS = ("one_hour", "tomorrow", "next_week")  # "1 hora", "Amanhã 8h", "Próxima semana"
MORNING = time(8, 0)


def preset_until(preset: str, zone: str, now: datetime | None = None) -> datetime:
    """The end of a preset in the tenant's timezone: "Amanhã 8h" is 8:00 where the agents are, and
    "Próxima semana" next Monday at 8:00 (a week from today if today is Monday)."""
    now = now or utcnow()
    if preset == "one_hour":
        return now + timedelta(hours=1)
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    if preset == "tomorrow":
        day = today + timedelta(days=1)
    elif preset == "next_week":
        day = today + timedelta(days=7 - today.weekday())
    else:
        raise ValueError(preset)
    return _at(day, MORNING, tz)


def local_until(value: datetime, zone: str) -> datetime:
    """A wall-clock time without offset (the custom date/time field) read in the tenant's timezone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone))


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def snooze(session: Session, conv: Conversation, until: datetime, actor: Actor) -> None:
    """Hide the conversation from the active lists until `until` (aware datetime, any zone).
    Snoozing again moves the time; the earlier wake-up job then finds nothing due and does nothing."""
    if conv.status not in SNOOZABLE:
        raise TransitionError("not_snoozable", "Só conversas em espera ou em atendimento podem ser adiadas.")
    if until.tzinfo is None:
        raise TransitionError("invalid_until", "Informe o horário com fuso (ISO 8601).")
    now = utcnow()
    if until < now + MIN_AHEAD:
        raise TransitionError("until_in_past", "Escolha um horário no futuro.")
    if until > now + MAX_AHEAD:
        raise TransitionError("until_too_far", "Adie por no máximo um ano.")
    conv.snoozed_until = until
    data = {"until": until.isoformat()}
    _event(session, conv, EventKind.SNOOZED, actor, from_status=conv.status, to_status=conv.status, data=data)
    _changed(session, conv, "snoozed", snoozed_until=until.isoformat())
    topics.record(
        session, conv.tenant_id, topics.SNOOZE_WAKE, conversation_id=conv.id, until=until.isoformat()
    )


def unsnooze(session: Session, conv: Conversation, actor: Actor, cause: str = "manual") -> None:
    """Back in the active lists now. `cause` (manual, time) goes into the event; a customer's message
    wakes it in SQL with cause `message`."""
    if conv.snoozed_until is None:
        raise TransitionError("not_snoozed", "A conversa não está adiada.")
    until = conv.snoozed_until
    conv.snoozed_until = None
    data = {"cause": cause, "snoozed_until": until.isoformat()}
    _event(
        session, conv, EventKind.UNSNOOZED, actor, from_status=conv.status, to_status=conv.status, data=data
    )
    _changed(session, conv, "unsnoozed")


def wake_if_due(session: Session, conv: Conversation, now: datetime | None = None) -> bool:
    """The timer's half: wake only a snooze that is due. A conversation woken already (by its customer,
    by an agent, by the other of job and sweep) or snoozed again for later is left alone, so the job and
    the sweep can both run, any number of times."""
    if conv.snoozed_until is None or conv.snoozed_until > (now or utcnow()) + EARLY:
        return False
    unsnooze(session, conv, SYSTEM, cause="time")
    return True


def due(session: Session, now: datetime | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """(tenant_id, conversation_id) of snoozes past their time: the sweep's work list (platform session)."""
    rows = session.execute(
        sa.select(Conversation.tenant_id, Conversation.id)
        .where(Conversation.snoozed_until <= (now or utcnow()))
        .order_by(Conversation.snoozed_until)
        .limit(limit)
    )
    return [(tenant_id, conv_id) for tenant_id, conv_id in rows]
