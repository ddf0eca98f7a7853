"""What the account use cases share: token pairs, one-time codes, and failures that commit before they are raised.

Each use case runs in one transaction, and its audit row is written in that transaction. Where a failure
must itself be stored (a failed login counts towards throttling and is audited), the transaction commits
the failure first and the error is raised after (``Failure`` / ``finish``).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.auth import repository, throttle
from shared.auth.models import (
    TokenPair,
)
from shared.db.errors import register_constraint
from shared.errors import Conflict, DomainError, Forbidden, ValidationFailed, problem
from shared.request_context import RequestContext
from shared.security.tokens import ACCESS_TTL_S, REFRESH_TTL_S, TokenService, TokenType

INVITATION_TTL_S = 7 * 24 * 3600
RECOVERY_CODES = 10
MAX_CODE_FAILURES = 5
BAD_CREDENTIALS = "Invalid email or password."

register_constraint("signup_bootstrap_pkey", Forbidden, "Signup needs an invitation from a super-admin.")
register_constraint("users_email_unique", Conflict, "An account with this email already exists.")


def field_error(path: list[str | int], message: str, kind: str = "value_error") -> ValidationFailed:
    return ValidationFailed(details=[problem(path, message, kind)])


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def normalize_recovery(code: str) -> bytes:
    return hash_token(code.strip().lower().replace("-", "").replace(" ", ""))


def new_recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits each; ten of them, single use, behind a password
    return f"{raw[:5]}-{raw[5:]}"


def issue_pair(conn: Connection[Any], tokens: TokenService, user_id: UUID, family: str | None = None) -> TokenPair:
    family = family or str(uuid.uuid4())
    refresh = tokens.issue(str(user_id), TokenType.REFRESH, REFRESH_TTL_S, family=family)
    repository.insert_refresh(conn, refresh.jti, family, user_id, refresh.expires_at)
    access = tokens.issue(str(user_id), TokenType.ACCESS, ACCESS_TTL_S, family=family)
    return TokenPair(access_token=access.token, refresh_token=refresh.token, expires_in=ACCESS_TTL_S)


@dataclass
class Failure:
    error: DomainError


def finish(result: Any) -> Any:
    if isinstance(result, Failure):
        raise result.error
    return result


def alert_if_guessed(
    conn: Connection[Any], user: repository.UserRow, limit: throttle.Limit, ctx: RequestContext
) -> None:
    """Once second-factor failures pass the free allowance, someone who knows the password is guessing codes:
    the audit log says so, as an alert about the account."""
    failures = throttle.failures(conn, limit)
    if failures >= limit.free:
        audit.record(
            conn,
            AuditEntry(action="security.second_factor_guessing", outcome="failure", actor_id=user.id,
                       actor_email=user.email, target_type="user", target_id=str(user.id),
                       details={"failures": failures, "alert": "second-factor codes are being guessed; "
                                "the password is known to someone: change it"}),
            ctx,
        )  # fmt: skip
