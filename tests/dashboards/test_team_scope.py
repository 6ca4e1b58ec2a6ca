"""A supervisor's reports are their teams' (issue #15): the verified viewer carries the supervisor's
teams, and every query and export reads conversations of those teams only, whatever team or agent the
filters (the URL) name. Admins, the superadmin and a supervisor in no team read the whole tenant."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest

from dashboards.exports.run import export
from dashboards.exports.sources import SOURCES
from dashboards.filters import FilterState, resolve
from dashboards.queries import QUERY_FUNCTIONS, Drill, Filters, conversations, fact_chunks, kpis
from dashboards.queries.filters import scoped_team_ids
from tests.dashboards.conftest import TeamsWorld
from tests.dashboards.test_isolation import _empty


@pytest.mark.parametrize(
    ("selected", "scope", "expected"),
    [
        ((), None, None),  # no selection, no scope: no team condition
        ((3,), None, (3,)),
        ((), (2, 1), (1, 2)),  # within a scope, nothing selected = every team of the scope
        ((1, 3), (1, 2), (1,)),
        ((3,), (1, 2), ()),  # a team outside the scope: nothing, never "all"
        ((), (), ()),
    ],
)
def test_scoped_team_ids(
    selected: tuple[int, ...], scope: tuple[int, ...] | None, expected: tuple[int, ...] | None
) -> None:
    """The one rule the queries and the exports share."""
    assert scoped_team_ids(selected, scope) == expected


def _filters(**dims: Any) -> Filters:
    now = datetime.now(UTC)
    return Filters(now - timedelta(days=10), now + timedelta(hours=1), **dims)


def test_every_query_keeps_to_the_supervisors_teams(db: Any, teams_world: TeamsWorld) -> None:
    """Each registered query, scoped to team X: finds X's data, and finds nothing when the filters name
    team Y or Y's agent (what `?equipe=`/`?agente=` in a URL would do); the scope is no default a filter
    can widen."""
    w = teams_world
    x = (w.team_x,)
    blind, leaks = [], []
    with db.tenant_session(w.tenant_id) as session:
        for name, (fn, extra) in sorted(QUERY_FUNCTIONS.items()):
            if not name.startswith("insight") and _empty(
                fn(session, w.tenant_id, _filters(team_scope=x), **extra)
            ):
                blind.append(name)
            for dims in ({"team_ids": (w.team_y,)}, {"agent_ids": (w.agent_y,)}):
                if not _empty(fn(session, w.tenant_id, _filters(team_scope=x, **dims), **extra)):
                    leaks.append((name, dims))
    assert leaks == [], f"read past the team scope: {leaks}"
    assert blind == [], f"found nothing even in the supervisor's own team: {blind}"


def test_scoped_numbers_are_the_teams_numbers(db: Any, teams_world: TeamsWorld) -> None:
    """Scoped to X the KPI card counts X's 12 conversations, the drill-down and the fact export list
    exactly X's; unscoped (an admin) all 30."""
    w = teams_world
    with db.tenant_session(w.tenant_id) as session:
        scoped = _filters(team_scope=(w.team_x,))
        assert kpis(session, w.tenant_id, scoped).current.conversations == 12
        assert kpis(session, w.tenant_id, _filters()).current.conversations == 30
        listed = conversations(session, w.tenant_id, scoped, drill=Drill("all"))
        assert sorted(listed["conversation_id"]) == sorted(w.x_ids)
        chunked = [int(i) for df in fact_chunks(session, w.tenant_id, scoped) for i in df["conversation_id"]]
        assert sorted(chunked) == sorted(w.x_ids)


def _export(
    readonly_db: Any, w: TeamsWorld, key: str, fmt: str, tmp_path: Any, **kw: Any
) -> tuple[int, list]:
    state = kw.pop("state", FilterState(preset="7d"))
    period = resolve(state, "America/Sao_Paulo")
    path = tmp_path / f"{key}.{fmt}"
    rows = export(readonly_db.engine, SOURCES[key], fmt, path, tenant_id=w.tenant_id, state=state,  # type: ignore[arg-type]
                  period=period, timezone="America/Sao_Paulo", **kw)  # fmt: skip
    if fmt == "csv":
        table = list(csv.reader(path.read_bytes().decode("utf-8-sig").splitlines(), delimiter=";"))
        return rows, table[1:]
    return rows, list(openpyxl.load_workbook(path, read_only=True).active.values)[1:]


@pytest.mark.parametrize("key", ["conversas", "csat", "atendentes"])
def test_exports_keep_to_the_supervisors_teams(
    readonly_db: Any, teams_world: TeamsWorld, tmp_path: Any, key: str
) -> None:
    """Each export scoped to X holds X's rows only; naming team Y in the filters yields no row; without a
    scope (an admin) both teams are there."""
    w = teams_world
    x = (w.team_x,)
    rows, values = _export(readonly_db, w, key, "csv", tmp_path, team_scope=x)
    if key == "conversas":
        assert sorted(int(r[0]) for r in values) == sorted(w.x_ids)
    elif key == "csat":
        assert sorted(int(r[2]) for r in values) == sorted(w.x_ids)
    else:
        assert [(int(r[0]), int(r[5])) for r in values] == [(w.agent_x, 12)]
    assert rows == len(values)
    other = FilterState(preset="7d", team_ids=(w.team_y,))
    assert _export(readonly_db, w, key, "csv", tmp_path, team_scope=x, state=other)[0] == 0
    agent_y = FilterState(preset="7d", agent_ids=(w.agent_y,))
    assert _export(readonly_db, w, key, "xlsx", tmp_path, team_scope=x, state=agent_y)[0] == 0
    everyone = {"conversas": 30, "csat": 20, "atendentes": 2}[key]
    assert _export(readonly_db, w, key, "xlsx", tmp_path, team_scope=None)[0] == everyone


def test_viewer_carries_the_supervisors_teams_read_on_every_check(
    db: Any, settings: Any, teams_world: TeamsWorld
) -> None:
    """The verified viewer (re-read on every page run, in the plain session the dashboards use) names a
    supervisor's teams; joining another team shows at the next check; admins and a supervisor in no
    team are unrestricted (None)."""
    from models.accounts import session_version
    from models.dashboard_access import current_viewer
    from models.user import TeamMember, User

    w = teams_world

    def scope(person: Any) -> tuple[int, ...] | None:
        with db.session() as session, session.begin():
            version = session_version(session.get(User, person.id), settings.secret_key)
            return current_viewer(
                session, person.id, secret_key=settings.secret_key, version=version
            ).team_scope

    assert scope(w.supervisor) == (w.team_x,)
    assert scope(w.admin) is None
    assert scope(w.lone_supervisor) is None
    with db.tenant_session(w.tenant_id) as session:
        session.add(TeamMember(tenant_id=w.tenant_id, team_id=w.team_y, user_id=w.supervisor.id))
    assert scope(w.supervisor) == tuple(sorted((w.team_x, w.team_y)))
