"""The relay through the real message queue: a python-socketio server in another "process" (its own
`web.realtime.redis_manager` listening on Redis) delivers one relay batch, sent in one Redis round trip,
to a real Socket.IO client, in outbox id order, exactly as python-socketio's stock manager delivers the
same events; and when that Redis fails the batch rolls back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import socketio
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.serving import make_server

from jobs.queues import connect
from jobs.realtime import Emitter, channel_for, with_views
from jobs.relay import Relay
from models import Conversation
from models import outbox_ops as topics
from models.outbox import OutboxEvent
from tests.conftest import free_port
from tests.factories import make_message
from tests.realtime.conftest import World, spy_on

Received = list[tuple[str, Any]]


@pytest.fixture()
def listen(redis_url: str) -> Iterator[Callable[[list[str]], Received]]:
    """listen(rooms) → what a Socket.IO client in those rooms receives, from a server fed only by Redis."""
    server = socketio.Server(
        async_mode="threading",
        client_manager=socketio.RedisManager(redis_url, channel=channel_for(redis_url)),
    )

    @server.event
    def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any]) -> None:
        for room in auth["rooms"]:
            server.enter_room(sid, room)

    http = make_server("127.0.0.1", 0, socketio.WSGIApp(server), threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    clients: list[socketio.Client] = []

    def _listen(rooms: list[str]) -> Received:
        received: Received = []
        client = socketio.Client()
        client.on("*", lambda event, data: received.append((event, data)))
        client.connect(f"http://127.0.0.1:{http.server_port}", auth={"rooms": rooms}, transports=["polling"])
        clients.append(client)
        return received

    yield _listen
    for client in clients:
        client.disconnect()
    http.shutdown()


def _wait_for(received: Received, count: int) -> Received:
    deadline = time.monotonic() + 10
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # and nothing more arrives
    return list(received)


def _record(db: Any, world: World) -> list[int]:
    with db.tenant_session(world.tenant) as session:
        conv = session.get(Conversation, world.pending_suporte)
        texts = [f"mensagem {n}" for n in range(4)]
        messages = [make_message(session, conv, text, provider_id=f"P{n}") for n, text in enumerate(texts)]
        rows = [
            topics.record(
                session, world.tenant, topics.MESSAGE_CREATED, message_id=m.id, conversation_id=conv.id
            )
            for m in messages
        ]
        rows.append(topics.record(session, world.tenant, topics.MEDIA_FETCH, message_id=messages[0].id))
        rows.append(
            topics.record(
                session, world.tenant, topics.CONVERSATION_UPDATED, conversation_id=conv.id, change="x"
            )
        )
        rows.append(topics.record(session, world.tenant, topics.INBOX_CONNECTION, inbox_id=1, state="open"))
        session.flush()
        return [row.id for row in rows]


def test_one_batch_one_round_trip_same_events_as_the_stock_manager(
    db: Any, redis_url: str, world: World, listen: Callable[[list[str]], Received]
) -> None:
    admin = listen([f"t{world.tenant}:all"])
    other_tenant = listen([f"t{world.other_tenant}:all"])
    ids = _record(db, world)
    emitter = Emitter(redis_url)
    spy = spy_on(emitter.manager)
    assert Relay(db, connect(redis_url), emitter).relay(list(reversed(ids))) == len(ids)

    assert len(spy.round_trips) == 1 and len(spy.round_trips[0]) == 6  # every event but the job's row
    got = _wait_for(admin, 6)
    assert [event for event, _ in got] == ["message.created"] * 4 + [
        "conversation.updated",
        "inbox.connection",
    ]
    assert [data["message"]["text"] for _, data in got[:4]] == [f"mensagem {n}" for n in range(4)]  # id order
    assert other_tenant == []

    # The same rows through python-socketio's own manager, one PUBLISH each, reach the client identically.
    stock = socketio.RedisManager(redis_url, channel=channel_for(redis_url), write_only=True)
    stock.host_id = emitter.manager.host_id
    emitter.manager = stock
    stock_spy = spy_on(stock)
    query = sa.select(OutboxEvent.id, OutboxEvent.tenant_id, OutboxEvent.topic, OutboxEvent.payload)
    with db.engine.connect() as conn:
        rows = query.where(OutboxEvent.id.in_(ids), OutboxEvent.topic != topics.MEDIA_FETCH).subquery()
        emitter.emit_outbox(conn.execute(with_views(rows)).all())
    assert _wait_for(admin, 12)[6:] == got
    assert stock_spy.round_trips == [[message] for message in spy.round_trips[0]]  # byte for byte


def test_socketio_redis_failing_rolls_the_batch_back(db: Any, redis_url: str, world: World) -> None:
    """Unlike python-socketio's stock manager, which logs a failed publish and drops the event, the
    relay's batch fails, the claim rolls back and the rows wait for the sweeper."""
    ids = _record(db, world)
    emitter = Emitter(f"redis://127.0.0.1:{free_port()}/0")
    emitter.manager.redis_options["retry"] = Retry(NoBackoff(), 0)
    with pytest.raises(redis.ConnectionError):
        Relay(db, connect(redis_url), emitter).relay(ids)
    with db.engine.connect() as conn:
        left = conn.execute(
            sa.select(OutboxEvent.id, OutboxEvent.attempts).where(OutboxEvent.relayed_at.is_(None))
        )
        assert sorted(left.all()) == [(row_id, 0) for row_id in ids]
