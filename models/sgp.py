"""The tenant's SGP (ISP management system) connection: where the AI looks customers up and acts."""

from __future__ import annotations

from datetime import datetime

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from integrations.sgp import SgpClient, SgpConfig, SgpError
from models.base import Base, IdMixin, TenantScoped, TimestampMixin, utcnow
from models.crypto import EncryptedText


class SgpIntegration(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "sgp_integrations"
    __table_args__ = (sa.UniqueConstraint("tenant_id"),)

    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    base_url: Mapped[str] = mapped_column(sa.String(500))
    auth_mode: Mapped[str] = mapped_column(sa.String(16), default="token", server_default="token")  # or basic
    app_name: Mapped[str | None] = mapped_column(sa.String(120))
    token: Mapped[str | None] = mapped_column(EncryptedText)
    username: Mapped[str | None] = mapped_column(sa.String(120))
    password: Mapped[str | None] = mapped_column(EncryptedText)
    allow_trust_unlock: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    allow_open_ticket: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    last_test_at: Mapped[datetime | None]
    last_test_ok: Mapped[bool | None]
    last_test_error: Mapped[str | None] = mapped_column(sa.Text)


def sgp_config(integration: SgpIntegration) -> SgpConfig:
    """The client configuration of a tenant's stored integration (secrets decrypted in memory only).

    `auth_mode` "basic" sends the username/password as HTTP Basic and no token; anything else sends
    `token` + `app` in the body, as the SGP's URA API documents.
    """
    if integration.auth_mode == "basic":
        return SgpConfig(
            base_url=integration.base_url,
            basic_user=integration.username,
            basic_password=integration.password,
        )
    return SgpConfig(base_url=integration.base_url, app=integration.app_name, token=integration.token)


def sgp_client(integration: SgpIntegration, *, transport: httpx.BaseTransport | None = None) -> SgpClient:
    """A ready client for this tenant's SGP; the caller closes it (`with sgp_client(i) as sgp:`)."""
    return SgpClient(sgp_config(integration), transport=transport)


def check_connection(
    integration: SgpIntegration, *, transport: httpx.BaseTransport | None = None
) -> tuple[bool, str]:
    """Test reachability and credentials, record the outcome on the row (`last_test_*`, shown in the
    back office) and return it as (ok, one pt-BR sentence). The sentence never holds a secret: it comes
    from `SgpError.message_pt` or the client's success line, which name only the host."""
    try:
        with sgp_client(integration, transport=transport) as client:
            sentence = client.test_connection()
        ok = True
    except SgpError as exc:
        sentence, ok = exc.message_pt, False
    integration.last_test_at = utcnow()
    integration.last_test_ok = ok
    integration.last_test_error = None if ok else sentence
    return ok, sentence
