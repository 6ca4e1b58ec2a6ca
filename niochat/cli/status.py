"""`niochat status`: is every part up? Exit 0 only when all are."""

from __future__ import annotations

import json
import sys

import click

from niochat.cli import cli
from niochat.cli.context import load_context
from niochat.health import check_all


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def status(as_json: bool) -> None:
    """Health of PostgreSQL, Redis, web, worker and dashboards."""
    ctx = load_context(start=False)
    parts = check_all(ctx.settings, ctx.database_url, ctx.redis_url)
    healthy = all(p.healthy for p in parts)
    if as_json:
        click.echo(
            json.dumps({"healthy": healthy, "parts": [p.as_dict() for p in parts]}, ensure_ascii=False)
        )
    else:
        for part in parts:
            mark = "OK  " if part.healthy else "FALHA"
            click.echo(f"{mark} {part.name:<11} {part.detail}")
    sys.exit(0 if healthy else 1)
