"""The built-in offline engine: assistant.nlu (intent, slots, sentiment) drives a small dialogue over the
same tools as the model engine, with templated pt-BR replies. It needs no key and no network besides
the SGP, so a fresh install answers "preciso da segunda via" out of the box.

A turn is: hand-off triggers first (asked for a person, cancellation, sales, a receipt, strong anger,
too many turns); then whatever the attendant was waiting for (a confirmation, a CPF, a choice of
contract — `memory.pending`); then the intent's flow, identifying the customer first when the flow
needs a contract (WhatsApp number, then the contract remembered from last time, then the CPF, asked at
most once per conversation). Flows live in `assistant.builtin.flows`.
"""

from __future__ import annotations

from typing import Any

from assistant.builtin import flows
from assistant.builtin import texts as t
from assistant.engine import Handoff, TurnContext, TurnResult

NEEDS_CONTRACT = {"fatura", "sem_conexao", "desbloqueio", "chamado"}
HANDOFF_INTENTS = {
    "atendente": ("customer_request", t.TRANSFER),
    "cancelamento": ("cancellation", t.CANCELLATION),
    "contratar": ("sales", t.SALES),
    "comprovante": ("payment_receipt", t.RECEIPT),
}
NEGATIVE_THRESHOLD = -0.85  # a complaint ("minha internet não funciona", -0.66) is a request, not anger
MIN_CONFIDENCE = 0.35


class BuiltinEngine:
    name = "builtin"

    def run(self, turn: TurnContext) -> TurnResult:
        from assistant.nlu import classify, extract, sentiment

        text = turn.text
        intent = classify(text) if text else None
        mood = sentiment(text) if text else None
        pending = turn.memory.pending
        options = pending.get("options", []) if pending.get("kind") == "choose_contract" else []
        slots = extract(text, today=turn.today, options=options)
        result = TurnResult(
            intent=intent.intent if intent else ("comprovante" if turn.attachments else None),
            confidence=intent.confidence if intent else None,
            sentiment=mood.label if mood else None,
        )
        name = result.intent or "outro"
        if intent is not None and intent.confidence < MIN_CONFIDENCE:
            name = "outro"
        memory = turn.memory
        memory.bot_turns += 1

        if self._from_knowledge(turn, result, name, slots):
            return result

        trigger = self._handoff_trigger(turn, name, mood, slots)
        if trigger is not None:
            reason, text_ = trigger
            memory.pending = {}
            result.say(text_)
            result.handoff = Handoff(reason, _excerpt(text))
            return result

        if memory.pending and flows.handle_pending(turn, result, slots, name):
            memory.not_understood = 0 if result.understood else memory.not_understood
            return self._finish(turn, result)

        if name in NEEDS_CONTRACT:
            flows.with_contract(turn, result, slots, name)
        elif name == "saudacao":
            result.say(t.greeting(turn.tenant.persona, turn.tenant.name, turn.contact_name))
        elif name == "agradecimento":
            result.say(t.BYE)
            result.close = True
        elif slots.documents or slots.invalid_documents:
            # A CPF with no request: identify now, ask what they need.
            flows.with_contract(turn, result, slots, "identificar")
        else:
            result.understood = False
        return self._finish(turn, result)

    def _from_knowledge(self, turn: TurnContext, result: TurnResult, name: str, slots: Any) -> bool:
        """A question the tenant's knowledge base answers ("qual o horário de atendimento?", "aceita
        cartão?"): the best entry's text, when it matches well enough (`assistant.knowledge`). Not for a
        receipt, not past the turn limit, and not for an answer to what the attendant asked (a CPF, "sim")."""
        from assistant.knowledge import answer

        if turn.attachments or turn.memory.bot_turns > turn.max_turns or not turn.tenant.knowledge:
            return False
        if turn.memory.pending and (
            slots.documents or slots.invalid_documents or slots.contract or slots.confirmation or slots.choice
        ):
            return False
        match = answer(turn.tenant.knowledge, turn.text, name, turn.tenant.knowledge_tags)
        if match is None:
            return False
        result.say(match.content, t.MORE_HELP)
        result.knowledge = match.title
        turn.memory.not_understood = 0
        return True

    def _handoff_trigger(self, turn: TurnContext, name: str, mood: Any, slots: Any) -> tuple[str, str] | None:
        if turn.attachments and name in {"comprovante", "outro", "fatura"}:
            return "payment_receipt", t.RECEIPT
        if name in HANDOFF_INTENTS:
            return HANDOFF_INTENTS[name]
        if mood is not None and mood.label == "negative" and mood.score <= NEGATIVE_THRESHOLD:
            return "negative_sentiment", t.NEGATIVE
        if turn.memory.bot_turns > turn.max_turns:
            return "max_turns", t.TRANSFER
        return None

    def _finish(self, turn: TurnContext, result: TurnResult) -> TurnResult:
        memory = turn.memory
        if result.understood:
            memory.not_understood = 0
            return result
        memory.not_understood += 1
        if memory.not_understood >= 2:
            result.say(t.NOT_UNDERSTOOD_AGAIN)
            result.handoff = Handoff("not_understood", _excerpt(turn.text))
        else:
            result.say(t.NOT_UNDERSTOOD)
        return result


def _excerpt(text: str) -> str | None:
    text = " ".join(text.split())
    return (text[:120] + "…") if len(text) > 120 else (text or None)
