"""A small asyncio HTTP/1.1 load generator for loopback benchmarks.

Written here rather than using wrk or locust: wrk is not installed on a fresh machine and cannot see our
database afterwards, and Python HTTP clients (httpx, requests) spend more CPU per request than the server
under test, which on a 2-core machine would measure the client. This one sends pre-built requests over
keep-alive connections and parses only the status line and Content-Length.

Two modes:
- closed loop (`run_closed`): N connections send back to back for a duration: maximum throughput.
- open loop (`run_open`): requests start on a fixed schedule (rate/s) whatever the server does, and
  latency is measured from the scheduled start, so a stalled server shows up as latency instead of
  quietly lowering the rate (no coordinated omission).

Before each run the generator's own heap is frozen (`gc.freeze`): by then the harness has imported
SQLAlchemy, the models and the migrations, and a full collection of the ~160,000 objects stalled the
event loop for 70–100 ms, which the open loop then reported as the server's latency. Each run also
records the share of the machine's CPU time the hypervisor took for other guests (steal, from
/proc/stat): on a shared host that moves every figure, and a run with much of it is not comparable.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, one per completed request
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    elapsed: float = 0.0
    acked_keys: list[str] = field(default_factory=list)  # keys of requests answered 200
    stolen: float | None = None  # share of the machine's CPU time stolen by the hypervisor (Linux only)
    began: float = 0.0  # perf_counter() when the first request was due: the open loop's schedule starts here

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.completed / self.elapsed if self.elapsed else 0.0

    @classmethod
    def combine(cls, parts: list[Result]) -> Result:
        """Several runs of one system as one: requests pooled, elapsed time summed, steal weighted by it."""
        whole = cls()
        for part in parts:
            whole.latencies += part.latencies
            for status, count in part.statuses.items():
                whole.statuses[status] = whole.statuses.get(status, 0) + count
            whole.errors += part.errors
            whole.elapsed += part.elapsed
            whole.acked_keys += part.acked_keys
        measured = [p for p in parts if p.stolen is not None]
        if measured and whole.elapsed:
            whole.stolen = sum(p.stolen * p.elapsed for p in measured if p.stolen is not None) / sum(
                p.elapsed for p in measured
            )
        return whole

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
        return ordered[index]


def build_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", "Connection: keep-alive"]  # fmt: skip
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:].strip())
            break
    if length:
        await reader.readexactly(length)
    return status


class _Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        await self.writer.drain()
        return await _read_response(self.reader)

    def reset(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


RequestSource = Callable[[int], tuple[str, bytes]]  # n → (key, raw request bytes)


async def _closed(host: str, port: int, source: RequestSource, connections: int, seconds: float) -> Result:
    result = Result()
    counter = iter(range(10**12))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        conn = _Conn(host, port)
        while time.perf_counter() < deadline:
            key, raw = source(next(counter))
            started = time.perf_counter()
            try:
                status = await conn.send(raw)
            except (OSError, asyncio.IncompleteReadError):
                result.errors += 1
                conn.reset()
                continue
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.acked_keys.append(key)
        conn.reset()

    begin = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    result.elapsed = time.perf_counter() - begin
    return result


async def _open(
    host: str, port: int, source: RequestSource, rate: float, seconds: float, pool: int
) -> Result:
    result = Result()
    idle: asyncio.Queue[_Conn] = asyncio.Queue()
    for _ in range(pool):
        idle.put_nowait(_Conn(host, port))
    total = int(rate * seconds)
    begin = result.began = time.perf_counter()

    async def one(n: int, scheduled: float) -> None:
        key, raw = source(n)
        conn = await idle.get()
        try:
            status = await conn.send(raw)
        except (OSError, asyncio.IncompleteReadError):
            result.errors += 1
            conn.reset()
            return
        finally:
            idle.put_nowait(conn)
        result.latencies.append(time.perf_counter() - scheduled)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status == 200:
            result.acked_keys.append(key)

    tasks = []
    for n in range(total):
        scheduled = begin + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, scheduled)))
    await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - begin
    while not idle.empty():
        idle.get_nowait().reset()
    return result


def cpu_ticks() -> tuple[int, int] | None:
    """(steal, total) jiffies of all CPUs since boot, or None where /proc/stat is absent."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def _measured(run: Callable[[], Result]) -> Result:
    gc.collect()
    gc.freeze()
    before = cpu_ticks()
    result = run()
    after = cpu_ticks()
    if before is not None and after is not None and after[1] > before[1]:
        result.stolen = (after[0] - before[0]) / (after[1] - before[1])
    return result


def run_closed(host: str, port: int, source: RequestSource, *, connections: int, seconds: float) -> Result:
    return _measured(lambda: asyncio.run(_closed(host, port, source, connections, seconds)))


def run_open(
    host: str, port: int, source: RequestSource, *, rate: float, seconds: float, pool: int = 64
) -> Result:
    return _measured(lambda: asyncio.run(_open(host, port, source, rate, seconds, pool)))
