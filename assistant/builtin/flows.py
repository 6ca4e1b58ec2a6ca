"""The built-in engine's flows: identification, bill, no connection, trust unlock, ticket, and the
answers to what the attendant asked (`memory.pending`).

`pending` is {"kind": ..., "goal": <intent to resume>, ...}: "document" (waiting for a CPF/CNPJ),
"choose_contract" (options), "confirm_contract" (last time's contract), "confirm_unlock",
"confirm_ticket", "more_help" (after "Posso ajudar em mais alguma coisa?").
Any tool failure ends in a holding message and a hand-off with the reason (never silence).
"""

from __future__ import annotations

from typing import Any

from assistant.builtin import texts as t
from assistant.engine import Handoff, Reply, TurnContext, TurnResult
from assistant.qr import pix_qr_png
from assistant.tools.base import ToolResult

FAILURES = {
    "sgp_unavailable": "sgp_unavailable",
    "sgp_auth": "sgp_unavailable",
    "sgp_error": "sgp_unavailable",
    "not_configured": "sgp_unavailable",
    "in_doubt": "action_in_doubt",
    "tool_cap": "ai_error",
    "time_budget": "ai_error",
    "invalid_arguments": "ai_error",
}


def _fail(turn: TurnContext, result: TurnResult, res: ToolResult) -> None:
    turn.memory.pending = {}
    result.say(t.HOLDING)
    result.handoff = Handoff(FAILURES.get(res.error or "", "ai_error"), res.summary)


def handle_pending(turn: TurnContext, result: TurnResult, slots: Any, intent: str) -> bool:
    """True when the message answered what was pending (and was handled)."""
    memory = turn.memory
    pending = memory.pending
    kind = pending.get("kind")
    goal = pending.get("goal", "identificar")
    if kind == "document":
        if slots.documents or slots.invalid_documents or slots.contract:
            memory.pending = {}
            with_contract(turn, result, slots, goal if intent in {"outro", goal, "saudacao"} else intent)
            return True
        return False
    if kind == "choose_contract":
        options: list[str] = pending.get("options", [])
        chosen = None
        if slots.contract and slots.contract in options:
            chosen = slots.contract
        elif slots.choice and 1 <= slots.choice <= len(options):
            chosen = options[slots.choice - 1]
        if chosen is None:
            return False
        memory.pending = {}
        memory.identify(chosen)
        turn.tools.contract_id = chosen
        run_goal(turn, result, goal)
        return True
    if slots.confirmation is None:
        if kind == "more_help" and intent == "outro":
            return False
        memory.pending = {} if intent != "outro" else pending
        return False
    yes = slots.confirmation == "yes"
    memory.pending = {}
    if kind == "confirm_contract":
        if yes:
            memory.identify(pending["contract"])
            turn.tools.contract_id = pending["contract"]
            run_goal(turn, result, goal)
        else:
            memory.last_contract = None
            _identify(turn, result, slots, goal, skip_last=True)
        return True
    if kind == "confirm_unlock":
        if yes:
            unlock(turn, result)
        else:
            result.say(t.OK_NO)
            memory.pending = {"kind": "more_help"}
        return True
    if kind == "confirm_ticket":
        if yes:
            open_ticket(turn, result, pending.get("description"))
        else:
            result.say(t.OK_NO)
            memory.pending = {"kind": "more_help"}
        return True
    if kind == "more_help":
        if yes:
            result.say("Claro! " + t.HOW_CAN_I_HELP)
        else:
            result.say(t.BYE)
            result.close = True
        return True
    return False


def with_contract(turn: TurnContext, result: TurnResult, slots: Any, goal: str) -> None:
    """Run `goal` once a contract is known, identifying the customer first if needed."""
    if turn.memory.contract_id and not slots.documents:
        turn.tools.contract_id = turn.memory.contract_id
        run_goal(turn, result, goal)
        return
    _identify(turn, result, slots, goal)


def _identify(
    turn: TurnContext, result: TurnResult, slots: Any, goal: str, *, skip_last: bool = False
) -> None:
    memory = turn.memory
    if slots.invalid_documents and not slots.documents:
        memory.asked_document = True
        memory.pending = {"kind": "document", "goal": goal}
        result.say(t.INVALID_DOCUMENT)
        return
    if slots.documents:
        _lookup(turn, result, goal, {"cpfcnpj": slots.documents[0]}, by_document=True)
        return
    if slots.contract:
        _lookup(turn, result, goal, {"contrato": slots.contract}, by_document=True)
        return
    if memory.last_contract and not skip_last:
        memory.pending = {"kind": "confirm_contract", "goal": goal, "contract": memory.last_contract}
        result.say(t.confirm_last_contract(memory.last_contract))
        return
    if turn.contact_phone and not memory.data.get("phone_tried"):
        memory.data["phone_tried"] = True
        if _lookup(turn, result, goal, {}, by_document=False):
            return
    if memory.asked_document:
        result.say(t.NOT_FOUND_DOCUMENT)
        result.handoff = Handoff("identification_failed", None)
        return
    memory.asked_document = True
    memory.pending = {"kind": "document", "goal": goal}
    result.say(t.ASK_DOCUMENT)


def _lookup(
    turn: TurnContext, result: TurnResult, goal: str, args: dict[str, Any], *, by_document: bool
) -> bool:
    """Look the customer up; False when nothing was found by phone (the caller asks for the CPF)."""
    res = turn.tools.call("buscar_cliente", args)
    if not res.ok:
        if res.error == "invalid_document":
            turn.memory.pending = {"kind": "document", "goal": goal}
            result.say(t.INVALID_DOCUMENT)
            return True
        if res.error == "not_found":
            if not by_document:
                return False
            result.say(t.NOT_FOUND_DOCUMENT)
            result.handoff = Handoff("identification_failed", None)
            return True
        _fail(turn, result, res)
        return True
    contracts = res.data["contratos"]
    if res.data.get("documento"):
        turn.memory.document = str(res.data["documento"])
    if len(contracts) > 1:
        turn.memory.pending = {
            "kind": "choose_contract",
            "goal": goal,
            "options": [c["contrato"] for c in contracts],
        }
        result.say(t.choose_contract(contracts))
        return True
    contract = contracts[0]
    turn.memory.identify(contract["contrato"])
    result.say(t.found_contract(contract["nome"] or "cliente", contract["contrato"]))
    run_goal(turn, result, goal)
    return True


def run_goal(turn: TurnContext, result: TurnResult, goal: str) -> None:
    if goal == "fatura":
        bill(turn, result)
    elif goal == "sem_conexao":
        no_connection(turn, result)
    elif goal == "desbloqueio":
        if not turn.tools.allow_trust_unlock:
            result.say(t.UNLOCK_DISABLED)
            result.handoff = Handoff("billing", "liberação em confiança")
            return
        turn.memory.pending = {"kind": "confirm_unlock"}
        result.say(t.CONFIRM_UNLOCK)
    elif goal == "chamado":
        _offer_ticket(turn, result, turn.text, t.CONFIRM_TICKET)
    else:
        result.say(t.HOW_CAN_I_HELP)


def bill(turn: TurnContext, result: TurnResult) -> None:
    res = turn.tools.call("segunda_via", {})
    if not res.ok:
        _fail(turn, result, res)
        return
    bills = res.data["faturas"]
    if not bills:
        result.say(t.NO_BILLS, t.MORE_HELP)
        turn.memory.pending = {"kind": "more_help"}
        return
    result.say(t.bills_intro(bills))
    for item in bills[:3]:
        code = item.get("pix")
        if not code:
            pix = turn.tools.call("pix", {"fatura": item["fatura"]})
            code = pix.data.get("pix") if pix.ok else None
            item = {**item, "pix": code}
        result.say(t.bill_detail(item))
        if code:
            result.say(code)
            result.replies.append(Reply(image=pix_qr_png(code), filename=f"pix-{item['fatura']}.png"))
    result.say(t.MORE_HELP)
    turn.memory.pending = {"kind": "more_help"}


def no_connection(turn: TurnContext, result: TurnResult) -> None:
    outage = turn.tools.call("manutencoes", {})
    if outage.ok:
        ongoing = [m for m in outage.data["manutencoes"] if m.get("em_andamento")]
        if ongoing:
            result.say(t.outage(ongoing), t.MORE_HELP)
            turn.memory.pending = {"kind": "more_help"}
            return
    status = turn.tools.call("status_conexao", {})
    if not status.ok:
        _fail(turn, result, status)
        return
    state = status.data["estado"]
    if state == "suspended":
        if not turn.tools.allow_trust_unlock:
            result.say(t.UNLOCK_DISABLED)
            result.handoff = Handoff("billing", "conexão suspensa por débito")
            return
        turn.memory.pending = {"kind": "confirm_unlock"}
        result.say(t.SUSPENDED)
        return
    steps = t.online(status.data.get("mensagem")) if state == "online" else t.offline()
    _offer_ticket(turn, result, "Cliente sem conexão: " + (turn.text or "")[:200], steps, t.OFFER_TICKET)


def _offer_ticket(turn: TurnContext, result: TurnResult, description: str, *texts: str) -> None:
    if not turn.tools.allow_open_ticket:
        result.say(*texts[:-1]) if len(texts) > 1 else None
        result.say(t.TRANSFER)
        result.handoff = Handoff("support", "abrir chamado técnico")
        return
    result.say(*texts)
    turn.memory.pending = {"kind": "confirm_ticket", "description": description}


def unlock(turn: TurnContext, result: TurnResult) -> None:
    res = turn.tools.call("liberacao_confianca", {"confirmado": True})
    if res.ok:
        result.say(t.unlocked(res.data), t.MORE_HELP)
        turn.memory.pending = {"kind": "more_help"}
    elif res.error in {"refused", "not_allowed"}:
        result.say(t.unlock_refused(res.data.get("message") or res.data.get("mensagem") or res.summary))
        result.handoff = Handoff("billing", res.summary)
    else:
        _fail(turn, result, res)


def open_ticket(turn: TurnContext, result: TurnResult, description: str | None) -> None:
    res = turn.tools.call("abrir_chamado", {"confirmado": True, "descricao": description or turn.text})
    if res.ok:
        result.say(t.ticket_opened(res.data["protocolo"]), t.MORE_HELP)
        turn.memory.pending = {"kind": "more_help"}
    else:
        _fail(turn, result, res)
