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

from models.base import TenantScoped

TENANT_KEY = "tenant_id"
PLATFORM_KEY = "platform"


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
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
                track_closure_variables=False,
            )
        )


def _check_insert_tenant(state: ORMExecuteState, tenant_id: int) -> None:
    """ORM-enabled INSERT statements (bulk, ON CONFLICT) must name this tenant in every row."""
    if not _touches_tenant_tables(state):
        return
    statement = state.statement
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile()
    values: list[Any] = [
        v for k, v in compiled.params.items() if k == "tenant_id" or k.startswith("tenant_id_m")
    ]
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
