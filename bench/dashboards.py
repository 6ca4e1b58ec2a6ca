"""The dashboards' queries over 100k conversations / ~1M messages, against plain GROUP BY queries on the
raw tables in the same run.

    .venv/bin/python -m bench.dashboards [--conversations 100000] [--days 90] [--rounds 20] [--save]

Seeds the demo tenant's history (`niochat.demo_history`, COPY) into a fresh database on the embedded
PostgreSQL under bench/.instance, builds the facts (`models.facts_refresh.backfill`), ANALYZEs, then
times every page's queries (`dashboards.queries.PAGES`) warm: one untimed call, then `--rounds` timed
calls each; p50/p95 per query and per page (the sum of its queries in a round). The baseline answers a
similar question per page straight from conversations / messages / events / CSAT with GROUP BY, timed
the same way. Targets (issue #13): each query p95 ≤ 200 ms warm, a full page ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench.harness import INSTANCE, analyze, connect, fresh_database, save
from niochat import embedded

PERIOD_DAYS = 30

# One plain query per page on the raw tables: what a report without facts would run.
BASELINE: dict[str, list[tuple[str, str]]] = {
    "overview": [
        ("volume by channel", """
            SELECT i.channel_type, count(*) FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
            WHERE c.tenant_id = :t AND c.created_at >= :start AND c.created_at < :end GROUP BY 1"""),
        ("first response median (messages)", """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY frt) FROM (
                SELECT extract(epoch FROM min(m.created_at) FILTER (WHERE m.sender_kind = 'agent')
                                         - min(m.created_at) FILTER (WHERE m.direction = 'inbound')) AS frt
                FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE c.tenant_id = :t AND c.created_at >= :start AND c.created_at < :end
                GROUP BY m.conversation_id) x"""),
        ("daily volume", """
            SELECT date_trunc('day', created_at), count(*) FROM conversations
            WHERE tenant_id = :t AND created_at >= :start AND created_at < :end GROUP BY 1 ORDER BY 1"""),
    ],
    "agents": [
        ("per agent: conversations, first reply", """
            SELECT c.assignee_id, count(DISTINCT c.id),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.created_at - c.created_at))
            FROM conversations c JOIN messages m ON m.conversation_id = c.id AND m.sender_kind = 'agent'
            WHERE c.tenant_id = :t AND c.created_at >= :start AND c.created_at < :end GROUP BY 1"""),
    ],
    "csat": [
        ("CSAT by agent", """
            SELECT s.agent_id, count(r.id), avg(r.score) FROM csat_surveys s
            LEFT JOIN csat_responses r ON r.survey_id = s.id
            WHERE s.tenant_id = :t AND s.sent_at >= :start AND s.sent_at < :end GROUP BY 1"""),
    ],
    "sentiment": [
        ("sentiment per day", """
            SELECT date_trunc('day', created_at), sentiment, count(*) FROM messages
            WHERE tenant_id = :t AND created_at >= :start AND created_at < :end AND direction = 'inbound'
            GROUP BY 1, 2"""),
    ],
    "ai": [
        ("hand-off reasons", """
            SELECT reason, count(*) FROM conversation_events
            WHERE tenant_id = :t AND kind = 'handoff' AND created_at >= :start AND created_at < :end
            GROUP BY 1"""),
        ("tools", """
            SELECT data->>'tool', count(*) FROM conversation_events
            WHERE tenant_id = :t AND kind = 'tool_call' AND created_at >= :start AND created_at < :end
            GROUP BY 1"""),
    ],
}  # fmt: skip


def timed(fn: Callable[[], Any], rounds: int) -> list[float]:
    fn()  # warm: plans cached, pages in shared buffers
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def seed(database_url: str, conversations: int, days: int) -> tuple[int, dict[str, float], dict[str, int]]:
    from models.db import Database
    from models.facts_refresh import backfill
    from models.tenant import Tenant
    from niochat.demo import DEMO_SLUG, seed_demo
    from niochat.demo_history import seed_history
    from niochat.migrate import upgrade

    upgrade(database_url)
    db = Database(database_url, pool_size=2, max_overflow=0)
    times: dict[str, float] = {}
    with db.platform_session() as session:
        seed_demo(session, "http://127.0.0.1:8000")
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
    assert tenant_id is not None
    started = time.monotonic()
    with db.tenant_session(tenant_id) as session:
        seed_history(session, tenant_id, days=days, conversations=conversations)
    times["seed (COPY)"] = time.monotonic() - started
    analyze(database_url)
    started = time.monotonic()
    with db.tenant_session(tenant_id) as session:
        backfill(session, tenant_id)
    times["facts backfill"] = time.monotonic() - started
    db.dispose()
    analyze(database_url)
    with connect(database_url) as conn:
        sizes = {
            table: int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
            for table in (
                "conversations",
                "messages",
                "conversation_events",
                "csat_responses",
                "conversation_facts",
            )
        }
    return tenant_id, times, sizes


def measure(
    database_url: str, tenant_id: int, rounds: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    from dashboards.queries import PAGES, QUERY_FUNCTIONS, Filters
    from models.db import Database

    db = Database(database_url, pool_size=2, max_overflow=0)
    now = datetime.now(UTC)
    filters = Filters(now - timedelta(days=PERIOD_DAYS), now)
    params = {"t": tenant_id, "start": filters.start, "end": filters.end}
    queries: list[tuple[Any, ...]] = []
    pages: list[tuple[Any, ...]] = []
    with db.tenant_session(tenant_id) as session:
        # The machine's floor in this run: a round trip that does nothing (2 cores shared with others).
        floor = timed(lambda: session.execute(sa.text("SELECT 1")).all(), rounds)
        queries.append(("-", "floor: SELECT 1", statistics.median(floor), p95(floor)))
        for page, names in PAGES.items():
            per_round = [0.0] * rounds
            for name in names:
                fn, extra = QUERY_FUNCTIONS[name]
                samples = timed(lambda fn=fn, extra=extra: fn(session, tenant_id, filters, **extra), rounds)
                per_round = [a + b for a, b in zip(per_round, samples, strict=True)]
                queries.append((page, name, statistics.median(samples), p95(samples)))
            base_round = [0.0] * rounds
            for label, sql in BASELINE[page]:
                stmt = sa.text(sql)
                samples = timed(lambda stmt=stmt: session.execute(stmt, params).all(), rounds)
                base_round = [a + b for a, b in zip(base_round, samples, strict=True)]
                queries.append((page, f"baseline: {label}", statistics.median(samples), p95(samples)))
            pages.append((page, len(names), statistics.median(per_round), p95(per_round),
                          len(BASELINE[page]), statistics.median(base_round), p95(base_round)))  # fmt: skip
    db.dispose()
    return queries, pages


def report(args: argparse.Namespace, times: dict[str, float], sizes: dict[str, int],
           queries: list[tuple[Any, ...]], pages: list[tuple[Any, ...]]) -> str:  # fmt: skip
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on the embedded PostgreSQL (bench/.instance), 2 cores shared"
        f" with other sessions: load average at the end {load} (1/5/15 min).",
        "",
        f"    .venv/bin/python -m bench.dashboards --conversations {args.conversations} --days {args.days}"
        f" --rounds {args.rounds}{' --reuse' if args.reuse else ''} --save",
        "",
        (
            "Data: "
            + ", ".join(f"{k} {v:,}".replace(",", ".") for k, v in sizes.items())
            + "; "
            + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
            + "."
        )
        if sizes
        else "Data: the database of the previous run, reused (`--reuse`).",
        "",
        f"Period: the last {PERIOD_DAYS} days, no other filter. Warm: one untimed call, then {args.rounds} timed.",
        "",
        "| page | queries | page p50 | page p95 | baseline queries | baseline p50 | baseline p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for page, n, p50_, p95_, bn, b50, b95 in pages:
        lines.append(f"| {page} | {n} | {p50_:.1f} ms | {p95_:.1f} ms | {bn} | {b50:.1f} ms | {b95:.1f} ms |")
    lines += ["", "| page | query | p50 | p95 |", "|---|---|---|---|"]
    for page, name, p50_, p95_ in queries:
        lines.append(f"| {page} | {name} | {p50_:.1f} ms | {p95_:.1f} ms |")
    worst = max((q for q in queries if q[0] != "-" and not q[1].startswith("baseline")), key=lambda q: q[3])
    lines += ["", f"Slowest query p95: {worst[1]} ({worst[0]}) {worst[3]:.1f} ms (target ≤ 200 ms); "
              f"slowest page p95: {max(p[3] for p in pages):.1f} ms (target ≤ 1 s)."]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run (no seeding)")
    parser.add_argument("--save", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()

    INSTANCE.mkdir(parents=True, exist_ok=True)
    admin_url = embedded.ensure_postgres(INSTANCE / "postgres", "postgres")
    try:
        if args.reuse:
            database_url = str(
                sa.engine.make_url(admin_url)
                .set(database="bench_dashboards")
                .render_as_string(hide_password=False)
            )
            with connect(database_url) as conn:
                tenant_id = int(
                    conn.execute(sa.text("SELECT id FROM tenants WHERE slug = 'demo'")).scalar_one()
                )
                # a reused database may carry the dead rows of a rebuild: compact, as a fresh seed is
                conn.execute(sa.text("VACUUM FULL ANALYZE conversation_facts"))
            times, sizes = {}, {}
        else:
            database_url = fresh_database(admin_url, "bench_dashboards")
            tenant_id, times, sizes = seed(database_url, args.conversations, args.days)
            print("seeded:", sizes, {k: round(v, 1) for k, v in times.items()}, flush=True)
        queries, pages = measure(database_url, tenant_id, args.rounds)
    finally:
        embedded.stop_postgres(INSTANCE / "postgres")
    text = report(args, times, sizes, queries, pages)
    print(text)
    if args.save:
        save(text, "dashboards", "Dashboards: queries over 100k conversations / 1M messages")


if __name__ == "__main__":
    main()
