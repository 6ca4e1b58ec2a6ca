"""`contact.updated`: a contact's labels are everyone's in the tenant (contacts are tenant-wide), so the
event reaches every inbox user of the tenant, once each, carrying ids only, and no one elsewhere."""

from __future__ import annotations

from models import Conversation, Label, contact_labels
from tests.realtime.conftest import World, events, relay_all


def test_a_contact_label_change_reaches_every_user_of_the_tenant_once(  # type: ignore[no-untyped-def]
    rt_app, db, connect, world: World
) -> None:
    clients = {key: connect(world.users[key]) for key in ("admin", "ana", "bruno", "carla", "zeca")}
    with db.tenant_session(world.tenant) as session:
        contact = session.get(Conversation, world.pending_suporte).contact
        label = Label(tenant_id=world.tenant, name="Cliente VIP")
        session.add(label)
        session.flush()
        contact_labels.add_label(session, contact, label)
        contact_id = contact.id
    relay_all(rt_app)
    heard = {
        key: [e["args"][0] for e in events(client, "contact.updated")] for key, client in clients.items()
    }
    expected = [{"contact_id": contact_id, "change": "labels"}]
    assert heard == {"admin": expected, "ana": expected, "bruno": expected, "carla": expected, "zeca": []}
