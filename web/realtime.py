"""Socket.IO in one place. Threading mode (gunicorn gthread + simple-websocket) with a Redis message
queue, so workers and every web instance can emit to the rooms of the browsers connected elsewhere.

The server decides every room a browser is in; the browser never names one. On connect the session
cookie is checked like any page request and the user joins the rooms of their role (see
jobs/realtime.py for what each room receives):

  admin, supervisor   t{tenant}:all
  agent               t{tenant}:bot, t{tenant}:team:none, t{tenant}:team:{id} per team, u{user}

Each socket is recorded with its browser session (web/auth/sockets.py), so that logging out, a password
change elsewhere, or the session's idle timeout disconnects it wherever it is held.

Opening a conversation asks to join `c{id}` (`join_conversation`), granted only if
`models.permissions.can_view` says so; the previous one is left, so a browser is in at most one
conversation room. Rooms follow later changes too: the relay takes a socket out of `c{id}` when a
transition leaves its user unable to view it, and ends a user's sockets when their role, teams or
activation change (jobs/room_access.py). `typing` is relayed to the other viewers of that conversation only.
"""

from __future__ import annotations

import time
from typing import Any

import socketio as sio
from flask import Flask, current_app, g, request, session
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room, leave_room, rooms

from jobs.realtime import channel_for
from models.conversation import Conversation
from models.permissions import can_view, has_inbox, is_manager, user_team_ids
from models.user import User
from web.auth import sockets
from web.auth.context import AuthState
from web.auth.session import SID, authenticate
from web.services import services

socketio = SocketIO()

TYPING_RELAY_SECONDS = 2.0  # at most one "is typing" per sender this often; browsers expire it after ~6 s
_STATE = "_realtime"  # this socket's facts, in its Socket.IO session (a per-connection copy, not the cookie)


def redis_manager(redis_url: str, *, write_only: bool = False) -> sio.RedisManager:
    """Built explicitly because Flask-SocketIO only recognises redis:// URLs, not the embedded unix://."""
    return sio.RedisManager(redis_url, channel=channel_for(redis_url), write_only=write_only)


def init_app(app: Flask, redis_url: str | None) -> None:
    """`redis_url=None` keeps rooms in this process only: one web process and no worker emits, which is
    what Flask-SocketIO's test client requires."""
    socketio.init_app(
        app,
        async_mode="threading",
        client_manager=redis_manager(redis_url) if redis_url else None,
        cors_allowed_origins=[app.config["PUBLIC_URL"]],
        logger=False,
        engineio_logger=False,
        ping_interval=20,
        ping_timeout=20,
    )


def user_rooms(user: User, team_ids: frozenset[int]) -> set[str]:
    """The rooms whose events this user may receive: the listening half of `conversation_rooms`."""
    t = user.tenant_id
    if is_manager(user):
        return {f"t{t}:all"}
    return {f"t{t}:bot", f"t{t}:team:none", f"u{user.id}", *(f"t{t}:team:{tid}" for tid in team_ids)}


def _inbox_user() -> tuple[User, int] | None:
    """The session's user and tenant id if they may use the inbox right now (every factor done, active,
    in a tenant). Re-read from the database each time, so a deactivation or logout refuses the next join."""
    user = authenticate()
    if user is None or g.get("auth_state") is not AuthState.FULL or not has_inbox(user):
        return None
    assert user.tenant_id is not None  # has_inbox
    return user, user.tenant_id


def _state() -> dict[str, Any] | None:
    state = session.get(_STATE)
    return state if isinstance(state, dict) else None


def _conversation_id(data: Any) -> int | None:
    raw = data.get("conversation_id") if isinstance(data, dict) else None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None  # a bigint, or no such conversation


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    found = _inbox_user()
    if found is None:
        raise ConnectionRefusedError("unauthorized")
    user, tenant_id = found
    with services().db.tenant_session(tenant_id) as db_session:
        team_ids = user_team_ids(db_session, user)
    for room in sorted(user_rooms(user, team_ids)):
        join_room(room)
    session[_STATE] = {"user_id": user.id, "name": user.name, "conversation_id": None, "typing_at": None}
    sockets.register(user.id, request.sid, session.get(SID))  # type: ignore[attr-defined]
    sockets.keep_alive(session.get(SID), user.session_timeout_minutes)
    if not current_app.testing:  # tests sweep when they mean to (`sockets.end_idle_sockets`)
        sockets.start_sweeper(current_app._get_current_object())  # type: ignore[attr-defined]


@socketio.on("disconnect")
def on_disconnect(reason: Any = None) -> None:
    state = _state()
    if state is not None:
        sockets.unregister(state["user_id"], request.sid)  # type: ignore[attr-defined]
        if state.get("conversation_id") is not None:
            sockets.remove_viewer(state["conversation_id"], request.sid)  # type: ignore[attr-defined]


@socketio.on("join_conversation")
def on_join_conversation(data: Any) -> dict[str, Any]:
    """Acknowledged with {ok} or {ok: false, error}: the browser shows the refusal instead of waiting
    for events that will never come.

    A transition may commit while this runs, and its relay takes out of `c{id}` only the sockets
    recorded as its viewers (jobs/room_access.py). So the socket is recorded first, then checked, then
    joined, then checked again: a change committed before the second check is seen by it; one committed
    after finds the socket recorded and joined when it is relayed. Never in the room unchecked."""
    state, conversation_id = _state(), _conversation_id(data)
    if state is None or conversation_id is None:
        return {"ok": False, "error": "invalid"}
    found = _inbox_user()
    if found is None:
        return {"ok": False, "error": "unauthorized"}
    user, tenant_id = found
    sid: str = request.sid  # type: ignore[attr-defined]
    sockets.add_viewer(conversation_id, sid, user.id)
    if not _may_view(user, tenant_id, conversation_id):
        return _refuse(state, conversation_id, sid)
    join_room(f"c{conversation_id}")
    if not _may_view(user, tenant_id, conversation_id):
        return _refuse(state, conversation_id, sid)
    if conversation_id != state.get("conversation_id"):
        _leave_current(state)
    session[_STATE] = {**state, "conversation_id": conversation_id, "typing_at": None}
    return {"ok": True, "conversation_id": conversation_id}


def _may_view(user: User, tenant_id: int, conversation_id: int) -> bool:
    with services().db.tenant_session(tenant_id) as db_session:
        conversation = db_session.get(Conversation, conversation_id)
        return conversation is not None and can_view(user, conversation, user_team_ids(db_session, user))


def _refuse(state: dict[str, Any], conversation_id: int, sid: str) -> dict[str, Any]:
    """Out of the room and its record; asked again for the one it had open, out of that one too."""
    if conversation_id == state.get("conversation_id"):
        _leave_current(state)
        session[_STATE] = {**state, "conversation_id": None, "typing_at": None}
    else:
        leave_room(f"c{conversation_id}")
        sockets.remove_viewer(conversation_id, sid)
    return {"ok": False, "error": "forbidden"}


@socketio.on("leave_conversation")
def on_leave_conversation(data: Any = None) -> dict[str, Any]:
    """The browser closed the conversation or lost sight of it (transferred away)."""
    state = _state()
    if state is not None:
        _leave_current(state)
        session[_STATE] = {**state, "conversation_id": None, "typing_at": None}
    return {"ok": True}


def _leave_current(state: dict[str, Any]) -> None:
    current = state.get("conversation_id")
    if current is None:
        return
    if state.get("typing_at") is not None:
        _relay_typing(state, current, typing=False)
    leave_room(f"c{current}")
    sockets.remove_viewer(current, request.sid)  # type: ignore[attr-defined]


@socketio.on("typing")
def on_typing(data: Any) -> None:
    """Only for the conversation this socket has joined (so `can_view` was checked), with no database
    work: a starting "typing" at most every TYPING_RELAY_SECONDS, a stop only after a relayed start."""
    state, conversation_id = _state(), _conversation_id(data)
    if state is None or conversation_id is None or conversation_id != state.get("conversation_id"):
        return
    if f"c{conversation_id}" not in rooms():  # taken out of it since: its permission went
        return
    typing = bool(data.get("typing"))
    now = time.monotonic()
    last = state.get("typing_at")
    if typing and last is not None and now - last < TYPING_RELAY_SECONDS:
        return
    if not typing and last is None:
        return
    session[_STATE] = {**state, "typing_at": now if typing else None}
    _relay_typing(state, conversation_id, typing=typing)


def _relay_typing(state: dict[str, Any], conversation_id: int, *, typing: bool) -> None:
    emit(
        "typing",
        {
            "conversation_id": conversation_id,
            "user_id": state["user_id"],
            "name": state["name"],
            "typing": typing,
        },
        to=f"c{conversation_id}",
        include_self=False,  # the other viewers; the sender knows it is typing
    )
