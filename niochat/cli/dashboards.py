"""`niochat seed-demo --history` (months of demo history) and `niochat backfill-facts` (the dashboards'
facts rebuilt; `niochat dashboards` itself runs Streamlit)."""

from __future__ import annotations

import re
import time

import click
import sqlalchemy as sa

from models.db import Database
from niochat.cli import cli
from niochat.cli.context import load_context


def history_days(value: str) -> int:
    """ "90d" -> 90; anything else is a usage error in pt-BR."""
    match = re.fullmatch(r"(\d+)\s*d?", value.strip())
    if not match or not 1 <= int(match.group(1)) <= 3650:
        raise click.BadParameter("use um número de dias, ex.: 90d")
    return int(match.group(1))


def load_history(db: Database, history: str, count: int, seed: int) -> None:
    """`seed-demo --history`: the demo tenant's months of conversations, then their facts."""
    from models.facts_refresh import backfill
    from models.tenant import Tenant
    from niochat.demo import DEMO_SLUG
    from niochat.demo_history import seed_history

    days = history_days(history)
    started = time.monotonic()
    with db.platform_session() as session:
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
    if tenant_id is None:
        raise click.ClickException("o tenant de demonstração não existe")
    with db.tenant_session(tenant_id) as session:
        written = seed_history(session, tenant_id, days=days, conversations=count, seed=seed)
    seeded = time.monotonic() - started
    with db.tenant_session(tenant_id) as session:
        facts = backfill(session, tenant_id)
    click.echo(
        f"Histórico: {written} conversas em {days} dias gravadas em {seeded:.1f} s; "
        f"{facts} fatos dos painéis em {time.monotonic() - started - seeded:.1f} s."
    )


@cli.command("backfill-facts")
@click.option("--tenant", "slug", default=None, help="Slug do tenant (padrão: todos os ativos).")
def backfill_command(slug: str | None) -> None:
    """Rebuild the dashboards' facts from events and messages (after changing business hours, say)."""
    from jobs.dashboards import backfill_tenant
    from models.facts_refresh import active_tenants
    from models.tenant import Tenant

    ctx = load_context()
    db = ctx.database()
    with db.platform_session() as session:
        if slug:
            tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
            if tenant_id is None:
                raise click.ClickException(f"tenant {slug!r} não encontrado")
            tenants = [tenant_id]
        else:
            tenants = list(active_tenants(session))
    for tenant_id in tenants:
        started = time.monotonic()
        done = backfill_tenant(tenant_id, db)
        click.echo(f"tenant {tenant_id}: {done} fatos em {time.monotonic() - started:.1f} s")
