"""Evolution API v2 stub: message, chat, instance and webhook endpoints with Evolution's answers.

Auth like Evolution: `apikey` header equal to the global key, or to the instance token on instance
routes; otherwise 401 `{"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}}`.
An unknown instance gets 400 "The \"x\" instance does not exist" (see wire-formats.md).
"""

from __future__ import annotations

import base64
import math
import threading
import time
import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from tests.stubs import evolution_payloads as p
from tests.stubs.server import StubServer, qr_data_uri

API_KEY = "evo-global-key"
INSTANCE_TOKEN = "evo-instance-token"


class EvolutionStub(StubServer):
    provider = "evolution"

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        instance: str = "isp01",
        instance_token: str = INSTANCE_TOKEN,
        owner: str = "5511999990000",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.instance = instance
        self.owner = owner
        self.instances: dict[str, dict[str, Any]] = {
            instance: {"token": instance_token, "state": "open", "webhook": None, "id": str(uuid.uuid4())}
        }
        self.history: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str, str]] = {}
        self.missing_numbers: set[str] = set()
        # Scripted scan: after this many connectionState polls of a connecting instance, it opens (as if
        # the phone had read the QR code). None: it stays connecting until a test sets the state.
        self.connect_after_polls: int | None = None
        self.polls: dict[str, int] = {}
        # Instances whose WhatsApp no longer renders lists/buttons: Evolution answers 400 (CSAT fallback).
        self.refuse_interactive = False
        self._state_lock = threading.Lock()
        super().__init__(host=host, port=port)

    def routes(self) -> list[Rule]:
        return [
            Rule("/message/<action>/<instance>", methods=["POST"], endpoint="send"),
            Rule("/chat/getBase64FromMediaMessage/<instance>", methods=["POST"], endpoint="get_base64"),
            Rule("/chat/markMessageAsRead/<instance>", methods=["POST"], endpoint="mark_read"),
            Rule("/chat/sendPresence/<instance>", methods=["POST"], endpoint="presence"),
            Rule("/chat/findMessages/<instance>", methods=["POST"], endpoint="find_messages"),
            Rule("/instance/create", methods=["POST"], endpoint="create_instance"),
            Rule("/instance/connect/<instance>", methods=["GET"], endpoint="connect"),
            Rule("/instance/connectionState/<instance>", methods=["GET"], endpoint="connection_state"),
            Rule("/instance/logout/<instance>", methods=["DELETE"], endpoint="logout"),
            Rule("/instance/delete/<instance>", methods=["DELETE"], endpoint="delete_instance"),
            Rule("/webhook/set/<instance>", methods=["POST"], endpoint="set_webhook"),
            Rule("/webhook/find/<instance>", methods=["GET"], endpoint="find_webhook"),
        ]

    # --- provider behaviour --------------------------------------------------------------------------

    def error_body(self, status: int) -> Any:
        names = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Internal Server Error"}
        return {
            "status": status,
            "error": names.get(status, "Error"),
            "response": {"message": ["stub failure"]},
        }

    def _bad_request(self, messages: list[Any]) -> Response:
        return self.json_response(
            {"status": 400, "error": "Bad Request", "response": {"message": messages}}, 400
        )

    def authenticate(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | None:
        key = request.headers.get("apikey")
        name = args.get("instance")
        instance = self.instances.get(name) if name else None
        if key != self.api_key and not (instance and key == instance["token"]):
            body = {"status": 401, "error": "Unauthorized", "response": {"message": "Unauthorized"}}
            return self.json_response(body, 401)
        if name and instance is None:
            return self._bad_request([f'The "{name}" instance does not exist'])
        return None

    def send(self, request: Request, action: str, instance: str) -> Response:
        body = request.get_json(silent=True) or {}
        number = str(body.get("number") or "")
        if not number:
            return self._bad_request(['instance requires property "number"'])
        digits = number.split("@")[0]
        if digits in self.missing_numbers:
            return self._bad_request([{"jid": f"{digits}@s.whatsapp.net", "exists": False, "number": digits}])
        if self.refuse_interactive and action in ("sendList", "sendButtons"):
            return self._bad_request([f"{action} is not supported by this instance"])
        message, message_type = p.sent_message(action, body)
        if message is None:
            return self._bad_request([f"Cannot POST /message/{action}"])
        jid = number if "@" in number else f"{digits}@s.whatsapp.net"
        data = p.record(
            message,
            message_type,
            jid=jid,
            from_me=True,
            push_name="",
            status="PENDING",
            timestamp=int(time.time()),
            message_id="BAE5" + uuid.uuid4().hex[:12].upper(),
        )
        with self._state_lock:
            self.history.append({"id": uuid.uuid4().hex, **data, "MessageUpdate": []})
        return self.json_response(data, 201)

    def get_base64(self, request: Request, instance: str) -> Response:
        body = request.get_json(silent=True) or {}
        message_id = str(((body.get("message") or {}).get("key") or {}).get("id") or "")
        if message_id not in self.media:
            return self._bad_request([f"Message {message_id} not found"])
        content, mime, filename = self.media[message_id]
        answer = {
            "mediaType": mime.split("/")[0],
            "fileName": filename,
            "caption": None,
            "size": {"fileLength": str(len(content))},
            "mimetype": mime,
            "base64": base64.b64encode(content).decode(),
        }
        return self.json_response(answer, 201)

    def mark_read(self, request: Request, instance: str) -> Response:
        return self.json_response({"message": "Read messages", "read": "success"}, 201)

    def presence(self, request: Request, instance: str) -> Response:
        return self.json_response({"presence": (request.get_json(silent=True) or {}).get("presence")}, 201)

    def find_messages(self, request: Request, instance: str) -> Response:
        body = request.get_json(silent=True) or {}
        where = body.get("where") or {}
        jid = (where.get("key") or {}).get("remoteJid")
        window = where.get("messageTimestamp") or {}
        page, size = int(body.get("page") or 1), int(body.get("offset") or 50)
        with self._state_lock:
            records = list(enumerate(self.history))
        if jid:
            records = [(i, r) for i, r in records if r["key"]["remoteJid"] == jid]
        if "gte" in window:
            records = [(i, r) for i, r in records if p.epoch(r["messageTimestamp"]) >= p.epoch(window["gte"])]
        if "lte" in window:
            records = [(i, r) for i, r in records if p.epoch(r["messageTimestamp"]) <= p.epoch(window["lte"])]
        records.sort(key=lambda pair: (p.epoch(pair[1]["messageTimestamp"]), pair[0]), reverse=True)
        chunk = [r for _, r in records[(page - 1) * size : page * size]]
        total = len(records)
        paging = {"total": total, "pages": math.ceil(total / size), "currentPage": page, "records": chunk}
        return self.json_response({"messages": paging})

    def create_instance(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        name = str(body.get("instanceName") or "")
        if not name:
            return self._bad_request(['"instanceName" is required'])
        if name in self.instances:
            return self.json_response(
                {
                    "status": 403,
                    "error": "Forbidden",
                    "response": {"message": [f'This name "{name}" is already in use.']},
                },
                403,
            )
        token = uuid.uuid4().hex.upper()
        self.instances[name] = {
            "token": token,
            "state": "connecting",
            "webhook": body.get("webhook"),
            "id": str(uuid.uuid4()),
        }
        qrcode = self._qr(body.get("number"))
        answer = {
            "instance": {
                "instanceName": name,
                "instanceId": self.instances[name]["id"],
                "integration": "WHATSAPP-BAILEYS",
                "status": "connecting",
            },
            "hash": token,
            "webhook": {},
            "settings": {"rejectCall": False, "groupsIgnore": True},
            "qrcode": qrcode,
        }
        return self.json_response(answer, 201)

    def _qr(self, number: Any) -> dict[str, Any]:
        code = "2@" + uuid.uuid4().hex + "," + uuid.uuid4().hex
        pairing = "WZYE-H1YY" if number else None
        return {"pairingCode": pairing, "code": code, "base64": qr_data_uri(code), "count": 1}

    def connect(self, request: Request, instance: str) -> Response:
        state = self.instances[instance]
        if state["state"] == "open":
            return self.json_response({"instance": {"instanceName": instance, "state": "open"}})
        state["state"] = "connecting"
        return self.json_response(self._qr(request.args.get("number")))

    def connection_state(self, request: Request, instance: str) -> Response:
        state = self.instances[instance]
        if state["state"] == "connecting" and self.connect_after_polls is not None:
            self.polls[instance] = self.polls.get(instance, 0) + 1
            if self.polls[instance] >= self.connect_after_polls:
                state["state"] = "open"
        return self.json_response(
            {"instance": {"instanceName": instance, "state": self.instances[instance]["state"]}}
        )

    def logout(self, request: Request, instance: str) -> Response:
        self.instances[instance]["state"] = "close"
        return self.json_response(
            {"status": "SUCCESS", "error": False, "response": {"message": "Instance logged out"}}
        )

    def delete_instance(self, request: Request, instance: str) -> Response:
        del self.instances[instance]
        return self.json_response(
            {"status": "SUCCESS", "error": False, "response": {"message": "Instance deleted"}}
        )

    def set_webhook(self, request: Request, instance: str) -> Response:
        body = request.get_json(silent=True) or {}
        webhook = body.get("webhook") if isinstance(body.get("webhook"), dict) else body
        if not webhook.get("url"):
            return self._bad_request(['webhook requires property "url"'])
        self.instances[instance]["webhook"] = webhook
        answer = {"id": uuid.uuid4().hex, "instanceId": self.instances[instance]["id"], **webhook}
        return self.json_response(answer, 201)

    def find_webhook(self, request: Request, instance: str) -> Response:
        return self.json_response(self.instances[instance]["webhook"] or {})

    # --- seeding and webhooks ------------------------------------------------------------------------

    def seed_media(self, message_id: str, content: bytes, mimetype: str, filename: str) -> None:
        self.media[message_id] = (content, mimetype, filename)

    def seed_history(self, records: list[dict[str, Any]]) -> None:
        with self._state_lock:
            self.history.extend({"id": uuid.uuid4().hex, **r, "MessageUpdate": []} for r in records)

    def seed_text_history(
        self, n: int, *, number: str = p.CUSTOMER, start: int = p.DEFAULT_TS
    ) -> list[dict[str, Any]]:
        """`n` customer messages one minute apart, oldest first; returns the webhook-shaped records."""
        records = []
        for i in range(n):
            message, message_type = p.text_message(f"mensagem {i}")
            records.append(
                p.record(
                    message,
                    message_type,
                    number=number,
                    timestamp=start + 60 * i,
                    message_id=f"3EB0HIST{i:04d}",
                )
            )
        self.seed_history(records)
        return records

    def webhook_headers(self, body: bytes) -> dict[str, str]:
        webhook = self.instances.get(self.instance, {}).get("webhook") or {}
        return {str(k): str(v) for k, v in (webhook.get("headers") or {}).items()}

    def envelope(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        return p.envelope(
            event,
            data,
            instance=self.instance,
            server_url=self.url if self._server else "http://evo:8080",
            owner=self.owner,
        )

    def make_text_webhook(self, text: str, **kwargs: Any) -> dict[str, Any]:
        extended = kwargs.pop("extended", False)
        quoted_id = kwargs.pop("quoted_id", None)
        message, message_type = p.text_message(text, extended=extended, quoted_id=quoted_id)
        return self.envelope("messages.upsert", p.record(message, message_type, **kwargs))

    def make_media_webhook(
        self, kind: str, *, media: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        message, message_type = p.media_message(kind, **(media or {}))
        return self.envelope("messages.upsert", p.record(message, message_type, **kwargs))

    def make_message_webhook(
        self, message: dict[str, Any], message_type: str, **kwargs: Any
    ) -> dict[str, Any]:
        return self.envelope("messages.upsert", p.record(message, message_type, **kwargs))

    def make_status_webhook(
        self, message_id: str, status: str, *, number: str = p.CUSTOMER, from_me: bool = True
    ) -> dict[str, Any]:
        data = {
            "messageId": uuid.uuid4().hex,
            "keyId": message_id,
            "remoteJid": f"{number}@s.whatsapp.net",
            "fromMe": from_me,
            "participant": None,
            "status": status,
            "instanceId": self.instances[self.instance]["id"],
        }
        return self.envelope("messages.update", data)

    def make_connection_webhook(self, state: str, status_reason: int = 200) -> dict[str, Any]:
        data = {
            "instance": self.instance,
            "wuid": f"{self.owner}@s.whatsapp.net",
            "profileName": "Provedor X",
            "state": state,
            "statusReason": status_reason,
        }
        return self.envelope("connection.update", data)

    def make_qrcode_webhook(self, pairing_code: str | None = None) -> dict[str, Any]:
        code = "2@" + uuid.uuid4().hex
        data = {
            "qrcode": {
                "instance": self.instance,
                "pairingCode": pairing_code,
                "code": code,
                "base64": qr_data_uri(code),
            }
        }
        return self.envelope("qrcode.updated", data)
