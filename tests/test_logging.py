"""Structured logs carry the ids of the current unit of work."""

from __future__ import annotations

import json
import logging

import pytest

from niochat import logging as nlog


@pytest.fixture(autouse=True)
def _restore_logging():  # type: ignore[no-untyped-def]
    yield
    nlog.configure_logging("WARNING", json_format=False)


def test_json_lines_include_bound_ids(capsys: pytest.CaptureFixture[str]) -> None:
    """In JSON mode each line is an object with level, logger, message and the bound ids."""
    nlog.configure_logging("INFO", json_format=True)
    with nlog.bound(request_id="req-42", tenant_id=7):
        logging.getLogger("niochat.test").info("mensagem recebida")
    logging.getLogger("niochat.test").info("fora do contexto")
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert lines[0]["message"] == "mensagem recebida"
    assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "niochat.test"
    assert lines[0]["request_id"] == "req-42" and lines[0]["tenant_id"] == 7
    assert lines[1]["request_id"] is None


def test_web_requests_log_their_request_id(client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """Every request's access line carries its X-Request-ID."""
    nlog.configure_logging("INFO", json_format=True)
    client.get("/api/v1/nada", headers={"X-Request-ID": "rid-1"})
    records = [
        json.loads(line) for line in capsys.readouterr().err.strip().splitlines() if line.startswith("{")
    ]
    access = [r for r in records if r["logger"] == "web.request"]
    assert access and access[-1]["request_id"] == "rid-1" and access[-1]["status"] == 404
