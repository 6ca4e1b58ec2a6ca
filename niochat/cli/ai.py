"""`niochat tenant ai` (choose the engine) and `niochat ai try|chat` (talk to a tenant's attendant).

`ai try` runs one message through the tenant's attendant in a throwaway conversation
(`assistant.trial`): nothing is stored or sent. `--json` prints exactly one JSON object (one per line
with `--file`), so scripts and the acceptance checks can read it.
"""

from __future__ import annotations

import json
from typing import Any

import click
import sqlalchemy as sa

from models.provisioning import ProvisioningError, get_tenant_by_slug
from niochat.cli import cli
from niochat.cli.context import load_context
from niochat.cli.manage import tenant


@tenant.command("ai")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--engine", type=click.Choice(["builtin", "model"]), required=True)
@click.option("--base-url", help="OpenAI-compatible base URL (OpenAI, Azure, Ollama, vLLM, LiteLLM).")
@click.option("--model", "model_name", help="Model name, e.g. gpt-4o-mini or llama3.1.")
@click.option(
    "--api-key", help="API key (stored encrypted; omit to keep the stored one or use the platform's)."
)
def tenant_ai(
    tenant_slug: str, engine: str, base_url: str | None, model_name: str | None, api_key: str | None
) -> None:
    """Choose the tenant's AI engine: the built-in offline one, or a model."""
    from models.ai import AISettings

    db = load_context().database()
    tenant_id = _tenant_id(db, tenant_slug)
    with db.tenant_session(tenant_id) as session:
        settings = session.scalar(sa.select(AISettings))
        if settings is None:
            settings = AISettings(tenant_id=tenant_id)
            session.add(settings)
        if engine == "builtin":
            settings.provider = "builtin"
        else:
            settings.provider = "compatible" if base_url else "openai"
            settings.base_url = base_url.rstrip("/") if base_url else None
            if model_name:
                settings.model = model_name
            if api_key:
                settings.api_key = api_key
        summary = f"IA de {tenant_slug}: motor {'embutido (offline)' if engine == 'builtin' else 'modelo'}"
        if engine == "model":
            summary += f", modelo {settings.model}" + (f", {settings.base_url}" if settings.base_url else "")
            summary += ", chave própria" if settings.api_key else ", chave da plataforma (OPENAI_API_KEY)"
    db.dispose()
    click.echo(summary)


@cli.group()
def ai() -> None:
    """Talk to a tenant's AI attendant from the terminal."""


def _tenant_id(db: Any, slug: str) -> int:
    with db.platform_session() as session:
        try:
            return int(get_tenant_by_slug(session, slug).id)
        except ProvisioningError as exc:
            raise click.ClickException(str(exc)) from exc


def _trial_factory(tenant_slug: str | None, phone: str | None) -> Any:
    """A function making a fresh throwaway conversation: the tenant's, the demo's, or offline."""
    from assistant.trial import offline_trial, tenant_trial
    from models.tenant import Tenant
    from niochat.demo import DEMO_SLUG

    tenant_id: int | None = None
    if tenant_slug is not None:
        db = load_context().database()
        tenant_id = _tenant_id(db, tenant_slug)
    else:
        try:  # the demo tenant when there is one; a database not set up yet means offline
            db = load_context().database()
            with db.platform_session() as session:
                tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
        except (click.ClickException, sa.exc.SQLAlchemyError):
            tenant_id = None
    if tenant_id is None:
        return lambda: offline_trial()
    return lambda: tenant_trial(db, int(tenant_id), phone=phone)


def _print_human(report: dict[str, Any]) -> None:
    confidence = f" ({report['confidence']:.2f})" if report["confidence"] is not None else ""
    click.echo(f"intenção: {report['intent']}{confidence} · sentimento: {report['sentiment']}")
    for tool in report["tools"]:
        click.echo(f"  ferramenta {tool['name']} {json.dumps(tool['arguments'], ensure_ascii=False)} "
                   f"→ {'ok' if tool['ok'] else 'falhou'}")  # fmt: skip
    for reply in report["replies"]:
        click.echo(click.style("IA> ", fg="green") + reply)
    if report["handoff"]:
        click.echo(
            f"→ transferida para humanos: {report['handoff']['reason']} (equipe: {report['handoff']['team']})"
        )


@ai.command("try")
@click.argument("message", required=False)
@click.option("--tenant", "tenant_slug", help="Tenant slug (default: the demo tenant, else offline).")
@click.option("--phone", help="The customer's WhatsApp number (identification by phone).")
@click.option("--file", "path", type=click.File("r", encoding="utf-8"), help="One message per line.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per message.")
def ai_try(message: str | None, tenant_slug: str | None, phone: str | None, path: Any, as_json: bool) -> None:
    """One message through the attendant, in a throwaway conversation."""
    if (message is None) == (path is None):
        raise click.UsageError("informe uma mensagem ou --file")
    new_trial = _trial_factory(tenant_slug, phone)
    lines = [message] if message is not None else [line.strip() for line in path if line.strip()]
    for line in lines:
        report = new_trial().send(line)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            _print_human(report)


@ai.command("chat")
@click.option("--tenant", "tenant_slug", help="Tenant slug (default: the demo tenant, else offline).")
@click.option("--phone", help="The customer's WhatsApp number (identification by phone).")
def ai_chat(tenant_slug: str | None, phone: str | None) -> None:
    """A multi-turn conversation with the attendant (Ctrl+D or "sair" to stop)."""
    trial = _trial_factory(tenant_slug, phone)()
    click.echo('Converse com a IA ("sair" para terminar).')
    while True:
        try:
            text = click.prompt("você", prompt_suffix="> ")
        except (EOFError, click.Abort):
            break
        if text.strip().lower() in {"sair", "exit", "quit"}:
            break
        report = trial.send(text)
        _print_human(report)
        if report["handoff"]:
            click.echo("(a IA fica em silêncio depois da transferência)")
            break
