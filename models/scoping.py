"""Tenant scoping by construction.

A session is opened either for one tenant (`Database.tenant_session`) or explicitly for the platform
(`Database.platform_session`, used by the superadmin, relays and lookups by webhook key). In a tenant
session every ORM SELECT/UPDATE/DELETE of a `TenantScoped` model gets `tenant_id = :tenant` added, and
every row written must belong to the tenant; a session with neither scope refuses tenant-owned tables.
Forgetting a filter therefore hides data instead of leaking it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter

from models.base import TenantScoped

TENANT_KEY = "tenant_id"
PLATFORM_KEY = "platform"
_CRITERIA_KEY = "_tenant_criteria"


class TenantScopeError(PermissionError):
    """A read or write crossed (or did not declare) a tenant boundary."""


class ScopedSession(Session):
    """The project's Session class; the listeners below are attached to it."""

    @property
    def tenant_id(self) -> int | None:
        value = self.info.get(TENANT_KEY)
        return int(value) if value is not None else None

    @property
    def is_platform(self) -> bool:
        return bool(self.info.get(PLATFORM_KEY))


def _touches_tenant_tables(state: ORMExecuteState) -> bool:
    return any(issubclass(m.class_, TenantScoped) for m in state.all_mappers)


@event.listens_for(ScopedSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    session = state.session
    assert isinstance(session, ScopedSession)
    tenant_id = session.tenant_id
    if tenant_id is None:
        if not session.is_platform and _touches_tenant_tables(state):
            raise TenantScopeError(
                "tenant-owned rows need a tenant session (or an explicit platform session)"
            )
        return
    if state.is_insert:
        _check_insert_tenant(state, tenant_id)
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(_criteria(session, tenant_id))


def _criteria(session: ScopedSession, tenant_id: int) -> Any:
    """Built once per session: constructing the option costs more than many of the queries it guards."""
    cached = session.info.get(_CRITERIA_KEY)
    if cached is not None and cached[0] == tenant_id:
        return cached[1]
    option = with_loader_criteria(
        TenantScoped,
        lambda cls: cls.tenant_id == tenant_id,
        include_aliases=True,
        track_closure_variables=False,
    )
    session.info[_CRITERIA_KEY] = (tenant_id, option)
    return option


def _insert_tenant_values(statement: Any) -> list[Any] | None:
    """tenant_id values of an INSERT … VALUES, read from the statement without compiling it.

    Compiling costs more than the insert itself on the ingestion hot path, so the VALUES clause is read
    directly (SQLAlchemy keeps it on `_values` / `_multi_values`); None means "shape not recognised",
    and the caller falls back to compiling.
    """
    rows: list[dict[Any, Any]] = []
    multi = getattr(statement, "_multi_values", None)
    single = getattr(statement, "_values", None)
    if multi:
        rows = [row for group in multi for row in group if isinstance(row, dict)]
        if len(rows) != sum(len(group) for group in multi):
            return None
    elif single:
        rows = [dict(single)]
    else:
        return []
    found: list[Any] = []
    for row in rows:
        for column, value in row.items():
            if getattr(column, "key", column) == "tenant_id":
                if not isinstance(value, BindParameter):
                    return None
                if value.value is not None:  # a placeholder is filled from the execution parameters
                    found.append(value.value)
    return found


def _check_insert_tenant(state: ORMExecuteState, tenant_id: int) -> None:
    """ORM-enabled INSERT statements (bulk, ON CONFLICT) must name this tenant in every row."""
    if not _touches_tenant_tables(state):
        return
    statement = state.statement
    values = _insert_tenant_values(statement)
    if values is None:
        assert isinstance(statement, ClauseElement)
        params = statement.compile().params
        values = [v for k, v in params.items() if k == "tenant_id" or k.startswith("tenant_id_m")]
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    values += [row["tenant_id"] for row in rows if isinstance(row, dict) and "tenant_id" in row]
    if not values or any(v != tenant_id for v in values):
        raise TenantScopeError(f"insert into a tenant table must carry tenant_id={tenant_id}")


@event.listens_for(ScopedSession, "before_flush")
def _guard_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    assert isinstance(session, ScopedSession)
    tenant_id = session.tenant_id
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if tenant_id is None:
            if not session.is_platform:
                raise TenantScopeError(f"{type(obj).__name__} written outside a tenant or platform session")
            continue
        if obj.tenant_id is None and obj in session.new:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenantScopeError(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in a session of tenant {tenant_id}"
            )
