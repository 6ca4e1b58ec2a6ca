"""Socket.IO rooms follow permissions after they were granted.

A socket is given its rooms when it connects and `c{id}` when it opens a conversation (web/realtime.py),
each after a permission check; without this module nothing took them away when the permission went: an
agent whose conversation was reassigned, transferred to another team or closed under her, or who lost a
team, a role or her account, kept hearing every message of it. The change is made in one process (a web
request, a worker, the CLI) and the sockets live in any web process, so the relay, which every change
already reaches through its outbox row, is where rooms are recomputed:

- A conversation transition (`conversation.updated` with `previous_status`): the sockets that hold `c{id}`
  are recorded in Redis (`niochat:viewers:{id}`: socket id → user id, written by the join *before* its
  own permission check, so a join racing the change is either refused by the check or seen here). Their
  users are judged again by `models.permissions.can_view` on the committed state, and those who may no
  longer look are taken out of the room through the message queue (`leave_room` reaches the process that
  holds the socket), in the same pipeline as the batch's events and before any later one.
- A change to the user (`user.access`, recorded by `models.access.access_changed` with the change: role,
  teams, deactivation): every socket of the user is ended (`session.ended`), telling the page to
  reconnect, and so be given the rooms the user has now, or, when the user has no inbox any more, to
  reload into the login page.

The remaining window is a message relayed by another process between the transition's commit and its
own relay (milliseconds): the rooms are recomputed per change, not per message, which keeps the
message path free of Redis reads.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from redis import Redis
from sqlalchemy.engine import Connection

from models.conversation import Conversation
from models.enums import ConversationStatus, Role
from models.permissions import can_view, has_inbox
from models.serialize import ConversationRow
from models.user import TeamMember, User

log = logging.getLogger(__name__)

SOCKETS_KEY = "niochat:sockets:{}"  # per user: socket id → browser session id (web/auth/sockets.py)
VIEWERS_KEY = "niochat:viewers:{}"  # per conversation: socket id → user id, the sockets in `c{id}`
VIEWERS_TTL_SECONDS = 24 * 3600  # refreshed by every join; a leftover only costs a harmless recheck
ENDED_EVENT = "session.ended"


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass
class RoomAccess:
    """What the relay asks while it publishes one batch: which sockets must leave a conversation's room,
    which sockets a user has. Reads Redis and, through the relay's own connection, PostgreSQL.

    A socket taken out of a room stays recorded as its viewer until it joins another conversation, leaves
    or disconnects (web/realtime.py): forgetting it here could race a legitimate join of the same socket
    and forget that instead; a stale record only costs a later transition one more `leave_room`."""

    conn: Connection
    redis: Redis

    def strangers(self, conv: ConversationRow) -> list[str]:
        """The sockets in `c{conv.id}` whose user may no longer view it."""
        viewers = self.redis.hgetall(VIEWERS_KEY.format(conv.id))
        recorded = {text(sid): int(uid) for sid, uid in viewers.items()}
        if not recorded:
            return []
        allowed = self._viewers(conv, set(recorded.values()))
        return sorted(sid for sid, uid in recorded.items() if uid not in allowed)

    def _viewers(self, conv: ConversationRow, user_ids: Iterable[int]) -> set[int]:
        users = self.conn.execute(
            sa.select(User.id, User.tenant_id, User.role, User.is_active).where(User.id.in_(list(user_ids)))
        ).all()
        teams: dict[int, set[int]] = {}
        rows = self.conn.execute(
            sa.select(TeamMember.user_id, TeamMember.team_id).where(
                TeamMember.user_id.in_([u.id for u in users]), TeamMember.tenant_id == conv.tenant_id
            )
        )
        for user_id, team_id in rows:
            teams.setdefault(user_id, set()).add(team_id)
        state = Conversation(
            id=conv.id,
            tenant_id=conv.tenant_id,
            status=ConversationStatus(conv.status),
            assignee_id=conv.assignee_id,
            team_id=conv.team_id,
        )  # transient: only what `can_view` reads
        return {
            u.id
            for u in users
            if can_view(_user(u.id, u.tenant_id, u.role, u.is_active), state, teams.get(u.id, set()))
        }

    def sockets_of(self, user_id: int) -> tuple[list[str], bool]:
        """The user's sockets, and whether their page should reconnect (the user still has an inbox) or
        reload into the login page (deactivated, or no longer an inbox role)."""
        sids = sorted(text(sid) for sid in self.redis.hkeys(SOCKETS_KEY.format(user_id)))
        if not sids:
            return [], False
        row = self.conn.execute(
            sa.select(User.id, User.tenant_id, User.role, User.is_active).where(User.id == user_id)
        ).first()
        return sids, row is not None and has_inbox(_user(*row))


def _user(user_id: int, tenant_id: int | None, role: Any, is_active: bool) -> User:
    """A transient user with the columns the permission rules read."""
    return User(id=user_id, tenant_id=tenant_id, role=Role(role), is_active=is_active)
