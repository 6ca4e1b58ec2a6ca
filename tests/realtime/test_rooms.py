"""Socket.IO rooms: the server alone decides who hears what. Events come from real domain operations
through the outbox relay and `jobs.realtime.Emitter`, so the rooms browsers join and the rooms events go
to are checked against each other."""

from __future__ import annotations

from typing import Any

from models import Conversation
from models.enums import ConversationStatus
from models.lifecycle import Actor, close, take, transfer
from models.outbound import Draft, compose
from tests.realtime.conftest import World, events, relay_all


def _in_tenant(db: Any, tenant: int, conversation_id: int, change: Any) -> None:
    with db.tenant_session(tenant) as session:
        change(session, session.get(Conversation, conversation_id))


def _conversation_ids(client: Any, name: str = "conversation.updated") -> list[int]:
    return [e["args"][0]["conversation"]["id"] for e in events(client, name)]


def test_anonymous_and_superadmin_sockets_are_refused(connect, world: World) -> None:  # type: ignore[no-untyped-def]
    """No session, or a user without an inbox (the platform superadmin), cannot open a socket."""
    assert not connect(None).is_connected()
    assert not connect(world.users["root"]).is_connected()
    assert connect(world.users["ana"]).is_connected()


def test_each_change_reaches_exactly_the_screens_that_list_the_conversation(  # type: ignore[no-untyped-def]
    rt_app, db, connect, world: World
) -> None:
    """Agents of another team and of another tenant hear nothing; the old listers hear it left; each
    browser gets each event once even when it is in several of the event's rooms."""
    clients = {key: connect(world.users[key]) for key in ("admin", "ana", "carla", "bruno", "zeca")}
    conv = world.pending_suporte

    # Ana takes it: Carla (same team) hears it left the team's waiting list; Bruno's team never had it.
    _in_tenant(db, world.tenant, conv, lambda s, c: take(s, c, world.users["ana"]))
    relay_all(rt_app)
    heard = {key: _conversation_ids(client) for key, client in clients.items()}
    assert heard == {"admin": [conv], "ana": [conv], "carla": [conv], "bruno": [], "zeca": []}

    ana = Actor.user(world.users["ana"])
    _in_tenant(
        db,
        world.tenant,
        conv,
        lambda s, c: transfer(s, c, ana, reason="boleto", team_id=world.teams["financeiro"]),
    )
    relay_all(rt_app)
    received = {key: events(client, "conversation.updated") for key, client in clients.items()}
    assert [len(received[k]) for k in ("admin", "ana", "carla", "bruno", "zeca")] == [1, 1, 0, 1, 0]
    assert received["bruno"][0]["args"][0]["conversation"]["status"] == ConversationStatus.PENDING
    assert received["ana"][0]["args"][0]["change"] == "transferred"  # ana's list drops it

    _in_tenant(
        db, world.other_tenant, world.foreign, lambda s, c: close(s, c, Actor.user(world.users["zeca"]))
    )
    relay_all(rt_app)
    heard = {key: _conversation_ids(client) for key, client in clients.items()}
    assert heard == {"admin": [], "ana": [], "carla": [], "bruno": [], "zeca": [world.foreign]}


def test_join_is_refused_for_a_conversation_the_user_cannot_see(  # type: ignore[no-untyped-def]
    rt_app, db, connect, world: World
) -> None:
    bruno, ana, admin = (connect(world.users[k]) for k in ("bruno", "ana", "admin"))
    conv = world.pending_suporte

    def join(client: Any, value: Any) -> dict[str, Any]:
        ack: dict[str, Any] = client.emit("join_conversation", {"conversation_id": value}, callback=True)
        return ack

    assert join(bruno, conv) == {"ok": False, "error": "forbidden"}  # waiting for another team
    assert join(admin, world.foreign) == {"ok": False, "error": "forbidden"}  # another tenant
    assert join(ana, 999_999)["ok"] is False
    assert join(ana, "1; drop")["error"] == "invalid"
    assert join(ana, conv) == {"ok": True, "conversation_id": conv}

    # A note on the conversation: its room and the team's room hear it, the refused browser does not.
    def note(session: Any, c: Conversation) -> None:
        compose(session, c, Draft(text="cliente VIP", is_private=True), Actor.user(world.users["admin"]))

    bruno.get_received()
    _in_tenant(db, world.tenant, conv, note)
    relay_all(rt_app)
    assert [e["args"][0]["message"]["text"] for e in events(ana, "message.created")] == ["cliente VIP"]
    assert events(bruno) == []


def test_typing_reaches_only_the_other_viewers_and_is_rate_limited(connect, world: World) -> None:  # type: ignore[no-untyped-def]
    ana, admin, bruno, zeca = (connect(world.users[k]) for k in ("ana", "admin", "bruno", "zeca"))
    conv = world.pending_suporte
    for viewer in (ana, admin):
        assert viewer.emit("join_conversation", {"conversation_id": conv}, callback=True)["ok"]
    for client in (ana, admin, bruno, zeca):
        client.get_received()

    ana.emit("typing", {"conversation_id": conv, "typing": True})
    ana.emit("typing", {"conversation_id": conv, "typing": True})  # within the relay interval: dropped
    ana.emit("typing", {"conversation_id": world.foreign, "typing": True})  # not the joined one: dropped
    bruno.emit("typing", {"conversation_id": conv, "typing": True})  # never joined: dropped
    ana.emit("typing", {"conversation_id": conv, "typing": False})
    ana.emit("typing", {"conversation_id": conv, "typing": False})  # nothing to stop

    typing = [e["args"][0] for e in events(admin, "typing")]
    assert typing == [
        {"conversation_id": conv, "user_id": world.users["ana"], "name": "Ana", "typing": True},
        {"conversation_id": conv, "user_id": world.users["ana"], "name": "Ana", "typing": False},
    ]
    assert events(ana) == [] and events(bruno) == [] and events(zeca) == []


def test_leaving_a_conversation_stops_its_typing_and_room(connect, world: World) -> None:  # type: ignore[no-untyped-def]
    """Switching away tells the others the typing stopped, and the old room's events stop coming."""
    ana, admin = connect(world.users["ana"]), connect(world.users["admin"])
    conv = world.pending_suporte
    for viewer in (ana, admin):
        viewer.emit("join_conversation", {"conversation_id": conv}, callback=True)
    admin.emit("typing", {"conversation_id": conv, "typing": True})
    assert [e["args"][0]["typing"] for e in events(ana, "typing")] == [True]

    admin.emit("leave_conversation", {}, callback=True)
    assert [e["args"][0]["typing"] for e in events(ana, "typing")] == [False]
    ana.emit("typing", {"conversation_id": conv, "typing": True})
    assert events(admin) == []
