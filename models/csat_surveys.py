"""A CSAT survey's life on the sending side: scheduled at a close, cancelled or skipped with a reason,
turned into a survey message at its time, followed by its message's delivery status, expired.

`schedule_on_close` and `cancel_on_reopen` run inside the lifecycle's transitions (`models.lifecycle`),
so a survey is scheduled or cancelled in the same transaction as the close or reopen. The survey's job
(`jobs.csat.send_survey`) calls `prepare_send` at its time: every rule is checked again there (minutes
may have passed), the survey message is stored as an outgoing message of the closed conversation, and
the ordinary outbound job sends it. From then on a trigger on `messages` (migration c12s) moves the
survey with its message: sent, delivered, read, failed. Capture (`open_survey`, `mark_answered`) and the
expiry sweep (`expire_due`) close it. Statuses and reasons are listed in docs/csat.md.
"""

from __future__ import annotations

import re
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
from models.csat import CsatResponse, CsatSettings, CsatSurvey
from models.enums import (
    ActorKind,
    ChannelType,
    CloseKind,
    ContentType,
    ConversationStatus,
    CsatStatus,
    DeliveryStatus,
    Direction,
    SenderKind,
)
from models.inbox import Inbox
from models.message import Message
from models.template_sync import approved_template, known_templates
from models.tenant import Tenant


class Reason(StrEnum):
    """Why a survey was skipped, cancelled or failed (`CsatSurvey.reason`)."""

    OPTED_OUT = "opted_out"  # the contact asked for no surveys (`Contact.csat_opt_out`)
    BLOCKED = "blocked"
    NO_CUSTOMER_MESSAGE = "no_customer_message"
    SPAM = "spam"  # closed as spam / as a merged duplicate (`Conversation.close_kind`)
    MERGE = "merge"
    COOLDOWN = "cooldown"  # the contact had a survey within `cooldown_hours`
    WINDOW_CLOSED = "window_closed"  # Meta's 24-hour window is closed and no template is configured
    # The configured template is synced for the inbox but not approved there (paused, disabled, removed…)
    TEMPLATE_UNAVAILABLE = "template_unavailable"
    # The approved template's body asks for variables a survey cannot fill ({{3}} and on, or named ones)
    TEMPLATE_VARIABLES = "template_variables"
    DISABLED = "disabled"  # CSAT was turned off for the tenant or inbox before the send
    INBOX_INACTIVE = "inbox_inactive"
    NO_ADDRESS = "no_address"
    REOPENED = "reopened"
    NEW_CONVERSATION = "new_conversation"


# Waiting for the customer's answer: what capture looks for.
OPEN_STATUSES = (CsatStatus.SENT, CsatStatus.DELIVERED, CsatStatus.READ)
# Counted by the per-contact cooldown: a survey the customer received.
RECEIVED_STATUSES = (*OPEN_STATUSES, CsatStatus.ANSWERED, CsatStatus.EXPIRED)

RATINGS: tuple[tuple[int, str, str], ...] = (
    (1, "😡", "Péssimo"),
    (2, "😕", "Ruim"),
    (3, "😐", "Regular"),
    (4, "🙂", "Bom"),
    (5, "🤩", "Excelente"),
)
EMOJI_LINE = "Responda com um número de 1 a 5 ou um emoji: 😡 1 · 😕 2 · 😐 3 · 🙂 4 · 🤩 5"
LIST_BUTTON = "Avaliar"
SECTION_TITLE = "Sua avaliação"
DEFAULT_TEMPLATE_LANGUAGE = "pt_BR"
ON_TIME_SLACK = 3.0  # a job up to this early (RQ keeps whole seconds) waits; earlier, it is re-timed


def option_id(score: int) -> str:
    """The reply id of a rating option: list row, button and Telegram callback_data alike."""
    return f"csat:{score}"


def settings_for(session: Session) -> CsatSettings:
    """The tenant's settings (a tenant session), or the defaults when the tenant never saved any."""
    row = session.scalar(sa.select(CsatSettings))
    if row is not None:
        return row
    return CsatSettings(
        enabled=True,
        delay_seconds=90,
        expiry_minutes=1440,
        style="buttons",
        question="Como você avalia o nosso atendimento?",
        thanks_message="Obrigado pela sua avaliação!",
        template_name=None,
        alert_threshold=2,
        reopen_on_bad=False,
        cooldown_hours=24,
    )


# --- close and reopen (called by models.lifecycle) -------------------------------------------------------


def schedule_on_close(
    session: Session, conv: Conversation, actor_kind: ActorKind, actor_user_id: int | None = None
) -> CsatSurvey | None:
    """The survey of a conversation just closed: scheduled after the tenant's delay, or skipped with a
    reason. None when CSAT is off for the tenant or the inbox. One per conversation: closing again after
    a reopen reuses a survey that never went out, and leaves one that did as it is."""
    settings = settings_for(session)
    inbox = session.get(Inbox, conv.inbox_id)
    if not settings.enabled or inbox is None or not inbox.csat_enabled:
        return None
    now = utcnow()
    survey = session.scalar(sa.select(CsatSurvey).where(CsatSurvey.conversation_id == conv.id))
    if survey is not None and survey.status not in (CsatStatus.CANCELLED, CsatStatus.SKIPPED):
        return survey
    if survey is None:
        survey = CsatSurvey(tenant_id=conv.tenant_id, conversation_id=conv.id, attempts=0)
        session.add(survey)
    survey.contact_id = conv.contact_id
    survey.inbox_id = conv.inbox_id
    survey.agent_id = conv.assignee_id or (actor_user_id if actor_kind == ActorKind.USER else None)
    survey.team_id = conv.team_id
    survey.handled_by_ai = conv.first_human_reply_at is None
    survey.scheduled_for = now + timedelta(seconds=max(0, settings.delay_seconds))
    survey.sent_at = survey.expires_at = survey.answered_at = None
    survey.message_id = None
    survey.error = None
    survey.form = None
    reason = _skip_at_close(session, conv, settings, now)
    survey.status = CsatStatus.SKIPPED if reason else CsatStatus.SCHEDULED
    survey.reason = reason
    session.flush()
    if reason is None:
        topics.record(
            session,
            conv.tenant_id,
            topics.CSAT_SEND,
            survey_id=survey.id,
            conversation_id=conv.id,
            scheduled_for=survey.scheduled_for.isoformat(),
        )
    return survey


def _skip_at_close(session: Session, conv: Conversation, settings: CsatSettings, now: datetime) -> str | None:
    contact = conv.contact
    if contact.csat_opt_out:
        return Reason.OPTED_OUT
    if contact.blocked:
        return Reason.BLOCKED
    if conv.close_kind == CloseKind.SPAM:
        return Reason.SPAM
    if conv.close_kind == CloseKind.MERGE:
        return Reason.MERGE
    customer_wrote = session.scalar(
        sa.select(
            sa.exists().where(
                Message.conversation_id == conv.id,
                Message.direction == Direction.INBOUND,
                Message.is_private.is_(False),
            )
        )
    )
    if not customer_wrote:
        return Reason.NO_CUSTOMER_MESSAGE
    if _in_cooldown(session, conv.contact_id, None, settings, now):
        return Reason.COOLDOWN
    return None


def _in_cooldown(
    session: Session, contact_id: int, survey_id: int | None, settings: CsatSettings, now: datetime
) -> bool:
    """Another survey reached (or is on its way to) this contact within the cooldown."""
    cutoff = now - timedelta(hours=max(0, settings.cooldown_hours))
    other = [CsatSurvey.contact_id == contact_id]
    if survey_id is not None:
        other.append(CsatSurvey.id != survey_id)
    recent = sa.and_(CsatSurvey.status.in_(RECEIVED_STATUSES), CsatSurvey.sent_at > cutoff)
    on_its_way = sa.and_(CsatSurvey.status == CsatStatus.SCHEDULED, CsatSurvey.message_id.is_not(None))
    failed_unsent = sa.and_(CsatSurvey.status == CsatStatus.FAILED, CsatSurvey.sent_at > cutoff)
    return bool(
        session.scalar(sa.select(sa.exists().where(*other, sa.or_(recent, on_its_way, failed_unsent))))
    )


def cancel_on_reopen(session: Session, conv: Conversation) -> bool:
    """A reopened conversation is not over: its survey, if not sent yet, is cancelled."""
    result = session.execute(
        sa.update(CsatSurvey)
        .where(
            CsatSurvey.conversation_id == conv.id,
            CsatSurvey.status == CsatStatus.SCHEDULED,
            CsatSurvey.message_id.is_(None),
        )
        .values(status=CsatStatus.CANCELLED, reason=Reason.REOPENED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- the send --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """What the survey's job should do: `send` the stored `message_id`, `wait` `wait_seconds`, or nothing
    (`done` for a survey past scheduling, `stale` for a job of an earlier schedule, `skipped`/`cancelled`)."""

    action: str
    message_id: int | None = None
    wait_seconds: float = 0.0
    reason: str | None = None
    outbox_ids: list[int] = field(default_factory=list)


def _locked_survey(session: Session, survey_id: int) -> CsatSurvey | None:
    return session.scalar(
        sa.select(CsatSurvey).where(CsatSurvey.id == survey_id).with_for_update(of=CsatSurvey)
    )


def prepare_send(
    session: Session, survey_id: int, scheduled_for: datetime | None = None, now: datetime | None = None
) -> Prepared:
    """At the survey's time, under its lock (and the contact's, for the cooldown): check every rule again,
    then store the survey message (pending) for the outbound job. `scheduled_for` is the schedule the job
    was made for: a job of an earlier schedule (closed, reopened, closed again) does nothing."""
    from models.outbound import window_open  # outbound imports lifecycle, which imports this module

    now = now or utcnow()
    survey = _locked_survey(session, survey_id)
    if survey is None or survey.status != CsatStatus.SCHEDULED:
        return Prepared("done")
    if survey.message_id is not None:
        return Prepared("send", survey.message_id)  # stored by an earlier run: the send is idempotent
    if scheduled_for is not None and abs((survey.scheduled_for - scheduled_for).total_seconds()) > 0.001:
        return Prepared("stale")
    early = (survey.scheduled_for - now).total_seconds()
    if early > 0:
        return Prepared("wait", wait_seconds=early)
    session.execute(sa.select(Contact.id).where(Contact.id == survey.contact_id).with_for_update())
    conv = session.get(Conversation, survey.conversation_id)
    inbox = session.get(Inbox, survey.inbox_id)
    if conv is None or inbox is None:
        return _finish(survey, CsatStatus.CANCELLED, Reason.DISABLED)
    settings = settings_for(session)
    cancel = _cancel_reason(session, survey, conv, inbox, settings)
    if cancel is not None:
        return _finish(survey, CsatStatus.CANCELLED, cancel)
    channel = str(inbox.channel_type)
    skip = _skip_at_send(session, survey, conv, inbox, settings, now)
    if skip is not None:
        return _finish(survey, CsatStatus.SKIPPED, skip)
    window_is_open = window_open(conv, channel)
    language = DEFAULT_TEMPLATE_LANGUAGE
    parameters: list[str] = []
    if channel == ChannelType.WHATSAPP_CLOUD and not window_is_open and settings.template_name:
        found = _survey_template(session, inbox.id, settings.template_name)
        if found is None:
            return _finish(survey, CsatStatus.SKIPPED, Reason.TEMPLATE_UNAVAILABLE)
        language, body = found
        filled = template_parameters(body, conv.contact.name, _company(session, conv.tenant_id))
        if filled is None:
            return _finish(survey, CsatStatus.SKIPPED, Reason.TEMPLATE_VARIABLES)
        parameters = filled
    form, content_type, text, payload = survey_message(channel, settings, window_is_open, language)
    if parameters:
        payload["parameters"] = parameters
    if form is None:
        return _finish(survey, CsatStatus.SKIPPED, Reason.WINDOW_CLOSED)
    payload["csat_survey_id"] = survey.id
    message = Message(
        tenant_id=conv.tenant_id,
        conversation_id=conv.id,
        inbox_id=conv.inbox_id,
        direction=Direction.OUTBOUND,
        sender_kind=SenderKind.SYSTEM,
        content_type=content_type,
        text=text,
        payload=payload,
        status=DeliveryStatus.PENDING,
        created_at=now,
    )
    session.add(message)
    session.flush()
    survey.message_id = message.id
    survey.form = form
    survey.attempts += 1
    survey.expires_at = now + timedelta(minutes=max(1, settings.expiry_minutes))
    created = topics.record(
        session,
        conv.tenant_id,
        topics.MESSAGE_CREATED,
        message_id=message.id,
        conversation_id=conv.id,
        direction=str(Direction.OUTBOUND),
        status=str(conv.status),
        notify=True,
    )
    session.flush()
    return Prepared("send", message.id, outbox_ids=[created.id])


def _finish(survey: CsatSurvey, status: CsatStatus, reason: str) -> Prepared:
    survey.status = status
    survey.reason = reason
    return Prepared(str(status), reason=reason)


def _cancel_reason(
    session: Session, survey: CsatSurvey, conv: Conversation, inbox: Inbox, settings: CsatSettings
) -> str | None:
    if conv.status != ConversationStatus.CLOSED:
        return Reason.REOPENED
    newer = session.scalar(
        sa.select(
            sa.exists().where(
                Conversation.contact_id == survey.contact_id,
                Conversation.id != conv.id,
                Conversation.created_at > (conv.closed_at or survey.created_at),
            )
        )
    )
    if newer:
        return Reason.NEW_CONVERSATION
    if not settings.enabled or not inbox.csat_enabled:
        return Reason.DISABLED
    return None


def _skip_at_send(
    session: Session,
    survey: CsatSurvey,
    conv: Conversation,
    inbox: Inbox,
    settings: CsatSettings,
    now: datetime,
) -> str | None:
    from models.delivery import address_for

    contact = conv.contact
    if contact.csat_opt_out:
        return Reason.OPTED_OUT
    if contact.blocked:
        return Reason.BLOCKED
    if not inbox.is_active:
        return Reason.INBOX_INACTIVE
    if address_for(str(inbox.channel_type), contact) is None:
        return Reason.NO_ADDRESS
    if _in_cooldown(session, survey.contact_id, survey.id, settings, now):
        return Reason.COOLDOWN
    return None


def rating_sections() -> list[dict[str, Any]]:
    rows = [{"id": option_id(score), "title": f"{emoji} {label}"} for score, emoji, label in RATINGS]
    return [{"title": SECTION_TITLE, "rows": rows}]


def emoji_text(question: str) -> str:
    return f"{question}\n\n{EMOJI_LINE}"


def _survey_template(session: Session, inbox_id: int, name: str) -> tuple[str, str] | None:
    """(language, body) to send the configured template in: those of the inbox's approved Meta
    template of this name (synced from Meta, or typed in as approved). A name the inbox has never heard
    of is sent in pt_BR as typed, without variables (Meta is the judge); one it knows only as paused,
    disabled, removed, pending or rejected gives None: Meta would refuse it."""
    row = approved_template(session, inbox_id, name, category=None)
    if row is not None:
        return row.language, row.body or ""
    return None if known_templates(session, inbox_id, name) else (DEFAULT_TEMPLATE_LANGUAGE, "")


_VARIABLE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def template_parameters(body: str, contact_name: str | None, company: str) -> list[str] | None:
    """The body variables of a survey template, filled: {{1}} the customer's first name ("cliente"
    when unknown), {{2}} the company's name — what a CSAT template says ("Olá {{1}}, como foi seu
    atendimento na {{2}}?"). Meta refuses a template sent with fewer parameters than its body has, so a
    body with {{3}} or more, or named variables, gives None: the survey is skipped with that reason
    rather than failed at Meta."""
    names = set(_VARIABLE.findall(body))
    if not names:
        return []
    if not all(n.isdigit() for n in names):
        return None
    count = max(int(n) for n in names)
    if count > 2:
        return None
    first = (contact_name or "").strip().split(" ")[0] or "cliente"
    return [first, company][:count]


def _company(session: Session, tenant_id: int) -> str:
    return session.scalar(sa.select(Tenant.name).where(Tenant.id == tenant_id)) or ""


def survey_message(
    channel: str, settings: CsatSettings, window_is_open: bool, template_language: str = "pt_BR"
) -> tuple[str | None, ContentType, str, dict[str, Any]]:
    """(form, content type, text, payload) of the survey message for this channel; form None when it
    cannot be sent (Meta's window closed without a template). WhatsApp lists carry the emoji line as
    `fallback_text`: the outbound job sends it instead when the provider refuses the list."""
    question = settings.question
    if channel == ChannelType.WHATSAPP_CLOUD and not window_is_open:
        if not settings.template_name:
            return None, ContentType.TEMPLATE, question, {}
        template = {"template_name": settings.template_name, "language": template_language}
        return "template", ContentType.TEMPLATE, question, template
    if settings.style == "emoji":
        return "emoji", ContentType.TEXT, emoji_text(question), {}
    payload: dict[str, Any] = {"sections": rating_sections(), "list_button": LIST_BUTTON}
    if channel == ChannelType.TELEGRAM:
        return "keyboard", ContentType.INTERACTIVE, question, payload
    if channel in (ChannelType.EVOLUTION, ChannelType.UAZAPI):
        payload["fallback_text"] = emoji_text(question)
    return "list", ContentType.INTERACTIVE, question, payload


# --- capture and expiry ----------------------------------------------------------------------------------


def open_survey(
    session: Session, contact_id: int, inbox_id: int, now: datetime | None = None
) -> CsatSurvey | None:
    """The survey waiting for this contact's answer on this inbox (sent, delivered or read, not expired),
    newest first, locked: what capture answers."""
    now = now or utcnow()
    return session.scalar(
        sa.select(CsatSurvey)
        .where(
            CsatSurvey.contact_id == contact_id,
            CsatSurvey.inbox_id == inbox_id,
            CsatSurvey.status.in_(OPEN_STATUSES),
            sa.or_(CsatSurvey.expires_at.is_(None), CsatSurvey.expires_at > now),
        )
        .order_by(CsatSurvey.sent_at.desc().nulls_last(), CsatSurvey.id.desc())
        .limit(1)
        .with_for_update(of=CsatSurvey)
    )


def mark_answered(session: Session, survey: CsatSurvey, at: datetime | None = None) -> bool:
    """An open survey becomes answered (the response row is capture's); False when it was not open."""
    if survey.status not in OPEN_STATUSES:
        return False
    survey.status = CsatStatus.ANSWERED
    survey.answered_at = at or utcnow()
    return True


def expire_due(session: Session, now: datetime | None = None, limit: int = 1000) -> int:
    """Unanswered surveys past `expires_at` expire (any tenant: a platform session). Returns how many."""
    now = now or utcnow()
    due = (
        sa.select(CsatSurvey.id)
        .where(CsatSurvey.status.in_(OPEN_STATUSES), CsatSurvey.expires_at <= now)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = session.execute(
        sa.update(CsatSurvey)
        .where(CsatSurvey.id.in_(due))
        .values(status=CsatStatus.EXPIRED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def due_ids(
    session: Session, second: datetime | None = None, now: datetime | None = None, limit: int = 500
) -> list[int]:
    """Scheduled surveys of the session's tenant whose time has come, oldest first. With `second`, only
    those due within the second that ends there: jobs of different seconds never pick the same survey."""
    now = now or utcnow()
    clauses = [CsatSurvey.status == CsatStatus.SCHEDULED, CsatSurvey.scheduled_for <= now]
    if second is not None:
        clauses += [
            CsatSurvey.scheduled_for > second - timedelta(seconds=1),
            CsatSurvey.scheduled_for <= second,
        ]
    return list(
        session.scalars(
            sa.select(CsatSurvey.id)
            .where(*clauses)
            .order_by(CsatSurvey.scheduled_for, CsatSurvey.id)
            .limit(limit)
        )
    )


def overdue(
    session: Session, now: datetime | None = None, grace: float = 120.0
) -> list[tuple[int, int, str]]:
    """(tenant, survey, scheduled_for) of scheduled surveys past due by `grace` s and never prepared:
    their job was lost (Redis lost its data). A prepared one has its message, which the outbound job's
    own watch re-sends. A platform session."""
    now = now or utcnow()
    rows = session.execute(
        sa.select(CsatSurvey.tenant_id, CsatSurvey.id, CsatSurvey.scheduled_for)
        .where(
            CsatSurvey.status == CsatStatus.SCHEDULED,
            CsatSurvey.message_id.is_(None),
            CsatSurvey.scheduled_for < now - timedelta(seconds=grace),
        )
        .order_by(CsatSurvey.scheduled_for)
        .limit(500)
    )
    return [(int(t), int(s), when.isoformat()) for t, s, when in rows]


# --- reading ---------------------------------------------------------------------------------------------


def survey_state(session: Session, conversation_id: int) -> dict[str, Any] | None:
    """`csat` of `GET /conversations/{id}`: the survey's status, score and times, or None."""
    row = session.execute(
        sa.select(CsatSurvey, CsatResponse.score)
        .outerjoin(CsatResponse, CsatResponse.survey_id == CsatSurvey.id)
        .where(CsatSurvey.conversation_id == conversation_id)
    ).first()
    if row is None:
        return None
    survey, score = row
    return survey_dict(survey, score)


def survey_dict(survey: CsatSurvey, score: int | None) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "status": str(survey.status),
        "score": score,
        "reason": survey.reason,
        "scheduled_for": iso(survey.scheduled_for),
        "sent_at": iso(survey.sent_at),
        "answered_at": iso(survey.answered_at),
    }
