"""Voice notes: the customer's audio is transcribed before the engine reads the turn.

The runner calls this between reading the turn and running the engine. A voice note whose file is
still being downloaded (`jobs.media`) makes the run wait a little (`waiting_for_media`: the job
reschedules itself) rather than answer without it. Each downloaded voice note is sent to the
OpenAI-compatible `/audio/transcriptions` endpoint — the tenant's `transcription_model`, with the model
engine's base URL and key, or the platform's `OPENAI_API_KEY` / `OPENAI_BASE_URL` — and the transcript
is stored on the message (`messages.transcription`: the inbox shows it under the audio, the API returns
it). The engine then reads the transcript as if the customer had written it.

When a voice note cannot be heard (no endpoint configured, the download or the transcription failed),
the attendant asks once for text and, on a second unheard voice note in the same conversation, hands
off with `audio_not_transcribed` — never silence. Why it failed is kept on the message
(`media_meta["transcription_error"]`) for the agent and for support.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from assistant.context import engine_config
from assistant.engine import Handoff, TurnContext, TurnResult
from assistant.insight import mark
from integrations.llm.transcription import DEFAULT_MODEL, TranscriptionFailed, transcribe
from integrations.llm.transcription import TIMEOUT_SECONDS as TRANSCRIBE_TIMEOUT
from integrations.storage import MediaStorage
from models import outbox_ops as topics
from models.ai import AISettings
from models.enums import ContentType, Direction
from models.message import Message

log = logging.getLogger(__name__)

ASK_TEXT = "Ainda não consigo ouvir áudios por aqui. Pode me escrever, por favor?"
HANDOFF_TEXT = (
    "Não consegui ouvir seu áudio. Vou chamar um atendente para continuar com você, só um instante."
)
MEDIA_WAIT_SECONDS = 30.0  # how long a run waits for a voice note's download before going without it
# Transcribing a turn's voice notes may take this long in all (one upload, its retry), on top of the
# run's own time budget: `jobs.ai` holds the conversation's lock for both.
TRANSCRIBE_BUDGET_SECONDS = 2 * TRANSCRIBE_TIMEOUT
ASKED_KEY = "audio_asked"  # in the conversation's memory: text was already asked for once


@dataclass(frozen=True)
class TranscriptionConfig:
    """Where the tenant's audio is transcribed."""

    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)


def transcription_config(settings: AISettings) -> TranscriptionConfig | None:
    """The model engine's endpoint, else the platform default; None when there is no endpoint at all
    (built-in engine and no OPENAI_API_KEY) or the tenant turned transcription off."""
    from niochat.config import get_settings

    if settings.transcribe_audio is False:
        return None
    model = settings.transcription_model or DEFAULT_MODEL
    engine = engine_config(settings)
    if engine.engine == "model":
        return TranscriptionConfig(model, engine.base_url, engine.api_key)
    platform = get_settings()
    if platform.openai_api_key:
        return TranscriptionConfig(model, platform.openai_base_url or None, platform.openai_api_key)
    return None


def is_voice(message: Message) -> bool:
    return message.content_type == ContentType.AUDIO and message.direction == Direction.INBOUND


def unheard(messages: list[Message]) -> list[Message]:
    """The voice notes of the turn that have no transcript."""
    return [m for m in messages if is_voice(m) and not (m.transcription or "").strip()]


def waiting_for_media(messages: list[Message], now: datetime) -> bool:
    """A voice note still downloading, and young enough to be worth waiting for."""
    return any(
        m.media_status == "pending" and (now - m.created_at).total_seconds() < MEDIA_WAIT_SECONDS
        for m in unheard(messages)
    )


def transcribe_turn(
    db: Any,
    storage: MediaStorage,
    tenant_id: int,
    messages: list[Message],
    config: TranscriptionConfig | None,
    *,
    with_sentiment: bool = True,
) -> list[int]:
    """Transcribe the turn's voice notes and store each transcript (or why there is none) on its
    message; the (detached) messages get their `transcription` too. Returns outbox ids to relay."""
    results: dict[int, tuple[str | None, str | None]] = {}  # id -> (transcript, error code)
    deadline = time.monotonic() + TRANSCRIBE_BUDGET_SECONDS
    for message in unheard(messages):
        if time.monotonic() < deadline:
            text, error = _transcribe_one(storage, message, config)
        else:  # a long burst of voice notes: the rest are "unheard", the run must stay within its lock
            text, error = None, "time_budget"
        message.transcription = text
        if error:
            message.media_meta = {**(message.media_meta or {}), "transcription_error": error}
        results[message.id] = (text, error)
    if not results:
        return []
    outbox_ids = []
    with db.tenant_session(tenant_id) as session:
        for message_id, (text, error) in results.items():
            values: dict[str, Any] = {"transcription": text}
            if error:
                values["media_meta"] = Message.media_meta.op("||")(sa.func.jsonb_build_object(
                    "transcription_error", error))  # fmt: skip
            row = session.execute(
                sa.update(Message)
                .where(Message.id == message_id, Message.transcription.is_(None))
                .values(**values)
                .returning(Message.conversation_id)
            ).first()
            if row is not None and text:
                mark(session, message_id, text, with_sentiment=with_sentiment)  # read like a typed one
                event = topics.record(session, tenant_id, topics.MESSAGE_UPDATED, message_id=message_id,
                                      conversation_id=row[0], change="transcription")  # fmt: skip
                session.flush()
                outbox_ids.append(event.id)
    return outbox_ids


def _transcribe_one(
    storage: MediaStorage, message: Message, config: TranscriptionConfig | None
) -> tuple[str | None, str | None]:
    if config is None:
        return None, "not_configured"
    if message.media_status != "ready" or not message.media_sha256:
        return None, "no_media"
    try:
        content = storage.get(message.media_sha256)
    except (OSError, ValueError):
        log.warning("voice note %s: stored file unreadable", message.id)
        return None, "no_media"
    try:
        text = transcribe(
            content,
            api_key=config.api_key or "not-needed",
            base_url=config.base_url,
            model=config.model,
            filename=message.media_filename or "audio.ogg",
            mime_type=message.media_mime or "audio/ogg",
        )
    except TranscriptionFailed as exc:
        log.warning("voice note %s not transcribed: %s", message.id, exc.detail)
        return None, exc.code
    return text, None


def cannot_hear(turn: TurnContext, messages: list[Message]) -> TurnResult:
    """The answer to a turn made only of voice notes nobody could hear: ask once for text, then a person."""
    errors = [str((m.media_meta or {}).get("transcription_error") or "") for m in unheard(messages)]
    errors = [e for e in errors if e]
    result = TurnResult()
    if turn.memory.data.get(ASKED_KEY):
        result.say(HANDOFF_TEXT)
        detail = "cliente enviou áudio" + (f" ({', '.join(sorted(set(errors)))})" if errors else "")
        result.handoff = Handoff("audio_not_transcribed", detail)
    else:
        turn.memory.data[ASKED_KEY] = True
        result.say(ASK_TEXT)
    return result
