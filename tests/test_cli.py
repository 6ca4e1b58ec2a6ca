"""The `niochat` operator command."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from models import Inbox, Tenant, User
from models.passwords import verify_password
from niochat.cli import cli, manage, run, serve, status  # noqa: F401  (registers the commands)


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_migrate_is_idempotent(settings, db) -> None:  # type: ignore[no-untyped-def]
    """`niochat migrate` on a current database succeeds and says so."""
    result = invoke("migrate")
    assert result.exit_code == 0, result.output
    assert "atualizado" in result.output


def test_tenant_user_and_inbox_create(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Create a tenant, an admin and an inbox; the inbox prints its webhook URL and secret as JSON."""
    assert invoke("tenant", "create", "--slug", "provedor-x", "--name", "Provedor X").exit_code == 0
    result = invoke(
        "user", "create", "--tenant", "provedor-x", "--email", "Admin@X.com.br", "--name", "Admin",
        "--role", "admin", "--password", "senha-forte-123",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke(
        "inbox", "create", "--tenant", "provedor-x", "--channel", "evolution", "--name", "Suporte",
        "--credential", "base_url=http://evo:8080", "--credential", "instance=isp01",
        "--credential", "api_key=evo-key", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    with db.platform_session() as session:
        tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == "provedor-x"))
        user = session.scalar(sa.select(User).where(User.email == "admin@x.com.br"))
        inbox = session.get(Inbox, info["inbox_id"])
        assert user.tenant_id == tenant.id and user.role == "admin"
        assert verify_password(user.password_hash, "senha-forte-123")
        assert inbox.tenant_id == tenant.id
        assert inbox.credentials == {"base_url": "http://evo:8080", "instance": "isp01", "api_key": "evo-key"}
        assert info["webhook_url"] == f"http://testserver/webhooks/evolution/{inbox.webhook_key}"
        assert info["webhook_headers"] == {"X-NioChat-Secret": inbox.webhook_secret}


VALID_CREDENTIALS = {
    "evolution": {"base_url": "https://evo.isp.com.br", "api_key": "k", "instance": "isp01"},
    "uazapi": {"base_url": "https://isp.uazapi.com", "token": "t0k"},
    "whatsapp_cloud": {"access_token": "EAAG", "phone_number_id": "106540352242922", "app_secret": "s3"},
    "telegram": {"bot_token": "123456:ABC-def"},
}


def test_every_channel_prints_its_webhook(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Each channel type gets its provider's path and the secret that provider needs."""
    invoke("tenant", "create", "--slug", "t", "--name", "T")
    paths = {
        "evolution": "evolution",
        "uazapi": "uazapi",
        "whatsapp_cloud": "whatsapp-cloud",
        "telegram": "telegram",
    }
    infos = {}
    for channel, path in paths.items():
        creds = [f"--credential={k}={v}" for k, v in VALID_CREDENTIALS[channel].items()]
        result = invoke("inbox", "create", "--tenant", "t", "--channel", channel, "--json", *creds)
        infos[channel] = json.loads(result.output)
        assert f"/webhooks/{path}/" in infos[channel]["webhook_url"]
    assert len(infos["whatsapp_cloud"]["verify_token"]) >= 32
    assert len(infos["telegram"]["secret_token"]) >= 32
    assert set(infos["evolution"]["webhook_headers"]) == {"X-NioChat-Secret"}
    keys = {info["webhook_url"].rsplit("/", 1)[1] for info in infos.values()}
    assert len(keys) == 4  # every inbox has its own unguessable key


def test_cli_errors_are_one_clear_line(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Bad input exits non-zero with a message, not a traceback."""
    result = CliRunner().invoke(cli, ["tenant", "create", "--slug", "Bad Slug", "--name", "x"])
    assert result.exit_code == 1
    assert "slug" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["inbox", "create", "--tenant", "nope", "--channel", "telegram"])
    assert result.exit_code == 1 and "não encontrado" in result.output
    invoke("tenant", "create", "--slug", "dup", "--name", "x")
    result = CliRunner().invoke(cli, ["tenant", "create", "--slug", "dup", "--name", "x"])
    assert result.exit_code == 1 and "já existe" in result.output
    result = CliRunner().invoke(
        cli, ["user", "create", "--tenant", "dup", "--email", "a@b.co", "--name", "A", "--password", "curta"]
    )
    assert result.exit_code == 1 and "8 caracteres" in result.output


def test_user_password_is_prompted_when_absent(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Without --password the command asks twice and never echoes it."""
    invoke("tenant", "create", "--slug", "p", "--name", "P")
    result = invoke(
        "user", "create", "--tenant", "p", "--email", "ag@p.com", "--name", "Ag",
        input="segredo-123\nsegredo-123\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "segredo-123" not in result.output


def test_seed_demo_is_idempotent(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Demo data loads once: tenant, three users, three teams, four inboxes, conversations in every state."""
    first = invoke("seed-demo")
    assert first.exit_code == 0 and "criados" in first.output
    second = invoke("seed-demo")
    assert second.exit_code == 0 and "já existiam" in second.output
    from models import Conversation, Team

    with db.platform_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Tenant)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 3
        teams = set(session.scalars(sa.select(Team.name)))
        assert teams == {"Suporte Técnico", "Financeiro", "Comercial"}
        channels = set(session.scalars(sa.select(Inbox.channel_type)))
        assert channels == {"evolution", "uazapi", "whatsapp_cloud", "telegram"}
        statuses = set(session.scalars(sa.select(Conversation.status)))
        assert statuses == {"bot", "pending", "open", "closed"}
    assert "admin@demo.niochat.local" in second.output
    assert "/webhooks/telegram/" in second.output


def test_status_reports_each_part(settings, db) -> None:  # type: ignore[no-untyped-def]
    """With only the stores up, status names web, worker and dashboards as down and exits 1."""
    result = CliRunner().invoke(cli, ["status", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    parts = {p["name"]: p["healthy"] for p in report["parts"]}
    assert parts == {"postgres": True, "redis": True, "web": False, "worker": False, "dashboards": False}
    assert report["healthy"] is False


@pytest.mark.parametrize(
    ("channel", "credentials", "named"),
    [
        (
            "whatsapp_cloud",
            {"access_token": "EAAG", "phone_number_id": "106540352242922"},
            "app_secret: é obrigatório",
        ),
        (
            "whatsapp_cloud",
            {**VALID_CREDENTIALS["whatsapp_cloud"], "phone_number_id": "+55 11 3000-0000"},
            "phone_number_id: deve ter só dígitos",
        ),
        (
            "evolution",
            {"base_url": "evo.isp.com.br", "api_key": "k", "instance": "isp01"},
            "base_url: deve ser uma URL",
        ),
        ("evolution", {"base_url": "https://evo", "instance": "isp 01"}, "api_key: é obrigatório"),
        ("uazapi", {"base_url": "https://isp.uazapi.com"}, "token: é obrigatório"),
        ("telegram", {"bot_token": "not-a-token"}, "bot_token: deve ter o formato"),
        ("telegram", {"bot_token": "1:a", "chat": "x"}, "chat: campo desconhecido"),
    ],
)
def test_inbox_create_refuses_bad_credentials(settings, db, channel, credentials, named) -> None:  # type: ignore[no-untyped-def]
    """Missing or malformed required credentials are refused, naming the field in pt-BR; nothing saved."""
    invoke("tenant", "create", "--slug", "cred", "--name", "C")
    args = [f"--credential={k}={v}" for k, v in credentials.items()]
    result = CliRunner().invoke(cli, ["inbox", "create", "--tenant", "cred", "--channel", channel, *args])
    assert result.exit_code == 1
    assert named in result.output and "Credenciais inválidas" in result.output
    assert "Traceback" not in result.output
    with db.platform_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Inbox)) == 0


def test_teams_without_the_database(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Create a team, add and remove a member by e-mail (each change asks for the member's sockets to be
    refreshed), list it; mistakes are one line in Portuguese."""
    from models.outbox import OutboxEvent
    from models.outbox_ops import USER_ACCESS
    from niochat.cli import teams  # noqa: F401  (registers the commands)

    invoke("tenant", "create", "--slug", "isp", "--name", "ISP")
    invoke("tenant", "create", "--slug", "outro", "--name", "Outro")
    for slug, email in (("isp", "ana@isp.com"), ("outro", "zeca@outro.com")):
        invoke(
            "user", "create", "--tenant", slug, "--email", email, "--name", "X", "--password", "senha-forte-1"
        )
    created = invoke("team", "create", "--tenant", "isp", "--name", "Suporte", "--description", "N1")
    assert created.exit_code == 0 and "Equipe Suporte criada" in created.output
    added = invoke("team", "add-member", "--tenant", "isp", "--team", "suporte", "--email", "ANA@isp.com")
    assert added.exit_code == 0 and "ana@isp.com adicionado(a) à equipe Suporte." in added.output
    listed = json.loads(invoke("team", "list", "--tenant", "isp", "--json").output)
    assert [(t["name"], t["description"], [m["email"] for m in t["members"]]) for t in listed] == [
        ("Suporte", "N1", ["ana@isp.com"])
    ]
    assert "#1 Suporte (1): ana@isp.com" in invoke("team", "list", "--tenant", "isp").output
    removed = invoke(
        "team", "remove-member", "--tenant", "isp", "--team", str(listed[0]["id"]), "--email", "ana@isp.com"
    )
    assert removed.exit_code == 0 and "removido(a) da equipe Suporte" in removed.output
    with db.platform_session() as session:
        ana = session.scalar(sa.select(User.id).where(User.email == "ana@isp.com"))
        rows = session.scalars(sa.select(OutboxEvent).where(OutboxEvent.topic == USER_ACCESS)).all()
        assert [(r.payload["user_id"], r.relayed_at is not None) for r in rows] == [(ana, True), (ana, True)]

    def refused(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        return result.output

    assert "Já existe uma equipe chamada suporte" in refused(
        "team", "create", "--tenant", "isp", "--name", "suporte"
    )
    assert "'Vendas' não encontrada" in refused(
        "team", "add-member", "--tenant", "isp", "--team", "Vendas", "--email", "ana@isp.com"
    )
    assert "não encontrado nesta empresa" in refused(
        "team", "add-member", "--tenant", "isp", "--team", "Suporte", "--email", "zeca@outro.com"
    )
    assert "não encontrado" in refused("team", "list", "--tenant", "nenhum")
