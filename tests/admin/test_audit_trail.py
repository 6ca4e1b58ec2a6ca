"""Every change made in the back office writes one audit row: who (the signed-in person), what (the
action), the target, the tenant, the IP and the time, with before/after and no secret in it. Walks every
model view's create, edit and delete, drives every other POST route under /admin, and fails when a POST
route appears that nobody proved audited."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from admin.audit import is_secret, snapshot
from models.audit import AuditLog
from tests.admin.conftest import World, post_form
from tests.admin.forms import FormData, post_forms, replaced
from tests.admin.rows import failed_send, meta_inbox, row_for
from tests.admin.walk import index_url, model_views
from tests.auth.conftest import csrf_from
from tests.channels.conftest import jobctx  # noqa: F401  (fixture)

IP = "198.51.100.23"  # every request of these tests comes from here
MODEL_VIEW_ROUTES = ("create_view", "edit_view", "delete_view", "action_view", "ajax_update")
# What a new row needs beyond what its edit page renders (the inbox's channel and its write-only key).
CREATE_EXTRA: dict[str, FormData] = {
    "admin_inboxes": {"channel_type": "evolution", "cred-evolution-api_key": "evo-audit-secret-key"},
}


@dataclass
class Expected:
    """The audit row a write must leave."""

    action: str
    tenant_id: int | None
    actor: int
    target_type: str | None
    target_id: str | None
    change: str | None = None  # "create" | "update" | "delete": which of before/after the row holds
    secrets: tuple[str, ...] = ()  # values that must appear nowhere in the row


def _from(client: Any) -> Any:
    client.environ_base["REMOTE_ADDR"] = IP
    return client


def _last_audit(db: Any) -> int:
    with db.platform_session() as session:
        return int(session.scalar(sa.select(sa.func.max(AuditLog.id))) or 0)


def _check(db: Any, since: int, want: Expected, where: str) -> list[str]:
    """Problems with the one audit row `want` describes among those written after id `since`."""
    with db.platform_session() as session:
        query = sa.select(AuditLog).where(AuditLog.id > since, AuditLog.action == want.action)
        rows = list(session.scalars(query))
        if len(rows) != 1:
            written = session.scalars(sa.select(AuditLog.action).where(AuditLog.id > since)).all()
            return [f"{where}: {len(rows)} audit rows {want.action!r} (written: {written})"]
        row = rows[0]
        found = {
            "tenant": row.tenant_id, "actor": row.actor_user_id, "ip": row.ip,
            "target": (row.target_type, row.target_id), "when": row.created_at is not None,
        }  # fmt: skip
        wanted = {
            "tenant": want.tenant_id, "actor": want.actor, "ip": IP,
            "target": (want.target_type, want.target_id), "when": True,
        }  # fmt: skip
        problems = [f"{where}: {k} {found[k]!r}, expected {v!r}" for k, v in wanted.items() if found[k] != v]
        data = dict(row.data or {})
        shape = {"create": (False, True), "update": (True, True), "delete": (True, False)}.get(
            want.change or ""
        )
        if shape is not None and (bool(data.get("before")), bool(data.get("after"))) != shape:
            problems.append(f"{where}: before/after {data.get('before')!r} → {data.get('after')!r}")
        text = json.dumps(data, ensure_ascii=False)
        leaked = [s for s in dict.fromkeys(want.secrets) if s in text]
        problems += [f"{where}: a secret ({s[:4]}…) is in the audit row" for s in leaked]
        return problems


def _secret_values(value: Any, secret: bool) -> list[str]:
    """The plaintext secrets in a column value: the value of a secret column, and in JSON (credentials)
    the values of keys named like secrets."""
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in _secret_values(v, is_secret(str(k)))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _secret_values(v, secret)]
    return [str(value)] if secret and value not in (None, "") else []


def _row(db: Any, view: Any, pk: int) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """The row's audit snapshot (None once it is gone) and the plaintext of its secrets."""
    with db.platform_session() as session:
        row = session.get(view.model, pk)
        if row is None:
            return None, ()
        values = snapshot(row)
        secrets = [
            s
            for c in sa.inspect(view.model).columns
            for s in _secret_values(getattr(row, c.key), c.key in view.secret_fields)
        ]
        return values, tuple(secrets)


def _ids(db: Any, model: Any) -> set[int]:
    with db.platform_session() as session:
        return set(session.scalars(sa.select(model.id)))


def _seed(session: Any, view: Any, tenant_id: int, marker: str) -> Any:
    if view.tenant_scoped:
        return row_for(session, view.model, tenant_id, marker)
    from models.provisioning import create_tenant

    return create_tenant(session, slug=marker, name=marker)


def _model_form(html: str) -> FormData:
    """The model form of an edit page (its largest POST form), as the browser would send it back."""
    forms = post_forms(html)
    assert forms, "no form on the edit page"
    return max(forms, key=lambda f: len(f.fields)).data()


def test_every_model_view_write_is_audited(
    app: Any, db: Any, world: World, login_as: Any, redis_url: str
) -> None:
    """Create, edit and delete in every model view (tenant views as admin A, tenants as the superadmin)
    each write one audit row with the tenant, the person, the action, the row, the IP and before/after,
    no secret in it; an operation a view turns off, a bulk action or an inline list edit changes nothing."""
    admin, root = _from(login_as("admin_a")), _from(login_as("root"))
    problems: list[str] = []
    views = model_views(app)
    assert len(views) >= 9
    for number, view in enumerate(views):
        client, person = (admin, "admin_a") if view.tenant_scoped else (root, "root")
        base, where, marker = index_url(view), view.endpoint, f"zzaudit{number}x"
        with db.platform_session() as session:
            pk = int(_seed(session, view, world.tenant_a, marker).id)

        def expect(
            verb: str, row_id: int, secrets: tuple[str, ...], view: Any = view, person: str = person
        ) -> Expected:
            tenant = world.tenant_a if view.tenant_scoped else row_id
            actor = world.people[person].id
            table = view.model.__tablename__
            return Expected(view.action(verb), tenant, actor, table, str(row_id), verb, secrets)

        token = csrf_from(client.get(base).get_data(as_text=True))
        original = _row(db, view, pk)
        # Bulk actions are off and no column is edited in the list: both routes change nothing.
        client.post(f"{base}action/", data={"csrf_token": token, "action": "delete", "rowid": str(pk)})
        inline = client.post(f"{base}ajax/update/", data={"csrf_token": token, "list_form_pk": str(pk)})
        if _row(db, view, pk) != original:
            problems.append(f"{where}: a bulk action or an inline list edit changed the row")
        if inline.status_code != 404:
            problems.append(f"{where}: inline list editing is on; prove its audit and its scoping")

        data: FormData = {}
        if type(view).allow_edit:
            data = _model_form(client.get(f"{base}edit/?id={pk}").get_data(as_text=True))
        known, since = _ids(db, view.model), _last_audit(db)
        if type(view).allow_create:
            assert data, f"{where}: a new row's data is read from its edit page"
            extra = CREATE_EXTRA.get(where, {})
            client.post(f"{base}new/", data={**replaced(data, marker, f"{marker}n"), **extra})
            new = _ids(db, view.model) - known
            if len(new) != 1:
                problems.append(f"{where} create: {len(new)} rows stored (fix the data)")
            else:
                (new_id,) = new
                typed = tuple(str(v) for k, v in extra.items() if is_secret(k))
                secrets = _row(db, view, new_id)[1] + typed
                problems += _check(db, since, expect("create", new_id, secrets), f"{where} create")
        else:
            client.post(f"{base}new/", data={"csrf_token": token, "name": "nova"})
            if _ids(db, view.model) != known:
                problems.append(f"{where}: create is off, yet a row was stored")

        since = _last_audit(db)
        if type(view).allow_edit:
            client.post(f"{base}edit/?id={pk}", data=replaced(data, marker, f"{marker}e"))
            edited = _row(db, view, pk)
            if edited == original:
                problems.append(f"{where} edit: nothing was saved (fix the data)")
            problems += _check(db, since, expect("update", pk, original[1] + edited[1]), f"{where} edit")
        else:
            client.post(f"{base}edit/?id={pk}", data={"csrf_token": token, "name": "outra"})
            if _row(db, view, pk) != original:
                problems.append(f"{where}: edit is off, yet the row changed")

        before, since = _row(db, view, pk), _last_audit(db)
        client.post(f"{base}delete/", data={"csrf_token": token, "id": str(pk)})
        if type(view).allow_delete:
            if _row(db, view, pk)[0] is not None:
                problems.append(f"{where} delete: the row is still there")
            problems += _check(db, since, expect("delete", pk, before[1]), f"{where} delete")
        elif _row(db, view, pk) != before:
            problems.append(f"{where}: delete is off, yet the row changed")
    assert not problems, "\n".join(problems)


# --- every other POST route under /admin -------------------------------------------------------------------


@dataclass
class Scene:
    """Tenant A's rows the page actions act on, and the two signed-in browsers."""

    db: Any
    world: World
    admin: Any
    root: Any
    inbox: int  # an Evolution inbox (the stub) with two failed sends
    failed: list[int]
    meta_inbox: int  # a Cloud API inbox (the stub) whose templates sync
    agent: int

    def admin_expects(self, action: str, target_type: str | None, target_id: object = None) -> Expected:
        ids = None if target_id is None else str(target_id)
        return Expected(action, self.world.tenant_a, self.world.people["admin_a"].id, target_type, ids)

    def inbox_post(self, path: str, data: dict[str, str] | None = None) -> Any:
        return post_form(self.admin, f"/admin/inboxes/{path}?id={self.inbox}", data or {},
                         f"/admin/inboxes/details/?id={self.inbox}")  # fmt: skip


def _company(s: Scene) -> Expected:
    data = {"timezone": "America/Bahia", "sla_first_response_minutes": "30"}
    post_form(s.admin, "/admin/company/", data)
    return s.admin_expects("tenants.settings", "tenants", s.world.tenant_a)


def _hours(s: Scene) -> Expected:
    post_form(s.admin, "/admin/business-hours/", {"day_1": "08:00-18:00", "closures": "2026-12-24"})
    return s.admin_expects("tenants.business_hours", "tenants", s.world.tenant_a)


def _csat(s: Scene) -> Expected:
    form = {"enabled": "y", "delay_seconds": "30", "expiry_minutes": "1440", "style": "buttons",
            "question": "Como foi?", "thanks_message": "Obrigado!", "alert_threshold": "2"}  # fmt: skip
    post_form(s.admin, "/admin/csat/", form)
    return s.admin_expects("csat_settings.update", "csat_settings")


def _sgp(s: Scene) -> Expected:
    data = {"base_url": "http://127.0.0.1:9", "auth_mode": "token", "app_name": "ura",
            "token": "SGP-TOKEN-AUDIT-1234", "enabled": "y"}  # fmt: skip
    post_form(s.admin, "/admin/sgp/", data)
    expected = s.admin_expects("sgp_integrations.update", "sgp_integrations")
    expected.secrets = ("SGP-TOKEN-AUDIT-1234",)
    return expected


def _sgp_test(s: Scene) -> Expected:
    post_form(s.admin, "/admin/sgp/test/", {}, "/admin/sgp/")
    return s.admin_expects("sgp_integrations.test", "sgp_integrations")


def _ai(s: Scene) -> Expected:
    data = {"provider": "builtin", "api_key": "sk-AUDIT-SECRET-5678", "temperature": "0.3"}
    post_form(s.admin, "/admin/ai/", data)
    expected = s.admin_expects("ai_settings.update", "ai_settings")
    expected.secrets = ("sk-AUDIT-SECRET-5678",)
    return expected


def _ai_try(s: Scene) -> Expected:
    post_form(s.admin, "/admin/ai/try/", {"message": "quero falar com um atendente"}, "/admin/ai/")
    return s.admin_expects("ai_settings.try", "ai_settings")


def _connect(s: Scene) -> Expected:
    s.inbox_post("connect/")
    return s.admin_expects("inboxes.connect", "inboxes", s.inbox)


def _logout(s: Scene) -> Expected:
    s.inbox_post("logout/")
    return s.admin_expects("inboxes.logout", "inboxes", s.inbox)


def _webhook(s: Scene) -> Expected:
    s.inbox_post("webhook/")
    return s.admin_expects("inboxes.set_webhook", "inboxes", s.inbox)


def _rotate(s: Scene) -> Expected:
    from models.inbox import Inbox

    s.inbox_post("rotate-secret/")
    expected = s.admin_expects("inboxes.rotate_webhook_secret", "inboxes", s.inbox)
    with s.db.platform_session() as session:
        expected.secrets = (session.get(Inbox, s.inbox).webhook_secret,)
    return expected


def _sync(s: Scene) -> Expected:
    s.inbox_post("sync/", {"since": "2025-11-01"})
    return s.admin_expects("inboxes.sync", "inboxes", s.inbox)


def _replay(s: Scene) -> Expected:
    s.inbox_post("replay/", {"message_id": str(s.failed[0])})
    return s.admin_expects("inboxes.replay", "inboxes", s.inbox)


def _acknowledge(s: Scene) -> Expected:
    s.inbox_post("acknowledge/", {"message_id": str(s.failed[1])})
    return s.admin_expects("inboxes.acknowledge_failed", "inboxes", s.inbox)


def _templates_sync(s: Scene) -> Expected:
    post_form(s.admin, "/admin/templates/sync/", {"inbox_id": str(s.meta_inbox)}, "/admin/templates/")
    return s.admin_expects("message_templates.sync", "inboxes", s.meta_inbox)


def _reset_password(s: Scene) -> Expected:
    post_form(s.admin, f"/admin/users/{s.agent}/reset-password", {}, f"/admin/users/edit/?id={s.agent}")
    return s.admin_expects("users.reset_password", "users", s.agent)


def _reset_2fa(s: Scene) -> Expected:
    from tests.auth.conftest import Account, enable_2fa

    person = s.world.people["agent_a"]
    enable_2fa(s.db, Account(person.id, person.email, person.tenant_id))
    post_form(s.admin, f"/admin/users/{s.agent}/reset-2fa", {}, f"/admin/users/edit/?id={s.agent}")
    return s.admin_expects("users.reset_2fa", "users", s.agent)


def _tenant_status(verb: str) -> Callable[[Scene], Expected]:
    def drive(s: Scene) -> Expected:
        tenant = s.world.tenant_b  # the superadmin's; tenant A's admin stays signed in
        post_form(s.root, f"/admin/tenants/{tenant}/{verb}", {}, f"/admin/tenants/edit/?id={tenant}")
        return Expected(f"tenants.{verb}", tenant, s.world.people["root"].id, "tenants", str(tenant))

    return drive


# Every POST route under /admin that is not a model view's create/edit/delete/action/inline edit, with
# what drives it (in this order: reactivate needs the suspension before it).
DRIVERS: dict[str, Callable[[Scene], Expected]] = {
    "admin_company.index": _company,
    "admin_business_hours.index": _hours,
    "admin_csat.index": _csat,
    "admin_sgp.index": _sgp,
    "admin_sgp.test_view": _sgp_test,
    "admin_ai.index": _ai,
    "admin_ai.try_view": _ai_try,
    "admin_inboxes.connect_view": _connect,
    "admin_inboxes.logout_view": _logout,
    "admin_inboxes.webhook_view": _webhook,
    "admin_inboxes.rotate_secret_view": _rotate,
    "admin_inboxes.sync_view": _sync,
    "admin_inboxes.replay_view": _replay,
    "admin_inboxes.acknowledge_view": _acknowledge,
    "admin_templates.sync_view": _templates_sync,
    "admin_users.reset_password": _reset_password,
    "admin_users.reset_two_factor": _reset_2fa,
    "admin_tenants.suspend": _tenant_status("suspend"),
    "admin_tenants.reactivate": _tenant_status("reactivate"),
}


def _act_for(s: Scene) -> Expected:
    """The superadmin entering tenant B's back office: B's own log says so."""
    tenant = s.world.tenant_b
    post_form(s.root, "/admin/_niochat/tenant", {"tenant_id": str(tenant)}, "/admin/")
    return Expected("tenants.act_for", tenant, s.world.people["root"].id, "tenants", str(tenant))


DRIVERS["niochat_admin.switch_tenant"] = _act_for
# POST routes that change no stored row, so there is nothing to audit: endpoint → why.
CHANGES_NOTHING: dict[str, str] = {}


@pytest.fixture()
def evo() -> Iterator[Any]:
    from tests.stubs import EvolutionStub

    stub = EvolutionStub(instance="isp01").start()
    yield stub
    stub.stop()


@pytest.mark.usefixtures("jobctx")
def test_every_page_action_is_audited(
    app: Any, db: Any, world: World, login_as: Any, evo: Any, meta: Any
) -> None:
    """Each POST route of the custom pages (settings, SGP, AI, inbox actions, template sync, password and
    2FA resets, suspending a tenant) writes one audit row with the tenant, the person, the action, the
    target and the IP, and none of the secrets it was given."""
    from models.enums import ChannelType
    from models.provisioning import create_inbox
    from tests.stubs.evolution import API_KEY

    with db.platform_session() as session:
        credentials = {"base_url": evo.url, "api_key": API_KEY, "instance": "isp01"}
        inbox = create_inbox(
            session, tenant_id=world.tenant_a, channel=ChannelType.EVOLUTION, name="WhatsApp",
            credentials=credentials,
        )  # fmt: skip
        failed = [failed_send(session, world.tenant_a, inbox.id, f"+551199999000{n}") for n in (1, 2)]
        inbox_id, cloud = int(inbox.id), meta_inbox(session, world.tenant_a, "Meta", meta.url)
    admin, root = _from(login_as("admin_a")), _from(login_as("root"))
    scene = Scene(db, world, admin, root, inbox_id, failed, cloud, world.people["agent_a"].id)
    problems: list[str] = []
    for endpoint, drive in DRIVERS.items():
        since = _last_audit(db)
        problems += _check(db, since, drive(scene), endpoint)
    assert not problems, "\n".join(problems)


def test_every_post_route_under_admin_is_proven_audited(app: Any) -> None:
    """Every POST route under /admin is a model view's write (walked by
    test_every_model_view_write_is_audited), a page action driven by test_every_page_action_is_audited, or
    listed as changing nothing with the reason: a new route fails here until a test proves its audit."""
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and "POST" in (rule.methods or set())
    }
    walked = {f"{view.endpoint}.{route}" for view in model_views(app) for route in MODEL_VIEW_ROUTES}
    assert walked <= posts
    proven = walked | set(DRIVERS) | set(CHANGES_NOTHING)
    assert sorted(posts - proven) == [], "POST routes no test proves audited"
    assert sorted(proven - posts) == [], "routes listed here that no longer exist"
