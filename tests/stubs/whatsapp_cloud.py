"""Meta WhatsApp Cloud API stub (Graph v21.0): messages, media upload/info/download, signed webhooks.

Auth like Graph: `Authorization: Bearer <token>` or 401 with OAuthException code 190. Unknown phone number
id → 400 code 100 subcode 33. Recipients in `not_allowed` → 400 code 131030 (test-account allow list).
Message templates of the business account (`waba_id`) come `template_page_size` per page with Graph's
cursor paging (`paging.cursors.after`, `paging.next` absent on the last page).
Point the client's `graph_base_url` at `stub.graph_url`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from tests.stubs import whatsapp_cloud_payloads as p
from tests.stubs.server import StubServer

VERSION = "v21.0"
ACCESS_TOKEN = "EAAG-cloud-token"
APP_SECRET = "cloud-app-secret"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
_NOT_ALLOWED = (
    "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."
)
_NO_OBJECT = (
    "Unsupported {verb} request. Object with ID '{oid}' does not exist, cannot be loaded due to missing "
    "permissions, or does not support this operation."
)


def graph_error(
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    details: str | None = None,
    kind: str = "OAuthException",
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "AbCdEf" + uuid.uuid4().hex[:10],
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


class WhatsAppCloudStub(StubServer):
    provider = "whatsapp_cloud"

    def __init__(
        self,
        *,
        access_token: str = ACCESS_TOKEN,
        phone_number_id: str = PHONE_NUMBER_ID,
        app_secret: str = APP_SECRET,
        waba_id: str = WABA_ID,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.app_secret = app_secret
        self.media: dict[str, tuple[bytes, str]] = {}
        self.sent: list[dict[str, Any]] = []
        self.not_allowed: set[str] = set()
        self.waba_id = waba_id
        self.templates: list[dict[str, Any]] = p.default_templates()
        self.template_page_size = 4  # the seven default templates come in two pages
        super().__init__(host=host, port=port)

    @property
    def graph_url(self) -> str:
        return f"{self.url}/{VERSION}"

    def routes(self) -> list[Rule]:
        return [
            Rule("/<version>/<phone_id>/messages", methods=["POST"], endpoint="messages"),
            Rule("/<version>/<phone_id>/media", methods=["POST"], endpoint="upload"),
            Rule("/<version>/<waba_id>/message_templates", methods=["GET"], endpoint="message_templates"),
            Rule("/<version>/<media_id>", methods=["GET"], endpoint="media_info"),
            Rule("/whatsapp_business/attachments/", methods=["GET"], endpoint="attachment"),
        ]

    def error_body(self, status: int) -> Any:
        if status == 401:
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        if status == 429:
            return graph_error("(#130429) Rate limit hit", 130429)
        return graph_error("An unknown error has occurred.", 1 if status >= 500 else 100)

    def authenticate(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self.json_response(self.error_body(401), 401)
        phone_id = args.get("phone_id")
        if phone_id is not None and phone_id != self.phone_number_id:
            text = _NO_OBJECT.format(verb="post", oid=phone_id)
            return self.json_response(graph_error(text, 100, subcode=33, kind="GraphMethodException"), 400)
        waba_id = args.get("waba_id")
        if waba_id is not None and waba_id != self.waba_id:
            text = _NO_OBJECT.format(verb="get", oid=waba_id)
            return self.json_response(graph_error(text, 100, subcode=33, kind="GraphMethodException"), 400)
        return None

    def messages(self, request: Request, version: str, phone_id: str) -> Response:
        body = request.get_json(silent=True) or {}
        if body.get("messaging_product") != "whatsapp":
            return self.json_response(
                graph_error("(#100) The parameter messaging_product is required.", 100), 400
            )
        if body.get("status") == "read":
            return self.json_response({"success": True})
        to = str(body.get("to") or "")
        kind = body.get("type")
        if not to or not kind or kind not in body:
            return self.json_response(
                graph_error(
                    "(#100) Invalid parameter",
                    100,
                    details="Parameter 'to' and a content object are required",
                ),
                400,
            )
        if to in self.not_allowed:
            details = _NOT_ALLOWED
            return self.json_response(
                graph_error("(#131030) Recipient phone number not in allowed list", 131030, details=details),
                400,
            )
        self.sent.append(body)
        wamid = p.new_wamid()
        entry: dict[str, Any] = {"id": wamid}
        if kind == "template":
            entry["message_status"] = "accepted"
        return self.json_response(
            {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [entry]}
        )

    def message_templates(self, request: Request, version: str, waba_id: str) -> Response:
        """Graph's cursor paging: `after` is an opaque base64 cursor; `next` only while more remain."""
        wanted = [f for f in (request.args.get("fields") or "").split(",") if f]
        limit = min(int(request.args.get("limit") or 25), self.template_page_size)
        after = request.args.get("after")
        start = int(base64.urlsafe_b64decode(after.encode()).decode()) if after else 0
        chunk = self.templates[start : start + limit]
        data = [{k: v for k, v in t.items() if not wanted or k in wanted or k == "id"} for t in chunk]
        cursor = base64.urlsafe_b64encode(str(start + len(chunk)).encode()).decode()
        before = base64.urlsafe_b64encode(str(start).encode()).decode()
        paging: dict[str, Any] = {"cursors": {"before": before, "after": cursor}}
        if start + len(chunk) < len(self.templates):
            query = f"fields={','.join(wanted)}&limit={limit}&after={cursor}"
            paging["next"] = f"{self.url}/{version}/{waba_id}/message_templates?{query}"
        return self.json_response({"data": data, "paging": paging})

    def upload(self, request: Request, version: str, phone_id: str) -> Response:
        uploaded = request.files.get("file")
        if request.form.get("messaging_product") != "whatsapp" or uploaded is None:
            return self.json_response(
                graph_error("(#100) The parameter messaging_product is required.", 100), 400
            )
        media_id = str(uuid.uuid4().int)[:16]
        self.media[media_id] = (uploaded.read(), request.form.get("type") or uploaded.mimetype)
        return self.json_response({"id": media_id})

    def media_info(self, request: Request, version: str, media_id: str) -> Response:
        if media_id not in self.media:
            text = _NO_OBJECT.format(verb="get", oid=media_id)
            return self.json_response(graph_error(text, 100, subcode=33, kind="GraphMethodException"), 400)
        content, mime = self.media[media_id]
        answer = {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/whatsapp_business/attachments/?mid={media_id}&ext=1749416383&hash=ATtest",
            "mime_type": mime,
            "sha256": hashlib.sha256(content).hexdigest(),
            "file_size": len(content),
            "id": media_id,
        }
        return self.json_response(answer)

    def attachment(self, request: Request) -> Response:
        media_id = request.args.get("mid", "")
        if media_id not in self.media:
            return Response("", status=404)
        content, mime = self.media[media_id]
        return Response(content, mimetype=mime)

    # --- seeding and webhooks --------------------------------------------------------------------------

    def seed_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        self.media[media_id] = (content, mime_type)

    def signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    def webhook_headers(self, body: bytes) -> dict[str, str]:
        return {"X-Hub-Signature-256": self.signature(body), "User-Agent": "facebookexternalua"}

    def make_webhook(self, **kwargs: Any) -> dict[str, Any]:
        return p.envelope(phone_number_id=self.phone_number_id, **kwargs)

    def make_text_webhook(self, text: str, *, name: str = "Maria", **kwargs: Any) -> dict[str, Any]:
        message = p.text(text, **kwargs)
        return self.make_webhook(messages=[message], names={message["from"]: name})

    def make_status_webhook(self, message_id: str, state: str, **kwargs: Any) -> dict[str, Any]:
        return self.make_webhook(statuses=[p.status(message_id, state, **kwargs)])
