"""SGP (TSMX) "URA" API stub: `POST /api/ura/<endpoint>/` with `token` + `app` in the body (form or
JSON) or HTTP Basic, answering like the real SGP (wire-formats.md §5).

Scripted customers, their CPFs, phones and contracts: see `tests/stubs/sgp_customers.py`. Endpoints:
`consultacliente` (cpfcnpj | contrato | telefone), `fatura2via`, `pagamento/pix/<fatura>`, `titulos`,
`liberacaopromessa`, `verificaacesso`, `chamado`, `manutencao/list` and `viabilidade` (by CEP; turn it
off with `coverage_supported=False` to play an SGP without it). A trust unlock really unlocks: the
contract turns active and online and its promise is used, so a second unlock is refused like the SGP
does. Knobs (besides `fail_next`, `delay`, `stop` of every stub): `auth_in_body` answers bad credentials
with HTTP 200 and a message instead of 401; `today` fixes the date bills are relative to.
"""

from __future__ import annotations

import base64
import itertools
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from integrations.sgp.fields import digits, phone_matches
from integrations.sgp.pix import build_brcode
from tests.stubs.server import StubServer
from tests.stubs.sgp_customers import (
    COVERED_CEPS,
    OUTAGE_POP,
    ScriptedBill,
    ScriptedContract,
    ScriptedCustomer,
    scripted_customers,
)

APP = "niochat"
TOKEN = "stub-sgp-token"
PROVIDER_CNPJ = "11222333000181"
PROMISE_DAYS = 3
PROMISE_USED_MSG = (
    "O recurso de promessa de pagamento já atingiu quantidade permitida para este contrato. "
    "Procure o atendimento."
)
_ENDPOINTS = (
    "consultacliente",
    "fatura2via",
    "titulos",
    "liberacaopromessa",
    "verificaacesso",
    "chamado",
    "viabilidade",
)


class SgpStub(StubServer):
    provider = "sgp"

    def __init__(
        self,
        *,
        app: str = APP,
        token: str = TOKEN,
        basic_user: str | None = None,
        basic_password: str | None = None,
        coverage_supported: bool = True,
        today: Callable[[], date] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app, self.token = app, token
        self.basic_user, self.basic_password = basic_user, basic_password
        self.coverage_supported = coverage_supported
        self.auth_in_body = False
        self.today: Callable[[], date] = today or date.today
        self.customers: list[ScriptedCustomer] = scripted_customers()
        self.tickets: list[dict[str, Any]] = []
        self.unlocks: list[str] = []  # contract ids unlocked, in order
        self._ids = itertools.count(1)
        self._state = threading.Lock()
        super().__init__(host=host, port=port)

    def routes(self) -> list[Rule]:
        rules = [Rule(f"/api/ura/{name}/", methods=["POST"], endpoint=name) for name in _ENDPOINTS]
        rules.append(Rule("/api/ura/pagamento/pix/<fatura>", methods=["POST"], endpoint="pix"))
        rules.append(Rule("/api/ura/manutencao/list/", methods=["POST"], endpoint="manutencao"))
        rules.append(Rule("/boleto/<fatura>", methods=["GET"], endpoint="boleto"))
        for rule in rules:
            rule.strict_slashes = False
        return rules

    def error_body(self, status: int) -> Any:
        if status == 401:
            return {"status": 0, "msg": "Token ou App inválido"}
        return {"status": 0, "msg": f"Erro interno ({status})"}

    def not_found(self, request: Request) -> Response:
        return Response("<h1>Not Found</h1>", status=404, mimetype="text/html")

    def authenticate(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | None:
        if endpoint == "boleto":  # the bill's public link, opened by the customer's browser
            return None
        fields = self.payload(request)
        if fields.get("token") == self.token and fields.get("app") == self.app:
            return None
        if self.basic_user and _basic(request) == (self.basic_user, self.basic_password or ""):
            return None
        body = {"status": 0, "msg": "Token ou App inválido"}
        return self.json_response(body, 200 if self.auth_in_body else 401)

    def reset(self) -> None:
        """Back to the scripted state (promises unused, tickets gone)."""
        with self._state:
            self.customers = scripted_customers()
            self.tickets.clear()
            self.unlocks.clear()

    # --- lookups ---------------------------------------------------------------------------------------

    def _find(self, fields: dict[str, Any]) -> list[tuple[ScriptedCustomer, ScriptedContract]]:
        contrato = str(fields.get("contrato") or "").strip()
        doc = digits(fields.get("cpfcnpj"))
        phone = digits(fields.get("telefone"))
        found = []
        for customer in self.customers:
            for contract in customer.contracts:
                if (
                    (contrato and contract.contract_id == contrato)
                    or (doc and customer.cpf == doc)
                    or (phone and any(phone_matches(p, phone) for p in customer.phones))
                ):
                    found.append((customer, contract))
        return found

    def _contract(self, fields: dict[str, Any]) -> tuple[ScriptedCustomer, ScriptedContract] | None:
        contrato = str(fields.get("contrato") or "").strip()
        return next(((c, k) for c, k in self._find({"contrato": contrato})), None) if contrato else None

    # --- formatting ------------------------------------------------------------------------------------

    def _money(self, customer: ScriptedCustomer, value: Decimal) -> Any:
        return f"{value:.2f}".replace(".", ",") if customer.legacy else float(value)

    def _date(self, customer: ScriptedCustomer, value: date) -> str:
        return value.strftime("%d/%m/%Y") if customer.legacy else value.isoformat()

    def _due(self, bill: ScriptedBill) -> date:
        return self.today() + timedelta(days=bill.days_from_today)

    def _pix(self, customer: ScriptedCustomer, bill: ScriptedBill) -> str:
        return build_brcode(
            key=PROVIDER_CNPJ,
            amount=bill.amount,
            merchant="PROVEDOR DEMO TELECOM",
            city="SAO PAULO",
            txid=f"FAT{bill.id}",
        )

    def _bill(
        self, customer: ScriptedCustomer, contract: ScriptedContract, bill: ScriptedBill
    ) -> dict[str, Any]:
        line = f"83640000001{bill.amount * 100:011.0f}{contract.contract_id}{bill.id}".ljust(47, "0")[:47]
        return {
            "id": bill.id if customer.legacy else int(bill.id),
            "fatura": bill.id,
            "status": "Em aberto",
            "vencimento": self._date(customer, self._due(bill)),
            "valor": self._money(customer, bill.amount),
            "linhadigitavel": line,
            "codigopix": self._pix(customer, bill),
            "link": f"{self.url}/boleto/{bill.id}",
        }

    def _contract_json(self, customer: ScriptedCustomer, contract: ScriptedContract) -> dict[str, Any]:
        open_amount = sum((b.amount for b in contract.bills), Decimal("0"))
        doc = customer.cpf
        phones: list[Any] = (
            [{"tipo": "Celular", "numero": p} for p in customer.phones]
            if customer.legacy
            else list(customer.phones)
        )
        return {
            "contratoId": contract.contract_id if customer.legacy else int(contract.contract_id),
            "clienteId": int(customer.customer_id),
            "cpfCnpj": f"{doc[:3]}.{doc[3:6]}.{doc[6:9]}-{doc[9:]}",
            "razaoSocial": customer.name,
            "contratoStatus": str(contract.status) if customer.legacy else contract.status,
            "contratoStatusDisplay": _STATUS_DISPLAY[contract.status],
            "contratoValorAberto": self._money(customer, open_amount),
            "servico_plano": contract.plan,
            "planointernet": contract.plan,
            "popNome": contract.pop,
            "endereco_logradouro": contract.street,
            "endereco_numero": contract.number if customer.legacy else int(contract.number),
            "endereco_bairro": contract.district,
            "endereco_cidade": contract.city,
            "email": customer.email,
            "telefones": phones,
        }

    # --- endpoints -------------------------------------------------------------------------------------

    def consultacliente(self, request: Request) -> Response:
        found = self._find(self.payload(request))
        if not found:
            return self.json_response({"msg": "Nenhum contrato localizado", "contratos": []})
        contratos = [self._contract_json(c, k) for c, k in found]
        return self.json_response({"msg": "Contrato(s) Localizado(s)", "contratos": contratos})

    def fatura2via(self, request: Request) -> Response:
        fields = self.payload(request)
        found = self._find({k: fields.get(k) for k in ("contrato", "cpfcnpj")})
        if not found:
            return self.json_response({"status": 0, "msg": "Cliente não encontrado", "links": []})
        if len(found) > 1:
            return self.json_response({"status": 0, "msg": "Favor informar o id do contrato", "links": []})
        customer, contract = found[0]
        links = [self._bill(customer, contract, b) for b in contract.bills]
        doc = customer.cpf
        return self.json_response(
            {
                "status": 1 if links else 0,
                "razaoSocial": customer.name,
                "cpfCnpj": f"{doc[:3]}.{doc[3:6]}.{doc[6:9]}-{doc[9:]}",
                "contratoId": int(contract.contract_id),
                "links": links,
            }
        )

    def titulos(self, request: Request) -> Response:
        fields = self.payload(request)
        match = self._contract(fields)
        bills = []
        if match is not None and fields.get("status", "abertos") == "abertos":
            customer, contract = match
            bills = [self._bill(customer, contract, b) for b in sorted(contract.bills, key=self._due)]
        offset, limit = int(fields.get("offset") or 0), int(fields.get("limit") or 250)
        page = bills[offset : offset + limit]
        paging = {"offset": offset, "limit": limit, "total": len(bills)}
        return self.json_response({"paginacao": paging, "faturas": page})

    def pix(self, request: Request, fatura: str) -> Response:
        match = self._contract(self.payload(request))
        bill = next((b for b in match[1].bills if b.id == fatura), None) if match else None
        if match is None or bill is None:
            return self.json_response({"status": 0, "msg": "Fatura não encontrada para este contrato"})
        return self.json_response({"status": 1, "msg": "Dados do Pix", "pix": self._pix(match[0], bill)})

    def liberacaopromessa(self, request: Request) -> Response:
        fields = self.payload(request)
        with self._state:
            match = self._contract(fields)
            if match is None:
                return self.json_response({"status": 0, "liberado": False, "msg": "Contrato não encontrado"})
            customer, contract = match
            if contract.promise_used:
                return self.json_response({"status": 2, "liberado": False, "msg": PROMISE_USED_MSG})
            if contract.status != 4:
                body = {"status": 2, "liberado": False, "msg": "Contrato não está suspenso."}
                return self.json_response(body)
            promised = _iso(fields.get("data_promessa")) or self.today() + timedelta(days=PROMISE_DAYS)
            contract.status, contract.access, contract.promise_used = 1, "online", True
            self.unlocks.append(contract.contract_id)
            protocol = f"{self.today():%y%m%d}{next(self._ids):06d}"
        return self.json_response(
            {
                "status": 1,
                "liberado": "true" if customer.legacy else True,
                "liberado_dias": str(PROMISE_DAYS) if customer.legacy else PROMISE_DAYS,
                "data_promessa": self._date(customer, promised),
                "protocolo": protocol,
                "msg": f"Contrato liberado por {PROMISE_DAYS} dias. Protocolo {protocol}.",
            }
        )

    def verificaacesso(self, request: Request) -> Response:
        match = self._contract(self.payload(request))
        if match is None:
            return self.json_response({"status": 0, "msg": "Contrato não encontrado"})
        customer, contract = match
        code, msg = {
            "online": (1, "Serviço Online"),
            "offline": (2, "Serviço Offline"),
            "suspended": (4, "Serviço suspenso por pendência financeira"),
        }[contract.access]
        return self.json_response(
            {
                "status": str(code) if customer.legacy else code,
                "msg": msg,
                "contratoId": int(contract.contract_id),
                "login": contract.login,
            }
        )

    def chamado(self, request: Request) -> Response:
        fields = self.payload(request)
        with self._state:
            match = self._contract(fields)
            if match is None:
                return self.json_response({"status": 0, "msg": "Contrato não encontrado"})
            if not str(fields.get("conteudo") or "").strip():
                return self.json_response({"status": 0, "msg": "Informe o conteúdo do chamado"})
            ticket_id = 5000 + next(self._ids)
            protocol = f"{self.today():%y%m%d}{ticket_id:06d}"
            self.tickets.append({"id": ticket_id, "protocolo": protocol, **fields})
        return self.json_response(
            {
                "status": 1,
                "protocolo": protocol,
                "msg": f"Chamado aberto com sucesso. Protocolo {protocol}.",
                "contratoId": int(match[1].contract_id),
                "id": ticket_id,
            }
        )

    def manutencao(self, request: Request) -> Response:
        fields = self.payload(request)
        pop = fields.get("pop")
        match = self._contract(fields)
        if match is not None:
            pop = match[1].pop
        now = datetime.combine(self.today(), datetime.now().time()).replace(microsecond=0)
        items = [
            {
                "id": 31,
                "pop": OUTAGE_POP,
                "descricao": "Rompimento de fibra na região da Pampulha. Equipe em campo.",
                "data_inicio": (now - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"),
                "data_previsao": (now + timedelta(hours=4)).strftime("%Y-%m-%d %H:%M:%S"),
                "status": "Em andamento",
            },
            {
                "id": 32,
                "pop": "POP BATEL",
                "descricao": "Manutenção programada no POP Batel (madrugada).",
                "data_inicio": (now + timedelta(days=2)).strftime("%d/%m/%Y 02:00"),
                "data_previsao": (now + timedelta(days=2)).strftime("%d/%m/%Y 05:00"),
                "status": "Agendada",
            },
        ]
        if pop:
            items = [m for m in items if str(m["pop"]).casefold() == str(pop).casefold()]
        return self.json_response({"status": 1, "manutencoes": items})

    def boleto(self, request: Request, fatura: str) -> Response:
        """The page a bill's `link` opens: enough for the demo to show where the customer lands."""
        for customer in self.customers:
            for contract in customer.contracts:
                for bill in contract.bills:
                    if bill.id == fatura:
                        due = self._due(bill).strftime("%d/%m/%Y")
                        amount = f"{bill.amount:.2f}".replace(".", ",")
                        html = f"<h1>Boleto {fatura}</h1><p>{customer.name}: R$ {amount}, vence {due}</p>"
                        return Response(html, mimetype="text/html")
        return self.not_found(request)

    def viabilidade(self, request: Request) -> Response:
        if not self.coverage_supported:
            return self.not_found(request)
        cep = digits(self.payload(request).get("cep"))
        if cep in COVERED_CEPS:
            return self.json_response(
                {"status": 1, "viavel": True, "msg": "Endereço com viabilidade técnica."}
            )
        return self.json_response(
            {"status": 0, "viavel": False, "msg": "Sem viabilidade para o CEP informado."}
        )


_STATUS_DISPLAY = {1: "Ativo", 2: "Inativo", 3: "Cancelado", 4: "Suspenso", 7: "Ativo V. Reduzida"}


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
