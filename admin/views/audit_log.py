"""The audit log, read-only: who did what to which target, from where and when, with filters (actor,
action, target, period) and CSV export. Secrets were masked when written and are masked again here."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from flask_admin.contrib.sqla.filters import DateTimeBetweenFilter, FilterEqual, FilterLike
from flask_babel import format_datetime
from markupsafe import Markup, escape

from admin.audit import mask
from admin.base import TenantModelView
from models.audit import AuditLog
from models.user import User


def _when(view: Any, context: Any, model: Any, name: str) -> str:
    return format_datetime(model.created_at, "dd/MM/yyyy HH:mm:ss") if model.created_at else ""


def _actor(view: Any, context: Any, model: Any, name: str) -> str:
    return f"{model.actor.name} <{model.actor.email}>" if model.actor is not None else "—"


def _data_text(model: Any) -> str:
    return json.dumps(mask(model.data or {}), ensure_ascii=False, sort_keys=True)


def _data(view: Any, context: Any, model: Any, name: str) -> Markup:
    pretty = json.dumps(mask(model.data or {}), ensure_ascii=False, sort_keys=True, indent=1)
    return Markup('<pre class="audit-data">') + escape(pretty) + Markup("</pre>")


class AuditLogView(TenantModelView):
    audit_name = "audit_logs"
    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list: ClassVar[list[str]] = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "ip",
        "data",
    ]
    column_details_list: ClassVar[list[str]] = [
        "created_at", "actor", "action", "target_type", "target_id", "ip", "user_agent", "data",
    ]  # fmt: skip
    column_export_list: ClassVar[list[str]] = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "ip",
        "data",
    ]
    column_default_sort = ("created_at", True)
    column_sortable_list: ClassVar[list[str]] = ["created_at", "action"]
    column_searchable_list: ClassVar[list[str]] = ["action", "target_id"]
    column_formatters: ClassVar[dict[str, Any]] = {"created_at": _when, "actor": _actor, "data": _data}
    column_formatters_export: ClassVar[dict[str, Any]] = {
        "created_at": lambda v, c, m, n: m.created_at.isoformat() if m.created_at else "",
        "actor": lambda v, c, m, n: m.actor.email if m.actor is not None else "",
        "data": lambda v, c, m, n: _data_text(m),
    }
    column_filters: ClassVar[list[Any]] = [
        FilterLike(User.email, "Quem (e-mail)"),
        FilterLike(AuditLog.action, "Ação"),
        FilterEqual(AuditLog.target_type, "Tipo do alvo"),
        FilterEqual(AuditLog.target_id, "Id do alvo"),
        DateTimeBetweenFilter(AuditLog.created_at, "Período"),
    ]
    column_labels: ClassVar[dict[str, str]] = {
        "created_at": "Quando",
        "actor": "Quem",
        "action": "Ação",
        "target_type": "Alvo",
        "target_id": "Id do alvo",
        "ip": "IP",
        "user_agent": "Navegador",
        "data": "Detalhes",
    }
    export_max_rows = 50_000

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(AuditLog, **kwargs)
