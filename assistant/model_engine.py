"""The model engine: chat completions with tools on any OpenAI-compatible server, in a bounded loop.

Each step asks the model; tool calls run through the same `ToolBox` as the built-in engine (unknown
tool, invalid JSON arguments or a wrong CPF come back to the model as a failed result it can act on);
the loop stops at a final text, or at the tool-call cap / time budget (then: hand-off). The final text
must pass the guardrails (`assistant.guardrails`): one correction is allowed, naming the unbacked
values; a second offence hands off with `ai_guardrail`. A model that cannot be reached after the
client's one retry (429, 5xx, timeout, bad key) raises `EngineUnavailable`: the runner sends the
holding message and hands off.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.builtin.texts import HOLDING, NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN
from assistant.context import EngineConfig
from assistant.engine import EngineUnavailable, Handoff, TurnContext, TurnResult
from assistant.guardrails import violations
from assistant.prompt import system_prompt
from assistant.tools.registry import SPECS
from integrations.llm import UNAVAILABLE, chat_client

CORRECTION = (
    "Sua resposta cita valores que não aparecem nos resultados das ferramentas: {values}. "
    "Reescreva a resposta usando somente dados retornados pelas ferramentas, sem inventar nada."
)
GUARDRAIL_HOLDING = "Vou confirmar essa informação com a nossa equipe. Um atendente vai continuar com você."


class ModelEngine:
    name = "model"

    def __init__(self, config: EngineConfig, client: Any = None) -> None:
        self.config = config
        self.client = client or chat_client(api_key=config.api_key or "not-needed", base_url=config.base_url)

    def run(self, turn: TurnContext) -> TurnResult:
        result = TurnResult()
        turn.memory.bot_turns += 1
        if turn.memory.bot_turns > turn.max_turns:
            result.say("Vou chamar um atendente para continuar com você, só um instante.")
            result.handoff = Handoff("max_turns", None)
            return result
        messages = self._messages(turn)
        tools = [spec.openai() for spec in SPECS]
        corrected = False
        steps = turn.tools.budget.max_calls + 3  # every tool call is a step, plus the answer and one fix
        for _ in range(steps):
            if turn.tools.budget.expired():
                raise EngineUnavailable("ai_unavailable", "tempo da resposta esgotado")
            message = self._ask(messages, tools)
            calls = list(message.tool_calls or [])
            if calls:
                messages.append(_assistant_with_calls(message.content, calls))
                for call in calls:
                    messages.append(self._run_tool(turn, call))
                continue
            text = (message.content or "").strip()
            facts = turn.tools.facts_text() + " " + str(turn.memory.data.get("facts", ""))
            facts += " " + json.dumps([turn.tenant.company, turn.tenant.persona], ensure_ascii=False)
            bad = violations(text, facts) if text else []
            if bad and not corrected:
                corrected = True
                messages.append({"role": "assistant", "content": text})
                messages.append({"role": "user", "content": CORRECTION.format(values=", ".join(bad))})
                continue
            if bad:
                result.say(GUARDRAIL_HOLDING)
                result.handoff = Handoff("ai_guardrail", "valores sem fonte: " + ", ".join(bad)[:150])
                return result
            if text:
                result.say(text)
                turn.memory.not_understood = 0
            elif turn.tools.handoff is None and not turn.tools.close:
                self._empty_answer(turn, result)  # never silence
            _hand_off_if_sgp_failed(turn, result)
            return result
        result.say("Vou chamar um atendente para continuar com você, só um instante.")
        result.handoff = Handoff("ai_error", "limite de etapas da IA atingido")
        return result

    def _empty_answer(self, turn: TurnContext, result: TurnResult) -> None:
        """The model said nothing: ask again once, then a person takes over."""
        turn.memory.not_understood += 1
        result.understood = False
        if turn.memory.not_understood >= 2:
            result.say(NOT_UNDERSTOOD_AGAIN)
            result.handoff = Handoff("ai_error", "o modelo não respondeu")
        else:
            result.say(NOT_UNDERSTOOD)

    def _messages(self, turn: TurnContext) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt(turn)}]
        for item in turn.history:
            role = "user" if item.role == "customer" else "assistant"
            messages.append({"role": role, "content": item.text})
        messages.append({"role": "user", "content": turn.text or "(o cliente enviou um arquivo)"})
        return messages

    def _ask(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> Any:
        create: Any = self.client.chat.completions.create  # plain dict messages, not the SDK TypedDicts
        try:
            response = create(
                model=self.config.model or "gpt-4o-mini",
                messages=messages,
                tools=tools,
                tool_choice="auto",
                temperature=self.config.temperature,
            )
        except UNAVAILABLE as exc:
            status = getattr(exc, "status_code", None)
            raise EngineUnavailable("ai_unavailable", f"{type(exc).__name__} {status or ''}".strip()) from exc
        if not response.choices:
            raise EngineUnavailable("ai_unavailable", "resposta vazia do modelo")
        return response.choices[0].message

    def _run_tool(self, turn: TurnContext, call: Any) -> dict[str, Any]:
        name = call.function.name
        try:
            arguments = json.loads(call.function.arguments or "{}")
            if not isinstance(arguments, dict):
                raise ValueError("arguments must be an object")
        except ValueError:
            turn.tools.record_failure(name, "Argumentos JSON inválidos", "invalid_arguments")
            payload: dict[str, Any] = {"ok": False, "erro": "invalid_arguments", "resumo": "JSON inválido"}
        else:
            res = turn.tools.call(name, arguments)
            payload = {"ok": res.ok, "resumo": res.summary, "dados": res.data, "erro": res.error}
        return {"role": "tool", "tool_call_id": call.id, "content": json.dumps(payload, ensure_ascii=False)}


# A tool failure the model must not talk its way around: the SGP is down (or refused our credentials), or
# a once-only action's outcome is unknown. Same codes as the built-in engine (`assistant.builtin.flows`).
SGP_FAILURES = {
    "sgp_unavailable": "sgp_unavailable",
    "sgp_auth": "sgp_unavailable",
    "sgp_error": "sgp_unavailable",
    "in_doubt": "action_in_doubt",
}


def _hand_off_if_sgp_failed(turn: TurnContext, result: TurnResult) -> None:
    """The run's last SGP call failed and the model did not hand off: a person takes over anyway, after
    the model's own words (or the holding message) — never a customer left with "try again later"."""
    if result.handoff is not None or turn.tools.handoff is not None:
        return
    last = next((c for c in reversed(turn.tools.calls) if c.ok or c.error in SGP_FAILURES), None)
    if last is None or last.ok:
        return
    if not result.replies:
        result.say(HOLDING)
    result.handoff = Handoff(SGP_FAILURES[str(last.error)], f"{last.name}: {last.summary}"[:200])


def _assistant_with_calls(content: str | None, calls: list[Any]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.function.name, "arguments": c.function.arguments},
            }
            for c in calls
        ],
    }
