"""Every request's input, made safe before any handler sees it: one place per kind of input.

- JSON bodies parse through `integrations.channels.safe_json`: lone surrogates repaired, NUL removed,
  nesting bounded (a thousand levels overflowed the parser's stack: a 500 on every JSON endpoint).
- `<int:…>` in a route is a PostgreSQL bigint: a larger number is a 404 (no such row), not an overflow.
- NUL in a query string, form field or path segment is refused with 400: no text column or JSONB value
  can hold it, and no real client sends it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from integrations.channels import safe_json

MAX_BIGINT = 2**63 - 1


class SafeJSONProvider(DefaultJSONProvider):
    """`request.get_json` and friends; PayloadError is a ValueError, which Flask turns into a 400 (or
    None with `silent=True`)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return safe_json.loads(s)


class BigintConverter(IntegerConverter):
    """`<int:id>` bounded to PostgreSQL's bigint; ids are positive, so 0 is not accepted either."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_BIGINT)
        super().__init__(map, *args, **kwargs)


def _refuse_nul() -> None:
    for where, items in (
        ("caminho", (request.view_args or {}).items()),
        ("parâmetro", request.args.items(multi=True)),
    ):
        for key, value in items:
            if "\x00" in str(key) or "\x00" in str(value):
                raise BadRequest(
                    f"O {where} {str(key).replace(chr(0), '')!r} contém um caractere inválido (NUL)."
                )
    if request.mimetype == "application/x-www-form-urlencoded":
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest("Um campo do formulário contém um caractere inválido (NUL).")


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: routes compile their converters when they are added."""
    app.json = SafeJSONProvider(app)
    app.url_map.converters["int"] = BigintConverter
    app.before_request(_refuse_nul)
