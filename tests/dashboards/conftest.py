"""Dashboards fixtures: two tenants with a supervisor each, and the read-only database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from models.enums import ChannelType, Role

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
    from tests.factories import make_conversation

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
    ids = [
        make_conversation(session, tenant.id, inbox.id, phone=f"+551198765{tenant.id:02d}{n:02d}").id
        for n in range(conversations)
    ]
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
