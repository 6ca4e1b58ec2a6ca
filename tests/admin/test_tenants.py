"""The superadmin's tenants, the tenant admin's settings and business hours, and plan limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue

from models.ai import AISettings
from models.audit import AuditLog
from models.csat import CsatSettings
from models.enums import ChannelType, TenantStatus
from models.tenant import Tenant
from tests.admin.conftest import World, post_form
from tests.auth.conftest import PASSWORD, csrf_from


def _tenant(db: Any, **where: Any) -> Tenant | None:
    with db.platform_session() as session:
        return session.scalar(sa.select(Tenant).filter_by(**where))


def _tenant_form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Provedor Novo",
        "slug": "provedor-novo",
        "timezone": "America/Manaus",
        "max_agents": "5",
        "max_inboxes": "2",
        "sla_first_response_minutes": "10",
        "brand_name": "Novo Net",
        "brand_color": "#FF8800",
        "brand_logo": "https://cdn.example.com/logo.png",
    }
    data.update(changes)
    return data


def test_superadmin_creates_a_tenant_with_its_settings_rows(db: Any, world: World, login_as: Any) -> None:
    """The new tenant has its limits, timezone, branding and the settings rows every feature expects."""
    response = post_form(login_as("root"), "/admin/tenants/new/", _tenant_form())
    assert response.status_code == 302
    tenant = _tenant(db, slug="provedor-novo")
    assert tenant is not None and tenant.status is TenantStatus.ACTIVE
    assert (tenant.max_agents, tenant.max_inboxes, tenant.timezone) == (5, 2, "America/Manaus")
    assert tenant.branding == {
        "display_name": "Novo Net",
        "primary_color": "#ff8800",
        "logo_url": "https://cdn.example.com/logo.png",
    }
    with db.platform_session() as session:
        for model in (CsatSettings, AISettings):
            assert session.scalar(sa.select(model).where(model.tenant_id == tenant.id)) is not None
        audit = session.scalar(sa.select(AuditLog).where(AuditLog.action == "tenants.create"))
        assert audit is not None and audit.tenant_id == tenant.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Provedor Novo"}, "Identificador"),
        ({"slug": "provedor-a"}, None),  # Flask-Admin's own unique check on the column
        ({"brand_color": "laranja"}, "Cor"),
        ({"brand_logo": "http://inseguro.example.com/x.png"}, "Logo"),
        ({"timezone": "Mars/Olympus"}, None),  # not among the choices
    ],
)
def test_bad_tenant_input_is_a_form_error(
    db: Any, world: World, login_as: Any, changes: Any, message: str | None
) -> None:
    """Each bad field is reported and no tenant is stored."""
    page = post_form(login_as("root"), "/admin/tenants/new/", _tenant_form(**changes))
    assert page.status_code == 200
    assert message is None or message in page.get_data(as_text=True)
    assert "is-invalid" in page.get_data(as_text=True) or message is not None
    assert _tenant(db, name="Provedor Novo") is None


def test_suspend_refuses_logins_but_webhooks_are_still_stored(
    app: Any, db: Any, world: World, login_as: Any
) -> None:
    """A suspended tenant's admin cannot log in and their open session ends; its webhooks are stored."""
    from models.provisioning import create_inbox
    from tests.webhooks.test_pipeline import evolution_text

    with db.platform_session() as session:
        inbox = create_inbox(
            session,
            tenant_id=world.tenant_a,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp",
            credentials={"base_url": "http://127.0.0.1:9", "api_key": "k", "instance": "isp01"},
        )
        path, secret = f"/webhooks/evolution/{inbox.webhook_key}", inbox.webhook_secret
    admin_session = login_as("admin_a")
    root = login_as("root")
    token = csrf_from(root.get(f"/admin/tenants/edit/?id={world.tenant_a}").get_data(as_text=True))
    assert (
        root.post(f"/admin/tenants/{world.tenant_a}/suspend", data={"csrf_token": token}).status_code == 302
    )
    tenant = _tenant(db, id=world.tenant_a)
    assert tenant is not None and tenant.status is TenantStatus.SUSPENDED and tenant.suspended_at is not None

    assert admin_session.get("/admin/").status_code == 302  # the open session ended
    fresh = app.test_client()
    page = fresh.get("/login").get_data(as_text=True)
    email = world.people["admin_a"].email
    refused = fresh.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(page)})
    assert refused.status_code in (200, 401, 403) and "Location" not in refused.headers

    payload = json.dumps(evolution_text("Estou sem internet")).encode()
    headers = {"Content-Type": "application/json", "X-NioChat-Secret": secret}
    stored = app.test_client().post(path, data=payload, headers=headers)
    assert stored.status_code == 200 and stored.json["stored"] == 1

    assert (
        root.post(f"/admin/tenants/{world.tenant_a}/reactivate", data={"csrf_token": token}).status_code
        == 302
    )
    assert _tenant(db, id=world.tenant_a).status is TenantStatus.ACTIVE  # type: ignore[union-attr]
    with db.platform_session() as session:
        actions = set(session.scalars(sa.select(AuditLog.action).where(AuditLog.action.like("tenants.%"))))
    assert {"tenants.suspend", "tenants.reactivate"} <= actions


def test_inbox_limit_is_enforced_where_inboxes_are_created(db: Any, world: World) -> None:
    """With max_inboxes reached, models.provisioning.create_inbox refuses the next one."""
    from models.plan import PlanLimitError
    from models.provisioning import create_inbox

    with db.platform_session() as session:
        session.get(Tenant, world.tenant_a).max_inboxes = 1  # type: ignore[union-attr]
        create_inbox(session, tenant_id=world.tenant_a, channel=ChannelType.TELEGRAM, name="Bot")
        with pytest.raises(PlanLimitError, match="permite 1 caixas"):
            create_inbox(session, tenant_id=world.tenant_a, channel=ChannelType.TELEGRAM, name="Bot 2")


def test_company_settings_require_2fa(app: Any, db: Any, world: World, login_as: Any) -> None:
    """The tenant admin turns on "require 2FA": a user without it is sent to enrolment on next request."""
    agent = login_as("agent_a")
    data = {"timezone": "America/Sao_Paulo", "require_2fa": "y", "sla_first_response_minutes": "20"}
    response = post_form(login_as("admin_a"), "/admin/company/", data)
    assert response.status_code == 302
    tenant = _tenant(db, id=world.tenant_a)
    assert tenant is not None and tenant.require_2fa and tenant.sla_first_response_minutes == 20
    assert "/account/2fa" in agent.get("/").headers.get("Location", "")
    assert _tenant(db, id=world.tenant_b).require_2fa is False  # type: ignore[union-attr]


def test_supervisor_cannot_change_company_settings(db: Any, world: World, login_as: Any) -> None:
    """The settings pages are for admins: a supervisor gets 403 and nothing changes."""
    client = login_as("supervisor_a")
    assert client.get("/admin/company/").status_code == 403
    assert client.get("/admin/business-hours/").status_code == 403


def test_business_hours_are_stored_in_the_documented_shape(db: Any, world: World, login_as: Any) -> None:
    """Weekly ranges, national holidays and closures land in tenants.business_hours as documented."""
    data = {
        "day_1": "08:00-12:00, 13:00-18:00",
        "day_2": "08:00-18:00",
        "day_3": "08:00-18:00",
        "day_4": "08:00-18:00",
        "day_5": "08:00-17:00",
        "day_6": "08:00-12:00",
        "day_7": "",
        "national_holidays": "y",
        "closures": "2026-12-24\n31/12/2026\n2026-12-24",
    }
    assert post_form(login_as("admin_a"), "/admin/business-hours/", data).status_code == 302
    hours = _tenant(db, id=world.tenant_a).business_hours  # type: ignore[union-attr]
    assert hours["weekly"]["1"] == [["08:00", "12:00"], ["13:00", "18:00"]]
    assert hours["weekly"]["7"] == [] and hours["weekly"]["6"] == [["08:00", "12:00"]]
    assert hours["holidays"] == ["2026-12-24", "2026-12-31"]
    assert hours["national_holidays"] is True
    with db.platform_session() as session:
        assert (
            session.scalar(sa.select(AuditLog).where(AuditLog.action == "tenants.business_hours")) is not None
        )


def test_saving_business_hours_rebuilds_the_dashboards_facts(
    db: Any, world: World, login_as: Any, redis_url: str
) -> None:
    """The business-time durations of past conversations follow the new schedule: a backfill of this
    tenant's facts is queued on the reporting queue."""
    data = {f"day_{d}": "08:00-18:00" for d in range(1, 6)} | {"day_6": "", "day_7": "", "closures": ""}
    assert post_form(login_as("admin_a"), "/admin/business-hours/", data).status_code == 302
    jobs = Queue("reporting", connection=Redis.from_url(redis_url)).get_jobs()
    assert [(j.func_name, j.args) for j in jobs] == [("jobs.dashboards.backfill_tenant", (world.tenant_a,))]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day_1", "18:00-08:00", "termina antes de começar"),
        ("day_2", "08:00-12:00, 11:00-13:00", "se sobrepõem"),
        ("day_3", "oito às seis", "use faixas"),
        ("closures", "2026-02-30", "Data inválida"),
    ],
)
def test_bad_business_hours_are_refused(
    db: Any, world: World, login_as: Any, field: str, value: str, message: str
) -> None:
    """A malformed or impossible schedule is a pt-BR error and nothing is stored."""
    before = _tenant(db, id=world.tenant_a).business_hours  # type: ignore[union-attr]
    page = post_form(login_as("admin_a"), "/admin/business-hours/", {field: value})
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert _tenant(db, id=world.tenant_a).business_hours == before  # type: ignore[union-attr]


def test_superadmin_acts_for_a_chosen_tenant(db: Any, world: World, login_as: Any) -> None:
    """Without a chosen tenant the superadmin reads every tenant's rows but cannot create; after choosing
    tenant B, new rows are B's."""
    from models.label import Label

    root = login_as("root")
    assert 'href="/admin/labels/new/' not in root.get("/admin/labels/").get_data(as_text=True)
    token = csrf_from(root.get("/admin/").get_data(as_text=True))
    assert (
        root.post("/admin/_niochat/tenant", data={"csrf_token": token, "tenant_id": "999999"}).status_code
        == 404
    )
    assert (
        root.post("/admin/_niochat/tenant", data={"csrf_token": token, "tenant_id": "x"}).status_code == 400
    )
    root.post("/admin/_niochat/tenant", data={"csrf_token": token, "tenant_id": str(world.tenant_b)})
    assert post_form(root, "/admin/labels/new/", {"name": "Da B", "color": "#123456"}).status_code == 302
    with db.platform_session() as session:
        label = session.scalar(sa.select(Label).where(Label.name == "Da B"))
        assert label is not None and label.tenant_id == world.tenant_b
    admin = login_as("admin_a")
    assert admin.post("/admin/_niochat/tenant", data={"csrf_token": token, "tenant_id": "1"}).status_code in (
        400,
        403,
    )
