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

from shared.auth.permissions import ALL_ROLES, roles_for

PUBLIC = "public"
MFA_PENDING = "mfa-pending"
ROLES = frozenset(r.value for r in ALL_ROLES)

_PATH = re.compile(r"^/api/v1(/([a-z0-9-]+|\{[a-z_]+\}))+$")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def roles(*names: str) -> str:
    unknown = set(names) - ROLES
    if not names or unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return "roles:" + ",".join(names)


def allowed(permission: str) -> str:
    """The rule for a permission of the one permission table (shared/auth/permissions.py)."""
    return roles(*roles_for(permission))


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


ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/v1/health", "functions.health", PUBLIC, memory_mb=256, timeout_s=5),
    # Accounts. Hashing passwords with argon2id (64 MiB) wants memory and a full vCPU.
    Route("POST", "/api/v1/auth/signup", "functions.auth_signup", PUBLIC, memory_mb=1024),
    Route("POST", "/api/v1/auth/login", "functions.auth_login", PUBLIC, memory_mb=1024),
    Route("POST", "/api/v1/auth/2fa/setup", "functions.auth_2fa_setup", allowed("self")),
    Route("POST", "/api/v1/auth/2fa/enable", "functions.auth_2fa_enable", allowed("self")),
    Route("POST", "/api/v1/auth/2fa/verify-login", "functions.auth_2fa_verify_login", MFA_PENDING),
    Route("POST", "/api/v1/auth/2fa/disable", "functions.auth_2fa_disable", allowed("self"), memory_mb=1024),
    Route("POST", "/api/v1/auth/refresh", "functions.auth_refresh", PUBLIC),
    Route("POST", "/api/v1/auth/logout", "functions.auth_logout", allowed("self")),
    Route("GET", "/api/v1/auth/me", "functions.auth_me", allowed("self")),
    Route("GET", "/api/v1/users", "functions.users_list", allowed("users.manage")),
    Route("POST", "/api/v1/users/invitations", "functions.users_invite", allowed("users.manage")),
    Route("PATCH", "/api/v1/users/{user_id}", "functions.users_update", allowed("users.manage")),
    Route("GET", "/api/v1/audit", "functions.audit_list", allowed("audit.read")),
    # Questionnaires.
    Route("GET", "/api/v1/questions", "functions.questions_list", allowed("questionnaires.read")),
    Route("POST", "/api/v1/questions", "functions.questions_create", allowed("questionnaires.write")),
    Route("PATCH", "/api/v1/questions/{question_id}", "functions.questions_update", allowed("questionnaires.write")),
    Route("DELETE", "/api/v1/questions/{question_id}", "functions.questions_delete", allowed("questionnaires.write")),
    Route("GET", "/api/v1/sectors", "functions.sectors_list", allowed("self")),
    Route("GET", "/api/v1/questionnaires", "functions.questionnaires_list", allowed("questionnaires.read")),
    Route("POST", "/api/v1/questionnaires", "functions.questionnaires_create", allowed("questionnaires.write")),
    Route("GET", "/api/v1/questionnaires/{questionnaire_id}", "functions.questionnaires_get",
          allowed("questionnaires.read")),
    Route("POST", "/api/v1/questionnaires/import", "functions.questionnaires_import", allowed("questionnaires.write"),
          memory_mb=1024, timeout_s=29),
    Route("POST", "/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish",
          "functions.questionnaires_publish", allowed("questionnaires.write")),
    Route("POST", "/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft",
          "functions.questionnaires_draft", allowed("questionnaires.write")),
    # Assessments.
    Route("POST", "/api/v1/assessments/submit", "functions.assessments_submit", allowed("assessments.submit")),
    Route("GET", "/api/v1/assessments", "functions.assessments_list", allowed("assessments.read")),
    Route("GET", "/api/v1/assessments/{assessment_id}", "functions.assessments_get", allowed("assessments.read")),
    Route("GET", "/api/v1/respondents", "functions.respondents_list", allowed("respondents.read")),
    Route("GET", "/api/v1/respondents/{respondent_id}", "functions.respondents_get", allowed("respondents.read")),
    # Reports.
    Route("GET", "/api/v1/reports/sectors", "functions.reports_sectors", allowed("reports.read")),
    Route("GET", "/api/v1/reports/skills", "functions.reports_skills", allowed("reports.read")),
)  # fmt: skip


def rule_of(module: str) -> str:
    """The auth rule of the route a function module serves (each module serves one route)."""
    for route in ROUTES:
        if route.module == module:
            return route.auth
    raise LookupError(f"{module} serves no route of the manifest")


JOBS: tuple[Job, ...] = (
    Job("migrate", "functions.migrate", memory_mb=256, timeout_s=300, on_deploy=True),
    Job("housekeeping", "functions.housekeeping", memory_mb=256, timeout_s=120, schedule="rate(1 hour)"),
)
