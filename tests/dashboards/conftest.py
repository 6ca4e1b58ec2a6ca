"""A tenant with an inbox, two agents and a team, for the dashboards' metric tests; two tenants with a
supervisor each, tokens and AppTest for the app's access, pages and exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_team, create_tenant, create_user

WEEKDAYS_8_18 = {
    "weekly": {str(d): [["08:00", "18:00"]] for d in range(1, 6)} | {"6": [["08:00", "12:00"]], "7": []},
    "holidays": [],
}


@dataclass
class Shop:
    tenant_id: int
    inbox_id: int
    agent_id: int
    other_agent_id: int
    team_id: int


def make_shop(session: Any, slug: str, hours: dict[str, Any] | None = None) -> Shop:
    tenant = create_tenant(session, slug=slug, name=f"Provedor {slug}")
    tenant.business_hours = hours if hours is not None else WEEKDAYS_8_18
    tenant.timezone = "America/Sao_Paulo"
    inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name=f"WhatsApp {slug}")
    a = create_user(session, tenant_id=tenant.id, email=f"a@{slug}.test", name=f"Ana {slug}",
                    password="x-very-long-pass", role=Role.AGENT)  # fmt: skip
    b = create_user(session, tenant_id=tenant.id, email=f"b@{slug}.test", name=f"Bruno {slug}",
                    password="x-very-long-pass", role=Role.AGENT)  # fmt: skip
    team = create_team(session, tenant_id=tenant.id, name=f"Financeiro {slug}", member_ids=[a.id, b.id])
    session.flush()
    return Shop(tenant.id, inbox.id, a.id, b.id, team.id)


@pytest.fixture()
def shop(db: Any) -> Shop:
    with db.platform_session() as session:
        return make_shop(session, "isp")


PASSWORD = "senha-forte-123"


@dataclass
class Person:
    id: int
    email: str
    tenant_id: int | None


@dataclass
class TenantWorld:
    tenant_id: int
    inbox_id: int
    supervisor: Person
    agent: Person
    conversation_ids: list[int]


def _world(session, slug: str, conversations: int) -> TenantWorld:  # type: ignore[no-untyped-def]
    from models.provisioning import create_inbox, create_tenant, create_user
    from tests.factories import make_conversation, make_message

    tenant = create_tenant(session, slug=slug, name=slug.replace("-", " ").title())
    inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name=f"WhatsApp {slug}")
    people = {}
    for role in (Role.SUPERVISOR, Role.AGENT):
        email = f"{role.value}@{slug}.com.br"
        user = create_user(
            session,
            tenant_id=tenant.id,
            email=email,
            name=f"{role.value.title()} {slug}",
            password=PASSWORD,
            role=role,
        )
        people[role] = Person(user.id, email, tenant.id)
    ids = []
    for n in range(conversations):
        conv = make_conversation(session, tenant.id, inbox.id, phone=f"+551198765{tenant.id:02d}{n:02d}")
        make_message(session, conv, f"Olá, sem internet ({slug} {n})")
        ids.append(conv.id)
    return TenantWorld(tenant.id, inbox.id, people[Role.SUPERVISOR], people[Role.AGENT], ids)


@pytest.fixture()
def worlds(db) -> dict[str, TenantWorld]:  # type: ignore[no-untyped-def]
    """Tenant A with 3 conversations, tenant B with 2, each with a supervisor and an agent."""
    with db.platform_session() as session:
        return {"a": _world(session, "provedor-a", 3), "b": _world(session, "provedor-b", 2)}


@pytest.fixture()
def superadmin(db) -> Person:  # type: ignore[no-untyped-def]
    from models.provisioning import create_user

    with db.platform_session() as session:
        user = create_user(
            session,
            tenant_id=None,
            email="root@niochat.dev",
            name="Root",
            password=PASSWORD,
            role=Role.SUPERADMIN,
        )
        return Person(user.id, user.email, None)


@pytest.fixture()
def readonly_db(settings, db) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from models.db import Database
    from niochat.readonly_role import readonly_database_url

    database = Database(readonly_database_url(settings, settings.database_url), pool_size=2, max_overflow=2)
    yield database
    database.dispose()


APP = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "dashboards" / "app.py")


def token_for(db, settings, person: Person, seconds: int = 60) -> str:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from models.dashboard_access import issue_token
    from models.user import User

    with db.session() as session:
        user = session.get(User, person.id)
        return issue_token(user, secret_key=settings.secret_key, ttl=timedelta(seconds=seconds))


@pytest.fixture()
def app_test(settings, db, redis_url):  # type: ignore[no-untyped-def]
    """A fresh AppTest of the dashboards entry (caches cleared, so no view leaks between tests)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()

    def make(person: Person | None = None, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if person is not None:
            at.query_params["token"] = token_for(db, settings, person)
        for key, value in params.items():
            at.query_params[key] = value
        return at

    return make


@pytest.fixture()
def facts(db, worlds):  # type: ignore[no-untyped-def]
    """The fact rows of both tenants' conversations, as the worker's job would write them."""
    from models.facts_refresh import backfill

    for world in worlds.values():
        with db.tenant_session(world.tenant_id) as session:
            backfill(session, world.tenant_id)
    return worlds


@dataclass
class TeamsWorld:
    """One tenant, two teams: "Financeiro" (X: the supervisor and agent Xavier, 12 conversations) and
    "Suporte" (Y: agent Yara, 8 conversations), plus 10 conversations the AI closed alone (no team); an
    admin, and a supervisor in no team."""

    tenant_id: int
    inbox_id: int
    team_x: int
    team_y: int
    supervisor: Person
    admin: Person
    lone_supervisor: Person
    agent_x: int
    agent_y: int
    x_ids: list[int]
    y_ids: list[int]
    bot_ids: list[int]


@pytest.fixture()
def teams_world(db) -> TeamsWorld:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from models import ConversationLabel, CsatResponse, CsatSurvey, Label
    from models.enums import ActorKind, CsatStatus
    from models.facts_refresh import backfill
    from tests.dashboards.timeline import Timeline

    slug = "provedor-equipes"
    with db.platform_session() as session:
        tenant = create_tenant(session, slug=slug, name="Provedor Equipes")
        inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp")
        people = {
            key: create_user(
                session,
                tenant_id=tenant.id,
                email=f"{key}@{slug}.com.br",
                name=name,
                password=PASSWORD,
                role=role,
            )
            for key, name, role in [
                ("supervisora", "Sofia Supervisora", Role.SUPERVISOR),
                ("admin", "Alice Admin", Role.ADMIN),
                ("geral", "Gustavo Geral", Role.SUPERVISOR),
                ("xavier", "Xavier Financeiro", Role.AGENT),
                ("yara", "Yara Suporte", Role.AGENT),
            ]
        }
        x = create_team(session, tenant_id=tenant.id, name="Financeiro",
                        member_ids=[people["supervisora"].id, people["xavier"].id])  # fmt: skip
        y = create_team(session, tenant_id=tenant.id, name="Suporte", member_ids=[people["yara"].id])
        label = Label(tenant_id=tenant.id, name="Sem internet")
        session.add(label)
        session.flush()
        tenant_id, inbox_id, team_x, team_y, label_id = tenant.id, inbox.id, x.id, y.id, label.id
        person = {k: Person(u.id, u.email, tenant_id) for k, u in people.items()}
    now = datetime.now(UTC)
    ids: dict[str, list[int]] = {"x": [], "y": [], "bot": []}
    kinds = ["x"] * 12 + ["y"] * 8 + ["bot"] * 10
    with db.tenant_session(tenant_id) as session:
        for n, kind in enumerate(kinds):
            t = now - timedelta(days=1 + n % 5, hours=n % 7)
            tl = Timeline(session, tenant_id, inbox_id, t, phone=f"+55119000033{n:02d}")
            tl.customer(t, sentiment="negative", intent="sem_internet", sentiment_score=-0.8)
            tl.bot(t + timedelta(seconds=3)).tool(t + timedelta(seconds=2), "status_conexao")
            if kind == "bot":
                tl.close(t + timedelta(minutes=2), ActorKind.BOT)
            else:
                team, agent = (team_x, person["xavier"].id) if kind == "x" else (team_y, person["yara"].id)
                tl.handoff(t + timedelta(minutes=1), "support", team)
                tl.assign(t + timedelta(minutes=3), agent).agent(t + timedelta(minutes=4), agent)
                tl.close(t + timedelta(minutes=9), ActorKind.USER, agent)
                tl.conv.team_id, tl.conv.assignee_id = team, agent  # what the raw-table exports read
                survey = CsatSurvey(
                    tenant_id=tenant_id, conversation_id=tl.id, contact_id=tl.contact_id, inbox_id=inbox_id,
                    agent_id=agent, team_id=team, status=CsatStatus.ANSWERED, scheduled_for=t,
                    sent_at=t + timedelta(minutes=10),
                )  # fmt: skip
                session.add(survey)
                session.flush()
                session.add(CsatResponse(tenant_id=tenant_id, survey_id=survey.id, score=1 + n % 5,
                                         comment=f"comentário {kind}", themes=["preço"]))  # fmt: skip
            session.add(ConversationLabel(tenant_id=tenant_id, conversation_id=tl.id, label_id=label_id))
            ids[kind].append(tl.id)
        session.flush()
        backfill(session, tenant_id)
    return TeamsWorld(
        tenant_id=tenant_id,
        inbox_id=inbox_id,
        team_x=team_x,
        team_y=team_y,
        supervisor=person["supervisora"],
        admin=person["admin"],
        lone_supervisor=person["geral"],
        agent_x=person["xavier"].id,
        agent_y=person["yara"].id,
        x_ids=ids["x"],
        y_ids=ids["y"],
        bot_ids=ids["bot"],
    )
