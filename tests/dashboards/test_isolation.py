"""Tenant isolation of every dashboard query: with another tenant's data in the database, and a session
that could see it, each function called for a tenant with no conversations returns nothing of it."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

import dashboards.queries as queries
from dashboards.queries import QUERY_FUNCTIONS, Filters
from models import ConversationLabel, CsatResponse, CsatSurvey, Label
from models.enums import ActorKind, CsatStatus
from models.facts_refresh import backfill
from tests.dashboards.conftest import make_shop
from tests.dashboards.timeline import Timeline


def _public_query_functions() -> set[Any]:
    """Every function of the package whose first parameters are (session, tenant_id, filters)."""
    found = set()
    for info in pkgutil.iter_modules(queries.__path__):
        module = importlib.import_module(f"dashboards.queries.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(fn).parameters)
            if not name.startswith("_") and params[:3] == ["session", "tenant_id", "filters"]:
                found.add(fn)
    return found


def test_every_query_function_is_enumerated() -> None:
    """A new query added without an entry in QUERY_FUNCTIONS would escape the isolation test."""
    registered = {fn for fn, _ in QUERY_FUNCTIONS.values()}
    missing = {f"{fn.__module__}.{fn.__name__}" for fn in _public_query_functions() - registered}
    # fact_chunks is registered through a wrapper that drains the generator
    assert missing == {"dashboards.queries.drilldown.fact_chunks"}


def _empty(value: Any) -> bool:
    if isinstance(value, pd.DataFrame):
        return value.empty
    if isinstance(value, list):
        return all(_empty(v) for v in value)
    if isinstance(value, int | float):
        return value == 0
    if value is None:
        return True
    if dataclasses.is_dataclass(value):
        return all(_empty(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


@pytest.fixture()
def rich_other_tenant(db: Any) -> dict[str, Any]:
    """Tenant "vizinho" with conversations of every kind; tenant "vazio" with users and inbox only."""
    now = datetime.now(UTC)
    with db.platform_session() as session:
        empty = make_shop(session, "vazio")
        other = make_shop(session, "vizinho")
        label = Label(tenant_id=other.tenant_id, name="Sem internet")
        session.add(label)
        session.flush()
    with db.tenant_session(other.tenant_id) as session:
        for n in range(30):
            t = now - timedelta(days=1 + n % 5, hours=n)
            tl = Timeline(session, other.tenant_id, other.inbox_id, t, phone=f"+55119000022{n:02d}")
            tl.customer(t, sentiment="negative", intent="sem_internet", sentiment_score=-0.8)
            tl.bot(t + timedelta(seconds=3)).tool(t + timedelta(seconds=2), "status_conexao")
            if n % 2:
                tl.close(t + timedelta(minutes=2), ActorKind.BOT)
            else:
                tl.handoff(t + timedelta(minutes=1), "support", other.team_id)
                tl.assign(t + timedelta(minutes=3), other.agent_id).agent(
                    t + timedelta(minutes=4), other.agent_id
                )
                tl.close(t + timedelta(minutes=9), ActorKind.USER, other.agent_id)
                survey = CsatSurvey(
                    tenant_id=other.tenant_id, conversation_id=tl.id, contact_id=tl.contact_id,
                    inbox_id=other.inbox_id, status=CsatStatus.ANSWERED, scheduled_for=t,
                    sent_at=t + timedelta(minutes=10),
                )  # fmt: skip
                session.add(survey)
                session.flush()
                session.add(CsatResponse(tenant_id=other.tenant_id, survey_id=survey.id, score=1 + n % 5,
                                         themes=["preço"]))  # fmt: skip
            session.add(
                ConversationLabel(tenant_id=other.tenant_id, conversation_id=tl.id, label_id=label.id)
            )
        session.flush()
        backfill(session, other.tenant_id)
    return {"empty": empty, "other": other, "filters": Filters(now - timedelta(days=10), now)}


def test_every_query_returns_nothing_of_another_tenant(db: Any, rich_other_tenant: dict[str, Any]) -> None:
    """Each query, called for the empty tenant in a platform session (which sees every row), is empty;
    called for the other tenant, its data is there (so emptiness is the tenant filter's doing)."""
    empty, other, filters = (
        rich_other_tenant["empty"],
        rich_other_tenant["other"],
        rich_other_tenant["filters"],
    )
    leaks, blind = [], []
    with db.platform_session() as session:
        for name, (fn, extra) in sorted(QUERY_FUNCTIONS.items()):
            if not _empty(fn(session, empty.tenant_id, filters, **extra)):
                leaks.append(name)
            # findings need more data than this fixture holds
            if not name.startswith("insight") and _empty(fn(session, other.tenant_id, filters, **extra)):
                blind.append(name)
    assert leaks == [], f"returned rows of another tenant: {leaks}"
    assert blind == [], f"found nothing even for the tenant that has data: {blind}"
