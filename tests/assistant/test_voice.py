"""Voice notes on the real path: Evolution webhook → media download from the provider stub → `jobs.ai`
→ `/audio/transcriptions` at the OpenAI stub → engine → reply at the Evolution stub; and the polite
path when nothing can hear the audio.

The audio is real Portuguese speech, made with:
    espeak-ng -v pt-br -s 150 -w /tmp/sv.wav "Oi, quero a segunda via da minha fatura, por favor."
    opusenc --bitrate 12 --downmix-mono /tmp/sv.wav tests/data/audio/segunda_via.ogg
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from assistant.voice import ASK_TEXT, HANDOFF_TEXT
from integrations.sgp import format_brl
from models.message import Message
from niochat.config import reset_settings
from tests.assistant.conftest import MARIA, Scenario, api_get
from tests.stubs.evolution_payloads import new_message_id
from tests.stubs.openai import API_KEY, OpenAIStub, text, tool_call
from tests.stubs.sgp_customers import scripted_customers

AUDIO = Path(__file__).parents[1] / "data" / "audio" / "segunda_via.ogg"
SPOKEN = "Oi, quero a segunda via da minha fatura, por favor."


def send_voice(scenario: Scenario, phone: str = MARIA, *, downloadable: bool = True) -> list[str]:
    """A voice note as Evolution posts it (no inline base64: the file is fetched from the provider)."""
    before = len(scenario.sent())
    message_id = new_message_id()
    if downloadable:
        scenario.evolution.seed_media(message_id, AUDIO.read_bytes(), "audio/ogg; codecs=opus", "audio.ogg")
    payload = scenario.evolution.make_media_webhook(
        "audio", media={"ptt": True, "seconds": 4}, number=phone, message_id=message_id,
        timestamp=int(time.time()),
    )  # fmt: skip
    scenario.post_payload(payload)
    scenario.settle()
    return [m["text"] for m in scenario.sent()[before:] if m.get("text")]


def voice_notes(scenario: Scenario) -> list[Message]:
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        return list(
            session.scalars(sa.select(Message).where(Message.content_type == "audio").order_by(Message.id))
        )


def bill_amount() -> str:
    for customer in scripted_customers():
        for contract in customer.contracts:
            if contract.contract_id == "17402":
                return format_brl(contract.bills[0].amount)
    raise AssertionError


@pytest.fixture()
def platform_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    """The platform default (OPENAI_API_KEY / OPENAI_BASE_URL) pointed at the stub."""
    stub = OpenAIStub().start()
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    reset_settings()
    yield stub
    monkeypatch.undo()
    reset_settings()
    stub.stop()


def test_model_engine_reads_the_transcript_of_a_voice_note(scenario: Scenario, model: Any) -> None:
    scenario.settings(transcription_model="whisper-large-v3")
    model.script_transcripts(SPOKEN)
    amount = bill_amount()
    model.script(
        tool_call("buscar_cliente", {}),
        tool_call("segunda_via", {"contrato": "17402"}),
        text(f"Sua fatura do contrato 17402 é de {amount}."),
    )
    assert send_voice(scenario) == [f"Sua fatura do contrato 17402 é de {amount}."]
    [upload] = model.transcription_requests()
    assert upload.form["model"] == "whisper-large-v3" and upload.form["language"] == "pt"
    assert upload.files["file"][1] == AUDIO.read_bytes()  # the file downloaded from the provider
    assert upload.headers["authorization"] == f"Bearer {API_KEY}"
    assert model.chat_requests()[0]["messages"][-1] == {"role": "user", "content": SPOKEN}
    [note] = voice_notes(scenario)
    assert note.transcription == SPOKEN and note.media_status == "ready"


def test_builtin_engine_uses_the_platform_default_for_transcription(
    scenario: Scenario, platform_openai: OpenAIStub
) -> None:
    platform_openai.script_transcripts(SPOKEN)
    texts = send_voice(scenario)
    assert any("Encontrei seu cadastro" in t for t in texts)
    assert platform_openai.transcription_requests()[0].form["model"] == "whisper-1"
    assert not platform_openai.chat_requests()  # the built-in engine answered
    assert scenario.sgp.requests_to("consultacliente")


def test_transcript_in_the_api_and_the_event_to_screens(scenario: Scenario, model: Any) -> None:
    model.script_transcripts(SPOKEN)
    send_voice(scenario)
    conv = scenario.conversation(MARIA)
    body = api_get(scenario, f"/api/v1/conversations/{conv.id}/messages")
    [audio] = [m for m in body["items"] if m["content_type"] == "audio"]
    assert audio["transcription"] == SPOKEN and audio["media"]["voice"] is True


def test_without_an_endpoint_asks_once_for_text_then_hands_off(scenario: Scenario) -> None:
    assert send_voice(scenario) == [ASK_TEXT]
    assert scenario.conversation(MARIA).status == "bot"
    assert send_voice(scenario) == [HANDOFF_TEXT]
    conv = scenario.conversation(MARIA)
    assert conv.status == "pending"
    reason = scenario.events(MARIA, "handoff")[0].reason
    assert "(audio_not_transcribed)" in reason and "not_configured" in reason
    assert [n.media_meta.get("transcription_error") for n in voice_notes(scenario)] == ["not_configured"] * 2


def test_written_text_after_the_request_is_answered(scenario: Scenario) -> None:
    assert send_voice(scenario) == [ASK_TEXT]
    texts = scenario.say("quero a segunda via", MARIA)
    assert any("Encontrei seu cadastro" in t for t in texts)


@pytest.mark.parametrize(
    ("failures", "status", "code"),
    [(1, 401, "refused"), (2, 429, "rate_limited"), (2, 500, "unavailable")],
)
def test_transcription_failure_gets_the_polite_path(
    scenario: Scenario, model: Any, failures: int, status: int, code: str
) -> None:
    model.fail_next(failures, status, headers={"retry-after": "0"})  # the client retries 429/5xx once
    assert send_voice(scenario) == [ASK_TEXT]
    assert len(model.transcription_requests()) == failures and not model.chat_requests()
    assert voice_notes(scenario)[0].media_meta["transcription_error"] == code
    assert scenario.conversation(MARIA).status == "bot"


def test_audio_that_could_not_be_downloaded_gets_the_polite_path(scenario: Scenario, model: Any) -> None:
    assert send_voice(scenario, downloadable=False) == [ASK_TEXT]
    [note] = voice_notes(scenario)
    assert note.media_status == "failed" and note.media_meta["transcription_error"] == "no_media"
    assert not model.transcription_requests()


def test_the_run_waits_for_the_download(scenario: Scenario, model: Any) -> None:
    """The AI queue is served before the media queue: the first run finds the file pending and looks again."""
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    from jobs.queues import connect

    model.script_transcripts(SPOKEN)
    send_voice(scenario)
    finished = FinishedJobRegistry(queue=Queue("ai", connection=connect(scenario.redis_url))).get_job_ids()
    assert any(job_id.startswith("ai-media-") for job_id in finished)
    assert voice_notes(scenario)[0].transcription == SPOKEN


def test_a_download_stuck_past_the_wait_is_not_waited_for() -> None:
    """A run waits for a pending voice note only while it is young: then it answers without it."""
    from datetime import UTC, datetime, timedelta

    from assistant.voice import MEDIA_WAIT_SECONDS, waiting_for_media
    from models.enums import ContentType, Direction

    now = datetime.now(UTC)
    note = Message(id=1, content_type=ContentType.AUDIO, direction=Direction.INBOUND, media_status="pending")
    note.created_at = now - timedelta(seconds=2)
    assert waiting_for_media([note], now)
    note.created_at = now - timedelta(seconds=MEDIA_WAIT_SECONDS + 1)
    assert not waiting_for_media([note], now)
    note.created_at, note.transcription = now, "já transcrito"
    assert not waiting_for_media([note], now)


def test_a_voice_note_to_a_person_is_transcribed_and_read(scenario: Scenario, model: Any) -> None:
    """With a person on the conversation the AI is silent, but the agent still gets the transcript."""
    from tests.assistant.test_insight import analyse, take_conversation

    scenario.say("oi", MARIA)
    take_conversation(scenario, MARIA)
    model.script_transcripts("minha internet caiu de novo, não estou feliz")
    chats, before = len(model.chat_requests()), len(scenario.sent())
    send_voice(scenario)
    analyse(scenario)
    [note] = voice_notes(scenario)
    assert note.transcription == "minha internet caiu de novo, não estou feliz"
    assert (note.intent, note.sentiment) == ("sem_conexao", "negative")
    assert len(model.chat_requests()) == chats and len(scenario.sent()) == before  # the AI said nothing


def test_a_voice_note_to_the_ai_is_transcribed_once(scenario: Scenario, model: Any) -> None:
    model.script_transcripts(SPOKEN)
    send_voice(scenario)
    assert len(model.transcription_requests()) == 1  # the run's; the agents' job left it alone
    assert voice_notes(scenario)[0].intent == "fatura"


def test_which_endpoint_transcribes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model engine's endpoint, else the platform default, else none; and the tenant's off switch."""
    from assistant.voice import transcription_config
    from models.ai import AISettings

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    reset_settings()
    try:
        tenant = AISettings(
            provider="openai", base_url="http://llm/v1", api_key="sk-t", transcription_model="w"
        )
        config = transcription_config(tenant)
        assert config is not None and (config.base_url, config.api_key, config.model) == (
            "http://llm/v1",
            "sk-t",
            "w",
        )
        assert "sk-t" not in repr(config)
        assert transcription_config(AISettings(provider="builtin")) is None
        monkeypatch.setenv("OPENAI_API_KEY", "sk-platform")
        reset_settings()
        config = transcription_config(AISettings(provider="builtin"))
        assert config is not None and (config.api_key, config.model) == ("sk-platform", "whisper-1")
        assert transcription_config(AISettings(provider="builtin", transcribe_audio=False)) is None
    finally:
        monkeypatch.undo()
        reset_settings()
