"""The JWT key rotation function (infra/rotation/jwt_key.py) against Secrets Manager (moto): a rotation makes a
new key current and keeps the previous one in the fields shared/config.py reads, so tokens signed before it still
verify."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "infra" / "rotation"))
import jwt_key

FIRST = {"jwt_current_kid": "k1", "jwt_key": "a" * 64}


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def _secret_with_rotation(client: Any) -> str:
    arn = client.create_secret(Name="jwt", SecretString=json.dumps(FIRST))["ARN"]
    # Turns rotation on without rotating (moto needs no function for that).
    client.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 90}, RotateImmediately=False)
    return str(arn)


def _current(client: Any, arn: str) -> dict[str, Any]:
    # By stage: moto does not move its default version with the AWSCURRENT label (AWS resolves the label).
    return dict(json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"]))


def _rotate(client: Any, arn: str) -> str:
    token = str(uuid.uuid4())
    # Secrets Manager's own first move: the version exists, staged AWSPENDING, without a value. moto cannot
    # stage a version without a value, so createSecret runs first here and stores it.
    jwt_key.create_secret(client, arn, token)
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        jwt_key.handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, None, client=client)
    return token


def test_a_rotation_makes_a_new_key_current_and_keeps_the_previous_one(client: Any) -> None:
    arn = _secret_with_rotation(client)
    _rotate(client, arn)
    secret = _current(client, arn)
    assert secret["jwt_previous_kid"] == "k1"
    assert secret["jwt_previous_key"] == FIRST["jwt_key"]
    assert secret["jwt_current_kid"] not in ("k1", "")
    assert len(secret["jwt_key"]) >= 64
    assert secret["jwt_key"] != FIRST["jwt_key"]


def test_the_key_before_the_previous_one_is_dropped(client: Any) -> None:
    arn = _secret_with_rotation(client)
    _rotate(client, arn)
    middle = _current(client, arn)
    _rotate(client, arn)
    secret = _current(client, arn)
    assert secret["jwt_previous_kid"] == middle["jwt_current_kid"]
    assert secret["jwt_previous_key"] == middle["jwt_key"]
    assert FIRST["jwt_key"] not in secret.values()
    assert len({FIRST["jwt_current_kid"], middle["jwt_current_kid"], secret["jwt_current_kid"]}) == 3


def test_shared_config_reads_both_keys_of_a_rotated_secret(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared import config

    arn = _secret_with_rotation(client)
    _rotate(client, arn)
    monkeypatch.setattr(config, "_get_json_secret", lambda secret_arn: _current(client, secret_arn))
    settings = config.Settings(database_url="postgresql://u:a-real-password@h/db", jwt_secret_arn=arn)
    keys = settings.jwt_keys()
    assert set(keys.keys) == {"k1", _current(client, arn)["jwt_current_kid"]}
    assert keys.current_kid == _current(client, arn)["jwt_current_kid"]


def test_a_step_for_a_version_not_pending_is_refused(client: Any) -> None:
    arn = _secret_with_rotation(client)
    with pytest.raises(jwt_key.RotationError, match="not a version"):
        jwt_key.handler({"SecretId": arn, "ClientRequestToken": str(uuid.uuid4()), "Step": "testSecret"}, None, client)


def test_a_malformed_current_version_stops_the_rotation_before_anything_is_written() -> None:
    with pytest.raises(jwt_key.RotationError, match="no jwt_current_kid"):
        jwt_key.next_key_ring({"jwt_key": "x" * 64}, kid="k2", key="y" * 64)
    with pytest.raises(jwt_key.RotationError, match="is the current one"):
        jwt_key.next_key_ring(FIRST, kid="k1", key="y" * 64)
