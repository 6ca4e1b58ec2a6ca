"""`niochat team create|list|add-member|remove-member`: teams without touching the database by hand,
until the back office has its screens. The rules are `models.teams`' (the same as `/api/v1/teams`).

A membership change records `user.access` in its transaction; the command then relays it at once, so
the member's open inbox reconnects with the rooms it has now (if Redis cannot be reached, the worker's
sweeper relays it within a second of coming back).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session

from models import outbox_ops as topics
from models import teams
from models.provisioning import ProvisioningError, get_tenant_by_slug
from models.teams import TeamError
from niochat.cli import cli
from niochat.cli.context import Context, load_context

log = logging.getLogger(__name__)


@cli.group()
def team() -> None:
    """Manage a tenant's teams and their members."""


@contextmanager
def _tenant(slug: str) -> Iterator[tuple[Context, Session, int]]:
    """(context, platform session, tenant id); a person's mistake is one clear line, not a traceback."""
    ctx = load_context()
    db = ctx.database()
    try:
        with db.platform_session() as session:
            yield ctx, session, get_tenant_by_slug(session, slug).id
    except (ProvisioningError, TeamError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.dispose()


def _relay(ctx: Context, outbox_ids: list[int]) -> None:
    """Publish the change's rows now, so open sockets follow it at once."""
    if not outbox_ids:
        return
    from jobs.queues import connect
    from jobs.realtime import Emitter
    from jobs.relay import Relay

    db = ctx.database()
    try:
        Relay(db, connect(ctx.redis_url), Emitter(ctx.redis_url)).relay(outbox_ids)
    except Exception as exc:  # Redis down: the worker's sweeper publishes them later
        log.warning("outbox relay deferred to the sweeper: %s", exc)
    finally:
        db.dispose()


def _recorded(session: Session) -> list[int]:
    session.flush()
    return [event.id for event in session.info.pop(topics.RECORDED, [])]


@team.command("create")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--name", required=True)
@click.option("--description", default=None)
def team_create(tenant_slug: str, name: str, description: str | None) -> None:
    """Create a team."""
    with _tenant(tenant_slug) as (_ctx, session, tenant_id):
        created = teams.create_team(session, tenant_id, name, description)
        label, team_id = created.name, created.id
    click.echo(f"Equipe {label} criada (id {team_id}).")


@team.command("list")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def team_list(tenant_slug: str, as_json: bool) -> None:
    """The tenant's teams and their members."""
    with _tenant(tenant_slug) as (_ctx, session, tenant_id):
        rows: list[dict[str, Any]] = [
            {
                "id": t.id,
                "name": t.name,
                "description": t.description,
                "members": [
                    {"id": u.id, "name": u.name, "email": u.email} for u in teams.members(session, t)
                ],
            }
            for t in teams.list_teams(session, tenant_id)
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        people = ", ".join(m["email"] for m in row["members"]) or "sem membros"
        click.echo(f"#{row['id']} {row['name']} ({len(row['members'])}): {people}")
    click.echo(f"{len(rows)} equipe(s).")


def _membership(tenant_slug: str, team_ref: str, email: str, *, add: bool) -> None:
    with _tenant(tenant_slug) as (ctx, session, tenant_id):
        found = teams.find_team(session, tenant_id, team_ref)
        user = teams.user_by_email(session, tenant_id, email)
        change = teams.add_member if add else teams.remove_member
        changed = change(session, found, user.id)
        team_name, email, outbox_ids = found.name, user.email, _recorded(session)
    _relay(ctx, outbox_ids)
    if add:
        click.echo(f"{email} {'adicionado(a) à' if changed else 'já estava na'} equipe {team_name}.")
    else:
        click.echo(f"{email} {'removido(a) da' if changed else 'não estava na'} equipe {team_name}.")


@team.command("add-member")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--team", "team_ref", required=True, help="Team name or id.")
@click.option("--email", required=True, help="The user's e-mail.")
def team_add_member(tenant_slug: str, team_ref: str, email: str) -> None:
    """Add a user of the tenant to a team."""
    _membership(tenant_slug, team_ref, email, add=True)


@team.command("remove-member")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--team", "team_ref", required=True, help="Team name or id.")
@click.option("--email", required=True, help="The user's e-mail.")
def team_remove_member(tenant_slug: str, team_ref: str, email: str) -> None:
    """Remove a user from a team."""
    _membership(tenant_slug, team_ref, email, add=False)
