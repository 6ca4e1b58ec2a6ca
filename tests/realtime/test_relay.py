"""The outbox relay's Core path: its Socket.IO payloads are exactly the dicts the REST API builds through
the ORM, it publishes in id order, a failed publish leaves the rows for the sweeper, and rows another
relay holds are skipped rather than waited for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
import sqlalchemy as sa

from jobs.queues import connect
from jobs.realtime import Emitter
from jobs.relay import CLAIM_IDS, Relay
from models import Conversation, Message, User
from models import outbox_ops as topics
from models.conversation import ConversationLabel
from models.enums import (
    ChannelType,
    ContentType,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Role,
    SenderKind,
)
from models.label import Label
from models.outbox import OutboxEvent
from models.provisioning import create_inbox, create_team, create_tenant
from models.serialize import conversation_dict, message_dict
from models.serialize_sql import conversation_lookup, conversation_row, message_lookup, message_row
from tests.conftest import free_port
from tests.factories import make_conversation, make_message


class Recorder:
    """Stands in for python-socketio's manager: what would go to Redis, in order."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, dict[str, Any], list[str]]] = []

    def emit(self, event: str, data: dict[str, Any], room: list[str], namespace: str) -> None:
        self.emitted.append((event, data, room))


@dataclass
class Chat:
    tenant: int
    conversation: int
    bare: int  # a conversation without labels
    messages: list[int]


@pytest.fixture()
def chat(db: Any) -> Chat:
    """One conversation with every field a payload shows filled in somewhere: labels (added out of name
    order), an assignee and team, contact details, and messages of every kind."""
    at = datetime(2026, 11, 20, 13, 45, 7, 123456, tzinfo=UTC)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name="ISP").id
        agent = User(tenant_id=tenant, email="ana@x.com.br", name="Ana", password_hash="x", role=Role.AGENT)
        session.add(agent)
        session.flush()
        team = create_team(session, tenant_id=tenant, name="Suporte", member_ids=[agent.id])
        inbox = create_inbox(session, tenant_id=tenant, channel=ChannelType.TELEGRAM, name="Bot Suporte")
        conv = make_conversation(
            session, tenant, inbox.id, phone="+5511987650001", status=ConversationStatus.OPEN
        )
        conv.contact.email, conv.contact.cpf_cnpj = "cliente@x.com.br", "12345678909"
        conv.contact.telegram_chat_id, conv.contact.attributes = 987654321, {"plano": "300M", "vip": True}
        conv.assignee_id, conv.team_id, conv.unread_count = agent.id, team.id, 3
        conv.waiting_since, conv.last_message_at, conv.last_inbound_at = at, at, at
        conv.handoff_reason = "pediu atendente"
        conv.ai_activity = {
            "intent": "fatura", "tools": [{"name": "pix", "ok": True}], "knowledge": None,
            "at": at.isoformat(),
            "handoff": {"reason": "customer_request", "label": "Cliente pediu um atendente", "detail": None,
                        "team_id": team.id, "at": at.isoformat()},
        }  # fmt: skip
        for name, color in [("Sem internet", "#ff0000"), ("Financeiro", "#00aa00")]:
            label = Label(tenant_id=tenant, name=name, color=color)
            session.add(label)
            session.flush()
            session.add(ConversationLabel(tenant_id=tenant, conversation_id=conv.id, label_id=label.id))
        bare = make_conversation(session, tenant, inbox.id, phone="+5511987650002")
        bare.closed_at, bare.close_reason = at, "resolvido"

        text = make_message(session, conv, "minha internet caiu", provider_id="P1")
        text.provider_timestamp, text.payload = at, {"interactive_reply_id": "menu:1"}
        media = make_message(session, conv, "foto do roteador", provider_id="P2")
        media.content_type, media.media_mime, media.media_size = ContentType.IMAGE, "image/jpeg", 2048
        media.media_sha256, media.media_status, media.media_filename = "ab" * 32, "ready", "roteador.jpg"
        media.media_meta, media.reply_to_id = {"seconds": 7, "voice": True}, text.id
        failed = Message(
            tenant_id=tenant, conversation_id=conv.id, inbox_id=inbox.id, direction=Direction.OUTBOUND,
            sender_kind=SenderKind.AGENT, sender_user_id=agent.id, content_type=ContentType.TEXT,
            text="segue o boleto", status=DeliveryStatus.FAILED, error_code="131047",
            error_text="fora da janela", client_key="k-1", sent_at=at, is_private=False,
        )  # fmt: skip
        deleted = make_message(session, conv, "apagada", provider_id="P3")
        deleted.deleted_at, deleted.transcription = at + timedelta(seconds=1), "áudio transcrito"
        pending_media = make_message(session, bare, "", provider_id="P4")
        pending_media.media_mime, pending_media.media_status = "audio/ogg", "pending"
        session.add(failed)
        session.flush()
        ids = [text.id, media.id, failed.id, deleted.id, pending_media.id]
        return Chat(tenant, conv.id, bare.id, ids)


def _orm_dicts(db: Any, chat: Chat) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """What the REST API serves, read back from the database in a fresh session."""
    with db.tenant_session(chat.tenant) as session:
        convs = {
            cid: conversation_dict(session.get(Conversation, cid)) for cid in (chat.conversation, chat.bare)
        }
        msgs = {mid: message_dict(session.get(Message, mid)) for mid in chat.messages}
    return convs, msgs


def test_core_rows_serialise_byte_for_byte_like_the_orm(db: Any, chat: Chat) -> None:
    convs, msgs = _orm_dicts(db, chat)
    with db.engine.connect() as conn:
        core_convs = {cid: _looked_up(conn, conversation_lookup, conversation_row, cid)[1] for cid in convs}
        core_msgs = {mid: message_dict(_looked_up(conn, message_lookup, message_row, mid)) for mid in msgs}
    for cid in convs:
        assert json.dumps(core_convs[cid]) == json.dumps(convs[cid])
    for mid in msgs:
        assert json.dumps(core_msgs[mid]) == json.dumps(msgs[mid])
    # The fixture exercises what it claims to: sorted labels, media, errors, deletion.
    assert [label["name"] for label in convs[chat.conversation]["labels"]] == ["Financeiro", "Sem internet"]
    assert convs[chat.bare]["labels"] == [] and convs[chat.bare]["contact"]["email"] is None
    assert convs[chat.conversation]["ai"]["handoff_reason"] == "customer_request"
    assert convs[chat.bare]["ai"] is None
    text, media, failed, deleted, pending = (msgs[mid] for mid in chat.messages)
    assert media["media"]["url"] and media["media"]["voice"] and pending["media"]["url"] is None
    assert failed["error"] == {"code": "131047", "text": "fora da janela", "retryable": False}
    assert failed["status"] == "failed"
    assert deleted["deleted"] and deleted["text"] is None and text["direction"] == "inbound"


def _looked_up(conn: sa.Connection, lookup: Any, parse: Any, row_id: int) -> Any:
    """One lookup of the relay's statement, run alone for this id."""
    found = lookup(sa.literal(row_id))
    return parse(conn.execute(sa.select(*found.c)).one())


def test_the_claim_probes_rows_by_key_in_its_generic_plan(db: Any, chat: Chat) -> None:
    """The relay's statement runs its generic plan, which cannot know the batch: whatever the tables
    hold, it must fetch each row by primary key. Loading by an array of ids, it once hashed the whole
    contacts table on every batch."""
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contacts (tenant_id, name, phone_e164, attributes, created_at, updated_at) "
                "SELECT :t, 'c' || n, '+5511' || (900000000 + n), '{}', now(), now() "
                "FROM generate_series(1, 2000) AS n"
            ),
            {"t": chat.tenant},
        )
        conn.execute(sa.text("ANALYZE contacts"))
    ids = _record(
        db,
        chat.tenant,
        [(topics.MESSAGE_CREATED, {"message_id": chat.messages[0], "conversation_id": chat.conversation})],
    )
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        sent.append((statement, params))

    engine = db.generic_plan_engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_generic_plan"
            assert len(conn.execute(CLAIM_IDS, {"ids": ids}).all()) == 1
            statement, params = sent[-1]
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, params))
            transaction.rollback()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    for table in ("outbox_events", "messages", "conversations", "contacts"):
        assert f"Index Scan using pk_{table} on {table}" in plan, plan
        assert f"Seq Scan on {table}" not in plan, plan


def _record(db: Any, tenant: int, rows: list[tuple[str, dict[str, Any]]]) -> list[int]:
    with db.tenant_session(tenant) as session:
        events = [topics.record(session, tenant, topic, **payload) for topic, payload in rows]
        session.flush()
        return [event.id for event in events]


def _unrelayed(db: Any) -> list[tuple[int, int]]:
    with db.engine.connect() as conn:
        query = sa.select(OutboxEvent.id, OutboxEvent.attempts).where(OutboxEvent.relayed_at.is_(None))
        return [tuple(row) for row in conn.execute(query.order_by(OutboxEvent.id))]


def test_relay_emits_the_api_shapes_in_id_order(db: Any, redis_url: str, chat: Chat) -> None:
    convs, msgs = _orm_dicts(db, chat)
    conv = chat.conversation
    ids = _record(
        db,
        chat.tenant,
        [
            (topics.CONVERSATION_CREATED, {"conversation_id": chat.bare, "notify": False}),  # not emitted
            *(
                (topics.MESSAGE_CREATED, {"message_id": mid, "conversation_id": conv})
                for mid in chat.messages[:4]
            ),
            (topics.MESSAGE_CREATED, {"message_id": chat.messages[4], "conversation_id": chat.bare}),
            (topics.CONVERSATION_UPDATED, {"conversation_id": conv, "change": "labels"}),
        ],
    )
    recorder = Recorder()
    emitter = Emitter(redis_url)
    emitter.manager = recorder
    assert Relay(db, connect(redis_url), emitter).relay(list(reversed(ids))) == len(ids)

    expected = [
        ("message.created", {"message": msgs[mid], "conversation": convs[conv]}) for mid in chat.messages[:4]
    ]
    expected.append(
        ("message.created", {"message": msgs[chat.messages[4]], "conversation": convs[chat.bare]})
    )
    expected.append(("conversation.updated", {"conversation": convs[conv], "change": "labels"}))
    assert json.dumps([(event, data) for event, data, _ in recorder.emitted]) == json.dumps(expected)
    assert recorder.emitted[0][2] == sorted({f"t{chat.tenant}:all", f"c{conv}", _assignee_room(db, conv)})
    assert _unrelayed(db) == []
    with db.engine.connect() as conn:
        attempts = conn.execute(sa.select(OutboxEvent.attempts).where(OutboxEvent.id.in_(ids))).scalars()
        assert set(attempts) == {1}


def _assignee_room(db: Any, conversation_id: int) -> str:
    with db.engine.connect() as conn:
        assignee = conn.execute(sa.select(Conversation.assignee_id).where(Conversation.id == conversation_id))
        return f"u{assignee.scalar_one()}"


def test_a_failed_publish_leaves_every_row_for_the_sweeper(db: Any, redis_url: str, chat: Chat) -> None:
    """Redis refuses the job enqueue: the claim is rolled back, the failure is recorded on the rows, and
    the sweeper (the same code, without ids) relays them once Redis answers."""
    ids = _record(
        db,
        chat.tenant,
        [
            (topics.MESSAGE_CREATED, {"message_id": chat.messages[1], "conversation_id": chat.conversation}),
            (topics.MEDIA_FETCH, {"message_id": chat.messages[1]}),
        ],
    )
    down = Relay(db, connect(f"redis://127.0.0.1:{free_port()}/0", retries=0))
    with pytest.raises(redis.ConnectionError):
        down.relay(ids)
    assert _unrelayed(db) == [(ids[0], 0), (ids[1], 0)]
    down.record_failure(ids, ConnectionError("Redis down"))
    assert _unrelayed(db) == [(ids[0], 1), (ids[1], 1)]

    assert Relay(db, connect(redis_url)).relay() == 2
    assert _unrelayed(db) == []
    with db.engine.connect() as conn:
        assert set(
            conn.execute(sa.select(OutboxEvent.attempts).where(OutboxEvent.id.in_(ids))).scalars()
        ) == {2}


def test_rows_another_relay_holds_are_skipped_and_the_sweeper_takes_the_oldest(
    db: Any, redis_url: str, chat: Chat
) -> None:
    ids = _record(db, chat.tenant, [(topics.INBOX_CONNECTION, {"inbox_id": 1, "state": "open"})] * 4)
    relay = Relay(db, connect(redis_url))
    with db.engine.connect() as other:  # another relay mid-publish holds the second row
        other.execute(sa.select(OutboxEvent.id).where(OutboxEvent.id == ids[1]).with_for_update())
        assert relay.relay(ids[:3]) == 2
        assert [row_id for row_id, _ in _unrelayed(db)] == [ids[1], ids[3]]
        assert relay.relay() == 1  # the sweeper does not wait for it either
        other.rollback()
    assert [row_id for row_id, _ in _unrelayed(db)] == [ids[1]]
    assert relay.relay(limit=1) == 1 and _unrelayed(db) == []


def test_delayed_and_immediate_jobs_of_one_batch_are_all_queued(db: Any, redis_url: str, chat: Chat) -> None:
    """A delayed job (a snooze wake-up) relayed before immediate ones (a send, a customer message's
    batch jobs) in the same batch: every job is queued, none refused by the shared pipeline."""
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    from jobs.queues import AI, ANALYSIS, DEFAULT, OUTBOUND

    until = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    ids = _record(
        db,
        chat.tenant,
        [
            (topics.SNOOZE_WAKE, {"conversation_id": chat.conversation, "until": until}),
            (topics.MESSAGE_SEND, {"message_id": chat.messages[2]}),
            (topics.MESSAGE_CREATED, {"message_id": chat.messages[0], "conversation_id": chat.conversation,
                                      "direction": "inbound", "status": "bot"}),
        ],
    )  # fmt: skip
    conn = connect(redis_url)
    assert Relay(db, conn).relay(ids) == 3
    assert len(ScheduledJobRegistry(DEFAULT, connection=conn).get_job_ids()) == 1
    queued = {
        name: [j.func_name for j in Queue(name, connection=conn).jobs] for name in (OUTBOUND, AI, ANALYSIS)
    }
    assert queued == {
        OUTBOUND: ["jobs.outbound.send_message"],
        AI: ["jobs.ai.on_messages"],
        ANALYSIS: ["jobs.analysis.analyse_messages"],
    }
