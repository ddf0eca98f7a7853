"""Secrets Manager rotation function for the JWT signing key (deployed by infra/stateful_stack.py).

The secret holds ``{"jwt_current_kid", "jwt_key"}`` and, after a first rotation, ``"jwt_previous_kid"`` and
``"jwt_previous_key"`` (the format shared/config.py reads). A rotation makes a new key id current and moves the
current key to "previous", so tokens signed before the rotation still verify until the next one; the key before
that is dropped. Standard library and boto3 only (both in the Lambda runtime): no layer, no VPC.

Steps, as Secrets Manager calls them with the same ClientRequestToken: createSecret stores the new version as
AWSPENDING (again on a retry only if it is missing), setSecret has no other system to update, testSecret checks the
pending version's shape, finishSecret makes it AWSCURRENT.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

KEY_BYTES = 48  # 64 URL-safe characters, as the generated first key
MIN_KEY_LENGTH = 32  # what shared/config.py accepts


class RotationError(Exception):
    """The secret is not in a state this rotation can proceed from."""


def handler(event: dict[str, Any], context: object, client: Any = None) -> None:
    client = client or boto3.client("secretsmanager")
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    if _already_current(client, arn, token):
        logger.info("%s: version %s is already current", step, token)
        return
    if step == "createSecret":
        create_secret(client, arn, token)
    elif step == "setSecret":
        return
    elif step == "testSecret":
        test_secret(client, arn, token)
    elif step == "finishSecret":
        finish_secret(client, arn, token)
    else:
        raise RotationError(f"unknown step {step!r}")


def next_key_ring(current: dict[str, Any], *, kid: str, key: str) -> dict[str, str]:
    """The secret's next value: ``kid``/``key`` current, the current pair previous, anything older dropped."""
    if not current.get("jwt_current_kid") or not current.get("jwt_key"):
        raise RotationError("the current version has no jwt_current_kid/jwt_key")
    if kid == current["jwt_current_kid"]:
        raise RotationError(f"the new key id {kid!r} is the current one")
    return {
        "jwt_current_kid": kid,
        "jwt_key": key,
        "jwt_previous_kid": str(current["jwt_current_kid"]),
        "jwt_previous_key": str(current["jwt_key"]),
    }


def create_secret(client: Any, arn: str, token: str) -> None:
    current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    try:
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        logger.info("createSecret: version %s already pending", token)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    # The rotation's own token names the key: unique per rotation, the same when Secrets Manager retries a step.
    kid = "k-" + token.replace("-", "")[:16]
    ring = next_key_ring(current, kid=kid, key=secrets.token_urlsafe(KEY_BYTES))
    client.put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(ring), VersionStages=["AWSPENDING"]
    )
    logger.info("createSecret: new key id %s pending, previous %s kept", kid, ring["jwt_previous_kid"])


def test_secret(client: Any, arn: str, token: str) -> None:
    pending = json.loads(
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    )
    for field in ("jwt_key", "jwt_previous_key"):
        if len(str(pending.get(field) or "")) < MIN_KEY_LENGTH:
            raise RotationError(f"pending version: {field} is shorter than {MIN_KEY_LENGTH} characters")
    if not pending.get("jwt_current_kid") or pending.get("jwt_current_kid") == pending.get("jwt_previous_kid"):
        raise RotationError("pending version: the current and previous key ids must be set and differ")


def finish_secret(client: Any, arn: str, token: str) -> None:
    versions = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next((version for version, stages in versions.items() if "AWSCURRENT" in stages), None)
    client.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
    )
    logger.info("finishSecret: version %s is current", token)


def _already_current(client: Any, arn: str, token: str) -> bool:
    """Raises RotationError unless rotation is on and ``token`` names a pending (or already current) version."""
    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise RotationError(f"rotation is not enabled on {arn}")
    stages = metadata.get("VersionIdsToStages", {}).get(token)
    if stages is None:
        raise RotationError(f"version {token} is not a version of {arn}")
    if "AWSCURRENT" in stages:
        return True
    if "AWSPENDING" not in stages:
        raise RotationError(f"version {token} is not pending rotation")
    return False
