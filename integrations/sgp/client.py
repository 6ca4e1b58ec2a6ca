"""SGP (TSMX) "URA" API client: customer lookup, bills, PIX, trust unlock, access status, tickets,
outages and coverage (wire-formats.md §5).

Every call is a POST under `/api/ura/` with `token` + `app` in the body (form-encoded, or JSON) and/or
HTTP Basic. Reads are repeated on connection failures, timeouts and 5xx (a lookup is harmless to
repeat). The two actions that change the customer's account, `liberacaopromessa` and `chamado`, are sent
exactly once: when the answer is lost after the request left, the error says `outcome_unknown=True` and
the caller (who keeps an idempotency record per conversation) decides, so a worker retry never unlocks
twice or opens two tickets.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from integrations.sgp import parse
from integrations.sgp.errors import (
    SgpAuthError,
    SgpError,
    SgpNotFound,
    SgpRefused,
    SgpSeveralContracts,
    SgpUnavailable,
)
from integrations.sgp.fields import digits, pick, text_of
from integrations.sgp.records import (
    AccessStatus,
    Bill,
    Contract,
    Coverage,
    Maintenance,
    SgpConfig,
    Ticket,
    UnlockResult,
)
from integrations.tls import ssl_context

log = logging.getLogger(__name__)
_TITULOS_PAGE = 250  # the SGP's maximum page for /titulos/


class _Retryable(SgpUnavailable):
    """Internal: an unavailability a read may try again (network, timeout, 5xx, 429)."""

    timed_out = False


class _TimedOut(_Retryable):
    """Internal: no answer within the read timeout. Tried again once only: an SGP that kept a customer
    waiting 10 s will rarely answer the next time, and the customer is waiting on the chat."""

    timed_out = True


_shared: tuple[int, httpx.HTTPTransport] | None = None
_shared_lock = threading.Lock()


def shared_transport() -> httpx.HTTPTransport:
    """This process's connection pool to the SGPs, kept across runs: an attendant's run then reuses the
    open (TLS) connection to its tenant's SGP instead of a new handshake for every customer message.
    Safe to share between tenants: a pool is keyed by origin, and credentials go with each request (in
    the body, or a Basic header). One per process id: a forked worker never inherits its parent's
    sockets."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared[0] != os.getpid():
            # Idle connections are dropped after 4 s, before the shortest common server keep-alive
            # (Apache's 5 s): a reused connection the server already closed could lose an unlock's answer.
            limits = httpx.Limits(max_connections=50, max_keepalive_connections=20, keepalive_expiry=4.0)
            transport = httpx.HTTPTransport(verify=ssl_context(), limits=limits)
            _shared = (os.getpid(), transport)
        return _shared[1]


class SgpClient:
    """One tenant's SGP; use as a context manager or call `close()`. An injected `transport` (a shared
    connection pool, or a test's MockTransport) belongs to the caller and is left open."""

    def __init__(self, config: SgpConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        if not config.base_url:
            raise ValueError("SgpConfig.base_url is required")
        self.config = config
        self._owns_transport = transport is None
        # Admins paste the URL they see in SGP docs: ".../api/ura/" is the same SGP.
        self._base = config.base_url.rstrip("/").removesuffix("/api/ura").rstrip("/")
        auth = None
        if config.basic_user:
            auth = httpx.BasicAuth(config.basic_user, config.basic_password or "")
        self._http = httpx.Client(
            transport=transport,
            auth=auth,
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            headers={"Accept": "application/json", "User-Agent": "NioChat-SGP/1"},
            follow_redirects=False,
            verify=ssl_context(),
        )

    def close(self) -> None:
        if self._owns_transport:
            self._http.close()

    def __enter__(self) -> SgpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def host(self) -> str:
        """The SGP's host name, for messages (never the full URL: it may carry credentials)."""
        return urlsplit(self._base).hostname or "SGP"

    # --- customers -------------------------------------------------------------------------------------

    def find_contracts(
        self, *, cpfcnpj: str | None = None, contrato: str | None = None, telefone: str | None = None
    ) -> list[Contract]:
        """Contracts found by exactly one of CPF/CNPJ, contract id or phone; `[]` when none."""
        given = {k: v for k, v in (("cpfcnpj", cpfcnpj), ("contrato", contrato), ("telefone", telefone)) if v}
        if len(given) != 1:
            raise ValueError("find_contracts takes exactly one of cpfcnpj, contrato, telefone")
        ((key, value),) = given.items()
        value = str(value).strip() if key == "contrato" else digits(value)
        if key == "telefone" and len(value) in (12, 13) and value.startswith("55"):
            value = value[2:]  # the SGP stores national numbers; +55 would match nothing
        body = self._read("consultacliente/", {key: value})
        return parse.contracts(body)

    def find_contract(
        self, *, cpfcnpj: str | None = None, contrato: str | None = None, telefone: str | None = None
    ) -> Contract:
        """The one contract these data name: `SgpNotFound` when none, `SgpSeveralContracts` (carrying
        them, so the customer can be asked which) when more than one."""
        found = self.find_contracts(cpfcnpj=cpfcnpj, contrato=contrato, telefone=telefone)
        if not found:
            raise SgpNotFound()
        if len(found) > 1:
            raise SgpSeveralContracts(contracts=found)
        return found[0]

    # --- bills -----------------------------------------------------------------------------------------

    def open_bills(self, contrato: str) -> list[Bill]:
        """Open bills of a contract, oldest due first (`titulos`, status `abertos`); SGPs without
        `titulos` fall back to `fatura2via`."""
        params = {
            "contrato": str(contrato),
            "status": "abertos",
            "ordenar": "data_vencimento",
            "ordenar_ordem": "asc",
            "offset": "0",
            "limit": str(_TITULOS_PAGE),
        }
        try:
            body = self._read("titulos/", params)
        except SgpUnavailable as exc:
            if exc.status_code != 404:
                raise
            return self.second_copy(contrato=contrato)
        return parse.open_bills(body)

    def second_copy(self, *, contrato: str | None = None, cpfcnpj: str | None = None) -> list[Bill]:
        """`fatura2via`: the open bills with boleto line, PIX and link; `[]` when nothing is open.

        By CPF/CNPJ, a customer with several contracts raises `SgpSeveralContracts` carrying them.
        """
        if bool(contrato) == bool(cpfcnpj):
            raise ValueError("second_copy takes exactly one of contrato, cpfcnpj")
        data = {"contrato": str(contrato)} if contrato else {"cpfcnpj": digits(cpfcnpj)}
        body = self._read("fatura2via/", data)
        if isinstance(body, Mapping) and parse.asks_for_contract(body):
            several = self.find_contracts(cpfcnpj=cpfcnpj) if cpfcnpj else []
            raise SgpSeveralContracts(contracts=several)
        return parse.open_bills(body)

    def pix_code(self, fatura_id: str, contrato: str) -> str:
        """The PIX copia-e-cola of one bill (the SGP generates it on first request)."""
        answer = self._read(f"pagamento/pix/{fatura_id}", {"contrato": str(contrato)})
        body = answer if isinstance(answer, Mapping) else {}
        code = text_of(pick(body, "pix", "codigopix", "codigoPix", "pixCopiaECola", "qrcode"))
        if parse.status_code(body) not in (1, None) or not code:
            raise SgpNotFound(parse.message(body) or "Não foi possível gerar o PIX desta fatura.")
        return code

    # --- actions (never retried) -----------------------------------------------------------------------

    def trust_unlock(self, contrato: str, promise_date: date | None = None) -> UnlockResult:
        """Trust unlock (liberação por confiança). A refusal (already used this month, not suspended…)
        raises `SgpRefused` with the SGP's message; a lost answer raises `SgpUnavailable(outcome_unknown)`."""
        data = {"contrato": str(contrato)}
        if promise_date is not None:
            data["data_promessa"] = promise_date.isoformat()
        body = self._act("liberacaopromessa/", data)
        result = parse.unlock(body)
        if result is None:
            raise SgpRefused(parse.message(body) or "O SGP não liberou o acesso deste contrato.")
        return result

    def open_ticket(
        self,
        contrato: str,
        conteudo: str,
        *,
        ocorrenciatipo: str | None = None,
        contato_nome: str | None = None,
        contato_telefone: str | None = None,
    ) -> Ticket:
        """Open a support ticket (chamado). Sent once; see the module docstring."""
        data = {"contrato": str(contrato), "conteudo": conteudo}
        optional = {
            "ocorrenciatipo": ocorrenciatipo,
            "contato_nome": contato_nome,
            "contato_telefone": contato_telefone,
        }
        data.update({k: str(v) for k, v in optional.items() if v})
        body = self._act("chamado/", data)
        opened = parse.ticket(body)
        if opened is None:
            raise SgpRefused(parse.message(body) or "O SGP não abriu o chamado.")
        return opened

    # --- service ---------------------------------------------------------------------------------------

    def access_status(self, contrato: str) -> AccessStatus:
        """Whether the connection is online, offline or suspended (`status_all` so suspended
        contracts answer too)."""
        return parse.access(self._read("verificaacesso/", {"contrato": str(contrato), "status_all": "1"}))

    def maintenances(
        self, *, contrato: str | None = None, pop: str | None = None, now: datetime | None = None
    ) -> list[Maintenance]:
        """Planned and ongoing outages; with `pop`, only that POP's and the general ones. `now` (in the
        SGP's local time) decides `ongoing` when the SGP does not say it."""
        data = {k: str(v) for k, v in (("contrato", contrato), ("pop", pop)) if v}
        found = parse.maintenances(self._read("manutencao/list/", data), now or datetime.now())
        if pop:
            wanted = pop.casefold()
            found = [m for m in found if m.pop is None or m.pop.casefold() == wanted]
        return found

    def coverage(self, cep: str) -> Coverage | None:
        """Whether the provider serves a CEP (`viabilidade`); None when this SGP does not offer it."""
        try:
            body = self._read("viabilidade/", {"cep": digits(cep)})
        except SgpUnavailable as exc:
            if exc.status_code in (404, 405, 501):
                return None
            raise
        return parse.coverage(body if isinstance(body, Mapping) else {"dados": body})

    def test_connection(self) -> str:
        """One harmless authenticated lookup; a pt-BR sentence on success, an `SgpError` otherwise."""
        self._read("consultacliente/", {"contrato": "0"}, retries=0)
        return f"Conexão com o SGP ({self.host}) funcionando: credenciais aceitas."

    # --- transport -------------------------------------------------------------------------------------

    def _read(self, path: str, data: dict[str, str], *, retries: int | None = None) -> Any:
        attempts = 1 + (self.config.read_retries if retries is None else retries)
        timeouts = 0
        for attempt in range(1, attempts + 1):
            try:
                return self._post(path, data, action=False)
            except _Retryable as exc:
                timeouts += exc.timed_out
                if attempt == attempts or timeouts > 1:
                    log.warning("sgp unavailable", extra={"path": path, "attempts": attempt})
                    raise SgpUnavailable(exc.message_pt, status_code=exc.status_code) from exc
                log.info("sgp read retry", extra={"path": path, "attempt": attempt})
                time.sleep(self.config.retry_backoff * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _act(self, path: str, data: dict[str, str]) -> Any:
        try:
            return self._post(path, data, action=True)
        except _Retryable as exc:
            log.warning("sgp action failed", extra={"path": path, "outcome_unknown": exc.outcome_unknown})
            raise SgpUnavailable(
                exc.message_pt, outcome_unknown=exc.outcome_unknown, status_code=exc.status_code
            ) from exc

    def _body(self, data: dict[str, str]) -> dict[str, Any]:
        creds = {k: v for k, v in (("app", self.config.app), ("token", self.config.token)) if v}
        merged = {**creds, **data}
        return {"json": merged} if self.config.body_format == "json" else {"data": merged}

    def _post(self, path: str, data: dict[str, str], *, action: bool) -> Any:
        url = f"{self._base}/api/ura/{path}"
        started = time.monotonic()
        try:
            response = self._http.post(url, **self._body(data))
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, action=action) from exc
        elapsed_ms = int((time.monotonic() - started) * 1000)
        log.debug("sgp call", extra={"path": path, "status": response.status_code, "ms": elapsed_ms})
        return self._decode(response, action=action)

    def _transport_error(self, exc: httpx.HTTPError, *, action: bool) -> SgpError:
        host = self.host
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return _Retryable(f"O SGP ({host}) não aceitou a conexão a tempo; ele pode estar fora do ar.")
        if isinstance(exc, httpx.ConnectError):
            return _Retryable(f"Não foi possível conectar ao SGP ({host}); ele pode estar fora do ar.")
        if isinstance(exc, httpx.TimeoutException):
            return _TimedOut(f"O SGP ({host}) não respondeu a tempo.", outcome_unknown=action)
        if isinstance(exc, httpx.TransportError):
            return _Retryable(
                f"A conexão com o SGP ({host}) caiu no meio da resposta.", outcome_unknown=action
            )
        return SgpUnavailable(f"Falha ao chamar o SGP ({host}): {type(exc).__name__}.")

    def _decode(self, response: httpx.Response, *, action: bool) -> Any:
        status = response.status_code
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        mapping = body if isinstance(body, Mapping) else {}
        if status in (401, 403) or (status < 300 and mapping and parse.looks_like_auth_failure(mapping)):
            raise SgpAuthError(status_code=status)
        if status >= 500 or status in (408, 429):
            # A 5xx after an action reached the SGP: it may have acted before failing.
            raise _Retryable(
                f"O SGP ({self.host}) respondeu com erro {status}; tente novamente em alguns minutos.",
                status_code=status,
                outcome_unknown=action and status >= 500,
            )
        if status in (400, 409, 422) and parse.message(mapping):
            # The SGP read the request and said why not (a missing field, a closed contract…).
            raise SgpRefused(parse.message(mapping), status_code=status)
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("location", ""))
            where = f"{target.scheme}://{target.hostname}" if target.hostname else "outro endereço"
            raise SgpUnavailable(
                f"O SGP ({self.host}) redirecionou a chamada para {where}; use esse endereço na integração.",
                status_code=status,
            )
        if status >= 300:
            detail = parse.message(mapping) or response.reason_phrase
            raise SgpUnavailable(
                f"O SGP ({self.host}) recusou a chamada (HTTP {status}: {detail}); "
                "confira a URL da integração.",
                status_code=status,
            )
        if body is None:
            raise _Retryable(
                f"O SGP ({self.host}) devolveu uma resposta que não é JSON.",
                status_code=status,
                outcome_unknown=action,
            )
        return body
