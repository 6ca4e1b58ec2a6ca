"""`niochat csat interpret`: how NioChat reads a reply to a CSAT survey, from the terminal.

Without `--tenant` only the offline rules run: no database, no network. With `--tenant`, free text the
rules could only guess goes to that tenant's model engine when it has one. `--json` prints exactly one
JSON object per reply (`{"is_answer", "score", "interpreted_by", "sentiment", "themes"}`).
"""

from __future__ import annotations

import json
from typing import Any

import click

from niochat.cli import cli


@cli.group()
def csat() -> None:
    """CSAT surveys: interpret replies."""


def _interpreter(tenant_slug: str | None) -> Any:
    """Offline rules, or the tenant's model engine over them."""
    from assistant.csat import interpret

    if tenant_slug is None:
        return interpret
    from assistant.context import ai_settings, engine_config
    from assistant.csat.model import interpret_with_model
    from niochat.cli.ai import _tenant_id
    from niochat.cli.context import load_context

    db = load_context().database()
    tenant_id = _tenant_id(db, tenant_slug)
    with db.tenant_session(tenant_id) as session:
        config = engine_config(ai_settings(session, tenant_id))
    db.dispose()
    return lambda text, reply_id=None: interpret_with_model(text, reply_id, config)


def _human(text: str, result: dict[str, Any]) -> str:
    if not result["is_answer"]:
        verdict = "não é uma avaliação (abre uma nova conversa)"
    else:
        verdict = f"nota {result['score']} (por {result['interpreted_by']})"
    themes = ", ".join(result["themes"]) or "-"
    return f"{text!r}: {verdict} · sentimento: {result['sentiment']} · temas: {themes}"


@csat.command("interpret")
@click.argument("text", required=False)
@click.option("--tenant", "tenant_slug", help="Tenant slug: free text goes to its model engine, if any.")
@click.option("--file", "path", type=click.File("r", encoding="utf-8"), help="One reply per line.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per reply.")
def csat_interpret(text: str | None, tenant_slug: str | None, path: Any, as_json: bool) -> None:
    """Interpret a customer's reply to the satisfaction survey."""
    if (text is None) == (path is None):
        raise click.UsageError("informe um texto ou --file")
    interpret = _interpreter(tenant_slug)
    lines = [text] if text is not None else [line.rstrip("\r\n") for line in path if line.strip()]
    for line in lines:
        result = interpret(line).as_json()
        click.echo(json.dumps(result, ensure_ascii=False) if as_json else _human(line, result))
