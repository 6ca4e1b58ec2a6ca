"""Speech to text on any OpenAI-compatible server (`POST /audio/transcriptions`), no Flask, no tables.

Customers on WhatsApp send voice notes as often as text; the attendant reads their transcript. One
short retry like the chat client: a customer waiting on a voice note is better served by "can you
write it?" than by a minute of backoff.
"""

from __future__ import annotations

from typing import Any

import openai

from integrations.llm import UNAVAILABLE, chat_client

DEFAULT_MODEL = "whisper-1"
TIMEOUT_SECONDS = 30.0  # a minute of speech uploads and transcribes in a few seconds


class TranscriptionFailed(RuntimeError):
    """The server could not transcribe (down, rate limited, bad key, empty result): `code` says which."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def transcribe(
    content: bytes,
    *,
    api_key: str,
    base_url: str | None,
    model: str | None = None,
    filename: str = "audio.ogg",
    mime_type: str = "audio/ogg",
    language: str = "pt",
    client: openai.OpenAI | None = None,
) -> str:
    """The spoken text of `content`; raises `TranscriptionFailed`, never an SDK exception."""
    own = client is None
    api = client or chat_client(api_key=api_key, base_url=base_url, timeout=TIMEOUT_SECONDS)
    try:
        create: Any = api.audio.transcriptions.create
        result = create(
            model=model or DEFAULT_MODEL,
            file=(filename, content, mime_type.split(";")[0].strip() or "audio/ogg"),
            language=language,
            response_format="json",
        )
    except UNAVAILABLE as exc:
        status = getattr(exc, "status_code", None)
        code = "rate_limited" if status == 429 else "refused" if status in {401, 403} else "unavailable"
        raise TranscriptionFailed(code, f"{type(exc).__name__} {status or ''}".strip()) from exc
    finally:
        if own:
            api.close()
    text = str(getattr(result, "text", None) or (result if isinstance(result, str) else "")).strip()
    if not text:
        raise TranscriptionFailed("empty", "transcrição vazia")
    return text
