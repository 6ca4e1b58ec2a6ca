"""No secret ever reaches a browser from the back office: every view's pages (list, details, edit) and
exports are scanned for known secret values, as a tenant admin and as the superadmin."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from models.audit import AuditLog
from models.enums import ChannelType
from tests.admin.conftest import World
from tests.admin.walk import all_views, index_url, model_views
from tests.auth.conftest import Account, csrf_from, enable_2fa

_IDS = re.compile(r"[?&](?:amp;)?id=(\d+)")


def _seed_secrets(db: Any, world: World) -> list[str]:
    """Store one of every kind of secret for tenant A; return their plaintext values."""
    from models.ai import AISettings
    from models.provisioning import create_inbox
    from models.sgp import SgpIntegration
    from models.user import User

    agent = world.people["agent_a"]
    totp, codes = enable_2fa(db, Account(agent.id, agent.email, agent.tenant_id))
    with db.platform_session() as session:
        inbox = create_inbox(
            session,
            tenant_id=world.tenant_a,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp",
            credentials={
                "base_url": "http://127.0.0.1:9",
                "api_key": "EVO-SECRET-KEY-9f8e",
                "instance": "isp01",
            },
        )
        ai = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == world.tenant_a))
        ai.api_key = "sk-AI-SECRET-7d6c"
        session.add(
            SgpIntegration(
                tenant_id=world.tenant_a,
                base_url="https://sgp.example.com",
                token="SGP-TOKEN-SECRET-5b4a",
                password="SGP-PASS-SECRET-3c2d",
            )
        )
        session.add(
            AuditLog(tenant_id=world.tenant_a, action="test.secret", data={"api_key": "AUDIT-SECRET-1a2b"})
        )
        user = session.get(User, agent.id)
        admin = session.get(User, world.people["admin_a"].id)
        values = [
            "EVO-SECRET-KEY-9f8e",
            inbox.webhook_secret,
            "sk-AI-SECRET-7d6c",
            "SGP-TOKEN-SECRET-5b4a",
            "SGP-PASS-SECRET-3c2d",
            "AUDIT-SECRET-1a2b",
            totp.secret,
            user.password_hash,
            admin.password_hash,
            *codes,
            *[str(c) for c in user.recovery_codes],
        ]
    return [v for v in values if v]


def _pages(client: Any, app: Any) -> list[tuple[str, str]]:
    """(url, body) of every view's index, and of each model view's rows (details, edit) and CSV export."""
    seen: list[tuple[str, str]] = []
    for view in all_views(app):
        url = index_url(view)
        body = client.get(url).get_data(as_text=True)
        seen.append((url, body))
        if view not in model_views(app):
            continue
        for pk in sorted(set(_IDS.findall(body)))[:20]:
            for page in ("details", "edit"):
                target = f"{url}{page}/?id={pk}"
                response = client.get(target)
                if response.status_code == 200:
                    seen.append((target, response.get_data(as_text=True)))
        if view.can_export:
            export = client.get(f"{url}export/csv/")
            seen.append((f"{url}export/csv/", export.get_data(as_text=True)))
    return seen


def test_no_view_renders_or_exports_a_secret(app: Any, db: Any, world: World, login_as: Any) -> None:
    """Every page and export, as tenant A's admin and as the superadmin acting for tenant A."""
    secrets = _seed_secrets(db, world)
    admin = login_as("admin_a")
    root = login_as("root")
    token = csrf_from(root.get("/admin/").get_data(as_text=True))
    root.post("/admin/_niochat/tenant", data={"csrf_token": token, "tenant_id": str(world.tenant_a)})
    leaks = []
    scanned = 0
    for client in (admin, root):
        for url, body in _pages(client, app):
            scanned += 1
            leaks += [f"{url}: {secret[:6]}…" for secret in secrets if secret in body]
    assert scanned > 20
    assert not leaks, "\n".join(leaks)
