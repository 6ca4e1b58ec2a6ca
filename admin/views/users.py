"""People of the tenant: invite (a temporary password shown once), role, teams, deactivate, reset the
password or the second factor. Every change of role, teams or activation reaches the person's open
sockets at once (`models.access.access_changed`, in the same transaction)."""

from __future__ import annotations

import re
import secrets
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import abort, g, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from wtforms import SelectField, validators

from admin.access import admin_user
from admin.audit import snapshot
from admin.base import AdminError, ChoiceFilter, TenantModelView
from admin.db import request_session
from models.access import access_changed
from models.enums import Role
from models.passwords import hash_password
from models.plan import check_agent_seat
from models.teams import add_member, remove_member
from models.user import Team, TeamMember, User
from web.auth import ROLE_LABELS

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TENANT_ROLES = [
    (Role.AGENT.value, "Agente"),
    (Role.SUPERVISOR.value, "Supervisor"),
    (Role.ADMIN.value, "Administrador"),
]
_SHOWN_ONCE = "_admin_shown_once"


def temporary_password() -> str:
    """Readable once over the phone: 12 characters, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY345679"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _teams() -> Any:
    return request_session().query(Team).order_by(Team.name)


def _role_label(view: Any, context: Any, model: Any, name: str) -> str:
    return str(ROLE_LABELS.get(model.role, model.role))


def _team_names(view: Any, context: Any, model: Any, name: str) -> str:
    return ", ".join(sorted(t.name for t in model.teams))


class UserView(TenantModelView):
    secret_fields = frozenset({"password_hash", "totp_secret", "recovery_codes"})
    audit_name = "users"
    allow_delete = False  # conversations and audit rows name them: deactivate instead
    can_view_details = True
    column_list: ClassVar[list[str]] = [
        "name",
        "email",
        "role",
        "is_active",
        "teams",
        "totp_enabled_at",
        "last_login_at",
    ]
    column_details_list: ClassVar[list[str]] = [
        "name", "email", "role", "is_active", "teams", "totp_enabled_at", "last_login_at", "last_seen_at",
        "availability", "session_timeout_minutes", "created_at",
    ]  # fmt: skip
    column_export_list: ClassVar[list[str]] = [
        "name",
        "email",
        "role",
        "is_active",
        "totp_enabled_at",
        "last_login_at",
    ]
    column_searchable_list: ClassVar[list[str]] = ["name", "email"]
    column_sortable_list: ClassVar[list[str]] = ["name", "email", "role", "last_login_at"]
    column_filters: ClassVar[list[Any]] = [ChoiceFilter(User.role, "Papel", TENANT_ROLES), "is_active"]
    column_default_sort = "name"
    column_formatters: ClassVar[dict[str, Any]] = {"role": _role_label, "teams": _team_names}
    column_labels: ClassVar[dict[str, str]] = {
        "name": "Nome",
        "email": "E-mail",
        "role": "Papel",
        "is_active": "Ativo",
        "teams": "Equipes",
        "team_choice": "Equipes",
        "totp_enabled_at": "2FA desde",
        "last_login_at": "Último acesso",
        "last_seen_at": "Visto por último",
        "availability": "Disponibilidade",
        "session_timeout_minutes": "Sessão expira após (min)",
        "created_at": "Criado em",
    }
    form_columns: ClassVar[list[str]] = [
        "name",
        "email",
        "role",
        "team_choice",
        "is_active",
        "session_timeout_minutes",
    ]
    form_overrides: ClassVar[dict[str, Any]] = {"role": SelectField}
    form_args: ClassVar[dict[str, Any]] = {
        "name": {"validators": [validators.InputRequired(), validators.Length(max=200)]},
        "email": {"validators": [validators.InputRequired(), validators.Length(max=254)]},
        "role": {"choices": TENANT_ROLES, "coerce": Role},
        "session_timeout_minutes": {"validators": [validators.NumberRange(min=5, max=24 * 60)]},
    }
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "team_choice": QuerySelectMultipleField("Equipes", query_factory=_teams, get_label="name"),
    }
    edit_template = "niochat_admin/user_edit.html"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(User, **kwargs)

    def edit_form(self, obj: Any = None) -> Any:
        form = super().edit_form(obj)
        if obj is not None and not form.is_submitted():
            form.team_choice.data = list(obj.teams)
        return form

    def snapshot(self, model: Any) -> dict[str, Any]:
        team_ids: list[int] = []
        if model.id is not None:
            team_ids = sorted(
                request_session().scalars(sa.select(TeamMember.team_id).where(TeamMember.user_id == model.id))
            )
        return snapshot(model, self.secret_fields, extra={"team_ids": team_ids})

    def validate_model(self, model: Any, is_created: bool) -> None:
        model.email = (model.email or "").strip().lower()
        model.name = " ".join((model.name or "").split())
        if not _EMAIL.match(model.email):
            raise AdminError("Informe um e-mail válido.")
        taken = request_session().scalar(
            sa.select(User.id).where(sa.func.lower(User.email) == model.email, User.id != (model.id or 0))
        )
        if taken is not None:
            raise AdminError(f"Já existe um usuário com o e-mail {model.email}.")
        if model.role not in {Role(value) for value, _label in TENANT_ROLES}:
            raise AdminError("Escolha um papel da lista.")
        before = self.before() or {}
        me = admin_user()
        if (
            not is_created
            and model.id == me.id
            and (not model.is_active or before.get("role") != model.role.value)
        ):
            raise AdminError("Você não pode desativar a si mesmo nem mudar o seu próprio papel.")
        if is_created:
            password = temporary_password()
            model.password_hash = hash_password(password)
            g.admin_new_password = password
        became_active = model.is_active and (is_created or not before.get("is_active"))
        if became_active:
            check_agent_seat(request_session(), model.tenant_id, user_id=model.id)

    def after_write(self, model: Any, is_created: bool) -> None:
        db = request_session()
        form = self.current_form()
        before = self.before() or {}
        wanted = {team.id for team in (form.team_choice.data or [])} if form is not None else set()
        current = set(db.scalars(sa.select(TeamMember.team_id).where(TeamMember.user_id == model.id)))
        teams = {t.id: t for t in db.scalars(sa.select(Team).where(Team.id.in_(wanted | current)))}
        for team_id in sorted(current - wanted):
            remove_member(db, teams[team_id], model.id)
        if wanted - current and not model.is_active:
            raise AdminError("Ative o usuário antes de colocá-lo em equipes.")
        for team_id in sorted(wanted - current):
            add_member(db, teams[team_id], model.id)
        changed = before and (
            before.get("role") != model.role.value or before.get("is_active") != model.is_active
        )
        if changed:
            access_changed(db, model.tenant_id, model.id)

    def after_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        password = g.pop("admin_new_password", None)
        if is_created and password:
            setattr(g, _SHOWN_ONCE, {"user": model, "password": password, "created": True})

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self) -> ResponseReturnValue:
        response = super().create_view()
        shown = g.pop(_SHOWN_ONCE, None)
        if shown is not None:
            return self._shown_once(**shown)
        return response

    def _shown_once(self, user: Any, password: str, created: bool) -> ResponseReturnValue:
        rendered = self.render(
            "niochat_admin/user_password.html", user=user, password=password, created=created,
            login_url=url_for("auth.login", _external=True),
        )  # fmt: skip
        return rendered, 200, {"Cache-Control": "no-store"}

    def _user(self, user_id: int) -> Any:
        self.require_write()
        return self.get_one(str(user_id))

    @expose("/<int:user_id>/reset-password", methods=("POST",))
    def reset_password(self, user_id: int) -> ResponseReturnValue:
        """A new temporary password, shown once; every session of the person ends."""
        user = self._user(user_id)
        password = temporary_password()
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        access_changed(request_session(), user.tenant_id, user.id)
        self._audit_action("users.reset_password", user)
        request_session().commit()
        return self._shown_once(user=user, password=password, created=False)

    @expose("/<int:user_id>/reset-2fa", methods=("POST",))
    def reset_two_factor(self, user_id: int) -> ResponseReturnValue:
        """The person lost their phone: 2FA is removed (they enrol again if the tenant requires it)."""
        user = self._user(user_id)
        if user.totp_enabled_at is None and not user.totp_secret:
            abort(409)
        user.totp_secret = None
        user.totp_enabled_at = None
        user.recovery_codes = []
        access_changed(request_session(), user.tenant_id, user.id)
        self._audit_action("users.reset_2fa", user)
        request_session().commit()
        from flask import flash

        flash(f"A verificação em duas etapas de {user.name} foi removida.", "success")
        return redirect(self.get_url(".edit_view", id=user.id))

    def _audit_action(self, action: str, user: Any) -> None:
        from admin.audit import audit

        audit(action, user, session=request_session())
