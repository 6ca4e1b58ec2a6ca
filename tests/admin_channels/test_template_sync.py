"""“Sincronizar com a Meta” on the message templates view: created, updated and removed rows keyed by
inbox + name + language, local templates untouched, audited, pt-BR errors, refused for another
tenant's inbox and without the CSRF token; and `waba_id` on the inbox form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from models import AuditLog, Inbox
from models.enums import ChannelType
from models.provisioning import create_inbox
from models.reply import MessageTemplate
from tests.admin.conftest import World, post_form
from tests.auth.conftest import csrf_from
from tests.stubs import whatsapp_cloud_payloads as payloads
from tests.stubs.whatsapp_cloud import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERSION,
    WABA_ID,
    WhatsAppCloudStub,
)

BASE = "/admin/templates/"
SYNC = f"{BASE}sync/"


@pytest.fixture()
def meta() -> Iterator[WhatsAppCloudStub]:
    with WhatsAppCloudStub() as stub:
        yield stub


def cloud_creds(stub: WhatsAppCloudStub, **extra: str) -> dict[str, str]:
    creds = {
        "graph_base_url": f"{stub.url}/{VERSION}",
        "access_token": ACCESS_TOKEN,
        "phone_number_id": PHONE_NUMBER_ID,
        "app_secret": APP_SECRET,
        "waba_id": WABA_ID,
    }
    return {k: v for k, v in {**creds, **extra}.items() if v}


def make_inbox(db: Any, tenant_id: int, stub: WhatsAppCloudStub, *, name: str = "Meta", **extra: str) -> int:
    with db.platform_session() as session:
        inbox = create_inbox(
            session,
            tenant_id=tenant_id,
            channel=ChannelType.WHATSAPP_CLOUD,
            name=name,
            credentials=cloud_creds(stub, **extra),
        )
        return int(inbox.id)


def add_template(db: Any, tenant_id: int, inbox_id: int | None, name: str, **values: Any) -> int:
    with db.platform_session() as session:
        row = MessageTemplate(
            tenant_id=tenant_id, inbox_id=inbox_id, name=name, body=values.pop("body", "Texto"), **values
        )
        session.add(row)
        session.flush()
        return int(row.id)


def templates(db: Any, tenant_id: int) -> dict[tuple[int | None, str, str], MessageTemplate]:
    with db.platform_session() as session:
        rows = session.scalars(sa.select(MessageTemplate).where(MessageTemplate.tenant_id == tenant_id))
        return {(r.inbox_id, r.name, r.language): r for r in rows}


def sync(client: Any, inbox_id: int) -> str:
    """POST the button like the page does and return the page the redirect lands on."""
    response = post_form(client, SYNC, {"inbox_id": str(inbox_id)}, BASE)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return str(client.get(response.headers["Location"]).get_data(as_text=True))


def audits(db: Any) -> list[AuditLog]:
    with db.platform_session() as session:
        query = sa.select(AuditLog).where(AuditLog.action == "message_templates.sync").order_by(AuditLog.id)
        return list(session.scalars(query))


def test_sync_creates_updates_and_removes(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """Both of Meta's pages are stored; a stale row is updated, one Meta no longer lists is marked
    removed (not deleted), the local template is untouched; the flash counts them; audited."""
    inbox_id = make_inbox(db, world.tenant_a, meta)
    local = add_template(db, world.tenant_a, None, "fatura_aberta", body="Local {{1}}")
    stale = add_template(db, world.tenant_a, inbox_id, "fatura_aberta", body="Antigo", status="pending")
    gone = add_template(db, world.tenant_a, inbox_id, "promocao_antiga", body="Velha")
    client = login_as("admin_a")
    page = sync(client, inbox_id)
    assert "7 modelos sincronizados, 1 removido" in page
    assert len(meta.requests_to("/message_templates")) == 2
    rows = templates(db, world.tenant_a)
    assert len(rows) == 9
    invoice = rows[(inbox_id, "fatura_aberta", "pt_BR")]
    assert invoice.id == stale and invoice.status == "approved" and invoice.category == "UTILITY"
    assert invoice.body == "Olá {{1}}, sua fatura de {{2}} vence em {{3}}."
    assert [c["type"] for c in invoice.components] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    assert rows[(inbox_id, "fatura_aberta", "en_US")].body.startswith("Hello")
    assert rows[(inbox_id, "aviso_corte", "pt_BR")].status == "paused"
    assert rows[(inbox_id, "promocao_antiga", "pt_BR")].id == gone
    assert rows[(inbox_id, "promocao_antiga", "pt_BR")].status == "removed"
    mine = rows[(None, "fatura_aberta", "pt_BR")]
    assert (mine.id, mine.body, mine.status) == (local, "Local {{1}}", "approved")
    [row] = audits(db)
    assert row.tenant_id == world.tenant_a and row.actor_user_id == world.people["admin_a"].id
    assert (row.target_type, row.target_id) == ("inboxes", str(inbox_id))
    assert row.data["listed"] == 7 and row.data["removed"] == ["promocao_antiga/pt_BR"]
    assert row.data["updated"] == ["fatura_aberta/pt_BR"] and len(row.data["created"]) == 6
    assert ACCESS_TOKEN not in str(row.data)


def test_sync_again_follows_meta(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """A second sync changes nothing; then Meta pauses one and drops another: updated and removed;
    a removed one Meta lists again comes back."""
    inbox_id = make_inbox(db, world.tenant_a, meta)
    client = login_as("admin_a")
    sync(client, inbox_id)
    assert "7 modelos sincronizados." in sync(client, inbox_id)
    assert audits(db)[-1].data["created"] == [] and audits(db)[-1].data["updated"] == []
    dropped = meta.templates.pop()  # aviso_corte
    meta.templates[0] = {**meta.templates[0], "status": "PAUSED"}
    assert "6 modelos sincronizados, 1 removido" in sync(client, inbox_id)
    rows = templates(db, world.tenant_a)
    assert rows[(inbox_id, "fatura_aberta", "pt_BR")].status == "paused"
    assert rows[(inbox_id, "aviso_corte", "pt_BR")].status == "removed"
    meta.templates.append(dropped)
    sync(client, inbox_id)
    assert templates(db, world.tenant_a)[(inbox_id, "aviso_corte", "pt_BR")].status == "paused"


def test_each_inbox_keeps_its_own_templates(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """Syncing one Cloud inbox never marks another inbox's templates removed."""
    first = make_inbox(db, world.tenant_a, meta, name="Meta 1")
    second = make_inbox(db, world.tenant_a, meta, name="Meta 2")
    other = add_template(db, world.tenant_a, second, "so_na_segunda")
    sync(login_as("admin_a"), first)
    rows = templates(db, world.tenant_a)
    assert rows[(second, "so_na_segunda", "pt_BR")].id == other
    assert rows[(second, "so_na_segunda", "pt_BR")].status == "approved"
    assert len([k for k in rows if k[0] == first]) == 7


def test_without_waba_id_or_with_a_refused_token(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """Clear pt-BR errors; nothing stored; the page marks the inbox that lacks the account id."""
    no_waba = make_inbox(db, world.tenant_a, meta, name="Sem conta", waba_id="")
    bad_token = make_inbox(db, world.tenant_a, meta, name="Token velho", access_token="EAA-expired")
    client = login_as("admin_a")
    assert "Sem conta — sem WhatsApp Business Account ID" in client.get(BASE).get_data(as_text=True)
    page = sync(client, no_waba)
    assert "não tem o WhatsApp Business Account ID" in page and "Caixas de entrada &gt; Editar" in page
    assert meta.requests == []
    page = sync(client, bad_token)
    assert "A Meta recusou o token de acesso da caixa “Token velho”" in page
    good = make_inbox(db, world.tenant_a, meta, name="Instável")
    meta.fail_next(1, status=503)
    assert "Não foi possível ler os modelos na Meta" in sync(client, good)
    assert templates(db, world.tenant_a) == {} and audits(db) == []


def test_another_tenants_or_another_channels_inbox_is_refused(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """Admin B posting A's Cloud inbox, or A posting its own Telegram inbox or junk: 404, Meta never asked."""
    foreign = make_inbox(db, world.tenant_a, meta)
    with db.platform_session() as session:
        telegram = create_inbox(
            session, tenant_id=world.tenant_b, channel=ChannelType.TELEGRAM, name="Bot",
            credentials={"bot_token": "123:abc"},
        )  # fmt: skip
        telegram_id = telegram.id
    client = login_as("admin_b")
    token = csrf_from(client.get(BASE).get_data(as_text=True))
    for value in (str(foreign), str(telegram_id), "junk", ""):
        assert client.post(SYNC, data={"csrf_token": token, "inbox_id": value}).status_code == 404, value
    assert meta.requests == [] and templates(db, world.tenant_a) == {}
    assert f'value="{foreign}"' not in client.get(BASE).get_data(as_text=True)


def test_csrf_roles_and_superadmin(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """No CSRF token: 400. Supervisors read the list without the button and get 403 on the POST;
    a superadmin acting for no tenant cannot sync."""
    inbox_id = make_inbox(db, world.tenant_a, meta)
    admin = login_as("admin_a")
    assert "Sincronizar com a Meta" in admin.get(BASE).get_data(as_text=True)
    assert admin.post(SYNC, data={"inbox_id": str(inbox_id)}).status_code == 400
    supervisor = login_as("supervisor_a")
    listing = supervisor.get(BASE)
    assert listing.status_code == 200 and "Sincronizar com a Meta" not in listing.get_data(as_text=True)
    token = csrf_from(listing.get_data(as_text=True))
    assert supervisor.post(SYNC, data={"csrf_token": token, "inbox_id": str(inbox_id)}).status_code == 403
    root = login_as("root")
    token = csrf_from(root.get(BASE).get_data(as_text=True))
    assert root.post(SYNC, data={"csrf_token": token, "inbox_id": str(inbox_id)}).status_code == 403
    assert meta.requests == [] and templates(db, world.tenant_a) == {}


def test_waba_id_on_the_inbox_form(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """The edit form shows and stores `waba_id` (digits only), secrets stay blank-keeps."""
    inbox_id = make_inbox(db, world.tenant_a, meta, waba_id="")
    client = login_as("admin_a")
    url = f"/admin/inboxes/edit/?id={inbox_id}"
    assert 'name="cred-whatsapp_cloud-waba_id"' in client.get(url).get_data(as_text=True)
    data = {
        "name": "Meta",
        "is_active": "y",
        "cred-whatsapp_cloud-phone_number_id": PHONE_NUMBER_ID,
        "cred-whatsapp_cloud-graph_base_url": f"{meta.url}/{VERSION}",
        "cred-whatsapp_cloud-waba_id": "conta",
    }
    refused = post_form(client, url, data)
    assert refused.status_code == 200 and 'data-error-for="waba_id"' in refused.get_data(as_text=True)
    assert post_form(client, url, {**data, "cred-whatsapp_cloud-waba_id": WABA_ID}).status_code == 302
    with db.platform_session() as session:
        creds = session.get(Inbox, inbox_id).credentials
    assert creds["waba_id"] == WABA_ID and creds["access_token"] == ACCESS_TOKEN
    assert f'value="{WABA_ID}"' in client.get(url).get_data(as_text=True)
    assert "7 modelos sincronizados" in sync(client, inbox_id)


def test_payload_helper_counts_examples() -> None:
    """The stub's template builder gives one example per placeholder (as Meta requires)."""
    item = payloads.template("t", "{{1}} e {{2}}")
    assert item["components"][0]["example"] == {"body_text": [["exemplo 1", "exemplo 2"]]}


def test_csat_page_suggests_synced_utility_templates(
    app: Any, db: Any, world: World, login_as: Any, meta: WhatsAppCloudStub
) -> None:
    """After a sync the CSAT settings offer the approved Utility templates without variables, only."""
    inbox_id = make_inbox(db, world.tenant_a, meta)
    client = login_as("admin_a")
    assert 'list="template_name-options"' not in client.get("/admin/csat/").get_data(as_text=True)
    sync(client, inbox_id)
    page = client.get("/admin/csat/").get_data(as_text=True)
    assert 'list="template_name-options"' in page
    assert '<option value="pesquisa_satisfacao">' in page
    for name in ("fatura_aberta", "codigo_acesso", "manutencao_programada", "aviso_corte"):
        assert f'<option value="{name}">' not in page, name
