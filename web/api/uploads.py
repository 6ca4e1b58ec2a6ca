"""Files agents attach: size-limited, typed by MIME, stored content-addressed before the message row.

WhatsApp refuses most media over 16 MB, so the limit is checked here, where the agent can still pick a
smaller file, rather than by the outbound job minutes later. The kind (image, video, audio, document) is
what the providers send differently; anything a browser could execute or mis-render (SVG, HTML) is a
document, which `/media` always serves as a download.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePath

from flask import request
from werkzeug.datastructures import FileStorage

from models.enums import ContentType
from models.outbound import StoredMedia
from web.api.errors import ApiError, invalid
from web.media import INLINE_IMAGE_TYPES, media_storage

MAX_UPLOAD_BYTES = 16 * 1024 * 1024
_MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers, caption and client_key
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    content: bytes
    mime_type: str
    filename: str | None
    content_type: ContentType


def too_large() -> ApiError:
    return ApiError(413, "file_too_large", "Arquivo grande demais: o limite é de 16 MB.")


def kind_of(mime_type: str) -> ContentType:
    if mime_type in INLINE_IMAGE_TYPES:
        return ContentType.IMAGE
    if mime_type.startswith("video/"):
        return ContentType.VIDEO
    if mime_type.startswith("audio/"):
        return ContentType.AUDIO
    return ContentType.DOCUMENT


def _clean_filename(raw: str | None) -> str | None:
    if not raw:
        return None
    name = _CONTROL.sub("", PurePath(raw.replace("\\", "/")).name).strip()
    return name[:255] or None


def _mime_of(file: FileStorage, filename: str | None) -> str:
    declared = (file.mimetype or "").lower()
    if declared and declared != "application/octet-stream":
        return declared
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    return guessed or "application/octet-stream"


def check_request_size() -> None:
    """Before the body is read: a 200 MB upload is refused without spooling it to disk first."""
    if request.content_length is not None and request.content_length > MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD:
        raise too_large()


def read_upload() -> Upload:
    """The `file` part of a multipart request, read up to the limit."""
    check_request_size()
    file = request.files.get("file")
    if file is None:
        raise invalid("Anexe o arquivo no campo file.", "file")
    content = file.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise too_large()
    if not content:
        raise invalid("O arquivo está vazio.", "file")
    filename = _clean_filename(file.filename)
    mime_type = _mime_of(file, filename)
    return Upload(content, mime_type, filename, kind_of(mime_type))


def media_of(upload: Upload) -> StoredMedia:
    """What the message row records of the file, before the file is stored: the message is validated
    first, so a refused upload (too long a caption, a note with a file) leaves nothing in storage."""
    return StoredMedia(
        sha256=hashlib.sha256(upload.content).hexdigest(),
        mime_type=upload.mime_type,
        size=len(upload.content),
        filename=upload.filename,
    )


def store(upload: Upload) -> StoredMedia:
    """Into media storage; the sha256 is the file's name there and its integrity check."""
    sha256 = media_storage().put(upload.content)
    media = media_of(upload)
    assert media.sha256 == sha256, "media storage names files by their sha256"
    return media
