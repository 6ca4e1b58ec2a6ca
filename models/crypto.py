"""Encryption at rest for tenant secrets (provider credentials, SGP tokens, API keys, TOTP secrets).

Fernet (AES-128-CBC + HMAC) through MultiFernet so keys rotate: the first key of ENCRYPTION_KEY encrypts,
every listed key decrypts. Columns typed `EncryptedText`/`EncryptedJSON` are only ever plaintext in memory.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import Dialect

_keys_override: str | None = None


def configure(keys: str | None) -> None:
    """Set the key list explicitly (tests, tools); otherwise it comes from settings on first use."""
    global _keys_override
    _keys_override = keys
    _fernet.cache_clear()


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = _keys_override
    if keys is None:
        from niochat.config import get_settings

        keys = get_settings().encryption_key
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise RuntimeError("ENCRYPTION_KEY is empty: tenant secrets cannot be encrypted")
    try:
        return MultiFernet([Fernet(k.encode()) for k in parts])
    except ValueError as exc:
        raise RuntimeError(
            "ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes), comma-separated"
        ) from exc


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError("A stored secret cannot be decrypted with the configured ENCRYPTION_KEY") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()


class EncryptedText(sa.TypeDecorator[str]):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedJSON(sa.TypeDecorator[dict[str, Any]]):
    """A dict of secrets stored as one encrypted blob (credentials differ per provider)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(json.dumps(value, sort_keys=True))

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else json.loads(decrypt(value))


def rotate_all(connection: sa.Connection) -> int:
    """Re-encrypt every secret column under the first key (after ENCRYPTION_KEY gained a new first key).

    Works on the raw tokens, so it never holds more than one row's plaintext and needs no model code.
    Returns how many values were rewritten.
    """
    from models.base import Base

    fernet = _fernet()
    rewritten = 0
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, EncryptedText | EncryptedJSON):
                continue
            raw = sa.table(table.name, sa.column("id"), sa.column(column.name, sa.Text))
            rows = connection.execute(
                sa.select(raw.c.id, raw.c[column.name]).where(raw.c[column.name].isnot(None))
            )
            for row_id, token in rows.all():
                try:
                    new_token = fernet.rotate(token.encode()).decode()
                except InvalidToken as exc:
                    raise RuntimeError(
                        f"{table.name}.{column.name} id={row_id} cannot be decrypted with ENCRYPTION_KEY"
                    ) from exc
                connection.execute(sa.update(raw).where(raw.c.id == row_id).values({column.name: new_token}))
                rewritten += 1
    return rewritten
