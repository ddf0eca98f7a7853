"""Typed settings, read once per execution environment and injected where needed.

Only this module reads the environment. Secrets never sit in the environment in AWS: it holds their ARNs,
and the values come from Secrets Manager through Powertools Parameters (cached). Locally the environment
or a git-ignored ``.env`` holds them directly.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import ConfigError

# Values people paste into templates; a secret equal to one of these is refused at start-up.
PLACEHOLDERS = frozenset(
    {"", "changeme", "change-me", "change_me", "placeholder", "secret", "password", "todo", "xxx", "example"}
)
SECRET_CACHE_SECONDS = 300


def is_placeholder(value: str) -> bool:
    stripped = value.strip()
    return stripped.lower() in PLACEHOLDERS or (stripped.startswith("<") and stripped.endswith(">"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    app_env: Literal["local", "test", "aws"] = "local"
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")
    aws_endpoint_url: str | None = None

    # Exactly one of these names the database: a URL locally, a Secrets Manager ARN in AWS.
    database_url: SecretStr | None = None
    database_secret_arn: str | None = None
    # With RDS Proxy the secret still names the cluster; the proxy endpoint overrides its host.
    database_host: str | None = None
    database_name: str | None = None
    # Aurora and RDS Proxy take TLS; only a local server without TLS may turn this down.
    database_sslmode: Literal["require", "verify-ca", "verify-full", "disable"] = "require"
    db_connect_timeout_s: int = Field(default=5, ge=1, le=60)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)
    db_retry_attempts: int = Field(default=5, ge=1, le=20)

    @model_validator(mode="after")
    def _check_database(self) -> Settings:
        if self.database_url is None and self.database_secret_arn is None:
            raise ValueError("set DATABASE_URL (locally) or DATABASE_SECRET_ARN (in AWS)")
        if self.database_url is not None:
            _refuse_placeholder_password(self.database_url.get_secret_value())
        return self

    def database_conninfo(self) -> str:
        """The libpq connection string; in AWS built from the (cached) database secret."""
        from psycopg.conninfo import make_conninfo

        if self.database_url is not None:
            return self.database_url.get_secret_value()
        assert self.database_secret_arn is not None
        secret = _get_json_secret(self.database_secret_arn)
        password = str(secret["password"])
        if is_placeholder(password):
            raise ConfigError("the database secret holds a placeholder password")
        return make_conninfo(
            host=self.database_host or secret["host"],
            port=str(secret.get("port", 5432)),
            dbname=self.database_name or secret.get("dbname", "postgres"),
            user=secret["username"],
            password=password,
            sslmode=self.database_sslmode,
        )


def _refuse_placeholder_password(url: str) -> None:
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception as exc:
        raise ValueError(f"DATABASE_URL is not a valid connection string: {type(exc).__name__}") from None
    password = parts.get("password")
    if password is not None and is_placeholder(str(password)):
        raise ValueError("DATABASE_URL holds a placeholder password")


def _get_json_secret(arn: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(arn, transform="json", max_age=SECRET_CACHE_SECONDS)
    if not isinstance(value, dict):
        raise ConfigError(f"secret {arn} is not a JSON object")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once; raises ConfigError naming every missing or unsafe value."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
