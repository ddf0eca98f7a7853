"""Deployment settings, read once from CDK context (``cdk.json``, ``-c key=value``) and the CDK CLI's env.

Synth never needs an AWS account: account, region and availability zones have fixed values in ``cdk.json``.
At deploy time the CLI exports ``CDK_DEFAULT_ACCOUNT`` from the caller's credentials, which wins over the
placeholder account; ``CDK_DEPLOY_ACCOUNT`` / ``CDK_DEPLOY_REGION`` override both explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Node

from infra.profiles import PRODUCTION, PROFILES, Profile

SERVICE_NAME = "skills-platform"
METRICS_NAMESPACE = "SkillsPlatform"


class ConfigError(ValueError):
    """The CDK context is missing a value or holds an inconsistent one."""


@dataclass(frozen=True)
class DeploySettings:
    account: str
    region: str
    availability_zones: tuple[str, ...]
    # False: the dependency layer is a placeholder and no wheel is downloaded (tests, offline synth).
    bundle: bool
    # Set by ``cdk.sh deploy`` to a timestamp so that the on-deploy jobs (migrations) run on every deploy,
    # not only when their code changes. None in tests keeps the template deterministic.
    deploy_nonce: str | None
    # ``-c profile=lean``: what runs and what it costs at rest (infra/profiles.py).
    profile: Profile = PRODUCTION
    # ``-c alarmEmail=ops@example.org`` subscribes that address to the alarm topic (it confirms by mail).
    alarm_email: str | None = None
    # ``-c localstack=true`` (make localstack-deploy): functions keep LocalStack's endpoint for every AWS API.
    localstack: bool = False

    @classmethod
    def from_context(cls, node: Node, environ: Mapping[str, str] = os.environ) -> DeploySettings:
        """Raises ConfigError naming the context key to fix."""
        account = environ.get("CDK_DEPLOY_ACCOUNT") or environ.get("CDK_DEFAULT_ACCOUNT") or _get(node, "account")
        region = environ.get("CDK_DEPLOY_REGION") or _get(node, "region")
        zones = node.try_get_context("availabilityZones")
        if isinstance(zones, str):  # -c availabilityZones=eu-west-1a,eu-west-1b
            zones = [zone.strip() for zone in zones.split(",") if zone.strip()]
        if not isinstance(zones, list) or len(zones) < 2:
            raise ConfigError("context availabilityZones must list at least two zones (RDS needs two)")
        wrong = [zone for zone in zones if not str(zone).startswith(region)]
        if wrong:
            raise ConfigError(f"availabilityZones {wrong} are not in region {region}; pass -c availabilityZones=...")
        nonce = node.try_get_context("deployNonce")
        profile_name = str(node.try_get_context("profile") or PRODUCTION.name)
        if profile_name not in PROFILES:
            raise ConfigError(f"context profile must be one of {sorted(PROFILES)}, got {profile_name!r}")
        return cls(
            account=str(account),
            region=str(region),
            availability_zones=tuple(str(zone) for zone in zones),
            bundle=_flag(node.try_get_context("bundle"), default=True),
            deploy_nonce=str(nonce) if nonce else None,
            profile=PROFILES[profile_name],
            alarm_email=str(node.try_get_context("alarmEmail") or "") or None,
            localstack=_flag(node.try_get_context("localstack"), default=False),
        )


def _get(node: Node, key: str) -> str:
    value = node.try_get_context(key)
    if not value:
        raise ConfigError(f"context {key} is not set (cdk.json or -c {key}=...)")
    return str(value)


def _flag(value: object, *, default: bool) -> bool:
    # -c values arrive as strings, cdk.json values as JSON booleans.
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ConfigError(f"expected true or false, got {value!r}")
