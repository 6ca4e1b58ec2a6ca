"""The user's own account: password change and two-step verification (enrol with a QR code, recovery
codes shown once, regenerate, disable). Changing either ends every other session and API token (the
session version changes) while keeping this one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any
from urllib.parse import quote

import segno
from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from models.accounts import change_password, load_user
from models.audit import record_user_event
from models.scoping import ScopedSession
from models.tenant import Tenant
from models.twofactor import (
    confirm_enrolment,
    disable,
    has_2fa,
    pending_secret,
    provisioning_uri,
    regenerate_recovery_codes,
    remaining_recovery_codes,
    verify_second_factor,
)
from models.user import User
from web.auth import bp
from web.auth import session as auth_session
from web.auth.context import AuthState, client_info, current_tenant, login_required, optional_user
from web.auth.forms import CodeForm, EnrolForm, PasswordForm
from web.auth.guards import totp_first_use
from web.extensions import credentials_limit, mark_credentials_accepted
from web.services import services

_REGEN, _DISABLE = "regen", "disable"  # two code forms on one page: prefixes keep their ids apart


def _enrolment_allowed(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Like `login_required`, but also open to a user whose tenant demands 2FA they have not set up:
    this page is the only one they can reach."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if optional_user() is not None and g.get("auth_state") is AuthState.NEEDS_ENROLLMENT:
            return view(*args, **kwargs)
        return guarded(*args, **kwargs)

    return wrapper


@contextmanager
def _own_row() -> Iterator[tuple[ScopedSession, User, Tenant | None]]:
    """A transaction on the current user's row, locked (FOR UPDATE) so a code is spent only once."""
    user = optional_user()
    assert user is not None
    with services().db.session() as db_session, db_session.begin():
        loaded = load_user(db_session, user.id, for_update=True)
        assert loaded is not None
        yield db_session, loaded[0], loaded[1]


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    return _render_account(PasswordForm())


def _render_account(form: PasswordForm, status: int = 200) -> ResponseReturnValue:
    user = optional_user()
    assert user is not None
    context = {"has_2fa": has_2fa(user), "remaining_codes": remaining_recovery_codes(user)}
    return render_template("auth/account.html", form=form, **context), status


@bp.post("/account/password")
@login_required
@credentials_limit()
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if not form.validate_on_submit():
        return _render_account(form, 400)
    try:
        with _own_row() as (db_session, user, _tenant):
            changed = change_password(
                db_session, user, form.current.data or "", form.new.data or "", client=client_info()
            )
    except ValueError as exc:  # the new password is too weak
        form.new.errors = [*form.new.errors, str(exc)]
        return _render_account(form, 400)
    if not changed:
        form.current.errors = [*form.current.errors, _("Senha atual incorreta.")]
        return _render_account(form, 400)
    mark_credentials_accepted()
    auth_session.refresh_version(user)
    flash(_("Senha alterada. As outras sessões e tokens da API foram encerrados."), "success")
    return redirect(url_for("auth.account"))


def _qr_data_uri(uri: str) -> str:
    """The otpauth URI as an inline SVG: the secret never leaves this response (no chart services)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0f172a"))


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _codes_page(codes: list[str]) -> ResponseReturnValue:
    download = "data:text/plain;charset=utf-8," + quote(
        _("Códigos de recuperação do NioChat") + "\n\n" + "\n".join(codes) + "\n"
    )
    return render_template("auth/recovery_codes.html", codes=codes, download=download)


@bp.route("/account/2fa", methods=["GET", "POST"])
@_enrolment_allowed
@credentials_limit()
def account_2fa() -> ResponseReturnValue:
    user, tenant = optional_user(), current_tenant()
    assert user is not None
    required = tenant is not None and tenant.require_2fa
    if has_2fa(user):
        return render_template(
            "auth/two_factor_manage.html",
            regen_form=CodeForm(prefix=_REGEN),
            disable_form=CodeForm(prefix=_DISABLE),
            required=required,
            remaining_codes=remaining_recovery_codes(user),
        )
    form = EnrolForm()
    error = None
    if form.validate_on_submit():
        with _own_row() as (db_session, fresh, _tenant):
            codes = confirm_enrolment(
                db_session, fresh, form.code.data or "", client=client_info(), replay_guard=totp_first_use
            )
        if codes is not None:
            mark_credentials_accepted()
            auth_session.second_factor_done(fresh)
            flash(_("Verificação em duas etapas ativada."), "success")
            return _codes_page(codes)
        error = _("Código incorreto. Confira se o aplicativo mostra a conta NioChat e tente de novo.")
    with _own_row() as (_db_session, fresh, _tenant):
        secret = pending_secret(fresh)
    uri = provisioning_uri(secret, fresh.email)
    return render_template(
        "auth/two_factor_enrol.html",
        form=form,
        error=error,
        required=required,
        qr=_qr_data_uri(uri),
        secret=_grouped(secret),
    ), (200 if error is None else 400)


def _code_accepted(db_session: ScopedSession, user: User, code: str) -> bool:
    """A current TOTP or an unused recovery code, for changes to the 2FA setup itself."""
    if verify_second_factor(user, code, replay_guard=totp_first_use) is not None:
        return True
    record_user_event(db_session, user, "auth.2fa_code_failed", client_info())
    return False


@bp.post("/account/2fa/disable")
@login_required
@credentials_limit()
def disable_2fa() -> ResponseReturnValue:
    tenant = current_tenant()
    if tenant is not None and tenant.require_2fa:
        flash(_("Sua empresa exige a verificação em duas etapas; ela não pode ser desativada."), "error")
        return redirect(url_for("auth.account_2fa"))
    form = CodeForm(prefix=_DISABLE)
    if form.validate_on_submit():
        with _own_row() as (db_session, fresh, _tenant):
            accepted = _code_accepted(db_session, fresh, form.code.data or "")
            if accepted:
                disable(db_session, fresh, client=client_info())
        if accepted:
            mark_credentials_accepted()
            auth_session.refresh_version(fresh)
            flash(_("Verificação em duas etapas desativada."), "success")
            return redirect(url_for("auth.account"))
    flash(_("Código inválido ou já usado."), "error")
    return redirect(url_for("auth.account_2fa"))


@bp.post("/account/2fa/recovery-codes")
@login_required
@credentials_limit()
def regenerate_codes() -> ResponseReturnValue:
    form = CodeForm(prefix=_REGEN)
    if form.validate_on_submit():
        with _own_row() as (db_session, fresh, _tenant):
            accepted = _code_accepted(db_session, fresh, form.code.data or "")
            codes = regenerate_recovery_codes(db_session, fresh, client=client_info()) if accepted else []
        if codes:
            mark_credentials_accepted()
            flash(_("Novos códigos gerados. Os anteriores deixaram de valer."), "success")
            return _codes_page(codes)
    flash(_("Código inválido ou já usado."), "error")
    return redirect(url_for("auth.account_2fa"))
