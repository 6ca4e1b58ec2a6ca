"""Who opens which back-office view: every view is guarded, agents get a pt-BR 403, supervisors only
read what is theirs to read, anonymous browsers go to the login; and every form needs its CSRF token."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models.enums import Role
from tests.admin.conftest import World
from tests.admin.walk import all_views, guarded, index_url, model_views


def test_every_view_has_is_accessible(app: Any) -> None:
    """No view is mounted without the shared access rules (BaseAccess), the landing page included."""
    views = all_views(app)
    assert views
    assert [v.endpoint for v in views if not guarded(v)] == []
    from admin.base import AdminHome

    assert isinstance(app.extensions["niochat_admin"].index_view, AdminHome)


def test_anonymous_goes_to_login(app: Any, world: World) -> None:
    """A browser with no session is sent to the login page, which brings it back afterwards."""
    client = app.test_client()
    for url in ["/admin/", *[index_url(v) for v in all_views(app)]]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_agent_gets_a_portuguese_403(app: Any, world: World, login_as: Any) -> None:
    """An agent is refused everywhere in the back office, with a page in Portuguese."""
    client = login_as("agent_a")
    for url in ["/admin/", *[index_url(v) for v in all_views(app)]]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Acesso negado" in response.get_data(as_text=True)


def test_roles_open_exactly_their_views(app: Any, world: World, login_as: Any) -> None:
    """Each view opens for the roles it names and for no other."""
    clients = {key: login_as(key) for key in ("admin_a", "supervisor_a", "root")}
    roles = {"admin_a": Role.ADMIN, "supervisor_a": Role.SUPERVISOR, "root": Role.SUPERADMIN}
    for view in all_views(app):
        for key, client in clients.items():
            expected = 200 if roles[key] in view.read_roles else 403
            status = client.get(index_url(view)).status_code
            assert status == expected, f"{view.endpoint} as {key}: {status}"


def test_supervisor_reads_but_cannot_change(app: Any, db: Any, world: World, login_as: Any) -> None:
    """Where a supervisor may read, create/edit/delete are neither offered nor accepted."""
    from tests.admin.conftest import post_form

    client = login_as("supervisor_a")
    readable = [v for v in model_views(app) if Role.SUPERVISOR in v.read_roles]
    assert readable
    for view in readable:
        base = index_url(view)
        page = client.get(base).get_data(as_text=True)
        assert f'href="{base}new/' not in page, view.endpoint
        with db.platform_session() as session:
            before = session.scalar(sa.select(sa.func.count()).select_from(view.model))
        post_form(
            client, f"{base}new/", {"name": "x", "shortcut": "x", "title": "x", "content": "x"}, page_url=base
        )
        with db.platform_session() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(view.model)) == before, view.endpoint


def test_every_form_needs_its_csrf_token(app: Any, db: Any, world: World, login_as: Any) -> None:
    """Create, edit and delete posted without the CSRF token are refused (400) and change nothing."""
    client = login_as("admin_a")
    for view in model_views(app):
        base = index_url(view)
        for url in (f"{base}new/", f"{base}edit/?id=1", f"{base}delete/"):
            response = client.post(url, data={"name": "sem-token", "id": "1"})
            assert response.status_code == 400, f"{url}: {response.status_code}"
    agent = world.people["agent_a"].id
    for url in ("/admin/company/", "/admin/business-hours/", f"/admin/users/{agent}/reset-password",
                f"/admin/users/{agent}/reset-2fa"):  # fmt: skip
        assert client.post(url, data={"timezone": "UTC", "day_1": "00:00-01:00"}).status_code == 400, url
    client = login_as("root")
    for url in ("/admin/_niochat/tenant", f"/admin/tenants/{world.tenant_a}/suspend"):
        assert client.post(url, data={"tenant_id": str(world.tenant_b)}).status_code == 400, url
    with db.platform_session() as session:
        from models.tenant import Tenant

        tenant = session.get(Tenant, world.tenant_a)
        assert tenant is not None and tenant.status.value == "active" and tenant.timezone != "UTC"


def test_every_admin_post_route_needs_the_csrf_token(app: Any, world: World, login_as: Any) -> None:
    """Every POST rule under /admin (model views, inboxes, AI, SGP, CSAT, templates, users, tenants…),
    its ids filled with this tenant's plausible values, is refused (400) without the token, for the
    superadmin who may reach them all."""
    import re

    client = login_as("root")
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "POST" not in (rule.methods or set()):
            continue
        url = re.sub(r"<int:[^>]+>", str(world.tenant_a), rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        response = client.post(url, data={"name": "sem-token", "id": "1"})
        assert response.status_code == 400, f"{rule.rule}: {response.status_code}"
        checked.append(rule.rule)
    assert len(checked) > 30  # the walk saw the custom pages too, not only the model views
