"""Loopback HTTP stub base: a threaded werkzeug server on 127.0.0.1, port chosen by the OS.

Subclasses declare werkzeug routes whose endpoints are method names, and an `authenticate` hook that
answers like the real provider. Every request is recorded (thread-safe) before anything else, so tests
can assert on exact wire bodies even of requests that were failed on purpose. Knobs: `fail_next`,
`delay`. Run one on its own for the dev runner: `python -m tests.stubs evolution --port 9001`.
"""

from __future__ import annotations

import io
import json
import socket
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)  # name → (filename, bytes, mime)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@dataclass
class _Failure:
    status: int
    body: Any
    headers: dict[str, str]


class _QuietHandler(WSGIRequestHandler):
    timeout = 10  # idle keep-alive connections end on their own

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log(self, *args: Any, **kwargs: Any) -> None:
        pass


class StubServer:
    provider = "stub"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._failures: deque[_Failure] = deque()
        self._delay = 0.0
        self._stopping = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._http: httpx.Client | None = None  # for fire_webhook; building one costs tens of ms
        self.url_map = Map(self.routes())

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> StubServer:
        self._stopping.clear()
        # Bind first: werkzeug's own bind prints to stderr and exits the process when the port is taken,
        # where a caller (the dev runner) wants an OSError it can skip.
        listener = socket.create_server((self._host, self._port))
        try:
            self._server = make_server(
                self._host, self._port, self._wsgi, threaded=True, request_handler=_QuietHandler,
                fd=listener.fileno(),
            )  # fmt: skip
        finally:
            listener.close()  # werkzeug holds its own duplicate of the descriptor
        # Don't wait for handler threads on stop: keep-alive connections of a shared client would block it.
        self._server.block_on_close = False  # type: ignore[attr-defined]
        server = self._server  # a short poll interval keeps stop() (and so each test) fast
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02), name=f"{self.provider}-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed handlers so shutdown is quick
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("stub not started")
        return f"http://{self._host}:{self._server.port}"

    # --- knobs -------------------------------------------------------------------------------------------

    def fail_next(
        self, n: int = 1, status: int = 500, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer the next `n` requests with `status` and `body` (default: the provider's error body)."""
        failure_body = body if body is not None else self.error_body(status)
        with self._lock:
            self._failures.extend(_Failure(status, failure_body, dict(headers or {})) for _ in range(n))

    def delay(self, seconds: float) -> None:
        """Sleep this long before answering every request (0 to stop)."""
        self._delay = seconds

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_part: str) -> list[RecordedRequest]:
        return [r for r in self.requests if path_part in r.path]

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            return self._requests[-1]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # --- webhooks ----------------------------------------------------------------------------------------

    def webhook_headers(self, body: bytes) -> dict[str, str]:
        """Headers the provider adds to a webhook POST (secrets, signatures). Subclasses override."""
        return {}

    def fire_webhook(
        self, url: str, payload: Any, headers: Mapping[str, str] | None = None, *, timeout: float = 5.0
    ) -> httpx.Response:
        """POST `payload` to an app URL exactly as the provider would (same bytes the signature covers)."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        merged = {"Content-Type": "application/json", **self.webhook_headers(body), **(headers or {})}
        if self._http is None:
            self._http = httpx.Client()
        return self._http.post(url, content=body, headers=merged, timeout=timeout)

    # --- for subclasses ----------------------------------------------------------------------------------

    def routes(self) -> list[Rule]:
        return []

    def authenticate(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | None:
        """Return the provider's auth error response, or None to let the request through."""
        return None

    def error_body(self, status: int) -> Any:
        return {"error": f"stub failure {status}"}

    def not_found(self, request: Request) -> Response:
        return self.json_response(self.error_body(404), 404)

    @staticmethod
    def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        return Response(
            json.dumps(body, ensure_ascii=False),
            status=status,
            headers=dict(headers or {}),
            mimetype="application/json",
        )

    @staticmethod
    def payload(request: Request) -> dict[str, Any]:
        """JSON body, form fields or query string: providers (Telegram) accept all three."""
        data = request.get_json(silent=True)
        if isinstance(data, dict):
            return data
        merged: dict[str, Any] = dict(request.args.items())
        merged.update(request.form.items())
        return merged

    # --- WSGI --------------------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        raw = Request(environ).get_data()
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        request = Request(environ)
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.args.items()),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=raw,
            form=dict(request.form.items()),
            files={k: (f.filename or "", f.read(), f.mimetype) for k, f in request.files.items()},
        )
        for upload in request.files.values():
            upload.stream.seek(0)  # recorded above; the handler reads it again
        with self._lock:
            self._requests.append(recorded)
            failure = self._failures.popleft() if self._failures else None
        if self._delay:
            self._stopping.wait(self._delay)
        response = self._respond(request, failure)
        return response(environ, start_response)

    def _respond(self, request: Request, failure: _Failure | None) -> Response:
        if failure is not None:
            return self.json_response(failure.body, failure.status, failure.headers)
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except (NotFound, MethodNotAllowed):
            return self.not_found(request)
        except HTTPException as exc:  # redirects for trailing slashes
            return exc.get_response(request.environ)  # type: ignore[return-value]
        denied = self.authenticate(request, str(endpoint), args)
        if denied is not None:
            return denied
        handler = getattr(self, str(endpoint))
        result: Response = handler(request, **args)
        return result


# 1×1 transparent PNG: the fallback QR image when segno is not installed.
_BLANK_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def qr_data_uri(text: str) -> str:
    """A real, scannable QR image of `text` when segno is available (it is a runtime dependency)."""
    try:
        import segno
    except ImportError:  # pragma: no cover - dependency-light fallback
        return f"data:image/png;base64,{_BLANK_PNG}"
    uri: str = segno.make(text, error="m").png_data_uri(scale=4)
    return uri
