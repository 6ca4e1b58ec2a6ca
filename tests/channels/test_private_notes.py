"""A private note never reaches the customer: refused when composed with a file, never queued to a
provider (the outbox refuses a `message.send` row for it, whoever writes one), and skipped by the send job
even if a send was scheduled for it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from jobs.outbound import send_message
from models import Conversation, Message, OutboxEvent
from models import outbox_ops as topics
from models.enums import ContentType, DeliveryStatus
from models.lifecycle import BOT, TransitionError
from models.outbound import Draft, StoredMedia, compose
from models.outbox import PrivateMessageNotSendable
from tests.channels.conftest import compose_message, load_message


def _send_rows(db: Any) -> list[dict[str, Any]]:
    with db.platform_session() as session:
        rows = session.scalars(sa.select(OutboxEvent).where(OutboxEvent.topic == topics.MESSAGE_SEND))
        return [row.payload for row in rows]


def test_a_note_is_never_queued_to_a_provider(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Composing a note writes no send row; writing one by hand (a bug elsewhere) fails the transaction."""
    chat = make_chat("evolution")
    note_id = compose_message(db, chat, Draft(text="Cliente VIP, cuidado", is_private=True))
    assert _send_rows(db) == []
    with pytest.raises(PrivateMessageNotSendable), db.tenant_session(chat.tenant_id) as session:
        topics.record(session, chat.tenant_id, topics.MESSAGE_SEND, message_id=note_id)
        session.flush()
    with pytest.raises(PrivateMessageNotSendable), db.tenant_session(chat.tenant_id) as session:
        topics.record(session, chat.tenant_id, topics.MESSAGE_SEND, message_id=None)
        session.flush()
    assert _send_rows(db) == []
    reply_id = compose_message(db, chat, Draft(text="Olá, Maria"))
    assert [row["message_id"] for row in _send_rows(db)] == [reply_id]


def test_a_note_with_a_file_is_refused(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    chat = make_chat("evolution")
    media = StoredMedia(sha256="ab" * 32, mime_type="image/png", size=10, filename="print.png")
    with pytest.raises(TransitionError) as refused, db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        draft = Draft(content_type=ContentType.IMAGE, text="nota", media=media, is_private=True)
        compose(session, conv, draft, BOT)
    assert refused.value.code == "note_text_only"
    assert _send_rows(db) == []


def test_the_send_job_skips_a_private_message(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Even a note that somehow looks pending (a bad migration, a manual edit) is not sent."""
    chat = make_chat("evolution")
    note_id = compose_message(db, chat, Draft(text="só a equipe vê", is_private=True))
    with db.tenant_session(chat.tenant_id) as session:
        session.get(Message, note_id).status = DeliveryStatus.PENDING  # type: ignore[union-attr]
    assert send_message(chat.tenant_id, note_id) == "skip"
    assert chat.stub.requests_to("/message/send") == []
    assert str(load_message(db, chat.tenant_id, note_id).status) == "pending"


def test_a_note_already_in_the_session_is_refused_too(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """The outbox trusts a loaded message's `is_private` only as stored: a loaded note and a message
    made private but not yet flushed are both refused."""
    chat = make_chat("evolution")
    note_id = compose_message(db, chat, Draft(text="Só a equipe", is_private=True))
    reply_id = compose_message(db, chat, Draft(text="Olá, Maria"))
    before = len(_send_rows(db))
    with pytest.raises(PrivateMessageNotSendable), db.tenant_session(chat.tenant_id) as session:
        assert session.get(Message, note_id) is not None  # loaded: the check reads it from the session
        topics.record(session, chat.tenant_id, topics.MESSAGE_SEND, message_id=note_id)
        session.flush()
    with pytest.raises(PrivateMessageNotSendable), db.tenant_session(chat.tenant_id) as session:
        reply = session.get(Message, reply_id)
        assert reply is not None
        reply.is_private = True  # pending, not flushed: the loaded value is not the stored one
        topics.record(session, chat.tenant_id, topics.MESSAGE_SEND, message_id=reply_id)
        session.flush()
    assert len(_send_rows(db)) == before


def test_a_turn_of_replies_queues_its_sends_without_one_read_per_message(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """A turn's texts and image are one INSERT … RETURNING, and the outbox check reads none of them again."""
    from models.outbound import compose_many

    chat = make_chat("evolution")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.tenant_session(chat.tenant_id) as session:
            conv = session.get(Conversation, chat.conversation_id)
            image = StoredMedia(sha256="cd" * 32, mime_type="image/png", size=10, filename="pix.png")
            drafts = [
                Draft(text="a fatura"),
                Draft(text="o PIX"),
                Draft(content_type=ContentType.IMAGE, media=image),
            ]
            drafts.append(Draft(text="Posso ajudar em mais alguma coisa?"))
            compose_many(session, conv, drafts, BOT)
            session.flush()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert [s for s in statements if "SELECT is_private" in s] == []
    assert len([s for s in statements if s.startswith("INSERT INTO messages")]) == 1
    assert len(_send_rows(db)) == 4
