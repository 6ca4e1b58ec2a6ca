"""Outbox retention (`jobs.outbox_purge`): relayed rows past the retention go, in batches, until none is
left; recent relayed rows and unrelayed rows of any age stay; the sweeper runs it on its own schedule."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from jobs.outbox_purge import OutboxPurge
from jobs.queues import connect
from jobs.relay import Relay, start_sweeper
from models.outbox import OutboxEvent

KEEP = timedelta(hours=72)


def _rows(db: Any, ages: list[tuple[float, float | None]]) -> list[int]:
    """Outbox rows created `hours` ago and relayed `relayed` hours ago (None: not relayed), in id order."""
    now = datetime.now(UTC)
    values = [
        {
            "tenant_id": None,
            "topic": "inbox.connection",
            "payload": {"n": n},
            "created_at": now - timedelta(hours=created),
            "relayed_at": None if relayed is None else now - timedelta(hours=relayed),
        }
        for n, (created, relayed) in enumerate(ages)
    ]
    with db.engine.begin() as conn:
        result = conn.execute(
            sa.insert(OutboxEvent).returning(OutboxEvent.id, sort_by_parameter_order=True), values
        )
        return list(result.scalars())


def _left(db: Any) -> list[int]:
    with db.engine.connect() as conn:
        return list(conn.execute(sa.select(OutboxEvent.id).order_by(OutboxEvent.id)).scalars())


def test_old_relayed_rows_go_in_batches_until_done_and_nothing_else_does(db: Any) -> None:
    old_relayed = [(100.0 + n, 100.0 + n) for n in range(5)]
    ids = _rows(
        db,
        [
            (200.0, None),  # never relayed, very old: work still to do
            *old_relayed[:2],
            (80.0, 71.0),  # old, but relayed within the retention (Redis was down for a while)
            *old_relayed[2:],
            (1.0, 1.0),  # recent
            (0.5, None),  # recent, not relayed yet
        ],
    )
    keep = [ids[0], ids[3], ids[7], ids[8]]
    purge = OutboxPurge(db, KEEP, batch=2)
    assert [purge.step(), purge.step()] == [True, True]  # two full batches: maybe more
    assert len(_left(db)) == len(ids) - 4
    assert purge.step() is False  # the last, short batch ends the run
    assert _left(db) == keep

    purge.run()  # nothing more to do
    assert _left(db) == keep


def test_a_run_loops_over_every_batch_and_the_next_waits_for_its_turn(db: Any) -> None:
    _rows(db, [(100.0, 99.0)] * 7)
    purge = OutboxPurge(db, KEEP, batch=3, every=3600)
    purge.run()
    assert _left(db) == []

    ids = _rows(db, [(100.0, 99.0)] * 2)
    assert purge.step() is False and _left(db) == ids  # not due for another hour
    OutboxPurge(db, KEEP).run()
    assert _left(db) == []


def test_the_sweeper_purges(db: Any, redis_url: str) -> None:
    recent = _rows(db, [(100.0, 99.0)] * 3 + [(1.0, 1.0)])[-1:]
    stop = start_sweeper(Relay(db, connect(redis_url)), interval=0.05, purge=OutboxPurge(db, KEEP, batch=2))
    try:
        deadline = time.monotonic() + 10
        while _left(db) != recent and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    assert _left(db) == recent
