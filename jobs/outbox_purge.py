"""Outbox retention: relayed rows are deleted once they are older than `OUTBOX_RETENTION_HOURS`.

Every message leaves at least one outbox row; once relayed it only serves whoever investigates a missed
event, so it is kept for a while and then deleted, or the table (and every scan of it) grows forever.
Unrelayed rows are never deleted, whatever their age: they are work still to do.

Deletion goes in batches of `BATCH` rows, one short transaction each, so no statement holds many row locks
or runs long; the live worker's sweeper (jobs.relay.sweep_forever) runs one batch between its relay passes,
so even a first purge of millions of rows never delays the relaying.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from models.db import Database
from models.outbox import OutboxEvent

log = logging.getLogger(__name__)
BATCH = 5000
EVERY_SECONDS = 300.0
_NO_BOUND = 2**63 - 1

outbox = cast(sa.Table, OutboxEvent.__table__)
# The database's clock, as for relayed_at (set with now() by the relay).
CUTOFF = sa.select(sa.func.now() - sa.bindparam("keep", type_=sa.Interval))
# Ids grow with time, so rows at or past the first one created after the cutoff are (nearly all) too young:
# bounding the scan there keeps each batch a short range scan of the primary key, and the last batch of a
# run from walking every recent row to find none. A row past the bound that is old enough (ids are taken
# a little out of order by concurrent transactions) waits for the next run.
BOUND = (
    sa.select(outbox.c.id).where(outbox.c.created_at >= sa.bindparam("cutoff")).order_by(outbox.c.id).limit(1)
)
_doomed = (
    sa.select(outbox.c.id)
    .where(
        outbox.c.id < sa.bindparam("below", type_=sa.BigInteger),
        outbox.c.relayed_at < sa.bindparam("cutoff"),  # NULL (unrelayed) never compares true
    )
    .order_by(outbox.c.id)
    .limit(sa.bindparam("batch", type_=sa.Integer))
    .with_for_update(skip_locked=True)
    .cte("doomed")
    .prefix_with("MATERIALIZED")
)
DELETE_BATCH = sa.delete(outbox).where(outbox.c.id == _doomed.c.id)


@dataclass(frozen=True)
class _Run:
    cutoff: datetime
    below: int


class OutboxPurge:
    """The retention schedule for one sweeper: a run at most every `every` seconds, one batch per
    `step`, so the sweeper can relay between batches."""

    def __init__(
        self, db: Database, keep: timedelta, *, batch: int = BATCH, every: float = EVERY_SECONDS
    ) -> None:
        self.db = db
        self.keep = keep
        self.batch = batch
        self.every = every
        self._due = 0.0  # time.monotonic() of the next run; the first is due at once
        self._run: _Run | None = None
        self._deleted = 0

    def step(self) -> bool:
        """Delete one batch if a run is due or under way; True when more rows may remain (call again
        soon), False when the run is done or none is due. A database error propagates and the run
        resumes at the next call."""
        if self._run is None:
            now = time.monotonic()
            if now < self._due:
                return False
            self._due = now + self.every
            self._run = self._start()
        params: dict[str, Any] = {"cutoff": self._run.cutoff, "below": self._run.below, "batch": self.batch}
        with self.db.engine.begin() as conn:
            deleted = conn.execute(DELETE_BATCH, params).rowcount
        self._deleted += deleted
        if deleted < self.batch:
            if self._deleted:
                log.info("outbox purge: %s relayed rows older than %s deleted", self._deleted, self.keep)
            self._run, self._deleted = None, 0
            return False
        return True

    def run(self) -> None:
        """A whole run now, whatever the schedule (tests, tools)."""
        self._due = 0.0
        while self.step():
            pass

    def _start(self) -> _Run:
        with self.db.engine.connect() as conn:
            cutoff = conn.execute(CUTOFF, {"keep": self.keep}).scalar_one()
            below = conn.execute(BOUND, {"cutoff": cutoff}).scalar()
        return _Run(cutoff, _NO_BOUND if below is None else int(below))
