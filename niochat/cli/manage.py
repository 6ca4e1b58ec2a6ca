"""Operator commands that create things: tenants, users, inboxes, demo data."""

from __future__ import annotations

import json

import click

from integrations.channels.credentials import REQUIRED, CredentialError
from models.enums import ChannelType, Role
from models.provisioning import (
    ProvisioningError,
    create_inbox,
    create_tenant,
    create_user,
    get_tenant_by_slug,
    webhook_instructions,
)
from niochat.cli import cli
from niochat.cli.context import load_context


@cli.group()
def tenant() -> None:
    """Manage tenants (internet providers)."""


@tenant.command("create")
@click.option("--slug", required=True, help="Short unique id, e.g. provedor-x.")
@click.option("--name", required=True)
@click.option("--timezone", default="America/Sao_Paulo", show_default=True)
def tenant_create(slug: str, name: str, timezone: str) -> None:
    """Create a tenant."""
    ctx = load_context()
    db = ctx.database()
    try:
        with db.platform_session() as session:
            created = create_tenant(session, slug=slug, name=name, timezone=timezone)
            tenant_id = created.id
    except ProvisioningError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Tenant {slug} criado (id {tenant_id}).")


@cli.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.option("--tenant", "tenant_slug", default=None, help="Tenant slug (omit for a superadmin).")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.AGENT.value, show_default=True
)
@click.password_option("--password", prompt="Senha", confirmation_prompt=True)
def user_create(tenant_slug: str | None, email: str, name: str, role: str, password: str) -> None:
    """Create a user (the password is asked for when not given)."""
    ctx = load_context()
    db = ctx.database()
    try:
        with db.platform_session() as session:
            tenant_id = get_tenant_by_slug(session, tenant_slug).id if tenant_slug else None
            created = create_user(
                session, tenant_id=tenant_id, email=email, name=name, password=password, role=Role(role)
            )
            user_id = created.id
    except ProvisioningError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Usuário {email} ({role}) criado (id {user_id}).")


@cli.group()
def inbox() -> None:
    """Manage inboxes (connected numbers and bots)."""


@inbox.command("create")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--channel", type=click.Choice([c.value for c in ChannelType]), required=True)
@click.option("--name", default=None, help="Display name (default: the channel).")
@click.option(
    "--credential",
    "credentials",
    multiple=True,
    metavar="KEY=VALUE",
    help="Provider credential, repeatable. Required: "
    + "; ".join(f"{channel}: {', '.join(fields)}" for channel, fields in REQUIRED.items())
    + ".",
)
@click.option("--no-ai", is_flag=True, help="Start conversations waiting for a human, not the AI.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def inbox_create(
    tenant_slug: str, channel: str, name: str | None, credentials: tuple[str, ...], no_ai: bool, as_json: bool
) -> None:
    """Create an inbox and print its webhook URL and secrets (shown once: keep them)."""
    creds: dict[str, str] = {}
    for item in credentials:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"use KEY=VALUE, not {item!r}", param_hint="--credential")
        creds[key.strip()] = value
    ctx = load_context()
    db = ctx.database()
    try:
        with db.platform_session() as session:
            tenant_row = get_tenant_by_slug(session, tenant_slug)
            created = create_inbox(
                session,
                tenant_id=tenant_row.id,
                channel=ChannelType(channel),
                name=name or channel,
                credentials=creds,
                ai_enabled=not no_ai,
            )
            info = webhook_instructions(created, ctx.settings.public_url)
    except ProvisioningError as exc:
        raise click.ClickException(str(exc)) from exc
    except CredentialError as exc:
        required = ", ".join(REQUIRED[channel])
        raise click.ClickException(
            f"{exc.message_pt} Para {channel}, informe --credential para: {required}."
        ) from exc
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo(f"Caixa de entrada criada (id {info['inbox_id']}, canal {channel}).")
    for key, value in info.items():
        if key not in ("inbox_id", "channel"):
            click.echo(
                f"  {key}: {json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value}"
            )


@cli.command("seed-demo")
@click.option("--history", default=None, help="Também grava meses de conversas para os painéis (ex.: 90d).")
@click.option("--conversations", "count", default=None, type=click.IntRange(1, 2_000_000),
              help="Quantas conversas de histórico (padrão 3000).")  # fmt: skip
@click.option(
    "--seed", default=13, show_default=True, help="Semente do histórico (mesma semente, mesmos dados)."
)
def seed_demo_command(history: str | None, count: int | None, seed: int) -> None:
    """Load the demo tenant (idempotent) and print its logins and webhook URLs; with --history, write
    that many days of conversations (and their dashboard facts) too."""
    from niochat.cli.dashboards import history_days
    from niochat.demo import seed_demo

    if history is not None:
        history_days(history)  # a bad value stops before anything is written

    ctx = load_context()
    if ctx.settings.is_production:
        raise click.ClickException("dados de demonstração não são carregados em produção")
    db = ctx.database()
    with db.platform_session() as session:
        info = seed_demo(session, ctx.settings.public_url)
    click.echo("Dados de demonstração " + ("criados." if info.created else "já existiam."))
    from niochat.cli.banner import demo_lines

    for line in demo_lines(info):
        click.echo(line)
    if history is not None or count is not None:
        from niochat.cli.dashboards import load_history

        load_history(db, history or "90d", count or 3000, seed)


@cli.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every tenant secret under the first key of ENCRYPTION_KEY (list the old key after it)."""
    from models.crypto import rotate_all

    ctx = load_context()
    db = ctx.database()
    with db.engine.begin() as conn:
        count = rotate_all(conn)
    click.echo(f"{count} segredo(s) recriptografado(s) com a chave atual.")
