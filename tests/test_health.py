"""Liveness, readiness, request ids and the JSON error shape."""

from __future__ import annotations

import json
import logging

import pytest

from niochat import embedded
from web import create_app


def test_healthz_answers(client) -> None:  # type: ignore[no-untyped-def]
    """/healthz says the process is alive."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_ok_when_both_stores_answer(client) -> None:  # type: ignore[no-untyped-def]
    """/readyz is 200 when PostgreSQL and Redis answer."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"postgres": "ok", "redis": "ok"}


def test_readyz_turns_503_while_redis_is_stopped_and_recovers(settings, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Stopping a real Redis makes /readyz 503 naming redis; starting it again brings back 200."""
    redis_dir = tmp_path / "redis"
    url = embedded.ensure_redis(redis_dir)
    app = create_app(settings.model_copy(update={"redis_url": url}))
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
        embedded.stop_redis(redis_dir)
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.json["down"] == ["redis"]
        assert down.json["checks"] == {"postgres": "ok", "redis": "down"}
        embedded.ensure_redis(redis_dir)
        assert client.get("/readyz").status_code == 200
    finally:
        embedded.stop_redis(redis_dir)
        app.extensions["niochat"].db.dispose()


def test_readyz_names_postgres_when_it_is_unreachable(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A database that does not answer makes /readyz 503 with postgres down."""
    bad = f"postgresql+psycopg://postgres@/niochat?host={tmp_path}"
    app = create_app(settings.model_copy(update={"database_url": bad}))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["down"] == ["postgres"]


def test_request_id_is_echoed_or_generated(client) -> None:  # type: ignore[no-untyped-def]
    """A safe incoming X-Request-ID is kept; an unsafe one is replaced."""
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id; drop"}).headers["X-Request-ID"]
    assert generated != "bad id; drop" and len(generated) == 32


def test_api_errors_are_json_in_portuguese(client) -> None:  # type: ignore[no-untyped-def]
    """Unknown /api routes answer the one JSON error shape."""
    response = client.get("/api/v1/nada", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 404
    assert response.json == {
        "error": {"code": "not_found", "message": "Recurso não encontrado.", "request_id": "req-1"}
    }


def test_unexpected_errors_are_500_json_and_logged(app, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    """A crash under /api is a JSON 500 with the request id, and the traceback is logged."""

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/boom", headers={"X-Request-ID": "req-boom"})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert response.json["error"]["request_id"] == "req-boom"
    assert "kaboom" not in json.dumps(response.json)
    assert any("kaboom" in (r.exc_text or "") or r.exc_info for r in caplog.records)
