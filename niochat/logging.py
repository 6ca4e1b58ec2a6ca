"""Structured logging: JSON in production, readable text elsewhere, ids of the current unit of work on
every line (request, tenant, conversation, job), carried by context variables so that code deep in
`models` logs with them without being handed them."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

CONTEXT_FIELDS = ("request_id", "tenant_id", "conversation_id", "job_id")
_context: ContextVar[dict[str, Any] | None] = ContextVar("niochat_log_context", default=None)


def bind(**values: Any) -> None:
    """Attach ids to every log line of the current request/job (None removes a key)."""
    current = dict(_context.get() or {})
    for key, value in values.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    _context.set(current)


def clear() -> None:
    _context.set(None)


@contextlib.contextmanager
def bound(**values: Any) -> Iterator[None]:
    token = _context.set({**(_context.get() or {}), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = _context.get() or {}
        for key in CONTEXT_FIELDS:
            setattr(record, key, ctx.get(key))
        return True


class TextFormatter(logging.Formatter):
    """Human-friendly lines for development that still show the ids that are set."""

    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        ids = " ".join(f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if getattr(record, k, None))
        return f"{base} [{ids}]" if ids else base


def configure_logging(level: str = "INFO", json_format: bool = False) -> None:
    """Idempotent: every entry point calls it once; tests may call it again."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    if json_format:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_niochat", False):
            root.removeHandler(old)
    handler._niochat = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("pgserver", "alembic", "urllib3", "httpx", "httpcore", "werkzeug", "engineio", "socketio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
