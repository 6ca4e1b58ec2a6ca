"""The AI, SGP and CSAT pages: saved per tenant, audited with secrets masked, secrets never rendered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from models import AuditLog, SgpIntegration
from models.ai import AISettings, KnowledgeEntry
from models.csat import CsatSettings
from tests.admin.conftest import World, post_form
from tests.auth.conftest import csrf_from
from tests.stubs.sgp import APP, TOKEN, SgpStub


@pytest.fixture()
def sgp_stub() -> Iterator[SgpStub]:
    with SgpStub() as server:
        yield server


def one(db: Any, model: Any, tenant_id: int) -> Any:
    with db.platform_session() as session:
        return session.scalar(sa.select(model).where(model.tenant_id == tenant_id))


def test_ai_settings_key_write_only_and_try(app: Any, db: Any, world: World, login_as: Any) -> None:
    """The key is saved, never shown, masked in the audit; "Testar uma mensagem" answers as `ai try`."""
    client = login_as("admin_a")
    data = {
        "enabled": "y", "provider": "builtin", "model": "gpt-4o-mini", "api_key": "sk-very-secret",
        "temperature": "0.3", "max_bot_turns": "12", "burst_seconds": "4", "persona_name": "Nina",
    }  # fmt: skip
    assert post_form(client, "/admin/ai/", data).status_code == 302
    assert one(db, AISettings, world.tenant_a).api_key == "sk-very-secret"
    assert one(db, AISettings, world.tenant_b).api_key is None
    page = client.get("/admin/ai/").get_data(as_text=True)
    assert "sk-very-secret" not in page and "Nina" in page
    with db.platform_session() as session:
        row = session.scalar(sa.select(AuditLog).where(AuditLog.action == "ai_settings.update"))
        assert row.tenant_id == world.tenant_a and "sk-very-secret" not in str(row.data)
    token = csrf_from(page)
    form = {"csrf_token": token, "message": "quero falar com um atendente"}
    tried = client.post("/admin/ai/try/", data=form, headers={"Accept": "application/json"})
    assert tried.status_code == 200 and tried.json["report"]["handoff"]["reason"] == "customer_request"


def test_sgp_save_and_test_connection(
    app: Any, db: Any, world: World, login_as: Any, sgp_stub: SgpStub
) -> None:
    """Saved with the token write-only; "Testar conexão" passes against the stub and is recorded."""
    client = login_as("admin_a")
    data = {"base_url": sgp_stub.url, "auth_mode": "token", "app_name": APP, "token": TOKEN, "enabled": "y"}
    assert post_form(client, "/admin/sgp/", data).status_code == 302
    page = client.get("/admin/sgp/").get_data(as_text=True)
    assert TOKEN not in page
    tested = post_form(client, "/admin/sgp/test/", {}, "/admin/sgp/")
    assert tested.status_code == 302
    row = one(db, SgpIntegration, world.tenant_a)
    assert row.last_test_ok is True and one(db, SgpIntegration, world.tenant_b) is None
    assert "funcionando" in client.get("/admin/sgp/").get_data(as_text=True)


def test_csat_delay_saved_and_previewed(app: Any, db: Any, world: World, login_as: Any) -> None:
    """The delay is stored for tenant A only; the page previews the five options and the emoji line."""
    client = login_as("admin_a")
    page = client.get("/admin/csat/").get_data(as_text=True)
    assert "🤩 Excelente" in page and "Responda com um número de 1 a 5 ou um emoji" in page
    form = {"enabled": "y", "delay_seconds": "30", "expiry_minutes": "1440", "style": "buttons",
            "question": "Como foi?", "thanks_message": "Obrigado!", "alert_threshold": "2"}  # fmt: skip
    assert post_form(client, "/admin/csat/", form).status_code == 302
    assert one(db, CsatSettings, world.tenant_a).delay_seconds == 30
    assert one(db, CsatSettings, world.tenant_b).delay_seconds == 90
    bad = post_form(client, "/admin/csat/", {**form, "delay_seconds": "abc"})
    assert bad.status_code == 200 and 'data-error-for="delay_seconds"' in bad.get_data(as_text=True)


def test_knowledge_entry_created_for_the_tenant(app: Any, db: Any, world: World, login_as: Any) -> None:
    """A knowledge entry takes the tenant and author from the session."""
    client = login_as("admin_a")
    data = {
        "title": "Planos",
        "content": "FIBRA 300 por R$ 89,90",
        "enabled": "y",
        "tenant_id": str(world.tenant_b),
    }
    assert post_form(client, "/admin/knowledge/new/", data).status_code == 302
    entry = one(db, KnowledgeEntry, world.tenant_a)
    assert entry.title == "Planos" and entry.created_by_id == world.people["admin_a"].id
    assert one(db, KnowledgeEntry, world.tenant_b) is None
