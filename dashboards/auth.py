"""Who is looking: the dashboards' own session, opened by the inbox's one-use token or by the login form
(e-mail, password, then the second factor), re-verified on every run. The tenant every query reads is
the one of this verified session: the user's own, or the one a superadmin picked after signing in."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
import streamlit as st
from redis import RedisError

from dashboards import data
from models.accounts import complete_login, password_login, second_factor_login
from models.audit import Client
from models.dashboard_access import AccessError, Viewer, current_viewer, redeem_token, viewer_for
from models.enums import Role, TenantStatus
from models.login_throttle import LockoutPolicy
from models.tenant import Tenant
from models.twofactor import has_2fa

_STATE = "niochat_auth"
_PENDING_2FA = "niochat_auth_2fa"
_TOTP_USED_KEY = "niochat:totp-used:{}:{}"  # shared with the web login: a code is spent once anywhere


@dataclass(frozen=True)
class DashboardSession:
    """What every page and query receives: the verified viewer, the one tenant it may read and, within
    it, the teams (`team_scope`: None for the whole tenant)."""

    viewer: Viewer
    tenant_id: int
    tenant_name: str
    timezone: str

    @property
    def team_scope(self) -> tuple[int, ...] | None:
        """A supervisor's own teams, or None (admins, superadmin, a supervisor in no team): every query
        and export of this session is limited to conversations of these teams (`querying.run`)."""
        return self.viewer.team_scope


def _client() -> Client:
    """Where the attempt came from, for lockouts and the audit log (strings only: a test runtime has
    no real connection)."""
    ip = st.context.ip_address
    agent = st.context.headers.get("User-Agent")
    return Client(
        ip=ip if isinstance(ip, str) else None,
        user_agent=agent[:300] if isinstance(agent, str) else None,
        channel="dashboards",
    )


def _policy() -> LockoutPolicy:
    settings = data.settings()
    return LockoutPolicy(
        max_failures=settings.login_max_failures,
        duration=timedelta(minutes=settings.login_lockout_minutes),
        account_max_failures=settings.login_account_max_failures,
    )


def _totp_first_use(user_id: int, timecode: int) -> bool:
    try:
        return bool(data.redis().set(_TOTP_USED_KEY.format(user_id, timecode), "1", nx=True, ex=180))
    except RedisError:
        return True  # as the web login: an outage must not lock everyone out


def _start(viewer: Viewer) -> None:
    st.session_state[_STATE] = {
        "user_id": viewer.user_id,
        "version": viewer.version,
        "tenant_id": viewer.tenant_id,
        "seen": time.monotonic(),
    }


def sign_out() -> None:
    st.session_state.pop(_STATE, None)
    st.session_state.pop(_PENDING_2FA, None)


def _redeem_query_token() -> str | None:
    """The inbox's link: `?token=…`, taken out of the URL at once so it is never shared or bookmarked."""
    token = st.query_params.get("token")
    if not token:
        return None
    del st.query_params["token"]
    try:
        with data.database().session() as session, session.begin():
            viewer = redeem_token(session, token, secret_key=data.settings().secret_key, redis=data.redis())
    except AccessError as error:
        return str(error)
    _start(viewer)
    return None


def _verified() -> Viewer | None:
    state = st.session_state.get(_STATE)
    if not state:
        return None
    try:
        with data.database().session() as session, session.begin():
            viewer = current_viewer(
                session, state["user_id"], secret_key=data.settings().secret_key, version=state["version"]
            )
            timeout = session.scalar(
                sa.text("SELECT session_timeout_minutes FROM users WHERE id = :i"), {"i": viewer.user_id}
            )
    except AccessError as error:
        sign_out()
        st.session_state["niochat_auth_error"] = str(error)
        return None
    if time.monotonic() - state["seen"] > 60 * int(timeout or 480):
        sign_out()
        st.session_state["niochat_auth_error"] = "Sessão expirada por inatividade. Entre novamente."
        return None
    state["seen"] = time.monotonic()
    return viewer


def _login_form(error: str | None) -> None:
    st.title("NioChat — Dashboards")
    st.caption("Para supervisores e administradores. Atendentes: use a caixa de entrada.")
    if error:
        st.error(error)
    pending = st.session_state.get(_PENDING_2FA)
    if pending is not None:
        with st.form("niochat-2fa"):
            code = st.text_input("Código de verificação (app autenticador ou código de recuperação)")
            if st.form_submit_button("Verificar", type="primary"):
                _second_factor(pending, code)
        if st.button("Voltar"):
            st.session_state.pop(_PENDING_2FA, None)
            st.rerun()
        return
    with st.form("niochat-login"):
        email = st.text_input("E-mail")
        password = st.text_input("Senha", type="password")
        if st.form_submit_button("Entrar", type="primary"):
            _password(email, password)


def _fail(message: str) -> None:
    st.session_state["niochat_auth_error"] = message
    st.rerun()


def _password(email: str, password: str) -> None:
    if not email or not password:
        _fail("Informe o e-mail e a senha.")
    with data.database().session() as session, session.begin():
        result = password_login(session, email, password, client=_client(), policy=_policy())
        if not result.ok or result.user is None:
            message = _refusal(result.status.value)
        else:
            try:
                viewer = viewer_for(session, result.user, result.tenant, data.settings().secret_key)
            except AccessError as error:
                message = str(error)
            else:
                if has_2fa(result.user):
                    st.session_state[_PENDING_2FA] = result.user.id
                    message = ""
                else:
                    complete_login(session, result.user, client=_client(), method="password")
                    _start(viewer)
                    message = ""
    if message:
        _fail(message)
    st.rerun()


def _second_factor(user_id: int, code: str) -> None:
    with data.database().session() as session, session.begin():
        result = second_factor_login(
            session, user_id, code, client=_client(), policy=_policy(), replay_guard=_totp_first_use
        )
        message = ""
        if result.ok and result.user is not None:
            try:
                viewer = viewer_for(session, result.user, result.tenant, data.settings().secret_key)
            except AccessError as error:
                message = str(error)
            else:
                complete_login(session, result.user, client=_client(), method=str(result.method))
                st.session_state.pop(_PENDING_2FA, None)
                _start(viewer)
        elif result.status.value == "invalid":
            message = "Código inválido ou já usado. Confira o relógio do celular e tente de novo."
        else:
            st.session_state.pop(_PENDING_2FA, None)
            message = _refusal(result.status.value)
    if message:
        _fail(message)
    st.rerun()


def _refusal(status: str) -> str:
    return {
        "locked": "Muitas tentativas. Aguarde alguns minutos e tente de novo.",
        "inactive": "Usuário desativado. Fale com o administrador da sua empresa.",
        "suspended": "O acesso da sua empresa está suspenso.",
    }.get(status, "E-mail ou senha inválidos.")


def _pick_tenant() -> int | None:
    """The superadmin reads one tenant at a time, picked here and kept in the verified session."""
    state = st.session_state[_STATE]
    with data.database().platform_session() as session:
        tenants = session.execute(
            sa.select(Tenant.id, Tenant.name)
            .where(Tenant.status == TenantStatus.ACTIVE)
            .order_by(Tenant.name)
        ).all()
    names = {tid: name for tid, name in tenants}
    current = state.get("tenant_id")
    options = list(names)
    choice = st.sidebar.selectbox(
        "Empresa",
        options,
        index=options.index(current) if current in names else None,
        format_func=lambda tid: names[tid],
        placeholder="Escolha a empresa",
        key="niochat_tenant_pick",
    )
    if choice is not None and choice in names:
        state["tenant_id"] = int(choice)
    return state.get("tenant_id") if state.get("tenant_id") in names else None


def login_page() -> None:
    """The page a visitor without a session sees (st.navigation's only page then)."""
    _login_form(st.session_state.pop("niochat_auth_error", None))


def pick_tenant_page() -> None:
    st.title("NioChat — Dashboards")
    st.info("Escolha na barra lateral a empresa cujos dashboards você quer ver.")


def authenticate() -> DashboardSession | None:
    """The verified session with its one tenant; None when the visitor must sign in (or a superadmin
    has not picked a tenant yet: then `needs_tenant()` is True)."""
    error = _redeem_query_token()
    if error:
        st.session_state["niochat_auth_error"] = error
    viewer = _verified()
    if viewer is None:
        return None
    tenant_id = viewer.tenant_id
    if viewer.role is Role.SUPERADMIN:
        tenant_id = _pick_tenant()
        if tenant_id is None:
            return None
    assert tenant_id is not None
    with data.database().platform_session() as session:
        tenant = session.get(Tenant, tenant_id)
        name, timezone = (tenant.name, tenant.timezone or "America/Sao_Paulo") if tenant else ("", "UTC")
    return DashboardSession(viewer, tenant_id, name, timezone)


def signed_in() -> bool:
    return bool(st.session_state.get(_STATE))


def sign_out_button() -> None:
    if st.sidebar.button("Sair", key="niochat_sign_out"):
        sign_out()
        st.rerun()
