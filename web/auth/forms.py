"""The account forms. Flask-WTF adds the CSRF token to each; labels are lazily translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

CODE_HELP = _l("O código de 6 dígitos do aplicativo autenticador, ou um código de recuperação.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Senha"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class CodeForm(FlaskForm):
    """One code: TOTP or recovery. Used by the login step, disabling 2FA and new recovery codes."""

    code = StringField(
        _l("Código de verificação"),
        validators=[DataRequired(), Length(min=6, max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text"},
        description=CODE_HELP,
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Código de 6 dígitos"),
        validators=[DataRequired(), Length(min=6, max=8)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Senha atual"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new = PasswordField(
        _l("Nova senha"),
        validators=[DataRequired(), Length(min=8, max=1024, message=_l("Use pelo menos 8 caracteres."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repita a nova senha"),
        validators=[DataRequired(), EqualTo("new", message=_l("As senhas não conferem."))],
        render_kw={"autocomplete": "new-password"},
    )
