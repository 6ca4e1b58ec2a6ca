"""`niochat ai try|chat` and `niochat tenant ai`, against the SGP stub."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

import niochat.cli.ai  # noqa: F401  (registers the commands)
from models import AISettings
from niochat.cli import cli
from tests.assistant.conftest import MARIA, Scenario


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_try_json_prints_one_object_with_tools_and_replies(scenario: Scenario) -> None:
    result = invoke("ai", "try", "quero a segunda via", "--tenant", "isp", "--phone", MARIA, "--json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert set(report) == {"intent", "confidence", "sentiment", "tools", "replies", "handoff"}
    assert report["intent"] == "fatura"
    assert [t["name"] for t in report["tools"]][:2] == ["buscar_cliente", "segunda_via"]
    assert all(t["ok"] for t in report["tools"])
    assert any(r.startswith("000201") for r in report["replies"])
    assert report["handoff"] is None


def test_try_file_one_conversation_per_line(scenario: Scenario, tmp_path: Path) -> None:
    messages = tmp_path / "msgs.txt"
    messages.write_text(
        "quero falar com um atendente\nmeu cpf é 111.444.777-35, estou sem internet\n", "utf-8"
    )
    result = invoke("ai", "try", "--tenant", "isp", "--file", str(messages), "--json")
    reports = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(reports) == 2
    assert reports[0]["handoff"]["reason"] == "customer_request"
    assert "liberação em confiança" in reports[1]["replies"][-1]  # suspended: offers the unlock


def test_chat_is_multi_turn(scenario: Scenario) -> None:
    result = invoke("ai", "chat", "--tenant", "isp", input="estou sem internet\n111.444.777-35\nsim\nsair\n")
    assert "liberada" in result.output
    assert scenario.sgp.unlocks == ["17410"]


def test_tenant_ai_stores_the_engine_and_an_encrypted_key(scenario: Scenario) -> None:
    result = invoke("tenant", "ai", "--tenant", "isp", "--engine", "model", "--base-url", "http://127.0.0.1:9/v1",
                    "--model", "llama3.1", "--api-key", "sk-secret")  # fmt: skip
    assert result.exit_code == 0 and "sk-secret" not in result.output
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        row = session.scalar(sa.select(AISettings))
        assert (row.provider, row.model, row.api_key) == ("compatible", "llama3.1", "sk-secret")
        raw = session.execute(sa.text("SELECT api_key FROM ai_settings")).scalar()
    assert "sk-secret" not in raw
    assert invoke("tenant", "ai", "--tenant", "isp", "--engine", "builtin").exit_code == 0


def test_demo_hands_off_to_its_teams(settings, db) -> None:  # type: ignore[no-untyped-def]
    """`ai try` without --tenant uses the demo tenant, whose hand-off rules name its teams."""
    assert invoke("seed-demo").exit_code == 0
    result = invoke("ai", "try", "quero cancelar meu plano", "--json")
    assert json.loads(result.stdout)["handoff"] == {"team": "Comercial", "reason": "cancellation"}
