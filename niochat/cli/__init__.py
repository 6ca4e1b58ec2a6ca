"""The `niochat` operator command."""

from __future__ import annotations

import sys

import click

from niochat.config import ConfigError
from niochat.embedded import EmbeddedUnavailable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """NioChat: run the platform and manage tenants, users and inboxes."""


def main() -> None:
    from niochat.cli import (  # noqa: F401  (registers the commands)
        ai,
        ai_simulate,
        csat_interpret,
        csat_settings,
        dashboards,
        inbox_health,
        inboxes,
        manage,
        run,
        serve,
        sgp,
        status,
        teams,
    )

    try:
        cli(standalone_mode=True)
    except (ConfigError, EmbeddedUnavailable) as exc:
        click.echo(f"niochat: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
