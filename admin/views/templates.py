"""Message templates: local ones (any channel: a text with {{1}} placeholders the agent fills) and, per
Meta inbox, the templates of its WhatsApp Business Account. "Sincronizar com a Meta" (POST `sync/`)
reads them from the Cloud API (`admin.inboxes.meta_templates`): created or updated by inbox + name +
language, the ones Meta no longer lists marked removed, local ones untouched. A Meta template can still
be typed in by hand, exactly as approved (name, language), for an inbox without `waba_id`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_babel import gettext as _
from wtforms import SelectField, validators

from admin.access import ADMIN_ROLES, acting_tenant_id
from admin.audit import audit
from admin.base import AdminError, TenantModelView
from admin.db import request_session
from admin.inboxes import meta_templates
from models.enums import ChannelType, Role
from models.inbox import Inbox
from models.reply import MessageTemplate, template_parameter_count

_NAME = re.compile(r"^[a-z0-9_]{1,120}$")
_LANGUAGE = re.compile(r"^[a-z]{2}(_[A-Z]{2})?$")
CATEGORIES = [("UTILITY", "Utilidade"), ("MARKETING", "Marketing"), ("AUTHENTICATION", "Autenticação")]
STATUSES = [
    ("approved", "Aprovado / pronto para uso"),
    ("pending", "Em análise na Meta"),
    ("rejected", "Rejeitado"),
    ("paused", "Pausado pela Meta"),
    ("disabled", "Desativado pela Meta"),
    ("removed", "Removido (a Meta não o lista mais)"),
]


# Short labels for the list (the form's choices above explain more).
STATUS_LABELS = {
    "approved": "Aprovado",
    "pending": "Em análise",
    "rejected": "Rejeitado",
    "paused": "Pausado",
    "disabled": "Desativado",
    "removed": "Removido",
}
CATEGORY_LABELS = dict(CATEGORIES)


def _status(view: Any, context: Any, model: Any, name: str) -> str:
    return STATUS_LABELS.get(model.status, model.status)


def _category(view: Any, context: Any, model: Any, name: str) -> str:
    return CATEGORY_LABELS.get(model.category, model.category)


def _meta_inboxes() -> Any:
    return (
        request_session()
        .query(Inbox)
        .filter(Inbox.channel_type == ChannelType.WHATSAPP_CLOUD)
        .order_by(Inbox.name)
    )


def _inbox_name(view: Any, context: Any, model: Any, name: str) -> str:
    return model.inbox.name if model.inbox is not None else "Local (todos os canais)"


def _parameters(view: Any, context: Any, model: Any, name: str) -> int:
    return template_parameter_count(model.body or "")


class MessageTemplateView(TenantModelView):
    read_roles = ADMIN_ROLES | {Role.SUPERVISOR}
    audit_name = "message_templates"
    column_list: ClassVar[list[str]] = [
        "name",
        "inbox",
        "language",
        "category",
        "status",
        "body",
        "parameters",
    ]
    column_export_list: ClassVar[list[str]] = ["name", "inbox", "language", "category", "status", "body"]
    column_searchable_list: ClassVar[list[str]] = ["name", "body"]
    column_sortable_list: ClassVar[list[str]] = ["name", "language", "status"]
    column_filters: ClassVar[list[str]] = ["status", "category", "language"]
    column_default_sort = "name"
    list_template = "niochat_admin/template_list.html"
    column_formatters: ClassVar[dict[str, Any]] = {
        "inbox": _inbox_name,
        "parameters": _parameters,
        "status": _status,
        "category": _category,
    }
    column_formatters_export: ClassVar[dict[str, Any]] = {"inbox": _inbox_name}
    column_labels: ClassVar[dict[str, str]] = {
        "name": "Nome",
        "inbox": "Caixa (Meta)",
        "language": "Idioma",
        "category": "Categoria",
        "status": "Situação",
        "body": "Texto",
        "parameters": "Variáveis",
    }
    column_descriptions: ClassVar[dict[str, str]] = {
        "name": "Letras minúsculas, números e _; para a Meta, exatamente como aprovado.",
        "inbox": "Vazio: modelo local, para qualquer canal. Com caixa da Meta: o modelo aprovado nela.",
        "body": "Use {{1}}, {{2}}… onde o agente preenche valores.",
    }
    form_columns: ClassVar[list[str]] = ["name", "inbox", "language", "category", "status", "body"]
    form_overrides: ClassVar[dict[str, Any]] = {"category": SelectField, "status": SelectField}
    form_args: ClassVar[dict[str, Any]] = {
        "name": {"validators": [validators.InputRequired(), validators.Length(max=120)]},
        "inbox": {
            "query_factory": _meta_inboxes,
            "allow_blank": True,
            "blank_text": "Local (todos os canais)",
        },
        "language": {
            "default": "pt_BR",
            "validators": [validators.InputRequired(), validators.Length(max=16)],
        },
        "category": {"choices": CATEGORIES},
        "status": {"choices": STATUSES},
        "body": {"validators": [validators.InputRequired(), validators.Length(max=1024)]},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(MessageTemplate, **kwargs)

    def render(self, template: str, **kwargs: Any) -> Any:
        """The list page offers the sync for the acting tenant's Cloud inboxes (none: no form)."""
        if template == self.list_template:
            tenant_id = acting_tenant_id()
            inboxes = []
            if tenant_id is not None and self.may_write():
                inboxes = meta_templates.cloud_inboxes(self.db, tenant_id)
            kwargs["meta_inboxes"] = inboxes
        return super().render(template, **kwargs)

    @expose("/sync/", methods=("POST",))
    def sync_view(self) -> ResponseReturnValue:
        """Sync one of the tenant's Cloud inboxes with Meta; another tenant's or another channel's is 404."""
        self.require_write()
        tenant_id = acting_tenant_id()
        if tenant_id is None:
            abort(403)
        inbox = meta_templates.find_inbox(self.db, tenant_id, request.form.get("inbox_id"))
        if inbox is None:
            abort(404)
        back = redirect(self.get_url(".index_view"))
        try:
            report = meta_templates.sync(self.db, inbox)
        except meta_templates.TemplateSyncError as exc:
            self.db.rollback()
            flash(str(exc), "error")
            return back
        audit(f"{self.audit_name}.sync", inbox, session=self.db, **report.as_audit())
        self.db.commit()
        summary = meta_templates.summary(report)
        flash(_("Caixa “%(name)s”: %(result)s.", name=inbox.name, result=summary), "success")
        return back

    def validate_model(self, model: Any, is_created: bool) -> None:
        model.name = (model.name or "").strip().lower()
        model.language = (model.language or "").strip()
        if not _NAME.match(model.name):
            raise AdminError("Nome: use letras minúsculas, números e _ (ex.: fatura_aberta).")
        if not _LANGUAGE.match(model.language):
            raise AdminError("Idioma: use o código da Meta, como pt_BR ou en_US.")
        if model.inbox is None:
            model.inbox_id = None
