"""One HTTP attempt, classified: the only place that turns httpx outcomes into ProviderError.

Retryable: timeouts, connection failures, 408/425/429 and 5xx (the provider or the network will likely
recover). Not retryable: other 4xx (bad number, expired window, wrong token): retrying cannot help, so
the agent must see a readable reason. Providers refine this through their `describe` function (Meta
answers throttling with HTTP 400, for example). Error texts never include URLs: Telegram puts the bot
token in the path.
"""

from __future__ import annotations

import email.utils
import json
import ssl
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

import httpx

from integrations.channels.base import ProviderError

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_MEDIA_BYTES = 100 * 1024 * 1024  # WhatsApp documents top out at 100 MB


class ErrorInfo(NamedTuple):
    """A provider's reading of a failed response. `retryable=None` means "decide by HTTP status"."""

    reason: str
    code: str | None = None
    retryable: bool | None = None
    retry_after: float | None = None


Describe = Callable[[httpx.Response, Any], ErrorInfo]


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds or as an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def status_is_retryable(status: int) -> bool:
    return status in (408, 425, 429) or status >= 500


def decode_json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


@lru_cache(maxsize=1)
def tls() -> ssl.SSLContext:
    """httpx's default verification (certifi's CA bundle), built once per process: loading the bundle for
    every client cost a third of a CSAT survey's send on a busy machine (bench/csat.py)."""
    return httpx.create_ssl_context()


class Transport:
    """A provider's HTTP door: base headers, timeouts, and error classification. Owns its httpx.Client
    only when none was injected (an injected one is shared and closed by whoever made it)."""

    def __init__(
        self,
        provider: str,
        *,
        describe: Describe,
        headers: Mapping[str, str] | None = None,
        client: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        self.provider = provider
        self._describe = describe
        self._headers = dict(headers or {})
        self._timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self._own = client is None
        self._client = client if client is not None else httpx.Client(timeout=self._timeout, verify=tls())

    def close(self) -> None:
        if self._own:
            self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        error: type[ProviderError] = ProviderError,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send one request and return the decoded JSON body (None when empty)."""
        response = self._send(method, url, error=error, headers=headers, **kwargs)
        body = decode_json(response)
        if body is None and response.content:
            raise error(
                f"Resposta inválida de {self.provider} (não é JSON).",
                retryable=False,
                code="invalid_response",
                status_code=response.status_code,
                maybe_sent=True,
            )
        return body

    def download(
        self,
        url: str,
        *,
        error: type[ProviderError] = ProviderError,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_MEDIA_BYTES,
        auth: bool = True,
        **kwargs: Any,
    ) -> tuple[bytes, str | None]:
        """GET raw bytes (streamed, capped) and the Content-Type without parameters.

        `auth=False` drops the provider's base headers: third-party storage must not see our keys.
        """
        merged = {**(self._headers if auth else {}), **(headers or {})}
        try:
            with self._client.stream("GET", url, headers=merged, timeout=self._timeout, **kwargs) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise self._http_error(resp, error)
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise error(
                            f"Arquivo maior que o limite de {max_bytes // (1024 * 1024)} MB.",
                            retryable=False,
                            code="media_too_large",
                        )
                    chunks.append(chunk)
                content_type = resp.headers.get("content-type")
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, error) from exc
        mime = content_type.split(";", 1)[0].strip() if content_type else None
        return b"".join(chunks), mime

    def _send(
        self,
        method: str,
        url: str,
        *,
        error: type[ProviderError],
        headers: Mapping[str, str] | None,
        **kwargs: Any,
    ) -> httpx.Response:
        merged = {**self._headers, **(headers or {})}
        try:
            response = self._client.request(method, url, headers=merged, timeout=self._timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, error) from exc
        if response.status_code >= 400:
            raise self._http_error(response, error)
        return response

    def _http_error(self, response: httpx.Response, error: type[ProviderError]) -> ProviderError:
        info = self._describe(response, decode_json(response))
        status = response.status_code
        retryable = info.retryable if info.retryable is not None else status_is_retryable(status)
        retry_after = info.retry_after if info.retry_after is not None else retry_after_seconds(response)
        return error(
            info.reason,
            retryable=retryable,
            code=info.code or f"http_{status}",
            retry_after=retry_after,
            status_code=status,
        )

    def _transport_error(self, exc: httpx.HTTPError, error: type[ProviderError]) -> ProviderError:
        name = self.provider
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return error(f"Tempo esgotado ao conectar em {name}.", retryable=True, code="timeout")
        if isinstance(exc, httpx.TimeoutException):
            return error(f"{name} não respondeu a tempo.", retryable=True, code="timeout", maybe_sent=True)
        if isinstance(exc, httpx.ConnectError):
            return error(f"Não foi possível conectar em {name}.", retryable=True, code="connection_error")
        if isinstance(exc, httpx.TransportError):
            return error(
                f"Conexão com {name} interrompida.",
                retryable=True,
                code="connection_error",
                maybe_sent=True,
            )
        return error(f"Falha na chamada a {name}: {type(exc).__name__}.", retryable=False, code="http_error")
