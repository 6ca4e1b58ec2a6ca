"""A tenant's branding (back office: Empresa) shows on its people's pages, and only on theirs."""

from __future__ import annotations

from typing import Any

from models.tenant import Tenant
from tests.admin.conftest import World
from web.security_headers import PAGE_CSP

LOGO = "https://cdn.fibra-exemplo.com.br/marca/logo.png"


def _brand(db: Any, tenant_id: int) -> None:
    with db.platform_session() as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        tenant.branding = {"display_name": "Fibra Exemplo", "primary_color": "#1d4ed8", "logo_url": LOGO}


def test_branding_shows_on_the_tenants_pages(db: Any, world: World, login_as: Any) -> None:
    """Name and logo in the top bar, the color as the primary one, the logo's origin allowed for images."""
    _brand(db, world.tenant_a)
    client = login_as("agent_a")
    page = client.get("/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Fibra Exemplo" in html and f'src="{LOGO}"' in html
    assert 'href="/branding.css?c=1d4ed8"' in html  # the color in the URL: a new one is never a stale cache
    assert (
        "img-src 'self' data: blob: https://cdn.fibra-exemplo.com.br;"
        in page.headers["Content-Security-Policy"]
    )
    css = client.get("/branding.css")
    assert css.mimetype == "text/css"
    assert "--primary: #1d4ed8;" in css.get_data(as_text=True)


def test_other_tenants_see_none_of_it(db: Any, world: World, login_as: Any) -> None:
    """Tenant B's agent: B's own name, no logo, no stylesheet, the plain page policy."""
    _brand(db, world.tenant_a)
    client = login_as("agent_b")
    page = client.get("/account")
    html = page.get_data(as_text=True)
    assert "Provedor B" in html and "Fibra Exemplo" not in html and LOGO not in html
    assert "/branding.css" not in html
    assert page.headers["Content-Security-Policy"] == PAGE_CSP
    assert client.get("/branding.css").get_data(as_text=True) == ""


def test_signed_out_branding_css_is_empty(app: Any, db: Any, world: World) -> None:
    """No session, no tenant: the stylesheet says nothing (it never names a tenant's color)."""
    _brand(db, world.tenant_a)
    assert app.test_client().get("/branding.css").get_data(as_text=True) == ""


def test_back_office_links_to_the_dashboards(world: World, login_as: Any) -> None:
    """Supervisors' and admins' reports are the dashboards: the back office's top bar opens them."""
    for who in ("admin_a", "supervisor_a"):
        html = login_as(who).get("/admin/").get_data(as_text=True)
        assert 'id="admin-dashboards-link"' in html and 'href="/open-dashboards"' in html, who
