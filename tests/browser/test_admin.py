"""The back office in a real Chromium: a tenant admin invites an agent who then logs in with the
password shown once, and is refused another tenant's row by URL; the superadmin creates and suspends a
tenant. Screenshots (desktop and phone) for docs/admin.md."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from models.enums import Role, TenantStatus
from models.label import Label
from models.tenant import Tenant
from tests.browser.conftest import Live, publish_screenshot, screenshot
from tests.browser.helpers import PASSWORD

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _people(db: Any) -> dict[str, Any]:
    from models.provisioning import create_tenant, create_user

    with db.platform_session() as session:
        a = create_tenant(session, slug="provedor-a", name="Provedor A")
        b = create_tenant(session, slug="provedor-b", name="Provedor B")
        for email, tenant, role in [
            ("admin@a.com.br", a.id, Role.ADMIN),
            ("admin@b.com.br", b.id, Role.ADMIN),
            ("root@niochat.com.br", None, Role.SUPERADMIN),
        ]:
            name = email.split("@")[0].title()
            create_user(session, tenant_id=tenant, email=email, name=name, password=PASSWORD, role=role)
        for name, color in [("Financeiro", "#0e9f6e"), ("Sem internet", "#dc2626"), ("Comercial", "#2563eb")]:
            session.add(
                Label(tenant_id=a.id, name=name, color=color, description=f"Conversas de {name.lower()}")
            )
        label_b = Label(tenant_id=b.id, name="Segredo da B", color="#000000")
        session.add(label_b)
        session.flush()
        return {"a": a.id, "b": b.id, "label_b": label_b.id}


def _page(context: Any) -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and "Failed to load resource" not in msg.text
            and errors.append(f"{page.url} {msg.location}: {msg.text[:60]}")
        ),
    )
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _login(page: Any, live: Live, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_tenant_admin_invites_an_agent_who_logs_in(live: Live, db: Any, browser: Any) -> None:
    """From the inbox header to /admin, a new agent with a password shown once, who then logs in; another
    tenant's row by URL id is a 404."""
    ids = _people(db)
    context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    page = _page(context)
    _login(page, live, "admin@a.com.br")
    page.wait_for_url(f"{live.url}/")
    page.click("#topnav >> text=Administração")
    page.wait_for_url(f"{live.url}/admin/")
    assert page.locator(".tenant-name").inner_text() == "Provedor A"
    home = screenshot(page, "admin-home")

    page.goto(f"{live.url}/admin/labels/")
    labels = screenshot(page, "admin-labels")
    page.goto(f"{live.url}/admin/users/new/")
    page.fill("input[name=name]", "Bruna Agente")
    page.fill("input[name=email]", "bruna@a.com.br")
    page.select_option("select[name=role]", "agent")
    page.click("form input.btn-primary[type=submit]")
    page.wait_for_selector("#temporary-password")
    password = page.locator("#temporary-password").inner_text().strip()
    shown = screenshot(page, "admin-user-created")
    assert len(password) == 12

    missing = page.goto(f"{live.url}/admin/labels/edit/?id={ids['label_b']}")
    assert missing is not None and missing.status == 404
    assert page.goto(f"{live.url}/admin/labels/details/?id={ids['label_b']}").status == 404  # type: ignore[union-attr]
    page.goto(f"{live.url}/admin/users/")
    users = screenshot(page, "admin-users")
    assert "Bruna Agente" in page.content()

    agent_context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    agent = _page(agent_context)
    _login(agent, live, "bruna@a.com.br", password)
    agent.wait_for_url(f"{live.url}/")
    agent.wait_for_selector("body.inbox-ready")
    assert agent.locator("#topnav >> text=Administração").count() == 0
    assert agent.goto(f"{live.url}/admin/").status == 403  # type: ignore[union-attr]

    phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="pt-BR")
    phone = _page(phone_context)
    _login(phone, live, "admin@a.com.br")
    phone.wait_for_url(f"{live.url}/")
    phone.goto(f"{live.url}/admin/users/")
    phone_users = screenshot(phone, "admin-users-phone")
    phone.goto(f"{live.url}/admin/business-hours/")
    phone_hours = screenshot(phone, "admin-business-hours-phone")

    for shot, name in [
        (home, "admin-home"),
        (labels, "admin-labels"),
        (shown, "admin-user-created"),
        (users, "admin-users"),
        (phone_users, "admin-users-phone"),
        (phone_hours, "admin-business-hours-phone"),
    ]:
        publish_screenshot(shot, name)
    assert (page.errors, agent.errors, phone.errors) == ([], [], []), [page.url]  # type: ignore[attr-defined]
    for ctx in (context, agent_context, phone_context):
        ctx.close()


def test_superadmin_creates_and_suspends_a_tenant(live: Live, db: Any, browser: Any) -> None:
    """The superadmin lands on /admin, creates a tenant, then suspends it after confirming."""
    _people(db)
    context = browser.new_context(viewport=DESKTOP, locale="pt-BR")
    page = _page(context)
    _login(page, live, "root@niochat.com.br")
    page.wait_for_url(f"{live.url}/admin/")
    page.goto(f"{live.url}/admin/tenants/new/")
    page.fill("input[name=name]", "Fibra Sul")
    page.fill("input[name=slug]", "fibra-sul")
    page.select_option("select[name=timezone]", "America/Sao_Paulo")
    page.fill("input[name=max_agents]", "10")
    page.fill("input[name=max_inboxes]", "3")
    page.fill("input[name=brand_color]", "#0e9f6e")
    page.click("form input.btn-primary[type=submit]")
    page.wait_for_url(f"{live.url}/admin/tenants/")
    assert "Fibra Sul" in page.content()
    tenants = screenshot(page, "admin-tenants")

    with db.platform_session() as session:
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == "fibra-sul"))
    page.goto(f"{live.url}/admin/tenants/edit/?id={tenant_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Suspender empresa")
    page.wait_for_selector("text=Reativar empresa")
    suspended = screenshot(page, "admin-tenant-suspended")
    with db.platform_session() as session:
        assert session.get(Tenant, tenant_id).status is TenantStatus.SUSPENDED  # type: ignore[union-attr]

    page.goto(f"{live.url}/admin/audit/")
    assert "tenants.suspend" in page.content()
    audit = screenshot(page, "admin-audit")
    for shot, name in [
        (tenants, "admin-tenants"),
        (suspended, "admin-tenant-suspended"),
        (audit, "admin-audit"),
    ]:
        publish_screenshot(shot, name)
    assert page.errors == []  # type: ignore[attr-defined]
    context.close()
