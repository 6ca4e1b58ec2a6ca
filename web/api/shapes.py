"""Response bodies shared by several endpoints: the conversation as GET and every action return it, and
`{id, name}` references to people and teams (the screens print names, the ids are for links)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.conversation import Conversation
from models.csat_surveys import survey_state
from models.enums import ConversationStatus
from models.outbound import window_open
from models.permissions import Action, allowed_actions
from models.serialize import conversation_dict
from models.user import Team, User
from web.auth.context import current_team_ids, current_user


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of users of the current tenant (`User` is not tenant-scoped, so the filter is explicit)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    tenant_id = current_user().tenant_id
    rows = session.execute(
        sa.select(User.id, User.name).where(User.id.in_(wanted), User.tenant_id == tenant_id)
    )
    return {uid: name for uid, name in rows}


def team_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        tid: name for tid, name in session.execute(sa.select(Team.id, Team.name).where(Team.id.in_(wanted)))
    }


def ref(ident: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    """`{id, name}`; the name is null when the row is gone (a deleted user in an old event)."""
    return None if ident is None else {"id": ident, "name": names.get(ident)}


def possible_actions(conv: Conversation) -> frozenset[Action]:
    """What the conversation's state allows, whoever asks; `allowed_actions` says who may. The intersection
    is what the screen offers, so a supervisor is not shown "Reabrir" on an open conversation."""
    if conv.status == ConversationStatus.CLOSED:
        return frozenset({Action.REOPEN, Action.NOTE})
    taken = conv.status == ConversationStatus.OPEN and conv.assignee_id is not None
    actions = set(Action) - {Action.REOPEN}
    if taken:
        actions.discard(Action.TAKE)
    return frozenset(actions)


def conversation_detail(session: Session, conv: Conversation) -> dict[str, Any]:
    """GET /conversations/{id} and the answer of every action on it."""
    user = current_user()
    actions = allowed_actions(user, conv, current_team_ids()) & possible_actions(conv)
    body = conversation_dict(conv)
    body["allowed_actions"] = sorted(str(a) for a in actions)
    body["assignee"] = ref(conv.assignee_id, user_names(session, [conv.assignee_id]))
    body["team"] = ref(conv.team_id, team_names(session, [conv.team_id]))
    body["window_open"] = window_open(conv, str(conv.inbox.channel_type))
    body["csat"] = survey_state(session, conv.id)
    return body
