"""`niochat run`."""

from __future__ import annotations

import sys

from niochat.cli import cli
from niochat.cli.context import load_context


@cli.command()
def run() -> None:
    """Start everything: web :8000, workers, dashboards :8501 (embedded PostgreSQL/Redis when no URLs)."""
    from niochat.supervisor import run as run_all

    ctx = load_context(start=False, adopt=False)
    sys.exit(run_all(ctx.settings))
