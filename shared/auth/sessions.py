"""Signing in and out: signup, login with its optional second factor, refresh, logout, and the check of
every request's access token.
"""

from __future__ import annotations

import time
from typing import Any

from psycopg import Connection

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.auth import passwords, repository, throttle, totp
from shared.auth.common import (
    BAD_CREDENTIALS,
    MAX_CODE_FAILURES,
    Failure,
    alert_if_guessed,
    field_error,
    finish,
    hash_token,
    issue_pair,
    normalize_recovery,
)
from shared.auth.models import (
    MfaRequired,
    TokenPair,
    UserPublic,
)
from shared.auth.permissions import Role
from shared.auth.principal import Principal
from shared.db import Database
from shared.errors import Forbidden, Unauthorized
from shared.request_context import RequestContext
from shared.runtime import Runtime
from shared.security.tokens import MFA_TTL_S, Claims, TokenType


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


def _signup_refusal(
    conn: Connection[Any], email: str, invitation_token: str | None
) -> tuple[Forbidden | None, repository.InvitationRow | None]:
    """Why this signup is refused (None: it may go ahead), and the invitation it uses."""
    if invitation_token is None:
        return (
            Forbidden("Signup needs an invitation from a super-admin.") if repository.any_user(conn) else None
        ), None
    invitation = repository.invitation_by_token_hash(conn, hash_token(invitation_token))
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
        raise field_error(["body", "password"], "Password " + "; ".join(problems) + ".", "password_policy")

    def precheck(conn: Connection[Any]) -> list[int] | Failure:
        reserved = throttle.reserve(conn, [throttle.signup_key(ctx.source_ip)])
        refusal, _ = _signup_refusal(conn, email, invitation_token)
        if refusal is not None:  # the reserved attempt stays counted
            return Failure(refusal)
        return reserved

    reserved: list[int] = finish(db.run_in_transaction(precheck))
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

    def work(conn: Connection[Any]) -> TokenPair | MfaRequired | Failure:
        if not ok or user is None:  # the reserved attempt stays counted
            audit.record(
                conn,
                AuditEntry(action="auth.login", outcome="failure", actor_id=user.id if user else None,
                           actor_email=email, details={"reason": "bad_credentials"}),
                ctx,
            )  # fmt: skip
            return Failure(Unauthorized(BAD_CREDENTIALS))
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
        return issue_pair(conn, rt.tokens, user.id)

    return finish(db.run_in_transaction(work))


def verify_login(
    rt: Runtime, mfa_token: str, code: str | None, recovery_code: str | None, ctx: RequestContext
) -> TokenPair:
    """Second step of a login. Each TOTP code is accepted once per user, each recovery code once; five wrong
    codes kill the token.

    Raises Unauthorized."""
    if bool(code) == bool(recovery_code):
        raise field_error(["body"], "Give exactly one of code and recovery_code.", "missing")
    claims = verify_mfa_token(rt, mfa_token)
    now = time.time()

    def work(conn: Connection[Any]) -> TokenPair | Failure:
        challenge = repository.challenge_for_update(conn, claims.jti)
        # Until it expires or is killed, the token may finish a sign-in more than once: each time needs a
        # fresh second factor (a code is accepted once per user, a recovery code once), so reuse grants
        # nothing that the second factor does not.
        if challenge is None or challenge.killed_at or challenge.expired:
            return Failure(Unauthorized("The sign-in attempt has expired; sign in again."))
        user = repository.user_by_id(conn, challenge.user_id)
        if user is None or user.disabled_at is not None or user.totp_secret is None:
            return Failure(Unauthorized("The sign-in attempt has expired; sign in again."))
        # Counted per user across every mfa token: a correct password issues a new token each time.
        limit = throttle.second_factor_key(user.id)
        reserved = throttle.reserve(conn, [limit])
        if code:
            step = totp.matching_step(rt.box.open(user.totp_secret, str(user.id)), code, now)
            ok = step is not None and repository.advance_totp_step(conn, user.id, step)
            method = "totp"
        else:
            ok = repository.use_recovery_code(conn, user.id, normalize_recovery(recovery_code or ""))
            method = "recovery_code"
        if not ok:
            failures = repository.fail_challenge(conn, challenge.id, MAX_CODE_FAILURES)
            audit.record(
                conn,
                AuditEntry(action="auth.login", outcome="failure", actor_id=user.id, actor_email=user.email,
                           details={"stage": "second_factor", "method": method, "failures": failures}),
                ctx,
            )  # fmt: skip
            alert_if_guessed(conn, user, limit, ctx)
            return Failure(Unauthorized("The code is wrong or was already used."))
        throttle.release(conn, reserved)
        throttle.clear(conn, limit)
        repository.use_challenge(conn, challenge.id)
        audit.record(
            conn,
            AuditEntry(action="auth.login", actor_id=user.id, actor_email=user.email,
                       details={"stage": "second_factor", "method": method}),
            ctx,
        )  # fmt: skip
        return issue_pair(conn, rt.tokens, user.id)

    return finish(rt.db.run_in_transaction(work))


def refresh(rt: Runtime, refresh_token: str, ctx: RequestContext) -> TokenPair:
    """Rotate a refresh token. Presenting one that was already rotated revokes its whole family.

    Raises Unauthorized."""
    claims = rt.tokens.verify(refresh_token, TokenType.REFRESH)

    def work(conn: Connection[Any]) -> TokenPair | Failure:
        row = repository.refresh_for_update(conn, claims.jti)
        if row is None or row.revoked_at is not None:
            return Failure(Unauthorized("The session is no longer valid; sign in again."))
        if row.rotated_at is not None:
            revoked = repository.revoke_family(conn, row.family_id)
            audit.record(
                conn,
                AuditEntry(action="auth.refresh_reuse", outcome="failure", actor_id=row.user_id,
                           target_type="session", target_id=str(row.family_id), details={"revoked": revoked}),
                ctx,
            )  # fmt: skip
            return Failure(Unauthorized("The session is no longer valid; sign in again."))
        user = repository.user_by_id(conn, row.user_id)
        if user is None or user.disabled_at is not None:
            return Failure(Unauthorized("The session is no longer valid; sign in again."))
        repository.mark_rotated(conn, row.id)
        return issue_pair(conn, rt.tokens, user.id, str(row.family_id))

    return finish(rt.db.run_in_transaction(work))


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
