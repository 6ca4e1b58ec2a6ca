"""Inbox forms: credentials validated per channel, secrets write-only, webhook setup, QR connect."""

from __future__ import annotations

from typing import Any

import pytest

from admin.inboxes import connection, service
from admin.inboxes.fields import CHANNEL_FIELDS, QR_CHANNELS
from integrations.channels.credentials import REQUIRED
from models import Inbox
from models.enums import ChannelType
from models.provisioning import create_tenant
from models.user import Team
from tests.stubs import evolution as evo_stub

EVO = {"base_url": "https://evo.example.com", "api_key": "evo-secret-key", "instance": "loja01"}


@pytest.fixture()
def tenant(db: Any) -> int:
    with db.platform_session() as session:
        return int(create_tenant(session, slug="isp", name="ISP").id)


def test_every_required_credential_has_a_form_field() -> None:
    """The form asks for everything `check_credentials` requires, for every channel."""
    for channel in ChannelType:
        names = {f.name for f in CHANNEL_FIELDS[channel]}
        assert set(REQUIRED[channel.value]) <= names
    assert {ChannelType.EVOLUTION, ChannelType.UAZAPI} == QR_CHANNELS


def test_create_validates_like_the_cli(db: Any, tenant: int) -> None:
    """Missing and malformed fields are named per field, and nothing is stored."""
    with db.tenant_session(tenant) as session:
        with pytest.raises(service.InboxFormError) as caught:
            service.create(
                session, tenant, channel="whatsapp_cloud", name="Meta",
                submitted={"phone_number_id": "+55 11 3000-0000", "access_token": "t"},
            )  # fmt: skip
        assert set(caught.value.problems) == {"phone_number_id", "app_secret"}
        assert "dígitos" in caught.value.problems["phone_number_id"]
        with pytest.raises(service.InboxFormError) as caught:
            service.create(session, tenant, channel="sms", name="x", submitted={})
        assert "channel_type" in caught.value.problems
        with pytest.raises(service.InboxFormError) as caught:
            service.create(session, tenant, channel="telegram", name="  ", submitted={"bot_token": "1:a"})
        assert "name" in caught.value.problems
    with db.tenant_session(tenant) as session:
        assert session.query(Inbox).count() == 0


def test_secrets_are_write_only(db: Any, tenant: int) -> None:
    """A blank secret keeps the stored one; rows and audit snapshots never carry a secret value."""
    with db.tenant_session(tenant) as session:
        inbox = service.create(session, tenant, channel="evolution", name="Loja", submitted=EVO)
        inbox.credentials = {**inbox.credentials, "instance_token": "TOKEN-FROM-CONNECT"}
        rows = service.credential_rows(inbox)
        assert "evo-secret-key" not in repr(rows) and "TOKEN-FROM-CONNECT" not in repr(rows)
        key = next(r for r in rows if r["name"] == "api_key")
        assert key["secret"] and key["is_set"] and key["value"] == ""
        change = service.update(
            session, inbox, name="Loja centro", submitted={**EVO, "api_key": ""},
            ai_enabled=False, csat_enabled=True, is_active=True,
        )  # fmt: skip
        assert inbox.credentials["api_key"] == "evo-secret-key"
        assert inbox.credentials["instance_token"] == "TOKEN-FROM-CONNECT"  # same instance: kept
        assert "evo-secret-key" not in repr(change) and "TOKEN-FROM-CONNECT" not in repr(change)
        assert change.before["name"] == "Loja" and change.after["name"] == "Loja centro"
        assert change.after["credentials"]["api_key"] == service.MASK
        service.update(
            session, inbox, name="Loja", submitted={**EVO, "instance": "loja02", "api_key": "nova"},
            ai_enabled=True, csat_enabled=True, is_active=True,
        )  # fmt: skip
        assert inbox.credentials["api_key"] == "nova"
        assert "instance_token" not in inbox.credentials  # it belonged to the old instance


def test_default_team_must_be_the_tenants(db: Any, tenant: int) -> None:
    """Another tenant's team id is refused as not found."""
    with db.platform_session() as session:
        other = create_tenant(session, slug="outro", name="Outro")
        foreign = Team(tenant_id=other.id, name="Deles")
        session.add(foreign)
        session.flush()
        foreign_id = foreign.id
    with db.tenant_session(tenant) as session:
        with pytest.raises(service.InboxFormError) as caught:
            service.create(
                session, tenant, channel="evolution", name="Loja", submitted=EVO, default_team_id=foreign_id
            )
        assert "default_team_id" in caught.value.problems


def test_webhook_setup_shows_the_secret_only_when_asked(db: Any, tenant: int) -> None:
    """The URL is always there; our secret only right after creation or rotation."""
    with db.tenant_session(tenant) as session:
        inbox = service.create(session, tenant, channel="evolution", name="Loja", submitted=EVO)
        setup = service.webhook_setup(inbox, "https://chat.example.com/")
        assert setup["url"] == f"https://chat.example.com/webhooks/evolution/{inbox.webhook_key}"
        assert setup["headers"] == {"X-NioChat-Secret": service.MASK}
        assert inbox.webhook_secret not in repr(setup)
        old = inbox.webhook_secret
        new = service.rotate_webhook_secret(session, inbox)
        assert new != old
        shown = service.webhook_setup(inbox, "https://chat.example.com", secret=new)
        assert shown["headers"] == {"X-NioChat-Secret": new} and shown["secret_shown"]
        tg = service.create(session, tenant, channel="telegram", name="Bot", submitted={"bot_token": "1:abc"})
        assert service.webhook_setup(tg, "https://c")["fields"] == {"secret_token": service.MASK}


def test_qr_connect_polls_until_the_stub_opens(jobctx: Any, db: Any, make_chat: Any) -> None:
    """A new Evolution instance shows a QR code; polls follow the provider until it reports open, and
    the inbox keeps the state (QR cleared once connected)."""
    chat = make_chat("evolution")
    chat.stub.connect_after_polls = 3
    with db.tenant_session(chat.tenant_id) as session:
        row = session.get(Inbox, chat.inbox_id)
        row.credentials = {**row.credentials, "instance": "nova"}
    first = connection.start(chat.tenant_id, chat.inbox_id)
    assert first.state == "connecting" and first.qr_code.startswith("data:image/png;base64,")
    states = [connection.poll(chat.tenant_id, chat.inbox_id).state for _ in range(3)]
    assert states == ["connecting", "connecting", "open"]
    assert connection.poll(chat.tenant_id, chat.inbox_id).as_dict()["qr_code"] is None
    with db.tenant_session(chat.tenant_id) as session:
        row = session.get(Inbox, chat.inbox_id)
        assert row.connection_state == "open" and "qr_code" not in row.settings
        assert row.credentials["instance_token"] == chat.stub.instances["nova"]["token"]


def test_an_expired_qr_code_is_replaced(jobctx: Any, db: Any, make_chat: Any, monkeypatch: Any) -> None:
    """A QR code older than WhatsApp keeps it is swapped for a fresh one on the next poll."""
    chat = make_chat("evolution")
    chat.stub.instances["isp01"]["state"] = "close"
    first = connection.start(chat.tenant_id, chat.inbox_id)
    monkeypatch.setattr(connection, "QR_REFRESH_SECONDS", 0.0)
    second = connection.poll(chat.tenant_id, chat.inbox_id)
    assert second.state == "connecting" and second.qr_code and second.qr_code != first.qr_code
    assert len(chat.stub.requests_to("/instance/connect/isp01")) == 2


def test_uazapi_pair_code_and_a_bad_phone(jobctx: Any, db: Any, make_chat: Any) -> None:
    """A phone gives a pair code; a phone without DDD is refused before any provider call."""
    chat = make_chat("uazapi")
    chat.stub.instances[chat.stub.token]["status"] = "disconnected"
    chat.stub.connect_after_polls = 1
    with pytest.raises(connection.ConnectError):
        connection.start(chat.tenant_id, chat.inbox_id, "9999")
    view = connection.start(chat.tenant_id, chat.inbox_id, "+55 11 99999-0000")
    assert view.pair_code == "ABCD-1234" and view.qr_code is None
    assert connection.poll(chat.tenant_id, chat.inbox_id).connected


def test_connection_errors_are_sentences(jobctx: Any, db: Any, make_chat: Any) -> None:
    """A wrong key and a channel without QR sessions come back as pt-BR sentences, not exceptions."""
    chat = make_chat("evolution")
    with db.tenant_session(chat.tenant_id) as session:
        row = session.get(Inbox, chat.inbox_id)
        row.credentials = {**row.credentials, "api_key": "wrong"}
    with pytest.raises(connection.ConnectError, match="conectar"):
        connection.start(chat.tenant_id, chat.inbox_id)
    tg = make_chat("telegram")
    with pytest.raises(connection.ConnectError, match="QR"):
        connection.start(tg.tenant_id, tg.inbox_id)
    assert evo_stub.API_KEY != "wrong"


def test_another_tenants_inbox_is_not_found(jobctx: Any, db: Any, make_chat: Any) -> None:
    """Connecting by another tenant's inbox id fails as not found, and its provider is never called."""
    chat = make_chat("evolution")
    with db.platform_session() as session:
        other = create_tenant(session, slug="outro", name="Outro").id
    with pytest.raises(connection.ConnectError, match="não encontrada"):
        connection.start(other, chat.inbox_id)
    assert not chat.stub.requests_to("/instance/connect/isp01")


def test_the_plan_limits_inboxes(db: Any, tenant: int) -> None:
    """Past the plan's inbox limit a new inbox, or reactivating one, is refused with the plan's sentence."""
    from models import Tenant

    with db.tenant_session(tenant) as session:
        first = service.create(session, tenant, channel="evolution", name="Loja", submitted=EVO)
        session.get(Tenant, tenant).max_inboxes = 1
    with db.tenant_session(tenant) as session:
        with pytest.raises(service.InboxFormError) as caught:
            service.create(session, tenant, channel="telegram", name="Bot", submitted={"bot_token": "1:a"})
        assert "plano" in caught.value.problems[service.FORM]
        inbox = session.get(Inbox, first.id)
        kw = {"ai_enabled": True, "csat_enabled": True}
        service.update(session, inbox, name="Loja", submitted=EVO, is_active=False, **kw)
        service.create(session, tenant, channel="telegram", name="Bot", submitted={"bot_token": "1:a"})
        with pytest.raises(service.InboxFormError):
            service.update(session, inbox, name="Loja", submitted=EVO, is_active=True, **kw)
