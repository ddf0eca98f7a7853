"""Typed settings, read once per execution environment and injected where needed.

Only this module reads the environment. Secrets never sit in the environment in AWS: it holds their ARNs,
and the values come from Secrets Manager through Powertools Parameters (cached). Locally the environment
or a git-ignored ``.env`` holds them directly.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
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

    # Auth secrets. Locally straight from the environment (make dev generates them into .local/); in AWS
    # one Secrets Manager secret, named by APP_SECRETS_ARN, holds a JSON object with the same three names.
    jwt_signing_keys: SecretStr | None = None  # JSON {"<kid>": "<base64 key of 32+ bytes>"}
    jwt_current_kid: str | None = None
    totp_encryption_key: SecretStr | None = None  # base64 of 32 bytes (AES-256-GCM)
    app_secrets_arn: str | None = None

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

    def auth_secrets(self) -> AuthSecrets:
        """The signing key ring and the TOTP encryption key; raises ConfigError when missing or unsafe."""
        if self.app_secrets_arn:
            raw = _get_json_secret(self.app_secrets_arn)
            keys, kid, totp = raw.get("jwt_signing_keys"), raw.get("jwt_current_kid"), raw.get("totp_encryption_key")
        else:
            keys = self.jwt_signing_keys.get_secret_value() if self.jwt_signing_keys else None
            kid = self.jwt_current_kid
            totp = self.totp_encryption_key.get_secret_value() if self.totp_encryption_key else None
        if not keys or not kid or not totp:
            raise ConfigError(
                "auth secrets missing: set JWT_SIGNING_KEYS, JWT_CURRENT_KID and TOTP_ENCRYPTION_KEY "
                "(locally) or APP_SECRETS_ARN (in AWS)"
            )
        ring = json.loads(keys) if isinstance(keys, str) else keys
        decoded = {str(k): _decode_key(str(v), f"JWT key {k}", minimum=32) for k, v in ring.items()}
        if kid not in decoded:
            raise ConfigError("JWT_CURRENT_KID names no key of JWT_SIGNING_KEYS")
        return AuthSecrets(decoded, str(kid), _decode_key(str(totp), "TOTP_ENCRYPTION_KEY", minimum=32, exact=True))


@dataclass(frozen=True)
class AuthSecrets:
    jwt_keys: dict[str, bytes]
    current_kid: str
    totp_key: bytes

    def __repr__(self) -> str:
        return f"AuthSecrets(kids={sorted(self.jwt_keys)}, current_kid={self.current_kid!r})"


def _decode_key(value: str, name: str, *, minimum: int, exact: bool = False) -> bytes:
    if is_placeholder(value):
        raise ConfigError(f"{name} is a placeholder")
    try:
        key = base64.b64decode(
            value + "=" * (-len(value) % 4), altchars=b"-_" if "-" in value or "_" in value else None
        )
    except (binascii.Error, ValueError):
        raise ConfigError(f"{name} is not base64") from None
    if len(key) < minimum or (exact and len(key) != minimum):
        raise ConfigError(f"{name} must be {'exactly' if exact else 'at least'} {minimum} bytes")
    return key


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
