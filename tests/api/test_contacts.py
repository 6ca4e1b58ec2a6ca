"""Contacts: search and paging, the side panel (labels, earlier conversations) and validated edits."""

from __future__ import annotations

from models import Contact, ContactLabel
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
