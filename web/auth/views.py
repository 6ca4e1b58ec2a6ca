"""Login (password, then the second factor when enabled) and logout.

Every refusal that could tell whether an e-mail exists reads the same ("E-mail ou senha inválidos."); the
specific reasons (lockout, suspension, deactivation) are only shown after the right password, except the
lockout, which must be shown so a person knows to wait.
"""

from __future__ import annotations

from flask import flash, g, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from models.accounts import (
    LoginResult,
    LoginStatus,
    complete_login,
    password_login,
    second_factor_login,
)
from models.audit import record_user_event
from models.login_throttle import FailedAttempts, failed_since_last_login
from models.twofactor import SecondFactor, has_2fa, remaining_recovery_codes
from web import devices
from web.auth import bp
from web.auth import session as auth_session
from web.auth.context import AuthState, client_info, optional_user
from web.auth.forms import CodeForm, LoginForm
from web.auth.guards import home_url, lockout_policy, safe_next, totp_first_use
from web.auth.messages import refusal_message
from web.extensions import credentials_limit, mark_credentials_accepted
from web.services import services


@bp.route("/login", methods=["GET", "POST"])
@credentials_limit()
def login() -> ResponseReturnValue:
    user = optional_user()
    if user is not None and request.method == "GET":
        return redirect(home_url(user))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        with services().db.session() as db_session, db_session.begin():
            result = password_login(
                db_session,
                form.email.data or "",
                form.password.data or "",
                client=client_info(),
                policy=lockout_policy(),
            )
            notice = None
            if result.ok and result.user is not None and not has_2fa(result.user):
                notice = failed_since_last_login(db_session, result.user)
                complete_login(db_session, result.user, client=client_info())
        if result.ok and result.user is not None:
            mark_credentials_accepted()
            response = make_response(_after_password(result, safe_next(form.next.data)))
            if notice is not None:  # signed in with every factor: this browser is now a known device
                _tell_owner(notice)
                devices.remember(response, result.user.id, result.user.email)
            return response
        error = refusal_message(result)
    elif request.method == "POST":
        error = _("Informe o e-mail e a senha.")
    status = 200 if error is None else 401
    return render_template("auth/login.html", form=form, error=error), status


def _tell_owner(notice: FailedAttempts) -> None:
    """Failed attempts on this account since the owner's previous sign-in: she should know."""
    if notice.count == 0:
        return
    when = format_datetime(notice.last_at, "dd/MM HH:mm") if notice.last_at else "?"
    flash(
        ngettext(
            "Desde o seu último acesso houve %(num)d tentativa de entrar na sua conta com senha ou código "
            "errado (a última em %(when)s, do endereço %(ip)s). Se não foi você, troque a sua senha.",
            "Desde o seu último acesso houve %(num)d tentativas de entrar na sua conta com senha ou código "
            "errado (a última em %(when)s, do endereço %(ip)s). Se não foi você, troque a sua senha.",
            notice.count,
            when=when,
            ip=notice.last_ip or "?",
        ),
        "warning",
    )


def _after_password(result: LoginResult, next_url: str | None) -> ResponseReturnValue:
    user, tenant = result.user, result.tenant
    assert user is not None
    if has_2fa(user):
        auth_session.begin(user, second_factor_done=False)
        if next_url:
            session[auth_session.NEXT] = next_url
        return redirect(url_for("auth.two_factor"))
    auth_session.begin(user, second_factor_done=True)
    if tenant is not None and tenant.require_2fa:
        flash(_("Sua empresa exige a verificação em duas etapas. Ative-a para continuar."), "info")
        return redirect(url_for("auth.account_2fa"))
    return redirect(next_url or home_url(user))


@bp.route("/login/2fa", methods=["GET", "POST"])
@credentials_limit()
def two_factor() -> ResponseReturnValue:
    user = optional_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if g.get("auth_state") is not AuthState.NEEDS_2FA:
        return redirect(home_url(user))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        with services().db.session() as db_session, db_session.begin():
            result = second_factor_login(
                db_session,
                user.id,
                form.code.data or "",
                client=client_info(),
                policy=lockout_policy(),
                replay_guard=totp_first_use,
            )
            if result.ok and result.user is not None:
                notice = failed_since_last_login(db_session, result.user)
                complete_login(db_session, result.user, client=client_info(), method=str(result.method))
        if result.ok and result.user is not None:
            mark_credentials_accepted()
            _tell_owner(notice)
            response = make_response(_after_second_factor(result))
            return devices.remember(response, result.user.id, result.user.email)
        if result.status is LoginStatus.INVALID:
            error = _("Código inválido ou já usado. Confira o relógio do celular e tente de novo.")
        else:
            auth_session.end(user)
            flash(refusal_message(result), "error")
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        error = _("Informe o código.")
    status = 200 if error is None else 401
    return render_template("auth/two_factor.html", form=form, error=error), status


def _after_second_factor(result: LoginResult) -> ResponseReturnValue:
    user = result.user
    assert user is not None
    next_url = safe_next(session.pop(auth_session.NEXT, None))
    auth_session.second_factor_done(user)
    if result.method is SecondFactor.RECOVERY:
        left = remaining_recovery_codes(user)
        flash(
            ngettext(
                "Você usou um código de recuperação. Resta %(num)d código.",
                "Você usou um código de recuperação. Restam %(num)d códigos.",
                left,
            )
            + (" " + _("Gere novos códigos em Minha conta.") if left <= 3 else ""),
            "warning",
        )
    return redirect(next_url or home_url(user))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    user = optional_user()
    if user is not None:
        with services().db.session() as db_session, db_session.begin():
            record_user_event(db_session, user, "auth.logout", client_info())
    auth_session.end(user)
    flash(_("Você saiu do NioChat."), "info")
    return redirect(url_for("auth.login"))
