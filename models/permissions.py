"""Who sees and acts on which conversation: the one policy for the inbox, the REST API and Socket.IO rooms.

The rule exists in two forms that must agree: `conversation_visibility(user)` is a WHERE clause for lists
(so filtering, paging and counting happen in PostgreSQL) and `can_view` / `can_act` judge one loaded
conversation. tests/auth/test_permissions.py runs a matrix of roles × statuses × assignments × teams
through both. Change one form, change the other.

- admin, supervisor: every conversation of their tenant, every action.
- agent: conversations assigned to them (any status, so their closed ones too); unassigned `pending`
  conversations of one of their teams or of no team; `bot` conversations (to follow the AI and take over).
  They take (assumir) pending or bot conversations they see; reply, transfer and close only their own open
  ones; reopen their own closed ones; add internal notes wherever they can look; never assign others.
- superadmin, deactivated users: no inbox at all (the platform is run from the back office).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from models.conversation import Conversation
from models.enums import ConversationStatus, Role
from models.user import TeamMember, User

MANAGER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
INBOX_ROLES = MANAGER_ROLES | {Role.AGENT}


class Action(StrEnum):
    TAKE = "take"  # assumir: assign to oneself
    ASSIGN = "assign"  # choose the agent
    TRANSFER = "transfer"  # to another agent or team, with a reason
    CLOSE = "close"
    REOPEN = "reopen"
    REPLY = "reply"  # a message the customer receives
    NOTE = "note"  # an internal note only agents see


def has_inbox(user: User) -> bool:
    return bool(user.is_active) and user.role in INBOX_ROLES and user.tenant_id is not None


def is_manager(user: User) -> bool:
    return has_inbox(user) and user.role in MANAGER_ROLES


def user_team_ids(session: Session, user: User) -> frozenset[int]:
    """The team ids `can_view`/`can_act` need; load once per request, not per conversation."""
    rows = session.scalars(
        sa.select(TeamMember.team_id).where(
            TeamMember.user_id == user.id, TeamMember.tenant_id == user.tenant_id
        )
    )
    return frozenset(rows)


def conversation_visibility(user: User) -> ColumnElement[bool]:
    """WHERE clause over `Conversation` selecting what `user` may see. The user's teams are a subquery,
    so the clause is self-contained and always current."""
    if not has_inbox(user):
        return sa.false()
    same_tenant = Conversation.tenant_id == user.tenant_id
    if user.role in MANAGER_ROLES:
        return same_tenant
    my_teams = sa.select(TeamMember.team_id).where(
        TeamMember.user_id == user.id, TeamMember.tenant_id == user.tenant_id
    )
    waiting_for_anyone_of_mine = sa.and_(
        Conversation.status == ConversationStatus.PENDING,
        Conversation.assignee_id.is_(None),
        sa.or_(Conversation.team_id.is_(None), Conversation.team_id.in_(my_teams)),
    )
    return sa.and_(
        same_tenant,
        sa.or_(
            Conversation.assignee_id == user.id,
            Conversation.status == ConversationStatus.BOT,
            waiting_for_anyone_of_mine,
        ),
    )


def can_view(user: User, conversation: Conversation, team_ids: Collection[int]) -> bool:
    """The Python twin of `conversation_visibility`."""
    if not has_inbox(user) or conversation.tenant_id != user.tenant_id:
        return False
    if user.role in MANAGER_ROLES:
        return True
    status = conversation.status
    if conversation.assignee_id == user.id or status == ConversationStatus.BOT:
        return True
    return (
        status == ConversationStatus.PENDING
        and conversation.assignee_id is None
        and (conversation.team_id is None or conversation.team_id in team_ids)
    )


def can_act(user: User, conversation: Conversation, action: Action | str, team_ids: Collection[int]) -> bool:
    """Whether `user` may perform `action`. Whether the transition makes sense for the conversation's
    state right now (closing a closed one…) is the domain operation's check, not this one's."""
    action = Action(action)
    if not can_view(user, conversation, team_ids):
        return False
    if user.role in MANAGER_ROLES:
        return True
    mine = conversation.assignee_id == user.id
    closed = conversation.status == ConversationStatus.CLOSED
    if action is Action.TAKE:
        return conversation.status in (ConversationStatus.PENDING, ConversationStatus.BOT)
    if action in (Action.REPLY, Action.TRANSFER, Action.CLOSE):
        return mine and not closed
    if action is Action.REOPEN:
        return mine and closed
    # NOTE: internal, so anywhere they may look. ASSIGN: choosing who works on what is a supervisor's job.
    return action is Action.NOTE


def allowed_actions(user: User, conversation: Conversation, team_ids: Collection[int]) -> frozenset[Action]:
    """Every action `user` may take on `conversation`: what the UI shows as buttons."""
    return frozenset(a for a in Action if can_act(user, conversation, a, team_ids))
