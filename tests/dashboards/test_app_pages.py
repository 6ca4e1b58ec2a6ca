"""Every page and every filter through AppTest, signed in by the inbox token path."""

from __future__ import annotations

import pytest

PAGES = ["pages/overview.py", "pages/agents.py", "pages/csat.py", "pages/sentiment.py", "pages/ai.py",
         "pages/exports.py", "pages/status.py"]  # fmt: skip
TITLES = ["Visão geral", "Atendentes", "CSAT", "Sentimento", "IA", "Exportar dados", "NioChat — Status"]


@pytest.mark.parametrize(("page", "title"), list(zip(PAGES, TITLES, strict=True)))
def test_every_page_renders(app_test, facts, page, title) -> None:  # type: ignore[no-untyped-def]
    """Each page runs without an exception and shows its title for a signed-in supervisor."""
    at = app_test(facts["a"].supervisor)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert title in [t.value for t in at.title]


def test_filters_are_written_to_the_url(app_test, facts) -> None:  # type: ignore[no-untyped-def]
    """Each filter widget changes the query string, so the address shares the view."""
    world = facts["a"]
    at = app_test(world.supervisor)
    at.run()
    at.sidebar.selectbox(key="f_periodo").select("7d").run()
    assert at.query_params["periodo"] == ["7d"] or at.query_params["periodo"] == "7d"
    at.sidebar.multiselect(key="f_caixa").select(world.inbox_id).run()
    at.sidebar.multiselect(key="f_agente").select(world.agent.id).run()
    at.sidebar.multiselect(key="f_canal").select("evolution").run()
    assert not at.exception
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert params["caixa"] == str(world.inbox_id)
    assert params["agente"] == str(world.agent.id)
    assert params["canal"] == "evolution"


def test_url_seeds_the_filters(app_test, facts) -> None:  # type: ignore[no-untyped-def]
    """A shared address opens with its period and dimensions selected."""
    world = facts["a"]
    at = app_test(world.supervisor, periodo="personalizado", de="2026-11-01", ate="2026-11-30",
                  caixa=str(world.inbox_id), canal="evolution")  # fmt: skip
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="f_periodo").value == "personalizado"
    assert at.sidebar.multiselect(key="f_caixa").value == [world.inbox_id]
    assert at.sidebar.multiselect(key="f_canal").value == ["evolution"]
    assert "01/11/2026 a 30/11/2026" in " ".join(c.value for c in at.caption)


def test_team_and_label_filters_narrow_the_overview(app_test, db, facts) -> None:  # type: ignore[no-untyped-def]
    """Picking a team or a label no conversation has empties the cards (0 conversations)."""
    from models.label import Label
    from models.user import Team

    world = facts["a"]
    with db.tenant_session(world.tenant_id) as session:
        team = Team(tenant_id=world.tenant_id, name="Financeiro")
        label = Label(tenant_id=world.tenant_id, name="sem-internet")
        session.add_all([team, label])
        session.flush()
        team_id, label_id = team.id, label.id
    at = app_test(world.supervisor)
    at.run()
    assert at.metric[0].value == "3"
    at.sidebar.multiselect(key="f_equipe").select(team_id).run()
    assert at.metric[0].value == "0"
    at.sidebar.multiselect(key="f_equipe").unselect(team_id).run()
    at.sidebar.multiselect(key="f_etiqueta").select(label_id).run()
    assert not at.exception
    assert at.metric[0].value == "0"


def test_saved_report_reopens_its_view(app_test, db, facts) -> None:  # type: ignore[no-untyped-def]
    """Saving a view under a name and opening it later brings back page and filters; other users'
    reports are not listed."""
    from models.saved_report import SavedReport, save_report

    world = facts["a"]
    at = app_test(world.supervisor)
    at.run()
    at.sidebar.selectbox(key="f_periodo").select("90d").run()
    at.text_input[0].input("Trimestre")
    next(b for b in at.button if b.label == "Salvar esta visão").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Relatório salvo."], [e.value for e in at.error]
    with db.tenant_session(world.tenant_id) as session:
        saved = session.query(SavedReport).one()
        assert (saved.name, saved.page, saved.query) == ("Trimestre", "visao-geral", "periodo=90d")
        save_report(
            session,
            tenant_id=world.tenant_id,
            user_id=world.agent.id,
            name="Do agente",
            page="csat",
            query="",
        )
    at.sidebar.selectbox(key="f_periodo").select("7d").run()
    picker = at.selectbox(key="niochat_report_pick")
    assert list(picker.options) == ["Trimestre"]
    next(b for b in at.button if b.label == "Abrir").click().run()
    at.run()
    assert at.sidebar.selectbox(key="f_periodo").value == "90d"


def test_drill_down_lists_conversations_with_inbox_links(app_test, facts) -> None:  # type: ignore[no-untyped-def]
    """A drill (as a click sets it) lists the conversations behind a number, each linking into the inbox."""
    at = app_test(facts["a"].supervisor)
    at.run()
    at.switch_page("pages/agents.py").run()
    at.session_state["niochat_drill"] = ("all", None, "todas")
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert len(table) == 3
    assert all(link.startswith("http://testserver/#/c/") for link in table["Conversa"])
