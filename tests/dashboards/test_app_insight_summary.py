"""Visão geral's "Resumir com IA": the tenant's model engine (the loopback OpenAI stub) phrases the
insights, the page shows it above the list only when every number is in the data, and the built-in
engine gets a disabled button and no network call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from models.ai import AISettings
from models.facts_refresh import backfill
from tests.dashboards.conftest import TenantWorld
from tests.dashboards.timeline import Timeline
from tests.stubs.openai import API_KEY, OpenAIStub, text

HANDOFFS = 25  # all for billing: "Assunto financeiro (100 % das 25 transferências)"


@pytest.fixture()
def handoffs(db: Any, worlds: dict[str, TenantWorld]) -> TenantWorld:
    """Tenant A with 25 conversations of yesterday handed off by the AI for billing (one insight)."""
    world = worlds["a"]
    start = datetime.now(UTC) - timedelta(days=1)
    with db.tenant_session(world.tenant_id) as session:
        for i in range(HANDOFFS):
            t = start + timedelta(minutes=i)
            tl = Timeline(session, world.tenant_id, world.inbox_id, t, phone=f"+5511955500{i:03d}")
            tl.customer(t).handoff(t + timedelta(seconds=30), "billing")
        backfill(session, world.tenant_id)
    return world


@pytest.fixture()
def model(db: Any, handoffs: TenantWorld) -> Iterator[OpenAIStub]:
    """Tenant A on the model engine, pointed at the OpenAI-compatible stub."""
    stub = OpenAIStub().start()
    with db.tenant_session(handoffs.tenant_id) as session:
        row = session.scalar(sa.select(AISettings))
        row.provider, row.base_url, row.api_key = "openai", stub.base_url, API_KEY
    yield stub
    stub.stop()


def _overview(app_test: Any, world: TenantWorld) -> Any:
    at = app_test(world.supervisor)
    at.run()
    assert not at.exception, at.exception
    assert any("Assunto financeiro" in m.value for m in at.markdown)
    return at


def test_summary_is_shown_above_the_list_and_kept_for_the_session(
    app_test: Any, handoffs: TenantWorld, model: OpenAIStub
) -> None:
    """A click asks the stub once; its summary (numbers 100 % and 25, in the data) is shown, and a rerun
    shows it again without a second request."""
    model.script(
        text("A IA transferiu 25 conversas para humanos, 100 % delas por assunto financeiro. Vale revisar.")
    )
    at = _overview(app_test, handoffs)
    at.button(key="insight_summary").click().run()
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [
        "A IA transferiu 25 conversas para humanos, 100 % delas por assunto financeiro. Vale revisar."
    ]
    [request] = model.chat_requests()
    sent = request["messages"][-1]["content"]
    assert "Assunto financeiro (100 % das 25 transferências)" in sent
    assert "Cliente" not in sent and "5511955500" not in sent  # no customer name or phone
    at.run()
    assert len(at.info) == 1 and len(model.chat_requests()) == 1
    assert not [b for b in at.button if b.key == "insight_summary"]
    assert [b.label for b in at.button if b.key == "insight_0"] == ["Ver conversas"]


def test_a_summary_with_an_invented_number_is_not_shown(
    app_test: Any, handoffs: TenantWorld, model: OpenAIStub
) -> None:
    """The stub says 55 %: no summary, a note naming it, and the list is still there."""
    model.script(text("A IA transferiu 25 conversas, 55 % delas por assunto financeiro."))
    at = _overview(app_test, handoffs)
    at.button(key="insight_summary").click().run()
    assert not at.exception, at.exception
    assert not at.info
    [note] = [w.value for w in at.warning]
    assert "não foi exibido" in note and "55" in note
    assert [b.label for b in at.button if b.key == "insight_0"] == ["Ver conversas"]


def test_model_error_leaves_a_note_and_the_list(
    app_test: Any, handoffs: TenantWorld, model: OpenAIStub
) -> None:
    """The stub answers 500 twice (the client's retry included): a pt-BR note, the list stays."""
    at = _overview(app_test, handoffs)
    model.fail_next(2, status=500)
    at.button(key="insight_summary").click().run()
    assert not at.exception, at.exception
    assert not at.info
    assert ["Não foi possível" in w.value for w in at.warning] == [True]
    assert [b.label for b in at.button if b.key == "insight_0"] == ["Ver conversas"]


@pytest.mark.parametrize("settings_values", [{"provider": "builtin"}, {"enabled": False}])
def test_offline_engine_shows_a_disabled_button_and_calls_nothing(
    app_test: Any,
    db: Any,
    worlds: dict[str, TenantWorld],
    handoffs: TenantWorld,
    settings_values: dict[str, Any],
) -> None:
    """The built-in engine (or the AI switched off), even with a model's address and key on file and
    the other tenant on the model engine: the button is disabled with a hint, the server hears nothing."""
    stub = OpenAIStub().start()
    try:
        with db.tenant_session(worlds["b"].tenant_id) as session:
            row = session.scalar(sa.select(AISettings))
            row.provider, row.base_url, row.api_key = "openai", stub.base_url, API_KEY
        with db.tenant_session(handoffs.tenant_id) as session:
            row = session.scalar(sa.select(AISettings))
            row.provider, row.base_url, row.api_key = "openai", stub.base_url, API_KEY
            for key, value in settings_values.items():
                setattr(row, key, value)
        at = _overview(app_test, handoffs)
        button = at.button(key="insight_summary")
        assert button.disabled and button.label == "Resumir com IA"
        assert "offline" in str(button.help)
        assert not at.info and not at.warning
        assert stub.requests == []
    finally:
        stub.stop()
