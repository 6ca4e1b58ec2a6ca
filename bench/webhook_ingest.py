"""Webhook ingestion benchmark: NioChat's pipeline against a minimal baseline handler, in the same run.

    .venv/bin/python -m bench.webhook_ingest              # 60 s phases, results printed and saved
    .venv/bin/python -m bench.webhook_ingest --seconds 10 # a quick look

Both systems run at once, on the embedded PostgreSQL and Redis under bench/.instance, each behind the
same server: granian as the compose webhooks service runs it (`--server gunicorn` for gunicorn gthread),
`--workers` processes × `--threads` threads. Each gets, in turns:
  1. throughput: closed loop, `--connections` keep-alive connections, `--seconds` in all;
  2. latency: open loop at `--rate` deliveries/s, `--seconds` in all.
The turns alternate, baseline then NioChat, in `--segments` slices of each phase: this machine's speed
drifts by a quarter within minutes (a neighbour on the host, not always visible as steal), and a minute
of one system after a minute of the other compared two different machines. Deliveries are Evolution
`messages.upsert` webhooks, 30 % of them redeliveries of earlier ones, from 5,000 customers. A 3 s
warm-up of each precedes the measures and is followed by ANALYZE, as autovacuum would run. Afterwards
each database is counted: every acknowledged message stored once, none twice.

CSAT capture on (`--csat-waiting`, default 20 %): that share of the customers has a survey waiting on a
closed conversation, as after a day of closes. Their first message takes capture's path (the ingest
function hands it back, `assistant.csat` reads it, a second statement stores it): a third of them are
ratings ("5 - otimo", stored on the closed conversation), the rest new requests (a new conversation).
The baseline gets the same stream.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bench.harness import (
    INSTANCE,
    analyze,
    connect,
    free_port,
    fresh_database,
    save,
    start_server,
    stolen_text,
    stop_server,
)
from bench.loadgen import Result, build_request, run_closed, run_open
from niochat import embedded

REDELIVERY_SHARE = 0.30
CUSTOMERS = 5000
RATING_SHARE = 1 / 3  # of the customers with a survey waiting: their first message is a rating


def waiting_customers(share: float, seed: int = 5) -> tuple[frozenset[int], frozenset[int]]:
    """(customers with a CSAT survey waiting, those of them whose first message rates it)."""
    rng = random.Random(seed)
    waiting = frozenset(rng.sample(range(CUSTOMERS), int(CUSTOMERS * share)))
    raters = frozenset(c for c in waiting if rng.random() < RATING_SHARE)
    return waiting, raters


def e164(customer: int) -> str:
    return f"+551198{customer:07d}"  # as `Deliveries` numbers it, with the 9th digit


@dataclass
class Target:
    name: str
    port: int
    path: str
    headers: dict[str, str]


class Deliveries:
    """Deterministic stream of webhook bodies: new messages and redeliveries of earlier ones. Message ids
    count on across runs (the load generator's request numbers restart with each segment)."""

    def __init__(self, target: Target, prefix: str, raters: frozenset[int], seed: int = 7) -> None:
        self.target = target
        self.prefix = prefix
        self.raters = set(raters)  # whose next message rates their survey (once each)
        self.rng = random.Random(seed)
        self.sent: list[tuple[str, bytes]] = []
        self.created = 0

    def _new(self, n: int) -> tuple[str, bytes]:
        message_id = f"{self.prefix}{n:010d}"
        # A mobile, sometimes without the 9th digit as WhatsApp reports older accounts: still one contact.
        ninth = "9" if self.rng.random() < 0.9 else ""
        customer = self.rng.randrange(CUSTOMERS)
        number = f"5511{ninth}8{customer:07d}"
        text = f"mensagem {n}: estou sem internet"
        if customer in self.raters:
            self.raters.discard(customer)
            text = "5 - otimo"
        body = {
            "event": "messages.upsert",
            "instance": "bench",
            "data": {
                "key": {"remoteJid": f"{number}@s.whatsapp.net", "fromMe": False, "id": message_id},
                "pushName": "Cliente",
                "status": "DELIVERY_ACK",
                "message": {"conversation": text},
                "messageType": "conversation",
                "messageTimestamp": int(time.time()),
                "source": "android",
            },
            "date_time": "2026-11-21T11:20:00.000Z",
            "sender": "5511999990000@s.whatsapp.net",
            "server_url": "http://evo",
            "apikey": None,
        }
        raw = build_request(
            "127.0.0.1", self.target.port, self.target.path, json.dumps(body).encode(), self.target.headers
        )
        self.sent.append((message_id, raw))
        return message_id, raw

    def __call__(self, n: int) -> tuple[str, bytes]:
        if self.sent and self.rng.random() < REDELIVERY_SHARE:
            return self.rng.choice(self.sent)
        self.created += 1
        return self._new(self.created)


@dataclass
class System:
    """One system under test while it runs: its server, database and request streams."""

    target: Target
    database_url: str
    table: str
    column: str
    proc: subprocess.Popen[bytes]
    through_src: Deliveries
    latency_src: Deliveries

    @classmethod
    def start(
        cls,
        target: Target,
        database_url: str,
        table: str,
        column: str,
        proc: subprocess.Popen[bytes],
        raters: frozenset[int],
    ) -> System:
        prefix = target.name[:3].upper()
        # The raters are split between the two streams (each rates once), the same for both systems.
        return cls(target, database_url, table, column, proc,
                   Deliveries(target, prefix + "T", frozenset(r for r in raters if r % 2)),
                   Deliveries(target, prefix + "L", frozenset(r for r in raters if not r % 2), seed=11))  # fmt: skip

    def warm_up(self, args: argparse.Namespace) -> None:
        warm = Deliveries(self.target, self.target.name[:3].upper() + "W", frozenset())
        run_closed("127.0.0.1", self.target.port, warm, connections=args.connections, seconds=3)
        analyze(self.database_url)


def measure(
    systems: list[System], args: argparse.Namespace
) -> dict[str, tuple[Result, Result, list[Result]]]:
    """Both phases, each in `args.segments` turns per system, alternating: (throughput, latency, the
    latency phase's turns) each."""
    for system in systems:
        system.warm_up(args)
    turn = args.seconds / args.segments
    through: dict[str, list[Result]] = {s.target.name: [] for s in systems}
    latency: dict[str, list[Result]] = {s.target.name: [] for s in systems}
    for _ in range(args.segments):
        for s in systems:
            through[s.target.name].append(run_closed(
                "127.0.0.1", s.target.port, s.through_src, connections=args.connections, seconds=turn
            ))  # fmt: skip
    for _ in range(args.segments):
        for s in systems:
            latency[s.target.name].append(
                run_open("127.0.0.1", s.target.port, s.latency_src, rate=args.rate, seconds=turn)
            )
    return {
        name: (Result.combine(through[name]), Result.combine(latency[name]), latency[name])
        for name in through
    }


def prepare_niochat(database_url: str, waiting: frozenset[int]) -> tuple[str, str]:
    from models.db import Database
    from models.enums import ChannelType
    from models.provisioning import create_inbox, create_tenant
    from niochat.migrate import upgrade

    upgrade(database_url)
    db = Database(database_url, pool_size=1, max_overflow=0)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="bench", name="Bench")
        inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="Bench",
                             credentials={"base_url": "http://127.0.0.1:9", "api_key": "k", "instance": "bench"})  # fmt: skip
        key, secret = inbox.webhook_key, inbox.webhook_secret
        tenant_id, inbox_id = tenant.id, inbox.id
    with db.engine.begin() as conn:
        surveys_waiting(conn, tenant_id, inbox_id, waiting)
    db.dispose()
    return key, secret


def surveys_waiting(conn: sa.Connection, tenant_id: int, inbox_id: int, customers: frozenset[int]) -> None:
    """A closed conversation with a survey sent an hour ago and waiting, for each of these customers."""
    if not customers:
        return
    params = {"tenant": tenant_id, "inbox": inbox_id, "phones": [e164(c) for c in sorted(customers)]}
    conn.execute(
        sa.text(
            """
            WITH c AS (
                INSERT INTO contacts (tenant_id, phone_e164, wa_id, name)
                SELECT :tenant, p, substr(p, 2), 'Cliente' FROM unnest(CAST(:phones AS text[])) AS p
                RETURNING id
            ), cv AS (
                INSERT INTO conversations (tenant_id, inbox_id, contact_id, status, priority, closed_at,
                                           last_message_at, last_inbound_at, last_outbound_at)
                SELECT :tenant, :inbox, c.id, 'closed', 'normal', now() - interval '62 minutes',
                       now() - interval '61 minutes', now() - interval '70 minutes', now() - interval '61 minutes'
                FROM c
                RETURNING id, contact_id
            )
            INSERT INTO csat_surveys (tenant_id, conversation_id, contact_id, inbox_id, status, scheduled_for,
                                      sent_at, expires_at, form)
            SELECT :tenant, cv.id, cv.contact_id, :inbox, 'sent', now() - interval '60 minutes',
                   now() - interval '60 minutes', now() + interval '23 hours', 'list'
            FROM cv
            """
        ),
        params,
    )


def capture_counts(database_url: str) -> dict[str, int]:
    """What capture did: ratings stored on the closed conversations, surveys still waiting."""
    with connect(database_url) as conn:
        rated, waiting = conn.execute(
            sa.text(
                "SELECT count(*) FILTER (WHERE status = 'answered'), "
                "count(*) FILTER (WHERE status = 'sent') FROM csat_surveys"
            )
        ).one()
        joined = conn.scalar(
            sa.text(
                "SELECT count(*) FROM messages m JOIN csat_surveys s ON s.conversation_id = m.conversation_id "
                "WHERE m.direction = 'inbound'"
            )
        )
    return {
        "csat_answered": int(rated),
        "csat_waiting": int(waiting),
        "csat_messages_on_closed": int(joined or 0),
    }


def count_stored(database_url: str, table: str, column: str, prefix: str) -> tuple[int, int]:
    """(rows, distinct ids) whose id starts with prefix."""
    with connect(database_url) as conn:
        rows, distinct = conn.execute(
            sa.text(f"SELECT count(*), count(DISTINCT {column}) FROM {table} WHERE {column} LIKE :p"),  # noqa: S608
            {"p": prefix + "%"},
        ).one()
    return int(rows), int(distinct)


def wait_outbox_drained(database_url: str, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    left = -1
    with connect(database_url) as conn:
        while time.monotonic() < deadline:
            left = int(
                conn.execute(
                    sa.text("SELECT count(*) FROM outbox_events WHERE relayed_at IS NULL")
                ).scalar_one()
            )
            if left == 0:
                break
            time.sleep(0.5)
    return left


def integrity(system: System, results: list[Result]) -> dict[str, int]:
    acked = set()
    for result in results:
        acked.update(result.acked_keys)
    rows = distinct = 0
    for prefix in {system.through_src.prefix, system.latency_src.prefix}:
        r, d = count_stored(system.database_url, system.table, system.column, prefix)
        rows, distinct = rows + r, distinct + d
    return {"acked_unique": len(acked), "stored_rows": rows, "lost": max(0, len(acked) - distinct),
            "duplicated": rows - distinct}  # fmt: skip


def start_baseline(
    admin_url: str, redis_url: str, args: argparse.Namespace, raters: frozenset[int]
) -> System:
    url = fresh_database(admin_url, "bench_baseline")
    with connect(url) as conn:
        conn.execute(
            sa.text("CREATE TABLE bench_baseline (provider_id text PRIMARY KEY, body jsonb NOT NULL)")
        )
    port = free_port()
    env = {"DATABASE_URL": url, "REDIS_URL": redis_url, "BASELINE_SECRET": "bench-secret",
           "POOL_SIZE": str(args.threads)}  # fmt: skip
    proc = start_server("bench.baseline_app:app", port, env, args.threads, args.workers, args.server)
    target = Target("baseline", port, "/hook", {"X-NioChat-Secret": "bench-secret"})
    return System.start(target, url, "bench_baseline", "provider_id", proc, raters)


def start_niochat(
    admin_url: str, redis_url: str, args: argparse.Namespace, waiting: frozenset[int], raters: frozenset[int]
) -> System:
    url = fresh_database(admin_url, "bench_niochat")
    key, secret = prepare_niochat(url, waiting)
    port = free_port()
    env = {"NIOCHAT_ENV": "development", "DATABASE_URL": url, "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING",
           "INSTANCE_PATH": str(INSTANCE), "PUBLIC_URL": f"http://127.0.0.1:{port}", "WEB_ROLE": "webhooks",
           "DB_POOL_SIZE": str(args.threads), "DB_MAX_OVERFLOW": "4"}  # fmt: skip
    proc = start_server("web.wsgi:app", port, env, args.threads, args.workers, args.server)
    target = Target("niochat", port, f"/webhooks/evolution/{key}", {"X-NioChat-Secret": secret})
    return System.start(target, url, "messages", "provider_message_id", proc, raters)


def summary(name: str, throughput: Result, latency: Result, rate: float) -> dict[str, Any]:
    ms = 1000
    return {
        "system": name,
        "deliveries_per_s": round(throughput.rate, 1),
        "throughput_p50_ms": round(throughput.percentile(50) * ms, 2),
        "throughput_p99_ms": round(throughput.percentile(99) * ms, 2),
        "open_rate": rate,
        "open_achieved_per_s": round(latency.rate, 1),
        "open_p50_ms": round(latency.percentile(50) * ms, 2),
        "open_p99_ms": round(latency.percentile(99) * ms, 2),
        "non_200": sum(v for k, v in {**throughput.statuses, **latency.statuses}.items() if k != 200)
        + throughput.errors
        + latency.errors,
        "stolen": stolen_text(throughput, latency),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60, help="per system and phase, all turns together")
    parser.add_argument(
        "--segments", type=int, default=3, help="turns per phase and system, alternating between the systems"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=320)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn processes, as the compose webhooks service"
    )
    parser.add_argument(
        "--server",
        choices=("granian", "gunicorn"),
        default="granian",
        help="the HTTP server of both systems: granian as the compose webhooks service runs, or gunicorn gthread",
    )
    parser.add_argument(
        "--csat-waiting",
        type=float,
        default=0.2,
        help="share of customers with a CSAT survey waiting (0 = off)",
    )
    parser.add_argument("--save", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()
    waiting, raters = waiting_customers(args.csat_waiting)

    INSTANCE.mkdir(parents=True, exist_ok=True)
    admin_url = embedded.ensure_postgres(INSTANCE / "postgres", "postgres")
    redis_url = embedded.ensure_redis(INSTANCE / "redis")
    systems: list[System] = []
    rows = []
    latency_turns: dict[str, list[Result]] = {}
    try:
        systems.append(start_baseline(admin_url, redis_url, args, raters))
        systems.append(start_niochat(admin_url, redis_url, args, waiting, raters))
        results = measure(systems, args)
        left = wait_outbox_drained(systems[1].database_url)
        for system in systems:
            through, lat, turns = results[system.target.name]
            latency_turns[system.target.name] = turns
            checked = integrity(system, [through, lat])
            if system.target.name == "niochat":
                checked["outbox_unrelayed"] = left
                checked |= capture_counts(system.database_url)
            rows.append((summary(system.target.name, through, lat, args.rate), checked))
    finally:
        for system in systems:
            stop_server(system.proc)
        embedded.stop_redis(INSTANCE / "redis")
        embedded.stop_postgres(INSTANCE / "postgres")

    report = render(rows, args, latency_turns)
    print(report)
    if args.save:
        save(report, "webhook_ingest", "Webhook ingestion")


def render(
    rows: list[tuple[dict[str, Any], dict[str, int]]],
    args: argparse.Namespace,
    latency_turns: dict[str, list[Result]],
) -> str:
    (base, base_i), (nio, nio_i) = rows
    ratio = nio["deliveries_per_s"] / base["deliveries_per_s"] if base["deliveries_per_s"] else float("nan")
    lines = [
        f"Command: `.venv/bin/python -m bench.webhook_ingest --seconds {args.seconds:g} --segments {args.segments} "
        f"--connections {args.connections} --rate {args.rate:g} --threads {args.threads} --workers {args.workers} "
        f"--server {args.server} --csat-waiting {args.csat_waiting:g}`",
        "",
        "| system | deliveries/s (closed loop) | ack p50 | ack p99 | open loop rate | achieved | ack p50 | ack p99 "
        "| non-200 | acked unique | stored | lost | duplicated | CPU stolen (closed / open) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s, i in ((base, base_i), (nio, nio_i)):
        lines.append(
            f"| {s['system']} | {s['deliveries_per_s']} | {s['throughput_p50_ms']} ms | {s['throughput_p99_ms']} ms "
            f"| {s['open_rate']:g}/s | {s['open_achieved_per_s']} | {s['open_p50_ms']} ms | {s['open_p99_ms']} ms "
            f"| {s['non_200']} | {i['acked_unique']} | {i['stored_rows']} | {i['lost']} | {i['duplicated']} "
            f"| {s['stolen']} |"
        )
    lines += ["", f"Ratio NioChat / baseline (deliveries/s): **{ratio:.2f}**"]
    # Per turn, so a tail that came from the host (a burst of steal in one turn) shows as such.
    turns = "; ".join(
        f"{name} " + " · ".join(f"{t.percentile(99) * 1000:.1f} ms ({stolen_text(t)})" for t in results)
        for name, results in latency_turns.items()
    )
    lines.append(f"Ack p99 at {args.rate:g}/s per turn, in order (CPU stolen): {turns}")
    if "outbox_unrelayed" in nio_i:
        lines.append(f"Outbox rows left unrelayed after the run: {nio_i['outbox_unrelayed']}")
    if "csat_answered" in nio_i:
        lines.append(
            f"CSAT capture: {args.csat_waiting:.0%} of the {CUSTOMERS:,} customers had a survey waiting; "
            f"ratings stored on their closed conversations: {nio_i['csat_messages_on_closed']} "
            f"(the rest opened new conversations; no worker runs here, so the thank-you jobs wait)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
