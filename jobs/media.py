"""Fetching inbound media into our storage, so a file outlives the provider's short-lived link.

Bytes come from the webhook's inline base64 when the provider sent it (Evolution with `base64: true`),
else from the provider's download endpoint. They are stored content-addressed (`integrations.storage`):
the sha256 on the message is both the file's name and its integrity check. The inline base64 is then
removed from `Message.raw`: a voice note in every row would bloat the table for nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session

from integrations.channels.base import ProviderError
from integrations.channels.credentials import CredentialError
from integrations.channels.events import MediaRef
from integrations.channels.registry import client_for
from jobs import queues
from jobs.context import get_db, get_storage
from jobs.scheduling import backoff, enqueue, relay_now
from models import outbox_ops as topics
from models.message import Message

log = logging.getLogger(__name__)

MAX_TRIES = 5
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
_INLINE_KEYS = ("base64", "base64Data")
_INLINE_MIN = 16  # shorter strings under those keys are flags, not files


@dataclass(frozen=True)
class _Source:
    channel_type: str
    credentials: dict[str, Any]
    webhook_secret: str
    provider_message_id: str
    ref: MediaRef
    tries: int


def find_inline(raw: Any, depth: int = 0) -> str | None:
    """The inline base64 file somewhere in a raw payload (Evolution: `message.base64`)."""
    if not isinstance(raw, dict) or depth > 4:
        return None
    for key in _INLINE_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and len(value) >= _INLINE_MIN:
            return value
    for value in raw.values():
        found = find_inline(value, depth + 1)
        if found:
            return found
    return None


def strip_inline(raw: Any, depth: int = 0) -> Any:
    """A copy of `raw` without inline files; everything else the provider sent is kept."""
    if not isinstance(raw, dict) or depth > 4:
        return raw
    return {
        key: strip_inline(value, depth + 1)
        for key, value in raw.items()
        if not (key in _INLINE_KEYS and isinstance(value, str) and len(value) >= _INLINE_MIN)
    }


def fetch_media(tenant_id: int, message_id: int) -> str:
    """Download one message's media and store it; retried with backoff, then marked failed with why."""
    source = _source(tenant_id, message_id)
    if source is None:
        return "skip"
    try:
        client = client_for(
            source.channel_type,
            source.credentials,
            webhook_secret=source.webhook_secret,
            timeout=DOWNLOAD_TIMEOUT,
        )
        try:
            downloaded = client.download_media(source.ref, source.provider_message_id)
        finally:
            client.close()
    except ProviderError as exc:
        return _failure(tenant_id, message_id, source, exc)
    except CredentialError as exc:  # the inbox's settings, not the media: say which field
        error = ProviderError(f"{exc.message_pt} Corrija a caixa de entrada.", code="credentials")
        return _failure(tenant_id, message_id, source, error)
    except ValueError as exc:  # undecodable inline base64: no retry can fix the bytes we were given
        error = ProviderError(f"Mídia recebida corrompida: {exc}", code="invalid_media")
        return _failure(tenant_id, message_id, source, error)
    sha256 = get_storage().put(downloaded.content)
    with get_db().tenant_session(tenant_id) as session:
        msg = session.get(Message, message_id, with_for_update=True)
        if msg is None:
            return "skip"
        meta = {k: v for k, v in (msg.media_meta or {}).items() if k != "error"}
        msg.media_sha256 = sha256
        msg.media_size = len(downloaded.content)
        msg.media_mime = downloaded.mime_type or msg.media_mime
        msg.media_filename = msg.media_filename or downloaded.filename
        msg.media_status = "ready"
        msg.media_meta = meta
        if msg.raw and source.ref.inline_base64:
            msg.raw = strip_inline(msg.raw)
        outbox_id = _record_media_change(session, tenant_id, msg)
    relay_now([outbox_id])
    return "ready"


def _record_media_change(session: Session, tenant_id: int, msg: Message) -> int:
    """The outbox row that tells screens a message's media changed; its id, to relay after commit."""
    row = topics.record(
        session,
        tenant_id,
        topics.MESSAGE_UPDATED,
        message_id=msg.id,
        conversation_id=msg.conversation_id,
        change="media",
    )
    session.flush()
    return row.id


def _source(tenant_id: int, message_id: int) -> _Source | None:
    from models.inbox import Inbox

    with get_db().tenant_session(tenant_id) as session:
        msg = session.get(Message, message_id, with_for_update=True)
        if msg is None or msg.media_status != "pending":
            return None
        inbox = session.get(Inbox, msg.inbox_id)
        if inbox is None:
            return None
        meta = dict(msg.media_meta or {})
        tries = int(meta.get("tries", 0)) + 1
        msg.media_meta = {**meta, "tries": tries}
        ref = MediaRef(
            mime_type=msg.media_mime,
            filename=msg.media_filename,
            size=msg.media_size,
            seconds=meta.get("seconds"),
            voice=bool(meta.get("voice")),
            inline_base64=find_inline(msg.raw),
            provider_media_id=meta.get("provider_media_id"),
            url=meta.get("url"),
        )
        return _Source(
            channel_type=str(inbox.channel_type),
            credentials=dict(inbox.credentials or {}),
            webhook_secret=inbox.webhook_secret,
            provider_message_id=msg.provider_message_id or "",
            ref=ref,
            tries=tries,
        )


def _failure(tenant_id: int, message_id: int, source: _Source, exc: ProviderError) -> str:
    if exc.retryable and source.tries < MAX_TRIES:
        enqueue(
            queues.MEDIA,
            "jobs.media.fetch_media",
            tenant_id,
            message_id,
            delay=backoff(source.tries, exc.retry_after),
            job_id=f"media-{message_id}-{source.tries}",
        )
        log.info("media of message %s: try %s failed, retrying: %s", message_id, source.tries, exc.reason)
        return "retry"
    log.warning("media of message %s failed: %s", message_id, exc.reason)
    with get_db().tenant_session(tenant_id) as session:
        msg = session.get(Message, message_id, with_for_update=True)
        if msg is None or msg.media_status != "pending":
            return "skip"
        msg.media_status = "failed"
        msg.media_meta = {**(msg.media_meta or {}), "error": exc.reason, "error_code": exc.code}
        outbox_id = _record_media_change(session, tenant_id, msg)
    relay_now([outbox_id])
    return "failed"
