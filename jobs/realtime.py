"""Socket.IO emits from any process (web or worker) through the Redis message queue.

Rooms are joined on the server after a permission check (web/realtime.py); this module only decides
which rooms an event goes to, from the conversation's state:
  t{tenant}:all           admins and supervisors: everything of the tenant
  t{tenant}:bot           agents: conversations with the AI
  t{tenant}:team:{id}     agents of a team: its waiting, unassigned conversations
  t{tenant}:team:none     agents: waiting conversations of no team
  u{user}                 one user: the conversations assigned to them
  c{conversation}         whoever has the conversation open
An update also goes to the rooms of the state it left (previous status, assignee, team: recorded by
models.lifecycle) so lists drop it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import sqlalchemy as sa
from redis.connection import parse_url
from sqlalchemy.dialects.postgresql import ARRAY

from jobs.pubsub import PipelinedRedisManager
from jobs.room_access import ENDED_EVENT, RoomAccess
from models import outbox_ops as topics
from models.conversation import Conversation
from models.enums import ConversationStatus
from models.serialize import ConversationRow, CoreRow, message_dict
from models.serialize_sql import (
    CONVERSATION_WIDTH,
    MESSAGE_WIDTH,
    conversation_lookup,
    conversation_row,
    message_lookup,
    message_row,
)

log = logging.getLogger(__name__)
CHANNEL = "niochat-socketio"
MESSAGE_EVENTS = {
    topics.MESSAGE_CREATED: "message.created",
    topics.MESSAGE_UPDATED: "message.updated",
    topics.MESSAGE_STATUS: "message.status",
}
# Topics whose event shows a conversation (and, for MESSAGE_EVENTS, a message).
CONVERSATION_EVENTS = {*MESSAGE_EVENTS, topics.CONVERSATION_CREATED, topics.CONVERSATION_UPDATED}
SOCKET_TOPICS = {
    *CONVERSATION_EVENTS,
    topics.INBOX_CONNECTION,
    topics.USER_ACCESS,
    topics.USER_AVAILABILITY,
    topics.CONTACT_UPDATED,
    topics.CSAT_ALERT,
}
# Positions in a row of `with_views`: the outbox row, then the message, then the conversation.
_MESSAGE = slice(4, 4 + MESSAGE_WIDTH)
_CONVERSATION = slice(_MESSAGE.stop, _MESSAGE.stop + CONVERSATION_WIDTH)
_Shown = tuple[ConversationRow, dict[str, Any]] | None  # a conversation row and its dict, if found


def _one_of(column: sa.ColumnElement[str], values: Iterable[str]) -> sa.ColumnElement[bool]:
    """`column = ANY(ARRAY[...])` with the values written into the SQL: an IN list would be expanded
    into parameters on every execution, a tenth of the relay's client time."""
    listed = ", ".join(f"'{value}'" for value in sorted(values))  # our own topic names, never input
    return column == sa.any_(sa.literal_column(f"ARRAY[{listed}]::varchar[]", ARRAY(sa.String)))


def with_views(rows: sa.FromClause) -> sa.Select[Any]:
    """Outbox rows (id, tenant_id, topic, payload, in id order), each followed by what its Socket.IO
    event shows: the message and the conversation, looked up in the same statement. Rows that emit
    nothing (jobs, `notify: false`) look nothing up."""
    payload = rows.c.payload
    shown = _one_of(rows.c.topic, CONVERSATION_EVENTS) & sa.func.coalesce(
        payload["notify"].as_boolean(), sa.true()
    )
    message_id = payload["message_id"].astext.cast(sa.BigInteger)
    conversation_id = payload["conversation_id"].astext.cast(sa.BigInteger)
    message = message_lookup(sa.case((shown & _one_of(rows.c.topic, MESSAGE_EVENTS), message_id)))
    conversation = conversation_lookup(sa.case((shown, conversation_id)))
    return (
        sa.select(rows.c.id, rows.c.tenant_id, rows.c.topic, rows.c.payload, *message.c, *conversation.c)
        .select_from(rows)
        .outerjoin(message, sa.true())
        .outerjoin(conversation, sa.true())
        .order_by(rows.c.id)
    )


def channel_for(redis_url: str) -> str:
    """The pub/sub channel for this Redis database. Redis pub/sub ignores database numbers, so two
    deployments (or two test workers) sharing one server on different dbs would otherwise receive each
    other's events, with room names like `t1:all` that exist in both."""
    db = int(parse_url(redis_url).get("db") or 0)
    return CHANNEL if db == 0 else f"{CHANNEL}:{db}"


def state_rooms(
    tenant_id: int, conversation_id: int, status: str, assignee_id: int | None, team_id: int | None
) -> set[str]:
    """Who lists a conversation in this state: the rule of `models.permissions.conversation_visibility`
    spelled as rooms."""
    t = tenant_id
    rooms = {f"t{t}:all", f"c{conversation_id}"}
    if status == ConversationStatus.BOT:
        rooms.add(f"t{t}:bot")
    if status == ConversationStatus.PENDING and assignee_id is None:
        rooms.add(f"t{t}:team:{team_id}" if team_id else f"t{t}:team:none")
    if assignee_id:
        rooms.add(f"u{assignee_id}")
    return rooms


def tenant_rooms(tenant_id: int) -> set[str]:
    """Rooms that together reach every inbox user of a tenant (managers are in `all`, every agent in
    `bot`): for what all of them may see, like a contact's labels (contacts are tenant-wide)."""
    return {f"t{tenant_id}:all", f"t{tenant_id}:bot"}


def conversation_rooms(
    conv: Conversation | ConversationRow,
    extra_user_ids: Iterable[int | None] = (),
    extra_team_ids: Iterable[int | None] = (),
) -> set[str]:
    rooms = state_rooms(conv.tenant_id, conv.id, str(conv.status), conv.assignee_id, conv.team_id)
    rooms.update(f"u{uid}" for uid in extra_user_ids if uid)
    rooms.update(f"t{conv.tenant_id}:team:{tid}" for tid in extra_team_ids if tid)
    return rooms


class Emitter:
    def __init__(self, redis_url: str) -> None:
        self.manager = PipelinedRedisManager(redis_url, channel=channel_for(redis_url))

    def emit(self, event: str, data: dict[str, Any], rooms: Iterable[str]) -> None:
        """One publish for all the rooms: a browser in several of them (its team's and the open
        conversation's) gets the event once, and Redis carries it once."""
        targets = sorted(set(rooms))
        if targets:
            self.manager.emit(event, data, room=targets, namespace="/")

    def emit_outbox(self, rows: Sequence[CoreRow], access: RoomAccess | None = None) -> None:
        """One batch of rows of `with_views` → events, in one Redis round trip. With `access` (the relay
        gives it), rooms are also taken away where a change took the permission (jobs/room_access.py)."""
        convs: dict[int, _Shown] = {}
        with self._batch():  # one Redis round trip for the batch; if it fails, the caller rolls back
            for row in rows:
                try:
                    self._emit_row(row, convs, access)
                except Exception:  # one bad row must not stop the others; the row is logged, not retried
                    log.exception("emit failed for outbox row %s", row.id)

    def _batch(self) -> AbstractContextManager[None]:
        """Tests put an in-process Socket.IO server here (tests/realtime/conftest.py); it sends at once."""
        if isinstance(self.manager, PipelinedRedisManager):
            return self.manager.batch()
        return nullcontext()

    def _emit_row(self, row: CoreRow, convs: dict[int, _Shown], access: RoomAccess | None = None) -> None:
        p = row.payload
        if row.topic == topics.USER_ACCESS:
            if access is not None:
                self._end_sockets(*access.sockets_of(int(p["user_id"])))
            return
        if row.topic == topics.INBOX_CONNECTION:
            self.emit(
                "inbox.connection",
                {"inbox_id": p["inbox_id"], "state": p["state"]},
                [f"t{row.tenant_id}:all"],
            )
            return
        if row.topic == topics.USER_AVAILABILITY:  # every inbox user of the tenant: admins and agents
            data = {"user_id": p["user_id"], "availability": p["availability"]}
            self.emit("user.availability", data, [f"t{row.tenant_id}:all", f"t{row.tenant_id}:bot"])
            return
        if row.topic == topics.CONTACT_UPDATED:  # ids only: the screens showing the contact reload it
            self.emit(
                "contact.updated",
                {"contact_id": p["contact_id"], "change": p.get("change")},
                tenant_rooms(row.tenant_id),
            )
            return
        if row.topic == topics.CSAT_ALERT:  # supervisors and admins (`all`): a bad rating, live
            keys = ("conversation_id", "contact_id", "contact_name", "score", "survey_id", "reopened")
            self.emit("csat.alert", {k: p.get(k) for k in keys}, [f"t{row.tenant_id}:all"])
            return
        conversation_id = int(p.get("conversation_id", 0))
        if conversation_id not in convs:  # serialised once per batch, however many rows show it
            convs[conversation_id] = conversation_row(row[_CONVERSATION])
        found = convs[conversation_id]
        if found is None:
            return
        conv, conversation = found
        rooms = conversation_rooms(conv, [p.get("previous_assignee_id")])
        if p.get("previous_status"):  # also where it was listed before this change, so lists drop it
            before = (p["previous_status"], p.get("previous_assignee_id"), p.get("previous_team_id"))
            rooms |= state_rooms(conv.tenant_id, conv.id, *before)
        name = MESSAGE_EVENTS.get(row.topic)
        if name is not None:
            message = message_row(row[_MESSAGE])
            if message is None:
                return
            self.emit(name, {"message": message_dict(message), "conversation": conversation}, rooms)
        else:
            name = (
                "conversation.created" if row.topic == topics.CONVERSATION_CREATED else "conversation.updated"
            )
            self.emit(name, {"conversation": conversation, "change": p.get("change")}, rooms)
            if access is not None and p.get("previous_status"):  # a transition: who may still look?
                for sid in access.strangers(conv):
                    self._leave_room(sid, f"c{conv.id}")

    def _leave_room(self, sid: str, room: str) -> None:
        if isinstance(self.manager, PipelinedRedisManager):
            self.manager.leave_room_anywhere(sid, room)
        else:  # an in-process socketio.Server (tests/realtime/conftest.py)
            self.manager.leave_room(sid, room, namespace="/")

    def _end_sockets(self, sids: list[str], reconnect: bool) -> None:
        """As `web.auth.sockets.end_sockets` ends them: told why, then disconnected wherever they are."""
        for sid in sids:
            self.manager.emit(ENDED_EVENT, {"reconnect": reconnect}, to=sid, namespace="/")
            if isinstance(self.manager, PipelinedRedisManager):
                self.manager.disconnect_anywhere(sid)
            else:
                self.manager.disconnect(sid, namespace="/")
