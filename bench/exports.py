"""Export benchmark: 100k conversations of one tenant to .xlsx (and CSV) through the dashboards' export
path (read-only role, server-side cursor, sheet XML streamed into the zip), timed, with the peak memory of
the exporting process; baseline: the same rows read by a plain `SELECT … FROM conversations` into
pandas and written with `DataFrame.to_excel` (everything in memory), in the same run.

    .venv/bin/python -m bench.exports [--conversations 100000] [--save]

Targets (issue #13): .xlsx of 100k conversations ≤ 30 s, peak memory ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.harness import INSTANCE, ROOT, connect, fresh_database, save
from niochat import embedded

SEED = """
INSERT INTO teams (tenant_id, name) SELECT 1, 'Equipe ' || g FROM generate_series(1, 4) g;
INSERT INTO contacts (tenant_id, name, phone_e164)
SELECT 1, 'Cliente ' || g, '+55119' || lpad(g::text, 8, '0') FROM generate_series(1, :n) g;
INSERT INTO conversations (tenant_id, inbox_id, contact_id, status, assignee_id, team_id, priority,
                           first_reply_at, first_human_reply_at, closed_at, resolved_by_ai, handoff_reason,
                           close_reason, created_at, updated_at)
SELECT 1, 1 + g % 3, g, 'closed', 1 + g % 20, 1 + g % 4, 'normal',
       t + interval '40 seconds', t + (g % 900) * interval '1 second', t + (g % 7200) * interval '1 second',
       g % 3 = 0, CASE WHEN g % 3 = 1 THEN 'Cliente pediu um humano' END, 'Resolvido', t, t
FROM (SELECT g, now() - (g % (6 * 24 * 60)) * interval '1 minute' AS t FROM generate_series(1, :n) g) s;
"""

FACTS = """
INSERT INTO conversation_facts (
    conversation_id, tenant_id, inbox_id, channel, contact_id, team_id, agent_id, first_agent_id, status,
    started_at, local_date, local_dow, local_hour, first_customer_at, ai_until, first_bot_reply_at,
    first_human_reply_at, closed_at, closed_by, frt_s, frt_business_s, frt_total_s, ai_s, first_bot_reply_s,
    resolution_s, resolution_business_s, queue_s, queue_business_s, customer_messages, human_messages,
    bot_messages, handled_by_ai, handoff, handoff_reason, ai_closed, tools, intent, positive_messages,
    neutral_messages, negative_messages, sentiment_avg)
SELECT c.id, c.tenant_id, c.inbox_id, 'evolution', c.contact_id, c.team_id, c.assignee_id, c.assignee_id,
       'closed', c.created_at, (c.created_at AT TIME ZONE 'America/Sao_Paulo')::date,
       extract(isodow FROM c.created_at AT TIME ZONE 'America/Sao_Paulo'),
       extract(hour FROM c.created_at AT TIME ZONE 'America/Sao_Paulo'),
       c.created_at, c.created_at + interval '30 seconds', c.first_reply_at, c.first_human_reply_at,
       c.closed_at, 'user', extract(epoch FROM c.first_human_reply_at - c.created_at) - 30,
       extract(epoch FROM c.first_human_reply_at - c.created_at) / 2,
       extract(epoch FROM c.first_human_reply_at - c.created_at), 30, 40,
       extract(epoch FROM c.closed_at - c.created_at), extract(epoch FROM c.closed_at - c.created_at) / 2,
       60, 30, 6, 4, 3, true, c.id % 3 = 1, CASE WHEN c.id % 3 = 1 THEN 'customer_asked' END, c.id % 3 = 0,
       CASE WHEN c.id % 5 = 0 THEN ARRAY['segunda_via', 'pix']::varchar[] ELSE '{}'::varchar[] END,
       'sem_internet', 2, 3, 1, 0.1
FROM conversations c
"""


def _seed(url: str, n: int) -> None:
    from models.db import Database
    from models.enums import ChannelType
    from models.provisioning import create_inbox, create_tenant, create_user
    from niochat.migrate import upgrade

    upgrade(url)
    db = Database(url, pool_size=1, max_overflow=0)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="bench", name="Provedor Bench")
        for i in range(3):
            create_inbox(
                session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name=f"WhatsApp {i + 1}"
            )
        for i in range(20):
            create_user(session, tenant_id=tenant.id, email=f"agente{i + 1}@bench.dev", name=f"Agente {i + 1}",
                        password="bench-senha-123")  # noqa: S106  # fmt: skip
    db.dispose()
    with connect(url) as conn:
        for statement in filter(str.strip, SEED.split(";\n")):
            conn.execute(sa.text(statement), {"n": n})
    with connect(url) as conn:
        conn.execute(sa.text("ANALYZE"))
    with connect(url) as conn:  # fact rows written directly: this measures the export, not the facts job
        conn.execute(sa.text(FACTS))
        conn.execute(sa.text("ANALYZE"))


def _child(url: str, mode: str, fmt: str, out: str) -> None:
    """Runs in its own process, so its peak RSS is the export's alone."""
    from dashboards.exports.run import export
    from dashboards.exports.sources import CONVERSATIONS
    from dashboards.filters import FilterState, resolve
    from models.db import Database
    from niochat.config import get_settings
    from niochat.readonly_role import readonly_database_url

    started = time.perf_counter()
    state = FilterState(preset="30d")
    period = resolve(state, "America/Sao_Paulo")
    if mode == "export":
        db = Database(readonly_database_url(get_settings(), url), pool_size=1, max_overflow=0)
        rows = export(db.engine, CONVERSATIONS, fmt, Path(out), tenant_id=1, state=state,  # type: ignore[arg-type]
                      period=period, timezone="America/Sao_Paulo", team_scope=None)  # fmt: skip
    else:
        import pandas as pd

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            df = pd.read_sql(sa.text("SELECT * FROM conversation_facts WHERE tenant_id = 1"), conn)
        for column in df.columns:
            if df[column].map(lambda v: isinstance(v, list)).any():
                df[column] = df[column].astype(str)
        for column in df.select_dtypes(include=["datetimetz"]).columns:
            df[column] = df[column].dt.tz_convert("America/Sao_Paulo").dt.tz_localize(None)
        df.to_excel(
            out, index=False, engine="openpyxl" if fmt == "xlsx" else None
        ) if fmt == "xlsx" else df.to_csv(out)
        rows = len(df)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "peak_mb": usage.ru_maxrss / 1024}))


def _measure(url: str, mode: str, fmt: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / f"out.{fmt}")
        done = subprocess.run(
            [sys.executable, "-m", "bench.exports", "--child", mode, "--fmt", fmt, "--url", url, "--out", out],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        result["file_mb"] = Path(out).stat().st_size / 1e6
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--save", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--fmt", default="xlsx")
    parser.add_argument("--url")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        _child(args.url, args.child, args.fmt, args.out)
        return
    admin = embedded.ensure_postgres(INSTANCE / "postgres", "postgres")
    url = fresh_database(admin, "bench_exports")
    t0 = time.perf_counter()
    _seed(url, args.conversations)
    print(f"seeded {args.conversations} conversations in {time.perf_counter() - t0:.1f} s")
    lines = [
        "| path | rows | wall time | CPU time (exporting process) | peak memory (process) | file |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for mode, fmt, label in (
        ("export", "xlsx", "export .xlsx (server-side cursor, XML streamed into the zip)"),
        ("export", "csv", "export CSV (same path)"),
        ("baseline", "xlsx", "baseline: pandas read_sql + to_excel (openpyxl), all in memory"),
    ):
        r = _measure(url, mode, fmt)
        line = (
            f"| {label} | {r['rows']:,.0f} | {r['seconds']:.1f} s | {r['cpu']:.1f} s | {r['peak_mb']:.0f} MB "
            f"| {r['file_mb']:.1f} MB |"
        )
        print(line)
        lines.append(line)
    report = "\n".join(
        [
            f"`.venv/bin/python -m bench.exports --conversations {args.conversations}` — one tenant, "
            f"{args.conversations:,} closed conversations in the last 30 days, read from the fact table, 46 columns each. Targets: "
            ".xlsx ≤ 30 s and ≤ 300 MB.",
            f"Load average when it ran: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times grow with it;"
            " CPU time of the exporting process does much less).",
            "",
            *lines,
        ]
    )
    if args.save:
        save(report, "exports", "Dashboards exports (bench/exports.py)")


if __name__ == "__main__":
    main()
