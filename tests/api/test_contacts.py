"""Contacts: search and paging, the side panel (labels, earlier conversations), validated edits and the
CSAT opt-out (audited, broadcast, never across companies)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import AuditLog, Contact, ContactLabel
from models.outbox import OutboxEvent
from tests.api.conftest import World, add_conversation


def test_list_search_and_paging(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Newest first, paged by cursor without repeats; q finds by name or phone digits."""
    with db.tenant_session(world.tenant) as session:
        for i in range(35):
            session.add(Contact(tenant_id=world.tenant, name=f"Pessoa {i}", phone_e164=f"+55319876{i:05d}"))
    api = as_user("ana")
    first = api.get("/api/v1/contacts").get_json()
    second = api.get(f"/api/v1/contacts?cursor={first['next_cursor']}").get_json()
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert len(first["items"]) == 30 and second["next_cursor"] is None
    assert len(ids) == len(set(ids)) == 42 and ids == sorted(ids, reverse=True)
    assert [c["name"] for c in api.get("/api/v1/contacts?q=pessoa 12").get_json()["items"]] == ["Pessoa 12"]
    by_phone = api.get("/api/v1/contacts?q=31 98760-0007").get_json()["items"]
    assert [c["phone"] for c in by_phone] == ["+5531987600007"]


def test_detail_has_labels_and_earlier_conversations(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """The panel lists the contact's conversations newest first, saying which ones this user may open."""
    contact_id = world.contacts["ana_closed"]
    with db.tenant_session(world.tenant) as session:
        add_conversation(
            session,
            world.tenant,
            world.inboxes["whatsapp"],
            name="-",
            phone="-",
            status="open",
            assignee_id=world.users["bruno"],
            contact_id=contact_id,
            minutes_ago=1,
        )
        session.add(ContactLabel(tenant_id=world.tenant, contact_id=contact_id, label_id=world.labels["vip"]))
    body = as_user("ana").get(f"/api/v1/contacts/{contact_id}").get_json()
    assert body["labels"] == [{"id": world.labels["vip"], "name": "VIP", "color": "#6b7280"}]
    convs = body["conversations"]
    assert [c["status"] for c in convs] == ["open", "closed"]
    assert [c["can_view"] for c in convs] == [False, True]  # Bruno's is not Ana's to open
    assert convs[0]["assignee"] == {"id": world.users["bruno"], "name": "Bruno"}


def test_patch_validates_and_normalises(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """A CPF with punctuation is stored as digits; a wrong one is a 422 in Portuguese; attributes merge."""
    api, path = as_user("ana"), f"/api/v1/contacts/{world.contacts['ana_open']}"
    ok = api.patch(
        path,
        json={
            "name": "Maria Silva",
            "cpf_cnpj": "529.982.247-25",
            "email": "Maria@Exemplo.com",
            "attributes": {"plano": "300 MB", "vencimento": 10},
        },
    )
    assert ok.status_code == 200
    body = ok.get_json()
    assert (body["name"], body["cpf_cnpj"], body["email"]) == (
        "Maria Silva",
        "52998224725",
        "maria@exemplo.com",
    )
    bad = api.patch(path, json={"cpf_cnpj": "123.456.789-00"})
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert (
        error["code"] == "invalid_document"
        and error["fields"] == ["cpf_cnpj"]
        and "CPF inválido" in error["message"]
    )
    cnpj = api.patch(path, json={"cpf_cnpj": "11.222.333/0001-80"})
    assert cnpj.status_code == 422
    merged = api.patch(path, json={"attributes": {"plano": None, "cidade": "BH"}}).get_json()
    assert merged["attributes"] == {"vencimento": 10, "cidade": "BH"}
    assert api.patch(path, json={"email": "sem-arroba"}).status_code == 422
    cleared = api.patch(path, json={"cpf_cnpj": None}).get_json()
    assert cleared["cpf_cnpj"] is None and cleared["name"] == "Maria Silva"


def _opt_out_rows(db: Any, world: World) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    """(audit rows of `contact.csat_opt_out`, `contact.updated` payloads) of the company, oldest first."""
    with db.platform_session() as session:
        audits = [
            (row.actor_user_id, row.target_type, row.target_id, row.data)
            for row in session.scalars(
                sa.select(AuditLog).where(AuditLog.action == "contact.csat_opt_out").order_by(AuditLog.id)
            )
        ]
        events = [
            row.payload
            for row in session.scalars(
                sa.select(OutboxEvent)
                .where(OutboxEvent.tenant_id == world.tenant, OutboxEvent.topic == "contact.updated")
                .order_by(OutboxEvent.id)
            )
        ]
    return audits, events


def test_csat_opt_out_is_read_patched_and_audited(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """An agent ticks the opt-out: GET shows it, the row stores it, one audit row says who and one
    `contact.updated` lets other screens reload; sending the same value again records nothing."""
    contact_id = world.contacts["ana_open"]
    api, path = as_user("ana"), f"/api/v1/contacts/{contact_id}"
    assert api.get(path).get_json()["csat_opt_out"] is False
    saved = api.patch(path, json={"csat_opt_out": True})
    assert saved.status_code == 200 and saved.get_json()["csat_opt_out"] is True
    assert api.get(path).get_json()["csat_opt_out"] is True
    assert api.patch(path, json={"csat_opt_out": True, "name": "Maria"}).status_code == 200
    with db.tenant_session(world.tenant) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.csat_opt_out is True and contact.name == "Maria"
    audits, events = _opt_out_rows(db, world)
    assert audits == [
        (world.users["ana"], "contact", str(contact_id), {"channel": "api", "before": False, "after": True})
    ]
    assert events == [{"contact_id": contact_id, "change": "csat_opt_out"}]
    cleared = api.patch(path, json={"csat_opt_out": False}).get_json()
    assert cleared["csat_opt_out"] is False
    assert [a[3]["after"] for a in _opt_out_rows(db, world)[0]] == [True, False]


def test_csat_opt_out_must_be_a_boolean(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Text, numbers or null are refused (422 naming the field); nothing changes, other fields included."""
    contact_id = world.contacts["waiting"]
    api, path = as_user("ana"), f"/api/v1/contacts/{contact_id}"
    for value in ("sim", 1, None, "true"):
        refused = api.patch(path, json={"csat_opt_out": value, "name": "Outro nome"})
        assert refused.status_code == 422, value
        assert refused.get_json()["error"]["fields"] == ["csat_opt_out"]
    body = api.get(path).get_json()
    assert body["csat_opt_out"] is False and body["name"] == "Cliente waiting"
    assert _opt_out_rows(db, world) == ([], [])


def test_another_companys_contact_is_not_found(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Provedor A's agent cannot read or opt out Provedor B's customer: 404 both ways, row untouched."""
    api, path = as_user("ana"), f"/api/v1/contacts/{world.contacts['other']}"
    assert api.get(path).status_code == 404
    refused = api.patch(path, json={"csat_opt_out": True})
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    with db.tenant_session(world.other_tenant) as session:
        contact = session.get(Contact, world.contacts["other"])
        assert contact is not None and contact.csat_opt_out is False


def test_the_inbox_page_opts_out_with_its_session_and_csrf_token(as_browser, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """The browser inbox's cookie may change it with the CSRF header (not without); audited as `web`."""
    api, token = as_browser("bruno")
    path = f"/api/v1/contacts/{world.contacts['bruno_open']}"
    assert api.patch(path, json={"csat_opt_out": True}).status_code == 400
    saved = api.patch(path, json={"csat_opt_out": True}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200 and saved.get_json()["csat_opt_out"] is True
    audits, _ = _opt_out_rows(db, world)
    assert [(a[0], a[3]["channel"]) for a in audits] == [(world.users["bruno"], "web")]
