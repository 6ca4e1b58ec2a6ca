"""The tool layer's plumbing: specs, results, the per-run `ToolBox`, and the once-only guard.

Both engines call tools the same way — `box.call(name, arguments)` — so both get the same checks: an
unknown tool or bad arguments is a failed result (never an exception), the per-run cap on calls and the
time budget hold, every call is recorded (masked arguments, a pt-BR summary, duration) for the inbox
timeline, and every value a tool returned becomes a *fact* the guardrails let replies cite.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.documents import clean_document


@dataclass(frozen=True)
class ToolResult:
    ok: bool
    summary: str  # pt-BR, one line, for the timeline and the model ("2ª via do contrato 17402: 1 fatura")
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # stable code: sgp_unavailable, not_found, invalid_document, not_allowed, ...


@dataclass(frozen=True)
class ToolCall:
    """One call as the timeline shows it (arguments with CPF/CNPJ masked)."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    summary: str
    duration_ms: int
    error: str | None = None
    contract: str | None = None  # the contract it concerned, for the timeline
    pop: str | None = None  # that contract's POP (network node) as the SGP named it, for the dashboards


class OnceGuard(Protocol):
    """Per conversation + action + target, recorded BEFORE the call (see models.ai_state.AIAction).

    `begin` returns None when the caller may act now; otherwise the stored outcome ({"status": "done",
    ...result} or {"status": "started"} for a call that died mid-way)."""

    def begin(self, action: str, target: str) -> dict[str, Any] | None: ...

    def finish(self, action: str, target: str, ok: bool, result: dict[str, Any]) -> None: ...


class MemoryOnceGuard:
    """For throwaway conversations (`niochat ai try`): the same rule, held in memory."""

    def __init__(self) -> None:
        self.done: dict[tuple[str, str], dict[str, Any]] = {}

    def begin(self, action: str, target: str) -> dict[str, Any] | None:
        if (action, target) in self.done:
            return self.done[(action, target)]
        self.done[(action, target)] = {"status": "started"}
        return None

    def finish(self, action: str, target: str, ok: bool, result: dict[str, Any]) -> None:
        self.done[(action, target)] = {"status": "done" if ok else "failed", **result}


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str  # for the model, in pt-BR
    parameters: dict[str, Any]  # JSON Schema
    run: Callable[[ToolBox, dict[str, Any]], ToolResult]
    label: str  # the timeline's verb: "consultou a 2ª via"

    def openai(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


_DOC_KEYS = {"cpfcnpj", "cpf", "cnpj", "documento"}


def mask_document(value: str) -> str:
    doc = clean_document(value)
    if len(doc) < 5:
        return "***"
    return f"{doc[:3]}{'*' * (len(doc) - 5)}{doc[-2:]}"


def mask_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: mask_document(str(v)) if k in _DOC_KEYS and v else v for k, v in arguments.items()}


class Budget:
    """The per-run limits: calls and seconds. Shared by the box and the engine's own loop."""

    def __init__(self, max_calls: int, seconds: float) -> None:
        self.max_calls = max_calls
        self.deadline = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.deadline


class ToolBox:
    """The tools of one run. `sgp` is an `integrations.sgp.SgpClient`, or None when the tenant has none
    configured (every SGP tool then answers "not configured")."""

    def __init__(
        self,
        sgp: Any,
        *,
        once: OnceGuard,
        budget: Budget,
        allow_trust_unlock: bool = True,
        allow_open_ticket: bool = True,
        contact_name: str | None = None,
        contact_phone: str | None = None,
        today: Any = None,
        contract_id: str | None = None,
        pops: dict[str, str] | None = None,
        still_with_ai: Callable[[], bool] | None = None,
    ) -> None:
        self.sgp = sgp
        self.still_with_ai = still_with_ai  # False once a person took the conversation ("Assumir")
        self.taken = False
        self.once = once
        self.budget = budget
        self.allow_trust_unlock = allow_trust_unlock
        self.allow_open_ticket = allow_open_ticket
        self.contact_name = contact_name
        self.contact_phone = contact_phone
        self.today = today
        self.contract_id = contract_id  # the identified contract: tools default to it
        # contract -> POP, from every contract a tool returned (this run's and, via the memory, earlier
        # runs'): only the customer lookup knows a contract's POP, the calls after it name the contract.
        self.pops: dict[str, str] = dict(pops or {})
        self.handoff: Any = None  # set by transferir_para_humano (an assistant.engine.Handoff)
        self.close = False  # set by encerrar
        self.calls: list[ToolCall] = []
        self.results: list[dict[str, Any]] = []  # data of every result: the facts replies may cite

    def call(self, name: str, arguments: dict[str, Any] | None) -> ToolResult:
        from assistant.tools.registry import TOOLS

        args = dict(arguments or {})
        spec = TOOLS.get(name)
        started = time.monotonic()
        if spec is None:
            result = ToolResult(False, f"Ferramenta desconhecida: {name}", error="unknown_tool")
        elif len(self.calls) >= self.budget.max_calls:
            result = ToolResult(False, "Limite de consultas desta resposta atingido", error="tool_cap")
        elif self.budget.expired():
            result = ToolResult(False, "Tempo desta resposta esgotado", error="time_budget")
        elif self.taken or (self.still_with_ai is not None and not self.still_with_ai()):
            # "Assumir" mid-run: nothing more is done on the SGP, and the run's budget ends here so the
            # model engine's loop stops too; the runner then drops the replies.
            self.taken = True
            self.budget.deadline = 0.0
            result = ToolResult(False, "Conversa assumida por um atendente", error="taken")
        else:
            try:
                result = spec.run(self, args)
            except (TypeError, ValueError, KeyError) as exc:
                result = ToolResult(False, f"Argumentos inválidos: {exc}", error="invalid_arguments")
        if result.error == "taken":
            return result  # never called: not a tool call on the timeline
        elapsed = int((time.monotonic() - started) * 1000)
        contract = result.data.get("contrato") if isinstance(result.data.get("contrato"), str) else None
        contract = contract or (digits(args.get("contrato")) or None)
        if contract is None and name not in {"transferir_para_humano", "encerrar", "buscar_cliente"}:
            contract = self.contract_id
        self._learn_pops(result.data)
        # The POP of the contract the call concerned, or of the one identified (a lookup that found one).
        pop = self.pops.get(contract or self.contract_id or "")
        masked = mask_arguments(args)
        self.calls.append(
            ToolCall(name, masked, result.ok, result.summary, elapsed, result.error, contract, pop)
        )
        self.results.append(result.data)  # a refusal's message is the SGP's word too
        return result

    def _learn_pops(self, data: dict[str, Any]) -> None:
        """Remember the POP of each contract in a result (`buscar_cliente`'s "contratos")."""
        found = data.get("contratos")
        for item in found if isinstance(found, list) else []:
            if isinstance(item, dict) and item.get("contrato") and isinstance(item.get("pop"), str):
                pop = item["pop"].strip()
                if pop:
                    self.pops[str(item["contrato"])] = pop[:64]

    def record_failure(self, name: str, summary: str, error: str) -> None:
        """A call that never reached a tool (its arguments were not even JSON): still on the timeline."""
        self.calls.append(ToolCall(name, {}, False, summary, 0, error, None))

    def facts_text(self) -> str:
        """Every value the tools returned, as one text the guardrails search."""
        return " ".join(_flatten(self.results))


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _flatten(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _flatten(v)]
    return [] if value is None else [str(value)]


_DIGITS = re.compile(r"\D")


def digits(value: Any) -> str:
    return _DIGITS.sub("", str(value or ""))
