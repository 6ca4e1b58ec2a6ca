"""Configuration: typed, validated, and strict in production."""

from __future__ import annotations

import pytest

from niochat.config import ConfigError, Mode, Settings, load_settings

PROD = {
    "niochat_env": "production",
    "secret_key": "s" * 40,
    "encryption_key": "cHJvZHVjdGlvbi1rZXktMzItYnl0ZXMtbG9uZy0xMjM=",
    "database_url": "postgresql://u:p@db/niochat",
    "redis_url": "redis://redis:6379/0",
}


@pytest.fixture(autouse=True)
def _no_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Isolate from the developer's .env and environment."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize("missing", ["secret_key", "encryption_key", "database_url", "redis_url"])
def test_production_refuses_to_start_without_a_secret(missing: str) -> None:
    """Each required production key, when absent, is named in one clear sentence."""
    values = {k: v for k, v in PROD.items() if k != missing}
    with pytest.raises(ConfigError) as info:
        load_settings(**values)
    assert f"{missing.upper()} is required in production" in str(info.value)


def test_production_refuses_development_defaults() -> None:
    """The public development secret cannot be used in production."""
    with pytest.raises(ConfigError, match="development defaults"):
        load_settings(**{**PROD, "secret_key": "dev-only-not-secret-change-me"})


def test_production_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from environment variables."""
    for key, value in PROD.items():
        monkeypatch.setenv(key.upper(), value)
    settings = Settings()
    assert settings.niochat_env is Mode.PRODUCTION
    assert settings.database_url == "postgresql+psycopg://u:p@db/niochat"
    assert settings.json_logs and settings.cookie_secure and not settings.embedded


def test_env_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A .env file in the working directory is read when present."""
    (tmp_path / ".env").write_text("WEB_PORT=9123\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.web_port == 9123
    assert settings.log_level == "DEBUG"


def test_development_defaults_are_safe() -> None:
    """Development starts with no configuration and uses the embedded servers."""
    settings = load_settings()
    assert settings.niochat_env is Mode.DEVELOPMENT
    assert settings.embedded
    assert settings.secret_key and settings.encryption_key
    assert not settings.cookie_secure


def test_invalid_values_are_explained() -> None:
    """A wrong value names the key and what is allowed."""
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        load_settings(log_level="loud")
    with pytest.raises(ConfigError, match="WEB_PORT"):
        load_settings(web_port="eighty")


def test_env_example_lists_every_setting() -> None:
    """.env.example documents every key the settings read."""
    from niochat.config import PROJECT_ROOT

    example = (PROJECT_ROOT / ".env.example").read_text()
    keys = {line.split("=", 1)[0].lstrip("# ").strip() for line in example.splitlines() if "=" in line}
    missing = {name.upper() for name in Settings.model_fields} - keys
    assert missing == set()


def test_env_example_copied_as_is_starts_development(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Copying .env.example to .env without editing gives a working development configuration."""
    from niochat.config import PROJECT_ROOT

    (tmp_path / ".env").write_text((PROJECT_ROOT / ".env.example").read_text())
    settings = load_settings()
    assert settings.niochat_env is Mode.DEVELOPMENT and settings.embedded
    assert settings.session_cookie_secure is None
