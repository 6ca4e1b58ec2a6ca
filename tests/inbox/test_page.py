"""The inbox page itself (the browser suite drives it): who gets it, what it embeds, and that the
scripts' strings and imports are all there, so a missing key or file cannot ship unnoticed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from models import User
from models.enums import Role
from models.provisioning import create_team, create_tenant
from tests.realtime.conftest import sign_in
from web.inbox.strings import ui_strings

JS = Path(__file__).resolve().parents[2] / "web" / "static" / "js" / "inbox"
_JSON_BLOCK = re.compile(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', re.S)


@pytest.fixture()
def people(db: Any) -> dict[str, int]:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name='ISP </script><script>alert("x")</script>')
        ids = {}
        for key, role, tenant_id in [("ana", Role.AGENT, tenant.id), ("root", Role.SUPERADMIN, None)]:
            user = User(
                tenant_id=tenant_id, email=f"{key}@x.com.br", name=key.title(), password_hash="x", role=role
            )
            session.add(user)
            session.flush()
            ids[key] = user.id
        ids["team"] = create_team(session, tenant_id=tenant.id, name="Suporte", member_ids=[ids["ana"]]).id
    return ids


def _blocks(html: str) -> dict[str, Any]:
    return {name: json.loads(body) for name, body in _JSON_BLOCK.findall(html)}


def test_anonymous_visitors_go_to_the_login_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_agent_page_embeds_user_and_strings_without_inline_script(app, client, people) -> None:  # type: ignore[no-untyped-def]
    sign_in(app, client, people["ana"])
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    blocks = _blocks(html)
    assert blocks["inbox-boot"]["user"] == {
        "id": people["ana"],
        "name": "Ana",
        "role": "agent",
        "team_ids": [people["team"]],
        "availability": "offline",
    }
    assert blocks["inbox-boot"]["tenant"]["timezone"] == "America/Sao_Paulo"
    assert blocks["inbox-strings"]["tab_pending"] == "Em espera"
    # The tenant's name is data: escaped in the JSON block, never markup.
    assert '<script>alert("x")' not in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_superadmin_gets_an_explanation_instead_of_an_inbox(app, client, people) -> None:  # type: ignore[no-untyped-def]
    sign_in(app, client, people["root"])
    html = client.get("/").get_data(as_text=True)
    assert "A caixa de entrada é para as empresas" in html
    assert "inbox-boot" not in html and "js/inbox/main.js" not in html


def test_every_string_the_scripts_use_is_in_the_catalogue(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        keys = set(ui_strings())
    used = set()
    for source in JS.glob("*.js"):
        text = source.read_text()
        used |= set(re.findall(r"\bt\('([a-z_]+)'", text))
        for pair in re.findall(r"\bt\([^()]*?\? '([a-z_]+)' : '([a-z_]+)'", text):
            used |= set(pair)
    dynamic = {f"status_{s}" for s in ("bot", "pending", "open", "closed")}
    dynamic |= {f"delivery_{s}" for s in ("pending", "sent", "delivered", "read", "failed")}
    assert used - keys == set()
    assert dynamic - keys == set()


def test_module_imports_resolve_and_modules_stay_small() -> None:
    for source in JS.glob("*.js"):
        text = source.read_text()
        for target in re.findall(r"from '(\./[\w.-]+)'", text):
            assert (JS / target).is_file(), f"{source.name} imports missing {target}"
        assert len(text.splitlines()) <= 300, f"{source.name} is over 300 lines"
        assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", text), (
            source.name
        )
