"""The conversation policy: the SQL filter and the Python checks agree over roles × statuses × assignees ×
teams, and the rules themselves hold (spot checks written out by hand)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from models import Conversation, User
from models.enums import ChannelType, ConversationStatus, Role
from models.permissions import (
    Action,
    allowed_actions,
    can_act,
    can_view,
    conversation_visibility,
    user_team_ids,
)
from models.provisioning import create_inbox, create_team, create_tenant
from tests.factories import make_conversation

S = ConversationStatus


@dataclass
class World:
    tenant: int
    users: dict[str, int]
    teams: dict[str, int]
    # (status, assignee key or None, team key or None) -> conversation id
    convs: dict[tuple[ConversationStatus, str | None, str | None], int]
    foreign: int  # a conversation of another tenant


@pytest.fixture()
def world(db) -> World:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name="ISP").id
        other = create_tenant(session, slug="outro", name="Outro").id
        users = {}
        for key, role, tenant_of in [
            ("admin", Role.ADMIN, tenant),
            ("supervisor", Role.SUPERVISOR, tenant),
            ("ana", Role.AGENT, tenant),  # in team "suporte"
            ("bruno", Role.AGENT, tenant),  # in no team
            ("inactive", Role.AGENT, tenant),
            ("root", Role.SUPERADMIN, None),
        ]:
            # Rows built directly: the policy never looks at passwords, and hashing six is slow.
            user = User(
                tenant_id=tenant_of, email=f"{key}@isp.com.br", name=key, password_hash="x", role=role
            )
            session.add(user)
            session.flush()
            users[key] = user.id
        session.get(User, users["inactive"]).is_active = False
        teams = {
            "suporte": create_team(
                session, tenant_id=tenant, name="Suporte", member_ids=[users["ana"], users["inactive"]]
            ).id,
            "financeiro": create_team(session, tenant_id=tenant, name="Financeiro").id,
        }
        inbox = create_inbox(session, tenant_id=tenant, channel=ChannelType.EVOLUTION, name="WhatsApp").id
        convs = {}
        combos = itertools.product(S, [None, "ana", "bruno"], [None, "suporte", "financeiro"])
        for n, (status, assignee, team) in enumerate(combos):
            conv = make_conversation(session, tenant, inbox, phone=f"+55119{n:08d}", status=status)
            conv.assignee_id = users[assignee] if assignee else None
            conv.team_id = teams[team] if team else None
            convs[(status, assignee, team)] = conv.id
        other_inbox = create_inbox(session, tenant_id=other, channel=ChannelType.TELEGRAM, name="TG").id
        foreign = make_conversation(session, other, other_inbox, phone="+5511977776666", status=S.BOT).id
    return World(tenant, users, teams, convs, foreign)


def _load(db, world: World, key: str):  # type: ignore[no-untyped-def]
    """The user, their team ids, every conversation (all tenants) and the ids the SQL filter selects."""
    with db.platform_session() as session:
        user = session.get(User, world.users[key])
        team_ids = user_team_ids(session, user) if user.tenant_id else frozenset()
        everything = session.scalars(sa.select(Conversation)).all()
        if user.tenant_id is None:
            visible = set(session.scalars(sa.select(Conversation.id).where(conversation_visibility(user))))
        else:
            visible = None
    if user.tenant_id is not None:
        with db.tenant_session(user.tenant_id) as session:
            visible = set(session.scalars(sa.select(Conversation.id).where(conversation_visibility(user))))
        with db.platform_session() as session:  # the filter alone must hold, without tenant scoping
            unscoped = set(session.scalars(sa.select(Conversation.id).where(conversation_visibility(user))))
        assert unscoped == visible
    return user, team_ids, everything, visible


@pytest.mark.parametrize("key", ["admin", "supervisor", "ana", "bruno", "inactive", "root"])
def test_sql_filter_and_python_check_agree(db, world, key) -> None:  # type: ignore[no-untyped-def]
    """For every user, `conversation_visibility` selects exactly the conversations `can_view` accepts,
    and no action is allowed on a conversation the user cannot see."""
    user, team_ids, everything, visible = _load(db, world, key)
    assert visible == {c.id for c in everything if can_view(user, c, team_ids)}
    for conv in everything:
        if conv.id not in visible:
            assert allowed_actions(user, conv, team_ids) == frozenset()
    assert world.foreign not in visible


def test_who_sees_how_much(db, world) -> None:  # type: ignore[no-untyped-def]
    """Managers see all 36 of their tenant; agents a defined subset; superadmin and inactive users none."""
    counts = {key: len(_load(db, world, key)[3]) for key in world.users}
    assert counts["admin"] == counts["supervisor"] == 36
    # ana: 12 assigned to her + 6 other bot + 2 pending unassigned (no team, her team)
    assert counts["ana"] == 12 + 6 + 2
    # bruno: 12 assigned to him + 6 other bot + 1 pending unassigned without team
    assert counts["bruno"] == 12 + 6 + 1
    assert counts["root"] == counts["inactive"] == 0


VIEW_CASES = [
    ((S.PENDING, None, None), True),
    ((S.PENDING, None, "suporte"), True),
    ((S.PENDING, None, "financeiro"), False),  # another team's queue
    ((S.PENDING, "bruno", None), False),  # someone else's
    ((S.OPEN, "ana", "financeiro"), True),  # hers, whatever the team
    ((S.OPEN, "bruno", "suporte"), False),
    ((S.OPEN, None, "suporte"), False),
    ((S.BOT, None, "financeiro"), True),  # the AI's conversations are visible to take over
    ((S.BOT, "bruno", None), True),
    ((S.CLOSED, "ana", None), True),  # her history
    ((S.CLOSED, None, "suporte"), False),
    ((S.CLOSED, "bruno", "suporte"), False),
]


@pytest.mark.parametrize(("conv_key", "expected"), VIEW_CASES)
def test_agent_visibility_rules(db, world, conv_key, expected) -> None:  # type: ignore[no-untyped-def]
    """Ana (agent of team Suporte) sees exactly what the policy says, case by case."""
    user, team_ids, everything, visible = _load(db, world, "ana")
    conv = next(c for c in everything if c.id == world.convs[conv_key])
    assert can_view(user, conv, team_ids) is expected
    assert (conv.id in visible) is expected


A = Action
ACT_CASES = [
    ("ana", (S.PENDING, None, "suporte"), {A.TAKE, A.NOTE}),
    ("ana", (S.BOT, None, None), {A.TAKE, A.NOTE}),
    ("ana", (S.OPEN, "ana", None), {A.REPLY, A.TRANSFER, A.CLOSE, A.NOTE}),
    ("ana", (S.PENDING, "ana", None), {A.TAKE, A.REPLY, A.TRANSFER, A.CLOSE, A.NOTE}),
    ("ana", (S.CLOSED, "ana", None), {A.REOPEN, A.NOTE}),
    ("ana", (S.OPEN, "bruno", None), set()),
    ("ana", (S.PENDING, None, "financeiro"), set()),
    ("supervisor", (S.OPEN, "bruno", "financeiro"), set(Action)),
    ("admin", (S.CLOSED, None, None), set(Action)),
    ("root", (S.PENDING, None, None), set()),
    ("inactive", (S.OPEN, None, "suporte"), set()),
]


@pytest.mark.parametrize(("key", "conv_key", "expected"), ACT_CASES)
def test_actions(db, world, key, conv_key, expected) -> None:  # type: ignore[no-untyped-def]
    """Agents take visible pending/bot conversations, reply/transfer/close only their own, never assign;
    managers do everything in their tenant; superadmin and inactive users nothing."""
    user, team_ids, everything, _visible = _load(db, world, key)
    conv = next(c for c in everything if c.id == world.convs[conv_key])
    assert allowed_actions(user, conv, team_ids) == frozenset(expected)
    assert can_act(user, conv, "reply", team_ids) is (A.REPLY in expected)


def test_managers_cannot_reach_another_tenant(db, world) -> None:  # type: ignore[no-untyped-def]
    """An admin's rights stop at their tenant's border."""
    user, team_ids, everything, _visible = _load(db, world, "admin")
    foreign = next(c for c in everything if c.id == world.foreign)
    assert not can_view(user, foreign, team_ids)
    assert allowed_actions(user, foreign, team_ids) == frozenset()
