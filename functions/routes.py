"""THE route manifest: plain data, read by the CDK app (one Lambda + one route each) and by the local
gateway (the same routes, the same handlers). Every route names its auth rule; tests refuse one without.

Auth rules:
- ``public``: anyone.
- ``mfa-pending``: only the short-lived token issued between password and second factor.
- ``roles:<r1>,<r2>``: a signed-in user holding one of the roles (``super-admin`` passes every role rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PUBLIC = "public"
MFA_PENDING = "mfa-pending"
ROLES = frozenset({"super-admin", "analyst", "enumerator", "finance"})

_PATH = re.compile(r"^/api/v1(/([a-z0-9-]+|\{[a-z_]+\}))+$")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def roles(*names: str) -> str:
    unknown = set(names) - ROLES
    if not names or unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return "roles:" + ",".join(names)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    module: str
    auth: str
    memory_mb: int = 512
    timeout_s: int = 10

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"{self.method}: not an HTTP method the API uses")
        if not _PATH.match(self.path):
            raise ValueError(f"{self.path}: paths are /api/v1/... in kebab-case with {{snake_case}} parameters")
        if not (self.auth in (PUBLIC, MFA_PENDING) or self.auth.startswith("roles:")):
            raise ValueError(f"{self.route_key}: auth rule must be public, mfa-pending or roles:...")
        if not 128 <= self.memory_mb <= 10_240 or not 1 <= self.timeout_s <= 29:
            raise ValueError(f"{self.route_key}: memory 128-10240 MB, timeout 1-29 s (API Gateway's limit)")

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def function_id(self) -> str:
        """A stable CamelCase name, e.g. ``GET /api/v1/users/{user_id}`` -> ``GetUsersUserId``."""
        parts = [p.strip("{}") for p in self.path.split("/")[3:]]
        words = "".join(w.capitalize() for p in parts for w in re.split(r"[-_]", p))
        return f"{self.method.capitalize()}{words}"

    @property
    def allowed_roles(self) -> frozenset[str]:
        return frozenset(self.auth.removeprefix("roles:").split(",")) if self.auth.startswith("roles:") else frozenset()


@dataclass(frozen=True)
class Job:
    """A function that no HTTP route calls: run by the deployment, by an async invoke or on a schedule."""

    name: str
    module: str
    memory_mb: int = 512
    timeout_s: int = 60
    # EventBridge rate/cron expression, e.g. "rate(1 minute)"; None: invoked, never scheduled.
    schedule: str | None = None
    # Runs on every deployment (CloudFormation custom resource) before the API takes traffic.
    on_deploy: bool = False


ROUTES: tuple[Route, ...] = (Route("GET", "/api/v1/health", "functions.health", PUBLIC, memory_mb=256, timeout_s=5),)

JOBS: tuple[Job, ...] = (Job("migrate", "functions.migrate", memory_mb=256, timeout_s=300, on_deploy=True),)
