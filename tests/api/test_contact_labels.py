"""The contact panel's data: the contact's own labels (list, add, remove, replace; broadcast; tenant
isolation), kept apart from the conversation's, and the contact's other conversations split into the
earlier and the newer ones as seen from the conversation open beside it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from models import Conversation
from models.base import utcnow
from models.enums import ConversationStatus
from models.outbox import OutboxEvent
from tests.api.conftest import World, add_conversation


def _names(response: Any) -> list[str]:
    assert response.status_code in (200, 201), response.get_json()
    return [label["name"] for label in response.get_json()["items"]]


def _contact_events(db: Any, world: World) -> list[dict[str, Any]]:
    with db.platform_session() as session:
        return [
            row.payload
            for row in session.scalars(
                sa.select(OutboxEvent)
                .where(OutboxEvent.tenant_id == world.tenant, OutboxEvent.topic == "contact.updated")
                .order_by(OutboxEvent.id)
            )
        ]


def test_add_list_replace_and_remove_contact_labels(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Adding answers 201 (200 when already there), removing 204 either way; each real change is one
    `contact.updated` outbox row, and the conversation's labels are untouched."""
    contact_id, vip, finance = world.contacts["waiting"], world.labels["vip"], world.labels["financeiro"]
    api = as_user("ana")
    path = f"/api/v1/contacts/{contact_id}/labels"
    assert _names(api.get(path)) == []
    added = api.post(path, json={"label_id": vip})
    assert added.status_code == 201 and _names(added) == ["VIP"]
    assert api.post(path, json={"label_id": vip}).status_code == 200
    assert _names(api.put(path, json={"label_ids": [finance, vip]})) == ["Financeiro", "VIP"]
    assert api.request("DELETE", f"{path}/{vip}").status_code == 204
    assert api.request("DELETE", f"{path}/{vip}").status_code == 204
    assert _names(api.get(path)) == ["Financeiro"]
    detail = api.get(f"/api/v1/contacts/{contact_id}").get_json()
    assert [label["name"] for label in detail["labels"]] == ["Financeiro"]
    conversation = api.get(f"/api/v1/conversations/{world.convs['waiting']}").get_json()
    assert conversation["labels"] == []  # contact labels are not the conversation's
    assert _contact_events(db, world) == [{"contact_id": contact_id, "change": "labels"}] * 3


def test_contact_labels_survive_into_the_next_conversation(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """A conversation's label ends with it; the contact's label is still there in the next one."""
    contact_id = world.contacts["ana_closed"]
    admin = as_user("admin")
    admin.put(
        f"/api/v1/conversations/{world.convs['ana_closed']}/labels",
        json={"label_ids": [world.labels["financeiro"]]},
    )
    admin.post(f"/api/v1/contacts/{contact_id}/labels", json={"label_id": world.labels["vip"]})
    with db.tenant_session(world.tenant) as session:
        new = add_conversation(
            session, world.tenant, world.inboxes["whatsapp"], name="-", phone="-",
            status=ConversationStatus.PENDING, contact_id=contact_id, minutes_ago=0,
        )  # fmt: skip
        new_id = new.id
    assert admin.get(f"/api/v1/conversations/{new_id}").get_json()["labels"] == []
    detail = admin.get(f"/api/v1/contacts/{contact_id}?conversation_id={new_id}").get_json()
    assert [label["name"] for label in detail["labels"]] == ["VIP"]


def test_another_companys_contact_or_label_is_not_found(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    api = as_user("ana")
    mine, theirs = world.contacts["waiting"], world.contacts["other"]
    other_label = world.labels["other"]
    assert api.get(f"/api/v1/contacts/{theirs}/labels").status_code == 404
    assert (
        api.post(f"/api/v1/contacts/{theirs}/labels", json={"label_id": world.labels["vip"]}).status_code
        == 404
    )
    assert api.post(f"/api/v1/contacts/{mine}/labels", json={"label_id": other_label}).status_code == 404
    assert api.put(f"/api/v1/contacts/{mine}/labels", json={"label_ids": [other_label]}).status_code == 404
    assert api.request("DELETE", f"/api/v1/contacts/{mine}/labels/{other_label}").status_code == 404
    assert api.request("DELETE", f"/api/v1/contacts/{theirs}/labels/{world.labels['vip']}").status_code == 404
    bad = api.put(f"/api/v1/contacts/{mine}/labels", json={"label_ids": ["vip"]})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"] == ["label_ids"]
    assert _contact_events(db, world) == []


def test_seen_from_a_conversation_the_others_split_into_earlier_and_newer(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """The panel's "Conversas anteriores" are only the ones before the open conversation; later ones
    are listed apart, oldest first; the open one is in neither."""
    contact_id = world.contacts["ana_closed"]
    now = utcnow()
    ids = {}
    closed, pending = ConversationStatus.CLOSED, ConversationStatus.PENDING
    with db.tenant_session(world.tenant) as session:
        session.get(Conversation, world.convs["ana_closed"]).created_at = now - timedelta(days=30)
        for key, days, status, inbox in (
            ("older", 60, closed, "whatsapp"),
            ("middle", 10, closed, "whatsapp"),
            ("newest", 0, pending, "cloud"),
        ):
            conv = add_conversation(
                session, world.tenant, world.inboxes[inbox], name="-", phone="-", status=status,
                contact_id=contact_id, minutes_ago=days * 24 * 60,
            )  # fmt: skip
            conv.created_at = now - timedelta(days=days)
            ids[key] = conv.id
    api = as_user("admin")
    seen = api.get(f"/api/v1/contacts/{contact_id}?conversation_id={ids['middle']}").get_json()
    assert [c["id"] for c in seen["conversations"]] == [world.convs["ana_closed"], ids["older"]]
    assert [c["id"] for c in seen["newer_conversations"]] == [ids["newest"]]
    plain = api.get(f"/api/v1/contacts/{contact_id}").get_json()
    assert "newer_conversations" not in plain and len(plain["conversations"]) == 4
    for foreign in (world.convs["waiting"], world.convs["other"]):  # another contact's, another company's
        refused = api.get(f"/api/v1/contacts/{contact_id}?conversation_id={foreign}")
        assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == ["conversation_id"]
