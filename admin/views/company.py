"""The tenant's own settings, for its admin: timezone, "require 2FA", the first-response target and the
branding. Plan limits are shown, not edited (the platform sets them)."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin import expose
from wtforms import BooleanField, IntegerField, SelectField, StringField, validators

from admin.audit import snapshot
from admin.base import AdminError, AdminForm, TenantPage
from admin.views.tenant_fields import TIMEZONES, check_timezone, clean_branding
from models.plan import active_agents, active_inboxes
from models.tenant import Tenant


class CompanyForm(AdminForm):
    timezone = SelectField("Fuso horário", choices=TIMEZONES)
    require_2fa = BooleanField("Exigir verificação em duas etapas de todos os usuários")
    sla_first_response_minutes = IntegerField(
        "Meta de primeira resposta (minutos)",
        validators=[validators.InputRequired(), validators.NumberRange(1, 1440)],
    )
    brand_name = StringField("Nome exibido", validators=[validators.Optional(), validators.Length(max=80)])
    brand_color = StringField("Cor principal", render_kw={"placeholder": "#0e9f6e"})
    brand_logo = StringField(
        "Logo (https://…)", validators=[validators.Optional(), validators.Length(max=500)]
    )


class CompanyPage(TenantPage):
    """/admin/company/"""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> ResponseReturnValue:
        tenant = self.db.get(Tenant, self.tenant_id())
        if tenant is None:
            abort(404)
        form = CompanyForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            branding = tenant.branding or {}
            form.timezone.data = tenant.timezone
            form.require_2fa.data = tenant.require_2fa
            form.sla_first_response_minutes.data = tenant.sla_first_response_minutes
            form.brand_name.data = branding.get("display_name", "")
            form.brand_color.data = branding.get("primary_color", "")
            form.brand_logo.data = branding.get("logo_url", "")
        elif self.may_write() and form.validate():
            try:
                self._save(tenant, form)
            except AdminError as exc:
                flash(str(exc), "error")
            else:
                flash("Configurações salvas.", "success")
                return redirect(self.get_url(".index"))
        elif not self.may_write():
            self.require_write()
        usage = {"agents": active_agents(self.db, tenant.id), "inboxes": active_inboxes(self.db, tenant.id)}
        return self.render("niochat_admin/company.html", form=form, tenant=tenant, usage=usage)

    def _save(self, tenant: Tenant, form: CompanyForm) -> None:
        before = snapshot(tenant)
        tenant.timezone = check_timezone(form.timezone.data or "")
        tenant.require_2fa = bool(form.require_2fa.data)
        tenant.sla_first_response_minutes = int(form.sla_first_response_minutes.data or 15)
        tenant.branding = clean_branding(form.brand_name.data, form.brand_color.data, form.brand_logo.data)
        self.audit("tenants.settings", tenant, before=before, after=snapshot(tenant))
        self.db.commit()
