"""Webhook → agent screen latency: how long from a provider's POST until every agent's socket has it.

    .venv/bin/python -m bench.realtime_latency                  # 20 agents, 50 messages/s, 30 s
    .venv/bin/python -m bench.realtime_latency --seconds 10 --save

Production layout on the embedded PostgreSQL and Redis under bench/.instance: the web process (gunicorn,
1 worker × 64 threads, Socket.IO) holds the agents' WebSockets; a separate webhooks process
(WEB_ROLE=webhooks, granian, 2 workers) receives the deliveries, ingests them and relays `message.created`
through Redis. `--agents` Socket.IO clients log in like browsers (form + CSRF + cookie) and connect over
WebSocket. Latency = arrival at the socket − the moment the webhook POST was due (open loop).

Baseline, same run: the same clients, with the same event published straight into Redis by the
Socket.IO emitter (no webhook, no database): what Socket.IO + Redis cost alone.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import requests
import socketio

from bench.harness import (
    INSTANCE,
    connect,
    free_port,
    fresh_database,
    save,
    start_server,
    stolen_text,
    stop_server,
)
from bench.loadgen import build_request, run_open
from niochat import embedded

PASSWORD = "bench-password-123"  # noqa: S105  a throwaway benchmark tenant


@dataclass
class Arrivals:
    """Arrival times per (marker, agent), filled by the socket threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))

    def record(self, marker: str, agent: int) -> None:
        now = time.perf_counter()
        with self.lock:
            self.times[marker].setdefault(agent, now)


def prepare(database_url: str, agents: int) -> tuple[str, str, list[str], int]:
    from models.db import Database
    from models.enums import ChannelType, Role
    from models.provisioning import create_inbox, create_tenant, create_user
    from niochat.migrate import upgrade

    upgrade(database_url)
    db = Database(database_url, pool_size=1, max_overflow=0)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="rt", name="Realtime")
        inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="RT",
                             credentials={"base_url": "http://127.0.0.1:9", "api_key": "k", "instance": "rt"})  # fmt: skip
        emails = []
        for n in range(agents):
            email = f"agent{n}@rt.bench"
            create_user(session, tenant_id=tenant.id, email=email, name=f"Agente {n}", password=PASSWORD,
                        role=Role.AGENT)  # fmt: skip
            emails.append(email)
        result = inbox.webhook_key, inbox.webhook_secret, emails, tenant.id
    db.dispose()
    return result


def login(base: str, email: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert token, "login form without csrf_token"
    response = http.post(
        f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        timeout=10, allow_redirects=False,
    )  # fmt: skip
    assert response.status_code in (302, 303), f"login failed for {email}: {response.status_code}"
    return http


def connect_agents(base: str, emails: list[str], arrivals: Arrivals, first: int = 0) -> list[socketio.Client]:
    clients = []
    for index, email in enumerate(emails, start=first):
        http = login(base, email)
        client = socketio.Client(http_session=http, reconnection=False)

        def on_message(data: dict[str, object], index: int = index) -> None:
            text = str((data.get("message") or {}).get("text") or "")  # type: ignore[union-attr]
            if text.startswith("bench:"):
                arrivals.record(text, index)

        client.on("message.created", on_message)
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        client.connect(base, transports=["websocket"], headers={"Cookie": cookie}, wait_timeout=10)
        clients.append(client)
    return clients


def _agent_process(base: str, emails: list[str], first: int, conn: Connection) -> None:
    """One process of simulated browsers: connects its agents, then answers snapshot/stop requests."""
    arrivals = Arrivals()
    clients = connect_agents(base, emails, arrivals, first=first)
    conn.send("ready")
    while True:
        command = conn.recv()
        if command == "snapshot":
            with arrivals.lock:
                conn.send({marker: dict(times) for marker, times in arrivals.times.items()})
        else:
            for client in clients:
                client.disconnect()
            conn.send("stopped")
            return


class AgentPool:
    """Agents spread over several processes, as browsers are: one Python process decoding every
    agent's socket would measure itself, not the server."""

    def __init__(self, base: str, emails: list[str], processes: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []
        self.procs = []
        size = -(-len(emails) // processes)
        for start in range(0, len(emails), size):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_agent_process, args=(base, emails[start : start + size], start, child))
            proc.start()
            self.conns.append(parent)
            self.procs.append(proc)
        for conn in self.conns:
            assert conn.recv() == "ready"

    def snapshot(self) -> dict[str, dict[int, float]]:
        merged: dict[str, dict[int, float]] = defaultdict(dict)
        for conn in self.conns:
            conn.send("snapshot")
            for marker, times in conn.recv().items():
                merged[marker].update(times)
        return merged

    def stop(self) -> None:
        for conn in self.conns:
            conn.send("stop")
            conn.recv()
        for proc in self.procs:
            proc.join(10)


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000, 1)

    return {"p50": pick(50), "p95": pick(95), "p99": pick(99)}


def collect(pool: AgentPool, due: dict[str, float], agents: int, settle: float) -> tuple[list[float], int]:
    time.sleep(settle)
    arrived = pool.snapshot()
    samples, missing = [], 0
    for marker, sent_at in due.items():
        got = arrived.get(marker, {})
        missing += agents - len(got)
        samples += [at - sent_at for at in got.values()]
    return samples, missing


def run_baseline(redis_url: str, tenant_id: int, rate: float, seconds: float) -> dict[str, float]:
    """Emit straight into Redis as the relay does, on the same schedule."""
    from jobs.realtime import Emitter

    emitter = Emitter(redis_url)
    due: dict[str, float] = {}
    begin = time.perf_counter()
    for n in range(int(rate * seconds)):
        at = begin + n / rate
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        marker = f"bench:base:{n}"
        due[marker] = at
        emitter.emit("message.created", {"message": {"text": marker}}, [f"t{tenant_id}:bot"])
    return due


def relay_lag(database_url: str) -> dict[str, float]:
    """Commit → relayed, per outbox row: separates the webhook side from the Socket.IO side."""
    import sqlalchemy as sa

    with connect(database_url) as conn:
        row = conn.execute(
            sa.text(
                "SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY "
                "extract(epoch FROM relayed_at - created_at)) FROM outbox_events WHERE relayed_at IS NOT NULL"
            )
        ).scalar_one()
    return {"p50": round(row[0] * 1000, 1), "p95": round(row[1] * 1000, 1), "p99": round(row[2] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--client-processes", type=int, default=4, help="processes simulating browsers")
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()

    INSTANCE.mkdir(parents=True, exist_ok=True)
    admin_url = embedded.ensure_postgres(INSTANCE / "postgres", "postgres")
    redis_url = embedded.ensure_redis(INSTANCE / "redis")
    procs = []
    pool: AgentPool | None = None
    try:
        database_url = fresh_database(admin_url, "bench_realtime")
        key, secret, emails, tenant_id = prepare(database_url, args.agents)
        web_port, hook_port = free_port(), free_port()
        common = {"NIOCHAT_ENV": "development", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                  "LOG_LEVEL": "WARNING", "INSTANCE_PATH": str(INSTANCE), "RATE_LIMIT_ENABLED": "false",
                  "PUBLIC_URL": f"http://127.0.0.1:{web_port}"}  # fmt: skip
        procs.append(start_server("web.wsgi:app", web_port, {**common, "DB_POOL_SIZE": "8"}, 64, 1))
        hooks_env = {**common, "WEB_ROLE": "webhooks"}
        procs.append(start_server("web.wsgi:app", hook_port, hooks_env, 16, 2, server="granian"))
        base = f"http://127.0.0.1:{web_port}"
        pool = AgentPool(base, emails, args.client_processes)

        # Baseline: Socket.IO + Redis alone.
        base_due = run_baseline(redis_url, tenant_id, args.rate, args.seconds)
        base_samples, base_missing = collect(pool, base_due, args.agents, settle=3)

        # NioChat: provider webhook → ingest → outbox relay → Redis → Socket.IO → agents.
        path = f"/webhooks/evolution/{key}"
        numbers: dict[str, int] = {}  # marker → request number; due at the schedule's start + n / rate

        def source(n: int) -> tuple[str, bytes]:
            marker = f"bench:nio:{n}"
            numbers[marker] = n
            body = {"event": "messages.upsert", "instance": "rt", "data": {
                "key": {"remoteJid": f"55119{80000000 + n % 500:08d}@s.whatsapp.net", "fromMe": False,
                        "id": f"RT{n:08d}"},
                "pushName": "Cliente", "message": {"conversation": marker}, "messageType": "conversation",
                "messageTimestamp": int(time.time())}}  # fmt: skip
            return marker, build_request("127.0.0.1", hook_port, path, json.dumps(body).encode(),
                                         {"X-NioChat-Secret": secret})  # fmt: skip

        result = run_open("127.0.0.1", hook_port, source, rate=args.rate, seconds=args.seconds, pool=16)
        due = {marker: result.began + n / args.rate for marker, n in numbers.items()}
        samples, missing = collect(pool, due, args.agents, settle=5)
        lag = relay_lag(database_url)
    finally:
        if pool is not None:
            pool.stop()
        for proc in procs:
            stop_server(proc)
        embedded.stop_redis(INSTANCE / "redis")
        embedded.stop_postgres(INSTANCE / "postgres")

    ours, baseline = percentiles(samples), percentiles(base_samples)
    lines = [
        f"Command: `.venv/bin/python -m bench.realtime_latency --agents {args.agents} --rate {args.rate:g} "
        f"--seconds {args.seconds:g} --client-processes {args.client_processes}`",
        "",
        "| path | deliveries to screens | missing | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|",
        f"| baseline (emit → Redis → Socket.IO) | {len(base_samples)} | {base_missing} | {baseline['p50']} ms "
        f"| {baseline['p95']} ms | {baseline['p99']} ms |",
        f"| NioChat (webhook → ingest → relay → Socket.IO) | {len(samples)} | {missing} | {ours['p50']} ms "
        f"| {ours['p95']} ms | {ours['p99']} ms |",
        "",
        f"Webhook acks: {result.completed} of {int(args.rate * args.seconds)}, statuses {dict(result.statuses)}; "
        f"ack p50 {result.percentile(50) * 1000:.1f} ms, p99 {result.percentile(99) * 1000:.1f} ms; "
        f"CPU stolen by the hypervisor: {stolen_text(result)}.",
        f"Outbox commit → relayed: p50 {lag['p50']} ms, p95 {lag['p95']} ms, p99 {lag['p99']} ms.",
        f"Ratio NioChat / baseline at p95: **{ours['p95'] / baseline['p95']:.1f}×**"
        if baseline["p95"] == baseline["p95"] and baseline["p95"]
        else "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.save:
        save(report, "realtime_latency", "Webhook → agent screen latency")


if __name__ == "__main__":
    main()
