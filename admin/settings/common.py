"""What the settings forms share: per-field pt-BR errors, number/URL parsing, secret masking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

MASK = "••••••••"


class SettingsError(ValueError):
    """Input a person must fix, per field (pt-BR); nothing was stored."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


class Reader:
    """Reads one submitted form, collecting every problem so the operator sees them all at once."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: dict[str, str] = {}

    def text(self, name: str, *, required: bool = False, max_len: int | None = None) -> str | None:
        value = str(self.data.get(name) or "").strip()
        if required and not value:
            self.problems[name] = _("Campo obrigatório.")
        if max_len is not None and len(value) > max_len:
            self.problems[name] = _("Use no máximo %(n)d caracteres.", n=max_len)
        return value or None

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        return str(value).lower() in ("1", "true", "on", "y", "yes", "sim") if value is not None else False

    def integer(self, name: str, low: int, high: int, default: int | None = None) -> int:
        raw = str(self.data.get(name) or "").strip()
        if not raw and default is not None:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems[name] = _("Informe um número inteiro.")
            return default or low
        if not low <= value <= high:
            self.problems[name] = _("Use um valor entre %(low)d e %(high)d.", low=low, high=high)
        return value

    def number(self, name: str, low: float, high: float, default: float) -> float:
        raw = str(self.data.get(name) or "").strip().replace(",", ".")
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            self.problems[name] = _("Informe um número.")
            return default
        if not low <= value <= high:
            self.problems[name] = _("Use um valor entre %(low)s e %(high)s.", low=low, high=high)
        return value

    def url(self, name: str, *, required: bool = False) -> str | None:
        value = self.text(name, required=required, max_len=500)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.problems[name] = _("Use uma URL http:// ou https:// completa.")
        elif parts.username or parts.password:
            self.problems[name] = _("Não coloque usuário ou senha na URL.")
        return value.rstrip("/")

    def choice(self, name: str, choices: Mapping[str, Any] | set[str] | frozenset[str], default: str) -> str:
        value = str(self.data.get(name) or default)
        if value not in choices:
            self.problems[name] = _("Escolha uma opção da lista.")
            return default
        return value

    def done(self) -> None:
        if self.problems:
            raise SettingsError(self.problems)


def mask(value: Any) -> str | None:
    """A secret for the audit log: whether it is set, never what it is."""
    return MASK if value else None
