"""One run of the attendant on a conversation: read, think, write.

1. Read (`assistant.context.load_turn`): the new customer messages since the last run — a whole burst —,
   the memory, the tenant's profile and settings. Nothing to do when the conversation left `bot`.
   Voice notes are transcribed here (`assistant.voice`), or the run waits for their download.
2. Think, with no transaction open: the engine runs over a `ToolBox` bound to the tenant's SGP. Any
   failure (model down, SGP down, a bug) becomes a polite holding message and a hand-off with the
   reason — never silence, never a crash. The replies then pass the guardrails (facts only from tools).
3. Write, in one transaction, after locking the conversation: tool-call events always (they happened);
   replies, hand-off and close only if it is still with the AI ("Assumir" mid-run stops the AI at once).
   Replies are outgoing messages (sender bot) composed like an agent's, so they reach the provider
   through the same outbound job. Returns the outbox ids for the caller to relay.

Jobs call `run_conversation`; `niochat ai try` calls `think` directly on a throwaway context.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from assistant import voice
from assistant.builtin import texts as t
from assistant.context import EngineConfig, Loaded, load_turn
from assistant.engine import Engine, EngineUnavailable, Handoff, Reply, TurnContext, TurnResult
from assistant.guardrails import violations
from assistant.memory import load, save
from assistant.policy import apply_handoff
from assistant.tools.base import Budget, ToolBox, ToolCall
from assistant.tools.registry import timeline_text
from integrations.storage import MediaStorage
from models import lifecycle
from models import outbox_ops as topics
from models.ai_activity import after_turn
from models.ai_state import AIAction
from models.base import utcnow
from models.conversation import Conversation
from models.enums import ActorKind, ContentType, ConversationStatus, EventKind
from models.event import ConversationEvent
from models.message import Message
from models.outbound import Draft, StoredMedia, compose_many
from models.outbox import OutboxEvent

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    ran: bool
    result: TurnResult | None = None
    calls: list[ToolCall] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)
    sent: bool = False  # replies were written (the conversation was still with the AI)
    team_id: int | None = None
    waiting: bool = False  # a voice note is still downloading: run again shortly


def make_engine(config: EngineConfig) -> Engine:
    if config.engine == "model":
        from assistant.model_engine import ModelEngine

        return ModelEngine(config)
    from assistant.builtin.engine import BuiltinEngine

    return BuiltinEngine()


def think(engine: Engine, turn: TurnContext) -> TurnResult:
    """Run the engine; whatever goes wrong, the customer gets a holding message and a person."""
    try:
        result = engine.run(turn)
    except EngineUnavailable as exc:
        log.warning("AI engine unavailable: %s", exc.detail)
        result = TurnResult()
        result.say(t.HOLDING)
        result.handoff = Handoff(exc.reason, exc.detail[:200])
    except Exception as exc:  # a bug must not leave the customer in silence
        log.exception("AI engine failed")
        result = TurnResult()
        result.say(t.HOLDING)
        result.handoff = Handoff("ai_error", f"{type(exc).__name__}")
    if turn.tools.handoff is not None and result.handoff is None:
        result.handoff = turn.tools.handoff
    result.close = result.close or turn.tools.close
    checked = guard(turn, result)
    # What the tools said stays citable for the rest of the conversation ("and the due date again?").
    facts = (str(turn.memory.data.get("facts", "")) + " " + turn.tools.facts_text()).strip()
    turn.memory.data["facts"] = facts[-FACTS_KEPT:]
    if turn.tools.pops:  # so a later turn's call on a contract found now still names its POP
        turn.memory.data["pops"] = dict(list(turn.tools.pops.items())[-POPS_KEPT:])
    return checked


FACTS_KEPT = 8000  # characters of earlier tool results kept in the memory
POPS_KEPT = 20  # contracts whose POP the memory keeps (a customer with more is a company, rare)


def _known_pops(data: dict[str, Any]) -> dict[str, str]:
    pops = data.get("pops")
    if not isinstance(pops, dict):
        return {}
    return {str(k): v for k, v in pops.items() if isinstance(v, str)}


def guard(turn: TurnContext, result: TurnResult) -> TurnResult:
    """The last word of the guardrails, for both engines: an unbacked value is never sent."""
    facts = " ".join([turn.tools.facts_text(), str(turn.memory.data.get("facts", "")), _profile_text(turn)])
    bad = [v for r in result.replies if r.text for v in violations(r.text, facts)]
    if not bad:
        return result
    log.warning("AI reply blocked by guardrail: %s", bad)
    blocked = TurnResult(intent=result.intent, confidence=result.confidence, sentiment=result.sentiment)
    blocked.say(t.HOLDING)
    blocked.handoff = Handoff("ai_guardrail", "valores sem fonte: " + ", ".join(bad)[:150])
    return blocked


def _profile_text(turn: TurnContext) -> str:
    p = turn.tenant
    return " ".join([str(p.company), str(p.persona), p.instructions or "", *(c for _, c in p.knowledge)])


class DbOnceGuard:
    """`OnceGuard` on the `ai_actions` table: each begin commits its row before the SGP is called."""

    def __init__(self, db: Any, tenant_id: int, conversation_id: int) -> None:
        self.db, self.tenant_id, self.conversation_id = db, tenant_id, conversation_id

    def begin(self, action: str, target: str) -> dict[str, Any] | None:
        with self.db.tenant_session(self.tenant_id) as session:
            inserted = session.scalar(
                pg_insert(AIAction)
                .values(tenant_id=self.tenant_id, conversation_id=self.conversation_id, action=action,
                        target=target, status="started")
                .on_conflict_do_nothing(index_elements=["conversation_id", "action", "target"])
                .returning(AIAction.id)
            )  # fmt: skip
            if inserted is not None:
                return None
            row = session.scalar(
                sa.select(AIAction).where(
                    AIAction.conversation_id == self.conversation_id,
                    AIAction.action == action,
                    AIAction.target == target,
                )
            )
            assert row is not None
            return {"status": row.status, **(row.result or {})}

    def finish(self, action: str, target: str, ok: bool, result: dict[str, Any]) -> None:
        with self.db.tenant_session(self.tenant_id) as session:
            session.execute(
                sa.update(AIAction)
                .where(AIAction.conversation_id == self.conversation_id, AIAction.action == action,
                       AIAction.target == target)
                .values(status="done" if ok else "failed", result=result, finished_at=utcnow())
            )  # fmt: skip


def build_turn(
    loaded: Loaded,
    sgp_client: Any,
    once: Any,
    now: datetime,
    still_with_ai: Callable[[], bool] | None = None,
) -> TurnContext:
    settings = loaded.settings
    box = ToolBox(
        sgp_client,
        once=once,
        budget=Budget(settings.max_tool_calls or 6, float(settings.run_budget_seconds or 45)),
        allow_trust_unlock=loaded.allow_trust_unlock,
        allow_open_ticket=loaded.allow_open_ticket,
        contact_name=loaded.contact_name,
        contact_phone=loaded.contact_phone,
        today=now.astimezone(ZoneInfo("America/Sao_Paulo")).date(),
        contract_id=loaded.memory.contract_id,
        pops=_known_pops(loaded.memory.data),
        still_with_ai=still_with_ai,
    )
    return TurnContext(
        tenant=loaded.profile,
        messages=[m.text or m.transcription or "" for m in loaded.messages],
        memory=loaded.memory,
        tools=box,
        today=box.today,
        now=now,
        history=loaded.history,
        contact_name=loaded.contact_name,
        contact_phone=loaded.contact_phone,
        # Voice notes are read through their transcript (assistant.voice), never taken for a receipt.
        attachments=[
            str(m.content_type)
            for m in loaded.messages
            if m.content_type not in {ContentType.TEXT, ContentType.AUDIO}
        ],
        max_turns=settings.max_bot_turns or 12,
    )


def run_conversation(
    db: Any,
    tenant_id: int,
    conversation_id: int,
    *,
    storage: MediaStorage,
    engine_factory: Callable[[EngineConfig], Engine] = make_engine,
    now: datetime | None = None,
) -> Outcome:
    now = now or datetime.now(UTC)
    with db.tenant_session(tenant_id) as session:
        loaded = load_turn(session, conversation_id, now)
    if loaded is None:
        return Outcome(ran=False)
    if voice.waiting_for_media(loaded.messages, now):
        return Outcome(ran=False, waiting=True)
    relay_ids: list[int] = []
    if voice.unheard(loaded.messages):
        config = voice.transcription_config(loaded.settings)
        relay_ids = voice.transcribe_turn(
            db, storage, tenant_id, loaded.messages, config,
            with_sentiment=loaded.settings.analyse_sentiment is not False,
        )  # fmt: skip
    sgp_client = None
    if loaded.sgp is not None:
        from integrations.sgp.client import SgpClient, shared_transport

        sgp_client = SgpClient(loaded.sgp, transport=shared_transport())
    try:
        once = DbOnceGuard(db, tenant_id, conversation_id)
        turn = build_turn(loaded, sgp_client, once, now, _with_ai(db, tenant_id, conversation_id))
        if voice.unheard(loaded.messages) and not turn.text.strip():
            result = voice.cannot_hear(turn, loaded.messages)  # only voice notes nobody could hear
        else:
            result = think(engine_factory(loaded.engine), turn)
    finally:
        if sgp_client is not None:
            sgp_client.close()
    if turn.tools.contract_id and turn.tools.contract_id != turn.memory.contract_id:
        turn.memory.identify(turn.tools.contract_id)
    with db.tenant_session(tenant_id) as session:
        outcome = write(session, loaded, turn, result, storage)
    outcome.outbox_ids = sorted(relay_ids + outcome.outbox_ids)
    return outcome


def _with_ai(db: Any, tenant_id: int, conversation_id: int) -> Callable[[], bool]:
    """Asked before every tool call: is the conversation still with the AI? One indexed read, so an
    agent's "Assumir" stops the run's next SGP call, not only its replies."""

    def check() -> bool:
        # One autocommit round trip, not BEGIN … COMMIT: scoped to the tenant by hand (no ORM here).
        rows = db.execute_statement(_STATUS, (conversation_id, tenant_id))
        return bool(rows) and rows[0][0] == ConversationStatus.BOT.value

    return check


_STATUS = "SELECT status FROM conversations WHERE id = %s AND tenant_id = %s"


def write(
    session: Session, loaded: Loaded, turn: TurnContext, result: TurnResult, storage: MediaStorage
) -> Outcome:
    conv = lifecycle.lock(session, loaded.conversation_id, labels=False)
    state, _ = load(session, conv.id, conv.contact)
    outcome = Outcome(ran=True, result=result, calls=list(turn.tools.calls))
    if state.last_message_id and state.last_message_id >= loaded.last_message_id:
        return outcome  # another run already answered these messages
    recorded = len(session.info.get(topics.RECORDED, []))
    for call in turn.tools.calls:
        _tool_event(session, conv, call)
    conv.ai_activity = after_turn(
        conv.ai_activity,
        intent=result.intent or _offline_intent(turn.text),
        tools=[(call.name, call.ok) for call in turn.tools.calls],
        knowledge=result.knowledge,
        at=utcnow(),
    )
    state.last_message_id = loaded.last_message_id
    if conv.status != ConversationStatus.BOT:
        _mark_messages(session, loaded, result)
        _show_activity(session, conv, recorded)
        return _finish(session, outcome)  # taken by a person mid-run: the AI says nothing more
    save(state, turn.memory, conv.contact)
    drafts = [_draft(reply, storage) for reply in result.replies]
    if result.handoff is not None and not loaded.profile.open_now:
        drafts.append(Draft(text=t.after_hours(loaded.profile.back_at)))
    # Nothing read here depends on the changes above: held back, they reach the database in the one
    # flush at the end (the state, the events, one UPDATE of the conversation) instead of three.
    with session.no_autoflush:
        _mark_messages(session, loaded, result)
        compose_many(session, conv, drafts, lifecycle.BOT)
    outcome.sent = True
    if result.handoff is not None:
        outcome.team_id = apply_handoff(
            session, conv, loaded.handoff_rules, result.handoff.reason, result.handoff.detail
        )
    elif result.close:
        lifecycle.close(session, conv, lifecycle.BOT, reason="Encerrada pela IA")
    _show_activity(session, conv, recorded)
    return _finish(session, outcome)


def _offline_intent(text: str) -> str | None:
    """The model engine names no intent: the inbox still says what the customer asked (under 1 ms)."""
    if not text.strip():
        return None
    from assistant.nlu import classify

    return classify(text).intent


def _show_activity(session: Session, conv: Conversation, recorded: int) -> None:
    """Screens learn the new `ai` activity from the events of this transaction (a reply's
    `message.created`, the hand-off's `conversation.updated` carry the conversation as committed); a run
    that recorded none tells them with a `conversation.updated` of its own."""
    if len(session.info.get(topics.RECORDED, [])) == recorded:
        topics.record(
            session, conv.tenant_id, topics.CONVERSATION_UPDATED, conversation_id=conv.id, change="ai",
            status=str(conv.status), assignee_id=conv.assignee_id, team_id=conv.team_id,
        )  # fmt: skip


def _finish(session: Session, outcome: Outcome) -> Outcome:
    session.flush()
    outcome.outbox_ids = sorted(o.id for o in session.identity_map.values() if isinstance(o, OutboxEvent))
    return outcome


def _draft(reply: Reply, storage: MediaStorage) -> Draft:
    if reply.image is not None:
        sha = storage.put(reply.image)
        media = StoredMedia(sha, "image/png", len(reply.image), reply.filename or "pix.png")
        return Draft(content_type=ContentType.IMAGE, text=reply.text, media=media)
    return Draft(text=reply.text)


def _tool_event(session: Session, conv: Conversation, call: ToolCall) -> None:
    session.add(
        ConversationEvent(
            tenant_id=conv.tenant_id,
            conversation_id=conv.id,
            kind=EventKind.TOOL_CALL,
            actor_kind=ActorKind.BOT,
            reason=timeline_text(call.name, call.arguments, call.contract)[:500],
            data={
                "tool": call.name,
                "arguments": call.arguments,
                "ok": call.ok,
                "summary": call.summary[:300],
                "duration_ms": call.duration_ms,
                "error": call.error,
                "contract": call.contract,
                **({"pop": call.pop} if call.pop else {}),  # the dashboards' spikes per POP read it
            },
        )
    )


def _mark_messages(session: Session, loaded: Loaded, result: TurnResult) -> None:
    """What the attendant understood, on the newest message of the burst (dashboards read it)."""
    if result.intent is None:
        return
    values: dict[str, Any] = {"intent": result.intent[:64]}
    if result.sentiment:
        values["sentiment"] = result.sentiment
    session.execute(
        sa.update(Message)
        .where(Message.id == loaded.last_message_id, Message.intent.is_(None))
        .values(**values)
    )
