"""The sidebar's filters as one value, and the SQL they become over the fact table.

Every query of this package starts from `where(filters, tenant_id)`: the tenant is always the first
condition, so no query can forget it. The viewer's team scope (a supervisor's teams) is applied there
too, intersected with the team filter, so no query can read past it either. The period is half-open,
[start, end), on `started_at` (the conversation's creation) unless a query says otherwise (CSAT on the
answer, closes on `closed_at`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

# The teams a viewer may read (a supervisor's own); None: every team of the tenant, and no team too.
TeamScope = tuple[int, ...] | None


@dataclass(frozen=True)
class Filters:
    """What to look at: a period and optional dimensions (empty tuple = all).

    `team_scope` is not a choice but a limit: the teams the viewer may read (None: the whole tenant).
    No URL or widget sets it: `dashboards.querying.run` stamps the verified session's on every call
    (whatever the Filters it is given carry), and `where` intersects it with `team_ids`."""

    start: datetime
    end: datetime
    inbox_ids: tuple[int, ...] = ()
    team_ids: tuple[int, ...] = ()
    agent_ids: tuple[int, ...] = ()
    label_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    team_scope: TeamScope = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("the period needs aware datetimes (UTC or the tenant's timezone)")
        if self.end <= self.start:
            raise ValueError("the period's end must come after its start")

    @property
    def span(self) -> timedelta:
        return self.end - self.start

    def previous(self) -> Filters:
        """The period of the same length just before this one: "vs. período anterior"."""
        return replace(self, start=self.start - self.span, end=self.start)

    def with_period(self, start: datetime, end: datetime) -> Filters:
        return replace(self, start=start, end=end)


def scoped_team_ids(selected: tuple[int, ...], scope: TeamScope) -> tuple[int, ...] | None:
    """The teams a query reads: None = no team condition at all (no selection, no scope); otherwise
    exactly these, possibly none. Within a scope an empty selection means every team of the scope, and a
    selected team outside it is dropped (a URL's `?equipe=<another team>` then reads nothing)."""
    if scope is None:
        return selected or None
    if not selected:
        return tuple(sorted(set(scope)))
    return tuple(sorted(set(selected) & set(scope)))


@dataclass
class Sql:
    """A WHERE clause and its bound parameters, built together so they never drift apart."""

    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, clause: str, **params: Any) -> Sql:
        self.clauses.append(clause)
        self.params.update(params)
        return self

    @property
    def text(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "TRUE"


def where(filters: Filters, tenant_id: int, *, alias: str = "f", period_on: str = "started_at") -> Sql:
    """Tenant, period and dimension conditions on the fact table (alias `f`), the team scope included."""
    sql = Sql().add(f"{alias}.tenant_id = :tenant_id", tenant_id=int(tenant_id))
    if period_on:
        sql.add(
            f"{alias}.{period_on} >= :start AND {alias}.{period_on} < :end",
            start=filters.start,
            end=filters.end,
        )
    if filters.inbox_ids:
        sql.add(f"{alias}.inbox_id = ANY(:inbox_ids)", inbox_ids=list(filters.inbox_ids))
    team_ids = scoped_team_ids(filters.team_ids, filters.team_scope)
    if team_ids is not None:  # an empty list matches no row: a scope with nothing selectable in it
        sql.add(f"{alias}.team_id = ANY(:team_ids)", team_ids=list(team_ids))
    if filters.agent_ids:
        sql.add(f"{alias}.agent_id = ANY(:agent_ids)", agent_ids=list(filters.agent_ids))
    if filters.label_ids:
        sql.add(f"{alias}.label_ids && CAST(:label_ids AS bigint[])", label_ids=list(filters.label_ids))
    if filters.channels:
        sql.add(f"{alias}.channel = ANY(:channels)", channels=list(filters.channels))
    return sql
