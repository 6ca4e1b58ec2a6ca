"""A tenant's branding on its people's pages: the display name and logo in the top bar, its color as
the pages' primary color. Set in the back office (Empresa / Empresas), stored in `tenants.branding`.

The pages' policy forbids inline styles, so the color comes as a tiny stylesheet of our own
(`/branding.css`, the signed-in user's tenant only); the logo is an https address the admin typed, so
a page showing it allows that one origin in `img-src` (`logo_origin`, read by web.security_headers).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g
from flask.wrappers import Response

from web.auth.context import current_tenant, optional_user

bp: Blueprint = Blueprint("branding", __name__)


def branding_of(tenant: Any) -> dict[str, str]:
    raw = getattr(tenant, "branding", None) or {}
    return {k: str(v) for k, v in raw.items() if k in ("display_name", "primary_color", "logo_url") and v}


def _mix(color: str, other: tuple[int, int, int], share: float) -> str:
    """`color` (#rrggbb) moved `share` of the way towards `other`: the darker and lighter shades the
    stylesheet uses next to the primary color (hover, badges)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (o - c) * share) for c, o in zip(rgb, other, strict=True)]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def stylesheet(color: str) -> str:
    return (
        f":root {{ --primary: {color}; --primary-600: {_mix(color, (0, 0, 0), 0.15)}; "
        f"--primary-50: {_mix(color, (255, 255, 255), 0.9)}; }}\n"
    )


@bp.get("/branding.css")
def css() -> Response:
    tenant = current_tenant() if optional_user() is not None else None
    color = branding_of(tenant).get("primary_color", "")
    body = stylesheet(color) if color else ""
    response = Response(body, mimetype="text/css")
    # The page links it with its color in the URL (`_context`): a new color, or another tenant's user
    # in the same browser, is a new URL, so a cached copy is never the wrong one.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def logo_origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"https://{parts.netloc}" if parts.scheme == "https" and parts.netloc else None


def _context() -> dict[str, Any]:
    user = optional_user()
    tenant = current_tenant() if user is not None else None
    brand = branding_of(tenant)
    logo = brand.get("logo_url")
    origin = logo_origin(logo) if logo else None
    if origin:
        g.img_origin = origin  # this page shows it: web.security_headers allows it in img-src
    return {
        "brand_name": brand.get("display_name") or (tenant.name if tenant is not None else None),
        "brand_logo": logo if origin else None,
        "brand_css": brand.get("primary_color", "").lstrip("#") or None,
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_context)
