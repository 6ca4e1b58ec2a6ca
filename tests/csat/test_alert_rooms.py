"""The live CSAT alert goes to the tenant's supervisors and admins only (room `t{tenant}:all`)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from jobs.realtime import SOCKET_TOPICS, Emitter
from models import outbox_ops as topics


class _Manager:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], Any]] = []

    def emit(self, event: str, data: dict[str, Any], room: Any = None, **_: Any) -> None:
        self.sent.append((event, data, room))


def test_alert_reaches_only_the_managers_room_of_its_tenant() -> None:
    """One `csat.alert` to `t7:all`: no agent room, no other tenant, ids and score only."""
    emitter = Emitter.__new__(Emitter)
    emitter.manager = _Manager()  # type: ignore[assignment]
    payload = {"conversation_id": 5, "contact_id": 9, "contact_name": "Maria", "score": 1, "survey_id": 3,
               "reopened": False}  # fmt: skip
    row = SimpleNamespace(id=1, tenant_id=7, topic=topics.CSAT_ALERT, payload=payload)
    assert topics.CSAT_ALERT in SOCKET_TOPICS
    emitter.emit_outbox([row])  # type: ignore[list-item]
    assert emitter.manager.sent == [("csat.alert", payload, ["t7:all"])]  # type: ignore[attr-defined]
