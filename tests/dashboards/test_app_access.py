"""Access to the Streamlit app: the inbox's one-use token, the login form with 2FA, roles, the
superadmin's tenant pick, and isolation of what a session can see."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa

from tests.dashboards.conftest import PASSWORD, token_for


def _texts(at) -> str:  # type: ignore[no-untyped-def]
    parts = [e.value for e in at.title] + [e.value for e in at.markdown] + [e.value for e in at.error]
    parts += [e.value for e in at.info] + [e.value for e in at.caption]
    return "\n".join(str(p) for p in parts)


def test_token_opens_a_session_and_leaves_the_url(app_test, facts) -> None:  # type: ignore[no-untyped-def]
    """A supervisor's token opens the overview for her tenant, and the token leaves the URL."""
    at = app_test(facts["a"].supervisor)
    at.run()
    assert not at.exception
    assert "Visão geral" in [t.value for t in at.title]
    assert "token" not in at.query_params
    assert "Provedor A" in _texts(at)


def test_token_is_single_use(app_test, db, settings, facts) -> None:  # type: ignore[no-untyped-def]
    """The same token presented twice opens one session only."""
    token = token_for(db, settings, facts["a"].supervisor)
    first = app_test(token=token)
    first.run()
    assert "Visão geral" in [t.value for t in first.title]
    second = app_test(token=token)
    second.run()
    assert "Visão geral" not in [t.value for t in second.title]
    assert "já foi usado" in _texts(second)


def test_expired_or_forged_token_is_refused(app_test, db, settings, facts) -> None:  # type: ignore[no-untyped-def]
    """An expired token and one signed with another key both end on the login form."""
    import time

    token = token_for(db, settings, facts["a"].supervisor, seconds=1)
    time.sleep(1.5)
    at = app_test(token=token)
    at.run()
    assert "expirou" in _texts(at)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    at = app_test(token=forged)
    at.run()
    assert "inválido" in _texts(at)
    assert [b.label for b in at.button] == ["Entrar"] or any(b.label == "Entrar" for b in at.button)


def test_agent_cannot_get_a_token_nor_log_in(app_test, db, settings, facts) -> None:  # type: ignore[no-untyped-def]
    """Agents have no dashboards: no token is issued, and the login form refuses them."""
    from models.dashboard_access import AccessError

    with pytest.raises(AccessError):
        token_for(db, settings, facts["a"].agent)
    at = app_test()
    at.run()
    at.text_input[0].input(facts["a"].agent.email)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert "não tem acesso" in _texts(at)
    assert "Visão geral" not in [t.value for t in at.title]


def test_login_form_with_second_factor(app_test, db, facts) -> None:  # type: ignore[no-untyped-def]
    """E-mail and password, then the TOTP code: the overview opens; a wrong password does not."""
    from models.base import utcnow
    from models.user import User

    secret = pyotp.random_base32()
    with db.session() as session, session.begin():
        user = session.get(User, facts["b"].supervisor.id)
        user.totp_secret, user.totp_enabled_at = secret, utcnow()
    at = app_test()
    at.run()
    at.text_input[0].input(facts["b"].supervisor.email)
    at.text_input[1].input("errada-123456")
    at.button[0].click().run()
    assert "E-mail ou senha inválidos." in _texts(at)
    at.text_input[0].input(facts["b"].supervisor.email)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert "Código de verificação" in at.text_input[0].label
    at.text_input[0].input(pyotp.TOTP(secret).now())
    at.button[0].click().run()
    assert not at.exception
    assert "Visão geral" in [t.value for t in at.title]
    assert "Provedor B" in _texts(at)


def test_session_ends_when_the_password_changes(app_test, db, facts) -> None:  # type: ignore[no-untyped-def]
    """Each run re-verifies the user: a new password hash ends the dashboards session."""
    from models.passwords import hash_password
    from models.user import User

    at = app_test(facts["a"].supervisor)
    at.run()
    assert "Visão geral" in [t.value for t in at.title]
    with db.session() as session, session.begin():
        session.get(User, facts["a"].supervisor.id).password_hash = hash_password("outra-senha-987")
    at.run()
    assert "Visão geral" not in [t.value for t in at.title]
    assert "Sessão encerrada" in _texts(at)


def test_superadmin_picks_a_tenant(app_test, facts, superadmin) -> None:  # type: ignore[no-untyped-def]
    """The superadmin sees nothing until a tenant is picked, then that tenant only."""
    at = app_test(superadmin)
    at.run()
    assert "Escolha na barra lateral" in _texts(at)
    picker = at.sidebar.selectbox(key="niochat_tenant_pick")
    picker.select(facts["b"].tenant_id).run()
    assert not at.exception
    assert "Visão geral" in [t.value for t in at.title]
    inbox = at.sidebar.multiselect(key="f_caixa")
    assert inbox.options == ["WhatsApp provedor-b"]


def test_url_cannot_choose_the_tenant_or_its_ids(app_test, facts) -> None:  # type: ignore[no-untyped-def]
    """Another tenant's inbox id in the URL is dropped; no widget offers another tenant's rows."""
    other_inbox = facts["b"].inbox_id
    at = app_test(facts["a"].supervisor, caixa=str(other_inbox), tenant=str(facts["b"].tenant_id))
    at.run()
    inbox = at.sidebar.multiselect(key="f_caixa")
    assert inbox.options == ["WhatsApp provedor-a"]
    assert inbox.value == []
    assert "caixa" not in at.query_params
    assert "Provedor B" not in _texts(at)


def test_readonly_database_is_what_pages_read(app_test, facts) -> None:  # type: ignore[no-untyped-def]
    """The pages' handle logs in as the read-only role."""
    from dashboards import data

    at = app_test(facts["a"].supervisor)
    at.run()
    with data.readonly_database().engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT current_user")) == "niochat_dashboards"
