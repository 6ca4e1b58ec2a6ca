"""Tenants, for the platform's superadmin: create, suspend and reactivate, plan limits, timezone and
branding. A suspended tenant's people cannot log in (and their open sessions and sockets end), while its
webhooks are still accepted and stored, so no customer message is lost meanwhile."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_admin import expose
from wtforms import SelectField, StringField, validators

from admin.audit import snapshot
from admin.base import AdminError, ChoiceFilter, PlatformModelView
from admin.db import request_session
from admin.views.tenant_fields import TIMEZONES, check_timezone, clean_branding
from models.access import access_changed
from models.ai import AISettings
from models.base import utcnow
from models.csat import CsatSettings
from models.enums import TenantStatus
from models.tenant import Tenant
from models.user import User

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
STATUS_LABELS = {TenantStatus.ACTIVE: "Ativa", TenantStatus.SUSPENDED: "Suspensa"}


def _status(view: Any, context: Any, model: Any, name: str) -> str:
    return STATUS_LABELS.get(model.status, str(model.status))


class TenantView(PlatformModelView):
    audit_name = "tenants"
    allow_delete = False  # deleting a tenant deletes every message it has: the CLI, on purpose
    column_list: ClassVar[list[str]] = [
        "name",
        "slug",
        "status",
        "timezone",
        "max_agents",
        "max_inboxes",
        "created_at",
    ]
    column_details_list: ClassVar[list[str]] = [
        "name", "slug", "status", "suspended_at", "timezone", "locale", "max_agents", "max_inboxes",
        "require_2fa", "sla_first_response_minutes", "branding", "custom_domain", "created_at",
    ]  # fmt: skip
    column_export_list: ClassVar[list[str]] = [
        "name",
        "slug",
        "status",
        "timezone",
        "max_agents",
        "max_inboxes",
    ]
    column_searchable_list: ClassVar[list[str]] = ["name", "slug"]
    column_sortable_list: ClassVar[list[str]] = ["name", "slug", "created_at"]
    column_filters: ClassVar[list[Any]] = [
        ChoiceFilter(Tenant.status, "Situação", [(k.value, v) for k, v in STATUS_LABELS.items()])
    ]
    column_default_sort = "name"
    column_formatters: ClassVar[dict[str, Any]] = {"status": _status}
    column_labels: ClassVar[dict[str, str]] = {
        "name": "Nome",
        "slug": "Identificador",
        "status": "Situação",
        "suspended_at": "Suspensa em",
        "timezone": "Fuso horário",
        "locale": "Idioma",
        "max_agents": "Limite de usuários",
        "max_inboxes": "Limite de caixas",
        "require_2fa": "Exigir 2FA",
        "sla_first_response_minutes": "Meta de 1ª resposta (min)",
        "branding": "Marca",
        "custom_domain": "Domínio próprio",
        "created_at": "Criada em",
        "brand_name": "Nome exibido",
        "brand_color": "Cor principal",
        "brand_logo": "Logo (https://…)",
    }
    column_descriptions: ClassVar[dict[str, str]] = {
        "slug": "Letras minúsculas, números e hífen; não muda depois de criado.",
        "max_agents": "Vazio: sem limite. Conta usuários ativos (agentes, supervisores, administradores).",
        "max_inboxes": "Vazio: sem limite. Conta caixas de entrada ativas.",
    }
    form_columns: ClassVar[list[str]] = [
        "name", "slug", "timezone", "max_agents", "max_inboxes", "require_2fa", "sla_first_response_minutes",
        "brand_name", "brand_color", "brand_logo",
    ]  # fmt: skip
    form_overrides: ClassVar[dict[str, Any]] = {"timezone": SelectField}
    form_args: ClassVar[dict[str, Any]] = {
        "name": {"validators": [validators.InputRequired(), validators.Length(max=200)]},
        "slug": {"validators": [validators.InputRequired(), validators.Length(max=63)]},
        "timezone": {"choices": TIMEZONES},
        "max_agents": {"validators": [validators.Optional(), validators.NumberRange(min=1, max=100_000)]},
        "max_inboxes": {"validators": [validators.Optional(), validators.NumberRange(min=1, max=10_000)]},
        "sla_first_response_minutes": {"validators": [validators.NumberRange(min=1, max=24 * 60)]},
    }
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "brand_name": StringField("Nome exibido"),
        "brand_color": StringField("Cor principal"),
        "brand_logo": StringField("Logo (https://…)"),
    }
    form_widget_args: ClassVar[dict[str, Any]] = {"brand_color": {"placeholder": "#0e9f6e"}}
    edit_template = "niochat_admin/tenant_edit.html"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Tenant, **kwargs)

    def edit_form(self, obj: Any = None) -> Any:
        form = super().edit_form(obj)
        form.slug.render_kw = {"readonly": True}
        if obj is not None and not form.is_submitted():
            branding = obj.branding or {}
            form.brand_name.data = branding.get("display_name", "")
            form.brand_color.data = branding.get("primary_color", "")
            form.brand_logo.data = branding.get("logo_url", "")
        return form

    def update_model(self, form: Any, model: Any) -> bool:
        form.slug.data = model.slug  # fixed once created: webhook URLs and logs name it
        return super().update_model(form, model)

    def validate_model(self, model: Any, is_created: bool) -> None:
        form = self.current_form()
        model.name = " ".join((model.name or "").split())
        model.slug = (model.slug or "").strip().lower()
        if not model.name:
            raise AdminError("Informe o nome da empresa.")
        if not _SLUG.match(model.slug):
            raise AdminError("Identificador: use letras minúsculas, números e hífen (ex.: provedor-x).")
        taken = request_session(platform=True).scalar(
            sa.select(Tenant.id).where(Tenant.slug == model.slug, Tenant.id != (model.id or 0))
        )
        if taken is not None:
            raise AdminError(f"Já existe uma empresa com o identificador {model.slug}.")
        model.timezone = check_timezone(model.timezone)
        if form is not None:
            model.branding = clean_branding(form.brand_name.data, form.brand_color.data, form.brand_logo.data)
        if is_created:
            model.status = TenantStatus.ACTIVE

    def after_write(self, model: Any, is_created: bool) -> None:
        if is_created:  # the settings rows every feature expects (as models.provisioning.create_tenant)
            request_session(platform=True).add_all(
                [CsatSettings(tenant_id=model.id), AISettings(tenant_id=model.id)]
            )

    def snapshot(self, model: Any) -> dict[str, Any]:
        return snapshot(model, self.secret_fields)

    @expose("/<int:tenant_id>/suspend", methods=("POST",))
    def suspend(self, tenant_id: int) -> ResponseReturnValue:
        """Logins refused from now on; open sessions end on their next request and sockets at once."""
        return self._set_status(tenant_id, TenantStatus.SUSPENDED)

    @expose("/<int:tenant_id>/reactivate", methods=("POST",))
    def reactivate(self, tenant_id: int) -> ResponseReturnValue:
        return self._set_status(tenant_id, TenantStatus.ACTIVE)

    def _set_status(self, tenant_id: int, status: TenantStatus) -> ResponseReturnValue:
        self.require_write()
        tenant = self.get_one(str(tenant_id))
        db = request_session(platform=True)
        before = self.snapshot(tenant)
        if tenant.status is not status:
            tenant.status = status
            tenant.suspended_at = utcnow() if status is TenantStatus.SUSPENDED else None
            for user_id in db.scalars(sa.select(User.id).where(User.tenant_id == tenant.id)):
                access_changed(db, tenant.id, user_id)
            verb = "suspend" if status is TenantStatus.SUSPENDED else "reactivate"
            self._audit(f"tenants.{verb}", tenant, before)
            db.commit()
        done = "suspensa" if status is TenantStatus.SUSPENDED else "reativada"
        flash(f"Empresa {tenant.name} {done}.", "success")
        return redirect(self.get_url(".edit_view", id=tenant.id))

    def _audit(self, action: str, tenant: Any, before: dict[str, Any]) -> None:
        from admin.audit import audit

        audit(
            action, tenant, before=before, after=self.snapshot(tenant), session=request_session(platform=True)
        )
