"""SgpClient against the SGP stub: every endpoint with the scripted customers, the three ways to
authenticate, and what happens when the SGP is slow, down or refuses us."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from integrations.sgp import (
    SgpAuthError,
    SgpClient,
    SgpConfig,
    SgpNotFound,
    SgpRefused,
    SgpSeveralContracts,
    SgpUnavailable,
    format_brl,
)
from integrations.sgp.pix import is_valid_brcode
from tests.conftest import free_port
from tests.stubs.sgp import APP, PROMISE_USED_MSG, TOKEN, SgpStub

TODAY = date(2026, 9, 15)
POOL = httpx.HTTPTransport()  # one pool for every test, as production shares one per process


@pytest.fixture
def stub() -> Iterator[SgpStub]:
    with SgpStub(today=lambda: TODAY) as server:
        yield server


def make_client(stub: SgpStub, **overrides: Any) -> SgpClient:
    options: dict[str, Any] = {"base_url": stub.url, "app": APP, "token": TOKEN, "retry_backoff": 0.0}
    return SgpClient(SgpConfig(**{**options, **overrides}), transport=POOL)


@pytest.fixture
def sgp(stub: SgpStub) -> Iterator[SgpClient]:
    with make_client(stub) as client:
        yield client


# --- consultacliente ---------------------------------------------------------------------------------


def test_find_by_cpf_sends_token_and_app_form_encoded(stub: SgpStub, sgp: SgpClient) -> None:
    [contract] = sgp.find_contracts(cpfcnpj="529.982.247-25")
    sent = stub.last_request
    assert (sent.method, sent.path) == ("POST", "/api/ura/consultacliente/")
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.form == {"app": APP, "token": TOKEN, "cpfcnpj": "52998224725"}
    assert (contract.contract_id, contract.name, contract.cpf_cnpj) == ("17402", "MARIA SOUZA", "52998224725")
    assert contract.active and contract.status_label == "Ativo" and contract.open_amount == Decimal("119.90")
    assert contract.address == "RUA X, 523 - CENTRO - SÃO PAULO" and contract.phones == ("11987654321",)


@pytest.mark.parametrize("phone", ["+55 (21) 99876-5432", "5521998765432", "21998765432", "(21) 9876-5432"])
def test_find_by_whatsapp_phone_in_any_spelling(stub: SgpStub, sgp: SgpClient, phone: str) -> None:
    """The number a customer writes from finds them; +55 is dropped because the SGP keeps national numbers."""
    [contract] = sgp.find_contracts(telefone=phone)
    assert contract.name == "JOÃO PEREIRA"
    assert not stub.last_request.form["telefone"].startswith("55")


def test_find_legacy_shape_suspended_customer(sgp: SgpClient) -> None:
    """João's SGP answers with status "4", "239,80" and phone objects: the same typed contract."""
    [contract] = sgp.find_contracts(contrato="17410")
    assert contract.suspended and contract.status == 4 and contract.status_label == "Suspenso"
    assert contract.open_amount == Decimal("239.80") and format_brl(contract.open_amount) == "R$ 239,80"
    assert contract.phones == ("21998765432",)


def test_find_several_contracts_and_nobody(sgp: SgpClient) -> None:
    several = sgp.find_contracts(cpfcnpj="31415926590")
    assert [(c.contract_id, c.status) for c in several] == [("17440", 1), ("17441", 4)]
    assert sgp.find_contracts(cpfcnpj="12345678909") == []
    assert sgp.find_contracts(telefone="+55 99 90000-0000") == []


def test_find_needs_exactly_one_key(sgp: SgpClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        sgp.find_contracts()
    with pytest.raises(ValueError, match="exactly one"):
        sgp.find_contracts(cpfcnpj="52998224725", contrato="17402")


def test_find_contract_one_none_or_several(sgp: SgpClient) -> None:
    assert sgp.find_contract(telefone="+5511987654321").contract_id == "17402"
    with pytest.raises(SgpNotFound) as missing:
        sgp.find_contract(cpfcnpj="12345678909")
    assert missing.value.message_pt == "Nenhum cliente encontrado no SGP com esses dados."
    with pytest.raises(SgpSeveralContracts) as several:
        sgp.find_contract(telefone="11955554444")
    assert [c.contract_id for c in several.value.contracts] == ["17440", "17441"]


def test_base_url_as_pasted_from_the_sgp_docs(stub: SgpStub) -> None:
    with make_client(stub, base_url=stub.url + "/api/ura/") as client:
        assert client.find_contracts(contrato="17402")
    assert stub.last_request.path == "/api/ura/consultacliente/"


# --- bills and PIX -----------------------------------------------------------------------------------


def test_open_bills_oldest_first_with_pix(stub: SgpStub, sgp: SgpClient) -> None:
    bills = sgp.open_bills("17410")
    assert stub.last_request.path == "/api/ura/titulos/"
    assert stub.last_request.form["status"] == "abertos"
    assert [(b.id, b.due_date, b.amount) for b in bills] == [
        ("9101", date(2026, 8, 11), Decimal("119.90")),
        ("9102", date(2026, 9, 10), Decimal("119.90")),
    ]
    assert all(b.is_overdue(TODAY) for b in bills)
    assert all(is_valid_brcode(b.pix_code) for b in bills)
    assert bills[0].linha_digitavel and len(bills[0].linha_digitavel) == 47


def test_nothing_open(sgp: SgpClient) -> None:
    assert sgp.open_bills("17430") == []
    assert sgp.second_copy(contrato="17430") == []


def test_second_copy_by_cpf_and_several_contracts(sgp: SgpClient) -> None:
    [bill] = sgp.second_copy(cpfcnpj="987.654.321-00")
    assert (bill.id, bill.due_date, bill.amount) == ("9601", date(2026, 9, 22), Decimal("89.90"))
    assert not bill.is_overdue(TODAY) and bill.link and bill.link.endswith("/boleto/9601")
    page = httpx.get(bill.link)
    assert page.status_code == 200 and "R$ 89,90, vence 22/09/2026" in page.text
    with pytest.raises(SgpSeveralContracts) as caught:
        sgp.second_copy(cpfcnpj="314.159.265-90")
    assert [c.contract_id for c in caught.value.contracts] == ["17440", "17441"]
    assert "mais de um contrato" in caught.value.message_pt


def test_pix_code_is_a_valid_br_code(stub: SgpStub, sgp: SgpClient) -> None:
    code = sgp.pix_code("9101", "17410")
    assert stub.last_request.path == "/api/ura/pagamento/pix/9101"
    assert stub.last_request.form["contrato"] == "17410"
    assert is_valid_brcode(code) and "5406119.90" in code
    with pytest.raises(SgpNotFound, match="Fatura não encontrada"):
        sgp.pix_code("9999", "17410")


def test_open_bills_falls_back_to_fatura2via_without_titulos() -> None:
    """An SGP without /titulos/ (404) still lists bills, through fatura2via."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/titulos/"):
            return httpx.Response(404, text="<h1>Not Found</h1>")
        link = {"id": "7", "vencimento": "20/09/2026", "valor": "89,90", "codigopix": "000201"}
        return httpx.Response(200, json={"status": 1, "links": [link]})

    client = SgpClient(
        SgpConfig("http://sgp.test", app="a", token="t"), transport=httpx.MockTransport(handler)
    )
    [bill] = client.open_bills("1")
    assert (bill.id, bill.amount, bill.due_date) == ("7", Decimal("89.90"), date(2026, 9, 20))


# --- trust unlock and tickets ------------------------------------------------------------------------


def test_trust_unlock_then_refused_the_second_time(stub: SgpStub, sgp: SgpClient) -> None:
    result = sgp.trust_unlock("17410")
    assert result.ok and result.days == 3 and result.promise_date == date(2026, 9, 18)
    assert result.protocol and result.protocol in result.message
    assert stub.last_request.form == {"app": APP, "token": TOKEN, "contrato": "17410"}
    assert sgp.access_status("17410").state == "online"
    with pytest.raises(SgpRefused) as caught:
        sgp.trust_unlock("17410")
    assert caught.value.message_pt == PROMISE_USED_MSG
    assert stub.unlocks == ["17410"]


def test_trust_unlock_with_promise_date(stub: SgpStub, sgp: SgpClient) -> None:
    result = sgp.trust_unlock("17441", date(2026, 9, 17))
    assert stub.last_request.form["data_promessa"] == "2026-09-17"
    assert result.promise_date == date(2026, 9, 17)


def test_promise_already_used(sgp: SgpClient) -> None:
    with pytest.raises(SgpRefused, match="já atingiu quantidade permitida"):
        sgp.trust_unlock("17450")


def test_open_ticket(stub: SgpStub, sgp: SgpClient) -> None:
    ticket = sgp.open_ticket(
        "17402", "Cliente sem conexão desde ontem", ocorrenciatipo="5", contato_nome="Maria",
        contato_telefone="11987654321",
    )  # fmt: skip
    assert ticket.protocol and ticket.id and ticket.protocol in ticket.message
    assert stub.last_request.form == {
        "app": APP,
        "token": TOKEN,
        "contrato": "17402",
        "conteudo": "Cliente sem conexão desde ontem",
        "ocorrenciatipo": "5",
        "contato_nome": "Maria",
        "contato_telefone": "11987654321",
    }
    with pytest.raises(SgpRefused, match="conteúdo"):
        sgp.open_ticket("17402", " ")


# --- access, outages, coverage -----------------------------------------------------------------------


def test_access_status_online_offline_suspended(sgp: SgpClient) -> None:
    assert sgp.access_status("17460").state == "online"
    offline = sgp.access_status("17402")
    assert (offline.state, offline.login, offline.message) == ("offline", "maria.souza", "Serviço Offline")
    assert sgp.access_status("17410").state == "suspended"  # legacy "4" as a string


def test_outage_on_the_customers_pop(sgp: SgpClient) -> None:
    [outage] = sgp.maintenances(contrato="17420")
    assert outage.pop == "POP PAMPULHA" and outage.ongoing and "fibra" in outage.description
    assert outage.start and outage.forecast_end and outage.start < outage.forecast_end
    assert sgp.maintenances(contrato="17402") == []  # Maria is offline with no outage on POP CENTRO
    planned = [m for m in sgp.maintenances() if m.pop == "POP BATEL"]
    assert len(planned) == 1 and not planned[0].ongoing


def test_coverage_by_cep_or_none_when_not_offered(stub: SgpStub, sgp: SgpClient) -> None:
    covered = sgp.coverage("01310-100")
    assert covered is not None and covered.available
    assert stub.last_request.form["cep"] == "01310100"
    uncovered = sgp.coverage("69900-000")
    assert uncovered is not None and not uncovered.available and uncovered.message
    stub.coverage_supported = False
    assert sgp.coverage("01310-100") is None


# --- authentication ----------------------------------------------------------------------------------


def test_json_body(stub: SgpStub) -> None:
    with make_client(stub, body_format="json") as client:
        assert client.find_contracts(contrato="17402")
    sent = stub.last_request
    assert sent.headers["content-type"] == "application/json"
    assert sent.json == {"app": APP, "token": TOKEN, "contrato": "17402"}


def test_http_basic() -> None:
    with SgpStub(basic_user="ura", basic_password="s3nha") as stub:
        with make_client(stub, app=None, token=None, basic_user="ura", basic_password="s3nha") as client:
            assert client.find_contracts(contrato="17402")
        assert stub.last_request.headers["authorization"].startswith("Basic ")
        assert "token" not in stub.last_request.form
        wrong = make_client(stub, app=None, token=None, basic_user="ura", basic_password="errada")
        with wrong, pytest.raises(SgpAuthError):
            wrong.find_contracts(contrato="17402")


def test_401_is_an_auth_error_and_not_retried(stub: SgpStub) -> None:
    with make_client(stub, token="wrong") as client, pytest.raises(SgpAuthError) as caught:
        client.find_contracts(contrato="17402")
    assert caught.value.status_code == 401 and "credenciais" in caught.value.message_pt
    assert len(stub.requests) == 1


def test_bad_credentials_told_in_a_200_body(stub: SgpStub) -> None:
    stub.auth_in_body = True
    with make_client(stub, token="wrong") as client, pytest.raises(SgpAuthError):
        client.test_connection()


def test_test_connection_sentence(sgp: SgpClient) -> None:
    assert sgp.test_connection() == "Conexão com o SGP (127.0.0.1) funcionando: credenciais aceitas."


# --- failures, timeouts and retries ------------------------------------------------------------------


def test_reads_retried_on_5xx(stub: SgpStub, sgp: SgpClient) -> None:
    stub.fail_next(2, 500)
    assert sgp.find_contracts(contrato="17402")
    assert len(stub.requests_to("consultacliente")) == 3


def test_reads_give_up_after_retries(stub: SgpStub, sgp: SgpClient) -> None:
    stub.fail_next(3, 503)
    with pytest.raises(SgpUnavailable) as caught:
        sgp.open_bills("17410")
    assert caught.value.status_code == 503 and not caught.value.outcome_unknown
    assert len(stub.requests) == 3


@pytest.mark.parametrize("action", ["unlock", "ticket"])
def test_actions_never_retried_on_5xx(stub: SgpStub, sgp: SgpClient, action: str) -> None:
    """A 500 after the request arrived may hide a done unlock/ticket: one request, outcome unknown."""
    stub.fail_next(1, 500)
    with pytest.raises(SgpUnavailable) as caught:
        if action == "unlock":
            sgp.trust_unlock("17410")
        else:
            sgp.open_ticket("17402", "sem internet")
    assert caught.value.outcome_unknown
    assert len(stub.requests) == 1


def test_slow_read_times_out_quickly_after_one_retry(stub: SgpStub) -> None:
    stub.delay(2.0)
    started = time.monotonic()
    with (
        make_client(stub, read_timeout=0.2, read_retries=1) as client,
        pytest.raises(SgpUnavailable) as caught,
    ):
        client.find_contracts(contrato="17402")
    assert time.monotonic() - started < 1.5
    assert "não respondeu a tempo" in caught.value.message_pt
    assert len(stub.requests) == 2


def test_a_read_timeout_is_retried_once_even_with_more_retries_allowed(stub: SgpStub) -> None:
    stub.delay(2.0)
    with make_client(stub, read_timeout=0.2, read_retries=3) as client, pytest.raises(SgpUnavailable):
        client.access_status("17402")
    assert len(stub.requests) == 2


def test_redirect_names_the_new_address() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "https://isp.sgp.net.br/api/ura/consultacliente/"})

    config = SgpConfig("http://isp.sgp.net.br", app="a", token="t")
    client = SgpClient(config, transport=httpx.MockTransport(handler))
    with pytest.raises(SgpUnavailable) as caught:
        client.test_connection()
    assert "redirecionou a chamada para https://isp.sgp.net.br;" in caught.value.message_pt


def test_slow_unlock_is_sent_once_and_its_outcome_unknown(stub: SgpStub) -> None:
    """The SGP unlocks after we gave up waiting: exactly why the caller must not simply retry."""
    stub.delay(0.5)
    with make_client(stub, read_timeout=0.1) as client, pytest.raises(SgpUnavailable) as caught:
        client.trust_unlock("17410")
    assert caught.value.outcome_unknown
    deadline = time.monotonic() + 3
    while not stub.unlocks and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stub.unlocks == ["17410"]
    assert len(stub.requests_to("liberacaopromessa")) == 1


def test_unreachable_sgp() -> None:
    """Nothing listening: reads are retried and fail fast; an action surely never arrived."""
    config = SgpConfig(f"http://127.0.0.1:{free_port()}", app="a", token="t", retry_backoff=0.0)
    with SgpClient(config) as client:
        with pytest.raises(SgpUnavailable, match="Não foi possível conectar ao SGP") as caught:
            client.find_contracts(contrato="1")
        assert not caught.value.outcome_unknown
        with pytest.raises(SgpUnavailable) as caught:
            client.trust_unlock("1")
        assert not caught.value.outcome_unknown


def test_business_refusals_are_not_credential_errors() -> None:
    """A 400 with the SGP's reason, or a 200 saying an unlock is "não autorizada": the SGP said no to
    this request, not to our token."""

    def handler(request: httpx.Request) -> httpx.Response:
        if "chamado" in request.url.path:
            return httpx.Response(400, json={"status": 0, "msg": "Tipo de ocorrência inexistente"})
        return httpx.Response(200, json={"status": 2, "msg": "Liberação não autorizada para este contrato"})

    config = SgpConfig("http://sgp.test", app="a", token="t")
    with SgpClient(config, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SgpRefused, match="Tipo de ocorrência inexistente") as caught:
            client.open_ticket("1", "x", ocorrenciatipo="999")
        assert caught.value.status_code == 400
        with pytest.raises(SgpRefused, match="não autorizada"):
            client.trust_unlock("1")


def test_garbage_and_wrong_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "consultacliente" in request.url.path:
            return httpx.Response(200, text="<html>proxy error</html>")
        return httpx.Response(404, text="nope")

    config = SgpConfig("http://sgp.test", app="a", token="t", retry_backoff=0.0)
    with SgpClient(config, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SgpUnavailable, match="não é JSON"):
            client.find_contracts(contrato="1")
        with pytest.raises(SgpUnavailable, match="HTTP 404") as caught:
            client.access_status("1")
        assert caught.value.status_code == 404


def test_secrets_stay_out_of_repr_and_messages(stub: SgpStub) -> None:
    config = SgpConfig(stub.url, app=APP, token=TOKEN, basic_user="u", basic_password="pw-secret")
    assert TOKEN not in repr(config) and "pw-secret" not in repr(config)
    with make_client(stub, token="wrong-secret") as client, pytest.raises(SgpAuthError) as caught:
        client.find_contracts(contrato="1")
    assert "wrong-secret" not in str(caught.value)


def test_the_shared_pool_is_one_per_process(monkeypatch: Any) -> None:
    """The attendant's runs share one pool (kept-alive connections to the SGPs) per process; a forked
    process (another pid) gets a pool of its own, never its parent's sockets."""
    from integrations.sgp import client as module

    monkeypatch.setattr(module, "_shared", None)
    transport = module.shared_transport()
    assert module.shared_transport() is transport
    monkeypatch.setattr(module.os, "getpid", lambda: -1)
    forked = module.shared_transport()
    assert forked is not transport and module.shared_transport() is forked
    transport.close()
    forked.close()
