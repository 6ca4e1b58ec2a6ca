"""A provider message id is stored once per inbox, even under concurrent delivery."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from models import Conversation, Message
from models.enums import ContentType, Direction, SenderKind
from models.provisioning import create_inbox
from tests.factories import make_message


def _row(ids: dict[str, int], provider_id: str, text: str) -> dict[str, object]:
    return {
        "tenant_id": ids["tenant"],
        "conversation_id": ids["conversation"],
        "inbox_id": ids["inbox"],
        "direction": Direction.INBOUND,
        "sender_kind": SenderKind.CONTACT,
        "content_type": ContentType.TEXT,
        "text": text,
        "provider_message_id": provider_id,
    }


def test_concurrent_inserts_of_one_provider_id_store_one_row(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """40 threads insert the same (inbox, provider id) at once: exactly one row, one winner."""
    ids = two_tenants["provedor-a"]
    barrier = threading.Barrier(40)
    inserted: list[int] = []
    errors: list[BaseException] = []

    def deliver(n: int) -> None:
        try:
            with db.tenant_session(ids["tenant"]) as session:
                barrier.wait(timeout=10)
                stmt = (
                    insert(Message)
                    .values(**_row(ids, "3EB0C5A1B2C3D4E5F6", f"copy {n}"))
                    .on_conflict_do_nothing(index_elements=["inbox_id", "provider_message_id"])
                    .returning(Message.id)
                )
                if session.execute(stmt).scalar() is not None:
                    inserted.append(n)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(inserted) == 1
    with db.tenant_session(ids["tenant"]) as session:
        count = session.scalar(
            sa.select(sa.func.count())
            .select_from(Message)
            .where(Message.provider_message_id == "3EB0C5A1B2C3D4E5F6")
        )
    assert count == 1


def test_plain_duplicate_insert_violates_the_constraint(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """Without ON CONFLICT the database itself refuses the duplicate."""
    ids = two_tenants["provedor-a"]
    with db.tenant_session(ids["tenant"]) as session:
        conv = session.get(Conversation, ids["conversation"])
        make_message(session, conv, "primeira", provider_id="wamid.X")
    with pytest.raises(IntegrityError), db.tenant_session(ids["tenant"]) as session:
        conv = session.get(Conversation, ids["conversation"])
        make_message(session, conv, "repetida", provider_id="wamid.X")


def test_same_provider_id_in_another_inbox_is_a_different_message(db, two_tenants) -> None:  # type: ignore[no-untyped-def]
    """Uniqueness is per inbox: two numbers can see the same id."""
    ids = two_tenants["provedor-a"]
    from models import Conversation
    from models.enums import ChannelType
    from tests.factories import make_conversation

    with db.tenant_session(ids["tenant"]) as session:
        other_inbox = create_inbox(session, tenant_id=ids["tenant"], channel=ChannelType.UAZAPI, name="Outro")
        conv_b = make_conversation(session, ids["tenant"], other_inbox.id, phone="+5511912345678")
        conv_a = session.get(Conversation, ids["conversation"])
        make_message(session, conv_a, "a", provider_id="SAME")
        make_message(session, conv_b, "b", provider_id="SAME")
        count = session.scalar(sa.select(sa.func.count()).select_from(Message))
    assert count == 2
