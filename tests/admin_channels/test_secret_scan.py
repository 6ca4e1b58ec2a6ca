"""No page or export of the channel and settings views carries a stored secret, for any role that
can open it (tenant admin, superadmin acting for the tenant or for none)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import SgpIntegration
from models.ai import AISettings
from models.enums import ChannelType
from models.provisioning import create_inbox
from tests.admin.conftest import World
from tests.auth.conftest import csrf_from

SECRETS = {
    "api_key": "evo-key-SCAN-1", "instance_token": "evo-token-SCAN-2", "ai": "sk-SCAN-3",
    "sgp_token": "sgp-token-SCAN-4", "sgp_password": "sgp-pass-SCAN-5", "bot": "123:tg-SCAN-6",
    "app_secret": "meta-app-SCAN-7", "access_token": "meta-access-SCAN-8",
}  # fmt: skip


def _seed(db: Any, tenant_id: int) -> tuple[list[int], list[str]]:
    with db.platform_session() as session:
        evo = create_inbox(
            session, tenant_id=tenant_id, channel=ChannelType.EVOLUTION, name="Evo",
            credentials={"base_url": "http://evo.invalid", "api_key": SECRETS["api_key"], "instance": "i"},
        )  # fmt: skip
        evo.credentials = {**evo.credentials, "instance_token": SECRETS["instance_token"]}
        tg = create_inbox(
            session, tenant_id=tenant_id, channel=ChannelType.TELEGRAM, name="Bot",
            credentials={"bot_token": SECRETS["bot"]},
        )  # fmt: skip
        meta = create_inbox(
            session, tenant_id=tenant_id, channel=ChannelType.WHATSAPP_CLOUD, name="Meta",
            credentials={"phone_number_id": "106540352242922", "app_secret": SECRETS["app_secret"],
                         "access_token": SECRETS["access_token"]},
        )  # fmt: skip
        ai = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant_id))
        ai.api_key = SECRETS["ai"]
        session.add(
            SgpIntegration(
                tenant_id=tenant_id, base_url="https://x.sgp.net.br", app_name="app",
                token=SECRETS["sgp_token"], password=SECRETS["sgp_password"], username="u",
            )
        )  # fmt: skip
        ours = [i.webhook_secret for i in (evo, tg, meta)]
        return [evo.id, tg.id, meta.id], ours


def test_no_page_or_export_shows_a_secret(app: Any, db: Any, world: World, login_as: Any) -> None:
    ids, webhook_secrets = _seed(db, world.tenant_a)
    known = [*SECRETS.values(), *webhook_secrets]
    urls = ["/admin/inboxes/", "/admin/inboxes/new/", "/admin/inboxes/export/csv/", "/admin/ai/",
            "/admin/sgp/", "/admin/csat/", "/admin/knowledge/", "/admin/knowledge/export/csv/"]  # fmt: skip
    for pk in ids:
        urls += [f"/admin/inboxes/details/?id={pk}", f"/admin/inboxes/edit/?id={pk}",
                 f"/admin/inboxes/sync-runs/?id={pk}"]  # fmt: skip
    everywhere, acting = login_as("root"), login_as("root")
    token = csrf_from(acting.get("/admin/").get_data(as_text=True))
    acting.post("/admin/_niochat/tenant", data={"csrf_token": token, "tenant_id": str(world.tenant_a)})
    clients = {"admin_a": login_as("admin_a"), "root (all tenants)": everywhere, "root (tenant A)": acting}
    checked = 0
    for who, client in clients.items():
        for url in urls:
            response = client.get(url)
            body = response.get_data(as_text=True)
            assert response.status_code < 500, (who, url)
            leaked = [s for s in known if s in body]
            assert not leaked, (who, url, leaked)
            checked += response.status_code == 200
    assert checked >= 2 * len(urls) + 4  # admin and acting superadmin: all; superadmin for none: reads
