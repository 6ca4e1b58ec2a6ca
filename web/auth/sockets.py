"""A session's open Socket.IO connections end with it.

Rooms are joined once, when a socket connects (web/realtime.py), and a socket stays open for hours: without
this, a browser that logged out in another tab, or whose password was changed elsewhere, would go on
receiving its customers' messages. Each connected socket is recorded in Redis under its user, with the
browser session it belongs to (`niochat:sockets:{user id}`: socket id → session id), so any web process
can end the sockets of one session (logout) or of every other session (the password or 2FA changed).
Ending one sends it `session.ended` and disconnects it through Socket.IO's message queue, which reaches
the process that holds it; the page then reloads (back to the login page) or reconnects, and a reconnect
is authenticated and given its rooms afresh. A change to a user's access (role, teams, deactivation) is
recorded with `models.access.access_changed` instead: the relay ends the sockets the same way once the
change is committed (jobs/room_access.py), with `reconnect` unless the user has no inbox any more.

Idle sessions end too. A session's activity (the requests that stamp it, and its sockets' connects) keeps
`niochat:session-alive:{session id}` alive for the user's idle timeout; each web process sweeps every
SWEEP_SECONDS and ends the sockets whose session key has expired, as the next page request would end the
session itself. A tab left open no longer keeps its rooms past the timeout.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from flask import Flask, current_app
from redis import RedisError

from jobs.room_access import ENDED_EVENT, SOCKETS_KEY, VIEWERS_KEY, VIEWERS_TTL_SECONDS
from web.services import services

log = logging.getLogger(__name__)
_KEY = SOCKETS_KEY
# Refreshed by every connect; a record outlives its socket only when a web process died without its
# disconnect handlers, and ending a socket that is gone is harmless.
_TTL_SECONDS = 30 * 24 * 3600
_ALIVE_KEY = "niochat:session-alive:{}"
SWEEP_SECONDS = 30.0
_sweeper_lock = threading.Lock()
_SWEEPER = "niochat.socket_sweeper"  # app.extensions: the stop event of the app's sweeper


def keep_alive(session_id: str | None, idle_minutes: int) -> None:
    """The session was active: it, and its sockets, live `idle_minutes` more."""
    if not session_id:
        return
    try:
        services().redis.set(_ALIVE_KEY.format(session_id), "1", ex=60 * max(1, idle_minutes))
    except RedisError as exc:  # the sweep then ends its sockets early; the page reloads and stays in
        log.warning("could not record a session's activity: %s", exc)


def register(user_id: int, socket_id: str, session_id: str | None) -> None:
    key = _KEY.format(user_id)
    try:
        with services().redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, socket_id, session_id or "")
            pipe.expire(key, _TTL_SECONDS)
            pipe.execute()
    except RedisError as exc:  # the socket still works; only a later logout cannot reach it
        log.warning("could not record a socket for its session: %s", exc)


def unregister(user_id: int, socket_id: str) -> None:
    try:
        services().redis.hdel(_KEY.format(user_id), socket_id)
    except RedisError as exc:
        log.warning("could not forget a closed socket: %s", exc)


def add_viewer(conversation_id: int, socket_id: str, user_id: int) -> None:
    """The socket is joining `c{conversation_id}`: recorded so the relay can take it out again when a
    change takes the user's permission away (jobs/room_access.py)."""
    key = VIEWERS_KEY.format(conversation_id)
    try:
        with services().redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, socket_id, user_id)
            pipe.expire(key, VIEWERS_TTL_SECONDS)
            pipe.execute()
    except RedisError as exc:  # the room works; only a later change cannot take it away
        log.warning("could not record a conversation's viewer: %s", exc)


def remove_viewer(conversation_id: int, socket_id: str) -> None:
    try:
        services().redis.hdel(VIEWERS_KEY.format(conversation_id), socket_id)
    except RedisError as exc:
        log.warning("could not forget a conversation's viewer: %s", exc)


def end_sockets(
    user_id: int,
    *,
    session_id: str | None = None,
    except_session: str | None = None,
    reconnect: bool = False,
) -> int:
    """Disconnect the user's sockets: those of `session_id`, or all but `except_session`'s, or all.
    `reconnect` tells the page to connect again (its access changed) rather than reload (it ended).
    Returns how many were ended."""
    try:
        recorded = _recorded(_KEY.format(user_id))
    except RedisError as exc:
        log.warning("could not end the sockets of a session: %s", exc)
        return 0
    ending = [
        sid
        for sid, sess in recorded.items()
        if (session_id is None or sess == session_id) and (except_session is None or sess != except_session)
    ]
    return _end(_KEY.format(user_id), ending, reconnect)


def end_idle_sockets() -> int:
    """End the sockets of every session whose activity key has expired; returns how many."""
    redis = services().redis
    ended = 0
    for key in redis.scan_iter(match=_KEY.format("*"), count=500):
        recorded = _recorded(key)
        sessions = sorted(set(recorded.values()))
        with redis.pipeline(transaction=False) as pipe:
            for sess in sessions:
                pipe.exists(_ALIVE_KEY.format(sess))
            idle = {sess for sess, found in zip(sessions, pipe.execute(), strict=True) if not found}
        ended += _end(key, [sid for sid, sess in recorded.items() if sess in idle], reconnect=False)
    return ended


def _recorded(key: bytes | str) -> dict[str, str]:
    """One user's record: socket id → session id."""
    return {_text(sid): _text(sess) for sid, sess in services().redis.hgetall(key).items()}


def _end(key: bytes | str, socket_ids: list[str], reconnect: bool) -> int:
    """Tell these sockets why, disconnect them wherever they are held, and drop them from the record."""
    server = current_app.extensions.get("socketio")
    if server is None or not socket_ids:  # a process without Socket.IO (webhooks) has no sockets to end
        return 0
    for sid in socket_ids:
        server.emit(ENDED_EVENT, {"reconnect": reconnect}, to=sid, namespace="/")
        server.server.disconnect(sid, namespace="/")
    with contextlib.suppress(RedisError):  # the disconnect handlers remove them too
        services().redis.hdel(key, *socket_ids)
    return len(socket_ids)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def start_sweeper(app: Flask, interval: float = SWEEP_SECONDS) -> threading.Event:
    """Once per app and process, on its first socket (a process that never serves one sweeps nothing).
    Returns the event that stops it."""
    with _sweeper_lock:
        stop: threading.Event | None = app.extensions.get(_SWEEPER)
        if stop is not None:
            return stop
        stop = app.extensions[_SWEEPER] = threading.Event()
    threading.Thread(
        target=_sweep_forever, args=(app, interval, stop), name="socket-idle-sweeper", daemon=True
    ).start()
    return stop


def _sweep_forever(app: Flask, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            with app.app_context():
                end_idle_sockets()
        except Exception:  # Redis down, say: the next sweep tries again
            log.exception("idle socket sweep failed")
