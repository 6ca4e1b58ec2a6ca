"""Tenant secrets are encrypted at rest and keys can rotate."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Inbox, crypto
from models.enums import ChannelType
from models.provisioning import create_inbox, create_tenant

OLD_KEY = "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE="
NEW_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="


@pytest.fixture()
def inbox_id(db) -> int:  # type: ignore[no-untyped-def]
    crypto.configure(OLD_KEY)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="cripto", name="Cripto")
        inbox = create_inbox(
            session, tenant_id=tenant.id, channel=ChannelType.UAZAPI, name="U",
            credentials={"base_url": "https://isp.uazapi.com", "token": "uazapi-instance-token-XYZ"},
        )  # fmt: skip
        return inbox.id


@pytest.fixture(autouse=True)
def _restore_keys():  # type: ignore[no-untyped-def]
    yield
    crypto.configure(None)


def test_credentials_are_not_stored_in_plaintext(db, inbox_id: int) -> None:  # type: ignore[no-untyped-def]
    """The raw column holds a Fernet token, never the secret; the model reads it back decrypted."""
    with db.engine.connect() as conn:
        raw_creds, raw_secret = conn.execute(
            sa.text("SELECT credentials, webhook_secret FROM inboxes WHERE id = :i"), {"i": inbox_id}
        ).one()
    assert "uazapi-instance-token-XYZ" not in raw_creds
    assert raw_creds.startswith("gAAAAA")  # Fernet version byte, base64
    with db.platform_session() as session:
        inbox = session.get(Inbox, inbox_id)
        assert inbox.credentials["token"] == "uazapi-instance-token-XYZ"
        assert inbox.webhook_secret not in raw_secret


def test_key_rotation_reads_old_and_writes_new(db, inbox_id: int) -> None:  # type: ignore[no-untyped-def]
    """With NEW,OLD configured old rows still decrypt; after rotate_all they decrypt with NEW alone."""
    crypto.configure(f"{NEW_KEY},{OLD_KEY}")
    with db.platform_session() as session:
        inbox = session.get(Inbox, inbox_id)
        assert inbox.credentials["token"] == "uazapi-instance-token-XYZ"
        secret = inbox.webhook_secret
    with db.engine.begin() as conn:
        assert crypto.rotate_all(conn) == 2  # credentials + webhook_secret of the one inbox
    crypto.configure(NEW_KEY)
    with db.platform_session() as session:
        assert session.get(Inbox, inbox_id).webhook_secret == secret
    with db.platform_session() as session:
        assert session.get(Inbox, inbox_id).credentials["token"] == "uazapi-instance-token-XYZ"


def test_wrong_key_fails_with_a_clear_message(db, inbox_id: int) -> None:  # type: ignore[no-untyped-def]
    """A missing key is reported as such, not as a corrupt row."""
    crypto.configure(NEW_KEY)
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEY"), db.platform_session() as session:
        session.get(Inbox, inbox_id)
