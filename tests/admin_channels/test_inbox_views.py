"""The inbox pages: create per channel, secrets never rendered back, QR connect polled until open,
webhook, history and failed sends — every action audited and refused on another tenant's inbox."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from models import AuditLog, Inbox
from models.enums import ChannelType
from models.provisioning import create_inbox
from tests.admin.conftest import World, post_form
from tests.auth.conftest import csrf_from
from tests.stubs import EvolutionStub
from tests.stubs import evolution as evo_stub

BASE = "/admin/inboxes/"


@pytest.fixture()
def evo() -> Any:
    stub = EvolutionStub(instance="isp01").start()
    yield stub
    stub.stop()


def creds(stub: Any, instance: str = "loja01") -> dict[str, str]:
    return {
        "cred-evolution-base_url": stub.url,
        "cred-evolution-api_key": evo_stub.API_KEY,
        "cred-evolution-instance": instance,
    }


def make_inbox(db: Any, tenant_id: int, stub: Any, instance: str = "isp01") -> int:
    with db.platform_session() as session:
        inbox = create_inbox(
            session, tenant_id=tenant_id, channel=ChannelType.EVOLUTION, name="WhatsApp",
            credentials={"base_url": stub.url, "api_key": evo_stub.API_KEY, "instance": instance},
        )  # fmt: skip
        return int(inbox.id)


def audits(db: Any, action: str) -> list[AuditLog]:
    with db.platform_session() as session:
        return list(session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_create_shows_the_webhook_secret_once(
    jobctx: Any, app: Any, db: Any, world: World, login_as: Any, evo: Any
) -> None:
    """A tenant admin creates an Evolution inbox; the page after shows our secret once, then masked;
    the audit row has the credentials masked and no secret at all."""
    client = login_as("admin_a")
    data = {"channel_type": "evolution", "name": "Loja", "ai_enabled": "y", **creds(evo)}
    response = post_form(client, f"{BASE}new/", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with db.platform_session() as session:
        inbox = session.scalar(sa.select(Inbox).where(Inbox.name == "Loja"))
        assert inbox.tenant_id == world.tenant_a and inbox.credentials["api_key"] == evo_stub.API_KEY
        secret, inbox_id = inbox.webhook_secret, inbox.id
    first = client.get(response.headers["Location"]).get_data(as_text=True)
    assert secret in first and "/webhooks/evolution/" in first
    again = client.get(f"{BASE}details/?id={inbox_id}").get_data(as_text=True)
    assert secret not in again and evo_stub.API_KEY not in again
    [row] = audits(db, "inboxes.create")
    assert row.tenant_id == world.tenant_a and row.actor_user_id == world.people["admin_a"].id
    assert evo_stub.API_KEY not in str(row.data) and secret not in str(row.data)


def test_bad_credentials_are_named_and_not_echoed(app: Any, db: Any, world: World, login_as: Any) -> None:
    """A Meta inbox without app secret and with a phone number as id: both fields named; the typed
    access token is not rendered back; nothing stored."""
    client = login_as("admin_a")
    data = {
        "channel_type": "whatsapp_cloud",
        "name": "Meta",
        "cred-whatsapp_cloud-phone_number_id": "+55 11 3000",
        "cred-whatsapp_cloud-access_token": "EAAtyped",
    }
    response = post_form(client, f"{BASE}new/", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-error-for="app_secret"' in body and 'data-error-for="phone_number_id"' in body
    assert "EAAtyped" not in body
    with db.platform_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Inbox)) == 0


def test_edit_keeps_a_blank_secret(app: Any, db: Any, world: World, login_as: Any, evo: Any) -> None:
    """Saving the edit form with the key blank keeps the stored key; the change is audited masked."""
    inbox_id = make_inbox(db, world.tenant_a, evo)
    client = login_as("admin_a")
    page = client.get(f"{BASE}edit/?id={inbox_id}").get_data(as_text=True)
    assert evo_stub.API_KEY not in page
    data = {"name": "Loja nova", "is_active": "y", **creds(evo, "isp01"), "cred-evolution-api_key": ""}
    response = post_form(client, f"{BASE}edit/?id={inbox_id}", data)
    assert response.status_code == 302
    with db.platform_session() as session:
        inbox = session.get(Inbox, inbox_id)
        assert inbox.name == "Loja nova" and inbox.credentials["api_key"] == evo_stub.API_KEY
    [row] = audits(db, "inboxes.update")
    assert row.data["after"]["name"] == "Loja nova" and evo_stub.API_KEY not in str(row.data)


def test_qr_connect_then_polls_until_open(
    jobctx: Any, app: Any, db: Any, world: World, login_as: Any, evo: Any
) -> None:
    """Connect gives a QR code (JSON for the page's script); polling follows the stub to "open"."""
    inbox_id = make_inbox(db, world.tenant_a, evo, instance="nova")
    evo.connect_after_polls = 2
    client = login_as("admin_a")
    token = csrf_from(client.get(f"{BASE}details/?id={inbox_id}").get_data(as_text=True))
    started = client.post(f"{BASE}connect/?id={inbox_id}", data={"csrf_token": token},
                          headers={"Accept": "application/json"})  # fmt: skip
    assert started.status_code == 200, started.get_data(as_text=True)
    assert started.json["connection"]["qr_code"].startswith("data:image/png;base64,")
    polls = [client.get(f"{BASE}connection/?id={inbox_id}").json["connection"] for _ in range(2)]
    assert [p["state"] for p in polls] == ["connecting", "open"] and polls[1]["qr_code"] is None
    assert polls[1]["label"] == "Conectado"
    assert len(audits(db, "inboxes.connect")) == 1


def test_another_tenants_inbox_is_404_on_every_action(
    jobctx: Any, app: Any, db: Any, world: World, login_as: Any, evo: Any
) -> None:
    """Every page and action of the inbox view answers 404 to admin A for tenant B's inbox, and
    nothing reaches B's provider or changes B's row."""
    foreign = make_inbox(db, world.tenant_b, evo)
    client = login_as("admin_a")
    token = csrf_from(client.get(BASE).get_data(as_text=True))
    for path in ("details/", "edit/", "connection/", "sync-runs/"):
        assert client.get(f"{BASE}{path}?id={foreign}").status_code == 404, path
    for path in (
        "edit/",
        "connect/",
        "logout/",
        "webhook/",
        "rotate-secret/",
        "sync/",
        "replay/",
        "acknowledge/",
    ):
        response = client.post(
            f"{BASE}{path}?id={foreign}", data={"csrf_token": token, "name": "x", "all": "1"}
        )
        assert response.status_code == 404, path
    assert not [r for r in evo.requests if r.path != "/"]
    with db.platform_session() as session:
        assert session.get(Inbox, foreign).name == "WhatsApp"


def test_agents_and_supervisors_get_403(app: Any, db: Any, world: World, login_as: Any) -> None:
    """The inbox, AI, SGP and CSAT pages are for admins."""
    for who in ("agent_a", "supervisor_a"):
        client = login_as(who)
        for url in (BASE, "/admin/ai/", "/admin/sgp/", "/admin/csat/", "/admin/knowledge/"):
            assert client.get(url).status_code == 403, (who, url)


def test_set_webhook_rotate_and_replay(
    jobctx: Any, app: Any, db: Any, world: World, login_as: Any, evo: Any
) -> None:
    """ "Configurar webhook" registers our URL and header at Evolution; rotating makes a new secret,
    shown once; each action is audited."""
    inbox_id = make_inbox(db, world.tenant_a, evo)
    client = login_as("admin_a")
    assert (
        post_form(client, f"{BASE}webhook/?id={inbox_id}", {}, f"{BASE}details/?id={inbox_id}").status_code
        == 302
    )
    with db.platform_session() as session:
        inbox = session.get(Inbox, inbox_id)
        old_secret, key = inbox.webhook_secret, inbox.webhook_key
    hook = evo.instances["isp01"]["webhook"]
    assert hook["url"] == f"http://testserver/webhooks/evolution/{key}"
    assert hook["headers"] == {"X-NioChat-Secret": old_secret}
    rotated = post_form(client, f"{BASE}rotate-secret/?id={inbox_id}", {}, f"{BASE}details/?id={inbox_id}")
    with db.platform_session() as session:
        new_secret = session.get(Inbox, inbox_id).webhook_secret
    assert new_secret != old_secret
    assert new_secret in client.get(rotated.headers["Location"]).get_data(as_text=True)
    assert new_secret not in client.get(f"{BASE}details/?id={inbox_id}").get_data(as_text=True)
    assert audits(db, "inboxes.set_webhook") and audits(db, "inboxes.rotate_webhook_secret")
    assert new_secret not in str(audits(db, "inboxes.rotate_webhook_secret")[0].data)


def test_superadmin_without_a_tenant_reads_but_cannot_act(
    app: Any, db: Any, world: World, login_as: Any, evo: Any
) -> None:
    """With no acting tenant the superadmin sees inboxes read-only: actions are refused."""
    inbox_id = make_inbox(db, world.tenant_a, evo)
    client = login_as("root")
    assert client.get(f"{BASE}details/?id={inbox_id}").status_code == 200
    token = csrf_from(client.get(BASE).get_data(as_text=True))
    assert client.post(f"{BASE}connect/?id={inbox_id}", data={"csrf_token": token}).status_code == 403
    assert client.get(f"{BASE}new/").status_code == 403


def test_history_run_and_replay_from_the_page(
    jobctx: Any, app: Any, db: Any, redis_url: str, world: World, login_as: Any, evo: Any
) -> None:
    """ "Recuperar" queues a run the page then reads as JSON; a second one is refused with a sentence;
    "Reenviar" puts a failed send back in line, audited."""
    from datetime import UTC, datetime

    from models import Message
    from models.enums import DeliveryStatus, Direction, SenderKind
    from tests.factories import make_conversation

    inbox_id = make_inbox(db, world.tenant_a, evo)
    with db.platform_session() as session:
        conv = make_conversation(session, world.tenant_a, inbox_id, phone="+5511987654321")
        failed = Message(
            tenant_id=world.tenant_a, conversation_id=conv.id, inbox_id=inbox_id,
            direction=Direction.OUTBOUND, sender_kind=SenderKind.AGENT, text="segue o boleto",
            status=DeliveryStatus.FAILED, failed_at=datetime.now(UTC), error_text="fora do ar",
        )  # fmt: skip
        session.add(failed)
        session.flush()
        failed_id = failed.id
    client = login_as("admin_a")
    details = f"{BASE}details/?id={inbox_id}"
    page = client.get(details).get_data(as_text=True)
    assert "segue o boleto" in page
    token = csrf_from(page)
    json_headers = {"Accept": "application/json"}
    queued = client.post(f"{BASE}sync/?id={inbox_id}", data={"csrf_token": token, "since": "2025-11-01"},
                         headers=json_headers)  # fmt: skip
    assert queued.status_code == 200 and queued.json["ok"], queued.json
    again = client.post(f"{BASE}sync/?id={inbox_id}", data={"csrf_token": token}, headers=json_headers)
    assert again.status_code == 422 and "andamento" in again.json["message"]
    runs = client.get(f"{BASE}sync-runs/?id={inbox_id}").json["runs"]
    assert [r["status"] for r in runs] == ["queued"] and runs[0]["since"].startswith("2025-11-01")
    replayed = client.post(
        f"{BASE}replay/?id={inbox_id}", data={"csrf_token": token, "message_id": str(failed_id)}
    )
    assert replayed.status_code == 302
    with db.platform_session() as session:
        assert session.get(Message, failed_id).status == DeliveryStatus.PENDING
    assert audits(db, "inboxes.sync") and audits(db, "inboxes.replay")
