"""Tenant scoping by construction: a tenant session cannot read or write another tenant's rows."""

from __future__ import annotations

import json

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from models import Contact, Conversation, Inbox, Message
from models.enums import ContentType, Direction, SenderKind
from models.scoping import TenantScopeError
from tests.factories import make_message


def test_select_sees_only_own_rows(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """An unfiltered SELECT in tenant A's session returns only A's rows."""
    a, b = two_tenants["provedor-a"], two_tenants["provedor-b"]
    with db.tenant_session(a["tenant"]) as session:
        convs = session.scalars(sa.select(Conversation)).all()
        contacts = session.scalars(sa.select(Contact)).all()
        inboxes = session.scalars(sa.select(Inbox)).all()
    assert [c.id for c in convs] == [a["conversation"]]
    assert [c.id for c in contacts] == [a["contact"]]
    assert [i.id for i in inboxes] == [a["inbox"]]
    assert b["conversation"] not in [c.id for c in convs]


def test_get_by_id_of_another_tenant_returns_nothing(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """Guessing another tenant's id finds nothing, whether by get() or by a filtered query."""
    a, b = two_tenants["provedor-a"], two_tenants["provedor-b"]
    with db.tenant_session(a["tenant"]) as session:
        assert session.get(Conversation, b["conversation"]) is None
        assert session.scalar(sa.select(Contact).where(Contact.id == b["contact"])) is None
        assert session.get(Conversation, a["conversation"]) is not None


def test_joins_and_aggregates_are_scoped(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """Joined entities and counts are filtered too."""
    a, b = two_tenants["provedor-a"], two_tenants["provedor-b"]
    with db.platform_session() as session:
        for ids in (a, b):
            conv = session.get(Conversation, ids["conversation"])
            make_message(session, conv, "oi", provider_id=f"m-{ids['tenant']}")
    with db.tenant_session(b["tenant"]) as session:
        rows = session.execute(
            sa.select(Message.id, Contact.id)
            .select_from(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .join(Contact, Conversation.contact_id == Contact.id)
        ).all()
        total = session.scalar(sa.select(sa.func.count()).select_from(Message))
    assert len(rows) == 1 and total == 1
    assert rows[0][1] == b["contact"]


def test_bulk_update_and_delete_cannot_reach_another_tenant(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """UPDATE/DELETE statements get the tenant criterion: another tenant's rows are untouched."""
    a, b = two_tenants["provedor-a"], two_tenants["provedor-b"]
    with db.tenant_session(a["tenant"]) as session:
        updated = session.execute(
            sa.update(Contact).where(Contact.id == b["contact"]).values(name="hacked")
        ).rowcount
        deleted = session.execute(
            sa.delete(Conversation).where(Conversation.id == b["conversation"])
        ).rowcount
    assert updated == 0 and deleted == 0
    with db.platform_session() as session:
        assert session.get(Contact, b["contact"]).name != "hacked"
        assert session.get(Conversation, b["conversation"]) is not None


def test_writing_a_row_of_another_tenant_is_refused(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """Adding, or moving, a row to another tenant fails at flush and nothing is written."""
    a, b = two_tenants["provedor-a"], two_tenants["provedor-b"]
    with pytest.raises(TenantScopeError), db.tenant_session(a["tenant"]) as session:
        session.add(Contact(tenant_id=b["tenant"], name="intruso", phone_e164="+5511911112222"))
    with pytest.raises(TenantScopeError), db.tenant_session(a["tenant"]) as session:
        contact = session.get(Contact, a["contact"])
        contact.tenant_id = b["tenant"]
    with db.platform_session() as session:
        assert session.scalar(sa.select(Contact).where(Contact.name == "intruso")) is None
        assert session.get(Contact, a["contact"]).tenant_id == a["tenant"]


def test_new_rows_take_the_session_tenant(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """A row added without tenant_id belongs to the session's tenant."""
    a = two_tenants["provedor-a"]
    with db.tenant_session(a["tenant"]) as session:
        contact = Contact(name="novo", phone_e164="+5511933334444")
        session.add(contact)
        session.flush()
        assert contact.tenant_id == a["tenant"]


def test_insert_statements_must_carry_the_session_tenant(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """ORM INSERT statements (the ingest path) naming another tenant are refused."""
    a, b = two_tenants["provedor-a"], two_tenants["provedor-b"]
    values = {
        "conversation_id": b["conversation"],
        "inbox_id": b["inbox"],
        "direction": Direction.INBOUND,
        "sender_kind": SenderKind.CONTACT,
        "content_type": ContentType.TEXT,
        "text": "x",
        "provider_message_id": "cross",
    }
    with pytest.raises(TenantScopeError), db.tenant_session(a["tenant"]) as session:
        session.execute(insert(Message).values(tenant_id=b["tenant"], **values))
    with pytest.raises(TenantScopeError), db.tenant_session(a["tenant"]) as session:
        session.execute(insert(Message).values(**values))
    with db.tenant_session(b["tenant"]) as session:
        session.execute(insert(Message).values(tenant_id=b["tenant"], **values))
        assert session.scalar(sa.select(sa.func.count()).select_from(Message)) == 1


def test_unscoped_session_refuses_tenant_tables(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """A session that declares neither a tenant nor the platform cannot touch tenant-owned rows."""
    with db.session() as session, pytest.raises(TenantScopeError):
        session.scalars(sa.select(Conversation)).all()
    with db.session() as session:
        session.add(Contact(tenant_id=two_tenants["provedor-a"]["tenant"], name="x"))
        with pytest.raises(TenantScopeError):
            session.flush()


def test_platform_session_sees_every_tenant(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """The explicit platform session (superadmin, relays) sees all tenants."""
    with db.platform_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 2


def test_lazy_loaded_relationships_are_scoped(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """Relationship loads go through the same criteria."""
    a = two_tenants["provedor-a"]
    with db.tenant_session(a["tenant"]) as session:
        conv = session.get(Conversation, a["conversation"])
        assert conv.contact.id == a["contact"]
        assert conv.inbox.tenant_id == a["tenant"]


def test_ingest_fast_path_refuses_another_tenant(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """The Core statements and the database function of the hot path act for the session's tenant only."""
    from models import ingest_sql as sql

    a, b = two_tenants["provedor-a"], two_tenants["provedor-b"]
    row = {"tenant_id": b["tenant"], "topic": "message.created", "payload": {}}
    with pytest.raises(TenantScopeError), db.tenant_session(a["tenant"]) as session:
        sql.run_many(session, sql.INSERT_OUTBOX, [row])
    with pytest.raises(TenantScopeError), db.platform_session() as session:
        sql.run(session, sql.MESSAGE_ID_BY_PROVIDER, {"inbox_id": b["inbox"], "provider_id": "x"})
    message = {"provider_message_id": "x1", "from_me": False, "timestamp": "2026-11-21T10:00:00+00:00",
               "phone_e164": "+5511900001111", "content_type": "text", "text": "oi"}  # fmt: skip
    params = (b["inbox"], "pending", None, True, json.dumps([message]))
    with (
        pytest.raises(sa.exc.ProgrammingError, match="is not of tenant"),
        db.tenant_session(a["tenant"]) as s,
    ):
        sql.run_ingest_messages(s, params)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="is not of tenant"):
        db.execute_statement(sql.INGEST_MESSAGES, (a["tenant"], *params))
    with db.platform_session() as session:  # nothing of b was touched
        assert (
            session.scalar(
                sa.select(sa.func.count()).select_from(Message).where(Message.provider_message_id == "x1")
            )
            == 0
        )
