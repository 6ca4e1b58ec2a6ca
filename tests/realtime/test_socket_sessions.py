"""Open sockets end with their browser session: logout, a password change in another session, or the
session's idle timeout disconnects them, and from then on they hear nothing of the tenant."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from flask_socketio import SocketIOTestClient

from models import User
from models.conversation import Conversation
from models.lifecycle import take
from models.passwords import hash_password
from tests.auth.conftest import csrf
from tests.realtime.conftest import World, events, relay_all, sign_in
from web import realtime
from web.auth import session as web_session
from web.auth import sockets
from web.auth.sockets import ENDED_EVENT

PASSWORD = "senha-antiga-1"


def _browser(app: Flask, user_id: int) -> tuple[Any, SocketIOTestClient]:
    """A signed-in browser: its page client (cookie) and its socket, on a session of its own."""
    http = app.test_client()
    sign_in(app, http, user_id)
    return http, realtime.socketio.test_client(app, flask_test_client=http)


def _heard(socket: SocketIOTestClient, name: str | None = None) -> list[Any]:
    """What a socket received, connected or not (the test client's `get_received` refuses a closed one),
    and forget it."""
    heard, socket.queue = socket.queue, []
    return [e["args"][0] for e in heard if name is None or e["name"] == name]


def _recorded(app: Flask, user_id: int) -> dict[bytes, bytes]:
    return dict(app.extensions["niochat"].redis.hgetall(f"niochat:sockets:{user_id}"))


def _take_for_ana(db: Any, world: World) -> None:
    """A change every screen of the tenant's admin hears (room t{tenant}:all)."""
    with db.tenant_session(world.tenant) as session:
        conv = session.get(Conversation, world.pending_suporte)
        take(session, conv, world.users["ana"])


def test_logout_disconnects_that_sessions_sockets_only(rt_app, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """The logged-out tab's socket is told and dropped and hears nothing more; the same user's other
    browser keeps its socket and its events."""
    admin = world.users["admin"]
    page, socket = _browser(rt_app, admin)
    _other_page, other_socket = _browser(rt_app, admin)
    assert socket.is_connected() and other_socket.is_connected()
    assert len(_recorded(rt_app, admin)) == 2
    socket.get_received(), other_socket.get_received()

    assert page.post("/logout", data={"csrf_token": csrf(page, "/account")}).status_code == 302

    assert not socket.is_connected()
    assert _heard(socket) == [{"reconnect": False}]
    assert other_socket.is_connected() and not events(other_socket, ENDED_EVENT)
    assert len(_recorded(rt_app, admin)) == 1

    _take_for_ana(db, world)
    relay_all(rt_app)
    assert events(other_socket, "conversation.updated")
    assert _heard(socket) == []


def test_password_change_disconnects_the_other_sessions_sockets(rt_app, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """The session that changed the password keeps its socket; every other session's is ended."""
    admin = world.users["admin"]
    with db.platform_session() as session:
        session.get(User, admin).password_hash = hash_password(PASSWORD)
    page, socket = _browser(rt_app, admin)
    _other_page, other_socket = _browser(rt_app, admin)
    ana_page, ana_socket = _browser(rt_app, world.users["ana"])

    changed = page.post(
        "/account/password",
        data={"current": PASSWORD, "new": "senha-nova-22", "confirm": "senha-nova-22",
              "csrf_token": csrf(page, "/account")},
    )  # fmt: skip
    assert changed.status_code == 302

    assert socket.is_connected() and not events(socket, ENDED_EVENT)
    assert not other_socket.is_connected() and _heard(other_socket, ENDED_EVENT) == [{"reconnect": False}]
    assert ana_socket.is_connected(), "another user's sockets are not touched"
    assert ana_page.get("/account").status_code == 200


def test_a_closed_socket_is_forgotten(rt_app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The disconnect handler removes the socket's record: logout later finds nothing stale to end."""
    _page, socket = _browser(rt_app, world.users["ana"])
    assert len(_recorded(rt_app, world.users["ana"])) == 1
    socket.disconnect()
    assert _recorded(rt_app, world.users["ana"]) == {}


def test_an_idle_sessions_sockets_end_at_the_sweep_after_its_timeout(rt_app, world: World) -> None:  # type: ignore[no-untyped-def]
    """Connecting counts as activity, for the user's idle timeout; once that passes with no request, the
    sweep ends the session's sockets, and leaves an active session's alone."""
    idle_page, idle = _browser(rt_app, world.users["admin"])
    _page, active = _browser(rt_app, world.users["ana"])
    redis = rt_app.extensions["niochat"].redis
    with idle_page.session_transaction() as cookie:
        alive = f"niochat:session-alive:{cookie[web_session.SID]}"
    assert 479 * 60 < redis.ttl(alive) <= 480 * 60  # User.session_timeout_minutes

    redis.delete(alive)  # the timeout passed with no request
    with rt_app.app_context():
        assert sockets.end_idle_sockets() == 1

    assert not idle.is_connected() and _heard(idle, ENDED_EVENT) == [{"reconnect": False}]
    assert active.is_connected()


def test_a_page_request_keeps_the_session_and_its_sockets_alive(rt_app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The request that stamps the session's activity also renews its sockets' lease."""
    page, socket = _browser(rt_app, world.users["admin"])
    redis = rt_app.extensions["niochat"].redis
    with page.session_transaction() as cookie:
        alive = f"niochat:session-alive:{cookie[web_session.SID]}"
        cookie[web_session.SEEN] -= web_session.SEEN_RESOLUTION  # the last stamp is old enough to renew
    redis.delete(alive)

    assert page.get("/account").status_code == 200

    assert redis.ttl(alive) > 0
    with rt_app.app_context():
        assert sockets.end_idle_sockets() == 0
    assert socket.is_connected()


def test_the_sweeper_ends_idle_sockets_by_itself(rt_app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The web process's sweeper thread (started on its first socket outside tests) does the sweeping."""
    page, socket = _browser(rt_app, world.users["admin"])
    with page.session_transaction() as cookie:
        rt_app.extensions["niochat"].redis.delete(f"niochat:session-alive:{cookie[web_session.SID]}")
    stop = sockets.start_sweeper(rt_app, interval=0.05)
    try:
        assert sockets.start_sweeper(rt_app) is stop, "one sweeper per app"
        deadline = time.monotonic() + 5
        while socket.is_connected() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not socket.is_connected()
    finally:
        stop.set()
