"""The inbox's "Dashboards" link: shown to supervisors and admins only; `/open-dashboards` redirects with a
one-use token bound to the user, and refuses agents."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.auth.conftest import login
from tests.dashboards.conftest import PASSWORD


def test_supervisor_gets_link_and_token(client, db, settings, worlds, redis_url) -> None:  # type: ignore[no-untyped-def]
    """The header shows the link; following it lands on the dashboards with a token for this user."""
    from redis import Redis

    from models.dashboard_access import redeem_token

    assert login(client, worlds["a"].supervisor.email, PASSWORD).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'id="dashboards-link"' in page
    response = client.get("/open-dashboards")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == f"http://127.0.0.1:{settings.dashboards_port}"
    token = parse_qs(target.query)["token"][0]
    with db.session() as session:
        viewer = redeem_token(session, token, secret_key=settings.secret_key, redis=Redis.from_url(redis_url))
    assert (viewer.user_id, viewer.tenant_id) == (worlds["a"].supervisor.id, worlds["a"].tenant_id)


def test_agent_has_no_link(client, worlds) -> None:  # type: ignore[no-untyped-def]
    """Agents see no link and get 403 from the route."""
    assert login(client, worlds["a"].agent.email, PASSWORD).status_code == 302
    assert 'id="dashboards-link"' not in client.get("/").get_data(as_text=True)
    assert client.get("/open-dashboards").status_code == 403


def test_anonymous_is_sent_to_login(client, worlds) -> None:  # type: ignore[no-untyped-def]
    """No session, no token: the login page."""
    response = client.get("/open-dashboards")
    assert response.status_code in (302, 401)


def test_public_url_behind_the_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    """With DASHBOARDS_BASE_PATH (compose), the link goes to PUBLIC_URL/<path>; an explicit URL wins."""
    from web.dashboards_link import dashboards_public_url

    proxied = settings.model_copy(
        update={"public_url": "https://atende.isp.com.br", "dashboards_base_path": "dashboards"}
    )
    assert dashboards_public_url(proxied) == "https://atende.isp.com.br/dashboards"
    explicit = proxied.model_copy(update={"dashboards_public_url": "https://bi.isp.com.br/"})
    assert dashboards_public_url(explicit) == "https://bi.isp.com.br"
