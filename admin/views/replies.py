"""Quick replies agents type with `/atalho`; supervisors read them, admins change them."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from wtforms import validators

from admin.access import ADMIN_ROLES
from admin.base import AdminError, TenantModelView
from models.enums import Role
from models.reply import QuickReply

_SHORTCUT = re.compile(r"^[a-z0-9_-]{1,40}$")


class QuickReplyView(TenantModelView):
    read_roles = ADMIN_ROLES | {Role.SUPERVISOR}
    column_list: ClassVar[list[str]] = ["shortcut", "title", "content", "team"]
    column_searchable_list: ClassVar[list[str]] = ["shortcut", "title", "content"]
    column_sortable_list: ClassVar[list[str]] = ["shortcut", "title"]
    column_default_sort = "shortcut"
    column_filters: ClassVar[list[str]] = ["team_id"]
    form_columns: ClassVar[list[str]] = ["shortcut", "title", "content", "team"]
    column_labels: ClassVar[dict[str, str]] = {
        "shortcut": "Atalho",
        "title": "Título",
        "content": "Texto",
        "team": "Equipe",
        "team_id": "Equipe (id)",
    }
    column_descriptions: ClassVar[dict[str, str]] = {
        "shortcut": "Letras minúsculas, números, - e _; o agente digita /atalho.",
        "team": "Vazio: todos os agentes veem; com equipe: só os dela.",
    }
    form_args: ClassVar[dict[str, Any]] = {
        "shortcut": {"validators": [validators.InputRequired(), validators.Length(max=40)]},
        "title": {"validators": [validators.InputRequired(), validators.Length(max=120)]},
        "content": {"validators": [validators.InputRequired(), validators.Length(max=4096)]},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(QuickReply, **kwargs)

    def validate_model(self, model: Any, is_created: bool) -> None:
        model.shortcut = (model.shortcut or "").strip().lstrip("/").lower()
        if not _SHORTCUT.match(model.shortcut):
            raise AdminError("Atalho: use letras minúsculas, números, - e _ (até 40).")
