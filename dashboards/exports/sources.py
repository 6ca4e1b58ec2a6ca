"""What each export reads: its columns and one SQL statement, always `WHERE tenant_id = :tenant` on the
driving table, the sidebar's filters as bound parameters, local times computed by PostgreSQL in the
tenant's timezone. Rows are fetched through a server-side cursor, a chunk at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboards.exports.columns import Column
from dashboards.filters import FilterState, Period

CHUNK_ROWS = 5000


@dataclass(frozen=True)
class ExportSource:
    key: str
    title: str  # pt-BR, also the sheet and file name
    columns: tuple[Column, ...]
    sql: str  # SELECT … with {where}; aliases in the columns' order
    period_column: str  # the driving table's timestamp the period filters on
    alias: str  # the driving table's alias (tenant_id lives there)


def _conversation_filters(state: FilterState, c: str = "c") -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if state.inbox_ids:
        where.append(f"{c}.inbox_id = ANY(:inbox_ids)")
        params["inbox_ids"] = list(state.inbox_ids)
    if state.team_ids:
        where.append(f"{c}.team_id = ANY(:team_ids)")
        params["team_ids"] = list(state.team_ids)
    if state.agent_ids:
        where.append(f"{c}.assignee_id = ANY(:agent_ids)")
        params["agent_ids"] = list(state.agent_ids)
    if state.label_ids:
        where.append(
            f"EXISTS (SELECT 1 FROM conversation_labels fl WHERE fl.conversation_id = {c}.id "  # noqa: S608
            "AND fl.tenant_id = :tenant AND fl.label_id = ANY(:label_ids))"
        )
        params["label_ids"] = list(state.label_ids)
    if state.channels:
        where.append(
            f"{c}.inbox_id IN (SELECT id FROM inboxes WHERE tenant_id = :tenant"  # noqa: S608
            " AND channel_type::text = ANY(:channels))"
        )
        params["channels"] = list(state.channels)
    return where, params


CONVERSATIONS = ExportSource(
    key="conversas",
    title="Conversas",
    alias="c",
    period_column="created_at",
    columns=(
        Column("id", "Conversa", "int", 10),
        Column("created_local", "Aberta em", "datetime", 19),
        Column("channel", "Canal", "text", 14),
        Column("inbox", "Caixa de entrada", "text", 22),
        Column("contact", "Contato", "text", 24),
        Column("phone", "Telefone", "text", 16),
        Column("status", "Situação", "text", 14),
        Column("priority", "Prioridade", "text", 11),
        Column("team", "Equipe", "text", 18),
        Column("agent", "Atendente", "text", 20),
        Column("first_reply_local", "1ª resposta em", "datetime", 19),
        Column("first_response_s", "Tempo até a 1ª resposta", "duration", 12),
        Column("first_human_local", "1ª resposta humana em", "datetime", 19),
        Column("first_human_s", "Tempo até a 1ª resposta humana", "duration", 12),
        Column("closed_local", "Encerrada em", "datetime", 19),
        Column("resolution_s", "Tempo de resolução", "duration", 12),
        Column("resolved_by_ai", "Resolvida pela IA", "bool", 10),
        Column("handoff_reason", "Motivo da transferência", "text", 28),
        Column("close_reason", "Motivo do encerramento", "text", 28),
        Column("labels", "Etiquetas", "text", 24),
        Column("csat_score", "Nota CSAT", "int", 9),
        Column("csat_comment", "Comentário CSAT", "text", 40),
    ),
    sql="""
SELECT c.id,
       c.created_at AT TIME ZONE :tz AS created_local,
       i.channel_type::text AS channel,
       i.name AS inbox,
       ct.name AS contact,
       ct.phone_e164 AS phone,
       c.status::text AS status,
       c.priority::text AS priority,
       tm.name AS team,
       u.name AS agent,
       c.first_reply_at AT TIME ZONE :tz AS first_reply_local,
       EXTRACT(EPOCH FROM c.first_reply_at - c.created_at) AS first_response_s,
       c.first_human_reply_at AT TIME ZONE :tz AS first_human_local,
       EXTRACT(EPOCH FROM c.first_human_reply_at - c.created_at) AS first_human_s,
       c.closed_at AT TIME ZONE :tz AS closed_local,
       EXTRACT(EPOCH FROM c.closed_at - c.created_at) AS resolution_s,
       c.resolved_by_ai,
       c.handoff_reason,
       c.close_reason,
       (SELECT string_agg(l.name, ', ' ORDER BY l.name) FROM conversation_labels cl
          JOIN labels l ON l.id = cl.label_id
          WHERE cl.conversation_id = c.id AND cl.tenant_id = :tenant) AS labels,
       r.score AS csat_score,
       r.comment AS csat_comment
FROM conversations c
JOIN inboxes i ON i.id = c.inbox_id
JOIN contacts ct ON ct.id = c.contact_id
LEFT JOIN teams tm ON tm.id = c.team_id
LEFT JOIN users u ON u.id = c.assignee_id
LEFT JOIN csat_surveys s ON s.conversation_id = c.id
LEFT JOIN csat_responses r ON r.survey_id = s.id
WHERE {where}
ORDER BY c.id""",
)

CSAT = ExportSource(
    key="csat",
    title="Respostas CSAT",
    alias="r",
    period_column="created_at",
    columns=(
        Column("id", "Resposta", "int", 10),
        Column("answered_local", "Respondida em", "datetime", 19),
        Column("conversation_id", "Conversa", "int", 10),
        Column("score", "Nota", "int", 7),
        Column("comment", "Comentário", "text", 50),
        Column("sentiment", "Sentimento", "text", 12),
        Column("themes", "Temas", "text", 24),
        Column("interpreted_by", "Interpretada por", "text", 12),
        Column("channel", "Canal", "text", 14),
        Column("inbox", "Caixa de entrada", "text", 22),
        Column("team", "Equipe", "text", 18),
        Column("agent", "Atendente", "text", 20),
        Column("handled_by_ai", "Atendida pela IA", "bool", 10),
    ),
    sql="""
SELECT r.id,
       r.created_at AT TIME ZONE :tz AS answered_local,
       s.conversation_id,
       r.score,
       r.comment,
       r.sentiment,
       (SELECT string_agg(value, ', ') FROM jsonb_array_elements_text(r.themes)) AS themes,
       r.interpreted_by,
       i.channel_type::text AS channel,
       i.name AS inbox,
       tm.name AS team,
       u.name AS agent,
       s.handled_by_ai
FROM csat_responses r
JOIN csat_surveys s ON s.id = r.survey_id
JOIN conversations c ON c.id = s.conversation_id
JOIN inboxes i ON i.id = s.inbox_id
LEFT JOIN teams tm ON tm.id = s.team_id
LEFT JOIN users u ON u.id = s.agent_id
WHERE {where}
ORDER BY r.id""",
)

AGENTS = ExportSource(
    key="atendentes",
    title="Atendentes",
    alias="c",
    period_column="created_at",
    columns=(
        Column("id", "Atendente", "int", 10),
        Column("name", "Nome", "text", 24),
        Column("email", "E-mail", "text", 28),
        Column("role", "Perfil", "text", 12),
        Column("active", "Ativo", "bool", 8),
        Column("conversations", "Conversas", "int", 11),
        Column("closed", "Encerradas", "int", 11),
        Column("avg_first_human_s", "1ª resposta humana (média)", "duration", 14),
        Column("avg_resolution_s", "Resolução (média)", "duration", 14),
        Column("csat_answers", "Respostas CSAT", "int", 11),
        Column("csat_avg", "CSAT (média)", "number", 10),
    ),
    sql="""
SELECT u.id, u.name, u.email, u.role::text AS role, u.is_active AS active,
       count(c.id) AS conversations,
       count(c.closed_at) AS closed,
       avg(EXTRACT(EPOCH FROM c.first_human_reply_at - c.created_at)) AS avg_first_human_s,
       avg(EXTRACT(EPOCH FROM c.closed_at - c.created_at)) AS avg_resolution_s,
       count(r.score) AS csat_answers,
       avg(r.score)::numeric(4, 2) AS csat_avg
FROM users u
JOIN conversations c ON c.assignee_id = u.id
LEFT JOIN csat_surveys s ON s.conversation_id = c.id
LEFT JOIN csat_responses r ON r.survey_id = s.id
WHERE u.tenant_id = :tenant AND {where}
GROUP BY u.id
ORDER BY u.name""",
)

SOURCES = {s.key: s for s in (CONVERSATIONS, CSAT, AGENTS)}


def statement(
    source: ExportSource, tenant_id: int, state: FilterState, period: Period, timezone: str
) -> tuple[str, dict[str, Any]]:
    """The SQL and its parameters: the tenant comes only from the caller's verified session."""
    a = source.alias
    where = [
        f"{a}.tenant_id = :tenant",
        f"{a}.{source.period_column} >= :start",
        f"{a}.{source.period_column} < :end",
    ]
    extra, params = _conversation_filters(state)
    where += extra
    params.update(tenant=tenant_id, start=period.start, end=period.end, tz=timezone)
    return source.sql.format(where=" AND ".join(where)), params


def count(
    conn: Connection, source: ExportSource, tenant_id: int, state: FilterState, period: Period, timezone: str
) -> int:
    sql, params = statement(source, tenant_id, state, period, timezone)
    counted = sa.text(f"SELECT count(*) FROM ({sql}) AS q")  # noqa: S608  our own statement
    return int(conn.execute(counted, params).scalar_one())


def chunks(
    conn: Connection,
    source: ExportSource,
    tenant_id: int,
    state: FilterState,
    period: Period,
    timezone: str,
    size: int = CHUNK_ROWS,
) -> Iterator[Sequence[Sequence[Any]]]:
    """Server-side cursor (psycopg named cursor via stream_results): `size` rows in memory at a time."""
    sql, params = statement(source, tenant_id, state, period, timezone)
    result = conn.execution_options(stream_results=True, yield_per=size).execute(sa.text(sql), params)
    for part in result.partitions(size):
        yield [tuple(row) for row in part]
