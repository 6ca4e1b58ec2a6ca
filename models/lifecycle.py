"""Conversation transitions: take, assign, transfer, hand off, close, reopen, labels, priority, read.

Each transition checks the state it starts from, changes the row, writes a `ConversationEvent` (who,
when, why) and records an outbox row so every screen showing the conversation updates. Permission checks
belong to the caller (`models.permissions`); these functions only keep the data consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, lazyload

from models import csat_surveys
from models import outbox_ops as topics
from models.base import utcnow
from models.conversation import Conversation, ConversationLabel, ConversationRead
from models.enums import ActorKind, Availability, ConversationStatus, Direction, EventKind, Priority, Role
from models.event import ConversationEvent
from models.label import Label
from models.message import Message
from models.user import Team, TeamMember, User


class TransitionError(ValueError):
    """The conversation is not in a state that allows this; `code` is stable for the API (409)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who acts: an agent (user id), the AI, or the system (timers, CSAT)."""

    kind: ActorKind
    user_id: int | None = None

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls(ActorKind.USER, user_id)


BOT = Actor(ActorKind.BOT)
SYSTEM = Actor(ActorKind.SYSTEM)


def lock(session: Session, conversation_id: int, *, labels: bool = True) -> Conversation:
    """The row, locked: two agents clicking "Assumir" at once get one winner and one clear refusal.
    `labels=False` leaves the labels to load on first use (the attendant's write never reads them)."""
    query = sa.select(Conversation).where(Conversation.id == conversation_id)
    if not labels:
        query = query.options(lazyload(Conversation.labels))
    conv = session.scalar(query.with_for_update(of=Conversation))
    if conv is None:
        raise LookupError(conversation_id)
    return conv


def _event(session: Session, conv: Conversation, kind: EventKind, actor: Actor, **fields: Any) -> None:
    session.add(
        ConversationEvent(
            tenant_id=conv.tenant_id,
            conversation_id=conv.id,
            kind=kind,
            actor_kind=actor.kind,
            actor_user_id=actor.user_id,
            **fields,
        )
    )


Before = tuple[ConversationStatus, int | None, int | None]  # status, assignee, team before a transition


def _changed(
    session: Session, conv: Conversation, change: str, before: Before | None = None, **extra: Any
) -> None:
    """`before` lets the emitter also tell the screens that listed the conversation in its old state
    (the team's waiting list, the AI tab) that it left them."""
    if before is not None:
        extra.update(
            previous_status=str(before[0]), previous_assignee_id=before[1], previous_team_id=before[2]
        )
    topics.record(
        session,
        conv.tenant_id,
        topics.CONVERSATION_UPDATED,
        conversation_id=conv.id,
        change=change,
        status=str(conv.status),
        assignee_id=conv.assignee_id,
        team_id=conv.team_id,
        **extra,
    )


def _agent_in_tenant(session: Session, conv: Conversation, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.tenant_id != conv.tenant_id or not user.is_active or user.role == Role.SUPERADMIN:
        raise TransitionError("invalid_agent", "Atendente inválido para esta conversa.")
    return user


def _present(user: User, actor: Actor) -> User:
    """Handing work to someone who said they are away (Ausente) would leave the customer waiting on
    nobody: refused, so the sender picks another agent or the team's queue. Taking it yourself is fine."""
    if actor.user_id != user.id and user.availability == Availability.AWAY:
        raise TransitionError("agent_away", f"{user.name} está ausente: escolha outro atendente ou a equipe.")
    return user


def _team_in_tenant(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)  # tenant-scoped session: another tenant's team is None
    if team is None:
        raise TransitionError("invalid_team", "Equipe inválida.")
    return team


def assign(
    session: Session, conv: Conversation, agent_id: int, actor: Actor, reason: str | None = None
) -> None:
    """Give the conversation to an agent (Em atendimento). Taking it yourself is assign with actor = agent."""
    if conv.status == ConversationStatus.CLOSED:
        raise TransitionError("closed", "Conversa encerrada: reabra antes de atribuir.")
    if conv.assignee_id == agent_id and conv.status == ConversationStatus.OPEN:
        raise TransitionError("already_assigned", "A conversa já está com este atendente.")
    _present(_agent_in_tenant(session, conv, agent_id), actor)
    previous_status, previous_assignee = conv.status, conv.assignee_id
    conv.assignee_id = agent_id
    conv.status = ConversationStatus.OPEN
    conv.waiting_since = None
    kind = EventKind.ASSIGNED if previous_assignee is None else EventKind.TRANSFERRED
    _event(
        session,
        conv,
        kind,
        actor,
        from_status=previous_status,
        to_status=conv.status,
        from_assignee_id=previous_assignee,
        to_assignee_id=agent_id,
        reason=reason,
    )
    _changed(session, conv, "assigned", (previous_status, previous_assignee, conv.team_id))


def take(session: Session, conv: Conversation, agent_id: int) -> None:
    """Assumir ("take"): only a conversation nobody has (waiting or with the AI) can be taken."""
    if conv.assignee_id is not None and conv.status == ConversationStatus.OPEN:
        raise TransitionError("already_taken", "Outro atendente já assumiu esta conversa.")
    assign(session, conv, agent_id, Actor.user(agent_id))


def transfer(
    session: Session,
    conv: Conversation,
    actor: Actor,
    *,
    reason: str,
    team_id: int | None = None,
    agent_id: int | None = None,
) -> None:
    """To an agent (stays open, with them) or to a team (back to waiting, for anyone of the team)."""
    if not reason or not reason.strip():
        raise TransitionError("reason_required", "Informe o motivo da transferência.")
    if conv.status == ConversationStatus.CLOSED:
        raise TransitionError("closed", "Conversa encerrada não pode ser transferida.")
    if (team_id is None) == (agent_id is None):
        raise TransitionError("target_required", "Transfira para uma equipe ou para um atendente.")
    previous = (conv.status, conv.assignee_id, conv.team_id)
    if team_id is not None:
        _team_in_tenant(session, team_id)
        conv.team_id = team_id
        conv.assignee_id = None
        conv.status = ConversationStatus.PENDING
        conv.waiting_since = utcnow()
    else:
        assert agent_id is not None
        user = _present(_agent_in_tenant(session, conv, agent_id), actor)
        conv.assignee_id = user.id
        conv.status = ConversationStatus.OPEN
        conv.waiting_since = None
    _event(
        session,
        conv,
        EventKind.TRANSFERRED,
        actor,
        from_status=previous[0],
        to_status=conv.status,
        from_assignee_id=previous[1],
        to_assignee_id=conv.assignee_id,
        from_team_id=previous[2],
        to_team_id=conv.team_id,
        reason=reason.strip(),
    )
    _changed(session, conv, "transferred", previous, reason=reason.strip())


def hand_off(session: Session, conv: Conversation, reason: str, team_id: int | None = None) -> None:
    """The AI gives up: the conversation waits for a human (optionally of one team)."""
    if conv.status != ConversationStatus.BOT:
        raise TransitionError("not_bot", "Só conversas com a IA podem ser transferidas para humanos.")
    before: Before = (conv.status, conv.assignee_id, conv.team_id)
    if team_id is not None:
        _team_in_tenant(session, team_id)
        conv.team_id = team_id
    conv.status = ConversationStatus.PENDING
    conv.waiting_since = utcnow()
    conv.handoff_reason = reason[:200]
    _event(
        session,
        conv,
        EventKind.HANDOFF,
        BOT,
        from_status=ConversationStatus.BOT,
        to_status=ConversationStatus.PENDING,
        to_team_id=conv.team_id,
        reason=reason,
    )
    _changed(session, conv, "handoff", before, reason=reason)


def close(
    session: Session, conv: Conversation, actor: Actor, reason: str | None = None, kind: str | None = None
) -> None:
    """Every close (agent, the AI's `encerrar`, any timer) schedules the CSAT survey here; `kind`
    (`enums.CloseKind`) marks spam or a merged duplicate, which get none."""
    if conv.status == ConversationStatus.CLOSED:
        raise TransitionError("already_closed", "A conversa já está encerrada.")
    previous = conv.status
    conv.status = ConversationStatus.CLOSED
    conv.closed_at = utcnow()
    conv.closed_by_id = actor.user_id
    conv.close_reason = (reason or "").strip() or None
    conv.close_kind = kind
    conv.waiting_since = None
    conv.unread_count = 0
    conv.snoozed_until = None  # a closed conversation has no queue to come back to
    conv.resolved_by_ai = actor.kind == ActorKind.BOT and conv.first_human_reply_at is None
    _event(
        session,
        conv,
        EventKind.CLOSED,
        actor,
        from_status=previous,
        to_status=conv.status,
        reason=conv.close_reason,
        data={"kind": kind} if kind else {},
    )
    csat_surveys.schedule_on_close(session, conv, actor.kind, actor.user_id)
    _changed(session, conv, "closed", (previous, conv.assignee_id, conv.team_id), csat=True)


def reopen(session: Session, conv: Conversation, actor: Actor, reason: str | None = None) -> None:
    """Back to the agent who reopens it; impossible while another conversation with the contact is open."""
    if conv.status != ConversationStatus.CLOSED:
        raise TransitionError("not_closed", "Só conversas encerradas podem ser reabertas.")
    other = session.scalar(
        sa.select(Conversation.id).where(
            Conversation.inbox_id == conv.inbox_id,
            Conversation.contact_id == conv.contact_id,
            Conversation.status != ConversationStatus.CLOSED,
        )
    )
    if other is not None:
        raise TransitionError("other_open", f"O cliente já tem outra conversa aberta (#{other}).")
    before: Before = (conv.status, conv.assignee_id, conv.team_id)
    conv.status = ConversationStatus.OPEN if actor.user_id else ConversationStatus.PENDING
    conv.assignee_id = actor.user_id
    conv.closed_at = None
    conv.closed_by_id = None
    conv.close_reason = None
    conv.close_kind = None
    conv.resolved_by_ai = False
    conv.waiting_since = None if actor.user_id else utcnow()
    _event(
        session,
        conv,
        EventKind.REOPENED,
        actor,
        from_status=ConversationStatus.CLOSED,
        to_status=conv.status,
        to_assignee_id=conv.assignee_id,
        reason=reason,
    )
    csat_surveys.cancel_on_reopen(session, conv)
    _changed(session, conv, "reopened", before)


def set_labels(session: Session, conv: Conversation, label_ids: set[int], actor: Actor) -> None:
    """Replace the conversation's labels; each addition and removal is an event."""
    valid = set(session.scalars(sa.select(Label.id).where(Label.id.in_(label_ids)))) if label_ids else set()
    if valid != label_ids:
        raise TransitionError("invalid_label", "Etiqueta inválida.")
    current = set(
        session.scalars(
            sa.select(ConversationLabel.label_id).where(ConversationLabel.conversation_id == conv.id)
        )
    )
    for label_id in sorted(valid - current):
        session.add(ConversationLabel(tenant_id=conv.tenant_id, conversation_id=conv.id, label_id=label_id))
        _event(session, conv, EventKind.LABEL_ADDED, actor, data={"label_id": label_id})
    removed = current - valid
    if removed:
        session.execute(
            sa.delete(ConversationLabel).where(
                ConversationLabel.conversation_id == conv.id, ConversationLabel.label_id.in_(removed)
            )
        )
        for label_id in sorted(removed):
            _event(session, conv, EventKind.LABEL_REMOVED, actor, data={"label_id": label_id})
    if valid != current:
        session.expire(conv, ["labels"])
        _changed(session, conv, "labels")


def set_priority(session: Session, conv: Conversation, priority: Priority, actor: Actor) -> None:
    """Triage: the queue can be sorted by it, so every screen listing the conversation re-sorts live.
    Setting the priority it already has changes nothing and records nothing."""
    if conv.priority == priority:
        return
    previous = conv.priority
    conv.priority = priority
    _event(
        session, conv, EventKind.PRIORITY_CHANGED, actor, data={"from": str(previous), "to": str(priority)}
    )
    _changed(session, conv, "priority")


def mark_read(session: Session, conv: Conversation, user_id: int) -> None:
    """The agent has seen everything up to the newest message: their unread badge clears."""
    last = session.scalar(sa.select(sa.func.max(Message.id)).where(Message.conversation_id == conv.id))
    stmt = pg_insert(ConversationRead).values(
        tenant_id=conv.tenant_id,
        conversation_id=conv.id,
        user_id=user_id,
        last_read_message_id=last,
        read_at=utcnow(),
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["conversation_id", "user_id"],
            set_={
                "last_read_message_id": stmt.excluded.last_read_message_id,
                "read_at": stmt.excluded.read_at,
            },
        )
    )
    if conv.assignee_id == user_id and conv.unread_count:
        conv.unread_count = 0
        _changed(session, conv, "read")


def mark_unread(session: Session, conv: Conversation, user_id: int) -> None:
    """ "Marcar como não lida": the user's read mark goes back to just before the customer's newest
    message, so the list shows it unread (bold, badge 1) for them until they open it again."""
    last_inbound = session.scalar(
        sa.select(sa.func.max(Message.id)).where(
            Message.conversation_id == conv.id,
            Message.direction == Direction.INBOUND,
            Message.is_private.is_(False),
        )
    )
    if last_inbound is None:
        raise TransitionError("no_customer_message", "Não há mensagem do cliente para marcar como não lida.")
    stmt = pg_insert(ConversationRead).values(
        tenant_id=conv.tenant_id,
        conversation_id=conv.id,
        user_id=user_id,
        last_read_message_id=last_inbound - 1,
        read_at=utcnow(),
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["conversation_id", "user_id"],
            set_={
                "last_read_message_id": stmt.excluded.last_read_message_id,
                "read_at": stmt.excluded.read_at,
            },
        )
    )
    if conv.assignee_id == user_id and not conv.unread_count:
        conv.unread_count = 1
        _changed(session, conv, "unread")


def team_ids_of(session: Session, user_id: int) -> list[int]:
    return list(session.scalars(sa.select(TeamMember.team_id).where(TeamMember.user_id == user_id)))
