"""The one interface both engines implement, and what a turn carries in and out.

An engine is given a `TurnContext` (the customer's new messages — a whole burst —, the recent history,
the conversation's memory, the tenant's persona and rules, and a `ToolBox`) and returns a `TurnResult`
(replies, maybe a hand-off or a close). Engines never touch the database or send anything: the runner
(`assistant.runner`) loads the context, runs the engine, checks the replies against the guardrails and
then writes replies, events and the memory in one transaction. That keeps the engines testable with
plain objects, and lets `niochat ai try` run the same engines against a throwaway conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from assistant.memory import Memory
from assistant.tools.base import ToolBox


@dataclass(frozen=True)
class TenantProfile:
    """What the attendant may say about the company, and how it should sound."""

    name: str
    persona: dict[str, Any] = field(default_factory=dict)
    company: dict[str, Any] = field(default_factory=dict)
    instructions: str | None = None
    knowledge: tuple[tuple[str, str], ...] = ()  # (title, content) of the enabled knowledge entries
    knowledge_tags: tuple[str, ...] = ()  # each entry's tags as one string, aligned with `knowledge`
    open_now: bool = True
    back_at: str | None = None  # "amanhã às 08:00": when people are back, outside business hours

    @property
    def assistant_name(self) -> str:
        return str(self.persona.get("name") or "Assistente virtual")


@dataclass(frozen=True)
class HistoryItem:
    role: str  # "customer" | "assistant" | "agent"
    text: str


@dataclass
class TurnContext:
    tenant: TenantProfile
    messages: list[str]  # the customer's new messages, oldest first (a burst is read whole)
    memory: Memory
    tools: ToolBox
    today: date
    now: datetime
    history: list[HistoryItem] = field(default_factory=list)
    contact_name: str | None = None
    contact_phone: str | None = None  # digits, E.164 without "+"
    attachments: list[str] = field(default_factory=list)  # content types of media the customer sent
    max_turns: int = 12

    @property
    def text(self) -> str:
        """The burst as one message: engines read it whole."""
        return "\n".join(m for m in self.messages if m.strip())


@dataclass(frozen=True)
class Reply:
    """One message to the customer: text, or an image (bytes) with an optional caption."""

    text: str | None = None
    image: bytes | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Handoff:
    reason: str  # a code of `assistant.policy.REASONS`
    detail: str | None = None  # free text for the agent


@dataclass
class TurnResult:
    replies: list[Reply] = field(default_factory=list)
    handoff: Handoff | None = None
    close: bool = False
    intent: str | None = None
    confidence: float | None = None
    sentiment: str | None = None
    understood: bool = True
    knowledge: str | None = None  # title of the knowledge-base entry the answer came from

    def say(self, *texts: str) -> None:
        self.replies.extend(Reply(text=t) for t in texts if t)


class Engine(Protocol):
    name: str

    def run(self, turn: TurnContext) -> TurnResult: ...


class EngineUnavailable(RuntimeError):
    """The engine could not answer (model down, rate limited after retries, bad key): hand off politely."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
