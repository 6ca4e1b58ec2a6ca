"""A customer's answer to a CSAT survey: routed at ingestion, stored on the closed conversation, acted on.

Routing: `ingest_messages` hands back (`csat_pending`, unstored) a message from a contact whose survey is
waiting; the caller reads it (a `ReplyReader`, from `assistant.csat` in the web process) and stores it
again with the verdict: a rating (or the comment asked after a low one) joins the closed conversation,
anything else opens a new one. `models` cannot import the reader (it sits above), so callers pass it;
without one, only a tapped option counts (`tapped_only`).

After storing, `jobs.csat_capture` calls `capture`: the response, the `csat_answered` event, the tenant's
thank-you (and at or below 3 the question "Quer contar o que podemos melhorar?", whose reply within
`COMMENT_WINDOW` becomes the comment), the alert for supervisors at or below the tenant's threshold
(event `csat_alert`, live `csat.alert`, reopening when `reopen_on_bad`), and recovery: a later rating
above the threshold marks the contact's earlier alerts recovered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models import outbox_ops as topics
from models.base import Base, TenantScoped, TimestampMixin, utcnow
from models.contact import Contact
from models.conversation import Conversation
from models.csat import CsatResponse, CsatSettings, CsatSurvey
from models.enums import (
    ActorKind,
    ContentType,
    CsatStatus,
    DeliveryStatus,
    Direction,
    EventKind,
    SenderKind,
)
from models.event import ConversationEvent
from models.lifecycle import SYSTEM, TransitionError, lock, reopen
from models.message import Message


class CsatCapture(TenantScoped, TimestampMixin, Base):
    """What followed one survey's answer: the comment window, the alert, its recovery."""

    __tablename__ = "csat_captures"

    survey_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("csat_surveys.id", ondelete="CASCADE"), primary_key=True
    )
    comment_until: Mapped[datetime | None]  # the reply before this is the comment (ingest_messages reads it)
    alerted_at: Mapped[datetime | None]
    alert_score: Mapped[int | None]
    reopened: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recovered_at: Mapped[datetime | None]  # a later rating of the contact above the threshold
    recovered_by_survey_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("csat_surveys.id", ondelete="SET NULL")
    )


WAITING = (CsatStatus.SENT.value, "delivered", "read")  # a survey out, not answered yet
COMMENT_WINDOW = timedelta(minutes=5)
COMMENT_AT_OR_BELOW = 3
COMMENT_QUESTION = "Quer contar o que podemos melhorar?"
GRACE = timedelta(seconds=30)  # a comment stored a moment after its window (the job's own delay)
PENDING = "csat_pending"  # the outcome of `ingest_messages` for a message it needs the verdict of

# --- routing at ingestion -------------------------------------------------------------------------------

Verdict = dict[str, bool]  # {"answer": a rating, "comment": may be the comment after a low rating}
ReplyReader = Callable[[dict[str, Any]], Verdict]
_TAPPED = re.compile(r"^csat[:_][1-5]$")


def tapped_only(row: dict[str, Any]) -> Verdict:
    """The reader when the caller has none: only a tapped survey option is a rating."""
    reply_id = (row.get("payload") or {}).get("reply_id")
    return {"answer": bool(reply_id and _TAPPED.match(str(reply_id))), "comment": False}


def settle_pending(
    batch: list[dict[str, Any]],
    results: Sequence[Any],
    store: Callable[[list[dict[str, Any]]], Sequence[Any]],
    reader: ReplyReader | None,
) -> list[Any]:
    """Results of `ingest_messages` with every `csat_pending` message stored again with its verdict, in
    order. Only these messages cost a second statement; the rest of the batch is already stored."""
    pending = [i for i, result in enumerate(results) if result[2] == PENDING]
    if not pending:  # the usual delivery: nothing to copy
        return results if isinstance(results, list) else list(results)
    read = reader or tapped_only
    again = store([{**batch[i], "csat": read(batch[i])} for i in pending])
    settled = list(results)
    for i, result in zip(pending, again, strict=True):
        settled[i] = result
    return settled


# --- after storing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """The interpretation of the reply (`assistant.csat`), as plain values."""

    is_answer: bool
    score: int | None = None
    interpreted_by: str | None = None
    sentiment: str | None = None
    themes: tuple[str, ...] = field(default=())


@dataclass
class Captured:
    kind: str  # rating | comment | ignored
    score: int | None = None
    alerted: bool = False
    survey_id: int | None = None


def settings_of(session: Session, tenant_id: int) -> CsatSettings:
    """The tenant's CSAT settings, or the defaults (unsaved)."""
    found = session.scalar(sa.select(CsatSettings))
    return found if found is not None else CsatSettings(tenant_id=tenant_id)


def capture(session: Session, message: Message, reading: Reading, now: datetime | None = None) -> Captured:
    """Store what an inbound message on a closed conversation says about its survey (idempotent: a
    message already captured, or a survey answered and past its comment window, changes nothing)."""
    now = now or utcnow()
    conv = lock(session, message.conversation_id)
    survey = session.scalar(
        sa.select(CsatSurvey).where(CsatSurvey.conversation_id == conv.id).with_for_update()
    )
    if survey is None:
        return Captured("ignored")
    response = session.scalar(sa.select(CsatResponse).where(CsatResponse.survey_id == survey.id))
    if response is not None and response.message_id == message.id:
        return Captured("ignored", survey_id=survey.id)
    if str(survey.status) in WAITING and response is None:
        if not reading.is_answer or reading.score is None:
            return Captured("ignored", survey_id=survey.id)
        return _rating(session, conv, survey, message, reading, now)
    follow = session.get(CsatCapture, survey.id)
    awaited = follow.comment_until if follow is not None else None
    if awaited and response and follow and response.comment is None and message.created_at <= awaited + GRACE:
        _comment(response, follow, message, reading)
        _conversation_changed(session, conv)
        return Captured("comment", response.score, survey_id=survey.id)
    return Captured("ignored", survey_id=survey.id)


def _rating(
    session: Session,
    conv: Conversation,
    survey: CsatSurvey,
    message: Message,
    reading: Reading,
    now: datetime,
) -> Captured:
    score = int(reading.score or 0)
    settings = settings_of(session, conv.tenant_id)
    session.add(
        CsatResponse(
            tenant_id=conv.tenant_id,
            survey_id=survey.id,
            score=score,
            raw_text=message.text,
            interpreted_by=reading.interpreted_by,
            sentiment=reading.sentiment,
            themes=list(reading.themes),
            message_id=message.id,
        )
    )
    survey.status = CsatStatus.ANSWERED
    survey.answered_at = now
    follow = session.get(CsatCapture, survey.id) or CsatCapture(tenant_id=conv.tenant_id, survey_id=survey.id)
    session.add(follow)
    by = reading.interpreted_by
    _event(session, conv, EventKind.CSAT_ANSWERED, ActorKind.CONTACT,
           survey_id=survey.id, score=score, interpreted_by=by, message_id=message.id)  # fmt: skip
    text = settings.thanks_message
    if score <= COMMENT_AT_OR_BELOW:
        text = f"{text}\n\n{COMMENT_QUESTION}"
        follow.comment_until = now + COMMENT_WINDOW
    say(session, conv, text, f"csat:{survey.id}:thanks")
    alerted = score <= settings.alert_threshold
    if alerted:
        _alert(session, conv, survey, follow, score, settings, now)
    else:
        _recover(session, survey, now)
    session.flush()
    _conversation_changed(session, conv)
    return Captured("rating", score, alerted, survey.id)


def _comment(response: CsatResponse, follow: CsatCapture, message: Message, reading: Reading) -> None:
    response.comment = (message.text or "").strip() or None
    response.themes = sorted({*response.themes, *reading.themes})
    if reading.sentiment:
        response.sentiment = reading.sentiment
    follow.comment_until = None  # one comment: the next message is a conversation again


def _alert(
    session: Session,
    conv: Conversation,
    survey: CsatSurvey,
    follow: CsatCapture,
    score: int,
    settings: CsatSettings,
    now: datetime,
) -> None:
    """Supervisors and admins see it live; the conversation's history says so; maybe it reopens."""
    follow.alerted_at = now
    follow.alert_score = score
    _event(session, conv, EventKind.CSAT_ALERT, ActorKind.SYSTEM, survey_id=survey.id, score=score)
    if settings.reopen_on_bad:
        try:
            reopen(session, conv, SYSTEM, reason=f"Avaliação {score} de 5 na pesquisa de satisfação")
            follow.reopened = True
        except TransitionError:  # the contact already has another conversation open
            follow.reopened = False
    contact_name = session.scalar(sa.select(Contact.name).where(Contact.id == conv.contact_id))
    topics.record(
        session,
        conv.tenant_id,
        topics.CSAT_ALERT,
        conversation_id=conv.id,
        contact_id=conv.contact_id,
        contact_name=contact_name,
        survey_id=survey.id,
        score=score,
        reopened=follow.reopened,
    )


def _recover(session: Session, survey: CsatSurvey, now: datetime) -> None:
    """A good rating answers the contact's earlier alerts: they are marked recovered by this survey."""
    earlier = session.scalars(
        sa.select(CsatCapture)
        .join(CsatSurvey, CsatSurvey.id == CsatCapture.survey_id)
        .where(
            CsatSurvey.contact_id == survey.contact_id,
            CsatSurvey.id != survey.id,
            CsatCapture.alerted_at.is_not(None),
            CsatCapture.recovered_at.is_(None),
        )
    )
    for follow in earlier:
        follow.recovered_at = now
        follow.recovered_by_survey_id = survey.id


def say(session: Session, conv: Conversation, text: str, key: str) -> int | None:
    """A system message to the customer on the (closed) conversation, sent by the outbound job; `key`
    makes it once only. `models.outbound.compose` refuses closed conversations, rightly for agents."""
    message_id = session.scalar(
        pg_insert(Message)
        .values(
            tenant_id=conv.tenant_id,
            conversation_id=conv.id,
            inbox_id=conv.inbox_id,
            direction=Direction.OUTBOUND,
            sender_kind=SenderKind.SYSTEM,
            content_type=ContentType.TEXT,
            text=text,
            payload={},
            client_key=key,
            status=DeliveryStatus.PENDING,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["conversation_id", "client_key"])
        .returning(Message.id)
    )
    if message_id is None:
        return None
    topics.record(session, conv.tenant_id, topics.MESSAGE_SEND, message_id=message_id)
    topics.record(
        session,
        conv.tenant_id,
        topics.MESSAGE_CREATED,
        message_id=message_id,
        conversation_id=conv.id,
        direction=str(Direction.OUTBOUND),
        status=str(conv.status),
        notify=True,
    )
    return int(message_id)


def _event(session: Session, conv: Conversation, kind: EventKind, actor: ActorKind, **data: Any) -> None:
    session.add(
        ConversationEvent(
            tenant_id=conv.tenant_id, conversation_id=conv.id, kind=kind, actor_kind=actor, data=data
        )
    )


def _conversation_changed(session: Session, conv: Conversation) -> None:
    """Screens showing the conversation reload its rating."""
    topics.record(
        session,
        conv.tenant_id,
        topics.CONVERSATION_UPDATED,
        conversation_id=conv.id,
        change="csat",
        status=str(conv.status),
        assignee_id=conv.assignee_id,
        team_id=conv.team_id,
    )


CSAT_FILTERS = ("answered", "low", "waiting")  # the inbox list's "CSAT" filter


def csat_clause(value: str) -> sa.ColumnElement[bool]:
    """Conversations whose survey was answered, answered at or below the alert threshold (alerted), or
    is still waiting for the customer: a WHERE clause on `Conversation` for `models.conversation_list`."""
    survey = sa.select(CsatSurvey.id).where(CsatSurvey.conversation_id == Conversation.id)
    if value == "waiting":
        # As text: the sending side may add statuses (delivered, read) this enum does not know yet.
        return survey.where(sa.type_coerce(CsatSurvey.status, sa.String).in_(WAITING)).exists()
    if value == "low":
        return (
            survey.join(CsatCapture, CsatCapture.survey_id == CsatSurvey.id)
            .where(CsatCapture.alerted_at.is_not(None))
            .exists()
        )
    return survey.where(CsatSurvey.status == CsatStatus.ANSWERED).exists()


def rating_of(session: Session, conversation_id: int) -> dict[str, Any] | None:
    """The conversation's survey as screens show it: status, score, comment, themes, alert."""
    row = session.execute(
        sa.select(CsatSurvey, CsatResponse, CsatCapture)
        .outerjoin(CsatResponse, CsatResponse.survey_id == CsatSurvey.id)
        .outerjoin(CsatCapture, CsatCapture.survey_id == CsatSurvey.id)
        .where(CsatSurvey.conversation_id == conversation_id)
    ).first()
    if row is None:
        return None
    survey, response, follow = row
    return {
        "status": str(survey.status),
        "score": response.score if response else None,
        "comment": response.comment if response else None,
        "sentiment": response.sentiment if response else None,
        "themes": list(response.themes) if response else [],
        "interpreted_by": response.interpreted_by if response else None,
        "answered_at": survey.answered_at.isoformat() if survey.answered_at else None,
        "alerted": bool(follow and follow.alerted_at),
        "recovered": bool(follow and follow.recovered_at),
    }


__all__ = [
    "COMMENT_QUESTION",
    "Captured",
    "CsatCapture",
    "Reading",
    "ReplyReader",
    "capture",
    "rating_of",
    "say",
    "settle_pending",
    "tapped_only",
]
