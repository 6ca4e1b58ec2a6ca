"""`niochat tenant csat`: a tenant's CSAT survey settings from the terminal (docs/csat.md).

Without options it prints the current settings; each option changes one of them. Bad values are one
clear line (exit 2), and nothing is stored unless every value is valid.
"""

from __future__ import annotations

import click
import sqlalchemy as sa

from models.csat import CsatSettings
from models.provisioning import ProvisioningError, get_tenant_by_slug
from niochat.cli.context import load_context
from niochat.cli.manage import tenant

MAX_DELAY = 7 * 24 * 3600
MAX_EXPIRY = 30 * 24 * 60
MAX_COOLDOWN = 365 * 24


@tenant.command("csat")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option(
    "--delay-seconds", type=click.IntRange(0, MAX_DELAY), help="Seconds after the close (default 90)."
)
@click.option(
    "--expiry-minutes", type=click.IntRange(1, MAX_EXPIRY), help="Minutes an answer is accepted (1440)."
)
@click.option(
    "--cooldown-hours",
    type=click.IntRange(0, MAX_COOLDOWN),
    help="Hours before the same contact gets another survey (24).",
)
@click.option(
    "--style", type=click.Choice(["buttons", "emoji"]), help="Buttons/list, or the emoji text line."
)
@click.option("--enabled/--disabled", default=None, help="Turn the surveys on or off for the tenant.")
@click.option("--question", help="The question the customer sees.")
@click.option("--template-name", help="Approved Meta Utility template for outside the 24-hour window.")
def tenant_csat(
    tenant_slug: str,
    delay_seconds: int | None,
    expiry_minutes: int | None,
    cooldown_hours: int | None,
    style: str | None,
    enabled: bool | None,
    question: str | None,
    template_name: str | None,
) -> None:
    """Show or change the tenant's CSAT survey settings."""
    if question is not None and not question.strip():
        raise click.BadParameter("a pergunta não pode ser vazia", param_hint="--question")
    db = load_context().database()
    try:
        with db.platform_session() as session:
            try:
                tenant_id = int(get_tenant_by_slug(session, tenant_slug).id)
            except ProvisioningError as exc:
                raise click.ClickException(str(exc)) from exc
        with db.tenant_session(tenant_id) as session:
            settings = session.scalar(sa.select(CsatSettings))
            if settings is None:
                settings = CsatSettings(tenant_id=tenant_id)
                session.add(settings)
            changes = {
                "delay_seconds": delay_seconds,
                "expiry_minutes": expiry_minutes,
                "cooldown_hours": cooldown_hours,
                "style": style,
                "enabled": enabled,
                "question": question.strip() if question else None,
                "template_name": (template_name.strip() or None) if template_name is not None else None,
            }
            for name, value in changes.items():
                if value is not None:
                    setattr(settings, name, value)
            if template_name is not None and not template_name.strip():
                settings.template_name = None
            session.flush()
            summary = _summary(tenant_slug, settings)
    finally:
        db.dispose()
    click.echo(summary)


def _summary(slug: str, s: CsatSettings) -> str:
    state = "ativada" if s.enabled else "desativada"
    style = "botões/lista" if s.style == "buttons" else "linha de emojis"
    template = s.template_name or "nenhum (fora da janela: não envia)"
    return (
        f"CSAT de {slug}: {state}; envio {s.delay_seconds} s após o encerramento; respostas aceitas por "
        f"{s.expiry_minutes} min; intervalo por contato {s.cooldown_hours} h; formato {style}; "
        f"modelo fora da janela: {template}\nPergunta: {s.question}"
    )
