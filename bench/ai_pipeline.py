"""AI pipeline benchmark: what NioChat adds around the model and the SGP, against calling the engine directly.

    .venv/bin/python -m bench.ai_pipeline                    # 2 × 20 s at 20 conversations/s, 1,000 offline runs
    .venv/bin/python -m bench.ai_pipeline --seconds 6 --offline-runs 300   # a quick look

Everything runs here at once: the embedded PostgreSQL and Redis under bench/.instance, the webhooks
service (granian, as compose runs it), `--workers` live RQ workers (`niochat worker --group live`, the
production worker, scheduler on), and loopback stubs for Evolution, the SGP and an
OpenAI-compatible model, all answering at once. The tenant's burst window is 0 s here, so what is measured
is the pipeline and not the configured wait for a customer's next message.

1. Model engine, open loop at `--rate` new conversations/s ("quero a segunda via #n", each from its own
   customer of the stub SGP). The model asks for `segunda_via` of that customer's contract, then answers.
   Two overheads per conversation, model and SGP time excluded (both answer at once):
     in  = the customer's message stored (its row's `created_at`) → the first model request received;
     out = the model's last answer sent → the first send request received at the provider.
   Baseline, the same run and rate, alternating with NioChat in `--segments` turns: the same engine,
   tools and SGP client called directly (`assistant.trial`, nothing stored, no queue), its replies sent
   with the same Evolution client: in = the call → the first model request; out = the last model answer →
   the provider's request.
2. Offline engine throughput: `--offline-runs` conversations stored with no worker running, then ONE
   worker process on the `ai` queue drains them (the live group's worker, as in production); replies =
   the bot's messages written, runs = conversations answered. Baseline: the same engine and SGP stub called directly
   in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import sqlalchemy as sa

from bench.harness import INSTANCE, ROOT, free_port, fresh_database, save, start_server, stop_server
from niochat import embedded

TAG = re.compile(r"#(\d+)")
FINAL_TEXT = "Pronto, enviei a sua fatura por aqui. Posso ajudar em mais alguma coisa?"


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def phone_of(n: int) -> str:
    return f"55119{n:08d}"


def contract_of(n: int) -> str:
    return f"8{n:05d}"


@dataclass
class Times:
    """Per conversation tag: when the model first heard of it, when it last answered, provider sends."""

    first_request: dict[int, float] = field(default_factory=dict)
    last_answer: dict[int, float] = field(default_factory=dict)
    sends: dict[str, list[float]] = field(default_factory=dict)  # phone digits → request times
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_stubs(times: Times, customers: int) -> tuple[Any, Any, Any]:
    """The three loopback stubs, the model scripted per conversation and every request time recorded."""
    from tests.stubs import EvolutionStub
    from tests.stubs.openai import OpenAIStub
    from tests.stubs.sgp import SgpStub
    from tests.stubs.sgp_customers import ScriptedBill, ScriptedContract, ScriptedCustomer

    class Model(OpenAIStub):
        def chat(self, request: Any) -> Any:
            received = time.time()
            body = request.get_json(silent=True) or {}
            messages = body.get("messages") or []
            tag = next(
                (int(m.group(1)) for msg in messages if msg.get("role") == "user"
                 for m in [TAG.search(str(msg.get("content") or ""))] if m),
                None,
            )  # fmt: skip
            answered_tool = any(msg.get("role") == "tool" for msg in messages)
            step: dict[str, Any]
            if tag is not None and not answered_tool:
                step = {"tool_calls": [("segunda_via", json.dumps({"contrato": contract_of(tag)}))]}
            else:
                step = {"content": FINAL_TEXT}
            message: dict[str, Any] = {"role": "assistant", "content": step.get("content")}
            if step.get("tool_calls"):
                message["tool_calls"] = [
                    {
                        "id": f"call_{next(self._ids)}",
                        "type": "function",
                        "function": {"name": n, "arguments": a},
                    }
                    for n, a in step["tool_calls"]
                ]
            finish = "tool_calls" if step.get("tool_calls") else "stop"
            response = self.json_response(
                {"id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion", "created": int(received),
                 "model": body.get("model", "gpt-4o-mini"),
                 "choices": [{"index": 0, "finish_reason": finish, "message": message}],
                 "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
            )  # fmt: skip
            if tag is not None:
                with times.lock:
                    times.first_request.setdefault(tag, received)
                    times.last_answer[tag] = time.time()
            return response

    class Provider(EvolutionStub):
        def send(self, request: Any, action: str, instance: str) -> Any:
            received = time.time()
            number = str((request.get_json(silent=True) or {}).get("number") or "")
            with times.lock:
                times.sends.setdefault(re.sub(r"\D", "", number), []).append(received)
            return super().send(request, action, instance)

    sgp = SgpStub()
    for n in range(customers):
        sgp.customers.append(
            ScriptedCustomer(
                f"9{n:05d}", f"CLIENTE {n}", f"{n:011d}", (phone_of(n),),
                [ScriptedContract(contract_of(n), 1, "online", "FIBRA 300", "POP CENTRO", "RUA A", str(n),
                                  "CENTRO", "SÃO PAULO", f"cliente{n}", [ScriptedBill(f"7{n:05d}", 7, Decimal("89.90"))])],
            )
        )  # fmt: skip
    return Model().start(), Provider().start(), sgp.start()


def prepare(database_url: str, model: Any, provider: Any, sgp: Any) -> tuple[int, str, str]:
    from models import AISettings, SgpIntegration
    from models.db import Database
    from models.enums import ChannelType
    from models.provisioning import create_inbox, create_tenant
    from niochat.migrate import upgrade
    from tests.stubs import sgp as sgp_stub
    from tests.stubs.openai import API_KEY

    upgrade(database_url)
    db = Database(database_url, pool_size=1, max_overflow=0)
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="bench", name="Provedor Bench")
        tenant.business_hours = {
            "weekly": {str(d): [["00:00", "23:59"]] for d in range(1, 8)},
            "holidays": [],
        }
        inbox = create_inbox(
            session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp",
            credentials={"base_url": provider.url, "api_key": provider.api_key, "instance": provider.instance},
        )  # fmt: skip
        session.flush()
        ai = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant.id))
        assert ai is not None
        ai.provider, ai.burst_seconds = "openai", 0
        ai.base_url, ai.api_key, ai.model = model.base_url, API_KEY, "gpt-4o-mini"
        session.add(
            SgpIntegration(tenant_id=tenant.id, base_url=sgp.url, app_name=sgp_stub.APP, token=sgp_stub.TOKEN)
        )
        result = tenant.id, inbox.webhook_key, inbox.webhook_secret
    db.dispose()
    return result


def set_engine(database_url: str, tenant_id: int, provider: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE ai_settings SET provider = :p WHERE tenant_id = :t"),
            {"p": provider, "t": tenant_id},
        )
    engine.dispose()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Pipeline:
    """NioChat's side: webhooks posted to the webhooks service, workers running."""

    def __init__(self, port: int, key: str, secret: str, provider: Any) -> None:
        self.url = f"http://127.0.0.1:{port}/webhooks/evolution/{key}"
        self.headers = {"Content-Type": "application/json", "X-NioChat-Secret": secret}
        self.provider = provider
        self.http = httpx.Client(timeout=10)
        self.failures = 0

    def start_one(self, n: int, text: str) -> float:
        payload = self.provider.make_text_webhook(text, number=phone_of(n), timestamp=int(time.time()))
        sent = time.time()
        response = self.http.post(self.url, content=json.dumps(payload), headers=self.headers)
        if response.status_code != 200:
            self.failures += 1
        return sent


class Direct:
    """The baseline: the same engine, tools and SGP client called directly, replies sent by the client."""

    def __init__(self, database_url: str, tenant_id: int, provider: Any) -> None:
        from models.db import Database

        self.db = Database(database_url, pool_size=4, max_overflow=4)
        self.tenant_id = tenant_id
        self.credentials = {
            "base_url": provider.url,
            "api_key": provider.api_key,
            "instance": provider.instance,
        }
        self.trials: dict[int, Any] = {}

    def prebuild(self, numbers: list[int]) -> None:
        """Settings read ahead, so the timed call is the engine alone."""
        from assistant.trial import tenant_trial

        for n in numbers:
            self.trials[n] = tenant_trial(self.db, self.tenant_id, phone=phone_of(n))

    def start_one(self, n: int, text: str) -> float:
        from integrations.channels.base import OutboundMessage
        from integrations.channels.registry import client_for
        from models.enums import ContentType

        called = time.time()
        report = self.trials.pop(n).send(text)
        client = client_for("evolution", self.credentials)
        try:
            for i, reply in enumerate(report["replies"]):
                if reply.startswith("[imagem"):
                    continue
                client.send(OutboundMessage(f"direct-{n}-{i}", phone_of(n), ContentType.TEXT, text=reply))
        finally:
            client.close()
        return called


def drive(system: Any, numbers: list[int], rate: float) -> dict[int, float]:
    """Open loop: conversation k starts at k/rate seconds, whatever the previous ones are doing."""
    started: dict[int, float] = {}
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = {}
        for k, n in enumerate(numbers):
            wait = start + k / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            futures[n] = pool.submit(system.start_one, n, f"oi, quero a segunda via da minha fatura #{n}")
        for n, future in futures.items():
            started[n] = future.result()
    return started


def stored_times(database_url: str, numbers: list[int]) -> dict[int, float]:
    """Each conversation's customer message: when its row was written (epoch seconds)."""
    engine = sa.create_engine(database_url)
    wanted = {f"+{phone_of(n)}": n for n in numbers}
    out: dict[int, float] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.phone_e164, extract(epoch FROM min(m.created_at)) FROM messages m "
                "JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id "
                "WHERE m.direction = 'inbound' AND c.phone_e164 = ANY(:phones) GROUP BY c.phone_e164"
            ),
            {"phones": list(wanted)},
        ).all()
    engine.dispose()
    for phone, epoch in rows:
        out[wanted[phone]] = float(epoch)
    return out


def wait_answered(times: Times, numbers: list[int], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    missing = len(numbers)
    while time.monotonic() < deadline:
        with times.lock:
            missing = sum(
                1 for n in numbers
                if n not in times.last_answer or not any(t >= times.last_answer[n] for t in times.sends.get(phone_of(n), []))
            )  # fmt: skip
        if not missing:
            break
        time.sleep(0.2)
    return missing


def overheads(times: Times, starts: dict[int, float], numbers: list[int]) -> tuple[list[float], list[float]]:
    into, out = [], []
    with times.lock:
        for n in numbers:
            if n in starts and n in times.first_request:
                into.append(times.first_request[n] - starts[n])
            last = times.last_answer.get(n)
            later = [t for t in times.sends.get(phone_of(n), []) if last is not None and t >= last]
            if later and last is not None:
                out.append(min(later) - last)
    return into, out


def start_workers(
    env: dict[str, str], count: int, command: list[str] | None = None
) -> list[subprocess.Popen[bytes]]:
    command = command or [sys.executable, "-m", "niochat", "worker", "--group", "live"]
    return [subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT) for _ in range(count)]


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def ai_worker() -> None:
    """One worker on the `ai` queue only, until it is empty (the offline throughput phase)."""
    from jobs.queues import connect
    from jobs.worker import LiveWorker, prepare_for_fork

    prepare_for_fork()
    worker = LiveWorker(["ai"], connection=connect(os.environ["REDIS_URL"]), name=f"bench-ai-{os.getpid()}")
    worker.work(burst=True, logging_level="WARNING")


def all_queued(database_url: str, redis_url: str, runs: int, timeout: float = 30.0) -> int:
    """Wait until every stored message's AI job is on the `ai` queue before the worker starts: the web
    process relays in the background, and the live workers (whose sweeper relays what it could not) are
    stopped in this phase, so a row it failed to relay is relayed here by the sweeper's own call. Without
    this, a burst worker could drain the queue and stop while jobs were still arriving. Returns how many
    conversations the queued jobs cover (the relay puts a batch's conversations in one job)."""
    import redis as redis_lib
    from rq import Queue

    from jobs.relay import Relay
    from models.db import Database

    r = redis_lib.Redis.from_url(redis_url)
    db = Database(database_url, pool_size=1, max_overflow=0)
    unrelayed = sa.text("SELECT count(*) FROM outbox_events WHERE relayed_at IS NULL")
    deadline = time.monotonic() + timeout

    def covered() -> int:
        jobs = Queue("ai", connection=r).jobs
        return sum(len(job.args[1]) for job in jobs if job.func_name == "jobs.ai.on_messages")

    try:
        while time.monotonic() < deadline and covered() < runs:
            time.sleep(0.2)
        swept = 0
        while (moved := Relay(db, r).relay()) > 0:
            swept += moved
        with db.engine.connect() as conn:
            left = int(conn.scalar(unrelayed) or 0)
        queued = covered()
    finally:
        db.dispose()
    log(
        f"offline: AI jobs queued for {queued} of {runs} conversations "
        f"({swept} outbox rows relayed by the sweep, {left} left)"
    )
    return queued


def offline_phase(
    database_url: str,
    env: dict[str, str],
    pipeline: Pipeline,
    direct: Direct,
    tenant_id: int,
    runs: int,
    first: int,
) -> dict[str, float]:
    set_engine(database_url, tenant_id, "builtin")
    numbers = list(range(first, first + runs))
    for n in numbers:  # stored and queued, nobody working
        pipeline.start_one(n, "oi, quero a segunda via da minha fatura")
    queued = all_queued(database_url, env["REDIS_URL"], runs)
    engine = sa.create_engine(database_url)
    began = time.time()
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.ai_pipeline", "--ai-worker"], env={**os.environ, **env}, cwd=ROOT
    )
    log(f"offline: {runs} conversations stored, one ai worker draining")
    worker.wait()
    ended = time.time()
    with engine.connect() as conn:
        replies, answered, first_at, last_at = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT conversation_id), extract(epoch FROM min(created_at)), "
                "extract(epoch FROM max(created_at)) FROM messages "
                "WHERE direction = 'outbound' AND sender_kind = 'bot' AND created_at >= to_timestamp(:t)"
            ),
            {"t": began},
        ).one()
    engine.dispose()
    span = float(last_at or 0) - float(first_at or 0)
    # The baseline: the same engine and SGP, called directly, one process.
    from assistant.trial import tenant_trial

    base_numbers = numbers[: max(50, runs // 2)]
    trials = [tenant_trial(direct.db, tenant_id, phone=phone_of(n)) for n in base_numbers]
    t0 = time.perf_counter()
    base_replies = sum(len(tr.send("oi, quero a segunda via da minha fatura")["replies"]) for tr in trials)
    base_elapsed = time.perf_counter() - t0
    return {
        "runs": runs,
        "queued": queued,
        "answered": int(answered),
        "replies": int(replies),
        "wall_s": ended - began,
        "steady_span_s": span,
        "replies_per_s_wall": int(replies) / (ended - began),
        "replies_per_s_steady": (int(replies) / span) if span > 0 else float("nan"),
        "runs_per_s_wall": int(answered) / (ended - began),
        "base_runs": len(base_numbers),
        "base_replies_per_s": base_replies / base_elapsed,
        "base_runs_per_s": len(base_numbers) / base_elapsed,
    }


def diagnose(database_url: str, redis_url: str) -> None:
    import redis as redis_lib

    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        log(str(conn.execute(sa.text("SELECT status, count(*) FROM conversations GROUP BY 1")).all()))
        log(str(conn.execute(sa.text("SELECT count(*) FROM outbox_events WHERE relayed_at IS NULL")).all()))
        log(
            str(
                conn.execute(
                    sa.text("SELECT direction, sender_kind, status, count(*) FROM messages GROUP BY 1,2,3")
                ).all()
            )
        )
        log(
            str(
                conn.execute(
                    sa.text("SELECT kind, data::text FROM conversation_events WHERE kind='handoff' LIMIT 3")
                ).all()
            )
        )
    engine.dispose()
    r = redis_lib.Redis.from_url(redis_url)
    log(str({q: r.llen(f"rq:queue:{q}") for q in ("ai", "outbound", "default")}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20, help="per system, all turns together")
    parser.add_argument("--segments", type=int, default=2)
    parser.add_argument("--rate", type=float, default=20, help="new conversations per second")
    parser.add_argument("--workers", type=int, default=2, help="live worker processes")
    parser.add_argument("--offline-runs", type=int, default=1000)
    parser.add_argument("--offline-only", action="store_true", help="only the offline throughput phase")
    parser.add_argument("--save", action="store_true", help="write the results into docs/benchmarks.md")
    parser.add_argument("--ai-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ai_worker:
        ai_worker()
        return

    per_segment = int(args.seconds * args.rate / args.segments)
    total = per_segment * args.segments * 2
    INSTANCE.mkdir(parents=True, exist_ok=True)
    admin_url = embedded.ensure_postgres(INSTANCE / "postgres", "postgres")
    redis_url = embedded.ensure_redis(INSTANCE / "redis")
    import redis as redis_lib

    redis_lib.Redis.from_url(redis_url).flushall()
    times = Times()
    model, provider, sgp = make_stubs(times, total + args.offline_runs)
    database_url = fresh_database(admin_url, "bench_ai")
    tenant_id, key, secret = prepare(database_url, model, provider, sgp)
    port = free_port()
    env = {"NIOCHAT_ENV": "development", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "LOG_LEVEL": "WARNING", "INSTANCE_PATH": str(INSTANCE), "PUBLIC_URL": f"http://127.0.0.1:{port}",
           "WEB_ROLE": "webhooks", "DB_POOL_SIZE": "8", "DB_MAX_OVERFLOW": "4"}  # fmt: skip
    web = start_server("web.wsgi:app", port, env, 8, 1, "granian")
    workers = start_workers(env, args.workers)
    pipeline, direct = Pipeline(port, key, secret, provider), Direct(database_url, tenant_id, provider)
    results: dict[str, tuple[list[float], list[float]]] = {"baseline": ([], []), "niochat": ([], [])}
    missing = 0
    offline: dict[str, float] = {}
    try:
        time.sleep(3)  # workers connected
        next_n = 0
        for _ in range(0 if args.offline_only else args.segments):
            for name in ("baseline", "niochat"):
                numbers = list(range(next_n, next_n + per_segment))
                next_n += per_segment
                if name == "baseline":
                    direct.prebuild(numbers)
                    starts = drive(direct, numbers, args.rate)
                else:
                    drive(pipeline, numbers, args.rate)
                missing += wait_answered(times, numbers, timeout=60)
                log(f"{name}: {len(numbers)} conversations, unanswered so far {missing}")
                if missing:
                    diagnose(database_url, redis_url)
                if name == "niochat":
                    starts = stored_times(database_url, numbers)
                into, out = overheads(times, starts, numbers)
                results[name][0].extend(into)
                results[name][1].extend(out)
        stop_all(workers)
        workers = []
        offline = offline_phase(database_url, env, pipeline, direct, tenant_id, args.offline_runs, next_n)
    finally:
        stop_all(workers)
        stop_server(web)
        for stub in (model, provider, sgp):
            stub.stop()
        direct.db.dispose()
        embedded.stop_redis(INSTANCE / "redis")
        embedded.stop_postgres(INSTANCE / "postgres")
    report = render(results, offline, args, missing, pipeline.failures)
    print(report)
    if args.save:
        save(report, "ai_pipeline", "AI pipeline")


def render(
    results: dict[str, tuple[list[float], list[float]]],
    offline: dict[str, float],
    args: argparse.Namespace,
    missing: int,
    failures: int,
) -> str:
    ms = 1000
    lines = [
        f"Command: `.venv/bin/python -m bench.ai_pipeline --seconds {args.seconds:g} --segments {args.segments} "
        f"--rate {args.rate:g} --workers {args.workers} --offline-runs {args.offline_runs}`",
        "",
        f"Model engine at {args.rate:g} new conversations/s (model and SGP stubs answer at once; burst window 0 s).",
        "",
        "| system | conversations | in p50 | in p95 | out p50 | out p95 |",
        "|---|---|---|---|---|---|",
    ]
    for name, (into, out) in results.items():
        lines.append(
            f"| {name} | {len(into)} | {percentile(into, 50) * ms:.1f} ms | {percentile(into, 95) * ms:.1f} ms "
            f"| {percentile(out, 50) * ms:.1f} ms | {percentile(out, 95) * ms:.1f} ms |"
        )
    (b_in, b_out), (n_in, n_out) = results["baseline"], results["niochat"]
    lines += [
        "",
        f"NioChat's own overhead, p95: in {percentile(n_in, 95) * ms:.1f} ms, out {percentile(n_out, 95) * ms:.1f} ms "
        f"(target ≤ 100 ms each); over the direct call's: in {(percentile(n_in, 95) - percentile(b_in, 95)) * ms:.1f} ms, "
        f"out {(percentile(n_out, 95) - percentile(b_out, 95)) * ms:.1f} ms. Unanswered: {missing}; webhooks refused: {failures}.",
    ]
    if offline:
        lines += [
            "",
            f"Offline engine, one live worker on the `ai` queue, {offline['runs']} conversations queued:",
            "",
            "| measure | one worker (real path) | direct call (baseline) |",
            "|---|---|---|",
            f"| runs answered | {offline['answered']} of {offline['queued']} queued, in {offline['wall_s']:.1f} s (incl. start) "
            f"| {offline['base_runs']} |",
            f"| replies written | {offline['replies']} | — |",
            f"| replies/s | {offline['replies_per_s_wall']:.0f} (wall), {offline['replies_per_s_steady']:.0f} (first→last reply) "
            f"| {offline['base_replies_per_s']:.0f} |",
            f"| runs/s | {offline['runs_per_s_wall']:.1f} | {offline['base_runs_per_s']:.1f} |",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
