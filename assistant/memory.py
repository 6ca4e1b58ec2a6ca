"""The attendant's memory of a conversation, and the contact's last contract across conversations.

Engines read and change a plain `Memory`; `load` and `save` map it onto `AIConversationState` (one row
per conversation) and the contact's `attributes["sgp_contract"]` — so "never ask for the CPF twice in one
conversation" and "confirm last time's contract" hold whichever worker runs the next turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from models.ai_state import AIConversationState
from models.contact import Contact

CONTACT_CONTRACT_KEY = "sgp_contract"


@dataclass
class Memory:
    contract_id: str | None = None  # identified in this conversation
    asked_document: bool = False  # the CPF/CNPJ was asked once: never again
    not_understood: int = 0  # consecutive turns not understood (two: hand off)
    bot_turns: int = 0
    pending: dict[str, Any] = field(default_factory=dict)  # what the next answer confirms or chooses
    data: dict[str, Any] = field(default_factory=dict)  # engine-specific
    last_contract: str | None = None  # the contact's contract of an earlier conversation
    document: str | None = None  # the contact's CPF/CNPJ when known (digits)

    def identify(self, contract_id: str) -> None:
        self.contract_id = contract_id
        self.last_contract = contract_id


def load(session: Session, conversation_id: int, contact: Contact) -> tuple[AIConversationState, Memory]:
    """The row locked for writing (created when the conversation has none yet) and its memory."""
    state = session.get(AIConversationState, conversation_id, with_for_update=True)
    if state is None:
        state = AIConversationState(tenant_id=contact.tenant_id, conversation_id=conversation_id)
        session.add(state)
    return state, memory_of(state, contact)


def memory_of(state: AIConversationState | None, contact: Contact) -> Memory:
    """The memory in a row already read (None: a conversation the attendant never answered)."""
    last_contract = (contact.attributes or {}).get(CONTACT_CONTRACT_KEY)
    if state is None:
        return Memory(last_contract=last_contract, document=contact.cpf_cnpj)
    return Memory(
        contract_id=state.contract_id,
        asked_document=bool(state.asked_document),
        not_understood=state.not_understood or 0,
        bot_turns=state.bot_turns or 0,
        pending=dict(state.pending or {}),
        data=dict(state.data or {}),
        last_contract=last_contract,
        document=contact.cpf_cnpj,
    )


def save(state: AIConversationState, memory: Memory, contact: Contact) -> None:
    state.contract_id = memory.contract_id
    state.asked_document = memory.asked_document
    state.not_understood = memory.not_understood
    state.bot_turns = memory.bot_turns
    state.pending = dict(memory.pending)
    state.data = dict(memory.data)
    attributes = dict(contact.attributes or {})
    if memory.last_contract and attributes.get(CONTACT_CONTRACT_KEY) != memory.last_contract:
        attributes[CONTACT_CONTRACT_KEY] = memory.last_contract
        contact.attributes = attributes
    if memory.document and contact.cpf_cnpj != memory.document:
        contact.cpf_cnpj = memory.document
