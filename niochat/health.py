"""Health of every part, for `niochat status` and the `run` supervisor's readiness wait."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from niochat.config import Settings


@dataclass
class PartHealth:
    name: str
    healthy: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_postgres(database_url: str) -> PartHealth:
    from niochat.migrate import current_and_head

    try:
        current, head = current_and_head(database_url)
    except Exception as exc:
        return PartHealth("postgres", False, f"sem conexão: {type(exc).__name__}")
    if current != head:
        return PartHealth("postgres", False, f"migração pendente (banco {current}, código {head})")
    return PartHealth("postgres", True, f"conectado, esquema {current}")


def check_redis(redis_url: str) -> PartHealth:
    from jobs.queues import connect

    try:
        connect(redis_url, retries=0).ping()
    except Exception as exc:
        return PartHealth("redis", False, f"sem conexão: {type(exc).__name__}")
    return PartHealth("redis", True, "conectado")


def check_http(name: str, url: str, timeout: float = 2.0) -> PartHealth:
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return PartHealth(name, False, f"{url} não responde ({type(exc).__name__})")
    if response.status_code != 200:
        return PartHealth(name, False, f"{url} respondeu {response.status_code}")
    return PartHealth(name, True, f"{url} ok")


def check_workers(redis_url: str, max_age_seconds: float = 90) -> PartHealth:
    from rq import Worker

    from jobs.queues import connect

    try:
        workers = Worker.all(connection=connect(redis_url, retries=0))
    except Exception as exc:
        return PartHealth("worker", False, f"sem Redis: {type(exc).__name__}")
    now = time.time()
    alive = [w for w in workers if w.last_heartbeat and now - w.last_heartbeat.timestamp() < max_age_seconds]
    if not alive:
        return PartHealth("worker", False, "nenhum worker ativo")
    return PartHealth("worker", True, f"{len(alive)} ativo(s): " + ", ".join(sorted(w.name for w in alive)))


def web_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.web_host in ("0.0.0.0", "") else settings.web_host  # noqa: S104
    return f"http://{host}:{settings.web_port}"


def dashboards_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.dashboards_host in ("0.0.0.0", "") else settings.dashboards_host  # noqa: S104
    base = "/" + settings.dashboards_base_path.strip("/") if settings.dashboards_base_path else ""
    return f"http://{host}:{settings.dashboards_port}{base}"


def check_all(settings: Settings, database_url: str, redis_url: str) -> list[PartHealth]:
    return [
        check_postgres(database_url),
        check_redis(redis_url),
        check_http("web", web_url(settings) + "/readyz"),
        check_workers(redis_url),
        check_http("dashboards", dashboards_url(settings) + "/_stcore/health"),
    ]
