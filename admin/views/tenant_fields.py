"""Fields shared by the tenants view (superadmin) and the company settings page (tenant admin):
timezone, branding; and their validation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from admin.base import AdminError

# Brazil's zones first (every ISP we serve), then a few neighbours'.
TIMEZONES = [
    ("America/Sao_Paulo", "Brasília (America/Sao_Paulo)"),
    ("America/Bahia", "Bahia (America/Bahia)"),
    ("America/Fortaleza", "Fortaleza (America/Fortaleza)"),
    ("America/Recife", "Recife (America/Recife)"),
    ("America/Maceio", "Maceió (America/Maceio)"),
    ("America/Belem", "Belém (America/Belem)"),
    ("America/Araguaina", "Araguaína (America/Araguaina)"),
    ("America/Santarem", "Santarém (America/Santarem)"),
    ("America/Manaus", "Manaus (America/Manaus)"),
    ("America/Cuiaba", "Cuiabá (America/Cuiaba)"),
    ("America/Campo_Grande", "Campo Grande (America/Campo_Grande)"),
    ("America/Porto_Velho", "Porto Velho (America/Porto_Velho)"),
    ("America/Boa_Vista", "Boa Vista (America/Boa_Vista)"),
    ("America/Rio_Branco", "Rio Branco (America/Rio_Branco)"),
    ("America/Noronha", "Fernando de Noronha (America/Noronha)"),
    ("America/Asuncion", "Assunção (America/Asuncion)"),
    ("America/Argentina/Buenos_Aires", "Buenos Aires"),
    ("UTC", "UTC"),
]
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AdminError("Fuso horário desconhecido.") from exc
    return name


def clean_branding(display_name: str | None, color: str | None, logo_url: str | None) -> dict[str, Any]:
    """The branding JSON from its three fields; empty fields are left out."""
    branding: dict[str, Any] = {}
    if display_name and display_name.strip():
        if len(display_name.strip()) > 80:
            raise AdminError("O nome exibido aceita no máximo 80 caracteres.")
        branding["display_name"] = display_name.strip()
    if color and color.strip():
        if not _COLOR.match(color.strip()):
            raise AdminError("Cor: use o formato #0e9f6e.")
        branding["primary_color"] = color.strip().lower()
    if logo_url and logo_url.strip():
        parts = urlsplit(logo_url.strip())
        if parts.scheme != "https" or not parts.netloc or len(logo_url) > 500:
            raise AdminError("Logo: informe um endereço https:// completo.")
        branding["logo_url"] = logo_url.strip()
    return branding
