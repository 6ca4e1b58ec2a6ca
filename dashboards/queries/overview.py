"""Visão geral: KPI cards against the previous period, the daily trend, volumes and the heatmap."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from dashboards.queries.base import dimension, frame, named, one, ratio
from dashboards.queries.filters import Filters, where

RETURN_HOURS = 72


@dataclass(frozen=True)
class Kpis:
    """One period's headline numbers. Durations in seconds (None: no conversation to measure);
    rates as fractions 0..1 (None: nothing to divide by)."""

    conversations: int
    closed: int
    frt_median_s: float | None  # first human response, without the time with the AI
    frt_business_median_s: float | None
    frt_avg_s: float | None
    frt_total_median_s: float | None  # including the time with the AI
    ai_time_median_s: float | None
    resolution_median_s: float | None
    resolution_business_median_s: float | None
    queue_avg_s: float | None
    queue_business_avg_s: float | None
    reopen_rate: float | None  # closed conversations reopened
    return_rate: float | None  # closed conversations whose contact came back within 72 h
    ai_handled: int
    ai_resolved_verified: int
    ai_resolution_rate: float | None  # verified AI resolutions / conversations the AI handled
    ai_pending_verification: int  # closed by the AI less than 72 h ago, nothing back yet
    handoffs: int
    handoff_rate: float | None  # hand-offs / conversations the AI handled
    csat_responses: int
    csat_score: float | None  # share of 4–5
    csat_average: float | None
    csat_response_rate: float | None


@dataclass(frozen=True)
class KpiComparison:
    current: Kpis
    previous: Kpis

    def change(self, name: str) -> float | None:
        """Relative change against the previous period (0.4 = +40 %); None when either side is missing."""
        now, before = getattr(self.current, name), getattr(self.previous, name)
        if now is None or before is None or before == 0:
            return None
        return (float(now) - float(before)) / abs(float(before))

    def as_rows(self) -> list[dict[str, Any]]:
        cur, prev = asdict(self.current), asdict(self.previous)
        return [{"metric": k, "current": cur[k], "previous": prev[k], "change": self.change(k)} for k in cur]


def _kpi_columns(p: str) -> str:
    """The KPI aggregates of one period: `p` is that period's condition (both periods share one scan)."""
    w = f"FILTER (WHERE {p})"
    wp = f"FILTER (WHERE {p} AND"
    median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY f.{col}) " + w
    return f"""
       count(*) {w} AS conversations,
       count(*) {wp} f.closed_at IS NOT NULL) AS closed,
       {median.format(col="frt_s")} AS frt_median_s,
       {median.format(col="frt_business_s")} AS frt_business_median_s,
       avg(f.frt_s) {w} AS frt_avg_s,
       {median.format(col="frt_total_s")} AS frt_total_median_s,
       {median.format(col="ai_s")} AS ai_time_median_s,
       {median.format(col="resolution_s")} AS resolution_median_s,
       {median.format(col="resolution_business_s")} AS resolution_business_median_s,
       avg(f.queue_s) {wp} (f.queue_s > 0 OR f.handoff)) AS queue_avg_s,
       avg(f.queue_business_s) {wp} (f.queue_s > 0 OR f.handoff)) AS queue_business_avg_s,
       count(*) {wp} f.closed_at IS NOT NULL AND f.reopens > 0) AS reopened,
       count(*) {wp} f.closed_at IS NOT NULL AND f.returned_at IS NOT NULL) AS returned,
       count(*) {wp} f.handled_by_ai) AS ai_handled,
       count(*) {wp} f.ai_closed AND f.returned_at IS NULL
                        AND f.closed_at <= now() - interval '72 hours') AS ai_resolved_verified,
       count(*) {wp} f.ai_closed AND f.returned_at IS NULL
                        AND f.closed_at > now() - interval '72 hours') AS ai_pending_verification,
       count(*) {wp} f.handoff) AS handoffs"""


def _csat_columns(p: str) -> str:
    return f"""
       count(f.csat_sent_at) FILTER (WHERE {p}) AS sent,
       count(f.csat_score) FILTER (WHERE {p}) AS responses,
       count(*) FILTER (WHERE {p} AND f.csat_score >= 4) AS good,
       avg(f.csat_score) FILTER (WHERE {p})::float AS average"""


def _prefixed(columns: str, prefix: str) -> str:
    return columns.replace(" AS ", f" AS {prefix}")


def _kpis_from(row: dict[str, Any]) -> Kpis:
    closed = int(row["closed"])
    return Kpis(
        conversations=int(row["conversations"]),
        closed=closed,
        frt_median_s=row["frt_median_s"],
        frt_business_median_s=row["frt_business_median_s"],
        frt_avg_s=row["frt_avg_s"],
        frt_total_median_s=row["frt_total_median_s"],
        ai_time_median_s=row["ai_time_median_s"],
        resolution_median_s=row["resolution_median_s"],
        resolution_business_median_s=row["resolution_business_median_s"],
        queue_avg_s=row["queue_avg_s"],
        queue_business_avg_s=row["queue_business_avg_s"],
        reopen_rate=ratio(row["reopened"], closed),
        return_rate=ratio(row["returned"], closed),
        ai_handled=int(row["ai_handled"]),
        ai_resolved_verified=int(row["ai_resolved_verified"]),
        ai_resolution_rate=ratio(row["ai_resolved_verified"], row["ai_handled"]),
        ai_pending_verification=int(row["ai_pending_verification"]),
        handoffs=int(row["handoffs"]),
        handoff_rate=ratio(row["handoffs"], row["ai_handled"]),
        csat_responses=int(row["responses"]),
        csat_score=ratio(row["good"], row["responses"]),
        csat_average=row["average"],
        csat_response_rate=ratio(row["responses"], row["sent"]),
    )


def kpis(session: Session, tenant_id: int, filters: Filters) -> KpiComparison:
    """The KPI cards: this period and the one of the same length just before it, in one scan of the
    facts (plus one for CSAT, which counts conversations by their close, like the CSAT page)."""
    both = filters.with_period(filters.previous().start, filters.end)
    sql = where(both, tenant_id)
    params = {**sql.params, "split": filters.start}
    row = one(
        session,
        f"SELECT {_prefixed(_kpi_columns('f.started_at >= :split'), 'cur_')},"
        f" {_prefixed(_kpi_columns('f.started_at < :split'), 'prev_')}"
        f" FROM conversation_facts f WHERE {sql.text}",
        params,
    )
    by_close = where(both, tenant_id, period_on="closed_at")
    row |= one(
        session,
        f"SELECT {_prefixed(_csat_columns('f.closed_at >= :split'), 'cur_')},"
        f" {_prefixed(_csat_columns('f.closed_at < :split'), 'prev_')}"
        f" FROM conversation_facts f WHERE {by_close.text}",
        {**by_close.params, "split": filters.start},
    )
    split: dict[str, dict[str, Any]] = {"cur": {}, "prev": {}}
    for key, value in row.items():
        part, name = key.split("_", 1)
        split[part][name] = value
    return KpiComparison(_kpis_from(split["cur"]), _kpis_from(split["prev"]))


def daily_trend(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """Per local day: volume, closes, medians of first response and resolution, AI outcomes."""
    sql = where(filters, tenant_id)
    return frame(
        session,
        f"""
        SELECT f.local_date AS day, count(*) AS conversations,
               count(*) FILTER (WHERE f.closed_at IS NOT NULL) AS closed,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt_s) AS frt_median_s,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt_business_s) AS frt_business_median_s,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.resolution_s) AS resolution_median_s,
               count(*) FILTER (WHERE f.handled_by_ai) AS ai_handled,
               count(*) FILTER (WHERE f.ai_closed AND f.returned_at IS NULL) AS ai_closed_not_returned,
               count(*) FILTER (WHERE f.handoff) AS handoffs
        FROM conversation_facts f WHERE {sql.text}
        GROUP BY f.local_date ORDER BY f.local_date
        """,
        sql.params,
    )


def volumes(session: Session, tenant_id: int, filters: Filters, by: str) -> pd.DataFrame:
    """Conversations per channel, inbox, team, agent or label: key, name, conversations, closed."""
    sql = where(filters, tenant_id)
    if by == "label":
        return frame(
            session,
            f"""
            SELECT l.id AS key, l.name, count(*) AS conversations,
                   count(*) FILTER (WHERE f.closed_at IS NOT NULL) AS closed
            FROM conversation_facts f
            CROSS JOIN LATERAL unnest(f.label_ids) AS fl(label_id)
            JOIN labels l ON l.id = fl.label_id AND l.tenant_id = :tenant_id
            WHERE {sql.text}
            GROUP BY l.id, l.name ORDER BY conversations DESC
            """,
            sql.params,
        )
    key = dimension(by)
    df = frame(
        session,
        f"""
        SELECT {key} AS key, count(*) AS conversations,
               count(*) FILTER (WHERE f.closed_at IS NOT NULL) AS closed
        FROM conversation_facts f WHERE {sql.text}
        GROUP BY {key} ORDER BY conversations DESC
        """,
        sql.params,
    )
    return named(session, tenant_id, df, by)


def heatmap(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """Hour of week (tenant time): dow (1 = Monday), hour, conversations, median first response."""
    sql = where(filters, tenant_id)
    return frame(
        session,
        f"""
        SELECT f.local_dow AS dow, f.local_hour AS hour, count(*) AS conversations,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt_s) AS frt_median_s
        FROM conversation_facts f WHERE {sql.text}
        GROUP BY f.local_dow, f.local_hour ORDER BY f.local_dow, f.local_hour
        """,
        sql.params,
    )


__all__ = ["KpiComparison", "Kpis", "daily_trend", "heatmap", "kpis", "volumes"]
