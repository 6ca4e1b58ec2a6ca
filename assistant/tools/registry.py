"""The nine tools, with the JSON Schemas the model engine sends and the verbs the inbox timeline shows.

The conversation tools (`transferir_para_humano`, `encerrar`) only mark the box: the runner applies the
hand-off or the close after the turn, in the same transaction as the replies.
"""

from __future__ import annotations

from typing import Any

from assistant.tools import sgp_tools as sgp
from assistant.tools.base import ToolBox, ToolResult, ToolSpec


def _transferir(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    from assistant.engine import Handoff
    from assistant.policy import normalize_reason, reason_label

    code = normalize_reason(str(args.get("motivo") or ""))
    detail = str(args.get("detalhe") or "").strip()[:300] or None
    box.handoff = Handoff(code, detail)
    return ToolResult(True, f"Transferido para humano: {reason_label(code)}", {"motivo": code})


def _encerrar(box: ToolBox, args: dict[str, Any]) -> ToolResult:
    box.close = True
    return ToolResult(True, "Atendimento encerrado pela IA", {})


_CONTRACT = {"type": "string", "description": "Número do contrato (de buscar_cliente)"}
_CONFIRM = {"type": "boolean", "description": "true somente depois que o cliente confirmou explicitamente"}


def _schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": False,
    }


SPECS = [
    ToolSpec(
        "buscar_cliente",
        "Identifica o cliente no SGP pelo telefone do WhatsApp (sem argumentos), pelo CPF/CNPJ "
        "ou pelo contrato.",
        _schema({"cpfcnpj": {"type": "string"}, "contrato": _CONTRACT, "telefone": {"type": "string"}}),
        sgp.buscar_cliente,
        "identificou o cliente",
    ),
    ToolSpec(
        "segunda_via",
        "Faturas em aberto do contrato (vencimento, valor, linha digitável, PIX, link).",
        _schema({"contrato": _CONTRACT}),
        sgp.segunda_via,
        "consultou a 2ª via",
    ),
    ToolSpec(
        "pix",
        "Código PIX copia-e-cola de uma fatura.",
        _schema({"contrato": _CONTRACT, "fatura": {"type": "string"}}, ["fatura"]),
        sgp.pix,
        "gerou o PIX",
    ),
    ToolSpec(
        "liberacao_confianca",
        "Libera a conexão suspensa por débito (promessa de pagamento). Exige confirmação do cliente.",
        _schema({"contrato": _CONTRACT, "confirmado": _CONFIRM}, ["confirmado"]),
        sgp.liberacao_confianca,
        "fez a liberação em confiança",
    ),
    ToolSpec(
        "status_conexao",
        "Estado da conexão do contrato: online, offline ou suspenso.",
        _schema({"contrato": _CONTRACT}),
        sgp.status_conexao,
        "verificou a conexão",
    ),
    ToolSpec(
        "abrir_chamado",
        "Abre um chamado técnico e devolve o protocolo. Exige confirmação do cliente.",
        _schema(
            {"contrato": _CONTRACT, "descricao": {"type": "string"}, "confirmado": _CONFIRM},
            ["descricao", "confirmado"],
        ),
        sgp.abrir_chamado,
        "abriu um chamado",
    ),
    ToolSpec(
        "manutencoes",
        "Manutenções e quedas em andamento ou previstas (no POP do contrato).",
        _schema({"contrato": _CONTRACT, "pop": {"type": "string"}}),
        sgp.manutencoes,
        "consultou manutenções",
    ),
    ToolSpec(
        "transferir_para_humano",
        "Transfere para um atendente humano. motivo: customer_request, not_understood, negative_sentiment, "
        "cancellation, sales, payment_receipt, billing, support, out_of_scope.",
        _schema({"motivo": {"type": "string"}, "detalhe": {"type": "string"}}, ["motivo"]),
        _transferir,
        "transferiu para humano",
    ),
    ToolSpec(
        "encerrar",
        "Encerra o atendimento quando o cliente não precisa de mais nada.",
        _schema({}),
        _encerrar,
        "encerrou o atendimento",
    ),
]

TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in SPECS}
TOOL_NAMES = tuple(TOOLS)


def timeline_text(name: str, arguments: dict[str, Any], data_contract: str | None = None) -> str:
    """ "IA consultou a 2ª via — contrato 17402": what the inbox shows for a tool call."""
    spec = TOOLS.get(name)
    verb = spec.label if spec else f"chamou {name}"
    contract = arguments.get("contrato") or data_contract
    return f"IA {verb}" + (f" — contrato {contract}" if contract else "")
