"""Security headers on every response, set in one place (issue #14: /login, /account and the API had
no Content-Security-Policy because each blueprint set its own).

Pages get a policy with no inline script or style (none of our templates needs one); JSON, webhooks and
files get `default-src 'none'`, since nothing in them should ever run or load. A view that needs a
different policy (the API docs page, media downloads) sets its own header and this one stays out of
the way.
"""

from __future__ import annotations

from flask import Flask, g
from flask.wrappers import Response


# Scripts, styles and sockets only from this origin; media may be blob: (previews of files being sent)
# and data: (generated images such as QR codes); images also from `img_origin`, when a page shows one
# (a tenant's logo, web.branding).
def page_csp(img_origin: str | None = None) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:" + (f" {img_origin}" if img_origin else ""),
            "media-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


PAGE_CSP = page_csp()
LOCKED_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask, *, https: bool) -> None:
    """`https`: the deployment serves only HTTPS (secure cookies), so browsers may be told to insist."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in COMMON.items():
            response.headers.setdefault(name, value)
        is_page = response.mimetype == "text/html"
        policy = page_csp(g.get("img_origin")) if is_page else LOCKED_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
