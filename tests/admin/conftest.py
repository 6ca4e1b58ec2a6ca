"""Two tenants with people of every role, and a logged-in test client per person: the material of the
back office's tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from models.enums import Role
from tests.auth.conftest import PASSWORD, csrf_from

_CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass
class Person:
    id: int
    email: str
    tenant_id: int | None
    role: Role


@dataclass
class World:
    tenant_a: int
    tenant_b: int
    people: dict[str, Person]


@pytest.fixture()
def world(db: Any) -> World:
    """Tenants A and B; in each an admin, a supervisor and an agent; one platform superadmin."""
    from models.provisioning import create_tenant, create_user

    people: dict[str, Person] = {}
    with db.platform_session() as session:
        a = create_tenant(session, slug="provedor-a", name="Provedor A")
        b = create_tenant(session, slug="provedor-b", name="Provedor B")
        for key, tenant, role in [
            ("admin_a", a.id, Role.ADMIN),
            ("supervisor_a", a.id, Role.SUPERVISOR),
            ("agent_a", a.id, Role.AGENT),
            ("admin_b", b.id, Role.ADMIN),
            ("agent_b", b.id, Role.AGENT),
            ("root", None, Role.SUPERADMIN),
        ]:
            email = f"{key}@example.com.br"
            user = create_user(
                session, tenant_id=tenant, email=email, name=key.title(), password=PASSWORD, role=role
            )
            people[key] = Person(user.id, email, user.tenant_id, role)
        return World(a.id, b.id, people)


def form_token(html: str) -> str:
    """The CSRF token of a page's forms (the meta tag, as every admin page carries it)."""
    return csrf_from(html)


@pytest.fixture()
def login_as(app: Any, world: World) -> Callable[[str], Any]:
    """A test client logged in as `world.people[key]` (no 2FA)."""

    def make(key: str) -> Any:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        person = world.people[key]
        response = client.post(
            "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_from(page)}
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return client

    return make


def post_form(client: Any, url: str, data: dict[str, Any], page_url: str | None = None) -> Any:
    """POST like a browser: first GET the page for its CSRF token."""
    page = client.get(page_url or url)
    token = csrf_from(page.get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture()
def meta() -> Iterator[Any]:
    """Meta's Graph API, listing the business account's templates."""
    from tests.stubs.whatsapp_cloud import WhatsAppCloudStub

    with WhatsAppCloudStub() as stub:
        yield stub
