"""When and to whom the AI hands a conversation over, and whether people are at work right now.

Reasons come from a fixed taxonomy (stable codes: reports group by them, `handoff_rules` map them to
teams); a free-text detail rides along for the agent. `handoff_rules` is the tenant's JSON:

    {"teams": {"financeiro": 3, "cancelamento": 5}, "default_team": 1}

keyed by reason code (or by the reason's *group*: "financeiro", "suporte", "comercial", "retencao").
The transition itself is `models.lifecycle.hand_off` (event `handoff`, status `pending`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.business_hours import BusinessCalendar
from models.conversation import Conversation
from models.lifecycle import hand_off
from models.user import Team

# code -> (group, pt-BR label for the inbox)
REASONS: dict[str, tuple[str, str]] = {
    "customer_request": ("atendimento", "Cliente pediu um atendente"),
    "not_understood": ("atendimento", "A IA não entendeu o cliente"),
    "negative_sentiment": ("atendimento", "Cliente insatisfeito"),
    "cancellation": ("retencao", "Pedido de cancelamento"),
    "sales": ("comercial", "Interesse em contratar"),
    "payment_receipt": ("financeiro", "Comprovante de pagamento"),
    "billing": ("financeiro", "Assunto financeiro"),
    "support": ("suporte", "Suporte técnico"),
    "out_of_scope": ("atendimento", "Assunto fora do escopo da IA"),
    "max_turns": ("atendimento", "Limite de mensagens da IA atingido"),
    "sgp_unavailable": ("atendimento", "SGP indisponível"),
    "ai_unavailable": ("atendimento", "IA indisponível"),
    "ai_error": ("atendimento", "Falha da IA"),
    "ai_guardrail": ("atendimento", "Resposta da IA bloqueada (dado não confirmado)"),
    "action_in_doubt": ("atendimento", "Ação no SGP sem confirmação"),
    "identification_failed": ("atendimento", "Cliente não identificado"),
}


def normalize_reason(value: str | None) -> str:
    """A model may name a reason loosely; anything unknown is `out_of_scope` (the detail keeps its words)."""
    code = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"cancelamento": "cancellation", "vendas": "sales", "comercial": "sales",
               "financeiro": "billing", "comprovante": "payment_receipt", "suporte": "support",
               "atendente": "customer_request", "humano": "customer_request"}  # fmt: skip
    code = aliases.get(code, code)
    return code if code in REASONS else "out_of_scope"


def reason_label(code: str) -> str:
    return REASONS.get(code, ("", code))[1]


def team_for(session: Session, rules: dict[str, Any] | None, reason: str) -> int | None:
    """The team named for the reason, else for its group, else the default; a team id that no longer
    exists in this tenant counts as none (the tenant-scoped session returns None for others')."""
    rules = rules or {}
    teams = rules.get("teams") or {}
    group = REASONS.get(reason, ("atendimento", ""))[0]
    for key in (reason, group):
        if key in teams:
            team = _existing(session, teams[key])
            if team is not None:
                return team
    return _existing(session, rules.get("default_team"))


def _existing(session: Session, value: Any) -> int | None:
    try:
        team_id = int(value)
    except (TypeError, ValueError):
        return None
    team = session.get(Team, team_id)
    return team.id if team is not None else None


def apply_handoff(
    session: Session, conv: Conversation, rules: dict[str, Any] | None, reason: str, detail: str | None
) -> int | None:
    """Hand the conversation to humans; returns the team chosen (None: anyone)."""
    code = normalize_reason(reason)
    team_id = team_for(session, rules, code)
    # "Pedido de cancelamento (cancellation) — quero cancelar": agents read the label, reports the code.
    text = f"{reason_label(code)} ({code})" + (f" — {detail}" if detail else "")
    hand_off(session, conv, text[:500], team_id)
    conv.handoff_reason = (reason_label(code) + (f" — {detail}" if detail else ""))[:200]
    return team_id


WEEKDAYS_PT = (
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
)


def business_status(hours: dict[str, Any] | None, timezone: str, now: datetime) -> tuple[bool, str | None]:
    """(open now, when people are back as pt-BR words). No hours configured: always open. Closures and
    Brazilian national holidays count (`models.business_hours`)."""
    calendar = BusinessCalendar.from_config(hours, timezone)
    if calendar.is_open(now):
        return True, None
    opening = calendar.next_opening(now)
    if opening is None:
        return False, None
    local_now, local = now.astimezone(calendar.tz), opening.astimezone(calendar.tz)
    offset = (local.date() - local_now.date()).days
    when = "hoje" if offset == 0 else "amanhã" if offset == 1 else WEEKDAYS_PT[local.weekday()]
    return False, f"{when} às {local:%H:%M}"
