"""Telegram Bot API stub: `/bot<token>/<method>` (JSON, form or multipart) and `/file/bot<token>/<path>`.

Answers like Telegram: `{"ok":true,"result":…}`, or `{"ok":false,"error_code","description"}` with the
same status (401 Unauthorized for a wrong token, 400 "chat not found", 403 "bot was blocked by the user",
429 with `parameters.retry_after`). Webhooks carry the secret registered with setWebhook.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from tests.stubs.server import StubServer

BOT_TOKEN = "123456:ABC-stub-token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_MEDIA = {
    "sendPhoto": ("photo", "photos", ".jpg"),
    "sendVideo": ("video", "videos", ".mp4"),
    "sendAudio": ("audio", "music", ".mp3"),
    "sendVoice": ("voice", "voice", ".oga"),
    "sendDocument": ("document", "documents", ""),
    "sendSticker": ("sticker", "stickers", ".webp"),
}


def tg_error(code: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class TelegramStub(StubServer):
    provider = "telegram"

    def __init__(self, *, bot_token: str = BOT_TOKEN, host: str = "127.0.0.1", port: int = 0) -> None:
        self.bot_token = bot_token
        self.bot = {
            "id": int(bot_token.split(":")[0]),
            "is_bot": True,
            "first_name": "NioChat",
            "username": "niochat_bot",
        }
        self.files: dict[str, tuple[bytes, str]] = {}  # file_id → (content, file_path)
        self.blocked_chats: set[int] = set()
        self.unknown_chats: set[int] = set()
        self.webhook: dict[str, Any] = {}
        self.answered_callbacks: list[str] = []
        self.edited_texts: list[dict[str, Any]] = []  # editMessageText calls, as received
        self._ids = itertools.count(1000)
        self._updates = itertools.count(10000)
        self._state_lock = threading.Lock()
        super().__init__(host=host, port=port)

    def routes(self) -> list[Rule]:
        return [
            Rule("/bot<token>/<method>", methods=["GET", "POST"], endpoint="api"),
            Rule("/file/bot<token>/<path:file_path>", methods=["GET"], endpoint="file"),
        ]

    def error_body(self, status: int) -> Any:
        names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
        if status == 429:
            return tg_error(429, "Too Many Requests: retry after 5", retry_after=5)
        return tg_error(status, names.get(status, "Internal Server Error"))

    def not_found(self, request: Request) -> Response:
        return self.json_response(tg_error(404, "Not Found"), 404)

    def authenticate(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | None:
        if args.get("token") != self.bot_token:
            return self.json_response(tg_error(401, "Unauthorized"), 401)
        return None

    def _fail(self, code: int, description: str) -> Response:
        return self.json_response(tg_error(code, description), code)

    def _ok(self, result: Any) -> Response:
        return self.json_response({"ok": True, "result": result})

    def api(self, request: Request, token: str, method: str) -> Response:
        fields = self.payload(request)
        handler = getattr(self, f"m_{method}", None)
        if method in _MEDIA:
            return self._send_media(request, method, fields)
        if handler is None:
            return self.not_found(request)
        result: Response = handler(fields)
        return result

    # --- methods ---------------------------------------------------------------------------------------

    def _chat(self, fields: dict[str, Any]) -> tuple[int | None, Response | None]:
        try:
            chat_id = int(fields.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None, self._fail(400, "Bad Request: chat_id is empty")
        if chat_id in self.unknown_chats:
            return None, self._fail(400, "Bad Request: chat not found")
        if chat_id in self.blocked_chats:
            return None, self._fail(403, "Forbidden: bot was blocked by the user")
        return chat_id, None

    def _message(self, chat_id: int, fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._ids),
            "from": self.bot,
            "chat": {"id": chat_id, "first_name": "Ana", "type": "private"},
            "date": int(time.time()),
            **extra,
        }
        markup = fields.get("reply_markup")
        if markup:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message

    def m_sendMessage(self, fields: dict[str, Any]) -> Response:
        chat_id, error = self._chat(fields)
        if error is not None or chat_id is None:
            return error or self._fail(400, "Bad Request")
        text = str(fields.get("text") or "")
        if not text:
            return self._fail(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return self._fail(400, "Bad Request: message is too long")
        markup = fields.get("reply_markup") or {}
        for row in (markup.get("inline_keyboard") or []) if isinstance(markup, dict) else []:
            for button in row:
                if not 1 <= len(str(button.get("callback_data", "x")).encode()) <= 64:
                    return self._fail(400, "Bad Request: BUTTON_DATA_INVALID")
        return self._ok(self._message(chat_id, fields, text=text))

    def _send_media(self, request: Request, method: str, fields: dict[str, Any]) -> Response:
        chat_id, error = self._chat(fields)
        if error is not None or chat_id is None:
            return error or self._fail(400, "Bad Request")
        field, folder, ext = _MEDIA[method]
        upload = request.files.get(field)
        reference = fields.get(field)
        if upload is None and not reference:
            return self._fail(400, f"Bad Request: there is no {field} in the request")
        content = upload.read() if upload is not None else str(reference).encode()
        file_id = "AgAC" + uuid.uuid4().hex
        with self._state_lock:
            path = f"{folder}/file_{len(self.files)}{ext}"
            self.files[file_id] = (content, path)
        info: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": uuid.uuid4().hex[:12],
            "file_size": len(content),
        }
        extra: dict[str, Any] = {field: [dict(info, width=800, height=600)] if field == "photo" else info}
        if fields.get("caption"):
            extra["caption"] = fields["caption"]
        return self._ok(self._message(chat_id, fields, **extra))

    def m_sendChatAction(self, fields: dict[str, Any]) -> Response:
        _, error = self._chat(fields)
        return error or self._ok(True)

    def m_answerCallbackQuery(self, fields: dict[str, Any]) -> Response:
        query_id = fields.get("callback_query_id")
        if not query_id:
            return self._fail(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self.answered_callbacks.append(str(query_id))
        return self._ok(True)

    def m_editMessageText(self, fields: dict[str, Any]) -> Response:
        """Telegram's edit: the message's new text; an omitted reply_markup removes the keyboard."""
        chat_id, error = self._chat(fields)
        if error is not None:
            return error
        if not fields.get("message_id") or not fields.get("text"):
            return self._fail(400, "Bad Request: message to edit not found")
        self.edited_texts.append(dict(fields))
        return self._ok(self._message(int(chat_id or 0), fields, text=fields["text"]))

    def m_setWebhook(self, fields: dict[str, Any]) -> Response:
        url = str(fields.get("url") or "")
        secret = fields.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            return self._fail(400, "Bad Request: secret token contains unallowed characters")
        if url and not url.startswith(("https://", "http://")):
            return self._fail(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        allowed = fields.get("allowed_updates")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": json.loads(allowed) if isinstance(allowed, str) else allowed,
        }
        return self.json_response({"ok": True, "result": True, "description": "Webhook was set"})

    def m_getWebhookInfo(self, fields: dict[str, Any]) -> Response:
        info = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        return self._ok(info)

    def m_getMe(self, fields: dict[str, Any]) -> Response:
        return self._ok(self.bot)

    def m_getFile(self, fields: dict[str, Any]) -> Response:
        file_id = str(fields.get("file_id") or "")
        if file_id not in self.files:
            return self._fail(400, "Bad Request: invalid file_id")
        content, path = self.files[file_id]
        return self._ok(
            {
                "file_id": file_id,
                "file_unique_id": file_id[-12:],
                "file_size": len(content),
                "file_path": path,
            }
        )

    def file(self, request: Request, token: str, file_path: str) -> Response:
        for content, path in self.files.values():
            if path == file_path:
                return Response(content, mimetype="application/octet-stream")
        return self.not_found(request)

    # --- seeding and updates ---------------------------------------------------------------------------

    def seed_file(self, file_id: str, content: bytes, file_path: str) -> None:
        self.files[file_id] = (content, file_path)

    def webhook_headers(self, body: bytes) -> dict[str, str]:
        secret = self.webhook.get("secret_token")
        return {"X-Telegram-Bot-Api-Secret-Token": str(secret)} if secret else {}

    def make_update(self, **payload: Any) -> dict[str, Any]:
        return {"update_id": next(self._updates), **payload}

    def make_message(
        self,
        *,
        chat_id: int = 111,
        first_name: str = "Ana",
        message_id: int | None = None,
        date: int = 1441645532,
        chat_type: str = "private",
        **content: Any,
    ) -> dict[str, Any]:
        user = {
            "id": chat_id if chat_type == "private" else 111,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "pt-br",
        }
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": first_name} if chat_type == "private" else {"title": "Grupo"})
        return {
            "message_id": message_id or next(self._ids),
            "from": user,
            "chat": chat,
            "date": date,
            **content,
        }

    def make_text_update(self, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.make_update(message=self.make_message(text=text, **kwargs))

    make_text_webhook = make_text_update  # same name as the other stubs

    def make_callback_update(
        self,
        data: str,
        *,
        chat_id: int = 111,
        buttons: list[tuple[str, str]] | None = None,
        origin_message_id: int = 1400,
    ) -> dict[str, Any]:
        keyboard = [[{"text": title, "callback_data": bid}] for bid, title in (buttons or [(data, data)])]
        origin = self.make_message(
            chat_id=chat_id, message_id=origin_message_id, text="Como foi o atendimento?"
        )
        origin["from"] = self.bot
        origin["reply_markup"] = {"inline_keyboard": keyboard}
        query = {
            "id": str(uuid.uuid4().int)[:19],
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
            "message": origin,
            "chat_instance": "-7001",
            "data": data,
        }
        return self.make_update(callback_query=query)
