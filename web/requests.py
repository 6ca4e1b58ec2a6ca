"""Per-request plumbing: request ids on every log line and response, and errors as JSON under /api."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from werkzeug.exceptions import HTTPException

from niochat import logging as nlog

log = logging.getLogger("web.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
JSON_PREFIXES = ("/api/", "/webhooks/")
MESSAGES_PT = {
    400: "Requisição inválida.",
    401: "Autenticação necessária.",
    403: "Acesso negado.",
    404: "Recurso não encontrado.",
    405: "Método não permitido.",
    409: "Conflito com o estado atual do recurso.",
    413: "Conteúdo grande demais.",
    415: "Tipo de conteúdo não suportado.",
    422: "Dados inválidos.",
    429: "Muitas requisições. Tente novamente em instantes.",
}


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.path in ("/healthz", "/readyz")


def error_body(status: int, code: str, message: str, **extra: object) -> Response:
    """The one JSON error shape: {"error": {"code", "message", "request_id", ...}}."""
    body = {"error": {"code": code, "message": message, "request_id": g.get("request_id"), **extra}}
    response = jsonify(body)
    response.status_code = status
    return response


COOKIELESS_PREFIXES = ("/webhooks/", "/healthz", "/readyz")


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except for providers' webhooks and health probes: they carry no
    cookie and must never get one, and building the signer for every delivery cost a tenth of a
    webhook's CPU. They get Flask's null session, which refuses writes."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(COOKIELESS_PREFIXES):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()
        nlog.bind(request_id=g.request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.path not in ("/healthz", "/readyz"):
            elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
            log.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                elapsed_ms,
                extra={"status": response.status_code, "duration_ms": round(elapsed_ms, 1)},
            )
        return response

    @app.teardown_request
    def _clear(_exc: BaseException | None) -> None:
        nlog.clear()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if not wants_json():
            return exc
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        # A description set by our code (abort(400, "…")) is kept; werkzeug's English defaults are not.
        default = type(exc).description
        message = exc.description if exc.description and exc.description != default else None
        return error_body(status, code, message or MESSAGES_PT.get(status, exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response | tuple[str, int]:
        log.exception("unhandled error")
        if wants_json():
            return error_body(
                500, "internal_error", "Erro interno. Informe o código da requisição ao suporte."
            )
        return "Erro interno do servidor", 500
