"""Webhook → ingest: authentication, parsing, idempotency and what gets stored."""

from __future__ import annotations

import json
import threading
import time

import sqlalchemy as sa

from models import Contact, Conversation, ConversationEvent, Message, OutboxEvent
from tests.stubs import evolution_payloads as evo
from tests.stubs import uazapi_payloads as uaz
from tests.stubs import whatsapp_cloud_payloads as cloud
from tests.webhooks.conftest import UAZAPI_TOKEN

UAZ_URL = "https://isp.uazapi.com"


def evolution_text(text: str, *, number: str = "5511987654321", message_id: str | None = None, **kw):  # type: ignore[no-untyped-def]
    message, kind = evo.text_message(text)
    data = evo.record(message, kind, number=number, message_id=message_id, **kw)
    return evo.envelope("messages.upsert", data, instance="isp01", server_url="http://evo")


def counts(db, tenant_id: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with db.tenant_session(tenant_id) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Message, Conversation, Contact)
        )


def test_each_provider_text_is_stored_as_one_conversation(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """A text from each provider becomes a contact, a conversation in `bot` and an inbound message."""
    payloads = {
        "evolution": evolution_text("Estou sem internet"),
        "uazapi": uaz.webhook(uaz.text_record("Oi, boa tarde"), token=UAZAPI_TOKEN, base_url=UAZ_URL),
        "whatsapp_cloud": cloud.envelope(messages=[cloud.text("Sem internet", wa_id="5511912345678")]),
    }
    for name, payload in payloads.items():
        response = post(inboxes[name], payload)
        assert response.status_code == 200, (name, response.json)
        assert response.json["stored"] == 1
    tenant = inboxes["evolution"].tenant_id
    with db.tenant_session(tenant) as session:
        rows = session.execute(
            sa.select(Message.text, Message.direction, Conversation.status).join(Conversation)
        ).all()
    assert sorted(r[0] for r in rows) == ["Estou sem internet", "Oi, boa tarde", "Sem internet"]
    assert {str(r[1]) for r in rows} == {"inbound"} and {str(r[2]) for r in rows} == {"bot"}


def test_wrong_secret_is_refused_and_nothing_is_stored(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """Every provider's authentication failure answers 401/403 and stores nothing."""
    evo_resp = post(inboxes["evolution"], evolution_text("x"), headers={"X-NioChat-Secret": "wrong"})
    cloud_raw = json.dumps(cloud.envelope(messages=[cloud.text("x")])).encode()
    cloud_resp = post(
        inboxes["whatsapp_cloud"], None, raw=cloud_raw, headers={"X-Hub-Signature-256": "sha256=00"}
    )
    uaz_resp = post(
        inboxes["uazapi"], uaz.webhook(uaz.text_record("x"), token="not-the-token", base_url=UAZ_URL)
    )
    tg_resp = post(inboxes["telegram"], {"update_id": 1}, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
    for response in (evo_resp, cloud_resp, uaz_resp, tg_resp):
        assert response.status_code in (401, 403), response.json
        assert response.json["error"]["code"] in ("unauthorized", "forbidden")
    assert counts(db, inboxes["evolution"].tenant_id) == (0, 0, 0)


def test_unknown_inbox_or_provider_mismatch_is_404(client, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """An unknown key, or a key used under another provider's path, is 404."""
    assert client.post("/webhooks/evolution/not-a-key", json={}).status_code == 404
    wrong_path = f"/webhooks/uazapi/{inboxes['evolution'].key}"
    assert client.post(wrong_path, json={}).status_code == 404
    assert client.post(f"/webhooks/nope/{inboxes['evolution'].key}", json={}).status_code == 404


def test_malformed_bodies_are_400_with_a_logged_reason(db, inboxes, post, caplog) -> None:  # type: ignore[no-untyped-def]
    """Invalid JSON or a message without an id is 400, logged, and nothing is half-stored."""
    bad_json = post(inboxes["evolution"], None, raw=b"{not json")
    assert bad_json.status_code == 400 and bad_json.json["error"]["code"] == "bad_request"
    broken = evolution_text("sem id")
    del broken["data"]["key"]["id"]
    response = post(inboxes["evolution"], broken)
    assert response.status_code == 400
    assert response.json["error"]["reason"]
    assert any("malformed" in r.getMessage() for r in caplog.records)
    assert counts(db, inboxes["evolution"].tenant_id) == (0, 0, 0)


def test_unknown_event_types_are_acknowledged_and_ignored(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """A valid event we do not use answers 200 and stores nothing."""
    payload = evo.envelope(
        "presence.update", {"id": "x", "presences": {}}, instance="isp01", server_url="http://evo"
    )
    response = post(inboxes["evolution"], payload)
    assert response.status_code == 200 and response.json["stored"] == 0
    assert counts(db, inboxes["evolution"].tenant_id) == (0, 0, 0)


def test_redelivery_stores_one_message(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """The same webhook three times: one message, reported as duplicates after the first."""
    payload = evolution_text("oi", message_id="3EB0AAAA0001")
    answers = [post(inboxes["evolution"], payload).json for _ in range(3)]
    assert [a["stored"] for a in answers] == [1, 0, 0]
    assert [a["duplicates"] for a in answers] == [0, 1, 1]
    assert counts(db, inboxes["evolution"].tenant_id) == (1, 1, 1)


def test_fifty_concurrent_deliveries_store_one_message(app, db, inboxes) -> None:  # type: ignore[no-untyped-def]
    """50 threads deliver the same webhook at once: exactly one message, conversation and contact."""
    inbox = inboxes["evolution"]
    body = json.dumps(evolution_text("simultânea", message_id="3EB0CONCURRENT")).encode()
    headers = {"Content-Type": "application/json", **inbox.headers(body)}
    barrier = threading.Barrier(50)
    statuses: list[int] = []

    def deliver() -> None:
        client = app.test_client()
        barrier.wait(timeout=20)
        statuses.append(client.post(inbox.path, data=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 50
    assert counts(db, inbox.tenant_id) == (1, 1, 1)


def test_brazilian_mobile_with_and_without_ninth_digit_is_one_contact(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """Meta's wa_id without the 9 and Evolution's JID with it join the same contact."""
    post(inboxes["evolution"], evolution_text("com nove", number="5511987654321"))
    post(inboxes["whatsapp_cloud"], cloud.envelope(messages=[cloud.text("sem nove", wa_id="551187654321")]))
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        phones = session.scalars(sa.select(Contact.phone_e164)).all()
        conversations = session.scalar(sa.select(sa.func.count()).select_from(Conversation))
    assert phones == ["+5511987654321"]
    assert conversations == 2  # one per inbox, same person


def test_from_me_is_stored_as_outgoing_without_renaming_the_contact(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """A message typed on the business phone is outbound, sent by an agent, and keeps the customer's name."""
    post(inboxes["evolution"], evolution_text("Olá", push_name="Maria"))
    post(inboxes["evolution"], evolution_text("Bom dia, Maria!", from_me=True, push_name="Provedor X"))
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        rows = session.execute(sa.select(Message.direction, Message.sender_kind).order_by(Message.id)).all()
        name = session.scalar(sa.select(Contact.name))
    assert [(str(d), str(s)) for d, s in rows] == [("inbound", "contact"), ("outbound", "agent")]
    assert name == "Maria"


def test_closed_conversation_gets_a_new_one(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """After close, the next message opens a new conversation with its own CREATED event."""
    post(inboxes["evolution"], evolution_text("primeira"))
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        session.execute(sa.update(Conversation).values(status="closed"))
    post(inboxes["evolution"], evolution_text("segunda"))
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        statuses = session.scalars(sa.select(Conversation.status).order_by(Conversation.id)).all()
        created = session.scalar(
            sa.select(sa.func.count())
            .select_from(ConversationEvent)
            .where(ConversationEvent.kind == "created")
        )
    assert [str(s) for s in statuses] == ["closed", "bot"] and created == 2


def test_inbox_without_ai_starts_pending(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """AI disabled: the conversation waits for a human from the first message."""
    from models import Inbox

    with db.platform_session() as session:
        session.get(Inbox, inboxes["uazapi"].id).ai_enabled = False
    post(inboxes["uazapi"], uaz.webhook(uaz.text_record("oi"), token=UAZAPI_TOKEN, base_url=UAZ_URL))
    with db.tenant_session(inboxes["uazapi"].tenant_id) as session:
        conv = session.scalar(sa.select(Conversation))
    assert str(conv.status) == "pending" and conv.waiting_since is not None


def test_statuses_only_move_forward_in_any_order(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """read, then sent, then delivered, then read again: the message ends read with all timestamps."""
    inbox = inboxes["whatsapp_cloud"]
    with db.tenant_session(inbox.tenant_id) as session:
        from tests.factories import make_conversation

        conv = make_conversation(session, inbox.tenant_id, inbox.id, phone="+5511987654321")
        session.add(Message(tenant_id=inbox.tenant_id, conversation_id=conv.id, inbox_id=inbox.id,
                            direction="outbound", sender_kind="agent", content_type="text", text="oi",
                            status="pending", provider_message_id="wamid.OUT1"))  # fmt: skip
    for state, ts in [
        ("read", "1749416390"),
        ("sent", "1749416380"),
        ("delivered", "1749416385"),
        ("read", "1749416399"),
    ]:
        assert (
            post(
                inbox, cloud.envelope(statuses=[cloud.status("wamid.OUT1", state, timestamp=ts)])
            ).status_code
            == 200
        )
    with db.tenant_session(inbox.tenant_id) as session:
        msg = session.scalar(sa.select(Message).where(Message.provider_message_id == "wamid.OUT1"))
    assert str(msg.status) == "read"
    assert msg.read_at.timestamp() == 1749416390
    assert msg.sent_at is not None and msg.delivered_at is not None
    failed = cloud.status("wamid.OUT1", "failed", error_code=131047, error_title="Re-engagement message")
    post(inbox, cloud.envelope(statuses=[failed]))
    post(inbox, cloud.envelope(statuses=[cloud.status("wamid.OUT1", "delivered")]))
    with db.tenant_session(inbox.tenant_id) as session:
        msg = session.scalar(sa.select(Message).where(Message.provider_message_id == "wamid.OUT1"))
    assert str(msg.status) == "failed" and msg.error_code == "131047" and "24 horas" in msg.error_text


def test_outbox_rows_are_relayed_to_queues(app, db, inboxes, post, redis_url) -> None:  # type: ignore[no-untyped-def]
    """After the answer, the relay marks the rows relayed and media fetches are queued."""
    from rq import Queue

    from jobs.queues import MEDIA, connect

    message, kind = evo.media_message("image", caption="foto do roteador")
    payload = evo.envelope(
        "messages.upsert", evo.record(message, kind), instance="isp01", server_url="http://evo"
    )
    assert post(inboxes["evolution"], payload).json["stored"] == 1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with db.platform_session() as session:
            left = session.scalar(
                sa.select(sa.func.count()).select_from(OutboxEvent).where(OutboxEvent.relayed_at.is_(None))
            )
        if left == 0:
            break
        time.sleep(0.05)
    assert left == 0
    jobs = Queue(MEDIA, connection=connect(redis_url)).jobs
    assert [j.func_name for j in jobs] == ["jobs.media.fetch_media"]


def test_relay_of_a_large_batch_leaves_nothing_behind(db, inboxes, redis_url) -> None:  # type: ignore[no-untyped-def]
    """Handing the relay more ids than one sweep takes still relays every one of them."""
    from jobs.queues import connect
    from jobs.relay import Relay
    from models import outbox_ops as topics

    tenant = inboxes["evolution"].tenant_id
    with db.tenant_session(tenant) as session:
        rows = [
            topics.record(session, tenant, topics.INBOX_CONNECTION, inbox_id=1, state="open")
            for _ in range(620)
        ]
        session.flush()
        ids = [row.id for row in rows]
    relay = Relay(db, connect(redis_url))
    assert relay.relay(ids) == 620
    with db.platform_session() as session:
        left = session.scalar(
            sa.select(sa.func.count()).select_from(OutboxEvent).where(OutboxEvent.relayed_at.is_(None))
        )
    assert left == 0


def test_oversized_provider_text_is_stored_or_refused_never_a_500(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """A 300-character name and file name are stored shortened; a 300-character message id is a 400."""
    message, kind = evo.media_message("document", file_name="x" * 300 + ".pdf", caption="contrato")
    data = evo.record(message, kind, push_name="N" * 300)
    payload = evo.envelope("messages.upsert", data, instance="isp01", server_url="http://evo")
    response = post(inboxes["evolution"], payload)
    assert response.status_code == 200 and response.json["stored"] == 1
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        name = session.scalar(sa.select(Contact.name))
        filename = session.scalar(sa.select(Message.media_filename))
    assert name == "N" * 200 and len(filename) == 255
    too_long = evolution_text("oi", message_id="3EB0" + "A" * 300)
    refused = post(inboxes["evolution"], too_long)
    assert refused.status_code == 400 and "255" in refused.json["error"]["reason"]
    assert counts(db, inboxes["evolution"].tenant_id)[0] == 1


def test_a_delivery_of_new_messages_is_one_round_trip(app, db, inboxes, post, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Contact, conversation, message and outbox rows of a message delivery cost one autocommit
    statement and nothing through the ORM: the throughput of webhooks rests on it."""
    post(inboxes["evolution"], evolution_text("aquece"))  # the inbox lookup is cached after this
    database = app.extensions["niochat"].db
    direct: list[str] = []
    through_orm: list[str] = []
    execute = database.execute_statement

    def counted(statement, params):  # type: ignore[no-untyped-def]
        direct.append(statement)
        return execute(statement, params)

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if threading.get_ident() == request_thread:  # not the relay's, after the answer
            through_orm.append(statement)

    request_thread = threading.get_ident()  # the test client runs the app in this thread

    monkeypatch.setattr(database, "execute_statement", counted)
    sa.event.listen(database.engine, "before_cursor_execute", record)
    try:
        response = post(inboxes["evolution"], evolution_text("uma ida só", number="5511912345678"))
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", record)
    assert response.status_code == 200 and response.json["stored"] == 1
    assert len(direct) == 1 and "ingest_messages" in direct[0] and through_orm == []
    raw = database.statement_engine.raw_connection()
    try:
        assert raw.driver_connection.autocommit is True  # no BEGIN, no COMMIT
    finally:
        raw.close()


def test_nul_characters_are_dropped_not_a_500(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL text cannot hold NUL: a message carrying one is stored without it."""
    response = post(inboxes["evolution"], evolution_text("sem\u0000internet", push_name="Jo\u0000ão"))
    assert response.status_code == 200 and response.json["stored"] == 1
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        assert session.scalar(sa.select(Message.text)) == "seminternet"
        assert session.scalar(sa.select(Contact.name)) == "João"
