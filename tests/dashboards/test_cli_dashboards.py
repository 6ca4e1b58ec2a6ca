"""`niochat seed-demo --history` writes conversations and their facts; `niochat backfill-facts`
rebuilds them; bad input is a clear error."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import niochat.cli.dashboards  # noqa: F401  (registers the commands)
from models import Conversation, ConversationFact
from tests.test_cli import invoke


def test_seed_demo_history_then_backfill(settings: Any, db: Any) -> None:
    """200 conversations over 30 days: each has a fact; backfill rebuilds the same number."""
    result = invoke("seed-demo", "--history", "30d", "--conversations", "200")
    assert result.exit_code == 0, result.output
    assert "Histórico:" in result.output
    with db.platform_session() as session:
        conversations = session.scalar(sa.select(sa.func.count()).select_from(Conversation))
        facts = session.scalar(sa.select(sa.func.count()).select_from(ConversationFact))
    assert facts == conversations and conversations > 190
    again = invoke("backfill-facts", "--tenant", "demo")
    assert again.exit_code == 0 and f"{facts} fatos" in again.output


def test_bad_history_and_unknown_tenant_are_clear_errors(settings: Any, db: Any) -> None:
    """`--history abc` and an unknown tenant exit non-zero with a pt-BR message, no traceback."""
    bad = invoke("seed-demo", "--history", "abc")
    assert bad.exit_code != 0 and "dias" in bad.output
    unknown = invoke("backfill-facts", "--tenant", "nao-existe")
    assert unknown.exit_code != 0 and "não encontrado" in unknown.output
