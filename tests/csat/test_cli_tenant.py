"""`niochat csat interpret --tenant`: free text goes to the tenant's model engine (the OpenAI stub)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from models import AISettings
from models.provisioning import create_tenant
from niochat.cli import cli, csat_interpret  # noqa: F401  (registers the command)
from tests.stubs.openai import API_KEY, OpenAIStub, text


@pytest.fixture()
def model() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def test_tenant_model_reads_free_text_only(settings, db, model) -> None:  # type: ignore[no-untyped-def]
    """The model scores "a moça me ajudou mas demorou" (`ai`); "nota 5" never reaches it."""
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name="ISP")
        session.execute(
            sa.update(AISettings)
            .where(AISettings.tenant_id == tenant.id)
            .values(provider="compatible", base_url=model.base_url, model="modelo-teste")
        )
        row = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant.id))
        row.api_key = API_KEY  # encrypted by its column type
    model.script(text('{"is_answer": true, "score": 3, "sentiment": "neutral"}'))
    runner = CliRunner()
    free = runner.invoke(
        cli, ["csat", "interpret", "a moça me ajudou mas demorou", "--tenant", "isp", "--json"]
    )
    assert free.exit_code == 0, free.output
    assert json.loads(free.output.strip().splitlines()[-1]) == {
        "is_answer": True, "score": 3, "interpreted_by": "ai", "sentiment": "neutral",
        "themes": ["atendimento_demorado"],
    }  # fmt: skip
    digit = runner.invoke(cli, ["csat", "interpret", "nota 5", "--tenant", "isp", "--json"])
    assert json.loads(digit.output.strip().splitlines()[-1])["interpreted_by"] == "number"
    assert len(model.chat_requests()) == 1
