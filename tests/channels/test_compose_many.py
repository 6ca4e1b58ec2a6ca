"""`compose_many`: a turn's replies written at once are the same rows and events, in the same order, as
composing them one by one, with the same refusals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Conversation, Message, OutboxEvent
from models import outbox_ops as topics
from models.enums import ContentType, ConversationStatus
from models.lifecycle import BOT, TransitionError
from models.outbound import Draft, StoredMedia, compose_many

QR = StoredMedia(sha256="cd" * 32, mime_type="image/png", size=10, filename="pix.png")


def test_replies_keep_their_order_and_each_gets_its_events(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Texts and an image, stored in order with increasing times; a send and a created event for each."""
    chat = make_chat("evolution")
    drafts = [
        Draft(text="Sua fatura vence dia 10"),
        Draft(text="000201PIXCODE"),
        Draft(content_type=ContentType.IMAGE, text=None, media=QR),
        Draft(text="Posso ajudar em mais alguma coisa?"),
    ]
    with db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        written = compose_many(session, conv, drafts, BOT)
        ids = [m.id for m in written]
        assert [m.text for m in written] == [d.text for d in drafts]
    with db.platform_session() as session:
        rows = session.scalars(
            sa.select(Message).where(Message.id.in_(ids)).order_by(Message.created_at)
        ).all()
        assert [r.id for r in rows] == ids and ids == sorted(ids)
        assert rows[2].media_sha256 == QR.sha256 and str(rows[2].content_type) == "image"
        assert all(str(r.sender_kind) == "bot" and str(r.status) == "pending" for r in rows)
        events = session.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.topic.in_([topics.MESSAGE_SEND, topics.MESSAGE_CREATED]))
            .order_by(OutboxEvent.id)
        ).all()
        mine = [(e.topic, e.payload["message_id"]) for e in events if e.payload.get("message_id") in ids]
        expected = [pair for i in ids for pair in ((topics.MESSAGE_SEND, i), (topics.MESSAGE_CREATED, i))]
        assert mine == expected
        conv = session.get(Conversation, chat.conversation_id)
        assert conv is not None and conv.last_outbound_at == rows[-1].created_at


def test_a_closed_conversation_refuses_the_whole_turn(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Nothing is half-written: the refusal comes before any row."""
    chat = make_chat("evolution")
    with db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        conv.status = ConversationStatus.CLOSED
    with pytest.raises(TransitionError) as refused, db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        compose_many(session, conv, [Draft(text="a"), Draft(text="b")], BOT)
    assert refused.value.code == "closed"
    with db.platform_session() as session:
        outbound = (
            sa.select(sa.func.count())
            .select_from(Message)
            .where(Message.conversation_id == chat.conversation_id, Message.direction == "outbound")
        )
        assert session.scalar(outbound) == 0


def test_an_empty_text_among_replies_is_refused(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    chat = make_chat("evolution")
    with pytest.raises(TransitionError) as refused, db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        compose_many(session, conv, [Draft(text="ok"), Draft(text="  ")], BOT)
    assert refused.value.code == "empty"


def test_drafts_with_a_client_key_stay_idempotent(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Keyed drafts go through `compose`: the same key twice is one message."""
    chat = make_chat("evolution")
    draft = Draft(text="uma vez só", client_key="k-1")
    with db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        first = compose_many(session, conv, [draft], BOT)
        again = compose_many(session, conv, [draft], BOT)
        assert [m.id for m in first] == [m.id for m in again]
