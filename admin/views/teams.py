"""Teams and their members. A membership change, or deleting a team, reaches the members' open sockets
at once (`models.teams` records `access_changed`). Supervisors read; admins change."""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from wtforms import validators

from admin.access import ADMIN_ROLES
from admin.audit import snapshot
from admin.base import AdminError, TenantModelView
from admin.db import request_session
from models.access import access_changed
from models.enums import Role
from models.permissions import INBOX_ROLES
from models.teams import NAME_MAX, add_member, member_ids, remove_member
from models.user import Team, User


def _people() -> Any:
    return (
        request_session()
        .query(User)
        .filter(User.is_active.is_(True), User.role.in_(list(INBOX_ROLES)))
        .order_by(User.name)
    )


def _member_names(view: Any, context: Any, model: Any, name: str) -> str:
    return ", ".join(sorted(u.name for u in model.members))


class TeamView(TenantModelView):
    read_roles = ADMIN_ROLES | {Role.SUPERVISOR}
    audit_name = "teams"
    column_list: ClassVar[list[str]] = ["name", "description", "members"]
    column_details_list: ClassVar[list[str]] = ["name", "description", "members", "created_at"]
    column_export_list: ClassVar[list[str]] = ["name", "description", "members"]
    column_searchable_list: ClassVar[list[str]] = ["name"]
    column_sortable_list: ClassVar[list[str]] = ["name"]
    column_default_sort = "name"
    column_formatters: ClassVar[dict[str, Any]] = {"members": _member_names}
    column_formatters_export: ClassVar[dict[str, Any]] = {"members": _member_names}
    column_labels: ClassVar[dict[str, str]] = {
        "name": "Nome",
        "description": "Descrição",
        "members": "Membros",
        "member_choice": "Membros",
        "created_at": "Criada em",
    }
    form_columns: ClassVar[list[str]] = ["name", "description", "member_choice"]
    form_args: ClassVar[dict[str, Any]] = {
        "name": {"validators": [validators.InputRequired(), validators.Length(max=NAME_MAX)]},
    }
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "member_choice": QuerySelectMultipleField("Membros", query_factory=_people, get_label="name"),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Team, **kwargs)

    def edit_form(self, obj: Any = None) -> Any:
        form = super().edit_form(obj)
        if obj is not None and not form.is_submitted():
            form.member_choice.data = list(obj.members)
        return form

    def snapshot(self, model: Any) -> dict[str, Any]:
        members = member_ids(request_session(), model) if model.id is not None else []
        return snapshot(model, self.secret_fields, extra={"member_ids": sorted(members)})

    def validate_model(self, model: Any, is_created: bool) -> None:
        model.name = " ".join((model.name or "").split())
        model.description = (model.description or "").strip() or None
        if not model.name:
            raise AdminError("Informe o nome da equipe.")
        taken = request_session().scalar(
            sa.select(Team.id).where(
                Team.tenant_id == model.tenant_id,
                sa.func.lower(Team.name) == model.name.lower(),
                Team.id != (model.id or 0),
            )
        )
        if taken is not None:
            raise AdminError(f"Já existe uma equipe chamada {model.name}.")

    def after_write(self, model: Any, is_created: bool) -> None:
        db = request_session()
        form = self.current_form()
        wanted = {u.id for u in (form.member_choice.data or [])} if form is not None else set()
        current = set(member_ids(db, model))
        for user_id in sorted(current - wanted):
            remove_member(db, model, user_id)
        for user_id in sorted(wanted - current):
            add_member(db, model, user_id)

    def before_delete(self, model: Any) -> None:
        db = request_session()
        for user_id in member_ids(db, model):
            access_changed(db, model.tenant_id, user_id)
