"""Rooms follow permissions after they were granted (jobs/room_access.py), end to end: a real web server
with its Redis message queue, the relay publishing through Redis as from another process, and raw
python-socketio clients that join a conversation and never leave it by themselves. When the conversation
is reassigned, transferred to a team they are not in, or their role, team or account changes, they stop
hearing its messages; whoever may still look goes on hearing them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio
from flask import Flask
from werkzeug.serving import make_server

from models import User
from models.access import access_changed
from models.conversation import Conversation
from models.enums import ChannelType, ConversationStatus, Role
from models.inbox import Inbox
from models.lifecycle import SYSTEM, Actor, assign, take, transfer
from models.message import Message
from models.outbox_ops import MESSAGE_CREATED, record
from models.teams import get_team, remove_member
from tests.factories import make_conversation, make_message
from tests.realtime.conftest import World, relay_all, sign_in
from web.auth.sockets import ENDED_EVENT


@dataclass
class Browser:
    """A raw Socket.IO client with a signed-in session cookie; it only ever does what the test says."""

    client: socketio.Client
    heard: list[tuple[str, Any]] = field(default_factory=list)

    def join(self, conversation_id: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.call("join_conversation", {"conversation_id": conversation_id})
        return answer

    def messages_of(self, conversation_id: int) -> list[str]:
        return [
            data["message"]["text"]
            for event, data in list(self.heard)
            if event == "message.created" and data["conversation"]["id"] == conversation_id
        ]

    def ended(self) -> list[Any]:
        return [data for event, data in list(self.heard) if event == ENDED_EVENT]


Live = Callable[[int], Browser]


@pytest.fixture()
def live(app: Flask) -> Iterator[Live]:
    """live(user_id) → a connected raw client of a real server (werkzeug, threads, Redis message queue)."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    browsers: list[Browser] = []

    def _open(user_id: int) -> Browser:
        page = app.test_client()
        sign_in(app, page, user_id)
        cookie = page.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        browser = Browser(socketio.Client(reconnection=False))
        browser.client.on("*", lambda event, data: browser.heard.append((event, data)))
        browser.client.connect(
            f"http://127.0.0.1:{http.server_port}",
            headers={"Cookie": f"{cookie.key}={cookie.value}"},
            transports=["polling"],
        )
        browsers.append(browser)
        return browser

    yield _open
    for browser in browsers:
        if browser.client.connected:
            browser.client.disconnect()
    http.shutdown()


def _until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _say(app: Flask, db: Any, world: World, conversation_id: int, text: str) -> None:
    """A customer's message in the conversation, relayed as a webhook's would be."""
    with db.tenant_session(world.tenant) as session:
        conv = session.get(Conversation, conversation_id)
        message = make_message(session, conv, text)
        record(session, world.tenant, MESSAGE_CREATED, message_id=message.id, conversation_id=conv.id)
    relay_all(app)


@pytest.fixture()
def bot_conversation(db: Any, world: World) -> int:
    """A conversation with the AI: every agent of the tenant may look, so it marks the end of a burst."""
    with db.tenant_session(world.tenant) as session:
        inbox_id = session.query(Inbox.id).filter(Inbox.channel_type == ChannelType.EVOLUTION).scalar()
        return make_conversation(
            session, world.tenant, inbox_id, phone="+5511987650009", status=ConversationStatus.BOT
        ).id


def _say_then_mark(
    app: Flask, db: Any, world: World, conversation_id: int, marker: int, *hearing: Browser
) -> None:
    """Say something in the conversation, then in `marker` (which everyone in `hearing` may see): once
    they heard the marker, whatever the first message was going to reach them has reached them (one
    Redis channel, one server thread, one socket: in order)."""
    _say(app, db, world, conversation_id, "depois da mudança")
    _say(app, db, world, marker, "marcador")
    for browser in hearing:
        _until(lambda b=browser: "marcador" in b.messages_of(marker))  # type: ignore[misc]


def test_reassigned_away_she_stops_hearing_it(
    app: Flask, db: Any, world: World, live: Live, bot_conversation: int
) -> None:
    """Ana and Carla (suporte) open the waiting conversation; Ana takes it, so Carla may no longer look
    and is taken out of its room; then an admin gives it to Bruno and Ana is taken out too."""
    x = world.pending_suporte
    ana, carla, admin = live(world.users["ana"]), live(world.users["carla"]), live(world.users["admin"])
    for browser in (ana, carla, admin):
        assert browser.join(x)["ok"] is True

    with db.tenant_session(world.tenant) as session:
        take(session, session.get(Conversation, x), world.users["ana"])
    relay_all(app)
    _say_then_mark(app, db, world, x, bot_conversation, ana, carla, admin)
    assert ana.messages_of(x) == ["depois da mudança"]
    assert carla.messages_of(x) == [], "Carla can no longer see it (her GET answers 404)"

    with db.tenant_session(world.tenant) as session:
        assign(session, session.get(Conversation, x), world.users["bruno"], Actor.user(world.users["admin"]))
    relay_all(app)
    _say_then_mark(app, db, world, x, bot_conversation, ana, admin)
    assert ana.messages_of(x) == ["depois da mudança"], "nothing after it went to Bruno"
    assert admin.messages_of(x) == ["depois da mudança"] * 2, "the admin still sees everything"
    assert ana.client.connected and carla.client.connected, "only the room is taken away"


def test_transferred_to_another_team_she_stops_hearing_it(
    app: Flask, db: Any, world: World, live: Live, bot_conversation: int
) -> None:
    x = world.pending_suporte
    with db.tenant_session(world.tenant) as session:
        take(session, session.get(Conversation, x), world.users["ana"])
    relay_all(app)
    ana, bruno = live(world.users["ana"]), live(world.users["bruno"])
    assert ana.join(x)["ok"] is True
    assert bruno.join(x) == {"ok": False, "error": "forbidden"}

    with db.tenant_session(world.tenant) as session:
        conv = session.get(Conversation, x)
        transfer(
            session, conv, Actor.user(world.users["ana"]), reason="boleto", team_id=world.teams["financeiro"]
        )
    relay_all(app)
    _say_then_mark(app, db, world, x, bot_conversation, ana, bruno)
    assert ana.messages_of(x) == [], "waiting for Financeiro, which Ana is not in"
    assert bruno.messages_of(x) == ["depois da mudança"], "Financeiro's waiting list hears it"


def test_closed_by_the_system_her_own_stays_hers(
    app: Flask, db: Any, world: World, live: Live, bot_conversation: int
) -> None:
    """The assignee may look at her closed conversations: closing it takes nothing away."""
    from models.lifecycle import close

    x = world.pending_suporte
    with db.tenant_session(world.tenant) as session:
        take(session, session.get(Conversation, x), world.users["ana"])
    ana = live(world.users["ana"])
    assert ana.join(x)["ok"] is True
    with db.tenant_session(world.tenant) as session:
        close(session, session.get(Conversation, x), SYSTEM)
    relay_all(app)
    _say_then_mark(app, db, world, x, bot_conversation, ana)
    assert ana.messages_of(x) == ["depois da mudança"]


def test_role_lowered_her_sockets_reconnect_into_her_new_rooms(
    app: Flask, db: Any, world: World, live: Live, bot_conversation: int
) -> None:
    """An admin watching Bruno's conversation becomes an agent: her sockets are ended with `reconnect`,
    and a new socket is given an agent's rooms and refused the conversation."""
    x = world.pending_suporte
    with db.tenant_session(world.tenant) as session:
        assign(session, session.get(Conversation, x), world.users["bruno"], SYSTEM)
    relay_all(app)
    admin = live(world.users["admin"])
    assert admin.join(x)["ok"] is True

    with db.tenant_session(world.tenant) as session:
        session.get(User, world.users["admin"]).role = Role.AGENT
        access_changed(session, world.tenant, world.users["admin"])
    relay_all(app)
    _until(lambda: not admin.client.connected)
    assert admin.ended() == [{"reconnect": True}]
    _say(app, db, world, x, "depois da mudança")

    again = live(world.users["admin"])
    assert again.join(x) == {"ok": False, "error": "forbidden"}
    _say_then_mark(app, db, world, x, bot_conversation, again)
    assert admin.messages_of(x) == [] and again.messages_of(x) == []


def test_removed_from_the_team_she_stops_hearing_its_waiting_conversation(
    app: Flask, db: Any, world: World, live: Live, bot_conversation: int
) -> None:
    x = world.pending_suporte
    ana, carla = live(world.users["ana"]), live(world.users["carla"])
    assert ana.join(x)["ok"] is True and carla.join(x)["ok"] is True

    with db.tenant_session(world.tenant) as session:
        team = get_team(session, world.tenant, world.teams["suporte"])
        assert team is not None and remove_member(session, team, world.users["ana"]) is True
    relay_all(app)
    _until(lambda: not ana.client.connected)
    assert ana.ended() == [{"reconnect": True}]
    _say_then_mark(app, db, world, x, bot_conversation, carla)
    assert ana.messages_of(x) == []
    assert carla.messages_of(x) == ["depois da mudança"] and carla.client.connected

    again = live(world.users["ana"])
    assert again.join(x) == {"ok": False, "error": "forbidden"}


def test_deactivated_her_sockets_end_for_good(app: Flask, db: Any, world: World, live: Live) -> None:
    ana = live(world.users["ana"])
    assert ana.join(world.pending_suporte)["ok"] is True
    with db.tenant_session(world.tenant) as session:
        session.get(User, world.users["ana"]).is_active = False
        access_changed(session, world.tenant, world.users["ana"])
    relay_all(app)
    _until(lambda: not ana.client.connected)
    assert ana.ended() == [{"reconnect": False}], "the page reloads into the login page"


def test_a_refused_join_leaves_no_trace(app: Flask, db: Any, world: World, live: Live) -> None:
    """Joining records the socket as a viewer before the check; a refusal takes it back out."""
    bruno = live(world.users["bruno"])
    assert bruno.join(world.pending_suporte) == {"ok": False, "error": "forbidden"}
    assert app.extensions["niochat"].redis.hgetall(f"niochat:viewers:{world.pending_suporte}") == {}
    assert Message is not None  # (imported for the factories' side effects on the mapper registry)


def test_the_teams_api_refreshes_a_removed_members_sockets(
    rt_app: Flask, db: Any, world: World, connect: Any
) -> None:
    """The API's change reaches the sockets by itself: its outbox row is relayed after the commit (here
    through the in-process server of tests/realtime/conftest.py)."""
    from tests.auth.conftest import csrf

    ana = connect(world.users["ana"])
    assert ana.emit("join_conversation", {"conversation_id": world.pending_suporte}, callback=True)["ok"]
    admin = rt_app.test_client()
    sign_in(rt_app, admin, world.users["admin"])
    removed = admin.delete(
        f"/api/v1/teams/{world.teams['suporte']}/members/{world.users['ana']}",
        headers={"X-CSRFToken": csrf(admin, "/account")},
    )
    assert removed.status_code == 204
    _until(lambda: not ana.is_connected())
    assert [e["args"][0] for e in ana.queue if e["name"] == ENDED_EVENT] == [{"reconnect": True}]


def test_a_join_racing_a_transition_is_checked_again_once_in_the_room(
    rt_app: Flask, world: World, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first check read the state from before a transition (stubbed here to say yes); the check made
    after joining sees the committed state, so the socket is taken out again and never stays."""
    from web import realtime

    real, calls = realtime._may_view, []

    def stale_then_real(*args: Any) -> bool:
        calls.append(args)
        return True if len(calls) == 1 else real(*args)

    monkeypatch.setattr(realtime, "_may_view", stale_then_real)
    bruno = connect(world.users["bruno"])
    answer = bruno.emit("join_conversation", {"conversation_id": world.pending_suporte}, callback=True)
    assert answer == {"ok": False, "error": "forbidden"} and len(calls) == 2
    sid = next(
        iter(rt_app.extensions["niochat"].redis.hkeys(f"niochat:sockets:{world.users['bruno']}"))
    ).decode()
    assert f"c{world.pending_suporte}" not in realtime.socketio.server.rooms(sid, namespace="/")
    assert rt_app.extensions["niochat"].redis.hgetall(f"niochat:viewers:{world.pending_suporte}") == {}
