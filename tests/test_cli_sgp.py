"""`niochat tenant sgp`: stores the tenant's SGP connection encrypted, never prints a secret, and
`--test` says in one pt-BR sentence whether the SGP answers and accepts us (recorded on the row)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from models import SgpIntegration, Tenant
from niochat.cli import cli, manage, sgp  # noqa: F401  (registers the commands)
from tests.conftest import free_port
from tests.stubs.sgp import APP, TOKEN, SgpStub


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def stub() -> Iterator[SgpStub]:
    with SgpStub() as server:
        yield server


@pytest.fixture
def tenant(db) -> str:  # type: ignore[no-untyped-def]
    assert invoke("tenant", "create", "--slug", "provedor-x", "--name", "Provedor X").exit_code == 0
    return "provedor-x"


def stored(db) -> SgpIntegration:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == "provedor-x"))
        row = session.scalar(sa.select(SgpIntegration).where(SgpIntegration.tenant_id == tenant_id))
        session.expunge(row)
        return row


def one_sentence(text: str) -> bool:
    line = text.strip()
    return "\n" not in line and line.endswith(".") and ". " not in line


def test_configure_and_test_ok(db, tenant: str, stub: SgpStub) -> None:  # type: ignore[no-untyped-def]
    result = invoke("tenant", "sgp", "--tenant", tenant, "--url", stub.url + "/", "--app", APP,
                    "--token", TOKEN, "--test")  # fmt: skip
    assert result.exit_code == 0, result.output
    saved, sentence = result.output.strip().splitlines()
    assert "127.0.0.1" in saved and APP in saved
    assert sentence == "Conexão com o SGP (127.0.0.1) funcionando: credenciais aceitas." and one_sentence(
        sentence
    )
    assert TOKEN not in result.output
    row = stored(db)
    assert (row.base_url, row.auth_mode, row.app_name, row.token) == (stub.url, "token", APP, TOKEN)
    assert row.last_test_ok is True and row.last_test_at is not None and row.last_test_error is None
    assert stub.requests_to("consultacliente")[0].form["token"] == TOKEN


def test_token_is_encrypted_at_rest(db, tenant: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke("tenant", "sgp", "--tenant", tenant, "--url", "https://isp.sgp.net.br", "--app", "ura",
                    "--token", "tok-very-secret-123")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "tok-very-secret-123" not in result.output
    with db.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT token FROM sgp_integrations")).scalar_one()
    assert "tok-very-secret-123" not in raw and raw.startswith("gAAAAA")
    assert stored(db).token == "tok-very-secret-123"


def test_refused_credentials(db, tenant: str, stub: SgpStub) -> None:  # type: ignore[no-untyped-def]
    invoke("tenant", "sgp", "--tenant", tenant, "--url", stub.url, "--app", APP, "--token", "wrong-token-77")
    result = invoke("tenant", "sgp", "--tenant", tenant, "--test")
    assert result.exit_code == 1
    sentence = result.output.strip()
    assert "recusou as credenciais" in sentence and one_sentence(sentence)
    assert "wrong-token-77" not in result.output
    row = stored(db)
    assert row.last_test_ok is False and row.last_test_error == sentence


def test_unreachable(db, tenant: str) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}"
    result = invoke("tenant", "sgp", "--tenant", tenant, "--url", url, "--app", "a", "--token", "t", "--test")
    assert result.exit_code == 1
    sentence = result.output.strip().splitlines()[-1]
    assert sentence.startswith("Não foi possível conectar ao SGP (127.0.0.1)") and one_sentence(sentence)
    assert stored(db).last_test_ok is False


def test_basic_auth(db, tenant: str) -> None:  # type: ignore[no-untyped-def]
    with SgpStub(basic_user="ura", basic_password="senha-basic-9") as stub:
        result = invoke("tenant", "sgp", "--tenant", tenant, "--url", stub.url, "--basic-user", "ura",
                        "--basic-password", "senha-basic-9", "--test")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "senha-basic-9" not in result.output and "HTTP Basic" in result.output
        assert stub.last_request.headers["authorization"].startswith("Basic ")
    row = stored(db)
    assert (row.auth_mode, row.username, row.password) == ("basic", "ura", "senha-basic-9")
    with db.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT password FROM sgp_integrations")).scalar_one()
    assert "senha-basic-9" not in raw


def test_clear_errors(db, tenant: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "tenant", "sgp", "--tenant", "nope", "--url", "https://x.sgp.net.br", "--app", "a", "--token", "t"
    )
    assert result.exit_code == 1 and "não encontrado" in result.output
    result = invoke("tenant", "sgp", "--tenant", tenant, "--url", "ftp://x", "--app", "a", "--token", "t")
    assert result.exit_code == 2 and "URL" in result.output
    result = invoke("tenant", "sgp", "--tenant", tenant, "--test")
    assert result.exit_code == 1 and "não tem SGP configurado" in result.output
    result = invoke("tenant", "sgp", "--tenant", tenant, "--url", "https://x.sgp.net.br")
    assert result.exit_code == 1 and "--app e --token" in result.output
    assert "Traceback" not in result.output
