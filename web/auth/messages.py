"""Messages shown when a login is refused, shared by the web pages and the API so both say the same."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from models.accounts import LoginResult, LoginStatus
from models.base import utcnow


def refusal_message(result: LoginResult) -> str:
    """The message for a refused login. Shared with the API so both say the same thing."""
    if result.status is LoginStatus.LOCKED:
        return locked_message(result.locked_until)
    if result.status is LoginStatus.SUSPENDED:
        return _(
            "Sua empresa está suspensa no NioChat e não pode entrar. "
            "Fale com o responsável pela conta ou com o suporte."
        )
    if result.status is LoginStatus.INACTIVE:
        return _("Sua conta está desativada. Fale com o administrador da sua empresa.")
    return _("E-mail ou senha inválidos.")


def too_many_message() -> str:
    return _("Muitas tentativas a partir deste endereço. Aguarde um minuto e tente de novo.")


def locked_message(until: datetime | None) -> str:
    minutes = max(1, round(((until or utcnow()) - utcnow()).total_seconds() / 60))
    return ngettext(
        "Muitas tentativas sem sucesso. Por segurança, aguarde %(num)d minuto para tentar de novo.",
        "Muitas tentativas sem sucesso. Por segurança, aguarde %(num)d minutos para tentar de novo.",
        minutes,
    )
