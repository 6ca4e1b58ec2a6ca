"""Changing a conversation: take, assign, transfer, close, reopen, mark read/unread, labels, priority, snooze.

Each action locks the conversation row before checking permission and state (`conversation_for(...,
lock=True)`), so two agents clicking "Assumir" together are served one after the other: the first gets
200, the second 409 `already_taken`. The domain rules are `models.lifecycle`'s; this module translates
HTTP to them and answers with the conversation as `GET /conversations/{id}` shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from models import lifecycle, snooze
from models.conversation import Conversation
from models.enums import CloseKind, Priority
from models.lifecycle import Actor
from models.permissions import Action
from models.scoping import ScopedSession
from web.api import api_bp
from web.api.access import api_user_required, conversation_for, writing
from web.api.errors import invalid
from web.api.params import body_choice, body_int, body_str, json_object
from web.api.shapes import conversation_detail
from web.auth.context import current_tenant, current_user

MAX_REASON = 500  # ConversationEvent.reason

Change = Callable[[ScopedSession, Conversation, Actor, dict[str, Any]], None]


def _act(conversation_id: int, action: Action | None, change: Change) -> ResponseReturnValue:
    body = json_object()
    actor = Actor.user(current_user().id)
    with writing() as session:
        conv = conversation_for(session, conversation_id, action, lock=True)
        change(session, conv, actor, body)
        session.flush()
        return jsonify(conversation_detail(session, conv))


def _reason(body: dict[str, Any], *, required: bool = False) -> str | None:
    return body_str(body, "reason", max_length=MAX_REASON, required=required)


@api_bp.post("/conversations/<int:conversation_id>/take")
@api_user_required
def take(conversation_id: int) -> ResponseReturnValue:
    def change(session: ScopedSession, conv: Conversation, actor: Actor, _body: dict[str, Any]) -> None:
        assert actor.user_id is not None
        lifecycle.take(session, conv, actor.user_id)

    return _act(conversation_id, Action.TAKE, change)


@api_bp.post("/conversations/<int:conversation_id>/assign")
@api_user_required
def assign(conversation_id: int) -> ResponseReturnValue:
    def change(session: ScopedSession, conv: Conversation, actor: Actor, body: dict[str, Any]) -> None:
        agent_id = body_int(body, "agent_id", required=True)
        assert agent_id is not None
        lifecycle.assign(session, conv, agent_id, actor, _reason(body))

    return _act(conversation_id, Action.ASSIGN, change)


@api_bp.post("/conversations/<int:conversation_id>/transfer")
@api_user_required
def transfer(conversation_id: int) -> ResponseReturnValue:
    """To a team (back to waiting for anyone of it) or to an agent; the reason is required and shown."""

    def change(session: ScopedSession, conv: Conversation, actor: Actor, body: dict[str, Any]) -> None:
        team_id, agent_id = body_int(body, "team_id"), body_int(body, "agent_id")
        if (team_id is None) == (agent_id is None):
            raise invalid(
                "Transfira para uma equipe (team_id) ou para um atendente (agent_id).", "team_id", "agent_id"
            )
        reason = _reason(body, required=True)
        assert reason is not None
        lifecycle.transfer(session, conv, actor, reason=reason, team_id=team_id, agent_id=agent_id)

    return _act(conversation_id, Action.TRANSFER, change)


@api_bp.post("/conversations/<int:conversation_id>/close")
@api_user_required
def close(conversation_id: int) -> ResponseReturnValue:
    def change(session: ScopedSession, conv: Conversation, actor: Actor, body: dict[str, Any]) -> None:
        kind = None
        if body.get("kind") is not None:
            kind = body_choice(body, "kind", set(CloseKind), "kind deve ser resolved, spam ou merge.")
        lifecycle.close(session, conv, actor, _reason(body), kind=kind)

    return _act(conversation_id, Action.CLOSE, change)


@api_bp.post("/conversations/<int:conversation_id>/reopen")
@api_user_required
def reopen(conversation_id: int) -> ResponseReturnValue:
    def change(session: ScopedSession, conv: Conversation, actor: Actor, body: dict[str, Any]) -> None:
        lifecycle.reopen(session, conv, actor, _reason(body))

    return _act(conversation_id, Action.REOPEN, change)


@api_bp.post("/conversations/<int:conversation_id>/read")
@api_user_required
def mark_read(conversation_id: int) -> ResponseReturnValue:
    """Anyone who can open the conversation can clear their own unread badge."""

    def change(session: ScopedSession, conv: Conversation, actor: Actor, _body: dict[str, Any]) -> None:
        assert actor.user_id is not None
        lifecycle.mark_read(session, conv, actor.user_id)

    return _act(conversation_id, None, change)


@api_bp.put("/conversations/<int:conversation_id>/labels")
@api_user_required
def set_labels(conversation_id: int) -> ResponseReturnValue:
    """Labels are internal annotations, like notes: whoever may add a note may label (`Action.NOTE`)."""

    def change(session: ScopedSession, conv: Conversation, actor: Actor, body: dict[str, Any]) -> None:
        raw = body.get("label_ids")
        if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
            raise invalid("label_ids deve ser uma lista de números de etiquetas.", "label_ids")
        lifecycle.set_labels(session, conv, set(raw), actor)

    return _act(conversation_id, Action.NOTE, change)


@api_bp.post("/conversations/<int:conversation_id>/unread")
@api_user_required
def mark_unread(conversation_id: int) -> ResponseReturnValue:
    """ "Marcar como não lida": for the caller only, until they open it again (`/read`)."""

    def change(session: ScopedSession, conv: Conversation, actor: Actor, _body: dict[str, Any]) -> None:
        assert actor.user_id is not None
        lifecycle.mark_unread(session, conv, actor.user_id)

    return _act(conversation_id, None, change)


def _snooze_until(body: dict[str, Any]) -> datetime:
    """`preset` (one_hour, tomorrow, next_week) or `until` (ISO 8601; without offset, the tenant's time)."""
    zone = tenant.timezone if (tenant := current_tenant()) is not None else "America/Sao_Paulo"
    preset = body_str(body, "preset", max_length=20)
    raw = body_str(body, "until", max_length=40)
    if (preset is None) == (raw is None):
        raise invalid("Informe preset ou until.", "preset", "until")
    if preset is not None:
        if preset not in snooze.PRESETS:
            raise invalid("preset deve ser one_hour, tomorrow ou next_week.", "preset")
        return snooze.preset_until(preset, zone)
    assert raw is not None
    try:
        return snooze.local_until(datetime.fromisoformat(raw), zone)
    except ValueError:
        raise invalid("until deve ser uma data e hora ISO 8601.", "until") from None


@api_bp.post("/conversations/<int:conversation_id>/snooze")
@api_user_required
def snooze_conversation(conversation_id: int) -> ResponseReturnValue:
    """ "Adiar até…": whoever may close the conversation may set it aside (`Action.CLOSE`)."""

    def change(session: ScopedSession, conv: Conversation, actor: Actor, body: dict[str, Any]) -> None:
        snooze.snooze(session, conv, _snooze_until(body), actor)

    return _act(conversation_id, Action.CLOSE, change)


@api_bp.post("/conversations/<int:conversation_id>/unsnooze")
@api_user_required
def unsnooze_conversation(conversation_id: int) -> ResponseReturnValue:
    def change(session: ScopedSession, conv: Conversation, actor: Actor, _body: dict[str, Any]) -> None:
        snooze.unsnooze(session, conv, actor)

    return _act(conversation_id, Action.CLOSE, change)


@api_bp.put("/conversations/<int:conversation_id>/priority")
@api_user_required
def set_priority(conversation_id: int) -> ResponseReturnValue:
    """Priority is triage, an internal annotation like labels: whoever may add a note may set it."""

    def change(session: ScopedSession, conv: Conversation, actor: Actor, body: dict[str, Any]) -> None:
        message = "priority deve ser low, normal, high ou urgent."
        raw = body_choice(body, "priority", set(Priority), message)
        lifecycle.set_priority(session, conv, Priority(raw), actor)

    return _act(conversation_id, Action.NOTE, change)
