"""In AWS the database credentials come from Secrets Manager (moto here); the migration function uses them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from psycopg.conninfo import conninfo_to_dict

from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.config import get_settings
from shared.db.migrate import discover
from shared.errors import ConfigError


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.client]:
    monkeypatch.chdir("/")  # no .env
    for name in ("DATABASE_URL", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with mock_aws():
        get_settings.cache_clear()
        yield boto3.client("secretsmanager", region_name="us-east-1")
    get_settings.cache_clear()


def _store(client: boto3.client, monkeypatch: pytest.MonkeyPatch, url: str, **override: str) -> None:
    parts = conninfo_to_dict(url)
    secret = {
        "host": parts["host"],
        "port": int(parts["port"]),
        "username": parts["user"],
        "password": parts["password"],
        "dbname": parts["dbname"],
        **override,
    }
    arn = client.create_secret(Name=f"db-{len(override)}", SecretString=json.dumps(secret))["ARN"]
    monkeypatch.setenv("DATABASE_SECRET_ARN", arn)
    monkeypatch.setenv("DATABASE_HOST", str(parts["host"]))  # stands for the RDS Proxy endpoint


def test_migration_function_connects_with_the_secret(
    secret_env: boto3.client, monkeypatch: pytest.MonkeyPatch, fresh_database: str
) -> None:
    _store(secret_env, monkeypatch, fresh_database)
    assert conninfo_to_dict(get_settings().database_conninfo())["sslmode"] == "require"  # the default
    get_settings.cache_clear()
    monkeypatch.setenv("DATABASE_SSLMODE", "disable")  # the local server has no TLS
    from functions import migrate as migrate_function

    result = migrate_function.handler({}, LambdaContext(FunctionSpec("Migrate", "functions.migrate")))
    assert result == {"applied": [m.label for m in discover()], "latest": discover()[-1].label}


def test_a_placeholder_password_in_the_secret_fails_closed(
    secret_env: boto3.client, monkeypatch: pytest.MonkeyPatch, fresh_database: str
) -> None:
    _store(secret_env, monkeypatch, fresh_database, password="changeme")
    with pytest.raises(ConfigError, match="placeholder"):
        get_settings().database_conninfo()


def test_auth_keys_come_from_the_deployments_generated_secrets(
    secret_env: boto3.client, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2"
    jwt = secret_env.create_secret(Name="jwt", SecretString=json.dumps({"jwt_current_kid": "k1", "jwt_key": generated}))
    totp = secret_env.create_secret(Name="totp", SecretString=json.dumps({"totp_key": generated[::-1]}))
    for name in ("JWT_SIGNING_KEYS", "JWT_CURRENT_KID", "TOTP_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1:1/x")
    monkeypatch.setenv("JWT_SECRET_ARN", jwt["ARN"])
    monkeypatch.setenv("TOTP_SECRET_ARN", totp["ARN"])
    get_settings.cache_clear()
    keys = get_settings().jwt_keys()
    assert keys.current_kid == "k1"
    assert keys.keys == {"k1": generated.encode()}
    assert len(get_settings().totp_key()) == 32


def test_short_or_placeholder_auth_keys_fail_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    for value, problem in (("short", "at least 32"), ("changeme", "placeholder")):
        monkeypatch.setenv("JWT_SIGNING_KEYS", json.dumps({"k1": value}))
        monkeypatch.setenv("JWT_CURRENT_KID", "k1")
        get_settings.cache_clear()
        with pytest.raises(ConfigError, match=problem):
            get_settings().jwt_keys()
    get_settings.cache_clear()
