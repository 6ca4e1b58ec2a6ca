"""CSAT surveys after closes: how far from the configured delay each survey goes out, under load.

    .venv/bin/python -m bench.csat [--closes 10000] [--rate 40] [--delay 20] [--workers 3] [--save]

Conversations (one customer message each) on an Evolution inbox pointing at the Evolution stub are
closed by the AI at `--rate` per second, each close in its own transaction and relayed at once, as the
AI runner does. `--workers` production worker processes (`jobs.worker.run_worker`, RQ with its
scheduler) send the surveys. The error of one survey is `sent_at - closed_at - delay` (sent_at: the
provider accepted it). Target (issue #12): p95 within 5 s.

Baseline, same workers, same pacing, same delay, same run: one no-op RQ job per due second (as the
surveys' `send_due` jobs), scheduled with `enqueue_in`, recording how late it ran: the error RQ's scheduler
and a forked work horse add by themselves on this machine at this moment.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from bench.harness import INSTANCE, ROOT, connect, fresh_database, save
from niochat import embedded

WORKER = "import sys; from jobs.worker import run_worker; run_worker(sys.argv[1], 'live')"
BASELINE_KEY = "bench:csat:baseline"


def mark(index: int, due: float) -> None:
    """The baseline job: record how late it ran (a worker runs it, with its own Redis connection)."""
    from jobs.context import get_redis

    get_redis().hset(BASELINE_KEY, str(index), repr(time.time() - due))


def prepare(url: str, stub_url: str, closes: int, delay: int) -> tuple[int, list[int]]:
    """Tenant, inbox, settings and `closes` open conversations with a customer message each."""
    from models.csat import CsatSettings
    from models.db import Database
    from models.enums import ChannelType
    from models.provisioning import create_inbox, create_tenant
    from niochat.migrate import upgrade

    upgrade(url)
    db = Database(url, pool_size=1, max_overflow=0)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="bench", name="Bench")
        creds = {"base_url": stub_url, "api_key": "evo-global-key", "instance": "isp01"}
        inbox = create_inbox(
            session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="Bench", credentials=creds
        )
        tenant_id, inbox_id = int(tenant.id), int(inbox.id)
    with db.tenant_session(tenant_id) as session:
        settings = session.scalar(sa.select(CsatSettings)) or CsatSettings(tenant_id=tenant_id)
        settings.delay_seconds = delay
        session.add(settings)
    db.dispose()
    params = {"t": tenant_id, "i": inbox_id, "n": closes}
    with connect(url) as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contacts (tenant_id, phone_e164, wa_id, name, created_at, updated_at) "
                "SELECT :t, '+55119' || lpad(g::text, 8, '0'), '55119' || lpad(g::text, 8, '0'), "
                "'Cliente ' || g, now(), now() FROM generate_series(1, :n) g"
            ),
            params,
        )
        conn.execute(
            sa.text(
                "INSERT INTO conversations (tenant_id, inbox_id, contact_id, status, priority, "
                "last_message_at, last_inbound_at, unread_count, created_at, updated_at) "
                "SELECT :t, :i, id, 'bot', 'normal', now(), now(), 0, now(), now() FROM contacts "
                "WHERE tenant_id = :t"
            ),
            params,
        )
        conn.execute(
            sa.text(
                "INSERT INTO messages (tenant_id, conversation_id, inbox_id, direction, sender_kind, "
                "content_type, text, provider_message_id, created_at, updated_at) "
                "SELECT :t, id, :i, 'inbound', 'contact', 'text', 'obrigado, voltou', 'in-' || id, "
                "now(), now() FROM conversations WHERE tenant_id = :t"
            ),
            params,
        )
        conn.execute(sa.text("ANALYZE"))
        ids = [int(r[0]) for r in conn.execute(sa.text("SELECT id FROM conversations ORDER BY id"))]
    return tenant_id, ids


def start_stub() -> tuple[subprocess.Popen[bytes], str]:
    """The Evolution stub in a process of its own: in the closers' process it shared their GIL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.stubs", "evolution"], cwd=ROOT, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    return proc, line.rsplit(" ", 1)[1].strip()


def provider_ids(url: str) -> int:
    with connect(url) as conn:
        query = "SELECT count(*) FROM messages WHERE payload ? 'csat_survey_id' AND provider_message_id IS NOT NULL"
        return int(conn.execute(sa.text(query)).scalar() or 0)


def start_workers(count: int, redis_url: str, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, redis_url], cwd=ROOT, env={**os.environ, **env})
        for _ in range(count)
    ]
    from jobs.queues import connect as redis_connect

    conn = redis_connect(redis_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not conn.keys("rq:scheduler-lock:*"):
        time.sleep(0.2)
    time.sleep(2)  # every worker listening
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def paced(count: int, rate: float) -> Any:
    """Yield indexes 0…count-1 at `rate` per second (catching up, never bursting ahead)."""
    start = time.monotonic()
    for index in range(count):
        wait = start + index / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        yield index


def run_baseline(redis_url: str, count: int, rate: float, delay: int) -> list[float]:
    """Paced like the closes (`count` of them): a no-op job per due second, as the surveys' jobs."""
    from rq import Queue

    from jobs.queues import CSAT
    from jobs.queues import connect as redis_connect

    conn = redis_connect(redis_url)
    conn.delete(BASELINE_KEY)
    queue = Queue(CSAT, connection=conn)
    seconds = set()
    for _ in paced(count, rate):
        due = math.ceil(time.time() + delay)
        if due not in seconds:
            seconds.add(due)
            at = timedelta(seconds=due - time.time() + 0.5)
            queue.enqueue_in(at, "bench.csat.mark", due, float(due), job_id=f"bench-due-{due}")
    deadline = time.monotonic() + delay + 600
    while conn.hlen(BASELINE_KEY) < len(seconds) and time.monotonic() < deadline:
        time.sleep(0.5)
    return [float(v) for v in conn.hgetall(BASELINE_KEY).values()]


def run_closes(url: str, redis_url: str, tenant_id: int, ids: list[int], rate: float, threads: int) -> float:
    """Close every conversation at `rate`/s over `threads` closers; returns the achieved rate."""
    from jobs.queues import connect as redis_connect
    from jobs.relay import Relay
    from models import outbox_ops as topics
    from models.db import Database
    from models.lifecycle import BOT, close, lock

    db = Database(url, pool_size=threads, max_overflow=0)

    def closer(share: list[int]) -> None:
        relay = Relay(db, redis_connect(redis_url))
        for index in paced(len(share), rate / threads):
            with db.tenant_session(tenant_id) as session:
                close(session, lock(session, share[index]), BOT, reason="Encerrada pela IA")
                session.flush()
                recorded = [event.id for event in session.info.pop(topics.RECORDED, [])]
            relay.relay(recorded)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(closer, [ids[i::threads] for i in range(threads)]))
    achieved = len(ids) / (time.monotonic() - started)
    db.dispose()
    return achieved


def wait_surveys(url: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with connect(url) as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(sa.text("SELECT count(*) FROM csat_surveys WHERE status = 'scheduled'"))
            if not waiting.scalar():
                return
            time.sleep(1)


def survey_errors(url: str, delay: int) -> tuple[list[float], dict[str, int]]:
    with connect(url) as conn:
        errors = [
            float(r[0])
            for r in conn.execute(
                sa.text(
                    "SELECT extract(epoch FROM s.sent_at - c.closed_at) - :d FROM csat_surveys s "
                    "JOIN conversations c ON c.id = s.conversation_id WHERE s.sent_at IS NOT NULL"
                ),
                {"d": delay},
            )
        ]
        statuses = {
            str(s): int(n)
            for s, n in conn.execute(sa.text("SELECT status, count(*) FROM csat_surveys GROUP BY status"))
        }
    return errors, statuses


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def row(name: str, values: list[float], count: int) -> str:
    if not values:
        return f"| {name} | 0 / {count} | – | – | – | – | – |"
    return (
        f"| {name} | {len(values)} / {count} | {min(values):+.2f} s | {statistics.median(values):+.2f} s | "
        f"{quantile(values, 0.95):+.2f} s | {quantile(values, 0.99):+.2f} s | {max(values):+.2f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--closes", type=int, default=10000)
    parser.add_argument("--rate", type=float, default=40.0, help="closes per second")
    parser.add_argument("--delay", type=int, default=20, help="the tenant's delay_seconds")
    parser.add_argument("--workers", type=int, default=3, help="live worker processes")
    parser.add_argument("--closers", type=int, default=4, help="threads closing conversations")
    parser.add_argument("--baseline-seconds", type=float, default=120, help="how long the baseline runs")
    parser.add_argument("--save", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()

    INSTANCE.mkdir(parents=True, exist_ok=True)
    admin_url = embedded.ensure_postgres(INSTANCE / "postgres", "postgres")
    redis_url = embedded.ensure_redis(INSTANCE / "redis")
    stub, stub_url = start_stub()
    url = fresh_database(admin_url, "bench_csat")
    tenant_id, ids = prepare(url, stub_url, args.closes, args.delay)
    env = {"NIOCHAT_ENV": "development", "DATABASE_URL": url, "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING",
           "INSTANCE_PATH": str(INSTANCE), "DB_POOL_SIZE": "2", "DB_MAX_OVERFLOW": "2"}  # fmt: skip
    os.environ.update(env)
    from jobs.queues import connect as redis_connect

    redis_connect(redis_url).flushdb()  # no job of an earlier run
    procs = start_workers(args.workers, redis_url, env)
    try:
        seconds = min(args.closes / args.rate, args.baseline_seconds)
        baseline = run_baseline(redis_url, int(seconds * args.rate), args.rate, args.delay)
        achieved = run_closes(url, redis_url, tenant_id, ids, args.rate, args.closers)
        wait_surveys(url, args.closes, timeout=args.delay + 900)
        errors, statuses = survey_errors(url, args.delay)
        sent_calls = provider_ids(url)
    finally:
        stop_workers(procs)
        stop_workers([stub])
        embedded.stop_redis(INSTANCE / "redis")
        embedded.stop_postgres(INSTANCE / "postgres")
    p95, base95 = quantile(errors, 0.95), quantile(baseline, 0.95)
    report = "\n".join(
        [
            f"Command: `.venv/bin/python -m bench.csat --closes {args.closes} --rate {args.rate:g} "
            f"--delay {args.delay} --workers {args.workers} --closers {args.closers} "
            f"--baseline-seconds {args.baseline_seconds:g}` "
            f"({date.today().isoformat()}, "
            f"{os.cpu_count()} cores shared with other sessions)",
            "",
            f"Closes achieved {achieved:.1f}/s; surveys by status: "
            + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
            + f"; survey messages with the provider's id: {sent_calls}.",
            "",
            "| send time − (close + delay) | runs | min | p50 | p95 | p99 | max |",
            "|---|---|---|---|---|---|---|",
            row("baseline: no-op RQ job per due second", baseline, len(baseline)),
            row("CSAT survey (provider accepted)", errors, args.closes),
            "",
            f"p95 {p95:+.2f} s (target ≤ 5 s: {'met' if abs(p95) <= 5 else 'NOT met'}); "
            f"p95 over the baseline's: {p95 - base95:+.2f} s.",
        ]
    )
    print(report)
    if args.save:
        save(report, "csat", "CSAT surveys after closes (bench/csat.py)")


if __name__ == "__main__":
    main()
