"""IA: the attendant's settings page (engine, model, key write-only, persona, instructions, hand-off
rules) with "Testar uma mensagem", and the knowledge base as a tenant-scoped model view.

The rules are in `admin.settings.ai`; "Testar uma mensagem" runs `assistant.trial` as `niochat ai try`
does, in a throwaway conversation (nothing stored, nothing sent to the customer).
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import flash, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin.access import admin_user
from admin.base import AdminError, TenantModelView, TenantPage
from admin.settings import ai
from admin.settings.common import SettingsError
from assistant.policy import reason_label
from models.tenant import Tenant
from models.user import Team
from web.services import services

TEMPLATE = "niochat_admin/channels/ai.html"


class AISettingsPage(TenantPage):
    def _render(self, problems: dict[str, str] | None = None, report: Any = None, tried: str = "") -> Any:
        tenant_id = self.tenant_id()
        row = ai.load(self.db, tenant_id)
        tenant = self.db.get(Tenant, tenant_id)
        rules = dict(row.handoff_rules or {})
        return self.render(
            TEMPLATE,
            row=row,
            persona=ai.persona(tenant) if tenant else {},
            providers=ai.PROVIDERS,
            groups=ai.GROUPS,
            group_teams=dict(rules.get("teams") or {}),
            default_team=rules.get("default_team") or "",
            teams=list(self.db.query(Team).order_by(Team.name)),
            form=request.form if problems else None,
            problems=problems or {},
            report=report,
            tried=tried,
            reason_label=reason_label,
            may_write=self.may_write(),
        )

    @expose("/", methods=("GET", "POST"))
    def index(self) -> ResponseReturnValue:
        if request.method == "GET":
            return self._render()
        self.require_write()
        try:
            before, after = ai.save(self.db, self.tenant_id(), request.form)
        except SettingsError as exc:
            self.db.rollback()
            flash(_("Corrija os campos destacados."), "error")
            return self._render(exc.problems)
        self.audit("ai_settings.update", target_type="ai_settings", before=before, after=after)
        self.db.commit()
        flash(_("Configurações da IA salvas."), "success")
        return redirect(self.get_url(".index"))

    @expose("/try/", methods=("POST",))
    def try_view(self) -> ResponseReturnValue:
        """One customer message through the attendant; nothing stored, nothing sent (audited: the
        attendant may read the tenant's SGP)."""
        self.require_write()
        text = request.form.get("message", "")
        wants_json = request.accept_mimetypes.best == "application/json"
        try:
            report = ai.try_message(services().db, self.tenant_id(), text, request.form.get("phone"))
        except SettingsError as exc:
            if wants_json:
                return jsonify({"ok": False, "message": exc.problems.get("message", "")}), 422
            return self._render(report=None, tried=text), 422
        self.audit("ai_settings.try", target_type="ai_settings", tools=[t["name"] for t in report["tools"]])
        self.db.commit()
        if report.get("handoff"):
            report["handoff"]["label"] = reason_label(report["handoff"]["reason"])
        if wants_json:
            return jsonify({"ok": True, "report": report})
        return self._render(report=report, tried=text)


class KnowledgeView(TenantModelView):
    """Knowledge base entries the attendant answers from (enabled ones, up to 50, in its prompt)."""

    audit_name = "knowledge_entries"
    column_list = ("title", "enabled", "source", "updated_at")
    column_searchable_list = ("title", "content")
    column_default_sort = "title"
    form_columns = ("title", "content", "enabled")
    column_labels: ClassVar[dict[str, Any]] = {
        "title": _l("Título"),
        "content": _l("Conteúdo"),
        "enabled": _l("Ativa"),
        "source": _l("Origem"),
        "updated_at": _l("Atualizada em"),
        "tags": _l("Etiquetas"),
    }
    form_widget_args: ClassVar[dict[str, Any]] = {"content": {"rows": 8}}

    def validate_model(self, model: Any, is_created: bool) -> None:
        if not (model.title or "").strip() or not (model.content or "").strip():
            raise AdminError(str(_l("Informe o título e o conteúdo.")))
        if len(model.title) > 200:
            raise AdminError(str(_l("Título longo demais (máximo 200 caracteres).")))
        model.title, model.content = model.title.strip(), model.content.strip()

    def after_write(self, model: Any, is_created: bool) -> None:
        if is_created:
            model.created_by_id = admin_user().id
            model.source = "manual"
