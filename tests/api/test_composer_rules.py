"""What the composer's server side refuses before anything is stored or queued: a file on a private note,
a text or caption longer than the channel takes; and which failed sends may be tried again."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from models import Message, OutboxEvent
from models.delivery import record_failed
from tests.api.conftest import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"nota com anexo"


def _media_files(app: Any) -> list[Path]:
    root = Path(app.instance_path) / "media"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _send_rows(db: Any) -> int:
    with db.platform_session() as session:
        return len(session.scalars(sa.select(OutboxEvent).where(OutboxEvent.topic == "message.send")).all())


def test_a_note_with_a_file_is_refused_and_nothing_is_stored(as_user, app, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """422 note_text_only before the file is read: no message, no send, no file left in media storage."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    before = _media_files(app)
    response = api.post(
        f"/api/v1/conversations/{conv}/messages",
        data={"file": (io.BytesIO(PNG), "print.png", "image/png"), "text": "só a equipe", "private": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "note_text_only" and "anexo" in error["message"]
    assert _media_files(app) == before and _send_rows(db) == 0
    with db.platform_session() as session:
        assert session.scalar(sa.select(Message).where(Message.text == "só a equipe")) is None


def test_too_long_for_the_channel_is_refused_before_storing(as_user, app, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """WhatsApp takes 4096 characters of text and 1024 of caption: longer is a clear 422, not a failed
    send minutes later; a refused upload leaves no file behind. Notes are not sent, so no caption rule."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    url = f"/api/v1/conversations/{conv}/messages"
    assert api.post(url, json={"text": "a" * 4096}).status_code == 201
    too_long = api.post(url, json={"text": "b" * 4097})
    assert too_long.status_code == 422
    error = too_long.get_json()["error"]
    assert error["code"] == "too_long"
    assert error["message"] == "Mensagem longa demais para o WhatsApp: 4097 caracteres, o máximo é 4096."
    before = _media_files(app)
    caption = api.post(
        url,
        data={"file": (io.BytesIO(PNG), "foto.png", "image/png"), "text": "c" * 1025},
        content_type="multipart/form-data",
    )
    assert caption.status_code == 422
    assert caption.get_json()["error"]["message"] == (
        "Legenda longa demais para o WhatsApp: 1025 caracteres, o máximo é 1024."
    )
    assert _media_files(app) == before
    fits = api.post(
        url,
        data={"file": (io.BytesIO(PNG), "foto.png", "image/png"), "text": "c" * 1024},
        content_type="multipart/form-data",
    )
    assert fits.status_code == 201 and len(_media_files(app)) == len(before) + 1
    assert _send_rows(db) == 2
    note = api.post(url, json={"text": "d" * 3000, "private": True})
    assert note.status_code == 201


def _failed(db: Any, world: World, text: str, **failure: Any) -> int:
    with db.tenant_session(world.tenant) as session:
        message = session.scalar(sa.select(Message).where(Message.text == text))
        assert message is not None
        record_failed(session, message.id, **failure)
        return int(message.id)


def test_only_retryable_failures_are_offered_and_accepted_for_retry(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """`error.retryable` comes from the server: a provider that was down may be tried again (the message
    goes back to pending and is queued once more); a refused number may not (409)."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    url = f"/api/v1/conversations/{conv}/messages"
    for text in ("provedor fora do ar", "numero invalido"):
        assert api.post(url, json={"text": text}).status_code == 201
    down = _failed(
        db, world, "provedor fora do ar", code="timeout", reason="Evolution não respondeu.", retryable=True
    )
    refused = _failed(db, world, "numero invalido", code="invalid_number", reason="Número inválido.")
    listed = {m["id"]: m for m in api.get(url).get_json()["items"]}
    assert listed[down]["error"] == {"code": "timeout", "text": "Evolution não respondeu.", "retryable": True}
    assert listed[refused]["error"]["retryable"] is False
    sends = _send_rows(db)
    again = api.post(f"{url}/{refused}/retry")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_retryable"
    retried = api.post(f"{url}/{down}/retry")
    assert retried.status_code == 200
    assert retried.get_json()["status"] == "pending" and retried.get_json()["error"] is None
    assert _send_rows(db) == sends + 1
    assert api.post(f"{url}/{down}/retry").status_code == 409  # pending now: nothing to retry
    other = as_user("bruno").post(f"{url}/{down}/retry")
    assert other.status_code in (403, 404)
