"""Liveness and readiness for load balancers, compose healthchecks and `niochat status`."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from web.services import services

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers; says nothing about its dependencies (restart only if this fails)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """PostgreSQL and Redis both answer; otherwise 503 naming which is down, so traffic goes elsewhere."""
    svc = services()
    checks: dict[str, str] = {}
    try:
        svc.db.ping()
        checks["postgres"] = "ok"
    except Exception as exc:
        log.warning("readiness: postgres down: %s", exc)
        checks["postgres"] = "down"
    try:
        svc.redis_probe.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        log.warning("readiness: redis down: %s", exc)
        checks["redis"] = "down"
    ready = all(v == "ok" for v in checks.values())
    down = [name for name, state in checks.items() if state != "ok"]
    body: dict[str, object] = {"status": "ok" if ready else "unavailable", "checks": checks}
    if down:
        body["down"] = down
    return jsonify(body), (200 if ready else 503)
