"""`niochat tenant csat`: shows and changes a tenant's CSAT settings; bad values change nothing."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from models import CsatSettings
from niochat.cli import cli
from niochat.cli import csat_settings as _registered  # noqa: F401  (registers the command)
from niochat.cli import manage as _manage  # noqa: F401


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_shows_defaults_then_changes_each_setting(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Without options: the defaults (90 s, 24 h); with options: each stored, the summary says so."""
    assert run("tenant", "create", "--slug", "fibra", "--name", "Fibra").exit_code == 0
    shown = run("tenant", "csat", "--tenant", "fibra")
    assert shown.exit_code == 0 and "90 s" in shown.output and "24 h" in shown.output
    changed = run(
        "tenant", "csat", "--tenant", "fibra", "--delay-seconds", "30", "--expiry-minutes", "60",
        "--cooldown-hours", "48", "--style", "emoji", "--disabled", "--template-name", "pesquisa",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "desativada" in changed.output and "30 s" in changed.output and "linha de emojis" in changed.output
    with db.platform_session() as session:
        row = session.scalar(sa.select(CsatSettings))
        assert row is not None
        assert (row.delay_seconds, row.expiry_minutes, row.cooldown_hours, row.style, row.enabled) == (
            30, 60, 48, "emoji", False,
        )  # fmt: skip
        assert row.template_name == "pesquisa"
    assert "ativada" in run("tenant", "csat", "--tenant", "fibra", "--enabled").output


def test_bad_values_change_nothing(settings, db) -> None:  # type: ignore[no-untyped-def]
    """A negative delay, an unknown style or tenant: exit 2 (or 1) with one clear line, nothing stored."""
    run("tenant", "create", "--slug", "fibra", "--name", "Fibra")
    for args in (["--delay-seconds", "-1"], ["--style", "stars"], ["--expiry-minutes", "0"]):
        result = run("tenant", "csat", "--tenant", "fibra", *args)
        assert result.exit_code == 2, args
    missing = run("tenant", "csat", "--tenant", "nenhum")
    assert missing.exit_code == 1 and "nenhum" in missing.output
    with db.platform_session() as session:
        row = session.scalar(sa.select(CsatSettings))
        assert row is None or (row.delay_seconds, row.style, row.expiry_minutes) == (90, "buttons", 1440)
