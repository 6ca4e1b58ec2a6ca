"""The SGP tools: look a customer up, second copy of the bill, PIX, trust unlock, connection status,
ticket, outages. Each returns structured data (every value a reply may cite) and a pt-BR summary.

The two that change something in the SGP (`liberacao_confianca`, `abrir_chamado`) need `confirmado`
(the customer said yes), respect the tenant's `allow_*` switches, and go through the box's once-only
guard, recorded before the call: a retried or killed run never unlocks twice or opens two tickets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.tools.base import ToolBox, ToolResult, digits
from models.documents import InvalidDocument, normalize_cpf_cnpj


def _fmt_brl(value: Decimal | float | None) -> str | None:
    if value is None:
        return None
    from integrations.sgp import format_brl

    return str(format_brl(Decimal(str(value))))


def _fmt_date(value: date | None) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


def _guarded(
    fn: Callable[[ToolBox, dict[str, Any]], ToolResult],
) -> Callable[[ToolBox, dict[str, Any]], ToolResult]:
    """No SGP configured, or the SGP failing, is a failed result with a code — never an exception."""

    def run(box: ToolBox, args: dict[str, Any]) -> ToolResult:
        if box.sgp is None:
            return ToolResult(False, "SGP não configurado para este provedor", error="not_configured")
        from integrations.sgp import SgpAuthError, SgpError, SgpNotFound, SgpRefused, SgpUnavailable

        try:
            return fn(box, args)
        except SgpNotFound as exc:
            return ToolResult(False, exc.message_pt, error="not_found")
        except SgpRefused as exc:
            return ToolResult(False, exc.message_pt, {"message": exc.message_pt}, error="refused")
        except SgpUnavailable as exc:
            return ToolResult(False, exc.message_pt, error="sgp_unavailable")
        except SgpAuthError as exc:
            return ToolResult(False, exc.message_pt, error="sgp_auth")
        except SgpError as exc:
            return ToolResult(False, exc.message_pt, error="sgp_error")

    return run


def contract_data(contract: Any) -> dict[str, Any]:
    return {
        "contrato": str(contract.contract_id),
        "nome": contract.name,
        "status": contract.status_label,
        "suspenso": bool(contract.suspended),
        "plano": contract.plan,
        "pop": contract.pop,
        "endereco": contract.address,
        "valor_aberto": _fmt_brl(contract.open_amount),
    }


def _contract_arg(box: ToolBox, args: dict[str, Any]) -> str:
    contract = digits(args.get("contrato")) or (box.contract_id or "")
    if not contract:
        raise ValueError("informe o contrato (use buscar_cliente antes)")
    return contract


@_guarded
def buscar_cliente(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    raw_doc = args.get("cpfcnpj")
    if raw_doc:
        try:
            doc = normalize_cpf_cnpj(str(raw_doc))
        except InvalidDocument as exc:
            return ToolResult(False, f"CPF/CNPJ inválido ({exc})", error="invalid_document")
        contracts = box.sgp.find_contracts(cpfcnpj=doc)
    elif args.get("contrato"):
        contracts = box.sgp.find_contracts(contrato=digits(args["contrato"]))
    else:
        phone = digits(args.get("telefone")) or digits(box.contact_phone)
        if not phone:
            raise ValueError("informe cpfcnpj, contrato ou telefone")
        contracts = box.sgp.find_contracts(telefone=phone)
    if not contracts:
        return ToolResult(False, "Nenhum cliente encontrado", {"contratos": []}, error="not_found")
    found = [contract_data(c) for c in contracts]
    if len(contracts) == 1:
        box.contract_id = str(contracts[0].contract_id)
    ids = ", ".join(c["contrato"] for c in found)
    summary = (
        f"Cliente {found[0]['nome']} — contrato {ids}"
        if len(found) == 1
        else f"{len(found)} contratos: {ids}"
    )
    return ToolResult(True, summary, {"contratos": found, "documento": contracts[0].cpf_cnpj})


def bill_data(bill: Any, today: date | None) -> dict[str, Any]:
    overdue = bill.is_overdue(today) if today is not None and hasattr(bill, "is_overdue") else None
    return {
        "fatura": str(bill.id),
        "vencimento": _fmt_date(bill.due_date),
        "vencimento_iso": bill.due_date.isoformat() if bill.due_date else None,
        "valor": _fmt_brl(bill.amount),
        "valor_decimal": str(bill.amount),
        "linha_digitavel": bill.linha_digitavel,
        "pix": bill.pix_code,
        "link": bill.link,
        "vencida": overdue,
    }


@_guarded
def segunda_via(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    contract = _contract_arg(box, args)
    bills = box.sgp.open_bills(contract)
    data = [bill_data(b, box.today) for b in bills]
    if not data:
        return ToolResult(
            True,
            f"2ª via do contrato {contract}: nenhuma fatura em aberto",
            {"contrato": contract, "faturas": []},
        )
    return ToolResult(
        True,
        f"2ª via do contrato {contract}: {len(data)} fatura(s) em aberto",
        {"contrato": contract, "faturas": data},
    )


@_guarded
def pix(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    contract = _contract_arg(box, args)
    fatura = str(args.get("fatura") or "").strip()
    if not fatura:
        raise ValueError("informe a fatura (id retornado por segunda_via)")
    code = box.sgp.pix_code(fatura, contract)
    return ToolResult(
        True,
        f"PIX da fatura {fatura} do contrato {contract}",
        {"contrato": contract, "fatura": fatura, "pix": code},
    )


def _once(box: ToolBox, action: str, contract: str) -> ToolResult | None:
    previous = box.once.begin(action, contract)
    if previous is None:
        return None
    if previous.get("status") == "done":
        data = {k: v for k, v in previous.items() if k != "status"}
        return ToolResult(True, f"Já feito nesta conversa: {data.get('summary', '')}".strip(), data)
    return ToolResult(
        False, "Uma tentativa anterior não terminou; um atendente vai conferir", error="in_doubt"
    )


@_guarded
def liberacao_confianca(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    contract = _contract_arg(box, args)
    if not box.allow_trust_unlock:
        return ToolResult(False, "Liberação em confiança desativada pelo provedor", error="not_allowed")
    if args.get("confirmado") is not True:
        return ToolResult(
            False, "Peça a confirmação do cliente antes de liberar", error="confirmation_required"
        )
    stored = _once(box, "liberacao_confianca", contract)
    if stored is not None:
        return stored
    from integrations.sgp import SgpRefused

    try:
        result = box.sgp.trust_unlock(contract)
    except SgpRefused as exc:
        box.once.finish("liberacao_confianca", contract, False, {"message": exc.message_pt})
        raise
    except Exception:
        # Unknown outcome (timeout mid-call): leave the row "started" so no retry unlocks twice.
        raise
    data = {
        "contrato": contract,
        "liberado": result.ok,
        "dias": result.days,
        "data_promessa": _fmt_date(result.promise_date),
        "protocolo": result.protocol,
        "mensagem": result.message,
    }
    summary = f"Liberação em confiança do contrato {contract}: " + ("liberado" if result.ok else "recusada")
    box.once.finish("liberacao_confianca", contract, result.ok, {**data, "summary": summary})
    if not result.ok:
        return ToolResult(False, result.message or summary, data, error="refused")
    return ToolResult(True, summary, data)


@_guarded
def status_conexao(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    contract = _contract_arg(box, args)
    status = box.sgp.access_status(contract)
    labels = {"online": "online", "offline": "offline", "suspended": "suspenso", "unknown": "desconhecido"}
    return ToolResult(
        True,
        f"Conexão do contrato {contract}: {labels.get(status.state, status.state)}",
        {"contrato": contract, "estado": status.state, "mensagem": status.message, "login": status.login},
    )


@_guarded
def abrir_chamado(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    contract = _contract_arg(box, args)
    if not box.allow_open_ticket:
        return ToolResult(False, "Abertura de chamados desativada pelo provedor", error="not_allowed")
    if args.get("confirmado") is not True:
        return ToolResult(
            False, "Peça a confirmação do cliente antes de abrir", error="confirmation_required"
        )
    description = str(args.get("descricao") or "Cliente sem conexão (aberto pela IA)").strip()[:500]
    stored = _once(box, "abrir_chamado", contract)
    if stored is not None:
        return stored
    ticket = box.sgp.open_ticket(
        contract,
        description,
        contato_nome=box.contact_name,
        contato_telefone=digits(box.contact_phone) or None,
    )
    data = {"contrato": contract, "protocolo": ticket.protocol, "mensagem": ticket.message}
    summary = f"Chamado aberto no contrato {contract}: protocolo {ticket.protocol}"
    box.once.finish("abrir_chamado", contract, True, {**data, "summary": summary})
    return ToolResult(True, summary, data)


@_guarded
def manutencoes(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    contract = digits(args.get("contrato")) or box.contract_id
    pop = args.get("pop") or None
    found = box.sgp.maintenances(contrato=contract or None, pop=pop)
    items = [
        {
            "descricao": m.description,
            "pop": m.pop,
            "previsao": m.forecast_end.strftime("%d/%m/%Y %H:%M") if m.forecast_end else None,
            "previsao_hora": m.forecast_end.strftime("%H:%M") if m.forecast_end else None,
            "em_andamento": m.ongoing,
        }
        for m in found
    ]
    where = f"contrato {contract}" if contract else f"POP {pop}" if pop else "provedor"
    return ToolResult(True, f"Manutenções ({where}): {len(items)}", {"manutencoes": items})
