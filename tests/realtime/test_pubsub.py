"""`jobs.pubsub.PipelinedRedisManager`: byte for byte the messages python-socketio's own Redis manager
publishes, a batch in one round trip and in order, batches private to their thread, and failures that
reach the caller instead of being logged away."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

from jobs.pubsub import PipelinedRedisManager
from jobs.realtime import channel_for
from tests.conftest import free_port
from tests.realtime.conftest import spy_on

# What NioChat sends (nested dicts and lists, None, unicode, numbers), plus what it never sends but the
# library supports (several arguments as a tuple, bytes as attachments, `to=`): all must come out as the
# stock manager publishes them.
CASES: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "message.created",
        {
            "message": {"id": 7, "text": "Olá, não funciona ✓", "media": None, "labels": [{"n": "x"}]},
            "conversation": {"id": 3, "unread_count": 2, "attributes": {"vip": True, "score": 1.5}},
        },
        {"room": ["c3", "t1:all", "u9"]},
    ),
    ("inbox.connection", {"inbox_id": 1, "state": "open"}, {"room": ["t1:all"]}),
    ("two.args", ({"a": 1}, [2, 3]), {"room": "t1:all"}),
    ("binary", {"file": b"\x00\x01raw", "nested": [b"x"]}, {"room": ["c3"]}),
    ("to", {"a": None}, {"to": ["u1"], "skip_sid": "sid-1"}),
]


def _managers(redis_url: str) -> tuple[PipelinedRedisManager, socketio.RedisManager]:
    channel = channel_for(redis_url)
    ours = PipelinedRedisManager(redis_url, channel=channel)
    stock = socketio.RedisManager(redis_url, channel=channel, write_only=True)
    stock.host_id = ours.host_id
    return ours, stock


def test_messages_are_byte_for_byte_the_stock_managers(redis_url: str) -> None:
    """Other processes' Socket.IO servers decode what they always got. Pinned against the installed
    python-socketio, so an upgrade that changes its message fails here."""
    ours, stock = _managers(redis_url)
    ours_spy, stock_spy = spy_on(ours), spy_on(stock)
    for event, data, target in CASES:
        ours.emit(event, data, namespace="/", **target)
        stock.emit(event, data, namespace="/", **target)
    assert ours_spy.round_trips == stock_spy.round_trips
    assert len(ours_spy.round_trips) == len(CASES)
    binary = json.loads(ours_spy.round_trips[3][0])
    assert binary["binary"] is True and binary["data"][1:] == ["AAFyYXc=", "eA=="]  # the library's path


def test_a_batch_is_one_round_trip_in_emit_order(redis_url: str) -> None:
    ours, _ = _managers(redis_url)
    spy = spy_on(ours)
    listener = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(ours.channel)
    with ours.batch():
        for i in range(5):
            ours.emit("message.created", {"i": i}, room=["t1:all"], namespace="/")
        with ours.batch():  # a nested batch joins the outer one
            ours.emit("message.created", {"i": 5}, room=["t1:all"], namespace="/")
        assert spy.round_trips == []
    assert len(spy.round_trips) == 1
    sent = [json.loads(message)["data"][0]["i"] for message in spy.round_trips[0]]
    assert sent == [0, 1, 2, 3, 4, 5]
    received = []
    deadline = time.monotonic() + 5
    while len(received) < 6 and time.monotonic() < deadline:
        if (message := listener.get_message(timeout=0.5)) is not None:  # None: the subscription's own
            received.append(json.loads(message["data"])["data"][0]["i"])
    assert received == sent
    listener.close()


def test_a_batch_holds_only_its_own_threads_events(redis_url: str) -> None:
    """The web process's relay thread batches while request threads may emit through the same manager."""
    ours, _ = _managers(redis_url)
    spy = spy_on(ours)
    with ours.batch():
        ours.emit("mine", {"n": 1}, room=["a"], namespace="/")
        other = threading.Thread(target=ours.emit, args=("theirs", {"n": 2}), kwargs={"room": ["b"]})
        other.start()
        other.join()
        assert [json.loads(m)["event"] for trip in spy.round_trips for m in trip] == ["theirs"]
    assert [[json.loads(m)["event"] for m in trip] for trip in spy.round_trips] == [["theirs"], ["mine"]]


def test_a_failing_block_sends_nothing_and_a_failing_redis_raises(redis_url: str) -> None:
    ours, _ = _managers(redis_url)
    spy = spy_on(ours)
    with pytest.raises(RuntimeError), ours.batch():
        ours.emit("never", {}, room=["a"], namespace="/")
        raise RuntimeError("the relay failed before publishing")
    assert spy.round_trips == []
    ours.emit("after", {}, room=["a"], namespace="/")  # the thread is out of the batch: sent at once
    assert len(spy.round_trips) == 1

    down = PipelinedRedisManager(f"redis://127.0.0.1:{free_port()}/0", channel="x")
    down.redis_options["retry"] = Retry(NoBackoff(), 0)
    with pytest.raises(redis.ConnectionError), down.batch():
        down.emit("lost?", {}, room=["a"], namespace="/")
    with pytest.raises(redis.ConnectionError):  # the stock manager would log and drop it
        down.emit("lost?", {}, room=["a"], namespace="/")


def test_leave_room_is_the_stock_managers_message(redis_url: str) -> None:
    """The relay takes a socket out of a room held by another process with the library's own message
    (a write-only stock manager publishes the same, the socket being none of its own)."""
    ours, stock = _managers(redis_url)
    ours_spy, stock_spy = spy_on(ours), spy_on(stock)
    ours.leave_room_anywhere("sid-1", "c3")
    stock.leave_room("sid-1", "/", "c3")
    assert ours_spy.round_trips == stock_spy.round_trips
    ours.disconnect_anywhere("sid-1")
    assert json.loads(ours_spy.round_trips[-1][0]) == {
        "method": "disconnect", "sid": "sid-1", "namespace": "/", "host_id": ours.host_id
    }  # fmt: skip
