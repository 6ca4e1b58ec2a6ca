"""What the AI did last on a conversation, as the inbox shows it: "IA: 2ª via · consultou cliente, gerou PIX".

Kept as one small JSON value on the conversation row (`conversations.ai_activity`), written by the
attendant's run in the transaction that already locks and updates that row, so the list, the REST API
and the relay's Socket.IO events read it with the conversation itself: no extra query, no N+1. The
attendant's full memory stays in `ai_conversation_states`; this is only what people need to see.

Codes, not sentences: the intent (`assistant.nlu` intents), tool names, and the hand-off reason code of
`assistant.policy.REASONS`, whose pt-BR label is stored next to it for API clients; the inbox translates
the codes itself (web/inbox/strings.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

MAX_TOOLS = 8  # tools listed per run: a run is capped well below this anyway
_TEXT = 200


def after_turn(
    previous: dict[str, Any] | None,
    *,
    intent: str | None,
    tools: list[tuple[str, bool]],
    knowledge: str | None,
    at: datetime,
) -> dict[str, Any]:
    """The activity after one run. A run that called no tool keeps the tools of the last one that did:
    "what it did last" stays visible while the customer says "obrigado"."""
    activity = dict(previous or {})
    if intent:
        activity["intent"] = intent[:64]
    if tools:
        activity["tools"] = [{"name": name[:64], "ok": bool(ok)} for name, ok in tools[:MAX_TOOLS]]
    activity["knowledge"] = knowledge[:_TEXT] if knowledge else None
    activity["at"] = at.isoformat()
    return activity


def after_handoff(
    previous: dict[str, Any] | None,
    *,
    reason: str,
    label: str,
    detail: str | None,
    team_id: int | None,
    at: datetime,
) -> dict[str, Any]:
    activity = dict(previous or {})
    activity["handoff"] = {
        "reason": reason,
        "label": label[:_TEXT],
        "detail": detail[:_TEXT] if detail else None,
        "team_id": team_id,
        "at": at.isoformat(),
    }
    return activity


def ai_view(activity: dict[str, Any] | None) -> dict[str, Any] | None:
    """The `ai` field of a serialized conversation (None: the AI never ran on it)."""
    if not activity:
        return None
    handoff = activity.get("handoff") or {}
    tools = activity.get("tools") or []
    return {
        "last_intent": activity.get("intent"),
        "last_tools": [{"name": str(tool.get("name")), "ok": bool(tool.get("ok"))} for tool in tools],
        "knowledge": activity.get("knowledge"),
        "updated_at": activity.get("at"),
        "handoff_reason": handoff.get("reason"),
        "handoff_label": handoff.get("label"),
        "handoff_detail": handoff.get("detail"),
        "handoff_team_id": handoff.get("team_id"),
        "handoff_at": handoff.get("at"),
    }
