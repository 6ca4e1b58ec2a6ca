"""The bases every back-office view is built on. How to plug a new view in: admin/README.md.

- `TenantModelView`: a Flask-Admin model view whose every read (list, count, one row, relationship
  choices, ajax lookups, filters, exports) is filtered by the acting tenant, whose new rows get the tenant
  from the session (never from the form), and whose every create/update/delete writes an audit row with
  before/after (secrets masked) in the same transaction.
- `PlatformModelView`: the same for platform rows (tenants), superadmin only, in a platform session.
- `TenantPage`: a custom page (`flask_admin.BaseView`) with the same access rules, the request's session
  and the audit writer at hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import abort, flash, g
from flask.typing import ResponseReturnValue
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_admin.contrib.sqla.tools import get_query_for_ids
from flask_admin.contrib.sqla.typefmt import DEFAULT_FORMATTERS
from flask_admin.model.ajax import DEFAULT_PAGE_SIZE
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from wtforms import Form
from wtforms.validators import ValidationError

from admin.access import ADMIN_ROLES, BACK_OFFICE_ROLES, acting_tenant_id, refuse, signed_in_user
from admin.audit import audit, snapshot
from admin.db import PLATFORM_SESSION, REQUEST_SESSION, request_session
from models.enums import Role
from models.scoping import ScopedSession

log = logging.getLogger(__name__)

TENANT_FIELDS = ("tenant_id", "tenant")
_BEFORE = "_admin_before"  # flask.g: the row's snapshot taken before the form is applied
_FORM = "_admin_form"  # flask.g: the form being saved, for hooks that need more than the row


class AdminError(ValueError):
    """Input or state the person must fix; the message (pt-BR) is shown as is."""


class AdminForm(FlaskForm):
    """Every back-office form: Flask-WTF's CSRF token, the one the app's global CSRF check accepts
    (Flask-Admin's SecureForm token is refused by it)."""


def csv_safe(value: Any) -> Any:
    """A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) is quoted with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class ChoiceFilter(FilterEqual):
    """Equality on a column with a closed set of values (enums): only the listed values are accepted,
    so a hand-typed URL value is ignored instead of failing the query. `options`: [(value, label)]."""

    def __init__(self, column: Any, name: str, options: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(column, name, options=options, **kwargs)
        self._allowed = {value for value, _label in options}

    def validate(self, value: Any) -> bool:
        return value in self._allowed


def local_datetime(view: Any, value: datetime, name: str) -> str:
    """Dates in the tenant's timezone (Flask-Babel's selector), as Brazilians write them."""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


class BaseAccess:
    """is_accessible for every view. `read_roles` open the view; `write_roles` may change rows.
    A superadmin changes tenant rows only while acting for a tenant (`needs_tenant_to_write`)."""

    read_roles: ClassVar[frozenset[Role]] = ADMIN_ROLES
    write_roles: ClassVar[frozenset[Role]] = ADMIN_ROLES
    needs_tenant_to_write: ClassVar[bool] = True

    def is_accessible(self) -> bool:
        user = signed_in_user()
        return user is not None and user.role in self.read_roles

    def inaccessible_callback(self, name: Any, **kwargs: Any) -> ResponseReturnValue:
        return refuse()

    def may_write(self) -> bool:
        user = signed_in_user()
        if user is None or user.role not in self.write_roles:
            return False
        return not (self.needs_tenant_to_write and acting_tenant_id() is None)

    def require_write(self) -> None:
        """For custom POST handlers: 403 unless this user may change this view's rows."""
        if not self.may_write():
            abort(403)


class TenantAjaxLoader(QueryAjaxModelLoader):
    """An ajax lookup (select2) that only finds the acting tenant's rows."""

    def get_query(self) -> Any:
        return _tenant_filtered(super().get_query(), self.model)

    def get_one(self, pk: Any) -> Any:
        try:
            return self.get_query().filter(getattr(self.model, self.pk) == int(pk)).one_or_none()
        except (TypeError, ValueError):
            return None

    def get_list(self, term: str, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> Any:
        return super().get_list(term, offset, min(limit, DEFAULT_PAGE_SIZE))


def _tenant_filtered(query: Any, model: Any) -> Any:
    """`query` restricted to the acting tenant when `model` has a tenant column."""
    column = getattr(model, "tenant_id", None)
    tenant_id = acting_tenant_id()
    if column is None or tenant_id is None:
        return query
    return query.filter(column == tenant_id)


def _label_of(obj: Any) -> str:
    """How a row is named in a choice list: its name, title or e-mail, else its id."""
    for attr in ("name", "title", "email", "shortcut"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return f"#{getattr(obj, 'id', '?')}"


def _strict_choice(field: Any) -> Callable[[Form], None]:
    original = field.pre_validate

    def pre_validate(form: Form) -> None:
        raw = getattr(field, "_formdata", None)
        data = field.data  # resolves the posted ids against the (tenant-filtered) choices
        many = isinstance(raw, list | set | tuple)
        if (many and getattr(field, "_invalid_formdata", False)) or (
            not many and raw not in (None, "", "__None") and data is None
        ):
            raise ValidationError(str(_l("Escolha uma opção da lista.")))
        original(form)

    return pre_validate


class TenantModelView(BaseAccess, ModelView):
    """The one base of model views over tenant-owned rows (see the module docstring).

    Subclasses set the usual Flask-Admin options, plus:
    - `secret_fields`: columns never listed, shown, exported or offered in a form, and masked in audit;
    - `audit_name`: the prefix of audit actions (default: the table name), e.g. "labels.update";
    - `after_write(model, is_created)` / `before_delete(model)`: domain side effects in the same
      transaction (e.g. `models.access.access_changed`).
    """

    form_base_class = AdminForm
    session_source: ClassVar[Any] = REQUEST_SESSION
    secret_fields: ClassVar[frozenset[str]] = frozenset()
    audit_name: ClassVar[str | None] = None
    tenant_scoped: ClassVar[bool] = True

    column_type_formatters: ClassVar[dict[Any, Any]] = {**DEFAULT_FORMATTERS, datetime: local_datetime}
    column_type_formatters_detail: ClassVar[dict[Any, Any]] = {**DEFAULT_FORMATTERS, datetime: local_datetime}
    can_view_details = True
    can_export = True
    export_types: ClassVar[list[str]] = ["csv"]
    export_max_rows = 10_000
    page_size = 25
    can_set_page_size = False
    action_disallowed_list: ClassVar[list[str]] = ["delete"]  # bulk actions need inline script (CSP)
    create_modal = False
    edit_modal = False

    def __init__(self, model: type[Any], name: str | None = None, **kwargs: Any) -> None:
        hidden = set(self.secret_fields) | set(TENANT_FIELDS)
        secrets = sorted(self.secret_fields)
        for attr, extra in (
            ("form_excluded_columns", sorted(hidden)),
            ("column_exclude_list", secrets),
            ("column_details_exclude_list", secrets),
            ("column_export_exclude_list", secrets),
        ):
            setattr(self, attr, [*(getattr(self, attr, None) or []), *extra])
        for attr in ("column_list", "column_details_list", "column_export_list"):
            listed = getattr(self, attr, None)
            if listed:
                setattr(self, attr, [c for c in listed if str(c) not in self.secret_fields])
        super().__init__(model, self.session_source, name=name, **kwargs)

    # --- who may do what, per request -------------------------------------------------------------
    @property
    def can_create(self) -> bool:
        return type(self).allow_create and self.may_write()

    @property
    def can_edit(self) -> bool:
        return type(self).allow_edit and self.may_write()

    @property
    def can_delete(self) -> bool:
        return type(self).allow_delete and self.may_write()

    allow_create: ClassVar[bool] = True
    allow_edit: ClassVar[bool] = True
    allow_delete: ClassVar[bool] = True

    # --- reads: every one filtered by tenant --------------------------------------------------------
    @property
    def db(self) -> ScopedSession:
        """This request's session (tenant-scoped for tenant views)."""
        return request_session(platform=not self.tenant_scoped)

    def scope(self, query: Any, model: Any = None) -> Any:
        return _tenant_filtered(query, model or self.model) if self.tenant_scoped else query

    def get_query(self) -> Any:
        return self.scope(super().get_query())

    def get_count_query(self) -> Any:
        return self.scope(super().get_count_query())

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        """A filter or search value the database refuses (a hand-made URL) is a 400, not a 500."""
        try:
            return super().get_list(*args, **kwargs)
        except (LookupError, ValueError, sa.exc.StatementError):
            self.db.rollback()
            abort(400)

    def get_one(self, id: Any) -> Any:
        """The row, if it is the acting tenant's; 404 otherwise (an id of another tenant, or junk)."""
        try:
            ids = [int(part) for part in str(id).split(",")]
        except ValueError:
            abort(404)
        row = get_query_for_ids(
            self.get_query(), self.model, [ids[0] if len(ids) == 1 else ids]
        ).one_or_none()
        if row is None:
            abort(404)
        return row

    def _create_ajax_loader(self, name: str, options: dict[str, Any]) -> QueryAjaxModelLoader:
        remote = getattr(self.model, name).property.mapper.class_
        return TenantAjaxLoader(name, self.session_source, remote, **options)

    def _scope_form(self, form: Form) -> Form:
        """Relationship choices (QuerySelect fields) list only the acting tenant's rows, by their name;
        a posted value that is not among them is an error, not a silent blank."""
        for field in form:
            factory = getattr(field, "query_factory", None)
            if factory is None or getattr(factory, "_tenant_scoped", False):
                continue
            field.query_factory = self._scoped_factory(factory)
            field.get_label = _label_of
            if hasattr(field, "_formdata"):
                field.pre_validate = _strict_choice(field)
        return form

    def _scoped_factory(self, factory: Callable[[], Any]) -> Callable[[], Any]:
        def scoped() -> Any:
            query = factory()
            entity = query.column_descriptions[0]["entity"]
            return _tenant_filtered(query, entity)

        scoped._tenant_scoped = True  # type: ignore[attr-defined]
        return scoped

    def create_form(self, obj: Any = None) -> Form:
        return self._scope_form(super().create_form(obj))

    def edit_form(self, obj: Any = None) -> Form:
        return self._scope_form(super().edit_form(obj))

    @expose("/export/<export_type>/")
    def export(self, export_type: str) -> Any:
        """Built here, inside the request, not streamed after it: the rows belong to the request's
        session, which closes at teardown."""
        response = super().export(export_type)
        if getattr(response, "is_streamed", False):
            response.set_data(
                b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in response.response)
            )
        return response

    def get_export_value(self, model: Any, name: str) -> Any:
        return csv_safe(super().get_export_value(model, name))

    # --- writes: tenant from the session, audit in the same transaction ------------------------------
    def _guard_row(self, model: Any) -> None:
        tenant_id = acting_tenant_id()
        if (
            self.tenant_scoped
            and tenant_id is not None
            and getattr(model, "tenant_id", tenant_id) != tenant_id
        ):
            abort(404)

    def update_model(self, form: Form, model: Any) -> bool:
        self._guard_row(model)
        setattr(g, _BEFORE, self.snapshot(model))
        return bool(super().update_model(form, model))

    def on_model_change(self, form: Form, model: Any, is_created: bool) -> None:
        if not self.may_write():
            abort(403)
        setattr(g, _FORM, form)
        if is_created and self.tenant_scoped and hasattr(self.model, "tenant_id"):
            tenant_id = acting_tenant_id()
            if tenant_id is None:
                raise AdminError(str(_l("Escolha a empresa no topo da página antes de criar.")))
            model.tenant_id = tenant_id
        self._guard_row(model)
        with self.db.no_autoflush:  # its checks may query; the row is not complete yet
            self.validate_model(model, is_created)
        self.db.flush()  # ids for the audit row and for after_write
        self.after_write(model, is_created)
        self.db.flush()
        action = "create" if is_created else "update"
        before = None if is_created else g.pop(_BEFORE, None)
        audit(self.action(action), model, before=before, after=self.snapshot(model), session=self.db)

    def on_model_delete(self, model: Any) -> None:
        if not self.may_write():
            abort(403)
        self._guard_row(model)
        before = self.snapshot(model)
        self.before_delete(model)
        audit(self.action("delete"), model, before=before, after=None, session=self.db)

    def handle_view_exception(self, exc: Exception) -> bool:
        """Every failure a person can fix is a pt-BR message on the form; nothing else leaks."""
        if isinstance(exc, HTTPException):
            raise exc
        if isinstance(exc, ValidationError | AdminError):
            flash(str(exc), "error")
        elif isinstance(exc, IntegrityError):
            flash(str(_l("Já existe um registro com esses dados, ou ele ainda é usado por outro.")), "error")
        elif isinstance(exc, ValueError) and type(exc).__module__.startswith("models."):
            flash(str(exc), "error")  # the domain's own errors (ProvisioningError, TeamError…) are pt-BR
        else:
            log.exception("back office: %s failed", type(self).__name__)
            flash(str(_l("Não foi possível salvar. Tente de novo.")), "error")
        return True

    # --- hooks for subclasses -------------------------------------------------------------------------
    def current_form(self) -> Form | None:
        """The form being saved (inside validate_model / after_write)."""
        form: Form | None = g.get(_FORM)
        return form

    def before(self) -> dict[str, Any] | None:
        """The row's audit snapshot from before this update (None on create), inside after_write."""
        found: dict[str, Any] | None = g.get(_BEFORE)
        return found

    def action(self, verb: str) -> str:
        return f"{self.audit_name or self.model.__tablename__}.{verb}"

    def snapshot(self, model: Any) -> dict[str, Any]:
        """What the audit log keeps of a row; override to add derived values (members…)."""
        return snapshot(model, self.secret_fields)

    def validate_model(self, model: Any, is_created: bool) -> None:
        """Raise AdminError for a row that must not be stored."""

    def after_write(self, model: Any, is_created: bool) -> None:
        """Side effects in the same transaction, after the row is flushed."""

    def before_delete(self, model: Any) -> None:
        """Side effects in the same transaction, before the row is deleted."""


class PlatformModelView(TenantModelView):
    """Platform rows (tenants): superadmin only, in a platform session, not filtered by tenant."""

    read_roles = frozenset({Role.SUPERADMIN})
    write_roles = frozenset({Role.SUPERADMIN})
    needs_tenant_to_write = False
    tenant_scoped = False
    session_source = PLATFORM_SESSION


class TenantPage(BaseAccess, BaseView):
    """A custom back-office page with the same access rules as the model views.

    `self.db` is the request's tenant-scoped session (commit it yourself after the change and its
    `self.audit(...)` row); `self.tenant_id()` the acting tenant (403 if a superadmin picked none and
    the page needs one); `self.require_write()` before any change."""

    needs_tenant: ClassVar[bool] = True  # a superadmin with no acting tenant is asked to pick one

    def _handle_view(self, name: str, **kwargs: Any) -> ResponseReturnValue | None:
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        if self.needs_tenant and acting_tenant_id() is None:
            return self.render("niochat_admin/pick_tenant.html")
        return None

    def tenant_id(self) -> int:
        tenant_id = acting_tenant_id()
        if tenant_id is None:
            abort(403)
        return tenant_id

    @property
    def db(self) -> ScopedSession:
        return request_session()

    def audit(self, action: str, target: Any = None, **kwargs: Any) -> Any:
        return audit(action, target, session=self.db, **kwargs)


class AdminHome(AdminIndexView):
    """/admin/: the landing page, open to every back-office role."""

    def is_accessible(self) -> bool:
        user = signed_in_user()
        return user is not None and user.role in BACK_OFFICE_ROLES

    def inaccessible_callback(self, name: Any, **kwargs: Any) -> ResponseReturnValue:
        return refuse()

    @expose("/")
    def index(self) -> ResponseReturnValue:
        return self.render("niochat_admin/index.html", counts=_home_counts())


def _home_counts() -> dict[str, int]:
    """A few numbers for the landing page, of the acting tenant (or the platform)."""
    from models.user import Team, User

    db = request_session()
    tenant_id = acting_tenant_id()
    users = sa.select(sa.func.count()).select_from(User).where(User.is_active.is_(True))
    teams = sa.select(sa.func.count()).select_from(Team)
    if tenant_id is not None:
        users = users.where(User.tenant_id == tenant_id)
        teams = teams.where(Team.tenant_id == tenant_id)
    return {"users": int(db.scalar(users) or 0), "teams": int(db.scalar(teams) or 0)}
