"""The app as a supervisor of one team sees it (issue #15): the overview's numbers, the sidebar's
choices, a shared URL naming another team, a drill-down and the export page all stay within the teams
the supervisor belongs to; an admin and a supervisor in no team still see the whole tenant."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards.queries import Filters
from tests.dashboards.conftest import TeamsWorld

SCOPE_NOTE = "Mostrando apenas as equipes que você supervisiona: Financeiro."


def _captions(at: Any) -> list[str]:
    return [str(c.value) for c in at.caption]


def _params(at: Any) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_supervisor_sees_only_their_team_and_a_new_team_at_once(
    app_test: Any, db: Any, teams_world: TeamsWorld
) -> None:
    """The overview counts team X's 12 conversations (not Y's 8 nor the AI's 10), the sidebar offers X
    and its people only and says so; joining Y widens the view on the next run."""
    from models.user import TeamMember

    w = teams_world
    at = app_test(w.supervisor)
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "Conversas" and at.metric[0].value == "12"
    assert SCOPE_NOTE in _captions(at)
    assert at.sidebar.multiselect(key="f_equipe").options == ["Financeiro"]
    assert at.sidebar.multiselect(key="f_agente").options == ["Sofia Supervisora", "Xavier Financeiro"]
    with db.tenant_session(w.tenant_id) as session:
        session.add(TeamMember(tenant_id=w.tenant_id, team_id=w.team_y, user_id=w.supervisor.id))
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "20"
    assert "Mostrando apenas as equipes que você supervisiona: Financeiro, Suporte." in _captions(at)


def test_url_naming_another_team_or_its_agent_shows_nothing_of_it(
    app_test: Any, teams_world: TeamsWorld
) -> None:
    """`?equipe=<Y>&agente=<Y's agent>` (a link shared by an admin, a hand-edited URL) is dropped: the
    supervisor sees their own team's 12, never Y's 8."""
    w = teams_world
    at = app_test(w.supervisor, equipe=str(w.team_y), agente=str(w.agent_y))
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "12"
    assert at.sidebar.multiselect(key="f_equipe").value == []
    assert at.sidebar.multiselect(key="f_agente").value == []
    assert "equipe" not in _params(at) and "agente" not in _params(at)


def test_drill_down_lists_only_the_teams_conversations(app_test: Any, teams_world: TeamsWorld) -> None:
    """ "Ver conversas" lists X's 12; a drill into team Y, into Y's agent, or one carrying its own
    unscoped period (as an insight's does) lists none of Y's."""
    w = teams_world
    at = app_test(w.supervisor)
    at.run()
    at.switch_page("pages/agents.py").run()
    at.session_state["niochat_drill"] = ("all", None, "todas")
    at.run()
    assert not at.exception, at.exception
    link_ids = sorted(int(link.rsplit("/", 1)[1]) for link in at.dataframe[-1].value["Conversa"])
    assert link_ids == sorted(w.x_ids)
    now = datetime.now(UTC)
    unscoped = Filters(now - timedelta(days=30), now + timedelta(hours=1))
    for drill in [
        ("team", w.team_y, "Equipe Suporte"),
        ("agent", w.agent_y, "Atendente Yara"),
        ("all", None, "todas", unscoped),
    ]:
        at.session_state["niochat_drill"] = drill
        at.run()
        assert not at.exception, at.exception
        listed = [c.value for c in at.caption]
        if drill[0] == "all":
            assert len(at.dataframe[-1].value) == len(w.x_ids)
        else:
            assert "Nenhuma conversa." in listed, drill


def test_export_page_writes_only_the_teams_rows(app_test: Any, teams_world: TeamsWorld) -> None:
    """Exportar → Conversas → CSV holds X's 12 conversations, even with `?equipe=<Y>` in the URL."""
    w = teams_world
    at = app_test(w.supervisor, equipe=str(w.team_y))
    at.run()
    at.switch_page("pages/exports.py").run()
    at.radio(key="export_format").set_value("csv").run()
    at.button(key="export_run").click().run()
    assert not at.exception, at.exception
    name, content, kind = at.session_state["export_file"]
    assert name.endswith(".csv")
    assert kind == "csv"
    table = list(csv.reader(content.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert sorted(int(r[0]) for r in table[1:]) == sorted(w.x_ids)


def test_admin_and_a_supervisor_in_no_team_see_the_whole_tenant(
    app_test: Any, teams_world: TeamsWorld
) -> None:
    """Unrestricted: all 30 conversations, every team offered, no scope note; `?equipe=<Y>` is Y's 8."""
    w = teams_world
    for person in (w.admin, w.lone_supervisor):
        at = app_test(person)
        at.run()
        assert not at.exception, at.exception
        assert at.metric[0].value == "30"
        assert at.sidebar.multiselect(key="f_equipe").options == ["Financeiro", "Suporte"]
        assert not any(c.startswith("Mostrando apenas") for c in _captions(at))
    at = app_test(w.admin, equipe=str(w.team_y))
    at.run()
    assert at.metric[0].value == "8"
