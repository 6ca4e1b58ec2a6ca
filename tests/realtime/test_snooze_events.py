"""Snooze and availability on the wire: a snooze and its wake-up reach the screens that list the
conversation (so lists drop it and bring it back); an agent's Online / Ausente reaches every inbox user
of the tenant and nobody else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models import User
from models.availability import set_availability
from models.base import utcnow
from models.enums import Availability
from models.lifecycle import SYSTEM, lock
from models.snooze import snooze, unsnooze
from tests.realtime.conftest import World, events, relay_all


def test_availability_reaches_the_whole_tenant_only(rt_app, db, connect, world: World) -> None:  # type: ignore[no-untyped-def]
    clients = {key: connect(world.users[key]) for key in ("admin", "ana", "bruno", "zeca")}
    with db.tenant_session(world.tenant) as session:
        set_availability(session, session.get(User, world.users["bruno"]), Availability.AWAY)
    relay_all(rt_app)
    heard = {
        key: [e["args"][0] for e in events(client, "user.availability")] for key, client in clients.items()
    }
    expected = [{"user_id": world.users["bruno"], "availability": "away"}]
    assert heard == {"admin": expected, "ana": expected, "bruno": expected, "zeca": []}


def test_snooze_and_wake_reach_the_listing_screens(rt_app, db, connect, world: World) -> None:  # type: ignore[no-untyped-def]
    """The waiting conversation of Suporte: Ana (Suporte) and the admin hear both changes, with
    `snoozed_until` set and then cleared; Bruno (Financeiro) hears nothing."""
    clients = {key: connect(world.users[key]) for key in ("admin", "ana", "bruno")}
    with db.tenant_session(world.tenant) as session:
        snooze(session, lock(session, world.pending_suporte), utcnow() + timedelta(hours=1), SYSTEM)
    relay_all(rt_app)
    with db.tenant_session(world.tenant) as session:
        unsnooze(session, lock(session, world.pending_suporte), SYSTEM)
    relay_all(rt_app)

    def changes(client: Any) -> list[tuple[str, bool]]:
        return [
            (e["args"][0]["change"], e["args"][0]["conversation"]["snoozed_until"] is not None)
            for e in events(client, "conversation.updated")
        ]

    heard = {key: changes(client) for key, client in clients.items()}
    both = [("snoozed", True), ("unsnoozed", False)]
    assert heard == {"admin": both, "ana": both, "bruno": []}
