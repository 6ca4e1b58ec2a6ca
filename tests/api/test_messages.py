"""Messages: reading pages back and catching up forward, sending text, notes, templates and files, and
serving stored files back through /media only to those who may see them."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import sqlalchemy as sa

from integrations.storage import LocalMediaStorage
from models import Message, OutboxEvent
from models.enums import ContentType
from tests.api.conftest import World, add_conversation

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"imagem de teste"


def _outbox(db, topic: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        return [
            row.payload for row in session.scalars(sa.select(OutboxEvent).where(OutboxEvent.topic == topic))
        ]


def test_messages_page_backwards_and_catch_up_forwards(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """120 messages: pages of 50 back in time, oldest→newest inside each; `after` returns only newer ones."""
    with db.tenant_session(world.tenant) as session:
        conv = add_conversation(
            session,
            world.tenant,
            world.inboxes["whatsapp"],
            name="Longa",
            phone="+5511900001111",
            status="open",
            assignee_id=world.users["ana"],
            texts=tuple(f"mensagem {i}" for i in range(120)),
        )
        conv_id = conv.id
    api, texts, before = as_user("ana"), [], None
    while True:
        body = api.get(
            f"/api/v1/conversations/{conv_id}/messages" + (f"?before={before}" if before else "")
        ).get_json()
        page = [m["text"] for m in body["items"]]
        assert page == sorted(page, key=lambda t: int(t.split()[1]))
        texts = page + texts
        before = body["next_cursor"]
        if before is None:
            break
    assert texts == [f"mensagem {i}" for i in range(120)]
    ids = [
        m["id"] for m in api.get(f"/api/v1/conversations/{conv_id}/messages?limit=100").get_json()["items"]
    ]
    newer = api.get(f"/api/v1/conversations/{conv_id}/messages?after={ids[-3]}").get_json()
    assert [m["id"] for m in newer["items"]] == ids[-2:] and newer["has_more"] is False
    assert newer["next_cursor"] is None
    both = api.get(f"/api/v1/conversations/{conv_id}/messages?after=1&before=abc")
    assert both.status_code == 422


def test_send_text_is_stored_pending_and_scheduled(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """201 with the stored message (pending), a MESSAGE_SEND outbox row; a repeated client_key is a 200."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    sent = api.post(
        f"/api/v1/conversations/{conv}/messages", json={"text": "Vou verificar", "client_key": "k-1"}
    )
    assert sent.status_code == 201
    body = sent.get_json()
    assert (
        body["status"] == "pending"
        and body["direction"] == "outbound"
        and body["sender_user_id"] == world.users["ana"]
    )
    repeat = api.post(
        f"/api/v1/conversations/{conv}/messages", json={"text": "Vou verificar", "client_key": "k-1"}
    )
    assert repeat.status_code == 200 and repeat.get_json()["id"] == body["id"]
    assert [p["message_id"] for p in _outbox(db, "message.send")] == [body["id"]]


def test_private_note_is_stored_but_never_sent(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """An internal note: shown to staff (message list), no delivery status, no MESSAGE_SEND row."""
    api, conv = as_user("ana"), world.convs["bot"]  # Ana watches the AI: she may note, not reply
    note = api.post(f"/api/v1/conversations/{conv}/messages", json={"text": "Cliente VIP", "private": True})
    assert note.status_code == 201
    assert note.get_json()["is_private"] is True and note.get_json()["status"] is None
    assert _outbox(db, "message.send") == []
    listed = api.get(f"/api/v1/conversations/{conv}/messages").get_json()["items"]
    assert listed[-1]["text"] == "Cliente VIP"
    reply = api.post(f"/api/v1/conversations/{conv}/messages", json={"text": "Olá"})
    assert reply.status_code == 403


def test_sending_refusals(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Empty text 422, closed conversation 409, Meta's closed 24-hour window 409, non-JSON body 415."""
    api = as_user("ana")
    empty = api.post(f"/api/v1/conversations/{world.convs['ana_open']}/messages", json={"text": "  "})
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "empty"
    closed = api.post(f"/api/v1/conversations/{world.convs['ana_closed']}/messages", json={"text": "oi"})
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "closed"
    window = api.post(f"/api/v1/conversations/{world.convs['cloud_stale']}/messages", json={"text": "oi"})
    assert window.status_code == 409 and window.get_json()["error"]["code"] == "window_closed"
    assert "24 horas" in window.get_json()["error"]["message"]
    text_plain = api.post(
        f"/api/v1/conversations/{world.convs['ana_open']}/messages", data="oi", content_type="text/plain"
    )
    assert text_plain.status_code == 415


def test_template_goes_out_of_the_window(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """An approved template is accepted after 24 hours, rendered for the thread, with the job's payload."""
    api, conv = as_user("ana"), world.convs["cloud_stale"]
    template = {"name": "retomar", "language": "pt_BR", "parameters": ["Maria", "12345"]}
    sent = api.post(f"/api/v1/conversations/{conv}/messages", json={"template": template})
    assert sent.status_code == 201
    body = sent.get_json()
    assert body["content_type"] == "template"
    assert body["text"] == "Olá Maria, podemos continuar o atendimento do protocolo 12345?"
    assert body["payload"] == {
        "template_name": "retomar",
        "language": "pt_BR",
        "parameters": ["Maria", "12345"],
    }
    wrong = api.post(
        f"/api/v1/conversations/{conv}/messages", json={"template": {**template, "parameters": ["x"]}}
    )
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "template_parameters"
    unknown = api.post(f"/api/v1/conversations/{conv}/messages", json={"template": {"name": "nao-existe"}})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["code"] == "invalid_template"


def test_upload_is_stored_by_sha256_and_served_back(as_user, app, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """A captioned PNG is stored under its sha256; /media serves the same bytes inline, private, nosniff."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    response = api.post(
        f"/api/v1/conversations/{conv}/messages",
        data={
            "file": (io.BytesIO(PNG), "foto.png", "image/png"),
            "text": "Segue a foto",
            "client_key": "up-1",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    body = response.get_json()
    digest = hashlib.sha256(PNG).hexdigest()
    assert body["content_type"] == "image" and body["text"] == "Segue a foto"
    assert body["media"]["url"] == f"/media/{body['id']}" and body["media"]["size"] == len(PNG)
    with db.platform_session() as session:
        assert session.get(Message, body["id"]).media_sha256 == digest
    assert LocalMediaStorage(Path(app.instance_path) / "media").get(digest) == PNG
    served = api.get(body["media"]["url"])
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "private" in served.headers["Cache-Control"] and "public" not in served.headers["Cache-Control"]
    again = api.get(body["media"]["url"], headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304


def test_documents_download_and_hostile_types_never_render(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """A PDF and an SVG are documents: served as attachments with their file name."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    for content, name, mime, disposition in [
        (
            b"%PDF-1.4 boleto",
            "boleto março.pdf",
            "application/pdf",
            "filename*=UTF-8''boleto%20mar%C3%A7o.pdf",
        ),
        (b"<svg onload='alert(1)'/>", "x.svg", "image/svg+xml", "filename=x.svg"),
    ]:
        sent = api.post(
            f"/api/v1/conversations/{conv}/messages",
            data={"file": (io.BytesIO(content), name, mime)},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 201 and sent.get_json()["content_type"] == "document"
        served = api.get(sent.get_json()["media"]["url"])
        assert served.data == content and served.headers["Content-Disposition"].startswith("attachment")
        assert disposition in served.headers["Content-Disposition"]
        assert "sandbox" in served.headers["Content-Security-Policy"]


def test_uploads_over_16_mb_are_refused(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """413 with a message in Portuguese; an empty file or none at all is a 422."""
    api, path = as_user("ana"), f"/api/v1/conversations/{world.convs['ana_open']}/messages"
    big = api.post(
        path,
        data={"file": (io.BytesIO(b"0" * (16 * 1024 * 1024 + 1)), "video.mp4", "video/mp4")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "file_too_large"
    assert "16 MB" in big.get_json()["error"]["message"]
    empty = api.post(
        path, data={"file": (io.BytesIO(b""), "a.txt", "text/plain")}, content_type="multipart/form-data"
    )
    assert empty.status_code == 422
    none = api.post(path, data={"text": "sem arquivo"}, content_type="multipart/form-data")
    assert none.status_code == 422 and none.get_json()["error"]["fields"] == ["file"]


def test_media_only_for_those_who_may_see_the_conversation(as_user, app, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Company B's admin downloads B's file; company A's admin and an agent who cannot see it get 404."""
    digest = LocalMediaStorage(Path(app.instance_path) / "media").put(b"\xff\xd8\xff jpeg")
    with db.platform_session() as session:
        session.get(Message, world.messages["other_media"]).media_sha256 = digest
        bruno_media = Message(
            tenant_id=world.tenant,
            conversation_id=world.convs["bruno_open"],
            inbox_id=world.inboxes["whatsapp"],
            direction="inbound",
            sender_kind="contact",
            content_type=ContentType.IMAGE,
            media_sha256=digest,
            media_mime="image/jpeg",
            media_status="ready",
        )
        session.add(bruno_media)
        session.flush()
        bruno_media_id = bruno_media.id
    url = f"/media/{world.messages['other_media']}"
    assert as_user("other_admin").get(url).status_code == 200
    assert as_user("admin").get(url).status_code == 404
    assert as_user("bruno").get(f"/media/{bruno_media_id}").status_code == 200
    assert as_user("ana").get(f"/media/{bruno_media_id}").status_code == 404


def test_cookie_uploads_need_the_csrf_token(as_browser, world: World) -> None:  # type: ignore[no-untyped-def]
    """The inbox page's multipart upload is a change like any other: refused without X-CSRFToken."""
    api, token = as_browser("ana")
    path = f"/api/v1/conversations/{world.convs['ana_open']}/messages"

    def upload(**headers: str):  # type: ignore[no-untyped-def]
        return api.post(
            path,
            data={"file": (io.BytesIO(PNG), "f.png", "image/png")},
            content_type="multipart/form-data",
            headers=headers,
        )

    assert upload().status_code == 400
    assert upload(**{"X-CSRFToken": token}).status_code == 201
