"""AI, SGP and CSAT settings: validation per field, write-only secrets, the same paths as the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from admin.settings import ai, csat, csat_preview, sgp
from admin.settings.common import MASK, SettingsError
from models import SgpIntegration, Tenant
from models.ai import AISettings
from models.csat import CsatSettings
from models.provisioning import create_team, create_tenant
from tests.stubs.sgp import APP, TOKEN, SgpStub


@pytest.fixture()
def tenant(db: Any) -> int:
    with db.platform_session() as session:
        return int(create_tenant(session, slug="isp", name="ISP").id)


@pytest.fixture()
def sgp_stub() -> Iterator[SgpStub]:
    with SgpStub() as server:
        yield server


AI_FORM = {
    "enabled": "y", "provider": "ollama", "base_url": "http://ollama.local:11434/v1/", "model": "llama3.1",
    "api_key": "sk-tenant-secret", "temperature": "0,5", "instructions": "Seja breve.",
    "max_bot_turns": "10", "burst_seconds": "3", "transcribe_audio": "y",
    "persona_name": "Nina", "persona_tone": "cordial", "persona_greeting": "",
}  # fmt: skip


def test_ai_settings_saved_with_the_key_write_only(db: Any, tenant: int) -> None:
    """The key is stored, never in the audit snapshot; a blank key keeps it; clearing removes it."""
    with db.tenant_session(tenant) as session:
        team = create_team(session, tenant_id=tenant, name="Financeiro")
        before, after = ai.save(session, tenant, {**AI_FORM, "handoff_financeiro": str(team.id)})
        assert after["api_key"] == MASK and "sk-tenant-secret" not in repr((before, after))
        row = session.get(AISettings, ai.load(session, tenant).id)
        assert row.base_url == "http://ollama.local:11434/v1" and row.temperature == 0.5
        assert row.handoff_rules["teams"] == {"financeiro": team.id}
        tenant_row = session.get(Tenant, tenant)
        assert tenant_row.persona == {"name": "Nina", "tone": "cordial"}
        ai.save(session, tenant, {**AI_FORM, "api_key": ""})
        assert ai.load(session, tenant).api_key == "sk-tenant-secret"
        ai.save(session, tenant, {**AI_FORM, "api_key": "", "clear_api_key": "y"})
        assert ai.load(session, tenant).api_key is None


def test_ai_settings_errors_per_field(db: Any, tenant: int) -> None:
    """A model server without URL, a bad temperature, another tenant's team: all named, nothing stored."""
    with db.platform_session() as session:
        foreign = create_team(session, tenant_id=create_tenant(session, slug="b", name="B").id, name="X").id
    with db.tenant_session(tenant) as session:
        with pytest.raises(SettingsError) as caught:
            ai.save(session, tenant, {**AI_FORM, "base_url": "", "temperature": "9",
                                      "handoff_default": str(foreign), "provider": "vllm"})  # fmt: skip
        assert set(caught.value.problems) == {"base_url", "temperature", "handoff_default"}
    with db.tenant_session(tenant) as session:
        assert ai.load(session, tenant).provider == "builtin"


def test_try_message_runs_the_cli_trial(db: Any, tenant: int) -> None:
    """ "Testar uma mensagem" gives the report `niochat ai try --json` prints (built-in engine here)."""
    report = ai.try_message(db, tenant, "quero falar com um atendente")
    assert set(report) == {"intent", "confidence", "sentiment", "tools", "replies", "handoff"}
    assert report["handoff"] and report["handoff"]["reason"] == "customer_request"
    with pytest.raises(SettingsError):
        ai.try_message(db, tenant, "   ")


def test_sgp_save_and_test(db: Any, tenant: int, sgp_stub: SgpStub) -> None:
    """Saved like `niochat tenant sgp`; the test passes against the stub and is recorded on the row;
    a blank token keeps the stored one and never shows in the snapshot."""
    form = {"base_url": sgp_stub.url + "/", "auth_mode": "token", "app_name": APP, "token": TOKEN,
            "enabled": "y", "allow_trust_unlock": "y"}  # fmt: skip
    with db.tenant_session(tenant) as session:
        _before, after = sgp.save(session, tenant, form)
        assert after["token"] == MASK and TOKEN not in repr(after)
        ok, sentence = sgp.test(session, tenant)
        assert ok and "funcionando" in sentence
        sgp.save(session, tenant, {**form, "token": ""})
        row = session.get(SgpIntegration, sgp.load(session, tenant).id)
        assert row.token == TOKEN and row.last_test_ok is True and row.allow_open_ticket is False
        sgp.save(session, tenant, {**form, "token": "errado"})
        ok, sentence = sgp.test(session, tenant)
        assert not ok and TOKEN not in sentence and "errado" not in sentence


def test_sgp_refuses_incomplete_credentials(db: Any, tenant: int) -> None:
    """Token mode needs app and token; Basic needs user and password; the URL must be http(s)."""
    with db.tenant_session(tenant) as session:
        with pytest.raises(SettingsError) as caught:
            sgp.save(session, tenant, {"base_url": "ftp://x", "auth_mode": "token"})
        assert set(caught.value.problems) == {"base_url", "app_name", "token"}
        with pytest.raises(SettingsError) as caught:
            sgp.save(session, tenant, {"base_url": "https://x.sgp.net.br", "auth_mode": "basic"})
        assert set(caught.value.problems) == {"username", "password"}
        with pytest.raises(SettingsError):
            sgp.test(session, tenant)
        assert sgp.load(session, tenant) is None


def test_csat_settings_validated_and_saved(db: Any, tenant: int) -> None:
    """The delay and the other columns are stored; out-of-range values are named per field."""
    form = {"enabled": "y", "delay_seconds": "120", "expiry_minutes": "720", "style": "emoji",
            "question": "Que nota você dá?", "thanks_message": "Valeu!", "alert_threshold": "3"}  # fmt: skip
    with db.tenant_session(tenant) as session:
        before, after = csat.save(session, tenant, form)
        assert before["delay_seconds"] == 90 and after["delay_seconds"] == 120
        with pytest.raises(SettingsError) as caught:
            bad = {"delay_seconds": "-1", "alert_threshold": "6", "question": ""}
            csat.save(session, tenant, {**form, **bad})
        assert set(caught.value.problems) == {"delay_seconds", "alert_threshold", "question"}
    with db.tenant_session(tenant) as session:
        row = session.get(CsatSettings, csat.load(session, tenant).id)
        assert (row.delay_seconds, row.style, row.question) == (120, "emoji", "Que nota você dá?")


def test_csat_preview_per_channel() -> None:
    """Meta: a list of the five; Evolution/Uazapi: list with the emoji line as fallback; Telegram: an
    inline keyboard; the emoji style: the text line everywhere."""
    five = ["😡 Péssimo", "😕 Ruim", "😐 Regular", "🙂 Bom", "🤩 Excelente"]
    line = "Responda com um número de 1 a 5 ou um emoji: 😡 1 · 😕 2 · 😐 3 · 🙂 4 · 🤩 5"
    by = {p.channel: p for p in csat_preview.previews({"question": "Nota?", "style": "buttons"})}
    assert by["whatsapp_cloud"].kind == "list" and by["whatsapp_cloud"].options == five
    assert by["telegram"].kind == "keyboard" and by["telegram"].options == five
    assert line in by["evolution"].notes[0]
    assert "não é enviada" in by["whatsapp_cloud"].notes[0]
    emoji = csat_preview.previews({"question": "Nota?", "style": "emoji", "template_name": "csat_v1"})
    assert all(p.kind == "text" and p.text == f"Nota?\n\n{line}" for p in emoji)
    assert "csat_v1" in emoji[0].notes[0]
