"""SGP JSON → records. Tolerant on purpose: field names and types drift between SGP versions, so each
field is read from every name it is known by, through the total readers of `fields.py`. A record that
lacks what makes it usable (a bill without due date or amount) is skipped, not fatal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from integrations.sgp.fields import (
    bool_of,
    date_of,
    datetime_of,
    digits,
    int_of,
    join_address,
    money,
    phones_of,
    pick,
    text_of,
)
from integrations.sgp.records import (
    STATUS_LABELS,
    AccessStatus,
    Bill,
    Contract,
    Coverage,
    Maintenance,
    Ticket,
    UnlockResult,
)

_LABEL_STATUS = {label.casefold(): code for code, label in STATUS_LABELS.items()}
_LABEL_STATUS.update({"ativo v. reduzida": 7, "reduzido": 7, "suspensa": 4, "bloqueado": 4})
# Only wording about *our* credentials: "não autorizado" alone may be a business refusal ("liberação não
# autorizada para este contrato") and must stay an SgpRefused, not send an admin chasing tokens.
_AUTH_TEXT = re.compile(
    r"credenciais|autentica[çc]|(token|app|appname)\b.{0,40}(inv[aá]lid|incorret|obrigat|n[aã]o autorizad)",
    re.IGNORECASE,
)
_SEVERAL = re.compile(r"informar o id do contrato|mais de um contrato|v[aá]rios contratos", re.IGNORECASE)
_CLOSED_BILL = re.compile(r"pag|cancel|baixad|liquid", re.IGNORECASE)


def message(body: Mapping[str, Any], default: str = "") -> str:
    """The SGP's human message (`msg`, sometimes `mensagem`, `message` or `detail`)."""
    return text_of(pick(body, "msg", "mensagem", "message", "detail", "erro", "error")) or default


def status_code(body: Mapping[str, Any]) -> int | None:
    """The body's `status`: `1`, `"1"`, `true` (→ 1) or `false` (→ 0)."""
    value = body.get("status")
    if isinstance(value, bool):
        return 1 if value else 0
    return int_of(value)


def looks_like_auth_failure(body: Mapping[str, Any]) -> bool:
    """SGPs that answer a bad token with HTTP 200 say so only in `msg`/`detail`."""
    if status_code(body) == 1:
        return False
    return bool(_AUTH_TEXT.search(message(body)))


def asks_for_contract(body: Mapping[str, Any]) -> bool:
    """`fatura2via` by CPF for a customer with several contracts: "Favor informar o id do contrato"."""
    return bool(_SEVERAL.search(message(body)))


def records(body: Any, *keys: str) -> list[dict[str, Any]]:
    """The list of objects under the first key present (or the body itself when it is a list)."""
    value: Any = body
    if isinstance(body, Mapping):
        value = next((body[k] for k in keys if isinstance(body.get(k), list | Mapping)), [])
    if isinstance(value, Mapping):  # one record where a list was expected
        value = [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _name(value: Any) -> str | None:
    """A POP or plan is a name, or an object with the name inside."""
    if isinstance(value, Mapping):
        return text_of(pick(value, "nome", "descricao", "name", "pop"))
    return text_of(value)


def contract(raw: Mapping[str, Any]) -> Contract | None:
    contract_id = text_of(pick(raw, "contratoId", "contrato_id", "contrato", "id"))
    if contract_id is None:
        return None
    label = text_of(pick(raw, "contratoStatusDisplay", "contratoStatusDescricao", "status_display"))
    status = int_of(pick(raw, "contratoStatus", "contrato_status", "status"))
    if status is None:
        status = _LABEL_STATUS.get((label or text_of(raw.get("status")) or "").casefold(), 0)
    return Contract(
        contract_id=contract_id,
        customer_id=text_of(pick(raw, "clienteId", "cliente_id", "idCliente")),
        cpf_cnpj=digits(pick(raw, "cpfCnpj", "cpfcnpj", "cpf_cnpj", "cpf", "cnpj")),
        name=text_of(pick(raw, "razaoSocial", "razao_social", "nome", "cliente", "nomeCliente")) or "",
        status=status,
        status_label=label or STATUS_LABELS.get(status, "Desconhecido"),
        open_amount=money(pick(raw, "contratoValorAberto", "valorAberto", "valor_aberto")),
        plan=_name(pick(raw, "planointernet", "plano", "servico_plano", "planoNome", "plano_nome")),
        pop=_name(pick(raw, "popNome", "pop_nome", "pop")),
        address=join_address(
            pick(raw, "endereco_logradouro", "logradouro", "endereco"),
            pick(raw, "endereco_numero", "numero"),
            pick(raw, "endereco_bairro", "bairro"),
            pick(raw, "endereco_cidade", "cidade"),
        ),
        phones=phones_of(pick(raw, "telefones", "contatos", "telefone", "celular")),
        email=text_of(pick(raw, "email")),
    )


def contracts(body: Any) -> list[Contract]:
    """Every contract of a `consultacliente` answer, once each, in the SGP's order."""
    seen: dict[str, Contract] = {}
    for raw in records(body, "contratos", "contrato", "clientes"):
        parsed = contract(raw)
        if parsed is not None and parsed.contract_id not in seen:
            seen[parsed.contract_id] = parsed
    return list(seen.values())


def bill(raw: Mapping[str, Any]) -> Bill | None:
    bill_id = text_of(pick(raw, "id", "titulo_id", "tituloId", "fatura_id"))
    due = date_of(pick(raw, "vencimento", "dataVencimento", "data_vencimento", "vencimento_original"))
    amount = money(pick(raw, "valorCorrigido", "valor_corrigido", "valor", "valorOriginal"))
    if bill_id is None or due is None or amount is None:
        return None
    return Bill(
        id=bill_id,
        due_date=due,
        amount=amount,
        linha_digitavel=text_of(pick(raw, "linhadigitavel", "linha_digitavel", "linhaDigitavel")),
        pix_code=text_of(pick(raw, "codigopix", "codigoPix", "codigo_pix", "pix", "pixCopiaECola")),
        link=text_of(pick(raw, "link", "link_boleto", "linkBoleto", "url")),
        number=text_of(pick(raw, "fatura", "numero_documento", "numeroDocumento", "documento")),
    )


def open_bills(body: Any) -> list[Bill]:
    """Open bills, oldest due first; bills the SGP marks paid or cancelled are left out."""
    found: dict[str, Bill] = {}
    for raw in records(body, "links", "faturas", "titulos"):
        state = text_of(raw.get("status"))
        if state is not None and int_of(state) is None and _CLOSED_BILL.search(state):
            continue
        parsed = bill(raw)
        if parsed is not None:
            found.setdefault(parsed.id, parsed)
    return sorted(found.values(), key=lambda b: (b.due_date, b.id))


def unlock(body: Mapping[str, Any]) -> UnlockResult | None:
    """A granted unlock, or None when the SGP refused (the caller raises with its message)."""
    granted = bool_of(body.get("liberado"))
    if granted is None:
        granted = status_code(body) == 1
    if not granted:
        return None
    return UnlockResult(
        ok=True,
        days=int_of(pick(body, "liberado_dias", "liberadoDias", "dias")),
        promise_date=date_of(pick(body, "data_promessa", "dataPromessa")),
        protocol=text_of(pick(body, "protocolo", "protocol")),
        message=message(body, "Acesso liberado."),
    )


_ACCESS = {1: "online", 2: "offline", 4: "suspended"}
_ACCESS_DEFAULT = {
    "online": "Serviço online.",
    "offline": "Serviço offline.",
    "suspended": "Serviço suspenso por pendência financeira.",
    "unknown": "Não foi possível saber a situação da conexão.",
}


def access(body: Mapping[str, Any]) -> AccessStatus:
    state = _ACCESS.get(status_code(body) or 0, "unknown")
    return AccessStatus(
        state=state,  # type: ignore[arg-type]  # one of the four literals by construction
        message=message(body, _ACCESS_DEFAULT[state]),
        login=text_of(pick(body, "login", "usuario")),
    )


def ticket(body: Mapping[str, Any]) -> Ticket | None:
    protocol = text_of(pick(body, "protocolo", "protocol", "ocorrencia"))
    if status_code(body) not in (1, None) or protocol is None:
        return None
    return Ticket(
        protocol=protocol,
        id=text_of(pick(body, "id", "ocorrenciaId", "ocorrencia_id")),
        message=message(body, "Chamado aberto."),
    )


def maintenance(raw: Mapping[str, Any], now: datetime) -> Maintenance | None:
    ident = text_of(pick(raw, "id", "manutencao_id", "manutencaoId", "protocolo"))
    if ident is None:
        return None
    start = datetime_of(pick(raw, "data_inicio", "dataInicio", "inicio", "data"))
    end = datetime_of(
        pick(raw, "data_previsao", "previsao", "data_previsao_fim", "previsao_termino", "data_fim", "fim")
    )
    ongoing = bool_of(pick(raw, "em_andamento", "andamento", "ativa", "ativo"))
    if ongoing is None:
        label = text_of(raw.get("status")) or ""
        if re.search(r"andamento|aberta|ativa", label, re.IGNORECASE):
            ongoing = True
        elif re.search(r"finaliz|encerrad|conclu|agendad|planejad", label, re.IGNORECASE):
            ongoing = False
        else:
            ongoing = _within(now, start, end)
    return Maintenance(
        id=ident,
        description=text_of(pick(raw, "descricao", "mensagem", "conteudo", "titulo", "motivo")) or "",
        pop=_name(pick(raw, "pop", "popNome", "pop_nome")),
        start=start,
        forecast_end=end,
        ongoing=ongoing,
    )


def _within(now: datetime, start: datetime | None, end: datetime | None) -> bool:
    if start is None:
        return False
    moment = now if (start.tzinfo is None) == (now.tzinfo is None) else now.replace(tzinfo=start.tzinfo)
    return start <= moment and (end is None or moment < _aligned(end, moment))


def _aligned(value: datetime, like: datetime) -> datetime:
    return value if (value.tzinfo is None) == (like.tzinfo is None) else value.replace(tzinfo=like.tzinfo)


def maintenances(body: Any, now: datetime) -> list[Maintenance]:
    items = [maintenance(raw, now) for raw in records(body, "manutencoes", "manutencao", "dados", "data")]
    return [m for m in items if m is not None]


def coverage(body: Mapping[str, Any]) -> Coverage:
    """`viabilidade` answers either a verdict (`viavel`, `disponivel`) or the list of served addresses."""
    verdict = bool_of(pick(body, "viavel", "viabilidade", "disponivel", "atende"))
    if verdict is None:
        served = records(body, "viabilidade", "enderecos", "resultados", "viabilidades", "dados")
        verdict = bool(served) or status_code(body) == 1
    default = "Atendemos este endereço." if verdict else "Ainda não atendemos este endereço."
    return Coverage(available=verdict, message=message(body, default))
