"""Account use cases: signup, login with optional TOTP second factor, sessions, 2FA management, users.

Each use case runs in one transaction, and its audit row is written in that transaction. Where a failure
must itself be stored (a failed login counts towards throttling and is audited), the transaction commits
the failure first and the error is raised after.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.auth import passwords, repository, throttle, totp
from shared.auth.models import (
    InvitationPublic,
    MfaRequired,
    RecoveryCodes,
    TokenPair,
    TwoFactorSetup,
    UserPage,
    UserPublic,
)
from shared.auth.permissions import Role
from shared.auth.principal import Principal
from shared.db import Database
from shared.db.errors import register_constraint
from shared.errors import Conflict, DomainError, Forbidden, NotFound, Unauthorized, ValidationFailed, problem
from shared.request_context import RequestContext
from shared.runtime import Runtime
from shared.security.tokens import ACCESS_TTL_S, MFA_TTL_S, REFRESH_TTL_S, Claims, TokenService, TokenType

INVITATION_TTL_S = 7 * 24 * 3600
RECOVERY_CODES = 10
MAX_CODE_FAILURES = 5
BAD_CREDENTIALS = "Invalid email or password."

register_constraint("signup_bootstrap_pkey", Forbidden, "Signup needs an invitation from a super-admin.")
register_constraint("users_email_unique", Conflict, "An account with this email already exists.")


def _field_error(path: list[str | int], message: str, kind: str = "value_error") -> ValidationFailed:
    return ValidationFailed(details=[problem(path, message, kind)])


def _hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _normalize_recovery(code: str) -> bytes:
    return _hash_token(code.strip().lower().replace("-", "").replace(" ", ""))


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits each; ten of them, single use, behind a password
    return f"{raw[:5]}-{raw[5:]}"


# -- tokens --------------------------------------------------------------------------------------------


def _issue_pair(conn: Connection[Any], tokens: TokenService, user_id: UUID, family: str | None = None) -> TokenPair:
    family = family or str(uuid.uuid4())
    refresh = tokens.issue(str(user_id), TokenType.REFRESH, REFRESH_TTL_S, family=family)
    repository.insert_refresh(conn, refresh.jti, family, user_id, refresh.expires_at)
    access = tokens.issue(str(user_id), TokenType.ACCESS, ACCESS_TTL_S, family=family)
    return TokenPair(access_token=access.token, refresh_token=refresh.token, expires_in=ACCESS_TTL_S)


def identify(rt: Runtime, token: str) -> Principal:
    """The caller of an access token, checked against the database on every request: a disabled account or
    a revoked session take effect at once. Raises Unauthorized."""
    claims = rt.tokens.verify(token, TokenType.ACCESS)
    row = repository.principal(rt.db, claims.sub, claims.fam)
    if row is None or row.disabled or row.session_revoked:
        raise Unauthorized("The session is no longer valid.")
    return Principal(row.id, row.email, Role(row.role), claims.fam)


def authorize(principal: Principal, allowed: frozenset[str]) -> None:
    """Raises Forbidden unless the caller holds one of the roles (super-admin holds all), per the database."""
    if principal.role not in allowed and principal.role is not Role.SUPER_ADMIN:
        raise Forbidden("Your role does not allow this.")


def authenticate(rt: Runtime, token: str, allowed: frozenset[str]) -> Principal:
    """``identify`` then ``authorize``. Raises Unauthorized or Forbidden."""
    principal = identify(rt, token)
    authorize(principal, allowed)
    return principal


def verify_mfa_token(rt: Runtime, token: str) -> Claims:
    return rt.tokens.verify(token, TokenType.MFA)


# -- signup and login ----------------------------------------------------------------------------------


def _signup_refusal(
    conn: Connection[Any], email: str, invitation_token: str | None
) -> tuple[Forbidden | None, repository.InvitationRow | None]:
    """Why this signup is refused (None: it may go ahead), and the invitation it uses."""
    if invitation_token is None:
        return (
            Forbidden("Signup needs an invitation from a super-admin.") if repository.any_user(conn) else None
        ), None
    invitation = repository.invitation_by_token_hash(conn, _hash_token(invitation_token))
    if invitation is None or invitation.accepted_at is not None:
        return Forbidden("The invitation is invalid or was already used."), None
    if invitation.email.lower() != email.lower():
        return Forbidden("The invitation was made for another email address."), None
    if invitation.expires_at.timestamp() <= time.time():
        return Forbidden("The invitation has expired."), None
    return None, invitation


def signup(
    db: Database, email: str, password: str, full_name: str, invitation_token: str | None, ctx: RequestContext
) -> UserPublic:
    """The first account of an empty system becomes super-admin; every later one needs an invitation.

    The invitation is checked before the password is hashed, and refused signups are throttled per client.
    Raises Forbidden (no or bad invitation), Conflict (email taken), ValidationFailed (weak password),
    TooManyRequests."""
    problems = passwords.policy_problems(password, email)
    if problems:
        raise _field_error(["body", "password"], "Password " + "; ".join(problems) + ".", "password_policy")

    def precheck(conn: Connection[Any]) -> list[int] | _Failure:
        reserved = throttle.reserve(conn, [throttle.signup_key(ctx.source_ip)])
        refusal, _ = _signup_refusal(conn, email, invitation_token)
        if refusal is not None:  # the reserved attempt stays counted
            return _Failure(refusal)
        return reserved

    reserved: list[int] = _finish(db.run_in_transaction(precheck))
    password_hash = passwords.hash_password(password)

    def work(conn: Connection[Any]) -> UserPublic:
        # Checked again: the invitation may have been used meanwhile.
        refusal, invitation = _signup_refusal(conn, email, invitation_token)
        if refusal is not None:
            raise refusal
        if invitation is None:
            user = repository.insert_user(conn, email, full_name, password_hash, Role.SUPER_ADMIN.value)
            repository.claim_bootstrap(conn, user.id)
            how = "bootstrap"
        else:
            user = repository.insert_user(conn, email, full_name, password_hash, invitation.role)
            repository.accept_invitation(conn, invitation.id, user.id)
            how = "invitation"
        throttle.release(conn, reserved)
        audit.record(
            conn,
            AuditEntry(
                action="user.signup", actor_id=user.id, actor_email=user.email, target_type="user",
                target_id=str(user.id), details={"role": user.role, "via": how},
            ),
            ctx,
        )  # fmt: skip
        return user.public()

    return db.run_in_transaction(work)


@dataclass
class _Failure:
    error: DomainError


def _finish(result: Any) -> Any:
    if isinstance(result, _Failure):
        raise result.error
    return result


def login(rt: Runtime, email: str, password: str, ctx: RequestContext) -> TokenPair | MfaRequired:
    """Raises TooManyRequests while throttled, Unauthorized for any wrong or unknown credential."""
    db = rt.db
    limits = [throttle.account_key(email), throttle.ip_key(ctx.source_ip)]
    with db.transaction() as conn:
        reserved = throttle.reserve(conn, limits)
        user = repository.user_by_email(conn, email)
    # Hashing (~100 ms) happens outside any transaction; unknown emails spend the same time.
    if user is None:
        passwords.burn_verification_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.disabled_at is None

    def work(conn: Connection[Any]) -> TokenPair | MfaRequired | _Failure:
        if not ok or user is None:  # the reserved attempt stays counted
            audit.record(
                conn,
                AuditEntry(action="auth.login", outcome="failure", actor_id=user.id if user else None,
                           actor_email=email, details={"reason": "bad_credentials"}),
                ctx,
            )  # fmt: skip
            return _Failure(Unauthorized(BAD_CREDENTIALS))
        throttle.release(conn, reserved)
        throttle.clear(conn, limits[0])  # type: ignore[arg-type]
        if user.totp_enabled_at is not None:
            mfa = rt.tokens.issue(str(user.id), TokenType.MFA, MFA_TTL_S)
            repository.insert_challenge(conn, mfa.jti, user.id, mfa.expires_at)
            audit.record(
                conn,
                AuditEntry(action="auth.login", actor_id=user.id, actor_email=user.email,
                           details={"stage": "password", "mfa_required": True}),
                ctx,
            )  # fmt: skip
            return MfaRequired(mfa_token=mfa.token)
        audit.record(conn, AuditEntry(action="auth.login", actor_id=user.id, actor_email=user.email), ctx)
        return _issue_pair(conn, rt.tokens, user.id)

    return _finish(db.run_in_transaction(work))


def _alert_if_guessed(
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


def verify_login(
    rt: Runtime, mfa_token: str, code: str | None, recovery_code: str | None, ctx: RequestContext
) -> TokenPair:
    """Second step of a login. Each TOTP code is accepted once per user, each recovery code once; five wrong
    codes kill the token.

    Raises Unauthorized."""
    if bool(code) == bool(recovery_code):
        raise _field_error(["body"], "Give exactly one of code and recovery_code.", "missing")
    claims = verify_mfa_token(rt, mfa_token)
    now = time.time()

    def work(conn: Connection[Any]) -> TokenPair | _Failure:
        challenge = repository.challenge_for_update(conn, claims.jti)
        # Until it expires or is killed, the token may finish a sign-in more than once: each time needs a
        # fresh second factor (a code is accepted once per user, a recovery code once), so reuse grants
        # nothing that the second factor does not.
        if challenge is None or challenge.killed_at or challenge.expired:
            return _Failure(Unauthorized("The sign-in attempt has expired; sign in again."))
        user = repository.user_by_id(conn, challenge.user_id)
        if user is None or user.disabled_at is not None or user.totp_secret is None:
            return _Failure(Unauthorized("The sign-in attempt has expired; sign in again."))
        # Counted per user across every mfa token: a correct password issues a new token each time.
        limit = throttle.second_factor_key(user.id)
        reserved = throttle.reserve(conn, [limit])
        if code:
            step = totp.matching_step(rt.box.open(user.totp_secret, str(user.id)), code, now)
            ok = step is not None and repository.advance_totp_step(conn, user.id, step)
            method = "totp"
        else:
            ok = repository.use_recovery_code(conn, user.id, _normalize_recovery(recovery_code or ""))
            method = "recovery_code"
        if not ok:
            failures = repository.fail_challenge(conn, challenge.id, MAX_CODE_FAILURES)
            audit.record(
                conn,
                AuditEntry(action="auth.login", outcome="failure", actor_id=user.id, actor_email=user.email,
                           details={"stage": "second_factor", "method": method, "failures": failures}),
                ctx,
            )  # fmt: skip
            _alert_if_guessed(conn, user, limit, ctx)
            return _Failure(Unauthorized("The code is wrong or was already used."))
        throttle.release(conn, reserved)
        throttle.clear(conn, limit)
        repository.use_challenge(conn, challenge.id)
        audit.record(
            conn,
            AuditEntry(action="auth.login", actor_id=user.id, actor_email=user.email,
                       details={"stage": "second_factor", "method": method}),
            ctx,
        )  # fmt: skip
        return _issue_pair(conn, rt.tokens, user.id)

    return _finish(rt.db.run_in_transaction(work))


def refresh(rt: Runtime, refresh_token: str, ctx: RequestContext) -> TokenPair:
    """Rotate a refresh token. Presenting one that was already rotated revokes its whole family.

    Raises Unauthorized."""
    claims = rt.tokens.verify(refresh_token, TokenType.REFRESH)

    def work(conn: Connection[Any]) -> TokenPair | _Failure:
        row = repository.refresh_for_update(conn, claims.jti)
        if row is None or row.revoked_at is not None:
            return _Failure(Unauthorized("The session is no longer valid; sign in again."))
        if row.rotated_at is not None:
            revoked = repository.revoke_family(conn, row.family_id)
            audit.record(
                conn,
                AuditEntry(action="auth.refresh_reuse", outcome="failure", actor_id=row.user_id,
                           target_type="session", target_id=str(row.family_id), details={"revoked": revoked}),
                ctx,
            )  # fmt: skip
            return _Failure(Unauthorized("The session is no longer valid; sign in again."))
        user = repository.user_by_id(conn, row.user_id)
        if user is None or user.disabled_at is not None:
            return _Failure(Unauthorized("The session is no longer valid; sign in again."))
        repository.mark_rotated(conn, row.id)
        return _issue_pair(conn, rt.tokens, user.id, str(row.family_id))

    return _finish(rt.db.run_in_transaction(work))


def logout(rt: Runtime, principal: Principal, refresh_token: str | None, ctx: RequestContext) -> None:
    """End this session (its access and refresh tokens); with a refresh token, end that token's session."""
    family = principal.session
    if refresh_token:
        claims = rt.tokens.verify(refresh_token, TokenType.REFRESH)
        if claims.sub != str(principal.id):
            raise Forbidden("That session is not yours.")
        family = claims.fam

    def work(conn: Connection[Any]) -> None:
        revoked = repository.revoke_family(conn, family) if family else 0
        audit.record(
            conn,
            AuditEntry(action="auth.logout", actor_id=principal.id, actor_email=principal.email,
                       target_type="session", target_id=family, details={"revoked": revoked}),
            ctx,
        )  # fmt: skip

    rt.db.run_in_transaction(work)


def me(db: Database, principal: Principal) -> UserPublic:
    with db.transaction(read_only=True) as conn:
        user = repository.user_by_id(conn, principal.id)
    if user is None:
        raise Unauthorized()
    return user.public()


# -- second factor management --------------------------------------------------------------------------


def _locked_self(conn: Connection[Any], principal: Principal) -> repository.UserRow:
    """The caller's own row, locked for the change at hand. Raises Unauthorized if the account is gone."""
    user = repository.user_by_id(conn, principal.id, for_update=True)
    if user is None:
        raise Unauthorized()
    return user


def setup_2fa(rt: Runtime, principal: Principal, ctx: RequestContext) -> TwoFactorSetup:
    """A new secret, not active until enable. Raises Conflict when 2FA is already on."""
    secret = totp.new_secret()

    def work(conn: Connection[Any]) -> None:
        user = _locked_self(conn, principal)
        if user.totp_enabled_at is not None:
            raise Conflict("Two-factor authentication is already on; disable it first.")
        repository.set_pending_totp(conn, user.id, rt.box.seal(secret, str(user.id)))
        audit.record(conn, AuditEntry(action="auth.2fa_setup", actor_id=user.id, actor_email=user.email), ctx)

    rt.db.run_in_transaction(work)
    uri = totp.provisioning_uri(secret, principal.email)
    return TwoFactorSetup(secret=secret, otpauth_uri=uri, qr=totp.qr_data_uri(uri))


def enable_2fa(rt: Runtime, principal: Principal, code: str, ctx: RequestContext) -> RecoveryCodes:
    """Activate the pending secret with a current code; returns ten recovery codes (stored hashed).

    Raises Conflict (no setup, or already on), ValidationFailed (wrong code)."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    now = time.time()

    def work(conn: Connection[Any]) -> RecoveryCodes:
        user = _locked_self(conn, principal)
        if user.totp_enabled_at is not None:
            raise Conflict("Two-factor authentication is already on.")
        if user.totp_pending is None:
            raise Conflict("Call POST /api/v1/auth/2fa/setup first.")
        secret = rt.box.open(user.totp_pending, str(user.id))
        step = totp.matching_step(secret, code, now)
        if step is None or not repository.advance_totp_step(conn, user.id, step):
            raise _field_error(["body", "code"], "The code is wrong or was already used.", "invalid_code")
        repository.enable_totp(conn, user.id, user.totp_pending)
        repository.replace_recovery_codes(conn, user.id, [_normalize_recovery(c) for c in codes])
        audit.record(conn, AuditEntry(action="auth.2fa_enable", actor_id=user.id, actor_email=user.email), ctx)
        return RecoveryCodes(recovery_codes=codes)

    return rt.db.run_in_transaction(work)


def disable_2fa(rt: Runtime, principal: Principal, password: str, code: str, ctx: RequestContext) -> None:
    """Turn 2FA off with the password and a current (or recovery) code.

    Raises TooManyRequests while throttled, Forbidden for a wrong password or code, Conflict when off."""
    limit = throttle.second_factor_key(principal.id)
    with rt.db.transaction() as conn:
        reserved = throttle.reserve(conn, [limit])
        user = repository.user_by_id(conn, principal.id)
    if user is None:
        raise Unauthorized()
    password_ok = passwords.verify_password(user.password_hash, password)
    now = time.time()

    def work(conn: Connection[Any]) -> _Failure | None:
        locked = repository.user_by_id(conn, principal.id, for_update=True)
        if locked is None or locked.totp_secret is None:
            throttle.release(conn, reserved)
            return _Failure(Conflict("Two-factor authentication is not on."))
        step = totp.matching_step(rt.box.open(locked.totp_secret, str(locked.id)), code, now)
        code_ok = (step is not None and repository.advance_totp_step(conn, locked.id, step)) or (
            step is None and repository.use_recovery_code(conn, locked.id, _normalize_recovery(code))
        )
        if not (password_ok and code_ok):  # the reserved attempt stays counted
            audit.record(
                conn,
                AuditEntry(action="auth.2fa_disable", outcome="failure", actor_id=locked.id,
                           actor_email=locked.email),
                ctx,
            )  # fmt: skip
            _alert_if_guessed(conn, locked, limit, ctx)
            return _Failure(Forbidden("The password or the code is wrong."))
        throttle.release(conn, reserved)
        repository.disable_totp(conn, locked.id)
        audit.record(conn, AuditEntry(action="auth.2fa_disable", actor_id=locked.id, actor_email=locked.email), ctx)
        return None

    _finish(rt.db.run_in_transaction(work))


# -- users (super-admin) -------------------------------------------------------------------------------


def invite(db: Database, principal: Principal, email: str, role: Role, ctx: RequestContext) -> InvitationPublic:
    token = secrets.token_urlsafe(32)

    def work(conn: Connection[Any]) -> InvitationPublic:
        if repository.user_by_email(conn, email) is not None:
            raise Conflict("An account with this email already exists.")
        row = repository.insert_invitation(conn, email, role.value, _hash_token(token), principal.id, INVITATION_TTL_S)
        audit.record(
            conn,
            AuditEntry(action="user.invite", actor_id=principal.id, actor_email=principal.email,
                       target_type="invitation", target_id=str(row.id), details={"email": email, "role": role.value}),
            ctx,
        )  # fmt: skip
        return InvitationPublic(id=row.id, email=row.email, role=Role(row.role), expires_at=row.expires_at, token=token)

    return db.run_in_transaction(work)


def list_users(db: Database, cursor: str | None, limit: int) -> UserPage:
    with db.transaction(read_only=True) as conn:
        rows = repository.list_users(conn, cursor.lower() if cursor else None, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return UserPage(items=[r.public() for r in rows], next_cursor=rows[-1].email.lower() if more else None)


def update_user(
    db: Database, principal: Principal, user_id: UUID, role: Role | None, disabled: bool | None, ctx: RequestContext
) -> UserPublic:
    """Change a user's role or status; effective on their very next request.

    Raises NotFound, Conflict (it would leave no active super-admin)."""

    def work(conn: Connection[Any]) -> UserPublic:
        user = repository.user_by_id(conn, user_id, for_update=True)
        if user is None:
            raise NotFound("No such user.")
        repository.update_user(conn, user.id, role.value if role else None, disabled)
        if disabled:
            repository.revoke_all_sessions(conn, user.id)
        if repository.count_active_super_admins(conn) == 0:
            raise Conflict("At least one active super-admin must remain.")
        changes: dict[str, Any] = {}
        if role is not None and role.value != user.role:
            changes["role"] = {"from": user.role, "to": role.value}
        if disabled is not None and disabled != (user.disabled_at is not None):
            changes["disabled"] = disabled
        audit.record(
            conn,
            AuditEntry(action="user.update", actor_id=principal.id, actor_email=principal.email,
                       target_type="user", target_id=str(user.id), details=changes),
            ctx,
        )  # fmt: skip
        updated = repository.user_by_id(conn, user.id)
        assert updated is not None
        return updated.public()

    return db.run_in_transaction(work)


Clock = Callable[[], float]
