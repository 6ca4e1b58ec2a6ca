"""IA: what the attendant resolved (verified), hand-offs and their reasons, tools, guardrails.

An AI resolution is verified when the AI closed the conversation, no human wrote in it, it was never
reopened, and the same contact opened no new conversation within 72 h of the close. Closed by the AI
less than 72 h ago with nothing back yet: "aguardando verificação", counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from dashboards.queries.base import frame, one, ratio
from dashboards.queries.filters import Filters, where

REASON_LABELS = {
    "customer_request": "Cliente pediu um atendente",
    "not_understood": "A IA não entendeu o cliente",
    "negative_sentiment": "Cliente insatisfeito",
    "cancellation": "Pedido de cancelamento",
    "sales": "Interesse em contratar",
    "payment_receipt": "Comprovante de pagamento",
    "billing": "Assunto financeiro",
    "support": "Suporte técnico",
    "out_of_scope": "Assunto fora do escopo da IA",
    "max_turns": "Limite de mensagens da IA atingido",
    "sgp_unavailable": "SGP indisponível",
    "ai_unavailable": "IA indisponível",
    "ai_error": "Falha da IA",
    "ai_guardrail": "Resposta da IA bloqueada (dado não confirmado)",
    "action_in_doubt": "Ação no SGP sem confirmação",
    "identification_failed": "Cliente não identificado",
    "other": "Outro motivo",
}


@dataclass(frozen=True)
class AiSummary:
    handled: int  # conversations that were with the AI at some point
    ai_closed: int  # closed by the AI with no human message and no reopen
    verified: int  # ... and the contact did not come back within 72 h (72 h have passed)
    returned: int  # ... but the contact came back within 72 h
    pending_verification: int  # ... closed less than 72 h ago, nothing back yet
    verified_rate: float | None  # verified / handled
    handoffs: int
    handoff_rate: float | None  # handoffs / handled
    tool_calls: int
    tool_failures: int
    guardrail_triggers: int
    ai_time_median_s: float | None
    first_bot_reply_median_s: float | None


def ai_summary(session: Session, tenant_id: int, filters: Filters) -> AiSummary:
    sql = where(filters, tenant_id)
    row = one(
        session,
        f"""
        SELECT count(*) FILTER (WHERE f.handled_by_ai) AS handled,
               count(*) FILTER (WHERE f.ai_closed) AS ai_closed,
               count(*) FILTER (WHERE f.ai_closed AND f.returned_at IS NULL
                                AND f.closed_at <= now() - interval '72 hours') AS verified,
               count(*) FILTER (WHERE f.ai_closed AND f.returned_at IS NOT NULL) AS returned,
               count(*) FILTER (WHERE f.ai_closed AND f.returned_at IS NULL
                                AND f.closed_at > now() - interval '72 hours') AS pending,
               count(*) FILTER (WHERE f.handoff) AS handoffs,
               coalesce(sum(cardinality(f.tools)), 0) AS tool_calls,
               coalesce(sum(f.tool_failures), 0) AS tool_failures,
               coalesce(sum(f.guardrail_triggers), 0) AS guardrails,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ai_s) AS ai_time,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.first_bot_reply_s) AS first_bot_reply
        FROM conversation_facts f WHERE {sql.text}
        """,
        sql.params,
    )
    return AiSummary(
        handled=int(row["handled"]),
        ai_closed=int(row["ai_closed"]),
        verified=int(row["verified"]),
        returned=int(row["returned"]),
        pending_verification=int(row["pending"]),
        verified_rate=ratio(row["verified"], row["handled"]),
        handoffs=int(row["handoffs"]),
        handoff_rate=ratio(row["handoffs"], row["handled"]),
        tool_calls=int(row["tool_calls"]),
        tool_failures=int(row["tool_failures"]),
        guardrail_triggers=int(row["guardrails"]),
        ai_time_median_s=row["ai_time"],
        first_bot_reply_median_s=row["first_bot_reply"],
    )


def handoff_reasons(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """reason (code), label (pt-BR), conversations, share of all hand-offs."""
    sql = where(filters, tenant_id)
    df = frame(
        session,
        f"""
        SELECT coalesce(f.handoff_reason, 'other') AS reason, count(*) AS conversations,
               count(*)::float / sum(count(*)) OVER () AS share
        FROM conversation_facts f WHERE {sql.text} AND f.handoff
        GROUP BY 1 ORDER BY conversations DESC
        """,
        sql.params,
    )
    df.insert(1, "label", [REASON_LABELS.get(r, r) for r in df["reason"]])
    return df


def tools_used(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """tool, calls, conversations that used it (each counted at the tool's first call: no DISTINCT sort)."""
    sql = where(filters, tenant_id)
    return frame(
        session,
        f"""
        SELECT t.tool, count(*) AS calls,
               count(*) FILTER (WHERE array_position(f.tools, t.tool) = t.i) AS conversations
        FROM conversation_facts f CROSS JOIN LATERAL unnest(f.tools) WITH ORDINALITY AS t(tool, i)
        WHERE {sql.text}
        GROUP BY t.tool ORDER BY calls DESC
        """,
        sql.params,
    )


def ai_trend(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """Per local day: handled, closed by the AI alone, returned within 72 h, hand-offs, guardrail triggers."""
    sql = where(filters, tenant_id)
    return frame(
        session,
        f"""
        SELECT f.local_date AS day,
               count(*) FILTER (WHERE f.handled_by_ai) AS handled,
               count(*) FILTER (WHERE f.ai_closed) AS ai_closed,
               count(*) FILTER (WHERE f.ai_closed AND f.returned_at IS NOT NULL) AS returned,
               count(*) FILTER (WHERE f.handoff) AS handoffs,
               coalesce(sum(f.guardrail_triggers), 0) AS guardrail_triggers
        FROM conversation_facts f WHERE {sql.text}
        GROUP BY f.local_date ORDER BY f.local_date
        """,
        sql.params,
    )
