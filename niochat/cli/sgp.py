"""`niochat tenant sgp`: store a tenant's SGP connection (secrets encrypted) and test it.

Secrets are never echoed back: the summary names the URL's host, the app and the auth mode only. A
token or password left out keeps the stored one, so `--test` alone re-tests what is saved.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click
import sqlalchemy as sa

from models.provisioning import ProvisioningError, get_tenant_by_slug
from models.sgp import SgpIntegration, check_connection
from niochat.cli.context import load_context
from niochat.cli.manage import tenant


def _valid_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter("use a URL http(s)://host do SGP, por exemplo https://provedor.sgp.net.br")
    if parts.username or parts.password:
        raise click.BadParameter("não coloque usuário/senha na URL; use --basic-user/--basic-password")
    return value.strip().rstrip("/")


@tenant.command("sgp")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--url", callback=_valid_url, help="Base URL of the SGP, e.g. https://isp.sgp.net.br.")
@click.option("--app", "app_name", help="App name registered in the SGP (sent with the token).")
@click.option("--token", help="SGP API token (stored encrypted).")
@click.option("--basic-user", help="HTTP Basic user, instead of token + app.")
@click.option("--basic-password", help="HTTP Basic password (stored encrypted).")
@click.option("--test", "run_test", is_flag=True, help="Check reachability and credentials now.")
def tenant_sgp(
    tenant_slug: str,
    url: str | None,
    app_name: str | None,
    token: str | None,
    basic_user: str | None,
    basic_password: str | None,
    run_test: bool,
) -> None:
    """Configure (and optionally test) a tenant's SGP integration."""
    ctx = load_context()
    db = ctx.database()
    with db.platform_session() as session:
        try:
            tenant_id = get_tenant_by_slug(session, tenant_slug).id
        except ProvisioningError as exc:
            raise click.ClickException(str(exc)) from exc
    changing = any(v is not None for v in (url, app_name, token, basic_user, basic_password))
    if not changing and not run_test:
        raise click.UsageError("informe --url (e as credenciais) para configurar, ou --test para testar")
    with db.tenant_session(tenant_id) as session:
        integration = session.scalar(sa.select(SgpIntegration))
        if changing:
            integration = _apply(session, integration, url, app_name, token, basic_user, basic_password)
            click.echo(_summary(tenant_slug, integration))
        if not run_test:
            return
        if integration is None:
            raise click.ClickException(f"o tenant {tenant_slug} não tem SGP configurado; informe --url")
        ok, sentence = check_connection(integration)
    click.echo(sentence)
    if not ok:
        raise SystemExit(1)


def _apply(
    session: sa.orm.Session,
    integration: SgpIntegration | None,
    url: str | None,
    app_name: str | None,
    token: str | None,
    basic_user: str | None,
    basic_password: str | None,
) -> SgpIntegration:
    """Create or update the row; only the options given change. Basic credentials switch the mode."""
    if integration is None:
        if url is None:
            raise click.ClickException("informe --url na primeira configuração do SGP")
        integration = SgpIntegration(base_url=url)
        session.add(integration)
    if url is not None:
        integration.base_url = url
    if app_name is not None:
        integration.app_name = app_name
    if token is not None:
        integration.token = token
    if basic_user is not None:
        integration.username = basic_user
    if basic_password is not None:
        integration.password = basic_password
    if basic_user is not None or basic_password is not None:
        integration.auth_mode = "basic"
    elif app_name is not None or token is not None:
        integration.auth_mode = "token"
    if integration.auth_mode == "basic" and not integration.username:
        raise click.ClickException("autenticação Basic precisa de --basic-user e --basic-password")
    if integration.auth_mode != "basic" and not (integration.token and integration.app_name):
        raise click.ClickException("autenticação por token precisa de --app e --token")
    session.flush()
    return integration


def _summary(slug: str, integration: SgpIntegration) -> str:
    host = urlsplit(integration.base_url).hostname
    if integration.auth_mode == "basic":
        how = f"usuário {integration.username} (HTTP Basic)"
    else:
        how = f"app {integration.app_name} com token"
    return f"SGP do tenant {slug} salvo: {host}, {how}; segredos guardados criptografados."
