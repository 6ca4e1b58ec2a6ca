"""python-socketio's Redis message queue, write-only, publishing a relay batch in one round trip.

The stock `socketio.RedisManager` sends every emit as its own PUBLISH (one Redis round trip each) and
walks the data looking for bytes first (`Packet.data_is_binary`); the relay runs inside the webhook
process, where that per-row CPU competes with webhooks. This subclass keeps the wire format (the dict
`PubSubManager.emit` publishes, JSON-encoded, one PUBLISH per event on the same channel, so every Socket.IO
server decodes it as before) and changes only how it is sent: inside `batch()` the encoded messages wait in
a per-thread buffer and leave in one pipeline, in emit order. tests/realtime/test_pubsub.py pins the
message to the library's own, so an upgrade that changes the format fails there, not in browsers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import socketio

# Short timeouts, as for the job queues (jobs.queues.connect): a Redis outage must fail the relay's batch,
# which rolls back and leaves the rows to the sweeper, rather than hang the relay thread.
REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "health_check_interval": 30}


class PipelinedRedisManager(socketio.RedisManager):
    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel, write_only=True, redis_options=dict(REDIS_OPTIONS))
        # Per thread: the web process's relay thread and request threads share one manager, and a batch
        # must hold only its own thread's events.
        self._local = threading.local()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Buffer this thread's publishes and send them in one pipeline when the block ends. If the block
        raises nothing is sent; if the pipeline fails the error propagates, so the relay's transaction
        rolls back and the rows stay unrelayed. A nested batch joins the outer one."""
        if getattr(self._local, "buffer", None) is not None:
            yield
            return
        buffer: list[str] = []
        self._local.buffer = buffer
        try:
            yield
        finally:
            self._local.buffer = None
        if buffer:
            with self._client().pipeline(transaction=False) as pipe:
                for encoded in buffer:
                    pipe.publish(self.channel, encoded)
                pipe.execute()

    def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        """`PubSubManager.emit` for JSON data, without its `data_is_binary` walk: encoding the message
        fails with TypeError exactly when the data holds bytes (the stdlib encoder refuses them), and
        only then is the library's path, which sends bytes as attachments, needed. Callbacks need a
        server, which a write-only manager has not; they take the library's path too, which says so."""
        if callback is None and not kwargs:
            message = {
                "method": "emit",
                "event": event,
                "data": list(data) if isinstance(data, tuple) else [data],
                "binary": False,
                "namespace": namespace or "/",
                "room": to or room,
                "skip_sid": skip_sid,
                "callback": None,
                "host_id": self.host_id,
            }
            try:
                encoded = self.json.dumps(message)
            except TypeError:
                pass
            else:
                # No local delivery (`_handle_emit`): a write-only manager has no clients of its own.
                self._send(encoded)
                return
        super().emit(
            event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs
        )

    def leave_room_anywhere(self, sid: str, room: str, namespace: str = "/") -> None:
        """`PubSubManager.leave_room`'s message: the process holding the socket takes it out of `room`."""
        self._publish(
            {
                "method": "leave_room",
                "sid": sid,
                "room": room,
                "namespace": namespace,
                "host_id": self.host_id,
            }
        )

    def disconnect_anywhere(self, sid: str, namespace: str = "/") -> None:
        """`PubSubManager.disconnect`'s message without its local half, which needs a server (a
        write-only manager has none): the process holding the socket disconnects it."""
        self._publish({"method": "disconnect", "sid": sid, "namespace": namespace, "host_id": self.host_id})

    def _publish(self, data: Any) -> None:
        """The library's extension point, for what does not go through the fast path above."""
        self._send(self.json.dumps(data))

    def _send(self, encoded: str) -> None:
        """Into the open batch of this thread, or straight to Redis. Unlike the stock manager's, a failed
        publish raises (after the client's own retries) instead of being logged and dropped."""
        buffer = getattr(self._local, "buffer", None)
        if buffer is not None:
            buffer.append(encoded)
        else:
            self._client().publish(self.channel, encoded)

    def _client(self) -> Any:
        if not self.connected:
            self._redis_connect()
        return self.redis
