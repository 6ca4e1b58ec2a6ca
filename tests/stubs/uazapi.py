"""Uazapi (uazapiGO v2) stub: send, download, read/presence, find, instance and webhook endpoints.

Auth like Uazapi: `token` header of a known instance, `admintoken` for `/instance/init`; otherwise 401
`{"error":"Invalid token"}`. Webhooks carry the instance token in the body (no signature).
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from tests.stubs import uazapi_payloads as p
from tests.stubs.server import StubServer, qr_data_uri

TOKEN = "uaz-instance-token"
ADMIN_TOKEN = "uaz-admin-token"
_SEND_TYPES = {
    "image": "ImageMessage",
    "video": "VideoMessage",
    "document": "DocumentMessage",
    "audio": "AudioMessage",
    "ptt": "AudioMessage",
    "myaudio": "AudioMessage",
    "sticker": "StickerMessage",
}


class UazapiStub(StubServer):
    provider = "uazapi"

    def __init__(
        self,
        *,
        token: str = TOKEN,
        admin_token: str = ADMIN_TOKEN,
        instance_name: str = "isp01",
        owner: str = p.OWNER,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.admin_token = admin_token
        self.instance_name = instance_name
        self.owner = owner
        self.instances: dict[str, dict[str, Any]] = {
            token: {"name": instance_name, "status": "connected", "webhook": None}
        }
        self.history: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.refuse_menus = False  # send/menu answers 400, as instances without interactive messages do
        self._state_lock = threading.Lock()
        # Scripted pairing: after this many status polls of a connecting instance, it connects (as if the
        # phone had read the QR code or typed the pair code). None: only a test changes the status.
        self.connect_after_polls: int | None = None
        self.polls: dict[str, int] = {}
        super().__init__(host=host, port=port)

    def routes(self) -> list[Rule]:
        return [
            Rule("/send/text", methods=["POST"], endpoint="send_text"),
            Rule("/send/media", methods=["POST"], endpoint="send_media"),
            Rule("/send/menu", methods=["POST"], endpoint="send_menu"),
            Rule("/message/download", methods=["POST"], endpoint="download"),
            Rule("/message/markread", methods=["POST"], endpoint="markread"),
            Rule("/message/presence", methods=["POST"], endpoint="presence"),
            Rule("/message/find", methods=["POST"], endpoint="find"),
            Rule("/instance/init", methods=["POST"], endpoint="init_instance"),
            Rule("/instance/connect", methods=["POST"], endpoint="connect"),
            Rule("/instance/status", methods=["GET"], endpoint="status"),
            Rule("/instance/disconnect", methods=["POST"], endpoint="disconnect"),
            Rule("/webhook", methods=["GET", "POST"], endpoint="webhook"),
            Rule("/files/<message_id>", methods=["GET"], endpoint="file"),
        ]

    def error_body(self, status: int) -> Any:
        return {"error": "Invalid token" if status == 401 else f"stub failure {status}"}

    def authenticate(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | None:
        if endpoint == "file":  # fileURL links are public, like Uazapi's storage links
            return None
        if endpoint == "init_instance":
            if request.headers.get("admintoken") != self.admin_token:
                return self.json_response({"error": "Invalid AdminToken"}, 401)
            return None
        if request.headers.get("token") not in self.instances:
            return self.json_response({"error": "Invalid token"}, 401)
        return None

    def _instance(self, request: Request) -> dict[str, Any]:
        return self.instances[str(request.headers.get("token"))]

    # --- send ------------------------------------------------------------------------------------------

    def _sent(self, request: Request, record_kwargs: dict[str, Any]) -> Response:
        body = request.get_json(silent=True) or {}
        number = str(body.get("number") or "")
        if not number:
            return self.json_response({"error": "missing number in payload"}, 400)
        record = p.message_record(
            number=number.split("@")[0],
            from_me=True,
            sent_by_api=True,
            timestamp_ms=int(time.time() * 1000),
            track_id=str(body.get("track_id") or ""),
            quoted=str(body.get("replyid") or ""),
            owner=self.owner,
            **record_kwargs,
        )
        with self._state_lock:
            self.history.append(record)
        answer = {
            **record,
            "status": "Pending",
            "response": {"status": "success", "message": "Message sent successfully"},
        }
        return self.json_response(answer)

    def send_text(self, request: Request) -> Response:
        text = str((request.get_json(silent=True) or {}).get("text") or "")
        if not text:
            return self.json_response({"error": "missing text in payload"}, 400)
        return self._sent(
            request, {"message_type": "ExtendedTextMessage", "text": text, "content": {"text": text}}
        )

    def send_media(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        kind = str(body.get("type") or "")
        if kind not in _SEND_TYPES or not body.get("file"):
            return self.json_response({"error": "invalid media type or missing file"}, 400)
        media_type = "ptt" if kind == "ptt" else kind
        return self._sent(
            request,
            {
                "message_type": _SEND_TYPES[kind],
                "kind": "media",
                "media_type": media_type,
                "text": str(body.get("text") or ""),
            },
        )

    def send_menu(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        if self.refuse_menus:  # an instance without interactive messages (CSAT fallback)
            return self.json_response({"error": "menu messages are not enabled for this instance"}, 400)
        if body.get("type") not in ("button", "list", "poll") or not body.get("choices"):
            return self.json_response({"error": "invalid menu type or missing choices"}, 400)
        message_type = {"button": "ButtonsMessage", "list": "ListMessage", "poll": "PollCreationMessage"}[
            body["type"]
        ]
        return self._sent(request, {"message_type": message_type, "text": str(body.get("text") or "")})

    # --- media, chat -----------------------------------------------------------------------------------

    def download(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        message_id = str(body.get("id") or "").rpartition(":")[2]
        if message_id not in self.media:
            return self.json_response({"error": "message not found"}, 404)
        content, mime = self.media[message_id]
        answer: dict[str, Any] = {
            "fileURL": f"{self.url}/files/{message_id}",
            "mimetype": mime,
            "transcription": "",
        }
        if body.get("return_base64"):
            answer["base64Data"] = base64.b64encode(content).decode()
        return self.json_response(answer)

    def file(self, request: Request, message_id: str) -> Response:
        if message_id not in self.media:
            return Response("not found", status=404)
        content, mime = self.media[message_id]
        return Response(content, mimetype=mime)

    def markread(self, request: Request) -> Response:
        ids = (request.get_json(silent=True) or {}).get("id") or []
        return self.json_response({"success": True, "message": f"{len(ids)} messages marked as read"})

    def presence(self, request: Request) -> Response:
        return self.json_response({"response": "Chat presence sent successfully"})

    def find(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        chatid = body.get("chatid")
        limit, offset = int(body.get("limit") or 50), int(body.get("offset") or 0)
        with self._state_lock:
            records = list(enumerate(self.history))
        if chatid:
            records = [(i, r) for i, r in records if r["chatid"] == chatid]
        records.sort(key=lambda pair: (int(pair[1]["messageTimestamp"]), pair[0]), reverse=True)
        chunk = [r for _, r in records[offset : offset + limit]]
        has_more = offset + limit < len(records)
        answer = {
            "returnedMessages": len(chunk),
            "messages": chunk,
            "limit": limit,
            "offset": offset,
            "nextOffset": offset + len(chunk),
            "hasMore": has_more,
        }
        return self.json_response(answer)

    # --- instance --------------------------------------------------------------------------------------

    def init_instance(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        token = str(uuid.uuid4())
        self.instances[token] = {
            "name": body.get("name") or "instance",
            "status": "disconnected",
            "webhook": None,
        }
        answer = {
            "response": "Instance created successfully",
            "instance": {
                "id": uuid.uuid4().hex,
                "token": token,
                "status": "disconnected",
                "name": body.get("name"),
            },
            "connected": False,
            "loggedIn": False,
            "name": body.get("name"),
            "token": token,
        }
        return self.json_response(answer)

    def connect(self, request: Request) -> Response:
        instance = self._instance(request)
        phone = (request.get_json(silent=True) or {}).get("phone")
        if instance["status"] == "connected":
            return self.json_response(
                {
                    "connected": True,
                    "loggedIn": True,
                    "jid": f"{self.owner}@s.whatsapp.net",
                    "instance": {"status": "connected", "qrcode": "", "paircode": ""},
                }
            )
        instance["status"] = "connecting"
        code = "2@" + uuid.uuid4().hex
        state = {
            "status": "connecting",
            "qrcode": "" if phone else qr_data_uri(code),
            "paircode": "ABCD-1234" if phone else "",
            "name": instance["name"],
        }
        return self.json_response({"connected": False, "loggedIn": False, "jid": None, "instance": state})

    def status(self, request: Request) -> Response:
        instance = self._instance(request)
        if instance["status"] == "connecting" and self.connect_after_polls is not None:
            token = str(request.headers.get("token"))
            self.polls[token] = self.polls.get(token, 0) + 1
            if self.polls[token] >= self.connect_after_polls:
                instance["status"] = "connected"
        status = instance["status"]
        connected = status == "connected"
        return self.json_response(
            {
                "instance": {"status": status, "name": self._instance(request)["name"]},
                "status": {"connected": connected, "loggedIn": connected, "jid": None},
            }
        )

    def disconnect(self, request: Request) -> Response:
        self._instance(request)["status"] = "disconnected"
        return self.json_response({"response": "Disconnected", "instance": {"status": "disconnected"}})

    def webhook(self, request: Request) -> Response:
        instance = self._instance(request)
        if request.method == "POST":
            body = request.get_json(silent=True) or {}
            if not body.get("url"):
                return self.json_response({"error": "url is required"}, 400)
            instance["webhook"] = body
        return self.json_response([instance["webhook"]] if instance["webhook"] else [])

    # --- seeding and webhooks --------------------------------------------------------------------------

    def seed_media(self, message_id: str, content: bytes, mimetype: str) -> None:
        self.media[message_id] = (content, mimetype)

    def seed_history(self, records: list[dict[str, Any]]) -> None:
        with self._state_lock:
            self.history.extend(records)

    def seed_text_history(
        self, n: int, *, number: str = p.CUSTOMER, start_ms: int = p.DEFAULT_TS_MS
    ) -> list[dict[str, Any]]:
        records = [
            p.text_record(
                f"mensagem {i}",
                number=number,
                timestamp_ms=start_ms + 60_000 * i,
                message_id=f"3A7CHIST{i:04d}",
            )
            for i in range(n)
        ]
        self.seed_history(records)
        return records

    def make_webhook(self, record: dict[str, Any]) -> dict[str, Any]:
        base = self.url if self._server else "https://x.uazapi.com"
        return p.webhook(
            record, token=self.token, base_url=base, instance_name=self.instance_name, owner=self.owner
        )

    def make_text_webhook(self, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.make_webhook(p.text_record(text, **kwargs))

    def make_media_webhook(self, kind: str, **kwargs: Any) -> dict[str, Any]:
        return self.make_webhook(p.media_record(kind, **kwargs))

    def make_receipt_webhook(
        self, message_ids: list[str], receipt: str, *, number: str = p.CUSTOMER, timestamp: int = 1785820620
    ) -> dict[str, Any]:
        event = {
            "MessageIDs": message_ids,
            "Chat": f"{number}@s.whatsapp.net",
            "Sender": f"{number}@s.whatsapp.net",
            "IsFromMe": False,
            "IsGroup": False,
            "Timestamp": timestamp,
            "Type": receipt,
        }
        return {
            "EventType": "messages_update",
            "type": "ReadReceipt",
            "state": receipt,
            "event": event,
            "token": self.token,
            "owner": self.owner,
            "instanceName": self.instance_name,
            "BaseUrl": self.url if self._server else "",
        }

    def make_connection_webhook(self, status: str, *, qrcode: str = "", paircode: str = "") -> dict[str, Any]:
        instance = {
            "id": "r1234",
            "name": self.instance_name,
            "status": status,
            "qrcode": qrcode,
            "paircode": paircode,
            "owner": self.owner,
        }
        return {
            "EventType": "connection",
            "instance": instance,
            "instanceName": self.instance_name,
            "owner": self.owner,
            "token": self.token,
            "BaseUrl": self.url if self._server else "",
        }
