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
