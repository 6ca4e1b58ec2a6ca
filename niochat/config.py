"""Settings, read only from the environment (and a `.env` file when present), typed and validated once.

Every process — web, worker, dashboards, CLI — calls `get_settings()`; nothing else reads `os.environ`
for configuration, so `.env.example` is the complete list of knobs.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Development-only fallbacks. They are public by design (they sit in the repo), so production refuses them.
_DEV_SECRET_KEY = "dev-only-not-secret-change-me"  # noqa: S105
_DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE="


class Mode(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ConfigError(RuntimeError):
    """Configuration is missing or wrong; the message is one sentence a person can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    niochat_env: Mode = Mode.DEVELOPMENT
    secret_key: str = ""
    encryption_key: str = Field(default="", description="Fernet key(s), comma-separated; first encrypts")
    database_url: str = ""
    redis_url: str = ""

    public_url: str = ""  # default: http://localhost:<WEB_PORT>
    instance_path: Path = PROJECT_ROOT / "instance"
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    dashboards_host: str = "127.0.0.1"
    dashboards_port: int = 8501
    dashboards_base_path: str = ""
    # Where browsers reach the dashboards (the inbox's "Dashboards" link); default: DASHBOARDS_HOST:PORT.
    dashboards_public_url: str = ""
    # The dashboards read through a read-only PostgreSQL role (migration c13b creates it). Either a full
    # URL, or DATABASE_URL with this role and password swapped in (docs/dashboards.md).
    dashboards_database_url: str = ""
    dashboards_database_role: str = "niochat_dashboards"
    dashboards_database_password: str = ""
    dashboards_token_seconds: int = Field(default=60, ge=5, le=600)  # the inbox link's one-use token

    log_level: str = "INFO"
    log_format: str = ""  # json | text; default json in production, text elsewhere
    default_timezone: str = "America/Sao_Paulo"
    default_locale: str = "pt_BR"

    db_pool_size: int = 10
    db_max_overflow: int = 20
    session_cookie_secure: bool | None = None  # default: True in production
    proxy_hops: int = 0  # reverse proxies in front of web (1 behind the compose nginx)
    web_role: Literal["all", "webhooks"] = "all"  # webhooks: only /webhooks and health (compose service)

    seed_demo: bool = True  # first `run` in development loads demo data
    # Relayed outbox rows are deleted after this long (jobs.outbox_purge); unrelayed rows never are.
    outbox_retention_hours: int = Field(default=72, ge=1)

    # The AI attendant's platform default model (assistant/config.py): used by tenants without a key of
    # their own. With no key at all the attendant runs its built-in offline engine.
    openai_api_key: str = ""
    openai_base_url: str = ""
    ai_model: str = "gpt-4o-mini"

    # Accounts and the REST API's tokens (web/auth, web/api).
    rate_limit_enabled: bool = True
    auth_rate_limit: str = "10/minute"  # per client IP on every credential-checking endpoint
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)  # the longest wait a source is given
    login_account_max_failures: int = Field(default=50, ge=5)  # from unknown sources, all IPs together
    jwt_access_minutes: int = Field(default=15, ge=1, le=24 * 60)
    jwt_refresh_days: int = Field(default=30, ge=1, le=365)

    @field_validator("instance_path", mode="before")
    @classmethod
    def _absolute_instance(cls, value: Any) -> Any:
        if value in (None, ""):
            return PROJECT_ROOT / "instance"
        path = Path(value)
        return path if path.is_absolute() else (PROJECT_ROOT / path)

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}")
        return level

    @field_validator("dashboards_database_role")
    @classmethod
    def _role_identifier(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
            raise ValueError(f"use lowercase letters, digits and _ for a PostgreSQL role, not {value!r}")
        return value

    @field_validator("auth_rate_limit")
    @classmethod
    def _rate_limit_syntax(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"write a limit like '10/minute' or '5/second;100/hour', not {value!r}"
            ) from None
        return value

    @field_validator("database_url", "dashboards_database_url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        """Accept the common `postgres://` spellings and always use psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @model_validator(mode="after")
    def _secrets_required_in_production(self) -> Settings:
        if self.niochat_env is Mode.PRODUCTION:
            for key in ("secret_key", "encryption_key", "database_url", "redis_url"):
                if not getattr(self, key):
                    raise ValueError(f"{key.upper()} is required in production: set it in the environment")
            if self.secret_key == _DEV_SECRET_KEY or self.encryption_key == _DEV_ENCRYPTION_KEY:
                raise ValueError("SECRET_KEY and ENCRYPTION_KEY must not use the development defaults")
        else:
            self.secret_key = self.secret_key or _DEV_SECRET_KEY
            self.encryption_key = self.encryption_key or _DEV_ENCRYPTION_KEY
        if not self.public_url:  # follows WEB_PORT, so `WEB_PORT=9000 make run` prints working URLs
            self.public_url = f"http://localhost:{self.web_port}"
            self.__pydantic_fields_set__.discard("public_url")  # derived, not set: a run file may replace it
        if self.log_format not in ("", "json", "text"):
            raise ValueError(f"LOG_FORMAT must be json or text, not {self.log_format!r}")
        return self

    @property
    def is_production(self) -> bool:
        return self.niochat_env is Mode.PRODUCTION

    @property
    def embedded(self) -> bool:
        """True when PostgreSQL/Redis must be started by us (no URLs given, not production)."""
        return not self.is_production and not (self.database_url and self.redis_url)

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" or (self.log_format == "" and self.is_production)

    @property
    def cookie_secure(self) -> bool:
        return self.is_production if self.session_cookie_secure is None else self.session_cookie_secure


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's report into one clear sentence per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            loc = ".".join(str(p) for p in err["loc"])
            problems.append(msg if not loc else f"{loc.upper()}: {msg}")
        raise ConfigError("Configuration error: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; `reset_settings()` after changing the environment (tests, the launcher)."""
    return load_settings()


def reset_settings() -> None:
    get_settings.cache_clear()
