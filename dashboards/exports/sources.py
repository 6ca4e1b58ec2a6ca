"""What each export reads: its columns and one SQL statement, always `WHERE tenant_id = :tenant` on the
driving table, the sidebar's filters as bound parameters, local times computed by PostgreSQL in the
tenant's timezone, and the viewer's team scope (a supervisor's teams) intersected with the team filter
by the same rule as the pages (`dashboards.queries.filters.scoped_team_ids`). Rows are fetched through a
server-side cursor, a chunk at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboards.exports.columns import Column
from dashboards.filters import FilterState, Period
from dashboards.queries.filters import Filters, TeamScope, scoped_team_ids, where

CHUNK_ROWS = 5000


@dataclass(frozen=True)
class ExportSource:
    key: str
    title: str  # pt-BR, also the sheet and file name
    columns: tuple[Column, ...]
    sql: str  # SELECT … with {where}; aliases in the columns' order
    period_column: str  # the driving table's timestamp the period filters on
    alias: str  # the driving table's alias (tenant_id lives there)
    facts: bool = False  # filtered like the pages, by `dashboards.queries.filters.where` on the facts


def _conversation_filters(
    state: FilterState, team_scope: TeamScope, c: str = "c"
) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if state.inbox_ids:
        where.append(f"{c}.inbox_id = ANY(:inbox_ids)")
        params["inbox_ids"] = list(state.inbox_ids)
    team_ids = scoped_team_ids(state.team_ids, team_scope)
    if team_ids is not None:  # an empty list matches no row
        where.append(f"{c}.team_id = ANY(:team_ids)")
        params["team_ids"] = list(team_ids)
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


RAW_CONVERSATIONS = ExportSource(
    key="conversas-brutas",
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

CONVERSATIONS = ExportSource(
    key="conversas",
    title="Conversas",
    alias="f",
    period_column="started_at",
    facts=True,
    columns=(
        Column("id", "Conversa", "int", 10),
        Column("started_local", "Aberta em", "datetime", 19),
        Column("channel", "Canal", "text", 14),
        Column("inbox", "Caixa de entrada", "text", 22),
        Column("contact", "Contato", "text", 24),
        Column("phone", "Telefone", "text", 16),
        Column("status", "Situação", "text", 12),
        Column("team", "Equipe", "text", 18),
        Column("agent", "Atendente", "text", 20),
        Column("first_agent", "1º atendente", "text", 20),
        Column("labels", "Etiquetas", "text", 24),
        Column("first_customer_local", "1ª mensagem do cliente", "datetime", 19),
        Column("ai_until_local", "Com a IA até", "datetime", 19),
        Column("first_bot_reply_local", "1ª resposta da IA", "datetime", 19),
        Column("first_human_local", "1ª resposta humana em", "datetime", 19),
        Column("closed_local", "Encerrada em", "datetime", 19),
        Column("closed_by", "Encerrada por", "text", 11),
        Column("frt_s", "1ª resposta humana (sem o tempo com a IA)", "duration", 14),
        Column("frt_business_s", "1ª resposta humana, horário comercial", "duration", 14),
        Column("frt_total_s", "1ª resposta humana desde a 1ª mensagem", "duration", 14),
        Column("ai_s", "Tempo com a IA", "duration", 12),
        Column("first_bot_reply_s", "1ª resposta da IA (tempo)", "duration", 12),
        Column("resolution_s", "Resolução", "duration", 12),
        Column("resolution_business_s", "Resolução, horário comercial", "duration", 14),
        Column("queue_s", "Espera na fila", "duration", 12),
        Column("queue_business_s", "Espera na fila, horário comercial", "duration", 14),
        Column("customer_messages", "Mensagens do cliente", "int", 10),
        Column("human_messages", "Mensagens de atendentes", "int", 10),
        Column("bot_messages", "Mensagens da IA", "int", 10),
        Column("reopens", "Reaberturas", "int", 10),
        Column("transfers", "Transferências", "int", 10),
        Column("handled_by_ai", "Atendida pela IA", "bool", 10),
        Column("handoff", "Transferida para humano", "bool", 10),
        Column("handoff_reason", "Motivo da transferência", "text", 20),
        Column("ai_closed", "Encerrada pela IA", "bool", 10),
        Column("returned_local", "Cliente voltou em (até 72 h)", "datetime", 19),
        Column("tools", "Ferramentas usadas", "text", 24),
        Column("tool_failures", "Falhas de ferramentas", "int", 10),
        Column("guardrail_triggers", "Proteções acionadas", "int", 10),
        Column("intent", "Intenção", "text", 18),
        Column("pop", "POP", "text", 18),
        Column("positive_messages", "Mensagens positivas", "int", 10),
        Column("neutral_messages", "Mensagens neutras", "int", 10),
        Column("negative_messages", "Mensagens negativas", "int", 10),
        Column("sentiment_avg", "Sentimento médio", "number", 10),
        Column("csat_score", "Nota CSAT", "int", 9),
        Column("csat_comment", "Comentário CSAT", "text", 40),
    ),
    sql="""
SELECT f.conversation_id AS id,
       f.started_at AT TIME ZONE :tz AS started_local,
       f.channel,
       i.name AS inbox,
       ct.name AS contact,
       ct.phone_e164 AS phone,
       f.status,
       tm.name AS team,
       u.name AS agent,
       fu.name AS first_agent,
       (SELECT string_agg(l.name, ', ' ORDER BY l.name) FROM labels l
          WHERE l.id = ANY(f.label_ids) AND l.tenant_id = :tenant_id) AS labels,
       f.first_customer_at AT TIME ZONE :tz AS first_customer_local,
       f.ai_until AT TIME ZONE :tz AS ai_until_local,
       f.first_bot_reply_at AT TIME ZONE :tz AS first_bot_reply_local,
       f.first_human_reply_at AT TIME ZONE :tz AS first_human_local,
       f.closed_at AT TIME ZONE :tz AS closed_local,
       CASE f.closed_by WHEN 'user' THEN 'Atendente' WHEN 'bot' THEN 'IA'
            WHEN 'system' THEN 'Sistema' END AS closed_by,
       f.frt_s, f.frt_business_s, f.frt_total_s, f.ai_s, f.first_bot_reply_s,
       f.resolution_s, f.resolution_business_s, f.queue_s, f.queue_business_s,
       f.customer_messages, f.human_messages, f.bot_messages, f.reopens, f.transfers,
       f.handled_by_ai, f.handoff, f.handoff_reason, f.ai_closed,
       f.returned_at AT TIME ZONE :tz AS returned_local,
       array_to_string(f.tools, ', ') AS tools,
       f.tool_failures, f.guardrail_triggers, f.intent, f.pop,
       f.positive_messages, f.neutral_messages, f.negative_messages, f.sentiment_avg,
       r.score AS csat_score,
       r.comment AS csat_comment
FROM conversation_facts f
JOIN inboxes i ON i.id = f.inbox_id
JOIN contacts ct ON ct.id = f.contact_id
LEFT JOIN teams tm ON tm.id = f.team_id
LEFT JOIN users u ON u.id = f.agent_id
LEFT JOIN users fu ON fu.id = f.first_agent_id
LEFT JOIN csat_surveys s ON s.conversation_id = f.conversation_id AND s.tenant_id = :tenant_id
LEFT JOIN csat_responses r ON r.survey_id = s.id
WHERE {where}
ORDER BY f.conversation_id""",
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

SOURCES = {s.key: s for s in (CONVERSATIONS, CSAT, AGENTS)}  # RAW_CONVERSATIONS: before facts exist


def statement(
    source: ExportSource,
    tenant_id: int,
    state: FilterState,
    period: Period,
    timezone: str,
    *,
    team_scope: TeamScope,
) -> tuple[str, dict[str, Any]]:
    """The SQL and its parameters: the tenant and the team scope come only from the caller's verified
    session (no default: every caller says whose teams it may read)."""
    if source.facts:
        filters = Filters(
            start=period.start,
            end=period.end,
            inbox_ids=state.inbox_ids,
            team_ids=state.team_ids,
            agent_ids=state.agent_ids,
            label_ids=state.label_ids,
            channels=state.channels,
            team_scope=team_scope,
        )
        sql = where(filters, tenant_id, alias=source.alias, period_on=source.period_column)
        return source.sql.format(where=sql.text), {**sql.params, "tz": timezone}
    a = source.alias
    where_ = [
        f"{a}.tenant_id = :tenant",
        f"{a}.{source.period_column} >= :start",
        f"{a}.{source.period_column} < :end",
    ]
    extra, params = _conversation_filters(state, team_scope)
    where_ += extra
    params.update(tenant=tenant_id, start=period.start, end=period.end, tz=timezone)
    return source.sql.format(where=" AND ".join(where_)), params


def count(
    conn: Connection,
    source: ExportSource,
    tenant_id: int,
    state: FilterState,
    period: Period,
    timezone: str,
    *,
    team_scope: TeamScope,
) -> int:
    sql, params = statement(source, tenant_id, state, period, timezone, team_scope=team_scope)
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
    *,
    team_scope: TeamScope,
) -> Iterator[Sequence[Sequence[Any]]]:
    """Server-side cursor (psycopg named cursor via stream_results): `size` rows in memory at a time."""
    sql, params = statement(source, tenant_id, state, period, timezone, team_scope=team_scope)
    result = conn.execution_options(stream_results=True, yield_per=size).execute(sa.text(sql), params)
    for part in result.partitions(size):
        yield [tuple(row) for row in part]
