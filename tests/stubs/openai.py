"""OpenAI-compatible stub (wire-formats.md §6): `POST /v1/chat/completions` with scripted answers (tool
calls or text), `POST /v1/audio/transcriptions`, Bearer auth (401 `invalid_api_key`), and the usual
`fail_next(status=429|500)`.

Transcription answers `stub.transcription`, or the next of `stub.script_transcripts(...)`; like the real
API it refuses (400) a request without a `file` part or a `model` field.

A test scripts the model: `stub.script(tool_call("segunda_via", {"contrato": "17402"}), text("..."))`;
each chat request takes the next step. With no script left it answers a polite text. `arguments` may be
given as a raw string to play a model sending invalid JSON. Requests are recorded, so a test reads the
tool results the attendant sent back (`stub.chat_requests()[-1]["messages"]`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from tests.stubs.server import StubServer

API_KEY = "sk-test-openai-stub"
DEFAULT_TEXT = "Certo! Como posso ajudar?"


def tool_call(name: str, arguments: dict[str, Any] | str) -> dict[str, Any]:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"tool_calls": [(name, raw)]}


def tool_calls(*calls: tuple[str, dict[str, Any] | str]) -> dict[str, Any]:
    return {"tool_calls": [(n, a if isinstance(a, str) else json.dumps(a)) for n, a in calls]}


def text(content: str) -> dict[str, Any]:
    return {"content": content}


class OpenAIStub(StubServer):
    provider = "openai"

    def __init__(self, *, api_key: str = API_KEY, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api_key = api_key
        self._steps: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1)
        self._script_lock = threading.Lock()
        self.transcription = "quero a segunda via"
        self._transcripts: deque[str] = deque()
        super().__init__(host=host, port=port)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def routes(self) -> list[Rule]:
        return [
            Rule("/v1/chat/completions", methods=["POST"], endpoint="chat"),
            Rule("/v1/audio/transcriptions", methods=["POST"], endpoint="transcribe"),
        ]

    def script(self, *steps: dict[str, Any]) -> None:
        with self._script_lock:
            self._steps.extend(steps)

    def error_body(self, status: int) -> Any:
        codes = {401: ("invalid_api_key", "invalid_request_error"), 429: ("rate_limit_exceeded", "requests")}
        code, kind = codes.get(status, ("server_error", "server_error"))
        return {"error": {"message": f"stub error {status}", "type": kind, "param": None, "code": code}}

    def authenticate(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self.json_response(self.error_body(401), 401)
        return None

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r.json for r in self.requests if r.path.endswith("/chat/completions") and r.json]

    def chat(self, request: Request) -> Response:
        body = request.get_json(silent=True) or {}
        with self._script_lock:
            step = self._steps.popleft() if self._steps else text(DEFAULT_TEXT)
        message: dict[str, Any] = {"role": "assistant", "content": step.get("content")}
        finish = "stop"
        if step.get("tool_calls"):
            message["tool_calls"] = [
                {"id": f"call_{next(self._ids)}", "type": "function", "function": {"name": n, "arguments": a}}
                for n, a in step["tool_calls"]
            ]
            finish = "tool_calls"
        return self.json_response(
            {
                "id": f"chatcmpl-{next(self._ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "gpt-4o-mini"),
                "choices": [{"index": 0, "finish_reason": finish, "message": message}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )

    def script_transcripts(self, *texts: str) -> None:
        with self._script_lock:
            self._transcripts.extend(texts)

    def transcription_requests(self) -> list[Any]:
        return [r for r in self.requests if r.path.endswith("/audio/transcriptions")]

    def transcribe(self, request: Request) -> Response:
        upload = request.files.get("file")
        if upload is None or not request.form.get("model"):
            missing = "file" if upload is None else "model"
            body = {"error": {"message": f"Missing required parameter: '{missing}'.",
                              "type": "invalid_request_error", "param": missing, "code": None}}  # fmt: skip
            return self.json_response(body, 400)
        with self._script_lock:
            said = self._transcripts.popleft() if self._transcripts else self.transcription
        if request.form.get("response_format") == "text":
            return Response(said, mimetype="text/plain")
        return self.json_response({"text": said})
