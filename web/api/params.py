"""Reading query strings and JSON bodies strictly: a wrong type is a 422 naming the field, never a 500
and never a silently ignored filter (an ignored filter shows the agent the wrong conversations)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from flask import request

from web.api.errors import ApiError, invalid

DEFAULT_LIMIT = 30
MAX_LIMIT = 100
MAX_ID = 2**63 - 1  # ids are PostgreSQL bigints: a larger number is a client's mistake, not an overflow
MAX_JSON_BODY = 1024 * 1024  # the API's bodies are small; uploads go as multipart, webhooks elsewhere


def json_object(*, required: bool = False) -> dict[str, Any]:
    """The JSON body as an object; {} when there is none and none is required."""
    if (request.content_length or 0) > MAX_JSON_BODY:
        raise ApiError(413, "payload_too_large", f"O corpo JSON aceita no máximo {MAX_JSON_BODY // 1024} KB.")
    body = request.get_json(silent=True)
    if body is None and not required and not request.get_data(cache=True):
        return {}
    if not isinstance(body, dict):
        raise invalid("Envie um objeto JSON no corpo da requisição.")
    return body


def query_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"O parâmetro {name} deve ser um número inteiro.", name) from None
    if value < 1:
        raise invalid(f"O parâmetro {name} deve ser positivo.", name)
    if value > MAX_ID:
        raise invalid(f"O parâmetro {name} é grande demais.", name)
    return value


def query_limit(default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    """`limit`, clamped to `maximum` (like most APIs: asking for 500 gets the largest page, not an error)."""
    value = query_int("limit")
    return default if value is None else min(value, maximum)


def body_int(body: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(f"Informe {name}.", name)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise invalid(f"{name} deve ser um número inteiro positivo.", name)
    return value


def body_str(body: dict[str, Any], name: str, *, max_length: int, required: bool = False) -> str | None:
    """A string field, stripped; empty counts as absent."""
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(f"Informe {name}.", name)
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} deve ser texto.", name)
    value = value.strip()
    if len(value) > max_length:
        raise invalid(f"{name} aceita no máximo {max_length} caracteres.", name)
    if not value and required:
        raise invalid(f"Informe {name}.", name)
    return value or None


def body_choice(body: dict[str, Any], name: str, choices: Iterable[str], message: str) -> str:
    """A required field that must be one of `choices`. Compared as a string only after checking it is
    one: `[] in set(...)` raises TypeError (a list is unhashable), which was a 500."""
    value = body.get(name)
    if not isinstance(value, str) or value not in set(choices):
        raise invalid(message, name)
    return value


def body_bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise invalid(f"{name} deve ser true ou false.", name)
    return value


def encode_cursor(data: dict[str, Any]) -> str:
    """Opaque to clients on purpose: what a cursor holds may change without breaking them."""
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(name: str = "cursor") -> dict[str, Any] | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not all(_plain_cursor_value(v) for v in data.values()):
        raise ApiError(422, "invalid_cursor", "Cursor de paginação inválido.", fields=[name])
    return data


def _plain_cursor_value(value: Any) -> bool:
    """What our cursors hold: ids within bigint, ISO times, null. A hand-made `{"i": true}` passed the
    callers' `isinstance(…, int)` checks and reached PostgreSQL as a boolean."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= MAX_ID
    if isinstance(value, list):  # a sort's key values (conversation_list): plain values, one level
        return len(value) <= 8 and all(not isinstance(v, list) and _plain_cursor_value(v) for v in value)
    return value is None or (isinstance(value, str) and len(value) <= 64 and "\x00" not in value)
