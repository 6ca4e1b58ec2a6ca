"""Group commit: concurrent deliveries of one inbox share a statement, and none answers before it commits."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from integrations.channels.events import ContentType, InboundMessage, MediaRef
from models import Contact, Inbox, Message
from models.ingest import IngestReport, _message_row
from models.ingest_base import InboxRef
from tests.webhooks.test_pipeline import counts, evolution_text
from web.webhooks.batching import IngestBatcher, _Delivery


def send(client, inbox, body: str):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json", **inbox.headers(body.encode())}
    return client.post(inbox.path, data=body, headers=headers)


def slowed(monkeypatch, database, calls: list[int], delay: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    """Each statement takes `delay` longer, so deliveries arriving meanwhile must queue behind it."""
    execute = database.execute_statement

    def slow(statement, params):  # type: ignore[no-untyped-def]
        calls.append(len(json.loads(params[-1])))
        time.sleep(delay)
        return execute(statement, params)

    monkeypatch.setattr(database, "execute_statement", slow)


def test_concurrent_deliveries_share_statements_and_all_are_stored(app, db, inboxes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """30 customers writing at once: fewer statements than deliveries, every message stored once."""
    inbox = inboxes["evolution"]
    calls: list[int] = []
    slowed(monkeypatch, app.extensions["niochat"].db, calls)
    barrier = threading.Barrier(30)
    answers: list[Any] = []

    def deliver(n: int) -> None:
        body = json.dumps(
            evolution_text(f"oi {n}", number=f"55119{87650000 + n}", message_id=f"3EB0B{n:04d}")
        )
        client = app.test_client()
        barrier.wait(timeout=20)
        answers.append(send(client, inbox, body))

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [200] * 30
    assert all(a.json["stored"] == 1 for a in answers)
    assert sum(calls) == 30 and len(calls) < 30 and max(calls) > 1
    assert counts(db, inbox.tenant_id) == (30, 30, 30)


def _row(provider_id: str, phone: str, *, size: int | None = None) -> dict[str, Any]:
    media = MediaRef(mime_type="image/jpeg", size=1) if size is not None else None
    message = InboundMessage(
        provider_message_id=provider_id,
        chat_id=f"{phone}@s.whatsapp.net",
        phone=phone,
        timestamp=datetime.now(UTC),
        content_type=ContentType.IMAGE if media else ContentType.TEXT,
        text="oi",
        media=media,
    )
    row = _message_row(message, IngestReport())
    assert row is not None
    if size is not None:  # past MediaRef's own guard: a value only the database refuses
        row["media"]["size"] = size
    return row


def test_a_bad_delivery_in_a_batch_fails_alone(app, db, inboxes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A message the database refuses (a size beyond bigint) fails its delivery only; the rest are stored."""
    inbox = inboxes["evolution"]
    database = app.extensions["niochat"].db
    with db.platform_session() as session:
        ref = InboxRef.of(session.get(Inbox, inbox.id))
    calls: list[int] = []
    slowed(monkeypatch, database, calls)
    batcher = IngestBatcher(database)
    rows = [[_row(f"GOOD{n}", f"55119876500{n:02d}")] for n in range(6)]
    rows.insert(3, [_row("BAD", "5511987650099", size=10**30)])
    outcomes: dict[int, Any] = {}
    barrier = threading.Barrier(len(rows))

    def store(n: int) -> None:
        barrier.wait(timeout=20)
        try:
            outcomes[n] = batcher.store(ref, rows[n])
        except Exception as exc:  # the outcome under test
            outcomes[n] = exc

    threads = [threading.Thread(target=store, args=(n,)) for n in range(len(rows))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(outcomes[3], psycopg.errors.NumericValueOutOfRange)
    assert all(outcomes[n][0][2] == "created" for n in outcomes if n != 3)
    assert max(calls) > 1  # they were batched before the retry one by one
    with db.tenant_session(inbox.tenant_id) as session:
        stored = set(session.scalars(sa.select(Message.provider_message_id)))
        assert stored == {f"GOOD{n}" for n in range(6)}
        assert session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 6


def test_a_database_outage_fails_every_waiting_delivery_with_503(app, inboxes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Unreachable database: each delivery answers 503 (the provider retries), none hangs."""
    inbox = inboxes["evolution"]
    database = app.extensions["niochat"].db

    def down(statement, params):  # type: ignore[no-untyped-def]
        time.sleep(0.05)
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(database, "execute_statement", down)
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def deliver(n: int) -> None:
        body = json.dumps(evolution_text("oi", number=f"55119{87650000 + n}", message_id=f"3EB0D{n:04d}"))
        client = app.test_client()
        barrier.wait(timeout=20)
        statuses.append(send(client, inbox, body).status_code)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [503] * 8


@pytest.mark.parametrize("deliveries", [1, 3])
def test_one_persons_messages_keep_their_order_in_a_batch(app, db, inboxes, deliveries: int) -> None:  # type: ignore[no-untyped-def]
    """Sorting a batch by contact keeps each person's messages in arrival order (ids ascend)."""
    inbox = inboxes["evolution"]
    with db.platform_session() as session:
        ref = InboxRef.of(session.get(Inbox, inbox.id))
    batcher = IngestBatcher(app.extensions["niochat"].db)
    people = ["+5511987650002", "+5511987650001"]
    rows = [[_row(f"M{d}-{i}", people[i % 2][1:]) for i in range(6 // deliveries)] for d in range(deliveries)]
    batch = [_Delivery(r) for r in rows]
    batcher._store_batch(ref, batch)  # one batch, as a leader stores it
    assert all(d.error is None and d.result is not None for d in batch)
    arrival = [r for d in rows for r in d]
    with db.tenant_session(inbox.tenant_id) as session:
        by_id = [p for (p,) in session.execute(sa.select(Message.provider_message_id).order_by(Message.id))]
    for person in people:
        mine = [r["provider_message_id"] for r in arrival if r["phone_e164"] == person]
        assert [p for p in by_id if p in mine] == mine


def test_a_follower_that_gives_up_never_stalls_the_inbox(app, db, inboxes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A delivery that times out behind a slow statement leaves the queue: later ones still get stored."""
    from web.webhooks import batching

    inbox = inboxes["evolution"]
    database = app.extensions["niochat"].db
    with db.platform_session() as session:
        ref = InboxRef.of(session.get(Inbox, inbox.id))
    monkeypatch.setattr(batching, "WAIT_SECONDS", 0.2)
    calls: list[int] = []
    slowed(monkeypatch, database, calls, delay=0.8)
    batcher = IngestBatcher(database)
    outcomes: dict[str, Any] = {}

    def store(name: str, row: dict[str, Any]) -> None:
        try:
            outcomes[name] = batcher.store(ref, [row])
        except Exception as exc:  # the outcome under test
            outcomes[name] = exc

    leader = threading.Thread(target=store, args=("leader", _row("L1", "5511987650001")))
    leader.start()
    time.sleep(0.1)
    store("follower", _row("F1", "5511987650002"))  # queues behind the leader's slow statement
    leader.join()
    assert isinstance(outcomes["follower"], TimeoutError)
    assert outcomes["leader"][0][2] == "created"
    store("later", _row("N1", "5511987650003"))
    assert outcomes["later"][0][2] == "created"
    with db.tenant_session(inbox.tenant_id) as session:
        stored = set(session.scalars(sa.select(Message.provider_message_id)))
    assert stored == {"L1", "N1"}


def test_a_redelivery_this_process_stored_needs_no_statement(app, db, inboxes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A message this process saw stored answers as a duplicate from memory; one that left the bounded
    memory, or was never seen here, is still refused by the database: stored once either way."""
    from web.webhooks.batching import RecentMessages

    inbox = inboxes["evolution"]
    database = app.extensions["niochat"].db
    with db.platform_session() as session:
        ref = InboxRef.of(session.get(Inbox, inbox.id))
    calls: list[int] = []
    slowed(monkeypatch, database, calls, delay=0)
    batcher = IngestBatcher(database, RecentMessages(size=2))
    first = batcher.store(ref, [_row("A", "5511987650001"), _row("B", "5511987650002")])
    assert [outcome for _, _, outcome, _ in first] == ["created", "created"] and calls == [2]

    again = batcher.store(ref, [_row("A", "5511987650001"), _row("C", "5511987650003")])
    assert [outcome for _, _, outcome, _ in again] == ["duplicate", "created"]
    assert calls == [2, 1]  # only C went to the database
    assert batcher.store(ref, [_row("C", "5511987650003")])[0][2] == "duplicate" and calls == [2, 1]

    # A left the memory (size 2: B and C remain): the database answers, and still stores nothing twice.
    assert batcher.store(ref, [_row("A", "5511987650001")])[0][2] == "duplicate" and calls == [2, 1, 1]
    other = IngestBatcher(database)  # another process: nothing in its memory
    assert other.store(ref, [_row("B", "5511987650002")])[0][2] == "duplicate" and calls[-1] == 1
    with db.tenant_session(inbox.tenant_id) as session:
        stored = list(session.scalars(sa.select(Message.provider_message_id).order_by(Message.id)))
    assert stored == ["A", "B", "C"]
