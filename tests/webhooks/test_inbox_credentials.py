"""An inbox whose stored credentials are unusable answers webhooks with a logged 4xx, never a 500, and
stores whatever it can authenticate."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa

from models import Inbox, Message
from tests.stubs import evolution_payloads as evo
from tests.stubs import uazapi_payloads as uaz
from tests.stubs import whatsapp_cloud_payloads as cloud
from tests.webhooks.conftest import UAZAPI_TOKEN
from web.webhooks import inbox_cache


def _store_credentials(db: Any, inbox_id: int, credentials: dict[str, Any]) -> None:
    """As an old row or a hand edit would have it: past create_inbox's validation."""
    with db.platform_session() as session:
        session.get(Inbox, inbox_id).credentials = credentials


def _stored(db: Any, tenant_id: int) -> int:
    with db.tenant_session(tenant_id) as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Message)) or 0)


def _evolution_text(text: str) -> dict[str, Any]:
    message, kind = evo.text_message(text)
    return evo.envelope(
        "messages.upsert", evo.record(message, kind), instance="isp01", server_url="http://evo"
    )


def test_cloud_inbox_without_app_secret_is_403_then_recovers(app, db, inboxes, post, caplog) -> None:  # type: ignore[no-untyped-def]
    """Missing app_secret: 403 with the reason logged, nothing stored; once fixed, Meta's redelivery lands."""
    inbox = inboxes["whatsapp_cloud"]
    _store_credentials(db, inbox.id, {"access_token": "t", "phone_number_id": "106540352242922"})
    payload = cloud.envelope(messages=[cloud.text("Sem internet", wa_id="5511912345678")])
    with caplog.at_level(logging.WARNING):
        response = post(inbox, payload)
    assert response.status_code == 403 and response.json["error"]["code"] == "inbox_misconfigured"
    assert "app_secret" in caplog.text
    assert client_get_status(app, inbox.path) == 403  # the handshake too: the operator learns at setup
    assert _stored(db, inbox.tenant_id) == 0
    _store_credentials(
        db,
        inbox.id,
        {"access_token": "t", "phone_number_id": "106540352242922", "app_secret": "cloud-app-secret"},
    )
    with app.app_context():
        inbox_cache().clear()  # what the 30 s cache expiry does in production
    assert post(inbox, payload).status_code == 200
    assert _stored(db, inbox.tenant_id) == 1


def client_get_status(app: Any, path: str) -> int:
    return int(app.test_client().get(path + "?hub.mode=subscribe&hub.challenge=1").status_code)


def test_uazapi_inbox_without_token_is_403(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """Uazapi authenticates by the token in the body: without a stored one nothing can be accepted."""
    inbox = inboxes["uazapi"]
    _store_credentials(db, inbox.id, {"base_url": "https://isp.uazapi.com"})
    payload = uaz.webhook(uaz.text_record("Oi"), token=UAZAPI_TOKEN, base_url="https://isp.uazapi.com")
    response = post(inbox, payload)
    assert response.status_code == 403 and response.json["error"]["code"] == "inbox_misconfigured"
    assert _stored(db, inbox.tenant_id) == 0


@pytest.mark.parametrize("stored", ["not an object", ["a", "list"], 12, {"app_secret": ""}])
def test_unreadable_credentials_never_500(db, inboxes, post, stored) -> None:  # type: ignore[no-untyped-def]
    """Whatever is in the column, a Cloud inbox's webhook gets a 4xx, never a 500."""
    inbox = inboxes["whatsapp_cloud"]
    with db.platform_session() as session:
        session.execute(sa.update(Inbox).where(Inbox.id == inbox.id).values(credentials=stored))
    response = post(inbox, cloud.envelope(messages=[cloud.text("Oi", wa_id="5511912345678")]))
    assert response.status_code == 403


def test_undecryptable_credentials_are_403_not_500(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """A column written under a key that is gone (a botched rotation) is the inbox's problem: 403."""
    inbox = inboxes["whatsapp_cloud"]
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE inboxes SET credentials = 'gAAAAAnot-a-fernet-token' WHERE id = :i"),
            {"i": inbox.id},
        )
    response = post(inbox, cloud.envelope(messages=[cloud.text("Oi", wa_id="5511912345678")]))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("channel", "kept"), [("evolution", {"base_url": "http://127.0.0.1:9"}), ("telegram", {})]
)
def test_sending_fields_missing_still_store_inbound(db, inboxes, post, channel, kept) -> None:  # type: ignore[no-untyped-def]
    """Evolution and Telegram authenticate with our own secret: a missing API key loses no message."""
    inbox = inboxes[channel]
    _store_credentials(db, inbox.id, kept)
    payload = (
        _evolution_text("Estou sem internet")
        if channel == "evolution"
        else {"update_id": 1, "message": {"message_id": 7, "from": {"id": 111, "first_name": "Ana"},
                                           "chat": {"id": 111, "type": "private"}, "date": 1764000000,
                                           "text": "Oi"}}
    )  # fmt: skip
    assert post(inbox, payload).status_code == 200
    assert _stored(db, inbox.tenant_id) == 1
