"""`GET /media/<message_id>`: the stored file of a message the caller's conversation rules let them see.

Files come from customers, so they are treated as hostile: `nosniff` stops a browser from guessing that
a "PDF" is HTML, anything but plain images, audio and video is a download (never rendered on our
origin), and a sandboxing CSP covers what is shown inline. Caching is private: the URL is the same for
every user, but only some of them may fetch it.
"""

from __future__ import annotations

import io

from flask import send_file
from flask.typing import ResponseReturnValue

from models.enums import ContentType
from models.message import Message
from web.api.access import api_user_required, conversation_for
from web.api.errors import not_found, register
from web.auth.context import current_user, tenant_session
from web.media import INLINE_IMAGE_TYPES, bp, media_storage

CACHE_SECONDS = 3600
MEDIA_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"

register(bp)


def _inline(content_type: ContentType, mime_type: str) -> bool:
    if content_type in (ContentType.IMAGE, ContentType.STICKER):
        return mime_type in INLINE_IMAGE_TYPES
    if content_type == ContentType.VIDEO:
        return mime_type.startswith("video/")
    if content_type == ContentType.AUDIO:
        return mime_type.startswith("audio/")
    return False


@bp.get("/media/<int:message_id>")
@api_user_required
def media(message_id: int) -> ResponseReturnValue:
    missing = not_found("Arquivo não encontrado.")
    with tenant_session() as session:
        message = session.get(Message, message_id)
        if message is None or message.tenant_id != current_user().tenant_id:
            raise missing
        conversation_for(session, message.conversation_id)
        if message.media_sha256 is None or message.media_status != "ready":
            raise missing
        sha256, kind = message.media_sha256, ContentType(message.content_type)
        mime_type = message.media_mime or "application/octet-stream"
        filename = message.media_filename or f"arquivo-{message.id}"
    storage = media_storage()
    source: io.BytesIO | str
    path = storage.local_path(sha256)
    if path is not None:
        source = str(path)
    else:
        try:
            source = io.BytesIO(storage.get(sha256))
        except FileNotFoundError:
            raise missing from None
    response = send_file(
        source,
        mimetype=mime_type,
        as_attachment=not _inline(kind, mime_type),
        download_name=filename,
        conditional=True,
        etag=sha256,
        max_age=CACHE_SECONDS,
    )
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    return response
