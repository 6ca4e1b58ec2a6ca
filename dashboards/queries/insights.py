"""Insights: a few findings in plain Portuguese, computed from the facts, each with its numbers and the
drill-down behind it. Every number in a sentence is in `numbers`, read from the data; a finding needs
enough conversations to mean something (`MIN_CONVERSATIONS`) and is left out otherwise.

Findings: the weekday and two-hour block whose first response grew most against the previous period;
a team whose CSAT fell over the last 30 days (and its most cited theme); a spike of an intent at one POP
(the ISP's network node, from the contract the AI identified) at one hour — or, without POPs, in an inbox;
the AI's verified resolution rate moving; the leading hand-off reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dashboards.queries.ai import REASON_LABELS
from dashboards.queries.base import dimension_names, frame
from dashboards.queries.drilldown import Drill
from dashboards.queries.filters import Filters, where
from dashboards.queries.wording import WEEKDAYS_PLURAL, duration, label, number, percent

MIN_CONVERSATIONS = 20  # per compared group
MIN_CHANGE = 0.2  # +20 % before a change is worth a sentence
MIN_CSAT_RESPONSES = 10
CSAT_DROP = 0.3  # points of the 1–5 average
SPIKE_FACTOR = 3.0
MIN_SPIKE = 10


@dataclass(frozen=True)
class Insight:
    kind: str
    text: str
    numbers: dict[str, Any]
    drill: Drill
    filters: Filters  # the period and dimensions the drill applies to
    severity: float = 0.0  # for ordering: bigger first
    details: dict[str, Any] = field(default_factory=dict)


Blocks = dict[tuple[int, int], tuple[float, int]]  # (weekday, 2-hour block) -> (median FRT, conversations)


def _blocks(session: Session, tenant_id: int, filters: Filters) -> tuple[Blocks, Blocks]:
    """Median first response per weekday and two-hour block, this period and the previous, in one scan."""
    both = filters.with_period(filters.previous().start, filters.end)
    sql = where(both, tenant_id)
    df = frame(
        session,
        f"""
        SELECT f.started_at >= :split AS current, f.local_dow AS dow, (f.local_hour / 2) * 2 AS block,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt_s) AS frt, count(f.frt_s) AS n
        FROM conversation_facts f WHERE {sql.text} AND f.frt_s IS NOT NULL
        GROUP BY 1, 2, 3
        """,
        {**sql.params, "split": filters.start},
    )
    now: Blocks = {}
    before: Blocks = {}
    for r in df.itertuples():
        (now if r.current else before)[(int(r.dow), int(r.block))] = (float(r.frt), int(r.n))
    return now, before


def frt_block(session: Session, tenant_id: int, filters: Filters) -> Insight | None:
    now, before = _blocks(session, tenant_id, filters)
    best: tuple[float, tuple[int, int]] | None = None
    for key, (frt, n) in now.items():
        prev = before.get(key)
        if prev is None or n < MIN_CONVERSATIONS or prev[1] < MIN_CONVERSATIONS or prev[0] <= 0:
            continue
        change = (frt - prev[0]) / prev[0]
        if change >= MIN_CHANGE and (best is None or change > best[0]):
            best = (change, key)
    if best is None:
        return None
    change, (dow, block) = best
    frt, n = now[(dow, block)]
    prev_frt, prev_n = before[(dow, block)]
    text = (
        f"O tempo de primeira resposta subiu {percent(change)} às {WEEKDAYS_PLURAL[dow]}, "
        f"{block}h–{block + 2}h: mediana de {duration(frt)} contra {duration(prev_frt)} no período anterior "
        f"({number(n)} conversas)."
    )
    numbers = {"change": change, "frt_median_s": frt, "previous_frt_median_s": prev_frt,
               "conversations": n, "previous_conversations": prev_n, "dow": dow,
               "hour_from": block, "hour_to": block + 2}  # fmt: skip
    return Insight("frt_block", text, numbers, Drill("dow_hours", (dow, block, block + 2)), filters, change)


def csat_team_drop(session: Session, tenant_id: int, filters: Filters) -> Insight | None:
    end = filters.end
    recent = filters.with_period(end - timedelta(days=30), end)
    sql = where(recent, tenant_id, period_on="closed_at")
    both = where(recent.with_period(recent.previous().start, end), tenant_id, period_on="closed_at")
    df = frame(
        session,
        f"""
        SELECT f.closed_at >= :split AS current, f.team_id, avg(f.csat_score)::float AS average,
               count(f.csat_score) AS n
        FROM conversation_facts f
        WHERE {both.text} AND f.team_id IS NOT NULL AND f.csat_score IS NOT NULL GROUP BY 1, 2
        """,
        {**both.params, "split": recent.start},
    )
    now = df[df["current"].astype(bool)].set_index("team_id")
    before = df[~df["current"].astype(bool)].set_index("team_id")
    worst: tuple[float, int] | None = None
    for team_id, row in now.iterrows():
        if team_id not in before.index or row["n"] < MIN_CSAT_RESPONSES:
            continue
        prev = before.loc[team_id]
        drop = float(prev["average"]) - float(row["average"])
        if prev["n"] >= MIN_CSAT_RESPONSES and drop >= CSAT_DROP and (worst is None or drop > worst[0]):
            worst = (drop, int(str(team_id)))
    if worst is None:
        return None
    drop, team_id = worst
    themes = frame(
        session,
        f"""
        SELECT theme, count(*) AS n
        FROM conversation_facts f CROSS JOIN LATERAL unnest(f.csat_themes) AS t(theme)
        WHERE {sql.text} AND f.team_id = :team AND f.csat_score <= 3
        GROUP BY theme ORDER BY n DESC, theme LIMIT 1
        """,
        {**sql.params, "team": team_id},
    )
    name = dimension_names(session, tenant_id, "team").get(team_id, "—")
    avg_now, avg_prev = float(now.loc[team_id, "average"]), float(before.loc[team_id, "average"])
    text = f"CSAT do {name} caiu de {number(avg_prev, 1)} para {number(avg_now, 1)} em 30 dias"
    numbers: dict[str, Any] = {"team_id": team_id, "average": avg_now, "previous_average": avg_prev,
                               "responses": int(now.loc[team_id, "n"]),
                               "previous_responses": int(before.loc[team_id, "n"])}  # fmt: skip
    if not themes.empty:
        numbers["top_theme"], numbers["top_theme_count"] = str(themes["theme"][0]), int(themes["n"][0])
        text += (
            f"; tema mais citado: {numbers['top_theme']} ({number(numbers['top_theme_count'])} avaliações)"
        )
    team_filters = replace(recent, team_ids=(team_id,))
    return Insight("csat_team_drop", text + ".", numbers, Drill("csat_low"), team_filters, drop / 5 * 4)


def _place(pop: str) -> str:
    """The POP as the sentence names it ("no POP Centro"), whether the SGP says "POP Centro" or "Centro"."""
    return pop if re.match(r"pop\b", pop, re.IGNORECASE) else f"POP {pop}"


def intent_spike(session: Session, tenant_id: int, filters: Filters) -> Insight | None:
    """The hour when one intent came far above its usual rate at one POP (an outage: "sem internet" at
    POP Centro at 14h) or, failing that, in one inbox (every conversation of it, POP or not: a tenant
    without SGP, or a spike the AI never identified contracts for). Both groupings come from one scan; a
    POP spike wins, being the place to act on. The usual rate is the mean over the hours that had that
    intent there; conversations with no POP form no POP group. (A window function for the mean costs a
    sort of every hour; the aggregate and hash join are ~1.6× the per-inbox query alone.)"""
    sql = where(filters, tenant_id)
    df = frame(
        session,
        f"""
        WITH hourly AS (
            SELECT GROUPING(f.pop) = 0 AS by_pop,
                   CASE WHEN GROUPING(f.pop) = 0 THEN f.pop ELSE f.inbox_id::text END AS place,
                   f.intent, f.local_date, f.local_hour, count(*) AS n
            FROM conversation_facts f WHERE {sql.text} AND f.intent IS NOT NULL
            GROUP BY GROUPING SETS ((f.intent, f.pop, f.local_date, f.local_hour),
                                    (f.intent, f.inbox_id, f.local_date, f.local_hour))
            HAVING GROUPING(f.pop) = 1 OR f.pop IS NOT NULL
        ), usual AS (
            SELECT by_pop, intent, place, avg(n)::float AS mean FROM hourly GROUP BY 1, 2, 3
        )
        SELECT h.*, u.mean FROM hourly h JOIN usual u USING (by_pop, intent, place)
        WHERE h.n >= :min_spike AND h.n >= :factor * u.mean
        ORDER BY h.by_pop DESC, h.n / u.mean DESC, h.n DESC LIMIT 1
        """,
        {**sql.params, "min_spike": MIN_SPIKE, "factor": SPIKE_FACTOR},
    )
    if df.empty:
        return None
    r = df.iloc[0]
    intent, day, hour = str(r["intent"]), r["local_date"], int(r["local_hour"])
    n, mean, by_pop = int(r["n"]), float(r["mean"]), bool(r["by_pop"])
    numbers: dict[str, Any] = {"intent": intent}
    if by_pop:
        pop = str(r["place"])
        numbers["pop"] = pop
        where_ = f"no {_place(pop)}"
        drill = Drill("intent_pop", (intent, pop))
    else:
        numbers["inbox_id"] = int(r["place"])
        where_ = "em " + dimension_names(session, tenant_id, "inbox").get(numbers["inbox_id"], "—")
        drill = Drill("intent", intent)
    text = (
        f"Pico de '{label(intent)}' {where_} no dia {day:%d/%m} às {hour}h: "
        f"{number(n)} conversas, contra {number(mean, 1)} por hora com esse assunto no período."
    )
    numbers |= {"day": day, "hour": hour, "conversations": n, "hourly_mean": mean}
    tz = frame(session, "SELECT timezone FROM tenants WHERE id = :tenant_id", {"tenant_id": tenant_id})
    start = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(str(tz["timezone"][0])))
    drill_filters = filters.with_period(start, start + timedelta(hours=1))
    severity = n / max(mean, 1.0) / 10
    return Insight("intent_spike", text, numbers, drill, drill_filters, severity)


def ai_resolution_change(session: Session, tenant_id: int, filters: Filters) -> Insight | None:
    both = filters.with_period(filters.previous().start, filters.end)
    sql = where(both, tenant_id)
    df = frame(
        session,
        f"""
        SELECT f.started_at >= :split AS current, count(*) FILTER (WHERE f.handled_by_ai) AS handled,
               count(*) FILTER (WHERE f.ai_closed AND f.returned_at IS NULL
                                AND f.closed_at <= now() - interval '72 hours') AS verified
        FROM conversation_facts f WHERE {sql.text} GROUP BY 1
        """,
        {**sql.params, "split": filters.start},
    )
    counts = {bool(r.current): (int(r.handled), int(r.verified)) for r in df.itertuples()}
    (handled, verified), (prev_handled, prev_verified) = counts.get(True, (0, 0)), counts.get(False, (0, 0))
    if handled < MIN_CONVERSATIONS or prev_handled < MIN_CONVERSATIONS:
        return None
    rate, prev_rate = verified / handled, prev_verified / prev_handled
    delta = rate - prev_rate
    if abs(delta) < 0.05:
        return None
    verb = "subiu" if delta > 0 else "caiu"
    text = (
        f"A resolução verificada da IA {verb} de {percent(prev_rate)} para {percent(rate)} "
        f"({number(verified)} de {number(handled)} conversas com a IA)."
    )
    numbers = {"rate": rate, "previous_rate": prev_rate, "verified": verified, "handled": handled,
               "previous_verified": prev_verified, "previous_handled": prev_handled}  # fmt: skip
    return Insight("ai_resolution", text, numbers, Drill("ai_verified"), filters, abs(delta))


def top_handoff_reason(session: Session, tenant_id: int, filters: Filters) -> Insight | None:
    sql = where(filters, tenant_id)
    df = frame(
        session,
        f"""
        SELECT coalesce(f.handoff_reason, 'other') AS reason, count(*) AS n, sum(count(*)) OVER () AS total
        FROM conversation_facts f WHERE {sql.text} AND f.handoff GROUP BY 1 ORDER BY n DESC LIMIT 1
        """,
        sql.params,
    )
    if df.empty or int(df["total"][0]) < MIN_CONVERSATIONS:
        return None
    reason, n, total = str(df["reason"][0]), int(df["n"][0]), int(df["total"][0])
    text = (
        f"Motivo mais comum de transferência da IA para humanos: {REASON_LABELS.get(reason, reason)} "
        f"({percent(n / total)} das {number(total)} transferências)."
    )
    numbers = {"reason": reason, "conversations": n, "handoffs": total, "share": n / total}
    return Insight("handoff_reason", text, numbers, Drill("handoff_reason", reason), filters, 0.1)


FINDERS = (frt_block, csat_team_drop, intent_spike, ai_resolution_change, top_handoff_reason)


def insights(session: Session, tenant_id: int, filters: Filters, limit: int = 5) -> list[Insight]:
    """The findings that hold for this tenant and period, most significant first."""
    found = [i for finder in FINDERS if (i := finder(session, tenant_id, filters)) is not None]
    return sorted(found, key=lambda i: -i.severity)[:limit]
