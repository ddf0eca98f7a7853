"""Schemathesis against the local platform: every operation of the served OpenAPI document, generated from
its schema (examples, coverage and fuzzing phases, valid and invalid data), sent in-process through the
gateway's ASGI app without a token and as each role, with every check on.

It must find no 5xx, no response that breaks its schema, no valid request refused and no invalid one
accepted. The seed and the example count are fixed, so a run is repeatable and fits the suite's budget.

Deliberately left out, each for a reason:
- ``unsupported_method`` (expects 405 for a method a path does not have): API Gateway HTTP APIs answer
  404 ``{"message":"Not Found"}`` for a route key that does not exist, and the local gateway imitates them.
- NUL characters in generated strings (``allow-x00 = false``): the API refuses U+0000 anywhere (422 with
  the field's path, shared/web/guards.py) because PostgreSQL text cannot hold it; JSON Schema cannot say
  that of every string, so generating it would only re-test that one rule.
- Valid-by-schema requests that the data or a rule across fields refuses, answered 422 with each field's
  path (``positive_data_acceptance`` expects 422 too, on these operations only; see OPERATION_RULES).
- The spreadsheet form of POST /api/v1/questionnaires/import: schemathesis cannot generate xlsx files (it
  skips them); tests/unit/test_questionnaire_xlsx.py and tests/integration/test_questionnaires.py cover it.
- Invalid data is sent without a token and as the super-admin only: every other role meets the same
  authorizer as with valid data (401/403 before the data is read).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case

from functions.routes import MFA_PENDING, PUBLIC, ROUTES
from local.gateway import manifest_openapi
from local.seed import seed_sample_questionnaire
from local.server import LocalPlatform, build_local_platform
from shared.auth import passwords
from shared.auth import repository as accounts
from shared.auth.permissions import Role
from shared.db import Database
from tests.integration.auth_helpers import PASSWORD, mint_mfa, mint_pair
from tests.integration.questionnaire_helpers import add_test_sectors

# Operation -> why a request the schema allows may still be refused with 422.
OPERATION_RULES = {
    ("POST", "/api/v1/auth/signup"): "passwords are also checked against common and guessable ones (zxcvbn), "
    "and addresses by email-validator, which refuses special-use domains that JSON Schema's email format allows",
    ("POST", "/api/v1/users/invitations"): "addresses are checked by email-validator (special-use domains refused)",
    ("POST", "/api/v1/auth/2fa/enable"): "the code must be the current TOTP code of the pending secret",
    ("POST", "/api/v1/questions"): "a question definition has rules across fields (options per type, min < max, "
    "show_if naming an earlier question) and must fit its draft version",
    ("PATCH", "/api/v1/questions/{question_id}"): "as for POST /api/v1/questions",
    ("POST", "/api/v1/questionnaires"): "a questionnaire definition has rules across fields (bands covering 0-100 "
    "without gaps, questions and recommendations naming defined skills and bands)",
    ("POST", "/api/v1/questionnaires/import"): "as for POST /api/v1/questionnaires",
    ("POST", "/api/v1/assessments/submit"): "a submission refers to stored things (a published version, its "
    "questions, a respondent, a sector) and each answer must fit its question",
    ("GET", "/api/v1/assessments"): "a cursor is opaque: one the server did not issue is refused",
    ("GET", "/api/v1/respondents"): "a cursor is opaque: one the server did not issue is refused",
    ("GET", "/api/v1/users"): "a cursor is opaque: one the server did not issue is refused",
    ("GET", "/api/v1/audit"): "a cursor is opaque: one the server did not issue is refused",
    ("GET", "/api/v1/costs/summary"): "a period must run forwards, last at most 400 days, and end when a price "
    "version is in force",
    ("GET", "/api/v1/costs/per-assessment"): "as for GET /api/v1/costs/summary",
    ("GET", "/api/v1/costs/requests"): "a period must run forwards and last at most 400 days; a cursor is opaque",
}

# Operations whose answer to a good request is a redirect to a file (303 to a presigned S3 URL); a file that
# has expired or a share link that is used up, revoked or expired is 410.
REDIRECTS = {
    ("GET", "/api/v1/exports/assessments.xlsx"): "a small export is made at once and answered with its file",
    ("GET", "/api/v1/exports/{export_id}/download"): "a ready export's file",
    ("GET", "/api/v1/d/{token}"): "a shared export's file",
}

# First, by name: an operation's settings come from every [[operations]] entry that applies to it, and the
# first of them wins; include-method and include-path in one entry apply each on its own.
_OPERATIONS = "".join(
    f"""
[[operations]]
include-name = "{method} {path}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "303", "401", "403", "404", "409", "410", "422", "429"]
"""
    for method, path in REDIRECTS
) + "".join(
    f"""
[[operations]]
include-method = "{method}"
include-path = "{path}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]
"""
    for method, path in OPERATION_RULES
)
CONFIG = f"""
seed = 20260608

[generation]
max-examples = 5
deterministic = true
allow-x00 = false

[checks]
enabled = true

[checks.unsupported_method]
enabled = false

[phases.coverage]
unexpected-methods = []
{_OPERATIONS}
"""


class _CurrentApp:
    """The platform of the running test, as one ASGI app that schemathesis can hold from collection on."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


CURRENT = _CurrentApp()
# The document the gateway serves at /api/v1/openapi.json (the same function builds it).
schema = schemathesis.openapi.from_dict(manifest_openapi(), config=schemathesis.Config.from_str(CONFIG))
schema.app = CURRENT
RULES = {(r.method, r.path): r.auth for r in ROUTES}
STATS = {"requests": 0, "seconds": 0.0}  # reported at the end of the run (tests/conftest.py)


@pytest.fixture
def platform(db: Database, database_url: str) -> Iterator[LocalPlatform]:
    add_test_sectors(db)
    seed_sample_questionnaire(database_url)
    platform = build_local_platform(environments=2)
    CURRENT.app = platform.app
    yield platform
    CURRENT.app = None
    platform.stop()


@pytest.fixture(scope="module")
def password_hash() -> str:
    return passwords.hash_password(PASSWORD)


@pytest.fixture
def people(db: Database, password_hash: str) -> dict[str, str]:
    ids = {}
    with db.transaction() as conn:
        for role in Role:
            user = accounts.insert_user(conn, f"{role.value}@example.org", role.value, password_hash, role.value)
            ids[role.value] = str(user.id)
    return ids


@pytest.fixture
def tokens(db: Database, people: dict[str, str]) -> dict[str, str]:
    """Each role's access token, and an mfa token (an analyst's)."""
    minted = {role: mint_pair(db, user_id)["access"] for role, user_id in people.items()}
    return minted | {"mfa": mint_mfa(db, people[Role.ANALYST.value])}


def _callers(case: Case, db: Database, people: dict[str, str], tokens: dict[str, str]) -> list[str | None]:
    """Who sends ``case``: no token, and each token the route's rule could let in. Valid data goes out as
    every role; invalid data as the super-admin, whom every rule lets through to validation (any other role
    meets the same authorizer that valid data already met)."""
    method, path = case.operation.method.upper(), case.operation.path
    rule = RULES[(method, path)]
    if rule == PUBLIC:
        return [None]
    if rule == MFA_PENDING:
        return [None, tokens["mfa"]]
    if path == "/api/v1/auth/logout":  # it ends the session it is called with: fresh tokens every time
        tokens = {role: mint_pair(db, user_id)["access"] for role, user_id in people.items()}
    positive = case.meta is None or case.meta.generation.mode.is_positive
    roles = list(Role) if positive else [Role.SUPER_ADMIN]
    return [None, *(tokens[role.value] for role in roles)]


@schema.parametrize()
@pytest.mark.filterwarnings("ignore:Skipped test cases with unsupported payload media types")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_keeps_its_contract(
    case: Case, db: Database, platform: LocalPlatform, people: dict[str, str], tokens: dict[str, str]
) -> None:
    started = time.perf_counter()
    try:
        for token in _callers(case, db, people, tokens):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"} if token else None)
            STATS["requests"] += 1
    finally:
        STATS["seconds"] += time.perf_counter() - started
