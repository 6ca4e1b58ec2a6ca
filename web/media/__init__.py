"""Serving stored media (`/media/<message_id>`) to the people allowed to see its conversation.

Outside `/api/v1` because `<img src>`, `<audio src>` and download links in the inbox use it with the
session cookie; API clients use the same URL (`media.url` in a message) with their bearer token.
"""

from __future__ import annotations

from flask import Blueprint

from integrations.storage import LocalMediaStorage, MediaStorage
from web.services import services

bp: Blueprint = Blueprint("media", __name__)
_STORAGE_KEY = "media_storage"
# Image types every browser shows and none executes; others (SVG, TIFF…) are sent and served as documents.
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def media_storage() -> MediaStorage:
    """The store the workers use too (`jobs.context.get_storage`): `<instance>/media`, content-addressed."""
    storage: MediaStorage = services().shared(
        _STORAGE_KEY, lambda svc: LocalMediaStorage(svc.settings.instance_path / "media")
    )
    return storage


from web.media import views  # noqa: E402, F401  (the route registers on `bp`)

__all__ = ["INLINE_IMAGE_TYPES", "bp", "media_storage"]
